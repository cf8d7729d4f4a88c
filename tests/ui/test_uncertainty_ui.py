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
    assert "gekalibreerde ensemble" in charts[0].note.value
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
    assert "calibrated ensemble" in app.fan.note.value
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
    assert "gekalibreerde" in svg and "Basislijn" in svg
    assert not ui.ExportPanel(app.charts, folder=str(tmp_path), stem="onzekerheid").export()


def test_the_effect_of_the_policy_names_both_scenarios_and_centres_on_the_point_runs(app):
    """The choice "niveau / effect van het beleid": the effect is "Verschil met" minus the
    scenario, on the same parameter values; the tornado's centre is the difference of the
    point runs, written as the scenario apps write it."""
    import simlib
    from simlib.model.outcomes import INDICATOR_BY_ID
    from simlib.report import numbers as N

    assert "niveau" in app.view_line.value and "Basislijn" in app.view_line.value
    app.view.value = "effect"
    assert "min" in app.view_line.value and "Basislijn" in app.view_line.value
    assert "zoekperiode" in app.view_line.value.lower()
    app.tornado_button.click()
    runs = 2 * (2 * len(PARAMS) + 1)  # both scenarios per parameter set
    assert app.progress.value == app.progress.max == runs
    row = app.tornado_table.iloc[0]
    a = simlib.run("baseline", 2).value("dual_contract_learners", "2026-27")
    b = simlib.run("langere_zoekperiode", 2).value("dual_contract_learners", "2026-27")
    assert (row["point_base"], row["point_variant"]) == (a, b)
    ax = app.tornado.figure.axes[0]
    unit = INDICATOR_BY_ID["dual_contract_learners"].unit
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(N.difference_text(a, b, unit, "nl") in t for t in legend)
    assert "Effect van" in ax.get_title(loc="left")
    assert [s.name for s in app.tornado.scenarios] == ["langere_zoekperiode", "baseline"]
    assert "effect van het beleid" in app.drivers.value
    app.screen_button.click()
    assert app.progress.max == 2 * (2 * (len(PARAMS) + 1) + 8 * (2 + 2))
    app.lang_toggle.value = "en"
    assert "minus" in app.view_line.value and "Baseline" in app.view_line.value
    assert "Effect of" in app.tornado.figure.axes[0].get_title(loc="left")
    app.set_lang("nl")
    app.against.value = ""  # an effect needs a policy to compare
    app.tornado_button.click()
    assert "Verschil met" in app.status.value and "basis" in app.view_line.value
    app.against.value = "langere_zoekperiode"
    app.view.value = "level"


def test_the_level_tornado_centres_on_the_point_run_of_the_scenario(app):
    import simlib
    from simlib.report import numbers as N

    app.tornado_button.click()
    v = simlib.run("baseline", 2).value("dual_contract_learners", "2026-27")
    legend = [t.get_text() for t in app.tornado.figure.axes[0].get_legend().get_texts()]
    assert f"gekalibreerde run (waarden van data/, volledig model): " \
           f"{N.value_text(v, 'learners', 'nl')}" in legend
    assert app.tornado_table["point"].iloc[0] != app.tornado_table["base"].iloc[0]
