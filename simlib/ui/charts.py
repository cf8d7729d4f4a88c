"""Charts on screen: a figure of :mod:`simlib.report.plots` shown as a PNG ``Image`` widget
(the same in JupyterLab, in Voila and in a test), its footnote as a line under it, and the
numbers behind it (``table``) for the export.

- :class:`Chart` — one or more chart kinds side by side, with the uncertainty bands of
  :class:`simlib.ui.cache.Bands` when the app sets them.
- :class:`TrendGrid` — several indicators over school years in one figure (a policy
  notebook's grid), redrawn in place when only the numbers change.

**Drawing less.** A figure on screen is laid out once (the constrained layout, the costliest
part of a drawing) and kept while only its numbers change: a lever moved redraws a trend or
a difference in place (:func:`simlib.report.plots.update`) and renders again only what
carries the numbers (:class:`Screen`: the lines or bars, the value axis, the legend, over
the rest kept as pixels), at screen resolution. A change of what is shown (another chart,
option, language, scenario, bands) draws anew. The figure stays what an export takes (its
constrained layout engine kept; the layout it makes for the export's footnote is noticed,
and the next change draws anew): the exported files are byte for byte the ones made
before (a figure updated in place exports as one drawn anew with the same numbers).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from io import BytesIO

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import Container
from matplotlib.text import Text
from PIL import Image

from simlib.report import export as _export
from simlib.report import plots
from simlib.ui.cache import Bands

__all__ = ["Chart", "Screen", "TrendGrid", "footnote_html"]

#: Screen resolutions (dots per inch): a chart, and the grid of a policy notebook (smaller
#: type, shown beside the levers).
CHART_DPI, GRID_DPI = 100, 80


def footnote_html(text: str) -> str:
    """A chart's footnote as the small grey line shown under it on screen."""
    note = html.escape(text).replace("\n", "<br>")
    return f"<div style='font-size:0.75em;color:#555'>{note}</div>"


class Screen:
    """A figure kept on screen as PNG bytes, rendered again in part when only its numbers
    changed (blitting, as matplotlib's animations do).

    :meth:`full` renders everything and keeps, as pixels, what a change of numbers leaves
    alone (the background: in each axes the artists drawn before the first one that carries
    numbers, plus the category axis and the titles, which lie outside the plotting area).
    :meth:`partial` puts those pixels back and draws the rest (the foreground, in
    matplotlib's order) over them. The picture is the one a fresh drawing gives, but for
    the category axis's tick marks drawn before the bars instead of after them (they touch
    the bars in one row of pixels at most). When the numbers move what the layout depends on
    (the extent of the value axis's labels beyond the axes), :meth:`partial` says so and the
    caller draws anew with a new layout, as a fresh drawing would (a value label a digit
    wider or narrower than before: one change in several, at the cost of a fresh drawing).
    """

    def __init__(self, figure):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)  # the figure's canvas from now on
        self.background = None
        self._extents: dict | None = None
        self._static: list | None = None
        self._drawn: tuple | None = None
        #: renderings in part and in full so far (what a change cost: tests, benchmarks)
        self.partials = self.fulls = 0

    def _foreground(self) -> list:
        """The artists a change of numbers redraws, in drawing order, axes by axes."""
        out = []
        for ax in self.figure.axes:
            dynamic = {id(a) for x in plots.dynamic_artists(ax)
                       for a in (x.get_children() if isinstance(x, Container) else [x])}
            if not dynamic:
                continue
            legend = ax.get_legend()
            dynamic |= {id(ax.yaxis)} | ({id(legend)} if legend is not None else set())
            kept = {id(ax.xaxis), id(ax.title), id(ax._left_title), id(ax._right_title)}
            children = [a for a in ax.get_children() if a is not ax.patch]
            order = sorted(children, key=lambda a: a.zorder)  # as Axes.draw does
            first = next(k for k, a in enumerate(order) if id(a) in dynamic)
            out += [a for a in order[first:] if id(a) not in kept]
        return out

    def _layout_extents(self, renderer, static: list | None = None) -> dict:
        """What the constrained layout reads of the artists a change of numbers moves, as
        it reads them (a grid's columns and rows aligned): per column the widest value
        label, per row how far the axes' contents reach above and below them (the value
        labels and labels of values, or the kept artists if they reach further: ``static``,
        as :meth:`_static_extents` gave), in pixels."""
        out: dict = {}
        for k, ax in enumerate(a for a in self.figure.axes if plots.dynamic_artists(a)):
            lo, hi = sorted(ax.get_ylim())
            span = 1e-9 * max(hi - lo, 1e-300)
            labels = [t.label1 for t, loc in zip(ax.yaxis.get_major_ticks(),
                                                 ax.yaxis.get_majorticklocs(), strict=False)
                      if lo - span <= loc <= hi + span and t.label1.get_visible()]
            boxes = [t.get_window_extent(renderer) for t in labels] + [
                a.get_window_extent(renderer) for a in plots.dynamic_artists(ax)
                if isinstance(a, Text)]
            inner = ax.bbox
            top, bottom = static[k] if static else (0.0, 0.0)
            spec = ax.get_subplotspec()  # the layout aligns a grid's columns and rows
            col, row = (spec.colspan.start, spec.rowspan.start) if spec else (k, k)
            for key, value in ((("left", col), max((b.width for b in boxes[:len(labels)]),
                                                   default=0.0)),
                               (("top", row), max([top, *(b.y1 - inner.y1 for b in boxes)])),
                               (("bottom", row), max([bottom, *(inner.y0 - b.y0
                                                                for b in boxes)]))):
                out[key] = round(max(out.get(key, 0.0), float(value)), 2)
        return out

    def _static_extents(self, renderer) -> list:
        """How far the kept artists reach above (the titles) and below (the category axis)
        each axes that has numbers to update."""
        out = []
        for ax in self.figure.axes:
            if not plots.dynamic_artists(ax):
                continue
            inner = ax.bbox
            tops = [t.get_window_extent(renderer).y1 - inner.y1
                    for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]
            below = ax.xaxis.get_tightbbox(renderer)
            out.append((max([0.0, *tops]),
                        max(0.0, inner.y0 - below.y0) if below is not None else 0.0))
        return out

    def full(self) -> bytes:
        """Render the whole figure, laid out by its layout engine if it has one (in the same
        drawing), and keep its background. The engine stays: :meth:`partial` never runs it
        (it draws artists, not the figure), and an export of the figure itself lays it out
        with its footnote as before."""
        foreground = self._foreground()
        for artist in foreground:
            artist.set_animated(True)  # left out of the figure's own drawing
        try:
            self.canvas.draw()  # the layout engine lays out animated artists too
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        finally:
            for artist in foreground:
                artist.set_animated(False)
        renderer = self.canvas.get_renderer()
        for artist in foreground:
            artist.draw(renderer)
        self._static = self._static_extents(renderer)
        self._extents = self._layout_extents(renderer, self._static)
        self._drawn = self._state()
        self.fulls += 1
        return self._png()

    def partial(self) -> bytes | None:
        """Render again after a change of numbers only: the background put back, the
        foreground drawn over it. None when there is no background yet or the layout would
        change (then lay out and call :meth:`full`)."""
        if self.background is None or self._state() != self._drawn:
            return None
        self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self._foreground():
            artist.draw(renderer)
        if not _fits(self._layout_extents(renderer, self._static), self._extents):
            self.background = None
            return None
        self.partials += 1
        return self._png()

    def _state(self) -> tuple:
        """What the background depends on besides the foreground: the figure's resolution,
        its axes' places and its own texts (an export of the figure itself adds a footnote
        and lays it out again: the next rendering is then a full one)."""
        fig = self.figure
        return (fig.dpi, fig.get_size_inches().tobytes(), fig.canvas is self.canvas,
                tuple(ax.get_position().bounds for ax in fig.axes),
                tuple(id(t) for t in fig.texts))

    def _png(self) -> bytes:
        """The canvas as PNG bytes: RGB (the figure is opaque), light compression."""
        rgba = np.asarray(self.canvas.buffer_rgba())
        buf = BytesIO()
        Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
        return buf.getvalue()


def _fits(new: dict, old: dict | None) -> bool:
    """Whether the layout made for the extents ``old`` (:meth:`Screen._layout_extents`) is
    the one a fresh layout of ``new`` gives: every extent the same within half a pixel.
    Otherwise (a value label a digit wider or narrower, say) the figure is laid out anew,
    as a fresh drawing would be."""
    if old is None or new.keys() != old.keys():
        return False
    return all(abs(new[k] - old[k]) <= 0.5 for k in new)


def screen_figure(figure, dpi: float):
    """``figure`` made ready for the screen: ``dpi``, an opaque white background."""
    figure.set_dpi(dpi)
    figure.patch.set_facecolor("white")
    return figure


class Chart:
    """A figure of :mod:`simlib.report.plots` shown as a PNG ``Image`` widget, its footnote below.

    On screen the footnote is an HTML line under the image (drawing it into every PNG would
    cost a third of a redraw); an export puts the same text into the chart itself.

    ``kinds`` are chart names of :data:`simlib.report.plots.CHARTS`, drawn side by side; ``opts``
    go to the chart functions (indicator, group, by, school_year, hide, states).
    ``table`` holds the numbers shown (the first chart's table, or the difference table when
    a difference is shown). ``name`` is the file stem suffix when several charts export.
    """

    def __init__(self, kinds: Sequence[str], results=None, lang: str = "nl",
                 name: str | None = None, **opts):
        self.kinds = tuple(kinds)
        self._auto_name = name is None
        self.name = name or "_".join(self.kinds)
        self.results = results
        self.lang = lang
        self.opts = dict(opts)
        self._frame(plots.new_figure(self.kinds))

    def _frame(self, figure, dpi: float = CHART_DPI) -> None:
        """The figure, its PNG ``Image``, the footnote line under it; drawn if results."""
        self.dpi = dpi
        self._kept: dict = {}  # the figures of the chart kinds shown before
        self._screen_figure(figure)
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width="1000px"))
        self.footnote = W.HTML()
        self.widget = W.VBox([self.image, self.footnote])
        self.table = None
        self.draws = 0
        #: uncertainty bands to draw (:class:`Bands`, set by the app) and what they add to the
        #: footnote (:meth:`Bands.draw`; an export puts it after the scenarios' footnote)
        self.bands: Bands | None = None
        self.extra_note: str | None = None
        if self.results is not None:
            self.redraw()

    def _screen_figure(self, figure) -> None:
        self.figure = screen_figure(figure, self.dpi)
        self.screen = Screen(self.figure)
        self._banded = False

    def _show(self, png: bytes) -> None:
        """Put the PNG on screen with the scenarios' footnote (and the chart's
        ``extra_note``) as a line under it."""
        text = _export.footnote(self.scenarios, self.lang)
        note = footnote_html(f"{text}\n{self.extra_note}" if self.extra_note else text)
        if self.footnote.value != note:
            self.footnote.value = note
        self.image.value = png
        self.draws += 1

    @property
    def scenarios(self) -> list:
        results = self.results if isinstance(self.results, list | tuple) else [self.results]
        return [r.scenario for r in results]

    def redraw(self, results=None, lang: str | None = None, **opts) -> None:
        """Redraw with new results, language or options (those not given stay), with
        :attr:`bands` if set: in place when only the numbers changed (see the module), else
        anew."""
        if results is not None:
            self.results = results
        if lang is not None:
            self.lang = lang
        self.opts.update(opts)
        png = None
        if self.bands is None and not self._banded:
            tables = plots.update(self.figure, self.kinds, self.results, self.lang, **self.opts)
            if tables is not None:
                self._keep_table(tables)
                self.extra_note = None
                png = self.screen.partial()
        if png is None:
            self._draw_anew()
            png = self.screen.full()
        self._show(png)

    def _keep_table(self, tables) -> None:
        kinds = self.kinds
        self.table = tables[kinds.index("difference")] if "difference" in kinds else tables[0]

    def _draw(self, figure) -> list:
        """Draw the charts on ``figure`` (with :attr:`bands`); their Axes. Sets the table and
        the bands' note."""
        axes, tables = plots.draw(figure, self.kinds, self.results, self.lang, **self.opts)
        self._keep_table(tables)
        self.extra_note = " ".join(n for n in map(plots.chart_note, axes) if n) or None
        if self.bands is not None:
            self.table, self.extra_note = self.bands.draw(
                axes, self.kinds, self.table, self.lang, [sc.name for sc in self.scenarios])
        return axes

    def _draw_anew(self) -> None:
        """Draw the figure on screen anew, to be laid out once (kept for the updates)."""
        fig = self.figure
        plots.clear_footnote(fig)
        self._draw(fig)
        self._banded = self.bands is not None  # bands are never updated in place

    def set_kinds(self, kinds: Sequence[str]) -> None:
        """Show the charts ``kinds`` from the next redraw: on the figure they had if they
        were shown before (kept, with its layout, so going back is an update in place)."""
        self._kept[self.kinds] = (self.figure, self.screen, self._banded)
        self.kinds = tuple(kinds)
        if self.kinds in self._kept:
            self.figure, self.screen, self._banded = self._kept.pop(self.kinds)
        else:
            self._screen_figure(plots.new_figure(self.kinds))
        if self._auto_name:  # the file name follows what is shown
            self.name = "_".join(self.kinds)

    @property
    def axes(self):
        return self.figure.axes


class TrendGrid(Chart):
    """Several indicators over school years in one figure (:func:`simlib.report.plots.trend_grid`),
    shown and exported like a :class:`Chart`. ``indicators``: ids, ``"id@group"`` or
    :class:`simlib.report.themes.IndicatorSpec`."""

    def __init__(self, indicators: Sequence, results=None, lang: str = "nl",
                 name: str = "indicatoren"):
        self.indicators = list(indicators)
        self.kinds = ("trend_grid",)
        self.name = name
        self.results = results
        self.lang = lang
        self.opts = {}
        self._frame(plots.grid_figure(len(self.indicators)), dpi=GRID_DPI)

    def redraw(self, results=None, lang: str | None = None, **_opts) -> None:
        """Redraw with new results or language: in place when only the numbers changed (the
        layout of the first drawing kept, see the module), else anew with the constrained
        layout."""
        if results is not None:
            self.results = results
        if lang is not None:
            self.lang = lang
        png = None
        if plots.trend_grid_update(self.results, self.figure, self.lang,
                                   indicators=self.indicators):
            png = self.screen.partial()
        if png is None:
            fig = self.figure
            plots.clear_footnote(fig)
            plots.trend_grid(self.results, fig, self.lang, indicators=self.indicators)
            png = self.screen.full()
        self.table = plots.trend_grid_table(self.results, self.indicators)
        self._show(png)

    def set_kinds(self, kinds: Sequence[str]) -> None:  # a grid has one layout
        pass

    def export_figure(self):
        """A fresh figure of the grid with the constrained layout (room for the footnote an
        export adds), leaving the figure on screen as it is."""
        fig = plots.grid_figure(len(self.indicators))
        plots.trend_grid(self.results, fig, self.lang, indicators=self.indicators)
        return fig
