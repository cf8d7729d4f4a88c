"""Charts on screen: a figure of :mod:`simlib.report.plots` shown as a PNG ``Image`` widget
(the same in JupyterLab, in Voila and in a test), its footnote as a line under it, and the
numbers behind it (``table``) for the export.

- :class:`Chart` — one or more chart kinds side by side, with the uncertainty bands of
  :class:`simlib.ui.cache.Bands` when the app sets them.
- :class:`TrendGrid` — several indicators over school years in one figure (a policy
  notebook's grid), redrawn in place when only the numbers change.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as W

from simlib.report import export as _export
from simlib.report import plots
from simlib.ui.cache import Bands

__all__ = ["Chart", "TrendGrid", "footnote_html"]


def footnote_html(text: str) -> str:
    """A chart's footnote as the small grey line shown under it on screen."""
    note = html.escape(text).replace("\n", "<br>")
    return f"<div style='font-size:0.75em;color:#555'>{note}</div>"


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

    def _frame(self, figure) -> None:
        """The figure, its PNG ``Image``, the footnote line under it; drawn if results."""
        self.figure = figure
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

    def _show(self, dpi: float = 100) -> None:
        """Put the figure on screen (PNG) with the scenarios' footnote (and the chart's
        ``extra_note``) as a line under it."""
        text = _export.footnote(self.scenarios, self.lang)
        self.footnote.value = footnote_html(
            f"{text}\n{self.extra_note}" if self.extra_note else text)
        self.image.value = plots.png_bytes(self.figure, dpi=dpi)
        self.draws += 1

    @property
    def scenarios(self) -> list:
        results = self.results if isinstance(self.results, list | tuple) else [self.results]
        return [r.scenario for r in results]

    def redraw(self, results=None, lang: str | None = None, **opts) -> None:
        """Redraw with new results, language or options (those not given stay), with
        :attr:`bands` if set."""
        if results is not None:
            self.results = results
        if lang is not None:
            self.lang = lang
        self.opts.update(opts)
        kinds = self.kinds
        axes, tables = plots.draw(self.figure, kinds, self.results, self.lang, **self.opts)
        self.table = tables[kinds.index("difference")] if "difference" in kinds else tables[0]
        self.extra_note = None
        if self.bands is not None:
            self.table, self.extra_note = self.bands.draw(
                axes, kinds, self.table, self.lang, [sc.name for sc in self.scenarios])
        plots.clear_footnote(self.figure)
        self._show()

    def set_kinds(self, kinds: Sequence[str]) -> None:
        self.kinds = tuple(kinds)
        self.figure = plots.new_figure(self.kinds)
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
        self._frame(plots.grid_figure(len(self.indicators)))

    def redraw(self, results=None, lang: str | None = None, **_opts) -> None:
        """Redraw with new results or language: in place when only the numbers changed (the
        layout of the first drawing kept), else anew with the constrained layout."""
        if results is not None:
            self.results = results
        if lang is not None:
            self.lang = lang
        if not plots.trend_grid_update(self.results, self.figure, self.lang,
                                       indicators=self.indicators):
            self.figure.set_layout_engine("constrained")
            plots.clear_footnote(self.figure)
            plots.trend_grid(self.results, self.figure, self.lang, indicators=self.indicators)
            self.figure.draw_without_rendering()  # lay out once ...
            self.figure.set_layout_engine("none")  # ... and keep it for in-place redraws
        self.table = plots.trend_grid_table(self.results, self.indicators)
        self._show(dpi=80)

    def set_kinds(self, kinds: Sequence[str]) -> None:  # a grid has one layout
        pass

    def export_figure(self):
        """A fresh figure of the grid with the constrained layout (room for the footnote an
        export adds), leaving the figure on screen as it is."""
        fig = plots.grid_figure(len(self.indicators))
        plots.trend_grid(self.results, fig, self.lang, indicators=self.indicators)
        return fig
