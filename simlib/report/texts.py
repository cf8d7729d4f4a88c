"""The text that answers a theme's question, and the comparison summary (Dutch or English).

:func:`report` writes the text a policy notebook shows under its charts: what changed (the
levers, with their values, dated in words), by how much (each indicator of the theme, baseline
against variant, in the school year chosen, with the parts of a total beside it), for whom
(one total, its parts for indicator pupils and the others, the regions and sectors that change
most and least), at what cost (public cost split into dual policy and school places, employers,
learners, and the cost per extra qualified learner, cumulated from the first school year) and
which assumptions drive it (the evidence grade of each changed lever). :func:`answer` is that
text for the theme's own variant against the baseline: the answer the model gives today to the
theme's question. Numbers by the number rule (:mod:`simlib.report.numbers`); words from the
glossary's ``[text_themes]``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from simlib.inputs.glossary import label, texts
from simlib.model.structure import HORIZON_YEARS
from simlib.report import numbers as N
from simlib.report.themes import theme

__all__ = ["Report", "report", "answer", "module_label", "value_text", "difference_text",
           "parts_line"]

_TEXT = texts("themes")


def value_text(value: float, unit: str, lang: str = "nl", decimals: int | None = None) -> str:
    """``value`` of ``unit`` by the number rule (:func:`simlib.report.numbers.value_text`)."""
    return N.value_text(value, unit, lang, decimals=decimals)


def difference_text(a: float, b: float, unit: str, lang: str = "nl",
                    direction: int = 0, relative: bool = True) -> str:
    """``b - a`` as the texts write it: the difference by the number rule (shares in
    percentage points, money in EUR, counts whole; unit words left out), the relative change
    in % when ``a`` is positive and it shows, and favourable/unfavourable for a
    ``direction``; "unchanged" when the difference rounds to zero as shown."""
    t = _TEXT[lang]
    if N.shows_zero(a, b, unit, lang):
        return t["same"]
    text = N.difference_text(a, b, unit, lang, with_unit=False)
    # a share's change is in percentage points; a percentage of it would be a second kind of %
    rel = N.relative_text(a, b, lang) if relative and not N.is_share(unit) else ""
    if rel and not N.text_is_zero(rel):
        text += f", {rel}"  # never of a negative value: it misleads
    if direction:
        text += f", {t['better' if (b - a) * direction > 0 else 'worse']}"
    return text


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """The generated text of a theme for two results, in one language, by section.

    ``sections`` maps a heading to its lines (what changes, by how much, for whom, at what
    cost, which assumptions); :meth:`text` and :meth:`html` render it. The numbers behind the
    lines are in ``values`` (for tests and export): per indicator spec ``(a, b)``, plus
    ``cost_per_extra_qualified`` (EUR, NaN where it does not apply) and the evidence grades of
    the changes (``grades``).
    """

    title: str
    sections: dict[str, list[str]]
    school_year: str
    values: dict = field(default_factory=dict)
    grades: tuple[str, ...] = ()

    def text(self) -> str:
        out = [self.title]
        for head, lines in self.sections.items():
            out.append(f"{head}:")
            out.extend(f"- {line}" for line in lines)
        return "\n".join(out)

    def html(self) -> str:
        parts = [f"<b>{html.escape(self.title)}</b>"]
        for head, lines in self.sections.items():
            items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
            parts.append(f"<div style='margin-top:0.4em'><i>{html.escape(head)}</i>"
                         f"<ul style='margin:0.1em 0 0 0'>{items}</ul></div>")
        return "".join(parts)

    def __str__(self) -> str:
        return self.text()


class _Values:
    """Indicator values of one result, looked up by (indicator, group, school year)."""

    def __init__(self, result, indicators: Sequence[str]):
        df = result.indicators
        df = df[df.indicator.isin(list(indicators))]
        self.series = df.set_index(["indicator", "group", "school_year"]).value
        self.years = list(dict.fromkeys(result.indicators.school_year))

    def get(self, indicator: str, group: str, year: str) -> float:
        return float(self.series.get((indicator, group, year), np.nan))

    def groups(self, indicator: str, prefix: str) -> list[str]:
        idx = self.series.index
        names = idx.get_level_values(1)[idx.get_level_values(0) == indicator]
        return [g for g in dict.fromkeys(names) if g.startswith(prefix)]


def _grade_key(grade: str) -> int:
    from simlib.inputs.levers import EVIDENCE_GRADES

    return EVIDENCE_GRADES.index(grade)


def report(theme_or_id, base, variant, school_year: str | None = None, lang: str = "nl",
           modules: Sequence = ()) -> Report:
    """The theme's text for ``variant`` against ``base`` (two :class:`simlib.Result`) in
    ``school_year`` (default: the last), in ``lang``.

    ``modules`` are extra policy modules the variant ran with (see
    :func:`simlib.analysis.checks.policy_module`); they are listed with the levers, with the evidence
    grade they declare. Raises ``ValueError`` for an unknown language or school year.
    """
    from simlib.inputs.levers import lever
    from simlib.model.outcomes import INDICATOR_BY_ID, PARTS
    from simlib.report.describe import lever_changes

    if lang not in _TEXT:
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    th = theme(theme_or_id)
    t = _TEXT[lang]
    money = ("public_cost", "public_cost_dual_policy", "employer_net_cost", "learner_income",
             "qualified_outflow")
    ids = list(dict.fromkeys([*th.indicator_ids, th.whom, *money,
                              *(p for i in th.indicator_ids for p in PARTS.get(i, ()))]))
    va, vb = _Values(base, ids), _Values(variant, ids)
    years = va.years
    year = school_year or years[-1]
    if year not in years:
        raise ValueError(f"school year {year!r} not in the results; expected one of {years}")
    values: dict = {}

    # what changes
    changes = lever_changes(base.scenario, variant.scenario, lang)
    what = [f"{c.text(lang)}" for c in changes]
    what += [t["module"].format(label=module_label(m, lang)) for m in modules]
    if not what:
        what = [t["no_levers"]]

    # by how much
    how = []
    for spec in th.indicators:
        ind = INDICATOR_BY_ID[spec.id]
        a, b = va.get(spec.id, spec.group, year), vb.get(spec.id, spec.group, year)
        values[(spec.id, spec.group)] = (a, b)
        how.append(_line(spec.label(lang), a, b, ind.unit, ind.direction, lang))
        if spec.id in PARTS:  # beside it, its parts, adding up as written
            line = parts_line(spec.id, PARTS[spec.id],
                              [va.get(p, spec.group, year) for p in PARTS[spec.id]],
                              [vb.get(p, spec.group, year) for p in PARTS[spec.id]], (a, b),
                              ind.unit, lang)
            if line:
                how.append(line)

    # for whom: one paragraph, one total (the indicator for all learners); the parts of an
    # additive unit are shown as parts of that total, and add up to it as shown
    ind = INDICATOR_BY_ID[th.whom]
    name = label("indicators", th.whom, lang)
    a_all, b_all = va.get(th.whom, "all", year), vb.get(th.whom, "all", year)
    if math.isfinite(a_all) and math.isfinite(b_all):
        change = difference_text(a_all, b_all, ind.unit, lang, ind.direction)
        if ind.unit in _ADDITIVE and change != t["same"]:  # written as its parts will be
            total, _ = N.parts_text(_shown_total(a_all, b_all, ind.unit), [], ind.unit, lang)
            change = total + change[len(N.difference_text(a_all, b_all, ind.unit, lang,
                                                          with_unit=False)):]
        whom = [t["whom_of"].format(label=name, va=value_text(a_all, ind.unit, lang),
                                    vb=value_text(b_all, ind.unit, lang), change=change)]
        whom += _whom_parts(th.whom, ind.unit, va, vb, year, lang)
    else:
        whom = [t["whom_none"].format(label=name)]

    # at what cost
    def g(v, name):
        return v.get(name, "all", year)

    unit = "eur_per_school_year"
    d_total = g(vb, "public_cost") - g(va, "public_cost")
    d_policy = g(vb, "public_cost_dual_policy") - g(va, "public_cost_dual_policy")
    if N.shows_zero(g(va, "public_cost"), g(vb, "public_cost"), unit, lang):
        d_text, (dp_text, ds_text) = t["same"], (t["same"], t["same"])
    else:  # the two parts written so that they add up to the total as written
        d_text, (dp_text, ds_text) = N.parts_text(d_total, [d_policy, d_total - d_policy],
                                                  unit, lang)
    cost = [
        t["public"].format(d=d_text, va=N.value_text(g(va, "public_cost"), unit, lang,
                                                     with_unit=False),
                           vb=N.value_text(g(vb, "public_cost"), unit, lang, with_unit=False),
                           dp=dp_text, ds=ds_text),
        t["employer"].format(d=difference_text(g(va, "employer_net_cost"),
                                               g(vb, "employer_net_cost"), unit, lang),
                             di=difference_text(g(va, "learner_income"),
                                                g(vb, "learner_income"), unit, lang)),
    ]
    upto = years[: years.index(year) + 1]
    dq = sum(vb.get("qualified_outflow", "all", y) - va.get("qualified_outflow", "all", y)
             for y in upto)
    dc = sum(vb.get("public_cost", "all", y) - va.get("public_cost", "all", y) for y in upto)
    span = t["span"].format(first=upto[0], year=year)
    fields = {"span": span,
              "dq": N.difference_text(0.0, dq, "learners_per_school_year", lang,
                                      with_unit=False),
              "dc": N.difference_text(0.0, dc, "eur", lang)}
    per_q = math.nan
    if dq >= 0.5 and dc > 0:
        per_q = dc / dq
        cost.append(t["per_q"].format(c=N.value_text(per_q, "eur", lang), **fields))
    elif dq >= 0.5:
        cost.append(t["saves"].format(**fields))
    else:
        cost.append(t["no_q"].format(**fields))
    values["cost_per_extra_qualified"] = per_q
    values["extra_qualified_cumulative"] = dq
    values["extra_public_cost_cumulative"] = dc

    # which assumptions
    grades = []
    assumptions = []
    for c in changes:
        lv = lever(c.lever.id)
        grades.append(lv.evidence_grade)
        assumptions.append(t["grade"].format(label=lv.label(lang),
                                             grade=label("evidence", lv.evidence_grade, lang),
                                             status=label("status", lv.status, lang)))
    for m in modules:
        grade = getattr(m, "EVIDENCE", "D")
        grades.append(grade)
        assumptions.append(t["module_grade"].format(label=module_label(m, lang),
                                                    grade=label("evidence", grade, lang)))
    if grades:
        worst = max(grades, key=_grade_key)
        assumptions.append(t["weakest" if worst in ("C", "D") else "strong"].format(
            grade=worst))
    else:
        assumptions = [t["nothing"]]

    title = t["head"].format(a=base.scenario.label(lang), b=variant.scenario.label(lang),
                             year=year)
    sections = {t["what"]: what, t["how_much"]: how, t["whom"]: whom, t["cost"]: cost,
                t["assumptions"]: assumptions}
    return Report(title=title, sections=sections, school_year=year, values=values,
                  grades=tuple(grades))


#: Units whose values add up over groups (counts, flows, money): their group changes are
#: parts of the total change.
_ADDITIVE = ("learners", "places", "learners_per_school_year", "contracts_per_school_year",
             "eur_per_school_year")


def _shown_total(a: float, b: float, unit: str) -> float:
    """``b - a`` as the texts show it: of the values as shown for units with fixed decimals
    (so the parts written add up to the difference written)."""
    if N.is_money(unit):
        return b - a
    scale = 100.0 if N.is_share(unit) else 1.0
    dec = N.decimals_for(unit)
    return (round(b * scale, dec) - round(a * scale, dec)) / scale


def _whom_parts(indicator: str, unit: str, va: _Values, vb: _Values, year: str,
                lang: str) -> list[str]:
    """The lines of "for whom" after the total: indicator pupils and the others, the
    regions and sectors that change most and least. For an additive unit, a part is its
    change and its share of the total change, the parts adding up to the total as written;
    otherwise each group's own values."""
    t = _TEXT[lang]
    lines = []
    additive = unit in _ADDITIVE
    a_all, b_all = va.get(indicator, "all", year), vb.get(indicator, "all", year)
    total = _shown_total(a_all, b_all, unit)
    pair = {g: (va.get(indicator, g, year), vb.get(indicator, g, year))
            for g in ("ses=yes", "ses=no")}
    if all(math.isfinite(x) for p in pair.values() for x in p):
        if additive and not N.shows_zero(a_all, b_all, unit, lang):
            _, (yes, no) = N.parts_text(total, [pair["ses=yes"][1] - pair["ses=yes"][0],
                                                pair["ses=no"][1] - pair["ses=no"][0]],
                                        unit, lang)
            lines.append(t["ses"].format(yes=yes, no=no))
        elif not additive:
            yes, no = (f"{value_text(a, unit, lang)} → {value_text(b, unit, lang)}"
                       for a, b in pair.values())
            lines.append(t["ses_values"].format(yes=yes, no=no))
        else:
            lines.append(t["ses"].format(yes=t["same"], no=t["same"]))
    for axis in ("region", "sector"):
        line = _extremes(indicator, axis, va, vb, year, unit, lang, total if additive else None)
        if line:
            lines.append(line)
    return lines


def _extremes(indicator: str, axis: str, va: _Values, vb: _Values, year: str, unit: str,
              lang: str, total: float | None = None) -> str:
    """The groups of ``axis`` where ``indicator`` changes most and least (by the size of the
    change as shown; with ``total``, each with its share of the total change). Groups whose
    change reads the same are not ranked."""
    t = _TEXT[lang]
    pairs = {g: (va.get(indicator, g, year), vb.get(indicator, g, year))
             for g in va.groups(indicator, f"{axis}=")}
    pairs = {g: p for g, p in pairs.items() if all(math.isfinite(x) for x in p)}
    if not pairs:
        return ""
    word = label("axes", axis, lang).lower()
    shown = {g: N.difference_text(*pairs[g], unit, lang, with_unit=False) for g in pairs}
    if all(N.shows_zero(*pairs[g], unit, lang) for g in pairs):
        return t["all_same"].format(axis=word)
    if len(set(shown.values())) == 1:
        return t["all_equal"].format(axis=word, d=next(iter(shown.values())))

    def size(g):
        a, b = pairs[g]
        return abs(b - a)

    hi, lo = max(pairs, key=size), min(pairs, key=size)

    def text(g):
        if total is None or N.shows_zero(0.0, total, unit, lang):
            return shown[g]
        share = (pairs[g][1] - pairs[g][0]) / total
        return t["of_change"].format(d=shown[g], p=N.value_text(share, "share", lang))

    return t["most"].format(axis=word, hi=label("groups", hi, lang),
                            lo=label("groups", lo, lang), dhi=text(hi), dlo=text(lo))


def parts_line(indicator: str, parts: Sequence[str], a_parts: Sequence[float],
               b_parts: Sequence[float], totals: tuple[float, float], unit: str,
               lang: str) -> str:
    """The parts of a total indicator in both results, written so that they add up to the
    total as written (values and change): ``waarvan uitstroom zonder kwalificatie 3.482 →
    3.429 (-53) en met deelkwalificatie ...``."""
    t = _TEXT[lang]
    a, b = totals
    if not all(math.isfinite(x) for x in (a, b, *a_parts, *b_parts)):
        return ""
    _, va = N.parts_text(a, list(a_parts), unit, lang, signs=False)
    _, vb = N.parts_text(b, list(b_parts), unit, lang, signs=False)
    if N.shows_zero(a, b, unit, lang):
        changes = [t["same"]] * len(parts)
    else:
        _, changes = N.parts_text(_shown_total(a, b, unit), [y - x for x, y in
                                                              zip(a_parts, b_parts, strict=True)],
                                  unit, lang)
    items = [f"{label('indicators', p, lang).lower()}: {x} → {y} ({d})"
             for p, x, y, d in zip(parts, va, vb, changes, strict=True)]
    return t["of_which"].format(parts="; ".join(items))


def _line(name: str, a: float, b: float, unit: str, direction: int, lang: str) -> str:
    t = _TEXT[lang]
    fa, fb = math.isfinite(a), math.isfinite(b)
    if not fa and not fb:
        return t["none"].format(label=name)
    if not fa:
        return t["new"].format(label=name, vb=value_text(b, unit, lang))
    if not fb:
        return t["gone"].format(label=name, va=value_text(a, unit, lang))
    return t["line"].format(label=name, va=value_text(a, unit, lang),
                            vb=value_text(b, unit, lang),
                            change=difference_text(a, b, unit, lang, direction))


def module_label(module, lang: str) -> str:
    """A policy module's label in ``lang`` (``LABEL_NL``/``LABEL_EN``, else its name)."""
    name = module.__name__.rsplit(".", 1)[-1]
    return getattr(module, f"LABEL_{lang.upper()}", None) or name


def answer(theme_or_id, years: int = HORIZON_YEARS, school_year: str | None = None, lang: str = "nl",
           run: Callable | None = None) -> Report:
    """The theme's text for its own variant (``scenario`` in ``themes.toml``) against the
    baseline: the answer the model gives today to the theme's question. ``run(scenario,
    years)`` runs a scenario (default :func:`simlib.run`; the notebooks pass a cached one)."""
    from simlib.inputs.scenario import load_scenario
    from simlib.model.simulation import run as _run

    th = theme(theme_or_id)
    run = run or (lambda sc, years: _run(sc, years=years))
    base = run(load_scenario("baseline"), years)
    variant = run(load_scenario(th.scenario), years)
    return report(th, base, variant, school_year, lang)
