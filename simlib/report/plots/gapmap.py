"""Demand and supply of workplaces by region x sector (heat maps)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from simlib.inputs.glossary import label
from simlib.report.numbers import decimals_for, number, signed
from simlib.report.plots.common import _TEXT, _axes, _lang, _results, _TickFormatter, _title

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
