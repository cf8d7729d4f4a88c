"""Drawing less (simlib.ui.charts): a chart or a policy notebook's grid redrawn in place with
new numbers gives the very pixels of a fresh drawing of those numbers, and the very bytes on
export; what changes the shape draws anew; a burst of lever changes runs once, on its last
value, with the busy line shown at once (simlib.ui.frame.Frame.rerun_soon)."""

from __future__ import annotations

import asyncio
import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import simlib  # noqa: E402
from simlib import ui  # noqa: E402
from simlib.report import export, themes  # noqa: E402
from simlib.ui import frame as _frame  # noqa: E402
from simlib.ui.common import BUSY  # noqa: E402

YEARS = 3
DATE = "2026-01-01"


def _own(days: int):
    sc = simlib.scenario(name="eigen", label_nl="Eigen", label_en="Own",
                         search_window_days=days)
    return ui.run_cached(sc, YEARS)


@pytest.fixture(scope="module")
def runs():
    return ui.baseline(YEARS), _own(40), _own(45)


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _same_picture(a: bytes, b: bytes) -> None:
    pa, pb = _pixels(a), _pixels(b)
    assert pa.shape == pb.shape
    assert int(np.abs(pa.astype(int) - pb.astype(int)).max()) == 0


@pytest.mark.parametrize("kind", ["trend", "difference"])
def test_a_chart_updated_in_place_is_the_fresh_drawing(runs, kind):
    base, a, b = runs
    chart = ui.Chart((kind,), [base, a], indicator="dual_contract_learners")
    partials = chart.screen.partials
    chart.redraw(results=[base, b])
    assert chart.screen.partials == partials + 1  # in place, not anew
    fresh = ui.Chart((kind,), [base, b], indicator="dual_contract_learners")
    _same_picture(chart.image.value, fresh.image.value)
    assert chart.table.equals(fresh.table)
    chart.redraw(results=[base, a])  # and back
    _same_picture(chart.image.value,
                  ui.Chart((kind,), [base, a], indicator="dual_contract_learners").image.value)


def test_a_policy_notebooks_grid_updated_in_place_is_the_fresh_drawing(runs):
    base, a, b = runs
    indicators = themes.theme("04_zoekperiode_en_garantie").indicators
    grid = ui.TrendGrid(indicators, [base, a])
    grid.redraw(results=[base, b])
    assert grid.screen.partials == 1
    _same_picture(grid.image.value, ui.TrendGrid(indicators, [base, b]).image.value)


def test_what_changes_the_shape_draws_anew(runs):
    base, a, b = runs
    chart = ui.Chart(("trend",), [base, a], indicator="dual_contract_learners")
    fulls = chart.screen.fulls
    chart.redraw(lang="en")  # other labels
    chart.redraw(indicator="placement_share")  # another indicator
    chart.redraw(results=[base])  # other scenarios
    assert chart.screen.fulls == fulls + 3 and chart.screen.partials == 0
    _same_picture(chart.image.value,
                  ui.Chart(("trend",), [base], lang="en",
                           indicator="placement_share").image.value)


def test_an_export_after_an_update_in_place_has_the_bytes_of_a_fresh_drawing(runs, tmp_path):
    base, a, b = runs
    chart = ui.Chart(("trend", "difference"), [base, a], indicator="dual_contract_learners")
    chart.redraw(results=[base, b])
    assert chart.screen.partials == 1
    fresh = ui.Chart(("trend", "difference"), [base, b], indicator="dual_contract_learners")
    written = [export.export(tmp_path / name, c.figure, c.table, c.scenarios, stem="g",
                             date=DATE) for name, c in (("kept", chart), ("fresh", fresh))]
    for p, q in zip(*written, strict=True):
        assert p.name == q.name and p.read_bytes() == q.read_bytes(), p.name
    # the export laid the figure out with its footnote: the next change draws anew
    chart.redraw(results=[base, a])
    assert chart.screen.partials == 1
    _same_picture(chart.image.value, ui.Chart(("trend", "difference"), [base, a],
                                              indicator="dual_contract_learners").image.value)


def _days(app) -> int:
    return app.variant.scenario.value("search_window_days", "2099-01-01")


def test_a_burst_of_lever_changes_runs_at_once_then_once_on_its_last_value(runs, monkeypatch):
    base, _, _ = runs
    monkeypatch.setattr(_frame, "BURST_SECONDS", 0.05)
    app = ui.ScenarioApp(years=YEARS)
    slider = app.panel.controls["search_window_days"].widget
    seen = []

    async def burst():
        for days in (25, 30, 35, 40):  # a key held down: one change per repeat
            before = app.runs
            slider.value = days
            seen.append((app.status.value, app.busy, app.runs - before))
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)

    ui.clear_cache()
    runs_before = app.runs
    asyncio.run(burst())
    assert seen[0][1:] == (False, 1)  # after a quiet spell: run at once, not waiting
    assert all(busy and BUSY in status and ran == 0 for status, busy, ran in seen[1:])
    assert app.runs == runs_before + 2  # the rest of the burst: one run
    assert _days(app) == 40  # the last value won
    assert not app.busy and app.chart.results[-1] is app.variant

    async def press_after_quiet():  # a single key press after a pause runs at once
        await asyncio.sleep(0.06)
        slider.value = 45
        seen.append((app.busy, app.runs))

    asyncio.run(press_after_quiet())
    assert seen[-1] == (False, runs_before + 3) and _days(app) == 45


def test_without_an_event_loop_every_change_runs_at_once(runs):
    app = ui.ScenarioApp(years=YEARS)
    slider = app.panel.controls["search_window_days"].widget
    slider.value = 25
    assert _days(app) == 25 and not app.busy


def test_value_labels_of_another_width_lay_the_chart_out_anew(runs):
    base, _, _ = runs
    a, b = _own(15), _own(45)  # differences of 2 and 3 digits: wider value labels
    chart = ui.Chart(("difference",), [base, a], indicator="dual_contract_learners")
    fulls = chart.screen.fulls
    chart.redraw(results=[base, b])
    assert chart.screen.fulls == fulls + 1  # tried in place, then laid out anew
    _same_picture(chart.image.value, ui.Chart(("difference",), [base, b],
                                              indicator="dual_contract_learners").image.value)
