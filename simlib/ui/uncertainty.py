"""The widgets of notebook ``08_onzekerheid_en_gevoeligheid``: bands, tornado, Morris and Sobol.

Thin notebooks: everything the notebook shows is built here and driven from the tests. The
computations are :mod:`simlib.analysis.uncertainty` and :mod:`simlib.analysis.sensitivity`; the charts
:mod:`simlib.report.uncertainty_plots`. Every button runs the model many times (through the batch
engine, about 0.01 s a run on two cores, see :mod:`simlib.analysis.uncertainty`), so each shows a
progress bar and the number of runs it will make before it starts.

The tornado and Morris + Sobol analyse the *level* of the indicator in the scenario, or (the
choice "niveau / effect van het beleid") the *effect of the policy*: the scenario chosen under
"Verschil met" minus the scenario chosen first (the same difference as the paired bands),
both run on the same parameter values; the line under the choice names both. The tornado's
centre is the calibrated point run, the number the scenario apps show
(:mod:`simlib.analysis.sensitivity`).
"""

from __future__ import annotations

import html
import time

import ipywidgets as W
from matplotlib.figure import Figure

from simlib.analysis import uncertainty as U
from simlib.inputs.glossary import label, texts
from simlib.model.structure import FOCUS_SCHOOL_YEAR, HORIZON_YEARS
from simlib.report import plots
from simlib.report import uncertainty_plots as UP
from simlib.ui.charts import footnote_html
from simlib.ui.common import StatusLine, language_toggle
from simlib.ui.export_panel import ExportPanel

__all__ = ["UncertaintyApp"]

HEADLINE = ("dual_contract_learners", "unqualified_outflow_share", "public_cost",
            "placement_share", "termination_rate")

TEXT = texts("uncertainty_ui")
#: Seconds per model run in a batch (a sweep of 1,000 draws, two cores, the project machine:
#: ``benchmarks/sweep_speed.py``; only an estimate shown before a computation starts).
SECONDS_PER_RUN = 0.01


class _Shown:
    """One chart as the export panel expects it (``figure``, ``table``, ``scenarios``,
    ``name``, and ``extra_note``: what the bands include, added to the export's footnote)
    with its PNG on screen and the note as a line under it. Hidden until computed."""

    def __init__(self, name: str):
        self.name = name
        # a Figure outside pyplot: shown only as the PNG, never by the notebook's backend
        self.figure = Figure(figsize=(9, 4.8), layout="constrained")
        self.table = None
        self.scenarios: list = []
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width="1000px"))
        self.note = W.HTML()
        self.extra_note: str | None = None
        self.widget = W.VBox([self.image, self.note], layout=W.Layout(display="none"))

    def show(self, note: str) -> None:
        self.extra_note = note
        self.image.value = plots.png_bytes(self.figure)
        self.widget.layout.display = None
        self.note.value = footnote_html(note)

    def axes(self):
        self.figure.clear()
        return self.figure.add_subplot()


class UncertaintyApp:
    """Choose a scenario (and one to compare with), an indicator and the number of draws;
    compute bands (fan charts), a tornado, and Morris + Sobol; every chart exportable."""

    def __init__(self, scenario: str = "baseline", against: str | None = None,
                 indicator: str = "dual_contract_learners", school_year: str = FOCUS_SCHOOL_YEAR,
                 draws: int = 200, years: int = HORIZON_YEARS, lang: str = "nl",
                 parameters: list[str] | None = None, view: str = "level"):
        from simlib.inputs.scenario import scenario_names
        from simlib.model.outcomes import INDICATORS

        self.lang = lang
        self.years = years
        #: the uncertain parameters drawn (default: every one with a distribution in data/)
        self.priors = U.priors(parameters)
        self._scenario_names = scenario_names()
        self.scenario = W.Dropdown(options=self._scenario_options(lang), value=scenario)
        self.against = W.Dropdown(options=[("—", "")] + self._scenario_options(lang),
                                  value=against or "")
        self._indicator_ids = [i.id for i in INDICATORS]
        self.indicator = W.Dropdown(options=self._indicator_options(lang), value=indicator)
        self.indicator.layout.width = "34em"
        start = 2025
        self.school_year = W.Dropdown(
            options=[f"{start + k}-{(start + k + 1) % 100:02d}" for k in range(years)],
            value=school_year if years > int(school_year[:4]) - start else None)
        if self.school_year.value is None:
            self.school_year.value = self.school_year.options[-1]
        self.draws = W.BoundedIntText(value=draws, min=2, max=1000)
        self.seed = W.BoundedIntText(value=0, min=0, max=2**31 - 1)
        #: bands from the priors instead of the calibrated ensemble (labelled so)
        self.prior_only = W.Checkbox(value=False, indent=False, layout=W.Layout(width="auto"))
        self.trajectories = W.BoundedIntText(value=2, min=2, max=50)
        self.sobol_n = W.Dropdown(options=[8, 16, 32, 64, 128, 256, 512, 1024], value=8)
        self.top = W.BoundedIntText(value=min(10, len(self.priors)), min=1,
                                    max=len(self.priors))
        #: "level" (the scenario's indicator) or "effect" (``against`` minus ``scenario``)
        self.view = W.ToggleButtons(options=self._view_options(lang), value=view)
        self.view_line = W.HTML()
        for w in (self.view, self.scenario, self.against):
            w.observe(lambda _c: self._show_view(), names="value")
        self.bands_button = W.Button(button_style="primary", layout=W.Layout(width="auto"))
        self.tornado_button = W.Button(layout=W.Layout(width="auto"))
        self.screen_button = W.Button(layout=W.Layout(width="auto"))
        self.bands_button.on_click(lambda _b: self.compute_bands())
        self.tornado_button.on_click(lambda _b: self.compute_tornado())
        self.screen_button.on_click(lambda _b: self.compute_screen())
        self.progress = W.IntProgress(value=0, min=0, max=1, layout=W.Layout(width="30em"))
        self.status_line = StatusLine()
        self.status = self.status_line.widget
        self.lang_toggle = language_toggle(lang, self.set_lang)
        self.fan = _Shown("banden")
        self.fan_difference = _Shown("banden_verschil")
        self.tornado = _Shown("tornado")
        self.sobol = _Shown("sobol")
        self.drivers = W.HTML()
        self._drivers_of: tuple | None = None  # (screen or tornado table, Sobol table or None)
        # the (variant, base or None) each chart was computed for, to redraw it as it was
        self._tornado_design: tuple | None = None
        self._screen_design: tuple | None = None
        self._drivers_effect = False
        self.sweep: U.Sweep | None = None
        self.tornado_table = None
        self.screen_table = None
        self.sobol_table = None
        for c in (self.scenario, self.against, self.indicator, self.school_year, self.draws,
                  self.seed, self.trajectories, self.sobol_n, self.top, self.view):
            c.style.description_width = "initial"
        self.main = W.VBox([
            self.lang_toggle,
            W.HBox([self.scenario, self.against]),
            W.HBox([self.indicator, self.school_year]),
            W.HBox([self.draws, self.seed, self.prior_only, self.bands_button]),
            W.HBox([self.view, self.view_line]),
            W.HBox([self.tornado_button]),
            W.HBox([self.trajectories, self.top, self.sobol_n, self.screen_button]),
            W.HBox([self.progress, self.status]),
            self.fan.widget, self.fan_difference.widget, self.tornado.widget,
            self.sobol.widget, self.drivers])
        #: the export panel of the charts computed so far, in the page's language
        self.export_panel = ExportPanel(self.charts, lang=lang, stem="onzekerheid")
        self.set_lang(lang)

    # what the export panel exports: the charts computed so far
    def charts(self) -> list[_Shown]:
        out = []
        if self.sweep is not None:
            out.append(self.fan)
            if self.against.value:
                out.append(self.fan_difference)
        if self.tornado_table is not None:
            out.append(self.tornado)
        if self.sobol_table is not None:
            out.append(self.sobol)
        return out

    def _view_options(self, lang: str) -> list[tuple[str, str]]:
        return [(TEXT[lang]["view_level"], "level"), (TEXT[lang]["view_effect"], "effect")]

    def _design(self) -> tuple[str, str | None]:
        """(scenario, base) of the tornado and Morris + Sobol: the level of the scenario
        (base ``None``), or the effect of the policy chosen under "Verschil met" against the
        scenario. ``ValueError`` for an effect without a policy to compare."""
        if self.view.value == "level":
            return self.scenario.value, None
        if not self.against.value:
            raise ValueError(self._t("effect_needs_against").format(
                against=self._t("against")))
        return self.against.value, self.scenario.value

    def _labels(self, design: tuple[str, str | None]) -> tuple[str, str] | None:
        """The scenarios' titles (variant, base) of an effect design, else ``None``."""
        from simlib.inputs.scenario import load_scenario

        variant, base = design
        if base is None:
            return None
        return load_scenario(variant).label(self.lang), load_scenario(base).label(self.lang)

    def _show_view(self) -> None:
        """The line that says what the tornado and Morris + Sobol analyse."""
        from simlib.inputs.scenario import load_scenario

        if self.view.value == "level":
            text = self._t("shows_level").format(
                scenario=load_scenario(self.scenario.value).label(self.lang))
        elif not self.against.value:
            text = self._t("effect_needs_against").format(against=self._t("against"))
        else:
            variant, base = self._labels(self._design())
            text = self._t("shows_effect").format(variant=variant, base=base)
        self.view_line.value = html.escape(text)

    def _indicator_options(self, lang: str) -> list[tuple[str, str]]:
        return [(label("indicators", i, lang), i) for i in self._indicator_ids]

    def _scenario_options(self, lang: str) -> list[tuple[str, str]]:
        """The scenario files by their title in ``lang`` (the file id is what is run)."""
        from simlib.inputs.scenario import load_scenario

        return [(load_scenario(n).label(lang), n) for n in self._scenario_names]

    def _t(self, key: str) -> str:
        return TEXT[self.lang][key]

    def _start(self, runs: int) -> float:
        self.progress.max = max(runs, 1)
        self.progress.value = 0
        self.status_line.say(html.escape(
            self._t("runs").format(n=runs, s=max(1, round(runs * SECONDS_PER_RUN)))))
        return time.perf_counter()

    def _tick(self, done: int, total: int) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = done

    def _done(self, t0: float, runs: int) -> None:
        self.progress.value = self.progress.max
        self.status_line.say(html.escape(
            self._t("done").format(n=runs, s=round(time.perf_counter() - t0, 1))))

    def _fail(self, exc: Exception) -> None:
        self.status_line.failed(html.escape(self._t("error").format(e=exc)))

    def _scenarios(self) -> list[str]:
        return [self.scenario.value] + ([self.against.value] if self.against.value else [])

    def compute_bands(self) -> None:
        """Sweep the scenario(s) for the chosen number of draws; draw the fan chart(s)."""
        names = self._scenarios()
        t0 = self._start(self.draws.value * len(names))
        try:
            self.sweep = U.sweep(names, self.draws.value, seed=self.seed.value,
                                 years=self.years, indicators=list(HEADLINE) + [
                                     self.indicator.value],
                                 prior_list=self.priors,
                                 source="prior" if self.prior_only.value else "ensemble",
                                 progress=U.in_runs(self._tick, self.draws.value,
                                                    len(names)))
        except Exception as exc:  # shown in the page; the app keeps working
            self._fail(exc)
            return
        self._draw_bands()
        self._done(t0, self.draws.value * len(names))

    def _draw_bands(self) -> None:
        from simlib.inputs.scenario import load_scenario

        sw = self.sweep
        ind = self.indicator.value
        if ind not in set(sw.indicators["indicator"]):
            return
        table = sw.bands(sw.meta["scenarios"][0])
        UP.fan(table, ind, self.fan.axes(), self.lang)
        self.fan.table = table[table["indicator"] == ind]
        self.fan.scenarios = [load_scenario(sw.meta["scenarios"][0])]
        self.fan.show(UP.footnote(sw.meta, self.lang))
        if len(sw.meta["scenarios"]) > 1:
            a, b = sw.meta["scenarios"][:2]
            diff = sw.difference(a, b)
            UP.fan(diff, ind, self.fan_difference.axes(), self.lang)
            self.fan_difference.table = diff[diff["indicator"] == ind]
            self.fan_difference.scenarios = [load_scenario(a), load_scenario(b)]
            self.fan_difference.show(UP.footnote(sw.meta, self.lang))

    def compute_tornado(self) -> None:
        """Each assumption alone at both ends of its range (2 k + 1 runs, of both scenarios
        for an effect)."""
        from simlib.analysis.sensitivity import tornado_table
        from simlib.inputs.scenario import load_scenario

        try:
            design = self._design()
        except ValueError as exc:
            self._fail(exc)
            return
        runs = (2 * len(self.priors) + 1) * (1 if design[1] is None else 2)
        t0 = self._start(runs)
        try:
            self.tornado_table = tornado_table(
                design[0], self.indicator.value, self.school_year.value, base=design[1],
                years=self.years, prior_list=self.priors,
                progress=lambda d, n: self._tick(d, n))
        except Exception as exc:
            self._fail(exc)
            return
        self._tornado_design = design
        self._draw_tornado()
        self.tornado.scenarios = [load_scenario(n) for n in design if n is not None]
        self._drivers_of = (self.tornado_table, None)
        self._drivers_effect = design[1] is not None
        self._show_drivers()
        self._done(t0, runs)

    def _draw_tornado(self) -> None:
        UP.tornado(self.tornado_table, self.indicator.value, self.school_year.value,
                   self.tornado.axes(), self.lang, effect=self._labels(self._tornado_design))
        self.tornado.table = self.tornado_table
        self.tornado.show(self._oat_note())

    def _oat_note(self) -> str:
        return self._t("oat_note" if self._tornado_design[1] is None else "oat_note_effect")

    def compute_screen(self) -> None:
        """Morris over every uncertain parameter, then Sobol on the top ones (each sample
        runs both scenarios for an effect)."""
        from simlib.analysis.sensitivity import screen_then_sobol
        from simlib.inputs.scenario import load_scenario

        try:
            design = self._design()
        except ValueError as exc:
            self._fail(exc)
            return
        plist = self.priors
        k = len(plist)
        r = self.trajectories.value
        top = min(self.top.value, k)
        n = self.sobol_n.value
        runs = (r * (k + 1) + n * (top + 2)) * (1 if design[1] is None else 2)
        t0 = self._start(runs)
        try:
            self.screen_table, self.sobol_table = screen_then_sobol(
                design[0], self.indicator.value, self.school_year.value, base=design[1],
                years=self.years, trajectories=r, top=top, n=n, seed=self.seed.value,
                prior_list=plist, progress=self._tick)
        except Exception as exc:
            self._fail(exc)
            return
        self._screen_design = design
        self._draw_sobol()
        self.sobol.scenarios = [load_scenario(n) for n in design if n is not None]
        self._drivers_of = (self.screen_table, self.sobol_table)
        self._drivers_effect = design[1] is not None
        self._show_drivers()
        self._done(t0, runs)

    def _draw_sobol(self) -> None:
        UP.sobol_bars(self.sobol_table, self.indicator.value, self.school_year.value,
                      self.sobol.axes(), self.lang, effect=self._labels(self._screen_design))
        self.sobol.table = self.sobol_table
        self.sobol.show(self._t("sobol_note").format(n=self.sobol_n.value))

    def _show_drivers(self) -> None:
        """The ranked drivers of the last tornado or screen, in the app's language."""
        from simlib.analysis.sensitivity import drivers

        if self._drivers_of is not None:
            self.drivers.value = self._drivers_html(drivers(*self._drivers_of, lang=self.lang))

    def _drivers_html(self, table) -> str:
        """The drivers table with its columns in the app's language and its numbers by the
        number rule (three significant digits, the language's decimal mark)."""
        from simlib.report import numbers as N

        head = f"<b>{html.escape(self._t('drivers_effect' if self._drivers_effect else 'drivers'))}</b>"
        shown = table.head(10).copy()
        for col in shown.columns:
            if shown[col].dtype.kind == "f":
                shown[col] = [N.significant(v, self.lang) for v in shown[col]]
        shown.columns = [self._t(f"col_{c}") for c in shown.columns]
        return head + shown.to_html(index=False, escape=True, border=0)

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        if self.lang_toggle.value != lang:
            self.lang_toggle.value = lang
        if hasattr(self, "export_panel"):
            self.export_panel.set_lang(lang)
        for w, key in ((self.scenario, "scenario"), (self.against, "against"),
                       (self.indicator, "indicator"), (self.school_year, "school_year"),
                       (self.draws, "draws"), (self.seed, "seed"),
                       (self.trajectories, "trajectories"), (self.sobol_n, "sobol_n"),
                       (self.top, "top"), (self.view, "view"),
                       (self.prior_only, "prior_only")):
            w.description = self._t(key)
        view = self.view.value
        self.view.options = self._view_options(lang)
        self.view.value = view
        value = self.indicator.value
        self.indicator.options = self._indicator_options(lang)
        self.indicator.value = value
        for pick, first in ((self.scenario, []), (self.against, [("—", "")])):
            value = pick.value
            pick.options = first + self._scenario_options(lang)
            pick.value = value
        self.bands_button.description = self._t("bands")
        self.tornado_button.description = self._t("tornado")
        self.screen_button.description = self._t("screen")
        self._show_view()
        if self.sweep is not None:
            self._draw_bands()
        if self.tornado_table is not None:
            self._draw_tornado()
        if self.sobol_table is not None:
            self._draw_sobol()
        self._show_drivers()

    def _repr_mimebundle_(self, **kwargs):
        return self.main._repr_mimebundle_(**kwargs)
