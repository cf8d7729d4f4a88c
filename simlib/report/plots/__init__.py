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

from simlib.report.numbers import number  # noqa: F401
from simlib.report.plots.common import (  # noqa: F401
    _TEXT,
    BREAKDOWN_AXES,
    DIRECTION_COLOURS,
    DUAL_STATES,
    FOOTNOTE_GID,
    FOOTNOTE_SIZE,
    NODE_COLOURS,
    PALETTE,
    STATE_COLOURS,
    _axes,
    _decimals,
    _display,
    _formatter,
    _indicator,
    _lang,
    _results,
    _scenario_colours,
    _school_year_axis,
    _TickFormatter,
    _title,
    _unit_text,
    _value_label,
    chart_note,
    set_chart_note,
)
from simlib.report.plots.figures import (  # noqa: F401
    _FIGSIZE,
    CHARTS,
    UPDATES,
    _options,
    chart_label,
    clear_footnote,
    draw,
    new_figure,
    png_bytes,
    set_footnote,
    update,
)
from simlib.report.plots.gapmap import (  # noqa: F401
    _gap_grid,
    gap_map,
    gap_map_table,
)
from simlib.report.plots.grid import (  # noqa: F401
    _grid_key,
    _spec,
    grid_figure,
    trend_grid,
    trend_grid_table,
    trend_grid_update,
)
from simlib.report.plots.sankey import (  # noqa: F401
    _band,
    _node_label,
    _school_year,
    _spread,
    flows_table,
    sankey,
)
from simlib.report.plots.stocks import (  # noqa: F401
    stocks,
    stocks_table,
)
from simlib.report.plots.trends import (  # noqa: F401
    _rotate_years,
    _Slim,
    _trend_ylim,
    breakdown,
    breakdown_table,
    difference,
    difference_table,
    difference_update,
    dynamic_artists,
    trend,
    trend_table,
    trend_update,
)
from simlib.report.plots.why import why, why_table  # noqa: F401

__all__ = ["PALETTE", "STATE_COLOURS", "DUAL_STATES", "BREAKDOWN_AXES", "CHARTS", "number",
           "stocks", "stocks_table", "sankey", "flows_table", "trend", "trend_table",
           "difference", "difference_table", "breakdown", "breakdown_table", "gap_map",
           "gap_map_table", "trend_grid", "trend_grid_update", "trend_grid_table", "grid_figure",
           "chart_label", "why", "why_table", "chart_note", "set_chart_note",
           "new_figure", "draw", "update", "UPDATES", "trend_update", "difference_update",
           "dynamic_artists", "set_footnote", "clear_footnote", "FOOTNOTE_GID", "png_bytes"]
