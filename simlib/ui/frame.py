"""The frame every app owns: the language toggle, the status line, one chart with its options
and the option of uncertainty bands, the summary under the chart, and the export panel.

An app does not subclass the frame: it builds one, configured with data (:class:`FrameSpec`:
the views it offers, the chart kinds of each view, which options each view shows, the file
stem, the summary function, ...), sets its :attr:`Frame.results` (or lets
:meth:`Frame.rerun` run the model with the busy line), and lays its own page out of the
frame's widgets. The frame redraws on every change of an option or of the language, never
running the model for that; an app that has more to relabel registers it with
:meth:`Frame.on_lang`. :class:`Framed` gives an app the frame's widgets under the names the
notebooks and tests use (``app.status``, ``app.view``, ``app.chart``, ``app.export_panel``...).

**Uncertainty bands** are an option of the trend and difference charts, off by default: with
the box ticked, the scenarios shown are swept (:func:`simlib.ui.cache.bands_cached`, the
chosen number of parameter draws, the same draws for every scenario) with a progress bar,
and the chart shows the 50% and 90% bands. With the box off nothing is swept; with extra
policy modules (which a sweep cannot run) the option is not offered.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as W

from simlib.inputs.glossary import label
from simlib.model.structure import HORIZON_YEARS
from simlib.report import plots
from simlib.ui.cache import BAND_DRAWS, BAND_KINDS, BAND_SEED, RUNS, Bands, bands_cached
from simlib.ui.charts import Chart
from simlib.ui.common import (
    BUSY,
    DONE,
    StatusLine,
    coloured,
    error_html,
    error_text,
    language_toggle,
    word,
)
from simlib.ui.export_panel import ExportPanel

__all__ = ["Frame", "FrameSpec", "Framed", "OPTIONS_SHOWN"]

#: The chart's options and the views that show each (an option not shown is hidden).
OPTIONS_SHOWN: Mapping[str, tuple[str, ...]] = {
    "indicator": ("trend", "difference", "breakdown", "why"),
    "group": ("trend", "difference", "why"),
    "school_year": ("sankey", "breakdown", "why"),
    "by": ("breakdown",),
    "hide_non_dual": ("sankey",),
}
#: The indicator a chart shows first, unless the spec puts others first.
FIRST_INDICATOR = "dual_contract_learners"
#: The breakdown shown first where it is offered.
FIRST_BREAKDOWN = "region"
#: How long the changes of a burst are gathered before one run (seconds): a key held on a
#: slider repeats every 30-50 ms, and the messages that queued during a run are all read
#: within this time, so the rest of a burst runs once, on its last value. A change after a
#: quiet spell of this length (a single key press, the first of a burst) runs at once.
BURST_SECONDS = 0.06


def _running_loop():
    """The event loop running this code (a notebook kernel's, Voila's), or None (a plain
    script, a test): without one a change runs at once."""
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@dataclass(frozen=True)
class FrameSpec:
    """What an app's frame offers, as data.

    ``views``: the chart's views (chart names of :data:`simlib.report.plots.CHARTS`), the
    first shown first; none: the frame has no options and shows the fixed charts it is
    given (a gallery). ``kinds``: the chart kinds drawn side by side for a view (default:
    the view alone). ``stem``: the export's file stem. ``options_shown``: for each option
    of :data:`OPTIONS_SHOWN`, the views that show it. ``compare_views``: the views that
    compare the two runs even when the second is the first's scenario; in the other views
    such a pair is shown once (None: the runs are always shown as given). ``summary``: the
    text (HTML) under the chart, made at every redraw. ``modules``: extra policy modules
    the runs use (a sweep cannot: no bands). ``indicators_first``: indicators offered first
    (the first shown first); ``group``: the group shown first (if offered); ``breakdowns``:
    the axes of the breakdown chart; ``year_label``: the school year option's label by
    language (default the apps' word). ``draw_beside``: draws the charts shown beside the
    main one (a policy notebook's grid), before it at every redraw.
    """

    views: tuple[str, ...] = ("trend",)
    kinds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stem: str = "grafiek"
    options_shown: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(OPTIONS_SHOWN))
    compare_views: tuple[str, ...] | None = None
    summary: Callable[[], str] | None = None
    modules: tuple = ()
    indicators_first: tuple[str, ...] = ()
    group: str = "all"
    breakdowns: tuple[str, ...] = tuple(plots.BREAKDOWN_AXES)
    year_label: Callable[[str], str] | None = None
    draw_beside: Callable[[], None] | None = None


def _indicator_options(lang: str) -> list[tuple[str, str]]:
    from simlib.model.outcomes import INDICATORS

    return [(label("indicators", ind.id, lang), ind.id) for ind in INDICATORS]


def _pick(old, values: list, default):
    """An option's value after its choices changed: the old one if still offered, else the
    default if offered (or nothing is), else the first choice."""
    if old in values:
        return old
    return default if default in values or not values else values[0]


class Frame:
    """An app's language toggle, status line, chart with options and bands, summary and
    export panel (see the module). ``beside``: charts shown beside the main one (exported
    before it; drawn by ``spec.draw_beside``), or, without views, the fixed charts shown
    (redrawn in the language at every change of it)."""

    def __init__(self, spec: FrameSpec, years: int = HORIZON_YEARS, lang: str = "nl",
                 export_folder: str | Path | None = None, beside: Sequence[Chart] = ()):
        self.spec = spec
        self.years = years
        self.lang = lang
        self._quiet = False
        self._pending: Callable[[], list] | None = None  # the run a burst waits for
        self._timer = None
        self._quiet_since = -math.inf  # when the last run ended (perf_counter seconds)
        self._line_before: str | None = None  # the status line a chart's own runs replaced
        self._on_lang: list[Callable[[str], None]] = []
        self.status_line = StatusLine()
        self.status = self.status_line.widget
        self.summary = W.HTML()
        self.lang_toggle = language_toggle(lang, self.set_lang)
        self.view = W.Dropdown()
        self.indicator = W.Dropdown(value=None)
        self.school_year = W.Dropdown()
        self.by = W.Dropdown()
        self.group = W.Dropdown()
        self.hide_non_dual = W.Checkbox(value=True, indent=False)
        for control in self._options():
            control.observe(self._options_changed, names="value")
            control.style.description_width = "initial"
        self.indicator.layout.width = "34em"
        self.group.layout.width = "22em"
        self._band_widgets()
        self.results: list = []
        self.beside = list(beside)
        self.chart = Chart(self.kinds(spec.views[0]), lang=lang) if spec.views \
            else self.beside[0]
        self.export_panel = ExportPanel(self._exported, lang=lang, folder=export_folder,
                                        stem=spec.stem)

    def _options(self) -> tuple[W.Widget, ...]:
        return (self.view, self.indicator, self.school_year, self.by, self.group,
                self.hide_non_dual)

    def _band_widgets(self) -> None:
        """The option of uncertainty bands: off by default (see :meth:`bands`)."""
        self.show_bands = W.Checkbox(value=False, indent=False, layout=W.Layout(width="auto"))
        self.band_draws = W.BoundedIntText(value=BAND_DRAWS, min=2, max=1000,
                                           layout=W.Layout(width="12em"))
        self.band_draws.style.description_width = "initial"
        self.band_progress = W.IntProgress(value=0, min=0, max=1,
                                           layout=W.Layout(width="12em", display="none"))
        self.band_status = W.HTML()
        #: bands from the priors instead of the calibrated ensemble (labelled so)
        self.band_prior = W.Checkbox(value=False, indent=False, layout=W.Layout(width="auto"))
        self.band_seed = BAND_SEED
        self.show_bands.observe(self._options_changed, names="value")
        for w in (self.band_draws, self.band_prior):
            w.observe(lambda ch: self._options_changed(ch) if self.show_bands.value else None,
                      names="value")
        self.band_box = W.HBox([self.show_bands, self.band_draws, self.band_prior,
                                self.band_progress, self.band_status])

    def _exported(self):
        """What the export panel exports: the charts shown now."""
        if not self.spec.views:
            return self.beside
        return [*self.beside, self.chart] if self.beside else self.chart

    @property
    def views(self) -> tuple[str, ...]:
        return self.spec.views

    @property
    def modules(self) -> tuple:
        return self.spec.modules

    @property
    def busy(self) -> bool:
        return self.status_line.busy

    @property
    def runs(self) -> int:
        """Model runs made by any app of this process (cache hits do not count)."""
        return RUNS["count"]

    # options
    def kinds(self, view: str) -> tuple[str, ...]:
        """The chart kinds drawn side by side for ``view``."""
        return tuple(self.spec.kinds.get(view, (view,)))

    def fill_options(self) -> None:
        """The options' choices and labels in the frame's language (the school years and
        groups those of the results); each option keeps its value while it is offered."""
        if not self.spec.views:
            return
        spec, lang = self.spec, self.lang
        with self.quietly():
            keep = {w: w.value for w in (self.view, self.indicator, self.school_year, self.by,
                                         self.group)}
            self.view.options = [(plots.chart_label(v, lang), v) for v in spec.views]
            first = list(spec.indicators_first)
            self.indicator.options = [(label("indicators", i, lang), i) for i in first] + [
                (lb, i) for lb, i in _indicator_options(lang) if i not in first]
            years = list(dict.fromkeys(self.results[0].indicators.school_year)) \
                if self.results else []
            self.school_year.options = years
            self.by.options = [(label("axes", a, lang), a) for a in spec.breakdowns]
            groups = list(dict.fromkeys(self.results[0].indicators.group)) \
                if self.results else ["all"]
            self.group.options = [(label("groups", g, lang), g) for g in groups]
            defaults = {self.view: spec.views[0],
                        self.indicator: first[0] if first else FIRST_INDICATOR,
                        self.school_year: years[-1] if years else None,
                        self.by: FIRST_BREAKDOWN, self.group: spec.group}
            for w, old in keep.items():
                values = [o[1] if isinstance(o, tuple) else o for o in w.options]
                w.value = _pick(old, values, defaults[w])
            self.view.description = word(lang, "view")
            self.indicator.description = word(lang, "indicator")
            self.school_year.description = spec.year_label(lang) if spec.year_label \
                else word(lang, "school_year")
            self.by.description = word(lang, "by")
            self.group.description = word(lang, "group")
            self.hide_non_dual.description = word(lang, "hide_non_dual")
            self.show_bands.description = word(lang, "bands")
            self.band_draws.description = word(lang, "band_draws")
            self.band_prior.description = word(lang, "band_prior")
            self.show_relevant()

    def show_relevant(self) -> None:
        """Show the options of the view shown (``spec.options_shown``), hide the others."""
        view = self.view.value
        for name, views in self.spec.options_shown.items():
            getattr(self, name).layout.display = None if view in views else "none"
        self.band_box.layout.display = None if self.bands_possible() else "none"

    def bands_possible(self) -> bool:
        """Whether the chart shown can take uncertainty bands."""
        kinds = self.kinds(self.view.value or self.spec.views[0])
        return not self.spec.modules and any(k in BAND_KINDS for k in kinds)

    @property
    def quiet(self) -> bool:
        """True while the frame sets its own options (no redraw for those changes)."""
        return self._quiet

    @contextlib.contextmanager
    def quietly(self):
        """Change options (or an app's own pickers) inside the block without a redraw."""
        old, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = old

    def _options_changed(self, _change=None) -> None:
        if self._quiet:
            return
        self.show_relevant()
        self.redraw()

    def chart_opts(self) -> dict:
        """The options as the chart functions take them."""
        return {"indicator": self.indicator.value, "group": self.group.value,
                "by": self.by.value, "school_year": self.school_year.value,
                "hide": ("non_dual",) if self.hide_non_dual.value else (),
                "progress": self._runs_progress}

    def _runs_progress(self, done: int, total: int) -> None:
        """The busy line while a chart makes model runs of its own (the "why" view: one per
        combination of the changed levers)."""
        line = self.status_line
        if done < total:
            if not line.busy:  # a view change, not a rerun: put its line back at the end
                self._line_before = line.widget.value
            line.working(word(self.lang, "why_busy").format(done=done, total=total))
        elif self._line_before is not None:
            line.busy, line.widget.value, self._line_before = False, self._line_before, None

    def controls(self) -> W.Widget:
        """The options laid out for a page: view and indicator, then the rest, then bands."""
        return W.VBox([W.HBox([self.view, self.indicator]),
                       W.HBox([self.school_year, self.by, self.group, self.hide_non_dual]),
                       self.band_box])

    # running and drawing
    def rerun(self, make_results: Callable[[], list]) -> None:
        """Run the model for the app (``make_results()``: the runs to show, cached), with
        the busy line while it runs, then redraw and say how long it took (or the error:
        the app keeps working). The options are filled from the first results."""
        self.status_line.working(word(self.lang, "busy"))
        start = time.perf_counter()
        try:
            results = make_results()
        except Exception as exc:  # shown in the app: an observer must not raise
            self._error(exc)
            return
        self.results = results
        if not self.group.options:
            self.fill_options()
        if self.redraw():
            seconds = plots.number(time.perf_counter() - start, self.lang, 2)
            self.status_line.done(word(self.lang, "done").format(s=seconds))

    def rerun_soon(self, make_results: Callable[[], list]) -> None:
        """:meth:`rerun` for a change made in a widget. A change after a quiet spell (no run
        waiting, the last run ended :data:`BURST_SECONDS` ago or more) runs at once. Within a
        burst (a key held on a slider: the changes that queued during the run) the busy line
        shows at once and the run waits until the burst is over (no change for
        :data:`BURST_SECONDS`), then runs once, with what ``make_results`` reads then (the
        widgets' last values: nothing is lost). Without a running event loop (a script, a
        test) every change runs at once."""
        loop = _running_loop()
        quiet = time.perf_counter() - self._quiet_since >= BURST_SECONDS
        if loop is None or (quiet and self._timer is None):
            self.rerun(make_results)
            self._quiet_since = time.perf_counter()
            return
        self.status_line.working(word(self.lang, "busy"))
        self._pending = make_results
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(BURST_SECONDS, self._run_pending)

    def _run_pending(self) -> None:
        self._timer = None
        make_results, self._pending = self._pending, None
        if make_results is not None:
            self.rerun(make_results)
        self._quiet_since = time.perf_counter()

    def _error(self, exc: Exception) -> None:
        self.status_line.failed(error_text(exc, self.lang))

    def _guarded(self, draw: Callable[[], None] | None) -> bool:
        """``draw()``; False and the error in the status line if it failed."""
        if draw is None:
            return True
        try:
            draw()
        except Exception as exc:  # shown in the app: an observer must not raise
            self._error(exc)
            return False
        return True

    def redraw(self) -> bool:
        """Redraw the charts and the summary from the current results (no model run);
        False (and the error in the status line) if that failed. The export panel's files
        of what was shown before are withdrawn."""
        if not self.spec.views:  # fixed charts: only the language changes
            self.export_panel.outdated()
            for chart in self.beside:
                chart.redraw(lang=self.lang)
            return True
        if self.results and not self._guarded(self.spec.draw_beside):
            return False
        self.export_panel.outdated()  # the files offered were made for what was shown before
        if not self.results:
            return False
        return self._guarded(self._draw_chart)

    def _draw_chart(self) -> None:
        kinds = self.kinds(self.view.value or self.spec.views[0])
        if kinds != self.chart.kinds:
            self.chart.set_kinds(kinds)
        self.chart.bands = self.bands()
        self.chart.redraw(results=self.shown(), lang=self.lang, **self.chart_opts())
        self.summary.value = self.spec.summary() if self.spec.summary is not None else ""

    def shown(self) -> list:
        """The results the chart shows: all, or a variant that is its base once (outside
        the spec's ``compare_views``)."""
        results, compare = self.results, self.spec.compare_views
        if compare is None or self.view.value in compare:
            return results
        base, variant = results
        return [base] if variant.scenario.name == base.scenario.name else results

    def bands(self) -> Bands | None:
        """The bands of the scenarios shown when the box is ticked and the chart takes them
        (:func:`simlib.ui.cache.bands_cached`: a sweep with a progress bar, unless
        remembered); None otherwise, at no cost. A failure is shown beside the box; the
        chart draws without."""
        if not (self.show_bands.value and self.bands_possible()):
            self.band_progress.layout.display = "none"
            self.band_status.value = ""
            return None
        lang, draws = self.lang, self.band_draws.value
        bar = self.band_progress
        bar.value, bar.layout.display = 0, None
        self.band_status.value = coloured(word(lang, "bands_busy").format(n=draws), BUSY)

        def tick(done: int, total: int) -> None:
            bar.max, bar.value = max(total, 1), done

        try:
            bands = bands_cached([r.scenario for r in self.shown()], self.indicator.value,
                                 self.group.value or "all", self.years, draws, self.band_seed,
                                 progress=tick,
                                 source="prior" if self.band_prior.value else "ensemble")
        except Exception as exc:  # shown beside the box: an observer must not raise
            bar.layout.display = "none"
            self.band_status.value = error_html(exc, lang)
            return None
        bar.value = bar.max
        includes = (bands.meta.get("band_includes") or {}).get(lang, "")
        text = word(lang, "bands_done").format(n=draws, seed=self.band_seed, includes=includes)
        self.band_status.value = coloured(text, DONE)
        return bands

    # language
    def on_lang(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(lang)`` at every change of language, after the export panel and
        before the options are relabelled and the charts redrawn."""
        self._on_lang.append(callback)

    def set_lang(self, lang: str) -> None:
        """Switch every label to ``lang`` ("nl" or "en") and redraw (no model run)."""
        self.lang = lang
        if self.lang_toggle.value != lang:
            self.lang_toggle.value = lang
        self.export_panel.set_lang(lang)
        for callback in self._on_lang:
            callback(lang)
        self.fill_options()
        self.redraw()


class _Forward:
    """An attribute of an app that is its frame's, read and written there."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, app, owner=None):
        return self if app is None else getattr(app.frame, self.name)

    def __set__(self, app, value) -> None:
        setattr(app.frame, self.name, value)


class Framed:
    """An app with a :class:`Frame` (``self.frame``): the frame's widgets and state under
    the app's own names (``app.status`` is ``app.frame.status``, and so on), and
    :meth:`redraw` and :meth:`set_lang` as the frame's. Nothing to override: an app
    configures its frame with a :class:`FrameSpec`."""

    frame: Frame
    lang = _Forward()
    years = _Forward()
    views = _Forward()
    modules = _Forward()
    results = _Forward()
    status = _Forward()
    busy = _Forward()
    summary = _Forward()
    lang_toggle = _Forward()
    view = _Forward()
    indicator = _Forward()
    school_year = _Forward()
    by = _Forward()
    group = _Forward()
    hide_non_dual = _Forward()
    show_bands = _Forward()
    band_draws = _Forward()
    band_progress = _Forward()
    band_status = _Forward()
    band_seed = _Forward()
    band_prior = _Forward()
    band_box = _Forward()
    chart = _Forward()
    export_panel = _Forward()
    runs = _Forward()

    def redraw(self) -> bool:
        """Redraw from the current results (no model run); False if that failed."""
        return self.frame.redraw()

    def set_lang(self, lang: str) -> None:
        """Switch every label to ``lang`` ("nl" or "en") and redraw (no model run)."""
        self.frame.set_lang(lang)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
