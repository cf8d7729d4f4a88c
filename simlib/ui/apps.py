"""The one-line notebook apps on the baseline and a variant of the levers: the scenario app
(levers against the baseline), the baseline explorer and the gallery of fixed charts.

Each owns a :class:`simlib.ui.frame.Frame` configured with a
:class:`simlib.ui.frame.FrameSpec` and lays its page out of the frame's widgets;
:func:`rerun_variant` is what a lever change does in every app that shows a variant of the
levers against the baseline (this scenario app and a policy notebook's
:class:`simlib.ui.theme_app.ThemeApp`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import ipywidgets as W

from simlib.model.structure import HORIZON_YEARS
from simlib.report.describe import lever_differences
from simlib.ui.cache import baseline, run_cached
from simlib.ui.charts import Chart
from simlib.ui.common import word
from simlib.ui.controls import LeverPanel
from simlib.ui.frame import Frame, Framed, FrameSpec
from simlib.ui.summary_text import SUMMARY_INDICATORS, comparison_html, summary_html

__all__ = ["ScenarioApp", "BaselineExplorer", "Gallery", "rerun_variant"]


def rerun_variant(app, soon: bool = False) -> None:
    """Rerun ``app``'s variant (``app.scenario()`` with the frame's extra modules, cached)
    against ``app.base`` and redraw, with the busy line while it runs; ``soon``: a change
    of a lever, run once its burst is over (:meth:`simlib.ui.frame.Frame.rerun_soon`)."""

    def runs() -> list:
        app.variant = run_cached(app.scenario(), app.years, app.modules)
        return [app.base, app.variant]

    (app.frame.rerun_soon if soon else app.frame.rerun)(runs)


class ScenarioApp(Framed):
    """Move levers, see the variant against the baseline: the one-line notebook app.

    ``ScenarioApp()`` builds everything; display it (``app``) or its parts (``app.main``
    without, ``app.export_panel`` the export panel). A lever change reruns the model once
    (busy indicator while it runs) and redraws the chart and the summary; a burst of changes
    (a key held on a slider) runs once, on the last value.
    """

    def __init__(self, years: int = HORIZON_YEARS, lang: str = "nl", export_folder: str | Path | None = None):
        spec = FrameSpec(views=("trend", "difference", "why", "stocks", "sankey", "breakdown"),
                         kinds={"why": ("why", "why_channel")},
                         stem="scenario_grafiek", compare_views=("difference", "why"),
                         summary=self._summary)
        self.frame = Frame(spec, years, lang, export_folder)
        self.panel = LeverPanel(lang, years=years)
        self.panel.on_change(lambda: rerun_variant(self, soon=True))  # a burst runs once
        self.frame.on_lang(self.panel.set_lang)
        self.base = baseline(years)
        self.variant = self.base
        self.results = [self.base, self.variant]
        self.frame.fill_options()
        self.update()
        left = W.VBox([self.lang_toggle, self.panel.widget],
                      layout=W.Layout(width="40%", min_width="22em"))
        right = W.VBox([self.frame.controls(), self.status, self.chart.widget, self.summary],
                       layout=W.Layout(width="60%"))
        self.main = W.HBox([left, right])
        self.widget = W.VBox([self.main, self.export_panel.widget])

    def update(self) -> None:
        """Rerun the model for the current levers (cached) and redraw."""
        rerun_variant(self)

    def scenario(self):
        """The scenario of the current levers (the baseline if none changed)."""
        return self.panel.scenario()

    def _summary(self) -> str:
        """The levers changed and the comparison of the headline indicators; made again
        only when the runs or what it reports changed (not for another chart of the same)."""
        lang, view = self.lang, self.view.value
        sy = self.school_year.value if view in ("sankey", "breakdown") else None
        group = self.group.value if view in ("trend", "difference") else "all"
        key = (self.base, self.variant, lang, self.indicator.value, sy, group)
        last = getattr(self, "_last_summary", None)
        if last is not None and len(last[0]) == len(key) and all(
                a is b or (isinstance(a, str | None) and a == b)
                for a, b in zip(last[0], key, strict=True)):
            return last[1]
        changes = lever_differences(None, self.variant.scenario, lang)
        text = summary_html(changes, word(lang, "levers_changed")) if changes else \
            f"<b>{word(lang, 'no_levers')}</b>"
        text += comparison_html(self.base, self.variant, lang,
                                (*SUMMARY_INDICATORS, self.indicator.value), sy, group)
        self._last_summary = (key, text)
        return text


class BaselineExplorer(Framed):
    """The baseline explorer: stocks over time, the Sankey of a school year, breakdowns by
    region, sector, finality, provider and indicator pupils, any indicator over time."""

    def __init__(self, years: int = HORIZON_YEARS, lang: str = "nl", export_folder: str | Path | None = None):
        spec = FrameSpec(views=("stocks", "sankey", "breakdown", "trend"), stem="basislijn")
        self.frame = Frame(spec, years, lang, export_folder)
        self.results = [baseline(years)]
        self.frame.fill_options()
        with self.frame.quietly():  # the first school year, and the whole system in the Sankey
            self.school_year.value = self.school_year.options[0]
            self.hide_non_dual.value = False
        self.redraw()
        self.main = W.VBox([self.lang_toggle, self.frame.controls(), self.chart.widget])
        self.widget = W.VBox([self.main, self.export_panel.widget])


class Gallery(Framed):
    """A few fixed charts of given results (stacked), with a language toggle and an export
    panel that writes all of them: the start notebook's baseline in three charts."""

    def __init__(self, results, kinds: Sequence[str] = ("stocks", "sankey", "trend"),
                 lang: str = "nl", export_folder: str | Path | None = None, **opts):
        results = results if isinstance(results, list | tuple) else [results]
        self.charts = [Chart((kind,), results, lang=lang, **opts) for kind in kinds]
        self.frame = Frame(FrameSpec(views=(), stem="basislijn"), years=0, lang=lang,
                           export_folder=export_folder, beside=self.charts)
        self.results = results
        self.main = W.VBox([self.lang_toggle, *[c.widget for c in self.charts]])
        self.widget = W.VBox([self.main, self.export_panel.widget])
