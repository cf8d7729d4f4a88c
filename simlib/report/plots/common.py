"""Colours, formatting and the small helpers every chart shares."""

from __future__ import annotations

import textwrap
import weakref
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import Formatter, FuncFormatter

from simlib.inputs.glossary import label, texts
from simlib.report.numbers import decimals_for, display, number

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
DUAL_STATES = ("searching", "dual_oao", "dual_soa", "aanloopfase", "groeifase")
STATE_COLOURS = {
    "non_dual": PALETTE[7],
    "searching": PALETTE[1],
    "dual_oao": PALETTE[0],
    "dual_soa": PALETTE[4],
    "aanloopfase": PALETTE[3],
    "groeifase": PALETTE[2],
}
#: Colours of the Sankey nodes (simlib.model.kernel.FLOW_NODES).
NODE_COLOURS = {
    "inflow": "#999999",
    "non_dual": "#555555",
    "searching": PALETTE[1],
    "dual": PALETTE[0],
    "guaranteed": PALETTE[4],
    "aanloopfase": PALETTE[3],
    "groeifase": PALETTE[2],
    "qualified_education": PALETTE[2],
    "qualified_professional": PALETTE[4],
    "partial_qualification": PALETTE[6],
    "unqualified": PALETTE[5],
}
#: The group axes a breakdown can use (prefixes of the indicator groups).
BREAKDOWN_AXES = ("region", "sector", "finality", "provider", "ses")
#: Colours by direction of a change: favourable, unfavourable, neither.
DIRECTION_COLOURS = {1: PALETTE[2], -1: PALETTE[5], 0: PALETTE[0]}
FOOTNOTE_GID = "simlib-footnote"
FOOTNOTE_SIZE = 6.5  # points

#: Chart words that are not registry labels (titles, legends), per language.
_TEXT = texts("plots")


# --- formatting ----------------------------------------------------------------------------


def _formatter(lang: str, decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: number(x, lang, decimals))


class _TickFormatter(Formatter):
    """Tick labels in ``lang`` with as many decimals as the tick spacing needs."""

    def __init__(self, lang: str):
        self.lang = lang
        self.decimals = 0

    def set_locs(self, locs):
        super().set_locs(locs)
        steps = np.diff(np.asarray(locs, float))
        steps = steps[steps > 0]
        step = float(steps.min()) if steps.size else 1.0
        # the fewest decimals that show every tick exactly (2,5 needs one, 0,25 two)
        self.decimals = next((d for d in range(5) if abs(step * 10**d - round(step * 10**d))
                              < 1e-6 * max(1.0, step * 10**d)), 4)

    def __call__(self, x, pos=None):
        return number(x, self.lang, self.decimals)


def _decimals(values, unit: str) -> int:
    """Decimals of the numbers written on a chart of ``unit`` (in its axis form): the number
    rule's (shares: of the percentage), money in millions with one (two below a million)."""
    if unit == "eur_per_school_year":
        vals = np.abs(np.asarray(values, float))
        vals = vals[np.isfinite(vals)]
        return 1 if vals.size and float(vals.max()) >= 1.0 else 2
    return decimals_for(unit)


def _lang(lang: str) -> str:
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    return lang


def _display(unit: str) -> tuple[float, str]:
    """(scale, unit id) to show values of ``unit`` (:func:`simlib.report.numbers.display`)."""
    shown = display(unit)
    return shown.scale, shown.unit


def _unit_text(unit: str, lang: str, difference: bool = False) -> str:
    shown = display(unit)
    return label("units", shown.difference_unit if difference else shown.unit, lang)


def _results(result_or_results) -> list:
    if isinstance(result_or_results, Sequence) and not isinstance(result_or_results, str):
        results = list(result_or_results)
    else:
        results = [result_or_results]
    if not results:
        raise ValueError("expected a Result or a non-empty sequence of Results")
    years = {r.years for r in results}
    if len(years) > 1:
        raise ValueError(f"results cover different numbers of school years: {sorted(years)}")
    return results


def _school_years(result) -> list[str]:
    """The school years of ``result``'s indicators, in order (the table's first appearances),
    from the index of :func:`indicator_rows`."""
    return list(_index(result)[2])


_ROWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def indicator_rows(result, indicator: str, group: str) -> pd.DataFrame:
    """The rows of ``result.indicators`` for ``indicator`` and ``group``, in the table's
    order: what ``df[(df.indicator == indicator) & (df.group == group)]`` gives, from an
    index of the table made once per result (a chart, the grid of a policy notebook and the
    text under them read many; each mask would scan the whole table)."""
    df, index, _ = _index(result)
    rows = index.get((indicator, group))
    return df.iloc[rows] if rows is not None else df.iloc[:0]


def _index(result) -> tuple:
    """``result``'s indicators table, the positions of its rows by (indicator, group) and
    its school years in order; made once per table."""
    df = result.indicators
    known = _ROWS.get(result)
    if known is None or known[0] is not df:
        known = (df, df.groupby(["indicator", "group"], sort=False).indices,
                 tuple(pd.unique(df.school_year)))
        _ROWS[result] = known
    return known


def _indicator(indicator: str):
    from simlib.model.outcomes import INDICATOR_BY_ID

    try:
        return INDICATOR_BY_ID[indicator]
    except KeyError:
        raise ValueError(f"unknown indicator {indicator!r}; expected one of "
                         f"{list(INDICATOR_BY_ID)}") from None


def _axes(ax: Axes | None, figsize=(9, 4.8)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _scenario_colours(n: int) -> list[str]:
    """The first result black (the reference), the others in palette order."""
    return [PALETTE[7]] + [PALETTE[i % 6] for i in range(n - 1)]


def _school_year_axis(ax: Axes, lang: str, axis: str = "x") -> None:
    text = f"{label('axes', 'school_year', lang)} ({label('units', 'school_year', lang)})"
    (ax.set_xlabel if axis == "x" else ax.set_ylabel)(text)


def _value_label(unit: str, lang: str, what: str = "value") -> str:
    """An axis label: what it shows and the unit as shown (a difference of shares in
    percentage points, money per school year in millions)."""
    return f"{label('axes', what, lang)} ({_unit_text(unit, lang, what == 'difference')})"


def set_chart_note(ax: Axes, text: str | None) -> None:
    """Give the chart on ``ax`` a note of its own for the footnote (how it was computed),
    read by :func:`chart_note`; None removes it."""
    ax._simlib_note = text


def chart_note(ax: Axes) -> str | None:
    """The note a chart function left on ``ax`` (:func:`set_chart_note`), or None."""
    return getattr(ax, "_simlib_note", None)


def _title(ax: Axes, text: str, size: float = 11, left_pt: float | None = None) -> None:
    """A left-aligned title wrapped to the width of the axes (estimated before layout), or,
    with ``left_pt`` (the points the tick labels will take left of the axes), to the width
    from there to the right edge of the axes' column of the figure (charts side by side:
    the figure's width over the columns)."""
    if left_pt is None:
        width_pt = ax.figure.get_figwidth() * 72 * ax.get_position().width * 1.1
    else:
        spec = ax.get_subplotspec()
        columns = spec.get_gridspec().ncols if spec is not None else 1
        width_pt = ax.figure.get_figwidth() * 72 * 0.96 / columns - left_pt
    ax.set_title(textwrap.fill(text, max(30, int(width_pt / (size * 0.56)))), loc="left",
                 fontsize=size)
