"""The widgets of notebook 08, driven from the test (tiny samples, two school years)."""

from __future__ import annotations

import pytest

from simlib import ui
from simlib.ui.uncertainty import UncertaintyApp

PARAMS = ["termination_hazard_per_month", "placement_hazard_per_school_day",
          "aanloop_ready_hazard"]


@pytest.fixture(scope="module")
def app():
    return UncertaintyApp(scenario="baseline", against="langere_zoekperiode", draws=2,
                          years=2, school_year="2026-27", parameters=PARAMS)


def test_bands_with_a_progress_bar_and_a_paired_difference(app):
    assert app.charts() == []
    assert app.fan.widget.layout.display == "none"  # no empty image before a computation
    app.bands_button.click()
    assert app.progress.value == app.progress.max == 4  # 2 draws x 2 scenarios
    assert "4" in app.status.value
    charts = app.charts()
    assert [c.name for c in charts] == ["banden", "banden_verschil"]
    assert all(c.image.value[:4] == b"\x89PNG" for c in charts)
    assert "herkalibratie" in charts[0].note.value
    assert app.fan.widget.layout.display is None and app.tornado.widget.layout.display == "none"
    assert set(charts[0].table["indicator"]) == {"dual_contract_learners"}


def test_tornado_and_screen_fill_the_drivers_table(app):
    app.tornado_button.click()
    assert app.progress.value == app.progress.max == 2 * len(PARAMS) + 1
    assert list(app.tornado_table["parameter"]).count("aanloop_ready_hazard") == 1
    assert "termination_hazard_per_month" in app.drivers.value
    app.top.value = 2
    app.sobol_n.value = 8
    app.screen_button.click()
    runs = 2 * (len(PARAMS) + 1) + 8 * (2 + 2)
    assert app.progress.max == runs and app.progress.value == runs
    assert len(app.sobol_table) == 2
    assert "Sobol" in app.status.value or "runs" in app.status.value or "klaar" in app.status.value
    assert [c.name for c in app.charts()][-2:] == ["tornado", "sobol"]


def test_language_switch_relabels_and_redraws(app):
    before = app.fan.image.value
    app.lang_toggle.value = "en"
    assert app.bands_button.description == "Compute bands"
    assert app.indicator.value == "dual_contract_learners"
    assert "recalibration" in app.fan.note.value
    assert app.fan.image.value != before
    assert "Termination of a contract (per month)" in app.drivers.value  # the glossary label
    app.set_lang("nl")
    assert "Stopzetting van een overeenkomst (per maand)" in app.drivers.value


def test_a_failure_is_shown_and_the_app_keeps_working(app, monkeypatch):
    import simlib.analysis.uncertainty as U

    def boom(*a, **k):
        raise ValueError("kapot")

    monkeypatch.setattr(U, "sweep", boom)
    app.compute_bands()
    assert "kapot" in app.status.value


def test_the_export_panel_exports_the_computed_charts(app, tmp_path):
    panel = ui.ExportPanel(app.charts, folder=str(tmp_path), stem="onzekerheid")
    paths = panel.export()
    names = {p.name for p in paths}
    assert "onzekerheid_banden.png" in names and "onzekerheid_tornado.csv" in names
    # the export's footnote says what the bands include (and the scenarios, as every chart)
    svg = (tmp_path / "onzekerheid_banden.svg").read_text(encoding="utf-8")
    assert "herkalibratie" in svg and "Basislijn" in svg
    assert not ui.ExportPanel(app.charts, folder=str(tmp_path), stem="onzekerheid").export()
