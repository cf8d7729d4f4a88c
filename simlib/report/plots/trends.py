"""One indicator over school years, the difference of two results, and a breakdown by group."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from simlib.inputs.glossary import label
from simlib.report.numbers import number, signed
from simlib.report.plots.common import (
    _TEXT,
    BREAKDOWN_AXES,
    DIRECTION_COLOURS,
    PALETTE,
    _axes,
    _decimals,
    _display,
    _indicator,
    _lang,
    _results,
    _scenario_colours,
    _school_year_axis,
    _school_years,
    _TickFormatter,
    _title,
    _value_label,
    indicator_rows,
)

# --- indicator over school years -----------------------------------------------------------


def trend_table(result_or_results, indicator: str = "dual_contract_learners",
                group: str = "all") -> pd.DataFrame:
    """One indicator per school year for every result: scenario, school_year, indicator,
    group, value, unit (the indicator's own unit; shares as fractions)."""
    _indicator(indicator)
    frames = []
    for res in _results(result_or_results):
        rows = indicator_rows(res, indicator, group)
        rows = rows[["school_year", "indicator", "group", "value", "unit"]].copy()
        rows.insert(0, "scenario", res.scenario.name)
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def trend(result_or_results, ax: Axes | None = None, lang: str = "nl", *,
          indicator: str = "dual_contract_learners", group: str = "all") -> Axes:
    """One indicator over school years, every result on the same axes (the first in black).

    Values in the indicator's unit (shares in %, euro amounts in millions); a school year
    without a value (a share of nothing) is a gap in the line.
    """
    lang = _lang(lang)
    results = _results(result_or_results)
    ind = _indicator(indicator)
    scale, _ = _display(ind.unit)
    ax = _axes(ax)
    years = _school_years(results[0])
    table = trend_table(results, indicator, group)
    colours = _scenario_colours(len(results))
    lines = []
    for k, (res, values) in enumerate(zip(results, _trend_values(table, results, years, scale),
                                          strict=True)):
        lines += ax.plot(years, values, marker="o", color=colours[k], linewidth=2,
                         linestyle="--" if k == 0 and len(results) > 1 else "-",
                         label=textwrap.fill(res.scenario.label(lang), 40))
    _school_year_axis(ax, lang)
    ax.set_ylabel(_value_label(ind.unit, lang))
    ax.yaxis.set_major_formatter(_TickFormatter(lang))
    _trend_ylim(ax, table.value.to_numpy(float) * scale)
    ax.grid(axis="y", alpha=0.3)
    _rotate_years(ax, years)
    title = label("indicators", indicator, lang)
    if group != "all":
        title += f" — {label('groups', group, lang)}"
    _title(ax, title)
    ax.legend(loc="best", frameon=False, fontsize=8.5)
    _mark(ax, ("trend", _shape_key(results, lang, indicator, group)), lines)
    return ax


def _trend_values(table: pd.DataFrame, results, years: list[str], scale: float) -> list[list]:
    """Each result's values of a :func:`trend_table` over ``years`` (NaN where it has none)."""
    out = []
    for res in results:
        rows = table[table.scenario == res.scenario.name].set_index("school_year")
        out.append([rows.value.get(y, np.nan) * scale for y in years])
    return out


def _shape_key(results, lang: str, *opts) -> tuple:
    """What a chart's shape depends on besides its numbers: the options, the language, the
    scenarios (names and labels) and the school years. Two drawings with the same key differ
    in their numbers only."""
    return (lang, opts, tuple((r.scenario.name, r.scenario.label(lang)) for r in results),
            tuple(_school_years(results[0])))


def _mark(ax: Axes, key: tuple, dynamic: list) -> None:
    """Remember on ``ax`` what it shows (``key``: the chart kind and its :func:`_shape_key`)
    and the artists that carry its numbers (``dynamic``), for an update in place."""
    ax._simlib_chart = (key, list(dynamic))


def dynamic_artists(ax: Axes) -> list:
    """The artists of a chart on ``ax`` that an update in place changes (its lines, bars or
    labels of values; [] for a chart that is never updated in place)."""
    mark = getattr(ax, "_simlib_chart", None)
    return list(mark[1]) if mark else []


def trend_update(result_or_results, ax: Axes, lang: str = "nl", *,
                 indicator: str = "dual_contract_learners", group: str = "all"
                 ) -> pd.DataFrame | None:
    """Redraw a :func:`trend` on ``ax`` in place with new numbers: each line's values and the
    value axis's limits (titles, legend and layout stay). Only when ``ax`` holds a trend of
    the same indicator, group, language, scenarios and school years; returns the chart's
    table (:func:`trend_table`), or None (and changes nothing) otherwise. The result is what
    :func:`trend` draws for these numbers."""
    results = _results(result_or_results)
    mark = getattr(ax, "_simlib_chart", None)
    if mark is None or mark[0] != ("trend", _shape_key(results, lang, indicator, group)) \
            or len(mark[1]) != len(results):  # one scenario twice: not one line each
        return None
    scale, _ = _display(_indicator(indicator).unit)
    years = _school_years(results[0])
    table = trend_table(results, indicator, group)
    for line, values in zip(mark[1], _trend_values(table, results, years, scale), strict=True):
        line.set_ydata(values)
    _trend_ylim(ax, table.value.to_numpy(float) * scale)
    return table


def _trend_ylim(ax: Axes, vals: np.ndarray) -> None:
    """Value limits from 0 (or below, for negative values) to the top, with a margin."""
    if np.isfinite(vals).any():
        lo, hi = float(np.nanmin(vals)), float(np.nanmax(vals))
        pad = 0.1 * max(hi - min(lo, 0), abs(hi), 1e-12)
        if hi - min(lo, 0) <= 1e-9:  # all zero: a unit range, not ticks that all read 0
            pad = 1.0
        ax.set_ylim(min(lo, 0) - (pad if lo < 0 else 0), hi + pad)


def _rotate_years(ax: Axes, years: list[str]) -> None:
    if len(years) > 6:
        for tick in ax.get_xticklabels():
            tick.set_rotation(30)
            tick.set_ha("right")


# --- difference ----------------------------------------------------------------------------


class _Slim:
    """A result cut down to some indicators and groups, for :func:`simlib.analysis.compare.compare`
    (which reads ``years``, ``indicators`` and ``scenario``): a few rows, not thousands. Every
    (indicator, group, school year) has a row; one the result lacks (a share of nothing) has
    value NaN, so two results always line up and a missing value compares as NaN."""

    def __init__(self, result, indicators: Sequence[str], groups: Sequence[str]):
        from simlib.model.outcomes import INDICATOR_BY_ID

        years = _school_years(result)
        cols: dict[str, list] = {k: [] for k in ("school_year", "indicator", "group", "value",
                                                 "unit")}
        for ind in (i for i in dict.fromkeys(indicators) if i in INDICATOR_BY_ID):
            unit = INDICATOR_BY_ID[ind].unit
            for group in dict.fromkeys(groups):
                rows = indicator_rows(result, ind, group)
                values = dict(zip(rows.school_year, rows.value.to_numpy(float), strict=True))
                for year in years:
                    for key, v in zip(cols, (year, ind, group, values.get(year, np.nan), unit),
                                      strict=True):
                        cols[key].append(v)
        self.indicators = pd.DataFrame(cols).astype({"value": float})
        self.years = result.years
        self.scenario = result.scenario


def difference_table(result_or_results, indicator: str = "dual_contract_learners",
                     group: str = "all") -> pd.DataFrame:
    """Last result minus first per school year: indicator, group, school_year, a, b,
    difference, relative_difference, unit (from :func:`simlib.analysis.compare.compare`)."""
    from simlib.analysis.compare import compare

    results = _results(result_or_results)
    ind = _indicator(indicator)
    if len(results) < 2:
        raise ValueError("a difference needs two results: the reference first, the variant last")
    table = compare(_Slim(results[0], [indicator], [group]),
                    _Slim(results[-1], [indicator], [group])).copy()
    table.insert(3, "scenario_a", results[0].scenario.name)
    table.insert(4, "scenario_b", results[-1].scenario.name)
    table["unit"] = ind.unit
    return table.reset_index(drop=True)


def difference(result_or_results, ax: Axes | None = None, lang: str = "nl", *,
               indicator: str = "dual_contract_learners", group: str = "all") -> Axes:
    """Bars of the last result minus the first, per school year, in the indicator's unit.

    A bar is green where the change is favourable (the indicator's direction), vermillion
    where it is unfavourable, blue where the indicator has no direction.
    """
    lang = _lang(lang)
    results = _results(result_or_results)
    ind = _indicator(indicator)
    scale, _ = _display(ind.unit)
    ax = _axes(ax)
    table = difference_table(results, indicator, group)
    years = list(table.school_year)
    dynamic = _difference_bars(ax, table, ind, lang)
    _school_year_axis(ax, lang)
    ax.set_ylabel(_value_label(ind.unit, lang, "difference"))
    ax.yaxis.set_major_formatter(_TickFormatter(lang))
    ax.grid(axis="y", alpha=0.3)
    _rotate_years(ax, years)
    words = _TEXT[lang]
    title = (f"{label('indicators', indicator, lang)} — {words['difference_of']} "
             f"{results[-1].scenario.label(lang)} {words['against']} "
             f"{results[0].scenario.label(lang)}")
    if group != "all":
        title += f" — {label('groups', group, lang)}"
    _title(ax, title)
    dynamic += _difference_legend(ax, table, ind, lang)
    _mark(ax, ("difference", _shape_key(results, lang, indicator, group)), dynamic)
    return ax


def _difference_numbers(table: pd.DataFrame, ind) -> np.ndarray:
    return table.difference.to_numpy(float) * _display(ind.unit)[0]


def _difference_bars(ax: Axes, table: pd.DataFrame, ind, lang: str) -> list:
    """The bars of a :func:`difference`, their value labels and the value limits; returns
    the artists drawn."""
    years = list(table.school_year)
    diff = _difference_numbers(table, ind)
    colours = [DIRECTION_COLOURS[int(np.sign(d)) * ind.direction] if d != 0 else PALETTE[0]
               for d in np.nan_to_num(diff)]
    bars = ax.bar(years, np.nan_to_num(diff), color=colours, width=0.65)
    drawn: list = [bars, ax.axhline(0, color="#333333", linewidth=0.8)]
    dec = _decimals(diff, ind.unit)
    span = float(np.nanmax(np.abs(diff))) if np.isfinite(diff).any() else 0.0
    for x, d in zip(years, diff, strict=True):
        if np.isfinite(d) and round(d, dec) != 0:
            drawn.append(ax.annotate(signed(d, lang, dec), (x, d),
                                     xytext=(0, 3 if d >= 0 else -3), textcoords="offset points",
                                     ha="center", va="bottom" if d >= 0 else "top", fontsize=7.5))
    if span > 0:
        lo, hi = min(0.0, float(np.nanmin(diff))), max(0.0, float(np.nanmax(diff)))
        ax.set_ylim(lo - (0.15 * span if lo < 0 else 0.04 * span),
                    hi + (0.15 * span if hi > 0 else 0.04 * span))
    return drawn


def _difference_legend(ax: Axes, table: pd.DataFrame, ind, lang: str) -> list:
    """The legend of the colours shown (none for an indicator without a direction)."""
    words = _TEXT[lang]
    signs = {int(np.sign(d)) * ind.direction for d in np.nan_to_num(_difference_numbers(table, ind))
             if d != 0}
    handles = [Patch(color=DIRECTION_COLOURS[k], label=words[name])
               for k, name in ((1, "favourable"), (-1, "unfavourable")) if k in signs]
    if ind.direction and handles:  # only the colours that are shown
        return [ax.legend(handles=handles, loc="best", frameon=False, fontsize=8.5)]
    return []


def difference_update(result_or_results, ax: Axes, lang: str = "nl", *,
                      indicator: str = "dual_contract_learners", group: str = "all"
                      ) -> pd.DataFrame | None:
    """Redraw a :func:`difference` on ``ax`` in place with new numbers: the bars, their value
    labels, the value limits and the legend drawn again, the rest kept. Only when ``ax``
    holds a difference of the same indicator, group, language, scenarios and school years
    and some difference is not zero (all zero: the limits are matplotlib's own, so it is
    drawn anew); returns the chart's table (:func:`difference_table`), or None (and changes
    nothing) otherwise."""
    results = _results(result_or_results)
    mark = getattr(ax, "_simlib_chart", None)
    if mark is None or mark[0] != ("difference", _shape_key(results, lang, indicator, group)):
        return None
    ind = _indicator(indicator)
    table = difference_table(results, indicator, group)
    diff = _difference_numbers(table, ind)
    if not (np.isfinite(diff).any() and float(np.nanmax(np.abs(diff))) > 0):
        return None
    for artist in mark[1]:
        artist.remove()
    dynamic = _difference_bars(ax, table, ind, lang) + _difference_legend(ax, table, ind, lang)
    _mark(ax, mark[0], dynamic)
    return table


# --- breakdown by group --------------------------------------------------------------------


def breakdown_table(result_or_results, indicator: str = "dual_contract_learners",
                    by: str = "region", school_year: str | None = None) -> pd.DataFrame:
    """One indicator in one school year for every group of axis ``by``, for every result:
    scenario, school_year, indicator, group, value, unit. ``school_year`` defaults to the last."""
    if by not in BREAKDOWN_AXES:
        raise ValueError(f"by must be one of {BREAKDOWN_AXES}, not {by!r}")
    _indicator(indicator)
    results = _results(result_or_results)
    years = _school_years(results[0])
    sy = years[-1] if school_year is None else school_year
    if sy not in years:
        raise ValueError(f"school year {sy!r} not in the results; expected one of {years}")
    frames = []
    for res in results:
        df = res.indicators
        rows = df[(df.indicator == indicator) & (df.school_year == sy)
                  & df.group.str.startswith(f"{by}=")]
        rows = rows[["school_year", "indicator", "group", "value", "unit"]].copy()
        rows.insert(0, "scenario", res.scenario.name)
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def breakdown(result_or_results, ax: Axes | None = None, lang: str = "nl", *,
              indicator: str = "dual_contract_learners", by: str = "region",
              school_year: str | None = None) -> Axes:
    """One indicator in one school year by group (horizontal bars; results side by side).

    ``by`` is one of :data:`BREAKDOWN_AXES` (region, sector, finality, provider, ses: the
    indicator pupils). The category axis names the grouping; the value axis the unit.
    """
    lang = _lang(lang)
    results = _results(result_or_results)
    ind = _indicator(indicator)
    scale, _ = _display(ind.unit)
    table = breakdown_table(results, indicator, by, school_year)
    groups = list(dict.fromkeys(table.group))
    ax = _axes(ax)
    n = len(results)
    height = 0.8 / n
    colours = [PALETTE[0]] if n == 1 else ["#8C8C8C"] + _scenario_colours(n)[1:]
    values_all = table.value.to_numpy(float) * scale
    dec = _decimals(values_all, ind.unit)
    y = np.arange(len(groups))
    for k, res in enumerate(results):
        rows = table[table.scenario == res.scenario.name].set_index("group")
        vals = np.array([rows.value.get(g, np.nan) for g in groups], float) * scale
        pos = y - 0.4 + height * (k + 0.5)
        ax.barh(pos, np.nan_to_num(vals), height=height * 0.92, color=colours[k],
                label=textwrap.fill(res.scenario.label(lang), 40))
        for p, v in zip(pos, vals, strict=True):
            if np.isfinite(v):
                ax.annotate(number(v, lang, dec), (v, p), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize=7.5)
    ax.set_yticks(y, [textwrap.fill(label("groups", g, lang), 26) for g in groups])
    ax.invert_yaxis()
    ax.set_ylabel(label("axes", by, lang))
    ax.set_xlabel(_value_label(ind.unit, lang))
    ax.xaxis.set_major_formatter(_TickFormatter(lang))
    top = np.nanmax(values_all) if np.isfinite(values_all).any() else 1.0
    ax.set_xlim(min(0, np.nanmin(values_all) if np.isfinite(values_all).any() else 0),
                top * 1.15 if top > 0 else 1.0)
    ax.grid(axis="x", alpha=0.3)
    sy = table.school_year.iloc[0] if len(table) else (school_year or "")
    _title(ax, f"{label('indicators', indicator, lang)} {_TEXT[lang]['per']} "
               f"{label('axes', by, lang).lower()}, {_TEXT[lang]['school_year']} {sy}")
    if n > 1:  # beside the bars, never over them
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, [textwrap.fill(lb.replace("\n", " "), 26) for lb in labels],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)
    return ax
