"""Floor 5: the widgets and apps of the notebooks (``from simlib import ui``; ``ui.ThemeApp(...)``).

Nothing here declares a lever's label, unit, range or default: every control reads the
registry (:mod:`simlib.inputs.levers`), every label the glossary. A notebook builds an app in
one line and displays it; all logic lives here and in the library. One module per purpose:

- :mod:`~simlib.ui.common` — the languages and their toggle, the apps' words, the status line.
- :mod:`~simlib.ui.cache` — runs and uncertainty sweeps remembered per setting
  (:func:`run_cached`, :func:`bands_cached`, :func:`baseline`), the bands a chart draws.
- :mod:`~simlib.ui.controls` — :class:`LeverControl` and :class:`LeverPanel`: one control per
  lever, grouped by theme; the panel's scenario holds only the levers that differ from
  today's rules, each dated by one rule.
- :mod:`~simlib.ui.page` — :class:`Page` (a notebook's text in the toggle's language),
  :class:`Translated` and its views, :func:`key_figures`.
- :mod:`~simlib.ui.charts` — :class:`Chart` and :class:`TrendGrid`: a figure shown as a PNG
  ``Image`` widget with its footnote and its numbers.
- :mod:`~simlib.ui.export_panel` — :class:`ExportPanel`: PNG, SVG, PDF, CSV and scenario TOML
  of what is shown, also as browser downloads, withdrawn when what is shown changes.
- :mod:`~simlib.ui.frame` — the frame every app owns (:class:`Frame`, configured with data by
  a :class:`FrameSpec`): language toggle, status line, a chart with options and uncertainty
  bands, the summary, the export panel.
- the apps: :class:`ScenarioApp`, :class:`BaselineExplorer` and :class:`Gallery`
  (:mod:`~simlib.ui.apps`), :class:`CompareApp` (:mod:`~simlib.ui.compare`), a policy
  notebook's :class:`ThemeApp` (:mod:`~simlib.ui.theme_app`), the uncertainty page
  (:mod:`~simlib.ui.uncertainty`); an upload of a scenario file (:mod:`~simlib.ui.upload`);
  the dashboard (:mod:`~simlib.ui.dashboard`).

A change of a lever reruns the model once (synchronously: the busy indicator shows while it
runs) and redraws; :meth:`LeverPanel.hold` groups many changes (reset) into one rerun. Runs
are cached per lever setting, so going back to an earlier setting is instant.
"""

from simlib.report.describe import format_value, lever_differences
from simlib.ui.apps import BaselineExplorer, Gallery, ScenarioApp
from simlib.ui.cache import Bands, bands_cached, baseline, clear_cache, run_cached
from simlib.ui.charts import Chart, TrendGrid
from simlib.ui.compare import SLIDERS, CompareApp
from simlib.ui.controls import LeverControl, LeverPanel
from simlib.ui.export_panel import ExportPanel
from simlib.ui.frame import Frame, FrameSpec
from simlib.ui.page import (
    Page,
    Translated,
    calibration_view,
    checks_view,
    key_figures,
    key_figures_view,
)
from simlib.ui.theme_app import ThemeApp

__all__ = ["Page", "Translated", "key_figures_view", "checks_view", "calibration_view",
           "LeverControl", "LeverPanel", "Chart", "ExportPanel", "ScenarioApp",
           "BaselineExplorer", "CompareApp", "Gallery", "ThemeApp", "TrendGrid", "format_value",
           "lever_differences",
           "key_figures", "Bands", "bands_cached",
           "baseline", "run_cached", "clear_cache", "SLIDERS", "Frame", "FrameSpec"]
