"""Compare two runs: indicator by indicator, group and school year, ``b`` against ``a``.

- :func:`compare` — the comparison table (columns :data:`COLUMNS`).
- :func:`summary` — a short generated text (Dutch by default, English with ``lang="en"``)
  saying what changed and by how much, for notebooks.
- :func:`command` — ``python -m simlib compare A B --out DIR [--years N] [--force]``, which
  writes ``comparison.csv`` and ``meta.json``.

Definitions, per row (indicator x group x school year):

- ``difference = b - a``, in the indicator's unit;
- ``relative_difference = (b - a) / |a|``, a fraction (0.05 is 5 %). It is NaN where
  ``a == 0`` (a relative change from zero is undefined), and NaN wherever ``a`` or ``b`` is
  NaN (an indicator without a value that year, e.g. a share of zero leavers). In the CSV a
  NaN is an empty field;
- ``status``: ``compared`` where both have a value, ``not_applicable`` where one side has
  none: an indicator that exists on one side only (the Groeifase's shares where it is closed)
  or a share of nothing in that school year. Texts write "niet van toepassing" /
  "does not apply" for it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.glossary import texts

__all__ = ["COLUMNS", "COMPARE_FILES", "DEFAULT_SUMMARY_INDICATORS", "compare", "summary",
           "command"]

#: The columns of the comparison table, in order.
COLUMNS = ("indicator", "group", "school_year", "a", "b", "difference", "relative_difference",
           "status")
#: Values of the ``status`` column.
COMPARED, NOT_APPLICABLE = "compared", "not_applicable"
#: The files ``command`` writes; ``--out`` holding any of them is refused without ``--force``.
COMPARE_FILES = ("comparison.csv", "meta.json")
#: The indicators :func:`summary` reports when none are named.
DEFAULT_SUMMARY_INDICATORS = ("dual_contract_learners", "placement_share", "unqualified_outflow",
                              "public_cost")

_KEYS = ["indicator", "group", "school_year"]


def _indicator_order() -> dict[str, int]:
    from simlib.outcomes import INDICATORS

    return {ind.id: i for i, ind in enumerate(INDICATORS)}


def compare(a, b) -> pd.DataFrame:
    """The indicators of result ``b`` against result ``a``, one row per indicator x group x year.

    Columns ``indicator, group, school_year, a, b, difference, relative_difference,
    status`` (:data:`COLUMNS`); ``difference = b - a``; ``relative_difference = (b - a) /
    |a|``, NaN where ``a == 0``; a row one result lacks (an indicator or a value that exists
    on one side only) has NaN there and ``status`` ``not_applicable``. Rows follow the
    indicator registry (:data:`simlib.outcomes.INDICATORS`), then the groups in the order the
    results list them, then the school years.

    Raises ``ValueError`` if the two results cover different years (number or school years)
    or hold different groups, or an indicator has different units.
    """
    if a.years != b.years:
        raise ValueError(f"cannot compare results over different years: a has {a.years} "
                         f"school years, b has {b.years}; expected the same --years for both")
    ia, ib = a.indicators, b.indicators
    for col in ("school_year", "group"):
        if set(ia[col]) != set(ib[col]):
            raise ValueError(f"cannot compare results with different {col} values: a has "
                             f"{sorted(set(ia[col]))}, b has {sorted(set(ib[col]))}")
    units_a = dict(zip(ia.indicator, ia.unit, strict=True))
    units_b = dict(zip(ib.indicator, ib.unit, strict=True))
    clash = sorted(k for k in units_a if k in units_b and units_a[k] != units_b[k])
    if clash:
        raise ValueError(f"cannot compare results whose indicators have different units: {clash}")
    if ia.duplicated(_KEYS).any() or ib.duplicated(_KEYS).any():
        raise ValueError("cannot compare results with duplicate indicator x group x school "
                         "year rows")

    left = ia[_KEYS + ["value"]].rename(columns={"value": "a"})
    right = ib[_KEYS + ["value"]].rename(columns={"value": "b"})
    df = left.merge(right, on=_KEYS, how="outer", validate="one_to_one")

    order = _indicator_order()
    group_order = {g: i for i, g in enumerate(dict.fromkeys(ia.group))}
    df["_i"] = df.indicator.map(lambda x: order.get(x, len(order)))
    df["_g"] = df.group.map(group_order)
    df = df.sort_values(["_i", "indicator", "_g", "school_year"], kind="stable")

    va = df.a.to_numpy(dtype=float)
    vb = df.b.to_numpy(dtype=float)
    diff = vb - va
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(va != 0, diff / np.abs(va), np.nan)
    out = pd.DataFrame({
        "indicator": df.indicator.to_numpy(),
        "group": df.group.to_numpy(),
        "school_year": df.school_year.to_numpy(),
        "a": va,
        "b": vb,
        "difference": diff,
        "relative_difference": rel,
        "status": np.where(np.isnan(va) | np.isnan(vb), NOT_APPLICABLE, COMPARED),
    })
    return out[list(COLUMNS)]


# --- text summary --------------------------------------------------------------------------

_TEXT = texts("compare")


def summary(a, b, indicators: Sequence[str] = DEFAULT_SUMMARY_INDICATORS,
            school_year: str | None = None, lang: str = "nl", group: str = "all") -> str:
    """A short text on what changed from result ``a`` to result ``b``, and by how much.

    One line per indicator of ``indicators`` (ids of :data:`simlib.outcomes.INDICATORS`) for
    ``school_year`` (default: the last school year of the results) and ``group`` (default
    ``all``): the value in ``a`` and in ``b`` with the unit, the difference (shares in
    percentage points) and the relative difference (not for shares), and whether the change
    is favourable where the indicator has a direction; "niet van toepassing" where one side
    has no value. Labels from the glossary, numbers by the number rule
    (:mod:`simlib.numbers`). Raises ``ValueError`` for an unknown indicator, school year,
    group or language.
    """
    from simlib import numbers as N
    from simlib.glossary import LANGS, label
    from simlib.outcomes import INDICATOR_BY_ID, PARTS
    from simlib.themes import parts_line

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


def command(args) -> int:
    """``python -m simlib compare A B --out DIR [--years N] [--force]``; returns the exit code.

    Checks ``--years`` and ``--out`` (refused if it already holds ``comparison.csv`` or
    ``meta.json``, unless ``--force``), loads and runs both scenarios, then writes
    ``comparison.csv`` (UTF-8, ``\\n`` line endings, no index; a NaN is an empty field) and
    ``meta.json`` (each run's :meth:`simlib.Result.meta` under ``"a"`` and ``"b"``, and the
    rows and SHA-256 of ``comparison.csv`` under ``"files"``), complete or not at all
    (:func:`simlib.outputs.write_folder`), and prints the paths. Nothing is written on a user
    error.
    """
    from simlib.cli import UserError, _check_out, write_outputs
    from simlib.outputs import table as csv_table
    from simlib.outputs import write_folder
    from simlib.scenario import load_scenario
    from simlib.simulation import MAX_YEARS, run

    if not 1 <= args.years <= MAX_YEARS:
        raise UserError(f"--years: {args.years} out of range; expected 1 to {MAX_YEARS}")
    out = _check_out(args.out, args.force, COMPARE_FILES)
    sc_a = load_scenario(args.a)
    sc_b = load_scenario(args.b)
    ra = run(sc_a, years=args.years)
    rb = run(sc_b, years=args.years)
    table = compare(ra, rb)
    meta = {
        "a": ra.meta(),
        "b": rb.meta(),
        "years": args.years,
        "difference": "b - a",
        "relative_difference": "(b - a) / |a|; empty (NaN) where a == 0 or a value is missing",
    }

    def write(folder: Path) -> list[Path]:
        files = {"comparison.csv": csv_table(table, index=False, lineterminator="\n",
                                             encoding="utf-8")}
        return write_folder(folder, files, meta, overwrite=args.force)

    return write_outputs(out, write)
