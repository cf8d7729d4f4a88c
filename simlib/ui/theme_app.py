"""A policy notebook's app: one theme of ``simlib/report/themes.toml`` with its passages,
levers, grid of indicators, detail chart, generated text and the model's answer."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import ipywidgets as W

from simlib.inputs import scenario as _scenarios
from simlib.inputs.glossary import texts
from simlib.model.structure import HORIZON_YEARS
from simlib.report.describe import lever_changes
from simlib.ui.apps import rerun_variant
from simlib.ui.cache import baseline, run_cached
from simlib.ui.charts import TrendGrid
from simlib.ui.common import INFO_STYLE, word
from simlib.ui.controls import LeverPanel
from simlib.ui.frame import OPTIONS_SHOWN, Frame, Framed, FrameSpec

__all__ = ["ThemeApp"]

_THEME_TEXT = texts("theme_app")


class ThemeApp(Framed):
    """One policy notebook: a theme of ``simlib/report/themes.toml`` (:mod:`simlib.report.themes`).

    Builds the header (title, action, the passages of the SERV advice, the question), a
    :class:`simlib.ui.controls.LeverPanel` with only the theme's levers, set to the theme's
    variant scenario, a grid of the theme's indicators (variant against baseline over school
    years), a detail chart (difference, breakdown by the theme's axes, and for some themes
    the region x sector map), the generated text (:func:`simlib.report.texts.report`: what
    changed, by how much, for whom, at what cost, which assumptions), the model's answer for
    the theme's own scenario (:func:`simlib.report.texts.answer`), a language toggle and an
    export panel (both charts). The frame (:class:`simlib.ui.frame.Frame`) draws the grid
    beside the detail chart and exports both.

    A lever change applies from the lever's ``earliest_date`` (as the scenario files do) and
    reruns the model once (a burst of changes once, on the last value). ``extra_modules`` are policy modules outside the registry (see
    :func:`simlib.analysis.checks.policy_module`) the variant runs with.
    """

    def __init__(self, theme: str, years: int = HORIZON_YEARS, lang: str = "nl",
                 export_folder: str | Path | None = None, extra_modules: Sequence = ()):
        from simlib.inputs.levers import lever
        from simlib.report import themes

        self.theme = th = themes.theme(theme)
        gap = ("gap_map", "gap_map_change") if "gap_map" in th.charts else ()
        views = (*gap, "difference", "why", "breakdown", "trend", "stocks", "sankey")
        self.grid = TrendGrid(th.indicators, lang=lang)
        spec = FrameSpec(
            views=views, kinds={"gap_map": ("gap_map_reference", "gap_map"),
                                "why": ("why", "why_channel")}, stem=th.id,
            # the school year in every view: the text reads it too
            options_shown={**OPTIONS_SHOWN, "school_year": views},
            compare_views=("difference", "why", "gap_map_change"), summary=self._summary,
            modules=tuple(extra_modules), indicators_first=tuple(th.indicator_ids),
            group=th.indicators[0].group, breakdowns=tuple(th.breakdowns),
            year_label=lambda lg: _THEME_TEXT[lg]["year"], draw_beside=self._draw_grid)
        self.frame = Frame(spec, years, lang, export_folder, beside=[self.grid])
        self.header = W.HTML()
        self.panel_title = W.HTML()
        self.panel = LeverPanel(lang, [lever(i) for i in th.levers], years=years)
        self.file_scenario = _scenarios.load_scenario(th.scenario)
        with self.panel.hold():  # start from the theme's variant (no callback yet)
            self.panel.set_values({k: list(v.values())[-1]
                                   for k, v in self.file_scenario.changed().items()})
        self.panel.on_change(lambda: rerun_variant(self, soon=True))  # a burst runs once
        if not th.levers:  # no reset button over an empty panel
            self.panel.widget.layout.display = "none"
        self.grid_title = W.HTML()
        self.detail_title = W.HTML()
        self.text_title = W.HTML()
        self.answer = W.HTML()
        self._grid_key: tuple | None = None  # what the grid shows: (results, language)
        self._answer_variant = None  # the theme's own scenario, run once
        self.base = baseline(years)
        self.variant = self.base
        self.results = [self.base, self.variant]
        self.frame.fill_options()
        self.school_year.observe(self._year_changed, names="value")
        self.update()
        left = W.VBox([self.panel_title, self.panel.widget],
                      layout=W.Layout(width="36%", min_width="20em"))
        right = W.VBox([self.status, self.grid_title, self.grid.widget],
                       layout=W.Layout(width="64%"))
        self.main = W.VBox([
            self.lang_toggle, self.header, W.HBox([left, right]), self.detail_title,
            self.frame.controls(), self.chart.widget, self.text_title, self.summary])
        self.widget = W.VBox([self.main, self.answer, self.export_panel.widget])
        self.frame.on_lang(self._set_lang_texts)
        self._set_lang_texts(lang)

    def update(self) -> None:
        """Rerun the model for the current levers (cached) and redraw."""
        rerun_variant(self)

    def _year_changed(self, _change) -> None:
        """A school year chosen (after the frame's redraw): the answer for that year."""
        if not self.frame.quiet:
            self._write_answer()

    # the scenario of the sliders
    def scenario(self):
        """The variant: the theme's levers as set (each from its earliest date), the theme's
        scenario file itself when they match it, with the extra modules in its name."""
        changed = self.panel.overrides()
        if not changed:
            sc = _scenarios.load_scenario("baseline")
        else:
            sc = _scenarios.scenario(name=word("nl", "own_name"),
                                     label_nl=word("nl", "own_label"),
                                     label_en=word("en", "own_label"), **changed)
            if not lever_changes(sc, self.file_scenario):  # the same values from the start
                sc = self.file_scenario
        return self._with_modules(sc)

    def _draw_grid(self) -> None:
        """The grid of the theme's indicators, drawn again only when its runs or the
        language changed (not for a change of the detail chart)."""
        same = self.variant.scenario.name == self.base.scenario.name
        shown = [self.base] if same else self.results
        key = (tuple(id(r) for r in shown), self.lang)
        if key != self._grid_key:
            self.grid.redraw(results=shown, lang=self.lang)
            self._grid_key = key

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

        if self._answer_variant is None:
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

    def _set_lang_texts(self, lang: str) -> None:
        """The header, the titles, the levers and the answer in ``lang``."""
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
            self.panel.note.value = (f"<div style='{INFO_STYLE}'>"
                                     f"{words['opens_on'].format(s=f'‘{name}’')}</div>")
        else:
            self.panel_title.value = (f"<b>{words['levers']}</b><div style='{INFO_STYLE}'>"
                                      f"{words['no_levers'].format(s=f'‘{name}’')}</div>")
        self.grid_title.value = f"<b>{words['charts']}</b>"
        self.detail_title.value = f"<b>{words['detail']}</b>"
        self.text_title.value = f"<b>{words['text']}</b>"
        self._write_answer()
