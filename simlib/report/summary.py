"""The short text of a comparison: what changed from one run to another, and by how much.

:func:`summary` writes one line per indicator (Dutch by default, English with ``lang="en"``)
from :func:`simlib.analysis.compare.compare`: the two values with their unit, the difference
(shares in percentage points), the relative difference (not for shares), favourable or not
where the indicator has a direction, "niet van toepassing" where one side has no value, and
the parts of a total beside it. Numbers by the number rule (:mod:`simlib.report.numbers`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simlib.analysis.compare import compare
from simlib.inputs.glossary import texts
from simlib.report import numbers as N
from simlib.report.texts import parts_line

__all__ = ["DEFAULT_SUMMARY_INDICATORS", "HEADLINE_INDICATORS", "summary"]

#: The indicators :func:`summary` reports when none are named.
DEFAULT_SUMMARY_INDICATORS = ("dual_contract_learners", "placement_share", "unqualified_outflow",
                              "public_cost")
#: The headline indicators of every comparison text the apps show and of the policy note
#: (:mod:`simlib.report.bundle`); an app adds the indicator its chart shows.
HEADLINE_INDICATORS = ("dual_contract_learners", "placement_share", "work_ready_without_place",
                       "terminations", "unqualified_outflow", "public_cost")

_TEXT = texts("compare")


def summary(a, b, indicators: Sequence[str] = DEFAULT_SUMMARY_INDICATORS,
            school_year: str | None = None, lang: str = "nl", group: str = "all") -> str:
    """A short text on what changed from result ``a`` to result ``b``, and by how much.

    One line per indicator of ``indicators`` (ids of :data:`simlib.model.outcomes.INDICATORS`) for
    ``school_year`` (default: the last school year of the results) and ``group`` (default
    ``all``): the value in ``a`` and in ``b`` with the unit, the difference (shares in
    percentage points) and the relative difference (not for shares), and whether the change
    is favourable where the indicator has a direction; "niet van toepassing" where one side
    has no value. Labels from the glossary, numbers by the number rule
    (:mod:`simlib.report.numbers`). Raises ``ValueError`` for an unknown indicator, school year,
    group or language.
    """
    from simlib.inputs.glossary import LANGS, label
    from simlib.model.outcomes import INDICATOR_BY_ID, PARTS

    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    if isinstance(indicators, str):
        indicators = (indicators,)
    table = compare(a, b)
    unknown = [i for i in indicators if i not in set(table.indicator)]
    if unknown:
        raise ValueError(f"unknown indicators {unknown}; expected ids from "
                         f"{list(dict.fromkeys(table.indicator))}")
    years = list(dict.fromkeys(table.school_year))
    if school_year is None:
        school_year = max(years)
    if school_year not in years:
        raise ValueError(f"school year {school_year!r} not in the results; expected one of "
                         f"{years}")
    groups = list(dict.fromkeys(table.group))
    if group not in groups:
        raise ValueError(f"group {group!r} not in the results; expected one of {groups}")

    text = _TEXT[lang]
    rows = table[(table.school_year == school_year) & (table.group == group)].set_index(
        "indicator")
    lines = [text["head"].format(a=a.scenario.label(lang), b=b.scenario.label(lang),
                                 year=school_year, group=label("groups", group, lang))]
    for ind_id in indicators:
        name = label("indicators", ind_id, lang)
        if ind_id not in rows.index:
            lines.append("- " + text["none"].format(label=name))
            continue
        row = rows.loc[ind_id]
        ind = INDICATOR_BY_ID.get(ind_id)
        unit = ind.unit if ind is not None else ""
        va, vb = float(row["a"]), float(row["b"])
        if math.isnan(va) and math.isnan(vb):
            lines.append("- " + text["none"].format(label=name))
            continue
        if math.isnan(va) or math.isnan(vb):
            (where, there), other = ((a, b), vb) if math.isnan(va) else ((b, a), va)
            lines.append("- " + text["not_applicable"].format(
                label=name, where=where.scenario.label(lang),
                other_name=there.scenario.label(lang), other=N.value_text(other, unit, lang)))
            continue
        if N.shows_zero(va, vb, unit, lang):
            change = text["same"]
        else:
            d = N.difference_text(va, vb, unit, lang, with_unit=False).lstrip("+-")
            change = text["up" if vb > va else "down"].format(d=d)
            rel = "" if N.is_share(unit) else N.relative_text(va, vb, lang)
            if rel and not N.text_is_zero(rel):
                change += text["rel"].format(r=rel)
            direction = ind.direction if ind is not None else 0
            if direction:
                change += text["better" if (vb - va) * direction > 0 else "worse"]
        lines.append("- " + text["line"].format(label=name, va=N.value_text(va, unit, lang),
                                                vb=N.value_text(vb, unit, lang),
                                                change=change))
        if ind_id in PARTS and set(PARTS[ind_id]) <= set(rows.index):  # its parts beside it
            parts = PARTS[ind_id]
            line = parts_line(ind_id, parts, [float(rows.loc[p, "a"]) for p in parts],
                              [float(rows.loc[p, "b"]) for p in parts], (va, vb), unit, lang)
            if line:
                lines.append("  " + line)
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------
