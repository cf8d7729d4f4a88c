"""Charts: ``f(result_or_results, ax=None, lang="nl") -> Axes``, labels and units from the registries.

Every chart function takes one :class:`simlib.Result` or a sequence of them (the first is the
reference, usually the baseline; the last the variant), an optional ``ax`` to draw on and the
language (``"nl"``, the default, or ``"en"``); further options are keyword-only. Each has a
``*_table`` twin returning the numbers it shows as a tidy DataFrame (for CSV export).

- :func:`stocks` — learners per state over time (one line per state; a second result dashed).
- :func:`sankey` — transitions between states and exits in one school year (boxes and bands).
- :func:`trend` — one indicator over school years, every result on the same axes.
- :func:`difference` — last result minus first, per school year (bars coloured by direction).
- :func:`breakdown` — one indicator in one school year by region, sector, finality, provider
  or indicator pupil (bars; several results side by side).
- :func:`gap_map` — the shortfall of workplaces (demand minus places) per region x sector, a
  heat map of one result, or of the change between two.
- :func:`trend_grid` — several indicators over school years in one figure (a policy theme).

Labels come from the glossary and the indicator registry; every axis names its unit. Colours
are the colour-blind-safe palette of Okabe & Ito (2008). Numbers use Dutch formatting
(1.234,5) in Dutch mode. Shares are shown in percent, euro amounts per school year in millions.
The model never imports this module; notebooks, :mod:`simlib.ui` and :mod:`simlib.report.export` do.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Sequence
from io import BytesIO

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import Formatter, FuncFormatter

from simlib.inputs.glossary import label, texts
from simlib.report.numbers import decimals_for, display, number, signed

__all__ = ["PALETTE", "STATE_COLOURS", "DUAL_STATES", "BREAKDOWN_AXES", "CHARTS", "number",
           "stocks", "stocks_table", "sankey", "flows_table", "trend", "trend_table",
           "difference", "difference_table", "breakdown", "breakdown_table", "gap_map",
           "gap_map_table", "trend_grid", "trend_grid_update", "trend_grid_table", "grid_figure",
           "chart_label",
           "new_figure", "draw", "set_footnote", "clear_footnote", "FOOTNOTE_GID", "png_bytes"]

#: Okabe-Ito colours, distinguishable with the common forms of colour blindness.
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


def _title(ax: Axes, text: str, size: float = 11, left_pt: float | None = None) -> None:
    """A left-aligned title wrapped to the width of the axes (estimated before layout), or,
    with ``left_pt`` (the points the tick labels will take left of the axes), to the width
    from there to the figure's right edge."""
    if left_pt is None:
        width_pt = ax.figure.get_figwidth() * 72 * ax.get_position().width * 1.1
    else:
        width_pt = ax.figure.get_figwidth() * 72 * 0.96 - left_pt
    ax.set_title(textwrap.fill(text, max(30, int(width_pt / (size * 0.56)))), loc="left",
                 fontsize=size)


# --- stocks --------------------------------------------------------------------------------


def stocks_table(result_or_results, states: tuple[str, ...] = DUAL_STATES) -> pd.DataFrame:
    """Learners per state at the end of each month: columns scenario, month, state, value, unit."""
    frames = []
    for res in _results(result_or_results):
        df = res.stocks[list(states)].copy()
        df.index = df.index.strftime("%Y-%m-%d")
        long = df.reset_index().melt(id_vars="month", var_name="state", value_name="value")
        long.insert(0, "scenario", res.scenario.name)
        long["unit"] = "learners"
        frames.append(long)
    return pd.concat(frames, ignore_index=True)


def stocks(result, ax: Axes | None = None, lang: str = "nl",
           states: tuple[str, ...] = DUAL_STATES) -> Axes:
    """Learners per state over time (one line per state), in learners.

    By default the dual-related states; the non-dual variant is about 30 times larger and
    would flatten them (pass ``states=("non_dual",)`` to see it). Given several results, the
    last is drawn solid and the others dashed (the reference).
    """
    lang = _lang(lang)
    results = _results(result)
    ax = _axes(ax)
    styles = ["--", ":", "-."]
    for k, res in enumerate(results):
        last = k == len(results) - 1
        df = res.stocks
        for state in states:
            ax.plot(df.index, df[state], color=STATE_COLOURS.get(state),
                    linewidth=2 if last else 1.3, linestyle="-" if last else styles[k % 3],
                    label=label("states", state, lang) if last else None)
    ax.set_ylabel(f"{label('axes', 'stock', lang)} ({label('units', 'learners', lang)})")
    ax.set_xlabel(f"{label('axes', 'month', lang)} ({label('units', 'month_end', lang)})")
    ax.yaxis.set_major_formatter(_TickFormatter(lang))
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    names = " / ".join(r.scenario.label(lang) for r in results)
    _title(ax, f"{_TEXT[lang]['stocks']} — {names}")
    handles, labels = ax.get_legend_handles_labels()
    if len(results) > 1:
        from matplotlib.lines import Line2D

        for k, res in enumerate(results):
            last = k == len(results) - 1
            handles.append(Line2D([], [], color="#444444", linewidth=2 if last else 1.3,
                                  linestyle="-" if last else styles[k % 3]))
            labels.append(textwrap.fill(res.scenario.label(lang), 34))
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              fontsize=8.5)
    return ax


# --- sankey --------------------------------------------------------------------------------


def _node_label(node: str, lang: str) -> str:
    if node in ("inflow", "dual", "guaranteed"):
        return label("axes", f"node_{node}", lang)
    return label("states", node, lang)


def _school_year(result, school_year: str | None) -> str:
    years = list(dict.fromkeys(result.trajectory.timeline.school_year()))
    if school_year is None:
        return years[0]
    if school_year not in years:
        raise ValueError(f"school year {school_year!r} not in the result; expected one of {years}")
    return school_year


def flows_table(result, school_year: str | None = None) -> pd.DataFrame:
    """Transitions in one school year (September to August), summed over its 12 months.

    Columns scenario, school_year, from, to, value, unit (learners per school year); one row
    per non-zero flow of ``result.trajectory.flows`` (nodes ``simlib.model.kernel.FLOW_NODES``).
    ``school_year`` defaults to the first. Given several results, the last is used.
    """
    from simlib.model.kernel import FLOW_NODES

    res = _results(result)[-1]
    sy = _school_year(res, school_year)
    months = np.asarray(res.trajectory.timeline.school_year()) == sy
    matrix = np.asarray(res.trajectory.flows)[months].sum(axis=0)
    rows = [(res.scenario.name, sy, FLOW_NODES[i], FLOW_NODES[j], float(matrix[i, j]),
             "learners_per_school_year")
            for i in range(len(FLOW_NODES)) for j in range(len(FLOW_NODES)) if matrix[i, j] > 0]
    return pd.DataFrame(rows, columns=["scenario", "school_year", "from", "to", "value", "unit"])


def _band(ax: Axes, x0: float, x1: float, y0: tuple[float, float], y1: tuple[float, float],
          colour: str) -> None:
    """A band from the interval y0 at x0 to the interval y1 at x1 (cubic curves)."""
    xm = (x0 + x1) / 2
    verts = [(x0, y0[1]), (xm, y0[1]), (xm, y1[1]), (x1, y1[1]),
             (x1, y1[0]), (xm, y1[0]), (xm, y0[0]), (x0, y0[0]), (x0, y0[1])]
    codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO,
             MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
    ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=colour, edgecolor="none",
                           alpha=0.4))


def _spread(centres: list[float], sizes: list[float], bottom: float) -> list[float]:
    """Label centres (top to bottom, descending y) moved apart so that labels of ``sizes``
    (heights in data units) do not overlap and none reaches below ``bottom``: a sweep down,
    then, if the last label is too low, a sweep back up."""
    ys = list(centres)
    for k in range(1, len(ys)):  # push down
        need = (sizes[k - 1] + sizes[k]) / 2
        if ys[k - 1] - ys[k] < need:
            ys[k] = ys[k - 1] - need
    if ys and ys[-1] < bottom + sizes[-1] / 2:  # out at the bottom: push the block back up
        ys[-1] = bottom + sizes[-1] / 2
        for k in range(len(ys) - 2, -1, -1):
            need = (sizes[k] + sizes[k + 1]) / 2
            if ys[k] - ys[k + 1] < need:
                ys[k] = ys[k + 1] + need
    return ys


def sankey(result, ax: Axes | None = None, lang: str = "nl", *, school_year: str | None = None,
           hide: Sequence[str] = ()) -> Axes:
    """Transitions in one school year as a left-to-right flow diagram.

    Left, each state a learner leaves (and the new learners); right, each state or exit a
    learner enters; a band's height is the number of transitions in the school year
    (learners per school year, summed over its 12 months; a learner who moves twice counts
    twice; staying put is not a transition). ``hide`` leaves out nodes (e.g. ``("non_dual",)``
    to look at the dual routes alone). Given several results, the last is drawn.
    """
    from simlib.model.kernel import FLOW_NODES

    lang = _lang(lang)
    res = _results(result)[-1]
    table = flows_table(res, school_year)
    sy = _school_year(res, school_year)
    table = table[~table["from"].isin(hide) & ~table["to"].isin(hide)]
    ax = _axes(ax, figsize=(10, 6.5))
    order = {n: i for i, n in enumerate(FLOW_NODES)}
    out_tot = table.groupby("from")["value"].sum()
    in_tot = table.groupby("to")["value"].sum()
    left = sorted(out_tot.index, key=order.get)
    right = sorted(in_tot.index, key=order.get)
    total = float(table["value"].sum())
    gap = 0.035 * total if total > 0 else 1.0
    width = 0.035

    def place(nodes, totals):
        pos, y = {}, 0.0
        for node in nodes:
            h = float(totals[node])
            pos[node] = (y, y + h)
            y += h + gap
        return pos, y - gap

    lpos, lh = place(left, out_tot)
    rpos, rh = place(right, in_tot)
    height = max(lh, rh, 1.0)
    # centre the shorter column; y grows downwards in reading order
    loff, roff = (height - lh) / 2, (height - rh) / 2
    lnext = {n: lpos[n][0] + loff for n in left}
    rnext = {n: rpos[n][0] + roff for n in right}
    table = table.assign(_f=table["from"].map(order), _t=table["to"].map(order))
    ordered = table.sort_values(["_f", "_t"])
    for src, dst, value in zip(ordered["from"], ordered["to"], ordered["value"], strict=True):
        y0 = (lnext[src], lnext[src] + value)
        lnext[src] += value
        y1 = (rnext[dst], rnext[dst] + value)
        rnext[dst] += value
        _band(ax, width, 1 - width, (height - y0[0], height - y0[1]),
              (height - y1[0], height - y1[1]), NODE_COLOURS[src])
    # nodes and labels (Dutch numbers in nl), labels pushed apart where nodes are thin
    fig_h_pt = ax.figure.get_figheight() * 72 * ax.get_position().height
    per_pt = 1.02 * height / max(fig_h_pt, 1.0)
    for nodes, pos, off, x, totals, side in ((left, lpos, loff, 0.0, out_tot, "left"),
                                             (right, rpos, roff, 1 - width, in_tot, "right")):
        texts, centres, sizes = [], [], []
        for node in nodes:
            top, bottom = height - (pos[node][0] + off), height - (pos[node][1] + off)
            ax.add_patch(Rectangle((x, bottom), width, top - bottom,
                                   facecolor=NODE_COLOURS[node], edgecolor="none"))
            text = (f"{textwrap.fill(_node_label(node, lang), 36)}\n"
                    f"{number(float(totals[node]), lang)}")
            texts.append(text)
            centres.append((top + bottom) / 2)
            sizes.append((text.count("\n") + 1) * 8 * 1.25 * per_pt)
        tx = -0.02 if side == "left" else 1.02
        edge = 0.0 if side == "left" else 1.0
        for text, yc, centre, size in zip(texts, _spread(centres, sizes, -0.01 * height),
                                          centres, sizes, strict=True):
            ax.text(tx, yc, text, ha="right" if side == "left" else "left",
                    va="center", fontsize=8, linespacing=1.1)
            if abs(yc - centre) > 0.25 * size:  # moved off its node: a leader line
                ax.plot([edge, tx * 0.985 + edge * 0.015], [centre, yc], color="#777777",
                        linewidth=0.6)
    ax.set_xlim(-0.62, 1.62)
    ax.set_ylim(-0.01 * height, 1.01 * height)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(f"{label('axes', 'from_to', lang)} — {label('axes', 'school_year', lang)} "
                  f"{sy} ({label('units', 'school_year', lang)})")
    ax.set_ylabel(f"{label('axes', 'transitions', lang)} "
                  f"({label('units', 'learners_per_school_year', lang)})")
    _title(ax, f"{_TEXT[lang]['sankey']}, {_TEXT[lang]['school_year']} {sy} — "
               f"{res.scenario.label(lang)}")
    if total == 0:
        ax.text(0.5, 0.5, _TEXT[lang]["no_data"], ha="center", va="center",
                transform=ax.transAxes)
    return ax


# --- indicator over school years -----------------------------------------------------------


def trend_table(result_or_results, indicator: str = "dual_contract_learners",
                group: str = "all") -> pd.DataFrame:
    """One indicator per school year for every result: scenario, school_year, indicator,
    group, value, unit (the indicator's own unit; shares as fractions)."""
    _indicator(indicator)
    frames = []
    for res in _results(result_or_results):
        df = res.indicators
        rows = df[(df.indicator == indicator) & (df.group == group)]
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
    years = list(dict.fromkeys(results[0].indicators.school_year))
    table = trend_table(results, indicator, group)
    colours = _scenario_colours(len(results))
    for k, res in enumerate(results):
        rows = table[table.scenario == res.scenario.name].set_index("school_year")
        values = [rows.value.get(y, np.nan) * scale for y in years]
        ax.plot(years, values, marker="o", color=colours[k], linewidth=2,
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
    return ax


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

        df = result.indicators
        years = list(dict.fromkeys(df.school_year))
        keys = ["indicator", "group", "school_year"]
        inds = [i for i in dict.fromkeys(indicators) if i in INDICATOR_BY_ID]
        grid = pd.MultiIndex.from_product([inds, list(dict.fromkeys(groups)), years],
                                          names=keys)
        rows = df[df.indicator.isin(inds) & df.group.isin(list(groups))].set_index(keys)
        full = rows.reindex(grid).reset_index()
        full["unit"] = full.indicator.map(lambda i: INDICATOR_BY_ID[i].unit)
        self.indicators = full[["school_year", "indicator", "group", "value", "unit"]]
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
    diff = table.difference.to_numpy(float) * scale
    colours = [DIRECTION_COLOURS[int(np.sign(d)) * ind.direction] if d != 0 else PALETTE[0]
               for d in np.nan_to_num(diff)]
    ax.bar(years, np.nan_to_num(diff), color=colours, width=0.65)
    ax.axhline(0, color="#333333", linewidth=0.8)
    dec = _decimals(diff, ind.unit)
    span = float(np.nanmax(np.abs(diff))) if np.isfinite(diff).any() else 0.0
    for x, d in zip(years, diff, strict=True):
        if np.isfinite(d) and round(d, dec) != 0:
            ax.annotate(signed(d, lang, dec), (x, d),
                        xytext=(0, 3 if d >= 0 else -3), textcoords="offset points",
                        ha="center", va="bottom" if d >= 0 else "top", fontsize=7.5)
    if span > 0:
        lo, hi = min(0.0, float(np.nanmin(diff))), max(0.0, float(np.nanmax(diff)))
        ax.set_ylim(lo - (0.15 * span if lo < 0 else 0.04 * span),
                    hi + (0.15 * span if hi > 0 else 0.04 * span))
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
    signs = {int(np.sign(d)) * ind.direction for d in np.nan_to_num(diff) if d != 0}
    handles = [Patch(color=DIRECTION_COLOURS[k], label=words[name])
               for k, name in ((1, "favourable"), (-1, "unfavourable")) if k in signs]
    if ind.direction and handles:  # only the colours that are shown
        ax.legend(handles=handles, loc="best", frameon=False, fontsize=8.5)
    return ax


# --- breakdown by group --------------------------------------------------------------------


def breakdown_table(result_or_results, indicator: str = "dual_contract_learners",
                    by: str = "region", school_year: str | None = None) -> pd.DataFrame:
    """One indicator in one school year for every group of axis ``by``, for every result:
    scenario, school_year, indicator, group, value, unit. ``school_year`` defaults to the last."""
    if by not in BREAKDOWN_AXES:
        raise ValueError(f"by must be one of {BREAKDOWN_AXES}, not {by!r}")
    _indicator(indicator)
    results = _results(result_or_results)
    years = list(dict.fromkeys(results[0].indicators.school_year))
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


# --- demand and supply by region x sector --------------------------------------------------


def gap_map_table(result_or_results, school_year: str | None = None) -> pd.DataFrame:
    """Placement demand against supply per region x sector on 1 February of one school year
    (default: the last), for every result: scenario, school_year, region, sector,
    active_places, placement_demand, searching_learners, placement_gap (places), from
    :func:`simlib.model.outcomes.market_cells`."""
    from simlib.model.outcomes import market_cells

    frames = []
    for res in _results(result_or_results):
        cells = market_cells(res)
        years = list(dict.fromkeys(cells.school_year))
        sy = years[-1] if school_year is None else school_year
        if sy not in years:
            raise ValueError(f"school year {sy!r} not in the results; expected one of {years}")
        rows = cells[cells.school_year == sy].copy()
        rows.insert(0, "scenario", res.scenario.name)
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def _gap_grid(table: pd.DataFrame, scenario: str) -> tuple[np.ndarray, list[str], list[str]]:
    rows = table[table.scenario == scenario]
    regions = list(dict.fromkeys(rows.region))
    sectors = list(dict.fromkeys(rows.sector))
    grid = rows.pivot(index="region", columns="sector", values="placement_gap")
    return grid.loc[regions, sectors].to_numpy(float), regions, sectors


def gap_map(result_or_results, ax: Axes | None = None, lang: str = "nl", *,
            school_year: str | None = None, which: str = "variant") -> Axes:
    """A heat map of the shortfall of workplaces (placement demand minus active places, in
    places) per region (rows) x sector (columns), on 1 February of ``school_year``.

    ``which``: ``"variant"`` draws the last result, ``"reference"`` the first (both on one
    colour scale, symmetric around 0, shared by all results, so two maps side by side
    compare); ``"change"`` the last minus the first. Red: more learners than places; blue:
    open places (a diverging scale that reads with the common forms of colour blindness).
    Each cell shows its number.
    """
    if which not in ("variant", "reference", "change"):
        raise ValueError(f"which must be 'variant', 'reference' or 'change', not {which!r}")
    lang = _lang(lang)
    results = _results(result_or_results)
    if which == "change" and len(results) < 2:
        raise ValueError("a change needs two results: the reference first, the variant last")
    table = gap_map_table(results, school_year)
    sy = table.school_year.iloc[0]
    grids = {res.scenario.name: _gap_grid(table, res.scenario.name)[0] for res in results}
    _, regions, sectors = _gap_grid(table, results[-1].scenario.name)
    if which == "change":
        values = grids[results[-1].scenario.name] - grids[results[0].scenario.name]
        span = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
        shown = results[-1]
    else:
        shown = results[-1] if which == "variant" else results[0]
        values = grids[shown.scenario.name]
        span = max(float(np.nanmax(np.abs(g))) for g in grids.values())
    span = span if span > 0 else 1.0
    ax = _axes(ax, figsize=(9, 5.5))
    image = ax.imshow(values, cmap="RdBu_r", vmin=-span, vmax=span, aspect="auto")
    dec = decimals_for("places")  # places are whole numbers
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            text = signed(v, lang, dec) if which == "change" else number(v, lang, dec)
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if abs(v) > 0.6 * span else "#222222")
    ax.set_xticks(range(len(sectors)), [textwrap.fill(label("groups", f"sector={s}", lang), 14)
                                        for s in sectors], fontsize=8)
    ax.set_yticks(range(len(regions)), [label("groups", f"region={r}", lang) for r in regions],
                  fontsize=8.5)
    ax.set_xlabel(label("axes", "sector", lang))
    ax.set_ylabel(label("axes", "region", lang))
    ax.tick_params(length=0)
    words = _TEXT[lang]
    unit = label("units", "places", lang)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.9, format=_TickFormatter(lang))
    bar.set_label(textwrap.fill(words["gap_change_colour" if which == "change" else
                                      "gap_colour"].format(unit=unit), 48), fontsize=8)
    if which == "change":
        title = (f"{words['gap_change_title'].format(sy=sy)} — {words['difference_of']} "
                 f"{results[-1].scenario.label(lang)} {words['against']} "
                 f"{results[0].scenario.label(lang)}")
    else:
        title = f"{words['gap_title'].format(sy=sy)} — {shown.scenario.label(lang)}"
    _title(ax, title, size=10)
    return ax


# --- a grid of trends ----------------------------------------------------------------------


def _spec(item) -> tuple[str, str]:
    if isinstance(item, str):
        ind, _, group = item.partition("@")
        return ind, group or "all"
    ind, group = (item.id, item.group) if hasattr(item, "id") else item
    return ind, group


def trend_grid_table(result_or_results, indicators: Sequence) -> pd.DataFrame:
    """The numbers of :func:`trend_grid`: :func:`trend_table` of every indicator, stacked."""
    frames = [trend_table(result_or_results, *(_spec(item))) for item in indicators]
    return pd.concat(frames, ignore_index=True)


def grid_figure(n: int, ncols: int = 2) -> Figure:
    """An empty figure sized for :func:`trend_grid` with ``n`` small charts."""
    rows = max(1, math.ceil(n / ncols))
    return Figure(figsize=(11, 0.6 + 3.1 * rows), layout="constrained")


def trend_grid(result_or_results, fig: Figure | None = None, lang: str = "nl", *,
               indicators: Sequence, ncols: int = 2) -> list[Axes]:
    """Several indicators over school years, one small :func:`trend` each, every result on
    the same axes; one legend above them all. ``indicators`` holds ids, ``"id@group"`` or
    ``(id, group)`` pairs. Clears and fills ``fig`` (a new one if None); returns the Axes."""
    lang = _lang(lang)
    results = _results(result_or_results)
    items = [_spec(item) for item in indicators]
    if not items:
        raise ValueError("trend_grid needs at least one indicator")
    fig = grid_figure(len(items), ncols) if fig is None else fig
    footnote = next((t.get_text() for t in fig.texts if t.get_gid() == FOOTNOTE_GID), None)
    fig.clear()
    rows = math.ceil(len(items) / ncols)
    axes = fig.subplots(rows, ncols, squeeze=False).reshape(-1)
    for ax, (ind, group) in zip(axes, items, strict=False):
        trend(results, ax=ax, lang=lang, indicator=ind, group=group)
        ax.get_legend().remove()
        ax.title.set_fontsize(9.5)
        ax.xaxis.label.set_visible(False)  # the school years speak for themselves
        ax.yaxis.label.set_fontsize(8.5)
        ax.tick_params(labelsize=8)
    for ax in axes[len(items):]:
        ax.remove()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, [lb.replace("\n", " ") for lb in labels], loc="outside upper center",
               ncols=min(len(labels), 2), frameon=False, fontsize=9)
    if footnote is not None:
        set_footnote(fig, footnote)
    fig._simlib_grid = (_grid_key(results, items, lang), list(axes[: len(items)]))
    return list(axes[: len(items)])


def _grid_key(results, items, lang: str) -> tuple:
    return (lang, tuple(items), tuple((r.scenario.name, r.scenario.label(lang)) for r in results),
            tuple(dict.fromkeys(results[0].indicators.school_year)))


def trend_grid_update(result_or_results, fig: Figure, lang: str = "nl", *,
                      indicators: Sequence) -> bool:
    """Redraw a :func:`trend_grid` in place with new numbers: each line's values and each
    value axis's limits, nothing else (faster than drawing anew: titles, legend and layout
    stay). Only when ``fig`` holds a grid of the same indicators, language, scenarios (names
    and labels) and school years; returns False (and changes nothing) otherwise."""
    results = _results(result_or_results)
    items = [_spec(item) for item in indicators]
    grid = getattr(fig, "_simlib_grid", None)
    if grid is None or grid[0] != _grid_key(results, items, lang):
        return False
    years = list(dict.fromkeys(results[0].indicators.school_year))
    for ax, (ind, group) in zip(grid[1], items, strict=True):
        scale, _ = _display(_indicator(ind).unit)
        table = trend_table(results, ind, group)
        for line, res in zip(ax.get_lines(), results, strict=False):
            rows = table[table.scenario == res.scenario.name].set_index("school_year")
            line.set_ydata([rows.value.get(y, np.nan) * scale for y in years])
        _trend_ylim(ax, table.value.to_numpy(float) * scale)
    return True


# --- charts by name, figures, footnotes ----------------------------------------------------

#: Chart functions and their tables by name (what :mod:`simlib.ui` offers).
CHARTS = {
    "trend": (trend, trend_table),
    "difference": (difference, difference_table),
    "stocks": (stocks, stocks_table),
    "sankey": (sankey, flows_table),
    "breakdown": (breakdown, breakdown_table),
    "gap_map": (gap_map, gap_map_table),
    "gap_map_reference": (functools.partial(gap_map, which="reference"), gap_map_table),
    "gap_map_change": (functools.partial(gap_map, which="change"), gap_map_table),
}
_FIGSIZE = {"sankey": (10, 6.5), "breakdown": (9, 5.5), "gap_map_change": (9, 5.5)}


def chart_label(kind: str, lang: str = "nl") -> str:
    """The name of chart ``kind`` (a key of :data:`CHARTS`) in ``lang``."""
    return _TEXT[_lang(lang)][kind]


def new_figure(kinds: Sequence[str] = ("trend",)) -> Figure:
    """An empty figure (no pyplot, so nothing accumulates) sized for ``kinds`` side by side."""
    w, h = _FIGSIZE.get(kinds[0], (9, 4.8))
    if len(kinds) > 1:
        w, h = 7.0 * len(kinds), 5.0
    return Figure(figsize=(w, h), layout="constrained")


def _options(func, opts: dict) -> dict:
    import inspect

    params = inspect.signature(func).parameters
    return {k: v for k, v in opts.items() if k in params}


def draw(fig: Figure, kinds: Sequence[str], results, lang: str = "nl", **opts
         ) -> tuple[list[Axes], list[pd.DataFrame]]:
    """Clear ``fig`` and draw charts ``kinds`` side by side; return their Axes and tables.

    ``opts`` go to every chart function that takes them (indicator, group, by, school_year,
    states, hide); results are passed whole (a Sankey draws the last).
    """
    for kind in kinds:
        if kind not in CHARTS:
            raise ValueError(f"unknown chart {kind!r}; expected one of {list(CHARTS)}")
    footnote = next((t.get_text() for t in fig.texts if t.get_gid() == FOOTNOTE_GID), None)
    fig.clear()
    axes = fig.subplots(1, len(kinds), squeeze=False)[0]
    tables = []
    for ax, kind in zip(axes, kinds, strict=True):
        func, table = CHARTS[kind]
        func(results, ax=ax, lang=lang, **_options(func, opts))
        tables.append(table(results, **_options(table, opts)))
    if footnote is not None:
        set_footnote(fig, footnote)
    return list(axes), tables


def clear_footnote(fig: Figure) -> None:
    """Remove the footnote of :func:`set_footnote` (and the room kept for it)."""
    for t in list(fig.texts):
        if t.get_gid() == FOOTNOTE_GID:
            t.remove()
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        try:
            engine.set(rect=(0, 0, 1, 1))
        except TypeError:  # a layout engine without rect
            pass


def set_footnote(fig: Figure, text: str) -> None:
    """Put ``text`` (wrapped) at the bottom of ``fig``, replacing an earlier footnote.

    The constrained layout keeps the axes above it.
    """
    clear_footnote(fig)
    width_pt = fig.get_figwidth() * 72
    chars = max(40, int(width_pt / (FOOTNOTE_SIZE * 0.58)))
    wrapped = "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))
    lines = wrapped.count("\n") + 1
    height = (lines * FOOTNOTE_SIZE * 1.25 + 8) / (fig.get_figheight() * 72)
    fig.text(0.008, 0.006, wrapped, fontsize=FOOTNOTE_SIZE, color="#333333", ha="left",
             va="bottom", gid=FOOTNOTE_GID, linespacing=1.15)
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        try:
            engine.set(rect=(0, height, 1, 1 - height))
        except TypeError:  # a layout engine without rect
            pass


def png_bytes(fig: Figure, dpi: float = 100) -> bytes:
    """``fig`` as PNG bytes for the screen (an Image widget): fast, light compression."""
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white",
                pil_kwargs={"compress_level": 1})
    return buf.getvalue()
