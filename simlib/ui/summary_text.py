"""The text under a comparison chart: which levers differ, then the headline indicators of
two runs side by side (:func:`simlib.report.summary.summary`), as HTML."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from simlib.inputs.glossary import label
from simlib.report import plots
from simlib.report.summary import HEADLINE_INDICATORS
from simlib.ui.common import word

__all__ = ["SUMMARY_INDICATORS", "summary_html", "comparison_html", "scenarios_html"]

#: The indicators every comparison text reports (the chart's own indicator is added).
SUMMARY_INDICATORS = HEADLINE_INDICATORS


def summary_html(lines: Iterable[str], title: str | None = None) -> str:
    """``lines`` as a list under ``title`` (bold); a leading "- " of a line dropped."""
    lines = list(lines)
    head = f"<b>{html.escape(title)}</b>" if title else ""
    if not lines:
        return head
    items = "".join(f"<li>{html.escape(line.removeprefix('- '))}</li>" for line in lines)
    return f"{head}<ul style='margin-top:0.2em'>{items}</ul>"


def comparison_html(a, b, lang: str, indicators: Sequence[str], school_year: str | None,
                    group: str = "all") -> str:
    """Results ``a`` and ``b`` compared on ``indicators`` (and their parts) for ``group`` in
    ``school_year`` (the last if None), those with a value only: a title and a list."""
    from simlib.model.outcomes import PARTS
    from simlib.report.summary import summary

    shown = [*indicators, *(p for i in indicators for p in PARTS.get(i, ()))]
    a, b = plots._Slim(a, shown, [group]), plots._Slim(b, shown, [group])
    ia, ib = a.indicators, b.indicators
    year = school_year or max(ia.school_year)
    present = set(ia[(ia.school_year == year) & ia.value.notna()].indicator) | set(
        ib[(ib.school_year == year) & ib.value.notna()].indicator)
    wanted = [i for i in dict.fromkeys(indicators) if i in present]
    text = summary(a, b, indicators=wanted, school_year=year, lang=lang, group=group)
    first, *rest = text.split("\n")
    merged: list[str] = []  # a parts line ("  waarvan ...") goes with the line above it
    for line in rest:
        if line.startswith("  ") and merged:
            merged[-1] += "; " + line.strip()
        else:
            merged.append(line)
    return summary_html(merged, first)


def scenarios_html(results: Sequence, lang: str, indicators: Sequence[str],
                   school_year: str | None, group: str = "all") -> str:
    """Several results side by side in one table: a row per indicator (those with a value),
    a column per scenario in chart order, each value by the number rule and, after the
    first, its difference from the first; ``school_year`` the last if None."""
    from simlib.model.outcomes import INDICATOR_BY_ID
    from simlib.report import numbers as N

    slim = [plots._Slim(r, indicators, [group]) for r in results]
    year = school_year or max(slim[0].indicators.school_year)
    rows = []
    for ind in dict.fromkeys(i for i in indicators if i in INDICATOR_BY_ID):
        unit = INDICATOR_BY_ID[ind].unit
        vals = []
        for s in slim:
            t = s.indicators
            v = t[(t.indicator == ind) & (t.school_year == year)].value
            vals.append(float(v.iloc[0]) if len(v) else float("nan"))
        if all(v != v for v in vals):  # no value anywhere
            continue
        cells = [N.value_text(vals[0], unit, lang)] + [
            f"{N.value_text(v, unit, lang)} ({N.difference_text(vals[0], v, unit, lang)})"
            for v in vals[1:]]
        rows.append((label("indicators", ind, lang), cells))
    head = "".join(f"<th style='text-align:right;padding:0 0.6em'>"
                   f"{html.escape(r.scenario.label(lang))}</th>" for r in results)
    body = "".join(
        f"<tr><td>{html.escape(name)}</td>"
        + "".join(f"<td style='text-align:right;padding:0 0.6em'>{html.escape(c)}</td>"
                  for c in cells) + "</tr>" for name, cells in rows)
    title = word(lang, "scenarios_table").format(sy=year)
    return (f"<b>{html.escape(title)}</b><table style='border-collapse:collapse'>"
            f"<tr><th></th>{head}</tr>{body}</table>")

