"""Several indicators over school years in one figure (a policy theme)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from simlib.report.plots.common import FOOTNOTE_GID, _lang, _results, _school_years
from simlib.report.plots.figures import set_footnote
from simlib.report.plots.trends import trend, trend_table, trend_update

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
            tuple(_school_years(results[0])))


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
    for ax, (ind, group) in zip(grid[1], items, strict=True):
        trend_update(results, ax, lang, indicator=ind, group=group)
    return True
