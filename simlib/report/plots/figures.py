"""Charts by name, figures with several charts, footnotes and PNG bytes."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Sequence
from io import BytesIO

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from simlib.report.plots.common import _TEXT, FOOTNOTE_GID, FOOTNOTE_SIZE, _lang
from simlib.report.plots.gapmap import gap_map, gap_map_table
from simlib.report.plots.sankey import flows_table, sankey
from simlib.report.plots.stocks import stocks, stocks_table
from simlib.report.plots.trends import (
    breakdown,
    breakdown_table,
    difference,
    difference_table,
    difference_update,
    trend,
    trend_table,
    trend_update,
)
from simlib.report.plots.why import why, why_table

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
    "why": (why, why_table),
    "why_channel": (functools.partial(why, split="channel"),
                    functools.partial(why_table, split="channel")),
}
#: Charts that can be redrawn in place with new numbers (:func:`update`), by name.
UPDATES = {"trend": trend_update, "difference": difference_update}
_FIGSIZE = {"sankey": (10, 6.5), "breakdown": (9, 5.5), "gap_map_change": (9, 5.5),
            "why": (9, 5.5)}


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


def update(fig: Figure, kinds: Sequence[str], results, lang: str = "nl", **opts
           ) -> list[pd.DataFrame] | None:
    """Redraw the charts ``kinds`` that :func:`draw` drew on ``fig`` in place with new
    numbers (:data:`UPDATES`); their tables, or None when one of them cannot be (another
    chart kind, other options, language, scenarios or school years, or a figure not drawn by
    :func:`draw`): then draw it anew with :func:`draw`. Faster than :func:`draw` (no new artists, the layout
    kept) and the same picture for the same numbers."""
    axes = fig.axes
    if len(axes) != len(kinds) or any(kind not in UPDATES for kind in kinds):
        return None
    tables = []
    for ax, kind in zip(axes, kinds, strict=True):
        table = UPDATES[kind](results, ax, lang, **_options(UPDATES[kind], opts))
        if table is None:  # the first refuses before anything changes
            return None
        tables.append(table)
    return tables


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
