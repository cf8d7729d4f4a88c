"""The text under a comparison chart: which levers differ, then the headline indicators of
two runs side by side (:func:`simlib.report.summary.summary`), as HTML."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from simlib.report import plots

__all__ = ["SUMMARY_INDICATORS", "summary_html", "comparison_html"]

#: The indicators every comparison text reports (the chart's own indicator is added).
SUMMARY_INDICATORS = ("dual_contract_learners", "placement_share", "work_ready_without_place",
                      "terminations", "unqualified_outflow", "public_cost")


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
