"""Notebook widgets generated from the lever registry, and the apps built from them.

Nothing here declares a lever's label, unit, range or default: every control reads the
registry (:mod:`simlib.inputs.levers`), every label the glossary. A notebook builds an app in one
line and displays it; all logic lives here and in the library.

- :class:`LeverPanel` — one control per lever, grouped by theme: a slider for a number
  (min, max and step from the registry, ``continuous_update=False``: it fires on release), a
  checkbox for a switch, a dropdown for a choice; the label and unit above it, today's value,
  the range, the evidence grade and (unfolded on demand) the description and the SERV passage
  below it, the description also as tooltip. A child lever is disabled while its parent is
  off. :meth:`LeverPanel.scenario` turns the controls into a :class:`simlib.Scenario` holding
  only the levers that differ from today's rules.
- :class:`Chart` — a figure of :mod:`simlib.report.plots` shown as PNG in an ``Image`` widget (it
  works the same in JupyterLab, in Voila and in a test), with the numbers behind it.
- :class:`ExportPanel` — one button: PNG, SVG, PDF, CSV and scenario TOML (:mod:`simlib.report.export`).
- :class:`ScenarioApp` — levers, baseline against the variant, a summary text, language
  toggle, busy indicator and export panel. :class:`BaselineExplorer` (the baseline: stocks,
  Sankey, breakdowns), :class:`CompareApp` (two scenarios side by side, save the sliders as a
  scenario file) and :class:`Gallery` (a few fixed charts) share that frame.
- :class:`ThemeApp` — one policy notebook from a theme of ``simlib/themes.toml``
  (:mod:`simlib.report.themes`): the advice's passages and question, the theme's levers, a grid of
  its indicators (:class:`TrendGrid`), a detail chart, the generated text and the answer.

A change of a lever reruns the model once (synchronously: the busy indicator shows while it
runs) and redraws; :meth:`LeverPanel.hold` groups many changes (reset) into one rerun. Runs
are cached per lever setting, so going back to an earlier setting is instant.

**Uncertainty bands** are an option of the trend and difference charts, off by default: with
the box ticked, the scenarios shown are swept (:func:`simlib.analysis.uncertainty.sweep`, the chosen
number of parameter draws, the same draws for every scenario) with a progress bar, and the
chart shows the 50% and 90% bands (:func:`bands_cached`, remembered per scenario, indicator,
group, years, draws and seed). With the box off nothing is swept.
"""

from __future__ import annotations

import contextlib
import html
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as W
import pandas as pd

from simlib.analysis import uncertainty as U
from simlib.files.resources import default_folder
from simlib.inputs import scenario as _scenarios
from simlib.inputs.glossary import label, texts
from simlib.inputs.levers import Lever, levers
from simlib.model import simulation as _simulation
from simlib.report import downloads as _downloads
from simlib.report import export as _export
from simlib.report import numbers as N
from simlib.report import plots
from simlib.report import uncertainty_plots as UP
from simlib.report.describe import choice_label as _choice_label
from simlib.report.describe import (
    format_value,
    humanise,
    lever_changes,
    lever_differences,
    month_text,
)
from simlib.report.describe import step_decimals as _step_decimals
from simlib.ui.upload import ScenarioUpload

__all__ = ["Page", "Translated", "key_figures_view", "checks_view", "calibration_view",
           "LeverControl", "LeverPanel", "Chart", "ExportPanel", "ScenarioApp",
           "BaselineExplorer", "CompareApp", "Gallery", "ThemeApp", "TrendGrid", "format_value",
           "lever_differences",
           "key_figures", "Bands", "bands_cached",
           "baseline", "run_cached", "clear_cache", "SLIDERS"]

#: The key of "the current sliders" among the scenarios a CompareApp offers.
SLIDERS = "__sliders__"
CACHE_SIZE = 32
LANGS = (("Nederlands", "nl"), ("English", "en"))
SUMMARY_INDICATORS = ("dual_contract_learners", "placement_share", "work_ready_without_place",
                      "terminations", "unqualified_outflow", "public_cost")
#: The uncertainty bands of the apps: parameter draws offered first, and the seed.
BAND_DRAWS = 50
BAND_SEED = 0
#: Charts that can show uncertainty bands.
BAND_KINDS = ("trend", "difference")

_TEXT = texts("ui")


def _t(lang: str, key: str) -> str:
    return _TEXT[lang][key]


def _theme_label(theme: str, lang: str) -> str:
    """A theme's label: the glossary's ``[themes]`` entry, else the (Dutch) theme id."""
    text = label("themes", theme, lang)
    return humanise(theme) if text == theme else text


# --- running, with a cache -----------------------------------------------------------------

_CACHE: OrderedDict = OrderedDict()
RUNS = {"count": 0}


def _key(scenario, years: int, extra_modules: Sequence = ()) -> tuple:
    changed = scenario.changed()
    # the module objects themselves (not their names): a module redefined in a notebook
    # under the same name is a new module and must run again
    return (years, scenario.name, scenario.label_nl, scenario.label_en,
            tuple(sorted((k, tuple(v.items())) for k, v in changed.items())),
            tuple(extra_modules))


def run_cached(scenario, years: int = 10, extra_modules: Sequence = ()):
    """``simlib.run(scenario, years)``, remembered for the last :data:`CACHE_SIZE` settings
    (keyed by the scenario's name, labels and lever schedules, and the extra policy modules
    given). ``RUNS["count"]`` counts the real runs."""
    key = _key(scenario, years, extra_modules)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    if extra_modules:
        result = _simulation.run(scenario, years=years, extra_modules=tuple(extra_modules))
    else:
        result = _simulation.run(scenario, years=years)
    _ = result.indicators  # computed once, here, not at every redraw
    RUNS["count"] += 1
    _CACHE[key] = result
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


def clear_cache() -> None:
    """Forget every cached run and every cached sweep of :func:`bands_cached`."""
    _CACHE.clear()
    _SWEEPS.clear()


# --- uncertainty bands, with a cache -------------------------------------------------------

_SWEEPS: OrderedDict = OrderedDict()


@dataclass(frozen=True)
class Bands:
    """The uncertainty bands of the scenarios a chart shows, from one set of paired draws.

    ``table``: :func:`simlib.analysis.uncertainty.bands` of every scenario (columns scenario,
    indicator, group, school_year, p5, p25, p50, p75, p95, draws, unit); ``difference``: the
    bands of the last scenario minus the first (same columns), None with one scenario;
    ``meta``: the sweep's ``meta`` (draws, seed, parameters; ``scenarios`` in chart order).
    """

    table: pd.DataFrame
    difference: pd.DataFrame | None
    meta: dict
    indicator: str
    group: str

    def draw(self, axes, kinds: Sequence[str], table: pd.DataFrame | None, lang: str,
             scenarios: Sequence[str]) -> tuple[pd.DataFrame | None, str | None]:
        """Add the bands to the charts of ``kinds`` on ``axes`` (those of
        :data:`BAND_KINDS`; ``scenarios``: the names of a trend's lines, in order). Returns
        the chart's table with the band columns (the difference table's prefixed
        ``difference_``) and the footnote saying what the bands are (None if no chart took
        bands)."""
        opts = {"indicator": self.indicator, "group": self.group}
        drawn = []
        for ax, kind in zip(axes, kinds, strict=True):
            if kind == "trend":
                UP.trend_bands(self.table, ax, lang, scenarios=scenarios, **opts)
            elif kind == "difference" and self.difference is not None:
                UP.difference_bands(self.difference, ax, lang, **opts)
            else:
                continue
            drawn.append(kind)
        if not drawn:
            return table, None
        if table is None:
            pass
        elif "difference" in kinds:  # the chart's table is the difference's (Chart.redraw)
            if "difference" in drawn:
                table = UP.with_bands(table, self.difference,
                                      ["indicator", "group", "school_year"],
                                      prefix="difference_")
        elif kinds[0] == "trend":
            table = UP.with_bands(table, self.table,
                                  ["scenario", "indicator", "group", "school_year"])
        note = UP.band_note(self.meta, lang, kinds=drawn, paired=len(self.meta["scenarios"]) > 1)
        return table, note


def _band_resolution(group: str) -> str:
    """The sweep resolution for bands of ``group``: the sweep's default
    (:data:`simlib.analysis.uncertainty.RESOLUTION`) unless that merges the group's axis, else the
    coarsest that keeps it (a region needs the full model)."""
    from simlib.model.engine import RESOLUTIONS

    axis = group.partition("=")[0]
    order = [U.RESOLUTION, *sorted(RESOLUTIONS, key=lambda r: -len(RESOLUTIONS[r]))]
    return next(r for r in order if axis not in RESOLUTIONS[r])


def bands_cached(scenarios: Sequence, indicator: str, group: str = "all", years: int = 10,
                 draws: int = BAND_DRAWS, seed: int = BAND_SEED,
                 progress: Callable[[int, int], None] | None = None) -> Bands:
    """:class:`Bands` of ``scenarios`` (Scenario objects, in chart order) for one indicator
    and group: :func:`simlib.analysis.uncertainty.sweep` of those not swept before, remembered per
    scenario (its name, labels and lever schedules), indicator, group, years, draws and seed
    for the last :data:`CACHE_SIZE` of them. ``progress(done, total)`` follows the sweep.
    The sweep runs at its default resolution, or a finer one where that merges the group's
    axis (``meta["collapsed_axes"]`` says which axes were merged).

    A scenario swept alone gets the same draws as in a sweep with others (the draws depend on
    the seed and the chunk only), so bands of scenarios swept at different times stay paired.
    """
    keys = {_key(sc, years): sc for sc in scenarios}  # the same scenario twice: once
    names = [sc.name for sc in keys.values()]
    if len(set(names)) != len(names):
        raise ValueError(f"scenarios must have distinct names; got {names}")
    wanted = {k: (k, indicator, group, draws, seed) for k in keys}
    missing = [sc for k, sc in keys.items() if wanted[k] not in _SWEEPS]
    if missing:
        sw = U.sweep(missing, draws=draws, seed=seed, years=years, indicators=[indicator],
                     groups=[group], resolution=_band_resolution(group), progress=progress)
        for sc in missing:
            rows = sw.indicators[sw.indicators["scenario"] == sc.name]
            _SWEEPS[wanted[_key(sc, years)]] = U.Sweep(sw.draws, rows, sw.meta)
    parts = [_SWEEPS[wanted[k]] for k in keys]
    for key in wanted.values():
        _SWEEPS.move_to_end(key)
    while len(_SWEEPS) > CACHE_SIZE:
        _SWEEPS.popitem(last=False)
    sw = U.Sweep(parts[0].draws, pd.concat([p.indicators for p in parts], ignore_index=True),
                 {**parts[0].meta, "scenarios": names})
    difference = sw.difference(names[0], names[-1]) if len(names) > 1 else None
    return Bands(sw.bands(), difference, sw.meta, indicator, group)


def baseline(years: int = 10):
    """The baseline (``scenarios/baseline.toml``) over ``years`` school years, cached."""
    return run_cached(_scenarios.load_scenario("baseline"), years)


# --- lever controls ------------------------------------------------------------------------

_INFO_STYLE = "font-size:0.85em;color:#444;line-height:1.3"


class LeverControl:
    """One lever: a title (label and unit), the control, an info line with details.

    A number is a slider (steps from the registry) with, beside it, its value written in the
    language's format (``612,50`` in Dutch; shares in %), which the user may also type: a
    typed value is read in that format (:func:`simlib.report.numbers.parse_number`), checked against
    the registry's range, and set exactly (a cent, not the slider's step); a bad one is
    shown in red and changes nothing.
    """

    def __init__(self, lv: Lever, lang: str = "nl"):
        self.lever = lv
        self.lang = lang
        self.entry: W.Text | None = None
        self.entry_unit = W.HTML()
        self.entry_error = W.HTML()
        self._syncing = False
        if lv.kind == "bool":
            self.widget = W.Checkbox(value=lv.default, indent=False)
        elif lv.kind == "choice":
            self.widget = W.Dropdown(options=self._choices(lang), value=lv.default)
        else:
            cls = W.IntSlider if lv.kind == "int" else W.FloatSlider
            self.widget = cls(value=lv.default, min=lv.min, max=lv.max, step=lv.step or 1,
                              continuous_update=False, readout=False)
            self.entry = W.Text(continuous_update=False, layout=W.Layout(width="7em"))
            self.entry.observe(self._typed, names="value")
            self.widget.observe(lambda _ch: self._show_value(), names="value")
        self.widget.layout = W.Layout(width="95%" if self.entry is None else "62%")
        self.title = W.HTML()
        self.info = W.HTML()
        indent = "1.6em" if lv.parent else "0"
        row = self.widget if self.entry is None else W.HBox(
            [self.widget, self.entry, self.entry_unit], layout=W.Layout(width="95%"))
        self.box = W.VBox([self.title, row, self.entry_error, self.info],
                          layout=W.Layout(margin=f"0 0 0.6em {indent}"))
        self.set_lang(lang)

    def _choices(self, lang: str) -> list[tuple[str, str]]:
        return [(_choice_label(self.lever, c, lang), c) for c in self.lever.choices or ()]

    def _scale(self) -> float:
        return 100.0 if N.is_share(self.lever.unit) else 1.0

    def _show_value(self) -> None:
        """The read-out beside the slider: the value in the language's format."""
        if self.entry is None:
            return
        self._syncing = True
        try:
            self.entry.value = N.number(float(self.widget.value) * self._scale(), self.lang,
                                        N.lever_decimals(self.lever))
            self.entry_error.value = ""
        finally:
            self._syncing = False

    def _typed(self, change) -> None:
        """A value typed in the read-out: read, check, set (or say why not)."""
        if self._syncing:
            return
        lv, lang = self.lever, self.lang
        try:
            value = N.parse_number(change["new"], lang) / self._scale()
        except ValueError as exc:
            return self._refuse(str(exc))
        if lv.kind == "int":
            if not float(value).is_integer():
                return self._refuse(_t(lang, "whole").format(v=change["new"]))
            value = int(value)
        issue = lv.check(value)
        if issue:
            return self._refuse(_t(lang, "out_of_range").format(
                v=change["new"], lo=format_value(lv, lv.min, lang),
                hi=format_value(lv, lv.max, lang)))
        if value == self.widget.value:
            self._show_value()  # the same value, written the rule's way
        else:
            self.widget.value = value

    def _refuse(self, why: str) -> None:
        self.entry_error.value = (f"<span style='color:#D55E00;font-size:0.85em'>"
                                  f"{html.escape(why)}</span>")

    @property
    def value(self):
        """The control's value as the lever's type (a float lever rounded to its step)."""
        value = self.widget.value
        if self.lever.kind == "float":
            return round(float(value), _step_decimals(self.lever.step) + 2)
        return value

    def is_default(self) -> bool:
        return self.value == self.lever.default

    def reset(self) -> None:
        self.widget.value = self.lever.default

    def set_lang(self, lang: str) -> None:
        lv = self.lever
        self.lang = lang
        unit = label("units", lv.unit, lang)
        self.title.value = (f"<b>{html.escape(lv.label(lang))}</b> "
                            f"<span style='color:#555'>({html.escape(unit)})</span>")
        if lv.kind == "bool":
            self.widget.description = _t(lang, "on")
        if lv.kind == "choice":
            value = self.widget.value
            self.widget.options = self._choices(lang)
            self.widget.value = value
        if self.entry is not None:
            words = N.unit_words(lv.unit, lang)
            self.entry_unit.value = f"<span style='color:#555'>{html.escape(words)}</span>"
            self.entry.tooltip = _t(lang, "type_value")
            self._show_value()
        self.widget.tooltip = lv.description(lang)
        facts = [f"{_t(lang, 'today')}: {format_value(lv, lv.default, lang)}"]
        if lv.kind in ("int", "float"):
            facts.append(f"{_t(lang, 'range')} {format_value(lv, lv.min, lang, unit=False)}–"
                         f"{format_value(lv, lv.max, lang, unit=False)}")
        facts.append(f"{_t(lang, 'evidence')} {label('evidence', lv.evidence_grade, lang)}")
        facts.append(f"{_t(lang, 'status')}: {label('status', lv.status, lang)}")
        summary = html.escape(" · ".join(facts))
        self.info.value = (
            f"<div style='{_INFO_STYLE}'>{summary}<details><summary>{_t(lang, 'more')}"
            f"</summary><p>{html.escape(lv.description(lang))}</p>"
            f"<p><i>{_t(lang, 'passage')}:</i> {html.escape(lv.passage)}</p>"
            f"<p>{_t(lang, 'earliest')}: {month_text(lv.earliest_date, lang)}</p></details>"
            f"</div>")


class LeverPanel:
    """Controls for every lever of the registry, grouped by theme in an accordion.

    ``on_change(callback)`` calls ``callback()`` after each user change (once per
    :meth:`hold` block). :meth:`changed` holds the levers that differ from today's rules
    (children of a switched-off parent left out: the model ignores them);
    :meth:`scenario` makes a :class:`simlib.Scenario` of them.

    **When a change starts** — one rule for every app: a changed lever applies from its
    earliest possible date (the registry's ``earliest_date``), or from the school year chosen
    in :attr:`start` if that is later; :meth:`dated` writes the value that way and
    :meth:`scenario` is what every app runs, saves and exports. :attr:`note` is a line beside
    the reset button for the app to fill (a policy notebook says which scenario it opens on).
    """

    def __init__(self, lang: str = "nl", lever_list: Sequence[Lever] | None = None,
                 years: int = 10):
        from simlib.model.structure import Timeline

        self.lang = lang
        self.years = years
        self.controls: dict[str, LeverControl] = {}
        self._callbacks: list[Callable[[], None]] = []
        self._holding = 0
        self._pending = False
        self._relabelling = False
        themes: dict[str, list[LeverControl]] = {}
        for lv in lever_list if lever_list is not None else levers():
            control = LeverControl(lv, lang)
            self.controls[lv.id] = control
            themes.setdefault(lv.theme, []).append(control)
            control.widget.observe(self._changed, names="value")
        self.themes = list(themes)
        self.accordion = W.Accordion(children=[W.VBox([c.box for c in cs])
                                               for cs in themes.values()])
        self.reset_button = W.Button(icon="undo", layout=W.Layout(width="auto"))
        self.reset_button.on_click(lambda _b: self.reset())
        self.note = W.HTML()
        self._school_years = list(dict.fromkeys(Timeline(max(years, 1)).school_year()))
        # "" is each lever's earliest date (None would read as no choice in a dropdown)
        self.start = W.Dropdown(layout=W.Layout(width="95%"),
                                style={"description_width": "initial"})
        self.start_note = W.HTML()
        self.widget = W.VBox([self.reset_button, self.note, self.start, self.start_note,
                              self.accordion])
        for control in self.controls.values():
            if control.lever.parent:
                self.controls[control.lever.parent].widget.observe(
                    lambda _ch: self._enable_children(), names="value")
        self._enable_children()
        self.set_lang(lang)
        self.start.observe(lambda _ch: None if self._relabelling else self._changed(),
                           names="value")

    # values
    def values(self) -> dict:
        """Every lever's current value."""
        return {k: c.value for k, c in self.controls.items()}

    def changed(self) -> dict:
        """The levers whose control differs from today's rule (ignored children left out)."""
        out = {}
        for k, c in self.controls.items():
            parent = c.lever.parent
            if parent and not self.controls[parent].value:
                continue
            if not c.is_default():
                out[k] = c.value
        return out

    def start_date(self, lever_id: str) -> str:
        """The first day a change of ``lever_id`` applies: its earliest possible date, or
        the 1st of September of the chosen school year if that is later."""
        from simlib.inputs.levers import lever

        date = lever(lever_id).earliest_date
        if self.start.value:
            date = max(date, f"{self.start.value[:4]}-09-01")
        return date

    def dated(self, lever_id: str, value):
        """``value`` of ``lever_id`` as a scenario entry from :meth:`start_date` (a plain
        value if that is the first simulated month or earlier)."""
        from simlib.report.describe import simulation_start

        date = self.start_date(lever_id)
        return value if date <= simulation_start() else {date: value}

    def overrides(self) -> dict:
        """The changed levers as dated scenario entries (the one rule, see the class)."""
        return {k: self.dated(k, v) for k, v in self.changed().items()}

    def scenario(self, name: str | None = None, label_nl: str | None = None,
                 label_en: str | None = None):
        """The controls as a Scenario over the baseline: only the levers that differ from
        today's rules, each from its start (:meth:`dated`). With no change, the baseline."""
        changed = self.overrides()
        if not changed:
            return _scenarios.load_scenario("baseline")
        return _scenarios.scenario(name=name or _t("nl", "own_name"),
                               label_nl=label_nl or _t("nl", "own_label"),
                               label_en=label_en or _t("en", "own_label"), **changed)

    def set_values(self, values: dict) -> None:
        """Set several controls at once (one change notification)."""
        with self.hold():
            for k, v in values.items():
                self.controls[k].widget.value = v

    def reset(self) -> None:
        """Every control back to today's rule (one change notification)."""
        with self.hold():
            for control in self.controls.values():
                control.reset()

    # notifications
    def on_change(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    @contextlib.contextmanager
    def hold(self):
        """Collect changes made inside the block into one notification at its end."""
        self._holding += 1
        try:
            yield self
        finally:
            self._holding -= 1
            if not self._holding and self._pending:
                self._pending = False
                self._notify()

    def _changed(self, _change=None) -> None:
        if self._relabelling:  # a language change sets a dropdown's options: no user change
            return
        self._update_titles()
        if self._holding:
            self._pending = True
        else:
            self._notify()

    def _notify(self) -> None:
        for callback in self._callbacks:
            callback()

    def _enable_children(self) -> None:
        for control in self.controls.values():
            parent = control.lever.parent
            if parent:
                control.widget.disabled = not bool(self.controls[parent].widget.value)

    # language
    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self._relabelling = True
        try:
            for control in self.controls.values():
                control.set_lang(lang)
        finally:
            self._relabelling = False
        self.reset_button.description = _t(lang, "reset")
        self._relabelling = True
        try:
            self.start.description = _t(lang, "start")
            value = self.start.value or ""
            self.start.options = [(_t(lang, "start_earliest"), "")] + [
                (f"{_t(lang, 'school_year').lower()} {sy}", sy) for sy in self._school_years]
            self.start.value = value
        finally:
            self._relabelling = False
        self.start_note.value = f"<div style='{_INFO_STYLE}'>{_t(lang, 'start_note')}</div>"
        self._update_titles()

    def _update_titles(self) -> None:
        counts = {theme: 0 for theme in self.themes}
        for k in self.changed():
            counts[self.controls[k].lever.theme] += 1
        self.accordion.titles = tuple(
            _theme_label(theme, self.lang)
            + (f" · {counts[theme]} {_t(self.lang, 'changed')}" if counts[theme] else "")
            for theme in self.themes)


# --- the text of a notebook page ------------------------------------------------------------


class Page:
    """The headings and explanations of a notebook page (``simlib/pages.toml``, see
    :mod:`simlib.inputs.pages`) in the language of the page's toggle, so that the whole page reads in
    one language. ``Page(name, app.lang_toggle).section("intro")`` is an HTML widget that
    follows the toggle; several section names are shown one after the other."""

    def __init__(self, name: str, toggle: W.ToggleButtons | None = None, lang: str = "nl"):
        from simlib.inputs import pages

        pages.page(name)  # an unknown page fails here, not when shown
        self.name = name
        self.lang = toggle.value if toggle is not None else lang
        self._shown: list[tuple[W.HTML, tuple[str, ...]]] = []
        if toggle is not None:
            toggle.observe(lambda ch: self.set_lang(ch["new"]), names="value")

    def section(self, *names: str) -> W.HTML:
        widget = W.HTML()
        self._shown.append((widget, names))
        self._fill(widget, names)
        return widget

    def _fill(self, widget: W.HTML, names: tuple[str, ...]) -> None:
        from simlib.inputs import pages

        widget.value = "".join(pages.html(self.name, n, self.lang) for n in names)

    def follow(self, toggle: W.ToggleButtons) -> Page:
        """Follow ``toggle`` from now on (a page whose app is made after its first text)."""
        toggle.observe(lambda ch: self.set_lang(ch["new"]), names="value")
        if toggle.value != self.lang:
            self.set_lang(toggle.value)
        return self

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        for widget, names in self._shown:
            self._fill(widget, names)


class Translated:
    """Something shown as HTML in the language of a toggle: ``make(lang)`` returns what to
    show (anything with ``_repr_html_``, e.g. a table, or an HTML string), made anew when
    the language changes."""

    def __init__(self, make: Callable[[str], object], toggle: W.ToggleButtons | None = None,
                 lang: str = "nl"):
        self.make = make
        self.widget = W.HTML()
        self.set_lang(toggle.value if toggle is not None else lang)
        if toggle is not None:
            toggle.observe(lambda ch: self.set_lang(ch["new"]), names="value")

    def set_lang(self, lang: str) -> None:
        shown = self.make(lang)
        self.widget.value = shown if isinstance(shown, str) else shown._repr_html_()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def key_figures_view(result, toggle: W.ToggleButtons | None = None,
                     group: str = "all") -> Translated:
    """:func:`key_figures` in the language of ``toggle``."""
    return Translated(lambda lang: key_figures(result, group, lang), toggle)


def checks_view(report, toggle: W.ToggleButtons | None = None) -> Translated:
    """A :class:`simlib.analysis.checks.CheckReport` in the language of ``toggle``."""
    import dataclasses

    return Translated(lambda lang: dataclasses.replace(report, lang=lang), toggle)


def calibration_view(*results, toggle: W.ToggleButtons | None = None) -> Translated:
    """:func:`simlib.report.tables.calibration_table` of ``results`` in the language of ``toggle``."""
    from simlib.report.tables import calibration_table

    return Translated(lambda lang: calibration_table(*results, lang=lang), toggle)


# --- a chart as an image, with its numbers -------------------------------------------------


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


# --- export panel --------------------------------------------------------------------------


# Browser downloads (simlib.report.downloads): the texts of ExportPanel's "browser" mode.
_DOWNLOAD_TEXT = texts("ui_download")


class ExportPanel:
    """Folder, file name, two options and one button that exports the shown chart(s).

    ``source`` is a :class:`Chart`, a list of Charts, or a callable returning either (so
    the panel always exports what is shown now). :meth:`export` is what the button calls;
    it returns the paths written (and lists them in the panel) or shows why not.

    Every export is also offered as browser downloads: links under the button that carry
    the files themselves (:mod:`simlib.report.downloads`). ``mode="browser"`` (the default in the
    dashboard, see :func:`simlib.report.downloads.default_mode`) writes nothing on the server: the
    folder and overwrite fields are hidden and the button makes the links only
    (:meth:`download`).

    The links are only ever for what is on screen: :meth:`outdated` withdraws them (with a
    line saying why). The apps call it from their redraw (a lever, an option, the language,
    a scenario pick); the panel also calls it itself when a chart it exported is redrawn
    (its image changes), so a panel built beside any app, as in the uncertainty notebook,
    never offers files of an earlier setting either.
    """

    def __init__(self, source, lang: str = "nl", folder: str | Path | None = None,
                 stem: str = "grafiek", date=None, mode: str | None = None):
        self.source = source
        self.lang = lang
        self.date = date
        self.title = W.HTML()
        self.folder = W.Text(value=str(default_folder("export") if folder is None else folder))
        self.stem = W.Text(value=stem)
        self.belgian = W.Checkbox(value=False, indent=False)
        self.overwrite = W.Checkbox(value=False, indent=False)
        self.button = W.Button(icon="download", button_style="primary",
                               layout=W.Layout(width="auto"))
        self.message = W.HTML()
        self.paths: list[Path] = []
        self.button.on_click(lambda _b: self.export())
        # --- browser downloads (simlib.report.downloads): links carrying the files themselves ---
        self.mode = mode or _downloads.default_mode()
        if self.mode not in ("files", "browser"):
            raise ValueError(f"mode must be 'files' or 'browser', not {self.mode!r}")
        self.files: dict[str, bytes] = {}
        self.links = W.HTML()
        self._watched: list = []  # the images of the charts exported (outdated on a change)
        if self.mode == "browser":  # nothing is written on the server: no folder to choose
            self.folder.layout.display = "none"
            self.overwrite.layout.display = "none"
        self.stem.style.description_width = "initial"  # labels not cut off
        self.belgian.layout.width = "auto"
        # --- end browser downloads ---
        self.widget = W.VBox([self.title, W.HBox([self.folder, self.stem]),
                              W.HBox([self.belgian, self.overwrite]), self.button, self.message,
                              self.links])
        self.set_lang(lang)

    def _charts(self) -> list[Chart]:
        charts = self.source() if callable(self.source) else self.source
        return list(charts) if isinstance(charts, list | tuple) else [charts]

    def _items(self, stem: str) -> tuple[dict, list]:
        """What :func:`simlib.report.export.export_many` takes: ``{stem: (figure, table, note)}``
        for the charts shown (``note``: a chart's ``extra_note``, e.g. what its uncertainty
        bands include, put after the scenarios' footnote of that chart only), and the
        scenarios shown."""
        charts = self._charts()
        items = {stem if len(charts) == 1 else f"{stem}_{c.name}": (
            c.export_figure() if hasattr(c, "export_figure") else c.figure, c.table,
            getattr(c, "extra_note", None)) for c in charts}
        return items, [sc for c in charts for sc in c.scenarios]

    def export(self) -> list[Path]:
        """Export now; returns the paths written ([] and a message if refused). In
        ``"browser"`` mode nothing is written: see :meth:`download`."""
        if self.mode == "browser":
            self.download()
            return []
        items, scenarios = self._items(self.stem.value.strip() or "grafiek")
        try:
            self.paths = _export.export_many(
                self.folder.value.strip() or ".", items, scenarios, lang=self.lang,
                date=self.date, overwrite=self.overwrite.value,
                belgian_excel=self.belgian.value)
        except (OSError, ValueError) as exc:
            self.paths = []
            self.message.value = (f"<span style='color:#D55E00'>"
                                  f"{html.escape(_t(self.lang, 'error').format(e=exc))}</span>")
            return []
        listed = "".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in self.paths)
        self.message.value = f"{_t(self.lang, 'written')}:<ul>{listed}</ul>"
        self.files = _downloads.read_files(self.paths)  # the same files, as downloads
        self.links.value = _downloads.links_html(self.files, self.lang)
        self._watch()
        return self.paths

    # --- browser downloads (simlib.report.downloads) ---
    def download(self) -> dict[str, bytes]:
        """Make the files of an export without writing them on the server and offer them
        as download links (``{name: bytes}``, also kept in :attr:`files`)."""
        lang = self.lang
        items, scenarios = self._items(_export._file_name(self.stem.value.strip() or "grafiek"))
        self.links.value = ""
        self.message.value = f"<span style='color:#E69F00'>{_DOWNLOAD_TEXT[lang]['busy']}</span>"
        try:
            self.files = _downloads.export_files(items, scenarios, lang=lang, date=self.date,
                                                 belgian_excel=self.belgian.value)
        except (OSError, ValueError) as exc:
            self.files = {}
            self.message.value = (f"<span style='color:#D55E00'>"
                                  f"{html.escape(_t(lang, 'error').format(e=exc))}</span>")
            return {}
        self.message.value = ""
        self.links.value = _downloads.links_html(self.files, lang)
        self._watch()
        return self.files

    def outdated(self) -> None:
        """What is shown has changed: withdraw the links (and the files) made for what was
        shown before, and say so. Nothing to do if none are offered."""
        self._unwatch()
        if not (self.files or self.links.value):
            return
        self.files = {}
        self.links.value = ""
        self.message.value = (f"<span style='color:#555'>"
                              f"{_DOWNLOAD_TEXT[self.lang]['outdated']}</span>")

    def _watch(self) -> None:
        """Observe the images of the charts just exported: a redraw makes the links stale."""
        self._unwatch()
        for chart in self._charts():
            image = getattr(chart, "image", None)
            if isinstance(image, W.Widget):
                image.observe(self._image_changed, names="value")
                self._watched.append(image)

    def _unwatch(self) -> None:
        for image in self._watched:
            image.unobserve(self._image_changed, names="value")
        self._watched = []

    def _image_changed(self, _change) -> None:
        self.outdated()
    # --- end browser downloads ---

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self.title.value = f"<b>{_t(lang, 'export_title')}</b>"
        self.folder.description = _t(lang, "folder")
        self.stem.description = _t(lang, "stem")
        self.belgian.description = _t(lang, "belgian")
        self.overwrite.description = _t(lang, "overwrite")
        self.button.description = _t(lang, "export")
        if self.mode == "browser":  # browser downloads
            self.button.description = _DOWNLOAD_TEXT[lang]["button"]

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


# --- apps ----------------------------------------------------------------------------------


def _indicator_options(lang: str) -> list[tuple[str, str]]:
    from simlib.model.outcomes import INDICATORS

    return [(label("indicators", ind.id, lang), ind.id) for ind in INDICATORS]


class _App:
    """The frame the apps share: language toggle, status line, chart, summary, export, and
    the option of uncertainty bands on the chart (off: nothing is swept)."""

    views: tuple[str, ...] = ("trend",)
    #: extra policy modules the runs use (a sweep cannot: no bands with them)
    modules: tuple = ()

    def __init__(self, years: int = 10, lang: str = "nl", export_folder: str | None = None):
        self.years = years
        self.lang = lang
        self._quiet = False
        self.status = W.HTML()
        self.busy = False
        self.summary = W.HTML()
        self.lang_toggle = W.ToggleButtons(options=list(LANGS), value=lang,
                                           style={"button_width": "7em"})
        self.lang_toggle.observe(lambda ch: self.set_lang(ch["new"]), names="value")
        self.view = W.Dropdown()
        self.indicator = W.Dropdown(value=None)
        self.school_year = W.Dropdown()
        self.by = W.Dropdown()
        self.group = W.Dropdown()
        self.hide_non_dual = W.Checkbox(value=True, indent=False)
        for control in (self.view, self.indicator, self.school_year, self.by, self.group,
                        self.hide_non_dual):
            control.observe(self._options_changed, names="value")
            control.style.description_width = "initial"
        self.indicator.layout.width = "34em"
        self.group.layout.width = "22em"
        # uncertainty bands: an option, off by default (see :meth:`_bands`)
        self.show_bands = W.Checkbox(value=False, indent=False, layout=W.Layout(width="auto"))
        self.band_draws = W.BoundedIntText(value=BAND_DRAWS, min=2, max=1000,
                                           layout=W.Layout(width="12em"))
        self.band_draws.style.description_width = "initial"
        self.band_progress = W.IntProgress(value=0, min=0, max=1,
                                           layout=W.Layout(width="12em", display="none"))
        self.band_status = W.HTML()
        self.band_seed = BAND_SEED
        self.show_bands.observe(self._options_changed, names="value")
        self.band_draws.observe(
            lambda ch: self._options_changed(ch) if self.show_bands.value else None,
            names="value")
        self.band_box = W.HBox([self.show_bands, self.band_draws, self.band_progress,
                                self.band_status])
        self.results: list = []
        self.chart = Chart(self._kinds(self.views[0]), lang=lang)
        self.export_panel = ExportPanel(lambda: self.chart, lang=lang, folder=export_folder,
                                        stem=self._stem())

    @property
    def runs(self) -> int:
        """Model runs made by any app of this process (cache hits do not count)."""
        return RUNS["count"]

    # options
    def _kinds(self, view: str) -> tuple[str, ...]:
        return (view,)

    def _stem(self) -> str:
        return "grafiek"

    def _fill_options(self) -> None:
        lang = self.lang
        with self._quietly():
            keep = {w: w.value for w in (self.view, self.indicator, self.school_year, self.by,
                                         self.group)}
            self.view.options = [(plots.chart_label(v, lang), v) for v in self.views]
            self.indicator.options = _indicator_options(lang)
            years = list(dict.fromkeys(self.results[0].indicators.school_year)) \
                if self.results else []
            self.school_year.options = years
            self.by.options = [(label("axes", a, lang), a) for a in plots.BREAKDOWN_AXES]
            groups = list(dict.fromkeys(self.results[0].indicators.group)) \
                if self.results else ["all"]
            self.group.options = [(label("groups", g, lang), g) for g in groups]
            defaults = {self.view: self.views[0], self.indicator: "dual_contract_learners",
                        self.school_year: years[-1] if years else None, self.by: "region",
                        self.group: "all"}
            for w, old in keep.items():
                values = [o[1] if isinstance(o, tuple) else o for o in w.options]
                w.value = old if old in values else defaults[w]
            self.view.description = _t(lang, "view")
            self.indicator.description = _t(lang, "indicator")
            self.school_year.description = _t(lang, "school_year")
            self.by.description = _t(lang, "by")
            self.group.description = _t(lang, "group")
            self.hide_non_dual.description = _t(lang, "hide_non_dual")
            self.show_bands.description = _t(lang, "bands")
            self.band_draws.description = _t(lang, "band_draws")
            self._show_relevant()

    def _show_relevant(self) -> None:
        view = self.view.value
        shown = {
            self.indicator: view in ("trend", "difference", "breakdown"),
            self.group: view in ("trend", "difference"),
            self.school_year: view in ("sankey", "breakdown"),
            self.by: view == "breakdown",
            self.hide_non_dual: view == "sankey",
        }
        for w, on in shown.items():
            w.layout.display = None if on else "none"
        self.band_box.layout.display = None if self._bands_possible() else "none"

    def _bands_possible(self) -> bool:
        """Whether the chart shown can take uncertainty bands."""
        kinds = self._kinds(self.view.value or self.views[0])
        return not self.modules and any(k in BAND_KINDS for k in kinds)

    @contextlib.contextmanager
    def _quietly(self):
        old, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = old

    def _options_changed(self, _change=None) -> None:
        if self._quiet:
            return
        self._show_relevant()
        self.redraw()

    def _chart_opts(self) -> dict:
        return {"indicator": self.indicator.value, "group": self.group.value,
                "by": self.by.value, "school_year": self.school_year.value,
                "hide": ("non_dual",) if self.hide_non_dual.value else ()}

    # status
    def _set_busy(self, busy: bool, seconds: float | None = None) -> None:
        self.busy = busy
        if busy:
            self.status.value = f"<span style='color:#E69F00'>{_t(self.lang, 'busy')}</span>"
        elif seconds is not None:
            text = _t(self.lang, "done").format(s=plots.number(seconds, self.lang, 2))
            self.status.value = f"<span style='color:#009E73'>{text}</span>"

    def _error(self, exc: Exception) -> None:
        self.busy = False
        self.status.value = (f"<span style='color:#D55E00'>"
                             f"{html.escape(_t(self.lang, 'error').format(e=exc))}</span>")

    # drawing
    def redraw(self) -> bool:
        """Redraw the chart and the summary from the current results (no model run);
        False (and the error in the status line) if that failed."""
        self.export_panel.outdated()  # the files offered were made for what was shown before
        if not self.results:
            return False
        try:
            kinds = self._kinds(self.view.value or self.views[0])
            if kinds != self.chart.kinds:
                self.chart.set_kinds(kinds)
            self.chart.bands = self._bands()
            self.chart.redraw(results=self._shown(), lang=self.lang, **self._chart_opts())
            self.summary.value = self._summary()
        except Exception as exc:  # shown in the app: an observer must not raise
            self._error(exc)
            return False
        return True

    def _shown(self):
        return self.results

    def _bands(self) -> Bands | None:
        """The bands of the scenarios shown when the box is ticked and the chart takes them
        (:func:`bands_cached`: a sweep with a progress bar, unless remembered); None
        otherwise, at no cost. A failure is shown beside the box; the chart draws without."""
        if not (self.show_bands.value and self._bands_possible()):
            self.band_progress.layout.display = "none"
            self.band_status.value = ""
            return None
        lang, draws = self.lang, self.band_draws.value
        bar = self.band_progress
        bar.value, bar.layout.display = 0, None
        self.band_status.value = (f"<span style='color:#E69F00'>"
                                  f"{_t(lang, 'bands_busy').format(n=draws)}</span>")

        def tick(done: int, total: int) -> None:
            bar.max, bar.value = max(total, 1), done

        try:
            bands = bands_cached([r.scenario for r in self._shown()], self.indicator.value,
                                 self.group.value or "all", self.years, draws, self.band_seed,
                                 progress=tick)
        except Exception as exc:  # shown beside the box: an observer must not raise
            bar.layout.display = "none"
            self.band_status.value = (f"<span style='color:#D55E00'>"
                                      f"{html.escape(_t(lang, 'error').format(e=exc))}</span>")
            return None
        bar.value = bar.max
        text = _t(lang, "bands_done").format(n=draws, seed=self.band_seed)
        self.band_status.value = f"<span style='color:#009E73'>{text}</span>"
        return bands

    def _summary(self) -> str:
        return ""

    def set_lang(self, lang: str) -> None:
        """Switch every label to ``lang`` ("nl" or "en") and redraw (no model run)."""
        self.lang = lang
        if self.lang_toggle.value != lang:
            self.lang_toggle.value = lang
        self.export_panel.set_lang(lang)
        self._set_lang_extra(lang)
        self._fill_options()
        self.redraw()

    def _set_lang_extra(self, lang: str) -> None:
        pass

    def _controls(self) -> W.Widget:
        return W.VBox([W.HBox([self.view, self.indicator]),
                       W.HBox([self.school_year, self.by, self.group, self.hide_non_dual]),
                       self.band_box])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _summary_html(lines: Iterable[str], title: str | None = None) -> str:
    lines = list(lines)
    head = f"<b>{html.escape(title)}</b>" if title else ""
    if not lines:
        return head
    items = "".join(f"<li>{html.escape(line.removeprefix('- '))}</li>" for line in lines)
    return f"{head}<ul style='margin-top:0.2em'>{items}</ul>"


def _comparison_text(a, b, lang: str, indicators: Sequence[str], school_year: str | None,
                     group: str = "all") -> str:
    from simlib.model.outcomes import PARTS
    from simlib.report.summary import summary

    shown = [*indicators, *(p for i in indicators for p in PARTS.get(i, ()))]
    a, b = plots._Slim(a, shown, [group]), plots._Slim(b, shown, [group])
    ia, ib = a.indicators, b.indicators
    year = school_year or max(ia.school_year)
    present = set(ia[(ia.school_year == year) & ia.value.notna()].indicator) | set(
        ib[(ib.school_year == year) & ib.value.notna()].indicator)
    wanted = [i for i in dict.fromkeys(indicators) if i in present]
    text = summary(a, b, indicators=wanted, school_year=year, lang=lang, group=group)
    first, *rest = text.split("\n")
    merged: list[str] = []  # a parts line ("  waarvan ...") goes with the line above it
    for line in rest:
        if line.startswith("  ") and merged:
            merged[-1] += "; " + line.strip()
        else:
            merged.append(line)
    return _summary_html(merged, first)


class _VariantApp(_App):
    """An app that shows a variant of the levers (``self.scenario()``, plus the extra policy
    modules ``self.modules``) against the baseline ``self.base``."""

    #: views that compare the two runs even when the variant is the baseline
    difference_views: tuple[str, ...] = ("difference",)

    def update(self) -> None:
        """Rerun the model for the current levers (cached) and redraw."""
        self._set_busy(True)
        start = time.perf_counter()
        try:
            self.variant = run_cached(self.scenario(), self.years, self.modules)
        except Exception as exc:  # shown in the app: an observer must not raise
            self._error(exc)
            return
        self.results = [self.base, self.variant]
        if self.redraw():
            self._set_busy(False, time.perf_counter() - start)

    def _shown(self):
        same = self.variant.scenario.name == self.base.scenario.name
        return [self.base] if same and self.view.value not in self.difference_views \
            else self.results


class ScenarioApp(_VariantApp):
    """Move levers, see the variant against the baseline: the one-line notebook app.

    ``ScenarioApp()`` builds everything; display it (``app``) or its parts (``app.main``
    without, ``app.export_panel`` the export panel). A lever change reruns the model once
    (busy indicator while it runs) and redraws the chart and the summary.
    """

    views = ("trend", "difference", "stocks", "sankey", "breakdown")

    def __init__(self, years: int = 10, lang: str = "nl", export_folder: str | None = None):
        super().__init__(years, lang, export_folder)
        self.panel = LeverPanel(lang, years=years)
        self.panel.on_change(self.update)
        self.base = baseline(years)
        self.variant = self.base
        self.results = [self.base, self.variant]
        self._fill_options()
        self.update()
        left = W.VBox([self.lang_toggle, self.panel.widget],
                      layout=W.Layout(width="40%", min_width="22em"))
        right = W.VBox([self._controls(), self.status, self.chart.widget, self.summary],
                       layout=W.Layout(width="60%"))
        self.main = W.HBox([left, right])
        self.widget = W.VBox([self.main, self.export_panel.widget])

    def _kinds(self, view: str) -> tuple[str, ...]:
        return (view,)

    def _stem(self) -> str:
        return "scenario_grafiek"

    def scenario(self):
        """The scenario of the current levers (the baseline if none changed)."""
        return self.panel.scenario()


    def _summary(self) -> str:
        lang = self.lang
        changes = lever_differences(None, self.variant.scenario, lang)
        text = _summary_html(changes, _t(lang, "levers_changed")) if changes else \
            f"<b>{_t(lang, 'no_levers')}</b>"
        sy = self.school_year.value if self.view.value in ("sankey", "breakdown") else None
        return text + _comparison_text(self.base, self.variant, lang,
                                       (*SUMMARY_INDICATORS, self.indicator.value), sy,
                                       self.group.value if self.view.value in
                                       ("trend", "difference") else "all")

    def _set_lang_extra(self, lang: str) -> None:
        self.panel.set_lang(lang)


class BaselineExplorer(_App):
    """The baseline explorer: stocks over time, the Sankey of a school year, breakdowns by
    region, sector, finality, provider and indicator pupils, any indicator over time."""

    views = ("stocks", "sankey", "breakdown", "trend")

    def __init__(self, years: int = 10, lang: str = "nl", export_folder: str | None = None):
        super().__init__(years, lang, export_folder)
        self.results = [baseline(years)]
        self._fill_options()
        with self._quietly():  # the first school year, and the whole system in the Sankey
            self.school_year.value = self.school_year.options[0]
            self.hide_non_dual.value = False
        self.redraw()
        self.main = W.VBox([self.lang_toggle, self._controls(), self.chart.widget])
        self.widget = W.VBox([self.main, self.export_panel.widget])

    def _stem(self) -> str:
        return "basislijn"


# "Save as scenario" of CompareApp: its texts in the dashboard ("browser" mode: a download).
_SAVE_TEXT = texts("ui_save")


class CompareApp(_App):
    """Two scenarios side by side: files of ``scenarios/`` (and of ``save_dir``) or the current
    sliders; the indicator over time and the difference B - A, a text of what changed and by
    how much, and a box to save the sliders as a scenario file.

    Saving (:meth:`save`) follows :func:`simlib.report.downloads.default_mode`: in JupyterLab
    ("files") the file is written in the folder of the box's folder field (``save_dir`` at
    first) and offered in both lists, with the files of that folder; in the dashboard
    ("browser") nothing is written on the server and no saved file is listed (the folder
    would be every user's): the file is offered as a download, to upload again later."""

    views = ("trend",)

    def __init__(self, a: str = "baseline", b: str = SLIDERS, years: int = 10,
                 lang: str = "nl", save_dir: str | Path | None = None,
                 export_folder: str | Path | None = None):
        super().__init__(years, lang, export_folder)
        self.save_dir = Path(save_dir or default_folder("mijn_scenarios", "data"))
        self.save_mode = _downloads.default_mode()  # save: "browser" in the dashboard
        self.panel = LeverPanel(lang, years=years)
        self.panel.on_change(self._levers_changed)
        self.pick_a = W.Dropdown(layout=W.Layout(width="auto"))
        self.pick_b = W.Dropdown(layout=W.Layout(width="auto"))
        self.upload = ScenarioUpload(lang)  # upload: a scenario file, offered in both lists
        self.upload.on_scenario(self._uploaded)  # upload
        self._fill_picks(a, b)
        self.pick_a.observe(lambda _c: None if self._quiet else self.update(), names="value")
        self.pick_b.observe(lambda _c: None if self._quiet else self.update(), names="value")
        self.save_name = W.Text(value="mijn_scenario")
        self.save_label = W.Text(value="")
        self.save_overwrite = W.Checkbox(value=False, indent=False)
        self.save_button = W.Button(icon="save", layout=W.Layout(width="auto"))
        self.save_button.on_click(lambda _b: self.save())
        self.save_message = W.HTML()
        self.save_title = W.HTML()
        # save: a download in the dashboard ("browser"), a file in the folder field elsewhere
        self.save_folder = W.Text(value=str(self.save_dir))
        self.save_files: dict[str, bytes] = {}
        self.save_links = W.HTML()
        if self.save_mode == "browser":
            self.save_folder.layout.display = "none"
            self.save_overwrite.layout.display = "none"
        self.panel.on_change(self._save_outdated)
        self.panel_title = W.HTML()
        self.chart = Chart(("trend", "difference"), lang=lang)
        self.export_panel.source = lambda: self.chart
        self.export_panel.stem.value = "vergelijking"
        self.update()
        for field in (self.save_folder, self.save_name, self.save_label):  # labels not cut off
            field.style.description_width = "initial"
            field.layout.width = "95%"
        save_box = W.VBox([self.save_title, self.save_folder, self.save_name, self.save_label,
                           W.HBox([self.save_overwrite, self.save_button]), self.save_message,
                           self.save_links, self.upload.widget])  # upload
        picks = W.VBox([self.pick_a, self.pick_b])
        controls = W.VBox([W.HBox([self.indicator, self.group]), self.band_box])
        self.main = W.VBox([
            self.lang_toggle, picks, controls, self.status, self.chart.widget, self.summary,
            W.HBox([W.VBox([self.panel_title, self.panel.widget],
                           layout=W.Layout(width="60%")),
                    W.VBox([save_box], layout=W.Layout(width="40%"))])])
        self.widget = W.VBox([self.main, self.export_panel.widget])
        self._set_lang_extra(lang)

    def _kinds(self, view: str) -> tuple[str, ...]:
        return ("trend", "difference")

    # scenarios to pick from
    def _saved(self) -> list[Path]:
        if self.save_mode == "browser":  # the dashboard: that folder is every user's
            return []
        return sorted(self.save_dir.glob("*.toml")) if self.save_dir.is_dir() else []

    def _options(self) -> list[tuple[str, str]]:
        from simlib.inputs.scenario import scenario_names

        lang = self.lang
        opts = [(_t(lang, "sliders"), SLIDERS)]
        for name in scenario_names():
            opts.append((_scenarios.load_scenario(name).label(lang), name))
        for path in self._saved():
            try:
                sc = _scenarios.load_scenario(path)
            except _scenarios.ScenarioError:
                continue  # an invalid file is not offered
            opts.append((f"{sc.label(lang)} ({_t(lang, 'saved_file')} {path.name})", str(path)))
        opts += [(self.upload.label(key, lang), key) for key in self.upload.scenarios]  # upload
        return opts

    def _fill_picks(self, a: str | None = None, b: str | None = None) -> None:
        with self._quietly():
            options = self._options()
            values = [v for _, v in options]
            a = a if a is not None else self.pick_a.value
            b = b if b is not None else self.pick_b.value
            self.pick_a.options = options
            self.pick_b.options = options
            self.pick_a.value = a if a in values else "baseline"
            self.pick_b.value = b if b in values else SLIDERS
            if hasattr(self, "save_title"):
                self._label_picks()

    def _scenario(self, key: str):
        if key in self.upload.scenarios:  # upload
            return self.upload.scenarios[key]
        return self.panel.scenario() if key == SLIDERS else _scenarios.load_scenario(key)

    def _uploaded(self, key: str, _scenario) -> None:
        """An uploaded scenario becomes scenario B (upload)."""
        self._fill_picks(b=key)
        self.update()

    def update(self) -> None:
        """Run (cached) the two picked scenarios and redraw."""
        self._set_busy(True)
        start = time.perf_counter()
        try:
            self.results = [run_cached(self._scenario(self.pick_a.value), self.years),
                            run_cached(self._scenario(self.pick_b.value), self.years)]
        except Exception as exc:  # shown in the app: an observer must not raise
            self._error(exc)
            return
        if not self.group.options:
            self._fill_options()
        if self.redraw():
            self._set_busy(False, time.perf_counter() - start)

    def _levers_changed(self) -> None:
        if SLIDERS in (self.pick_a.value, self.pick_b.value):
            self.update()

    def _summary(self) -> str:
        a, b = (r.scenario for r in self.results)
        lang = self.lang
        diffs = lever_differences(a, b, lang)
        text = _summary_html(diffs, _t(lang, "lever_diff")) if diffs else \
            f"<b>{_t(lang, 'no_lever_diff')}</b>"
        return text + _comparison_text(self.results[0], self.results[1], lang,
                                       (*SUMMARY_INDICATORS, self.indicator.value), None,
                                       self.group.value)

    def save(self) -> Path | None:
        """Save the sliders as a scenario file ``NAME.toml``.

        "files" mode: written in the folder of the folder field (never overwriting without
        the box ticked), then offered in both lists; returns the path. "browser" mode (the
        dashboard): nothing is written on the server; the file (validated) is offered as a
        download link and kept in :attr:`save_files`; returns None. None and a message too
        when refused."""
        lang = self.lang
        name = _export._file_name(self.save_name.value.strip())
        title = self.save_label.value.strip() or name
        changed = self.panel.overrides()  # dated as the run is (LeverPanel's one rule)
        folder = Path(self.save_folder.value.strip() or ".")
        path = folder / f"{name}.toml"
        self.save_files, self.save_links.value = {}, ""
        try:
            sc = _scenarios.scenario(name=name, label_nl=title, label_en=title, **changed)
            if self.save_mode == "browser":
                self.save_files = _downloads.scenario_file(sc, name)
            else:
                _export.write_scenario(sc, path, overwrite=self.save_overwrite.value)
                _scenarios.load_scenario(path)  # it must validate
        except (OSError, ValueError) as exc:
            self.save_message.value = (f"<span style='color:#D55E00'>"
                                       f"{html.escape(_t(lang, 'error').format(e=exc))}</span>")
            return None
        if self.save_mode == "browser":
            self.save_message.value = html.escape(_SAVE_TEXT[lang]["ready"])
            self.save_links.value = _downloads.links_html(self.save_files, lang)
            return None
        self.save_dir = folder
        self._fill_picks()
        self.save_message.value = html.escape(_t(lang, "saved").format(p=path))
        return path

    def _save_outdated(self) -> None:
        """The sliders moved: a scenario file offered for download is withdrawn."""
        if self.save_files:
            self.save_files, self.save_links.value = {}, ""
            self.save_message.value = html.escape(_SAVE_TEXT[self.lang]["outdated"])

    def _set_lang_extra(self, lang: str) -> None:
        if not hasattr(self, "save_title"):
            return
        self.panel.set_lang(lang)
        self.upload.set_lang(lang)  # upload
        self._fill_picks()
        self.save_title.value = f"<b>{_t(lang, 'save_title')}</b>"
        self.panel_title.value = f"<b>{_t(lang, 'lever_panel')}</b> ({_t(lang, 'sliders')})"
        self.save_name.description = _t(lang, "save_name")
        self.save_label.description = _t(lang, "save_label")
        self.save_overwrite.description = _t(lang, "overwrite")
        self.save_button.description = _t(lang, "save")
        self.save_folder.description = _t(lang, "folder")
        if self.save_mode == "browser":  # save: a download
            self.save_title.value = f"<b>{_SAVE_TEXT[lang]['title']}</b>"
            self.save_button.description = _SAVE_TEXT[lang]["button"]
            self.save_links.value = _downloads.links_html(self.save_files, lang)
        self._label_picks()

    def _label_picks(self) -> None:
        for pick, key in ((self.pick_a, "scenario_a"), (self.pick_b, "scenario_b")):
            pick.description = _t(self.lang, key)
            pick.style.description_width = "initial"


class Gallery(_App):
    """A few fixed charts of given results (stacked), with a language toggle and an export
    panel that writes all of them: the start notebook's baseline in three charts."""

    def __init__(self, results, kinds: Sequence[str] = ("stocks", "sankey", "trend"),
                 lang: str = "nl", export_folder: str | Path | None = None, **opts):
        super().__init__(years=0, lang=lang, export_folder=export_folder)
        self.results = results if isinstance(results, list | tuple) else [results]
        self.charts = [Chart((kind,), self.results, lang=lang, **opts) for kind in kinds]
        self.chart = self.charts[0]
        self.export_panel.source = lambda: self.charts
        self.export_panel.stem.value = "basislijn"
        self.main = W.VBox([self.lang_toggle, *[c.widget for c in self.charts]])
        self.widget = W.VBox([self.main, self.export_panel.widget])

    def _fill_options(self) -> None:
        pass

    def redraw(self) -> None:
        self.export_panel.outdated()  # the files offered were made for what was shown before
        for chart in getattr(self, "charts", []):
            chart.redraw(lang=self.lang)


# --- a policy theme ------------------------------------------------------------------------


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


_THEME_TEXT = texts("theme_app")


class ThemeApp(_VariantApp):
    """One policy notebook: a theme of ``simlib/themes.toml`` (:mod:`simlib.report.themes`).

    Builds the header (title, action, the passages of the SERV advice, the question), a
    :class:`LeverPanel` with only the theme's levers, set to the theme's variant scenario,
    a grid of the theme's indicators (variant against baseline over school years), a detail
    chart (difference, breakdown by the theme's axes, and for some themes the region x sector
    map), the generated text (:func:`simlib.report.texts.report`: what changed, by how much, for
    whom, at what cost, which assumptions), the model's answer for the theme's own scenario
    (:func:`simlib.report.texts.answer`), a language toggle and an export panel (both charts).

    A lever change applies from the lever's ``earliest_date`` (as the scenario files do) and
    reruns the model once. ``extra_modules`` are policy modules outside the registry (see
    :func:`simlib.analysis.checks.policy_module`) the variant runs with.
    """

    difference_views = ("difference", "gap_map_change")

    def __init__(self, theme: str, years: int = 10, lang: str = "nl",
                 export_folder: str | Path | None = None, extra_modules: Sequence = ()):
        from simlib.inputs.levers import lever
        from simlib.report import themes

        self.theme = themes.theme(theme)
        self.modules = tuple(extra_modules)
        gap = ("gap_map", "gap_map_change") if "gap_map" in self.theme.charts else ()
        self.views = (*gap, "difference", "breakdown", "trend", "stocks", "sankey")
        super().__init__(years, lang, export_folder)
        self.header = W.HTML()
        self.panel_title = W.HTML()
        self.panel = LeverPanel(lang, [lever(i) for i in self.theme.levers], years=years)
        self.file_scenario = _scenarios.load_scenario(self.theme.scenario)
        with self.panel.hold():  # start from the theme's variant (no callback yet)
            self.panel.set_values({k: list(v.values())[-1]
                                   for k, v in self.file_scenario.changed().items()})
        self.panel.on_change(self.update)
        if not self.theme.levers:  # no reset button over an empty panel
            self.panel.widget.layout.display = "none"
        self.grid = TrendGrid(self.theme.indicators, lang=lang)
        self.grid_title = W.HTML()
        self.detail_title = W.HTML()
        self.text_title = W.HTML()
        self.answer = W.HTML()
        self.export_panel.source = lambda: [self.grid, self.chart]
        self.export_panel.stem.value = self.theme.id
        self.base = baseline(years)
        self.variant = self.base
        self.results = [self.base, self.variant]
        self._fill_options()
        self.update()
        left = W.VBox([self.panel_title, self.panel.widget],
                      layout=W.Layout(width="36%", min_width="20em"))
        right = W.VBox([self.status, self.grid_title, self.grid.widget],
                       layout=W.Layout(width="64%"))
        self.main = W.VBox([
            self.lang_toggle, self.header, W.HBox([left, right]), self.detail_title,
            self._controls(), self.chart.widget, self.text_title, self.summary])
        self.widget = W.VBox([self.main, self.answer, self.export_panel.widget])
        self._set_lang_extra(lang)

    # options
    def _kinds(self, view: str) -> tuple[str, ...]:
        return ("gap_map_reference", "gap_map") if view == "gap_map" else (view,)

    def _stem(self) -> str:
        return "thema"

    def _fill_options(self) -> None:
        super()._fill_options()
        lang = self.lang
        with self._quietly():
            first = [i for i in self.theme.indicator_ids]
            rest = [(lb, i) for lb, i in _indicator_options(lang) if i not in first]
            first_fill = not getattr(self, "_filled", False)
            keep = self.indicator.value
            self.indicator.options = [(label("indicators", i, lang), i) for i in first] + rest
            self.indicator.value = first[0] if first_fill or keep not in [
                v for _, v in self.indicator.options] else keep
            head = self.theme.indicators[0].group
            if first_fill and head in [v for _, v in self.group.options]:
                self.group.value = head
            self._filled = bool(self.results)
            keep = self.by.value
            self.by.options = [(label("axes", a, lang), a) for a in self.theme.breakdowns]
            self.by.value = keep if keep in self.theme.breakdowns else self.theme.breakdowns[0]
            self.school_year.description = _THEME_TEXT[lang]["year"]
            self._show_relevant()

    def _show_relevant(self) -> None:
        super()._show_relevant()
        self.school_year.layout.display = None  # the text reads it too
        if self.view.value in ("gap_map", "gap_map_change"):
            self.indicator.layout.display = "none"
            self.group.layout.display = "none"

    def _options_changed(self, change=None) -> None:
        if self._quiet:
            return
        self._show_relevant()
        self.redraw()
        if change is not None and change.get("owner") is self.school_year:
            self._write_answer()

    # the scenario of the sliders
    def scenario(self):
        """The variant: the theme's levers as set (each from its earliest date), the theme's
        scenario file itself when they match it, with the extra modules in its name."""
        changed = self.panel.overrides()
        if not changed:
            sc = _scenarios.load_scenario("baseline")
        else:
            sc = _scenarios.scenario(name=_t("nl", "own_name"), label_nl=_t("nl", "own_label"),
                                 label_en=_t("en", "own_label"), **changed)
            if not lever_changes(sc, self.file_scenario):  # the same values from the start
                sc = self.file_scenario
        return self._with_modules(sc)


    def redraw(self) -> bool:
        if not self.results:
            return False
        try:
            same = self.variant.scenario.name == self.base.scenario.name
            shown = [self.base] if same else self.results
            key = (tuple(id(r) for r in shown), self.lang)
            if key != getattr(self, "_grid_key", None):  # not for a change of the detail view
                self.grid.redraw(results=shown, lang=self.lang)
                self._grid_key = key
        except Exception as exc:  # shown in the app: an observer must not raise
            self._error(exc)
            return False
        return super().redraw()

    def report(self, school_year: str | None = None, lang: str | None = None):
        """The generated text (:func:`simlib.report.texts.report`) for the current levers."""
        from simlib.report import texts

        return texts.report(self.theme, self.base, self.variant,
                             school_year or self.school_year.value, lang or self.lang,
                             self.modules)

    def _summary(self) -> str:
        return self.report().html()

    def _write_answer(self) -> None:
        """The question and the model's answer: the theme's own scenario (with the extra
        modules) against the baseline, in the school year chosen. Its two runs are kept, so
        a change of language or school year never reruns the model."""
        from simlib.report import texts

        if getattr(self, "_answer_variant", None) is None:
            self._answer_variant = run_cached(self._with_modules(self.file_scenario),
                                              self.years, self.modules)
        lang = self.lang
        words = _THEME_TEXT[lang]
        rep = texts.report(self.theme, self.base, self._answer_variant,
                            self.school_year.value, lang, self.modules)
        name = self._answer_variant.scenario.label(lang)
        self.answer.value = (  # the notebook's markdown gives the heading
            f"<p><b>{html.escape(words['question'])}:</b> "
            f"{html.escape(self.theme.question(lang))}</p>"
            f"<p>{html.escape(words['answer_intro'].format(s=name))}</p>{rep.html()}")

    def _with_modules(self, sc):
        """``sc`` renamed and relabelled to say it runs with the extra modules."""
        import dataclasses

        from simlib.report.texts import module_label

        if not self.modules:
            return sc
        names = "+".join(m.__name__.rsplit(".", 1)[-1] for m in self.modules)
        return dataclasses.replace(
            sc, name=f"{sc.name}+{names}",
            label_nl=" + ".join([sc.label_nl, *(module_label(m, "nl") for m in self.modules)]),
            label_en=" + ".join([sc.label_en, *(module_label(m, "en") for m in self.modules)]))

    def _set_lang_extra(self, lang: str) -> None:
        if not hasattr(self, "header"):
            return
        self.panel.set_lang(lang)
        th, words = self.theme, _THEME_TEXT[lang]
        quotes = "".join(
            f"<blockquote style='margin:0.3em 0 0.3em 1em;padding-left:0.6em;"
            f"border-left:3px solid #0072B2;color:#333'>“{html.escape(p.quote)}”"
            f"<br><span style='font-size:0.85em;color:#555'>— {html.escape(p.where(lang))}"
            f"</span></blockquote>" for p in th.passages)
        note = (f"<p style='font-size:0.9em;color:#444'><b>{words['note']}:</b> "
                f"{html.escape(th.note(lang))}</p>") if th.note(lang) else ""
        self.header.value = (
            f"<h3 style='margin-bottom:0.2em'>{html.escape(th.title(lang))}</h3>"
            f"<p><b>{words['actions']}:</b> {html.escape(th.actions(lang))}</p>"
            f"<p><b>{words['passages']}</b> "
            f"<span style='font-size:0.85em'>({words['verbatim']})</span>:</p>{quotes}"
            f"<p style='background:#F3F7FB;padding:0.4em'><b>{words['question']}:</b> "
            f"{html.escape(th.question(lang))}</p>{note}")
        name = html.escape(self.file_scenario.label(lang))
        if th.levers:  # beside the reset button: what the page opened on
            self.panel_title.value = f"<b>{words['levers']}</b>"
            self.panel.note.value = (f"<div style='{_INFO_STYLE}'>"
                                     f"{words['opens_on'].format(s=f'‘{name}’')}</div>")
        else:
            self.panel_title.value = (f"<b>{words['levers']}</b><div style='{_INFO_STYLE}'>"
                                      f"{words['no_levers'].format(s=f'‘{name}’')}</div>")
        self.grid_title.value = f"<b>{words['charts']}</b>"
        self.detail_title.value = f"<b>{words['detail']}</b>"
        self.text_title.value = f"<b>{words['text']}</b>"
        self._write_answer()


def key_figures(result, group: str = "all", lang: str = "nl"):
    """Every indicator of ``result`` per school year for ``group``, as a table to show:
    rows labelled in ``lang`` with their unit, numbers by the number rule
    (:mod:`simlib.report.numbers`: Dutch 1.234,5; shares in %)."""
    import pandas as pd

    from simlib.model.outcomes import INDICATORS

    df = result.indicators
    df = df[df.group == group]
    years = list(dict.fromkeys(df.school_year))
    rows, index = [], []
    for ind in INDICATORS:
        sub = df[df.indicator == ind.id].set_index("school_year").value
        if sub.empty:
            continue
        rows.append([N.unit_words(ind.unit, lang)]
                    + [N.value_text(sub[y], ind.unit, lang, with_unit=False)
                       if y in sub.index else "" for y in years])
        index.append(label("indicators", ind.id, lang))
    return pd.DataFrame(rows, index=pd.Index(index, name=label("axes", "indicator", lang)),
                        columns=[label("axes", "unit", lang), *years])
