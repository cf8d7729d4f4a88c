"""Compare two runs: indicator by indicator, group and school year, ``b`` against ``a``.

- :func:`compare` — the comparison table (columns :data:`COLUMNS`). Its text is
  :func:`simlib.report.summary.summary`; ``python -m simlib compare`` writes it with
  ``meta.json`` (:mod:`simlib.cli`).

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

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "COMPARE_FILES", "compare"]

#: The columns of the comparison table, in order.
COLUMNS = ("indicator", "group", "school_year", "a", "b", "difference", "relative_difference",
           "status")
#: Values of the ``status`` column.
COMPARED, NOT_APPLICABLE = "compared", "not_applicable"
#: The files ``command`` writes; ``--out`` holding any of them is refused without ``--force``.
COMPARE_FILES = ("comparison.csv", "meta.json")

_KEYS = ["indicator", "group", "school_year"]


def _indicator_order() -> dict[str, int]:
    from simlib.model.outcomes import INDICATORS

    return {ind.id: i for i, ind in enumerate(INDICATORS)}


def compare(a, b) -> pd.DataFrame:
    """The indicators of result ``b`` against result ``a``, one row per indicator x group x year.

    Columns ``indicator, group, school_year, a, b, difference, relative_difference,
    status`` (:data:`COLUMNS`); ``difference = b - a``; ``relative_difference = (b - a) /
    |a|``, NaN where ``a == 0``; a row one result lacks (an indicator or a value that exists
    on one side only) has NaN there and ``status`` ``not_applicable``. Rows follow the
    indicator registry (:data:`simlib.model.outcomes.INDICATORS`), then the groups in the order the
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
