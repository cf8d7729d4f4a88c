"""The notebook apps, driven in Python without a browser: widgets from the registry, a lever
change reruns and redraws, language toggle, reset, parent/child levers, scenario round trip."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import simlib  # noqa: E402
from simlib import ui  # noqa: E402
from simlib.inputs.glossary import label  # noqa: E402
from simlib.report import export  # noqa: E402

YEARS = 2
NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def app():
    return ui.ScenarioApp(years=YEARS)


@pytest.fixture
def fresh(app):
    """The module's app with every lever at today's rule, in Dutch, showing the trend."""
    app.set_lang("nl")
    app.panel.reset()
    app.view.value = "trend"
    return app


def _lever(lever_id):
    return next(lv for lv in simlib.levers() if lv.id == lever_id)


def test_controls_come_from_the_registry(app):
    for lv in simlib.levers():
        widget = app.panel.controls[lv.id].widget
        assert widget.value == lv.default, lv.id
        if lv.kind in ("int", "float"):
            assert isinstance(widget, W.IntSlider if lv.kind == "int" else W.FloatSlider)
            assert (widget.min, widget.max) == (lv.min, lv.max), lv.id
            assert widget.step == pytest.approx(lv.step), lv.id
            assert widget.continuous_update is False
        elif lv.kind == "bool":
            assert isinstance(widget, W.Checkbox)
        else:
            assert isinstance(widget, W.Dropdown)
            assert [v for _, v in widget.options] == list(lv.choices)
        control = app.panel.controls[lv.id]
        assert lv.label("nl") in control.title.value
        assert label("units", lv.unit, "nl") in control.title.value
        assert widget.tooltip == lv.description("nl")
        assert "SERV" in control.info.value
    themes = list(dict.fromkeys(lv.theme for lv in simlib.levers()))
    assert len(app.panel.accordion.children) == len(themes)


def test_a_lever_change_reruns_the_model_and_redraws(fresh):
    app = fresh
    runs, png, summary = app.runs, app.chart.image.value, app.summary.value
    lines = [line.get_ydata().copy() for line in app.chart.axes[0].get_lines()]
    lv = _lever("search_window_days")
    app.panel.controls[lv.id].widget.value = lv.default + 17
    assert app.runs == runs + 1
    assert app.variant.scenario.changed()[lv.id] != dict(lv.schedule)
    assert app.variant.scenario.name != "baseline"
    assert app.chart.image.value != png
    assert len(app.chart.axes[0].get_lines()) == 2 > len(lines)
    assert app.summary.value != summary
    assert lv.label("nl") in app.summary.value
    assert "✓" in app.status.value and app.busy is False


def test_busy_indicator_shows_while_the_model_runs(fresh, monkeypatch):
    app = fresh
    seen = []
    real = simlib.run

    def spy(*args, **kwargs):
        seen.append((app.busy, app.status.value))
        return real(*args, **kwargs)

    monkeypatch.setattr(simlib.model.simulation, "run", spy)
    app.panel.controls["coaching_visits_per_month"].widget.value = 2.5
    assert seen and seen[0][0] is True and "⏳" in seen[0][1]
    assert app.busy is False and "⏳" not in app.status.value


def test_option_changes_redraw_without_rerunning(fresh):
    app = fresh
    app.panel.controls["search_window_days"].widget.value = 35
    runs = app.runs
    for view in (*app.views[1:], app.views[0]):  # each differs from the one shown
        draws = app.chart.draws
        app.view.value = view
        assert app.chart.draws == draws + 1, view
        assert "⚠" not in app.status.value, (view, app.status.value)
    app.view.value = "breakdown"
    app.by.value = "provider"
    assert label("axes", "provider", "nl") == app.chart.axes[0].get_ylabel()
    assert app.runs == runs


def test_language_toggle_changes_labels(fresh):
    app = fresh
    control = app.panel.controls["search_window_days"]
    # theme titles are left out: the glossary has no [themes] section yet (Dutch ids shown)
    nl = (control.title.value, app.chart.axes[0].get_xlabel(),
          app.panel.reset_button.description, app.export_panel.button.description)
    runs = app.runs
    app.lang_toggle.value = "en"
    en = (control.title.value, app.chart.axes[0].get_xlabel(),
          app.panel.reset_button.description, app.export_panel.button.description)
    assert all(a != b for a, b in zip(nl, en, strict=True)), (nl, en)
    assert control.lever.label("en") in control.title.value
    assert [v for _, v in app.indicator.options][0] == "learners_in_model"
    assert app.indicator.options[0][0] == label("indicators", "learners_in_model", "en")
    assert app.runs == runs  # a language change does not rerun the model
    app.lang_toggle.value = "nl"
    assert control.title.value == nl[0]


def test_reset_restores_todays_values_in_one_rerun(fresh):
    app = fresh
    panel = app.panel
    panel.controls["search_window_days"].widget.value = 45
    panel.controls["screening_quality"].widget.value = "high"
    panel.controls["search_support_guarantee"].widget.value = True
    assert len(panel.changed()) == 3
    runs = app.runs
    panel.reset_button.click()
    assert app.runs <= runs + 1  # one rerun at most (the baseline is cached)
    assert panel.changed() == {}
    assert all(c.widget.value == c.lever.default for c in panel.controls.values())
    assert app.variant is app.base


def test_child_levers_are_disabled_while_the_parent_is_off(fresh):
    panel = fresh.panel
    children = [lv for lv in simlib.levers() if lv.parent]
    assert children
    for lv in children:
        parent = panel.controls[lv.parent].widget
        assert panel.controls[lv.id].widget.disabled is (not parent.value)
    parent = children[0].parent
    panel.controls[parent].widget.value = True
    assert all(not panel.controls[c.id].widget.disabled for c in children if c.parent == parent)
    panel.controls[parent].widget.value = False
    assert all(panel.controls[c.id].widget.disabled for c in children if c.parent == parent)


def test_widgets_to_scenario_to_toml_round_trip(fresh, tmp_path):
    panel = fresh.panel
    panel.set_values({"search_window_days": 30, "allowance_tier_1_eur_per_month": 700.0,
                      "screening_quality": "medium", "groeifase_open": True,
                      "groeifase_capacity": 500})
    sc = panel.scenario(name="rondje")
    assert set(sc.overrides) == set(panel.changed()) == {
        "search_window_days", "allowance_tier_1_eur_per_month", "screening_quality",
        "groeifase_open", "groeifase_capacity"}
    path = export.write_scenario(sc, tmp_path / "rondje.toml")
    loaded = simlib.load_scenario(path)
    assert loaded.name == "rondje"
    a = simlib.run(sc, years=1).indicators
    b = simlib.run(loaded, years=1).indicators
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(export.ExportExistsError, match="rondje.toml"):
        export.write_scenario(sc, path)


def test_no_lever_literal_in_any_notebook():
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        source = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        for lv in simlib.levers():
            assert lv.label_nl not in text, (path.name, lv.id)
            assert lv.label_en not in text, (path.name, lv.id)
            assert lv.id not in source, (path.name, lv.id)  # no lever set in a notebook


def test_lever_differences_text():
    sc = simlib.load_scenario("langere_zoekperiode")
    lines = ui.lever_differences(None, sc, "nl")
    assert len(lines) == 2
    assert all("vanaf september 2026: 30 opleidingsdagen (nu 20)" in line for line in lines)
    assert ui.lever_differences(sc, sc) == []
    lv = _lever("allowance_tier_1_eur_per_month")
    assert ui.format_value(lv, 612.5, "nl") == "EUR 612,50 per maand"
    assert ui.format_value(lv, 612.5, "en") == "EUR 612.50 per month"
    assert ui.format_value(_lever("dual_offer_growth_share"), 0.25, "nl") == "25 %"


def test_compare_app_compares_files_and_sliders_and_saves(tmp_path):
    app = ui.CompareApp(a="baseline", b="langere_zoekperiode", years=YEARS, save_dir=tmp_path)
    values = [v for _, v in app.pick_a.options]
    assert ui.SLIDERS in values and "langere_zoekperiode" in values
    assert [r.scenario.name for r in app.results] == ["baseline", "langere_zoekperiode"]
    assert len(app.chart.axes) == 2
    text = app.summary.value
    assert _lever("search_window_days").label("nl") in text
    assert "tegenover" in text
    app.pick_b.value = ui.SLIDERS
    runs = app.runs
    app.panel.controls["coaching_visits_per_month"].widget.value = 3.0
    assert app.runs == runs + 1
    assert app.results[1].scenario.changed()
    app.save_name.value = "mijn test"
    path = app.save()
    assert path == tmp_path / "mijn_test.toml" and path.is_file()
    assert simlib.load_scenario(path).changed() == app.results[1].scenario.changed()
    assert str(path) in [v for _, v in app.pick_a.options]
    before = path.read_bytes()
    assert app.save() is None and "⚠" in app.save_message.value
    assert path.read_bytes() == before
    app.lang_toggle.value = "en"
    assert "compared with" in app.summary.value


def test_baseline_explorer_and_gallery(tmp_path):
    explorer = ui.BaselineExplorer(years=YEARS)
    for view in explorer.views:
        explorer.view.value = view
        assert "⚠" not in explorer.status.value, explorer.status.value
    explorer.view.value = "sankey"
    explorer.hide_non_dual.value = True
    first = explorer.school_year.options[0]
    assert first in explorer.chart.axes[0].get_xlabel()
    gallery = ui.Gallery(ui.baseline(YEARS), kinds=("stocks", "breakdown"))
    gallery.export_panel.folder.value = str(tmp_path)
    paths = gallery.export_panel.export()
    assert {p.name for p in paths} >= {"basislijn_stocks.png", "basislijn_breakdown.csv"}
    table = ui.key_figures(ui.baseline(YEARS), lang="en")
    assert label("indicators", "learners_in_model", "en") in table.index


# --- typed values in the language's format; one rule for when a change starts -------------


@pytest.mark.parametrize("lang,typed,expected", [
    ("nl", "700,00", 700.0), ("nl", "1.234,5", 1234.5), ("en", "700.50", 700.5),
    ("en", "1,234.5", 1234.5)])
def test_a_typed_amount_is_read_in_the_languages_format(lang, typed, expected):
    control = ui.LeverControl(_lever("allowance_tier_1_eur_per_month"), lang)
    assert control.entry.value == ("612,50" if lang == "nl" else "612.50")
    assert not control.widget.readout  # the read-out is the typed field, in the language
    control.entry.value = typed
    assert control.widget.value == expected and control.entry_error.value == ""
    assert control.entry.value == ("EUR " + control.entry.value).removeprefix("EUR ")


@pytest.mark.parametrize("typed", ["abc", "700.00", "99999", "-5"])
def test_a_bad_typed_value_is_refused_and_changes_nothing(typed):
    control = ui.LeverControl(_lever("allowance_tier_1_eur_per_month"), "nl")
    control.entry.value = typed
    assert control.widget.value == 612.5
    assert control.entry_error.value and "D55E00" in control.entry_error.value


def test_a_share_reads_and_types_in_percent():
    control = ui.LeverControl(_lever("dual_offer_growth_share"), "nl")
    assert control.entry.value == "0" and "%" in control.entry_unit.value
    control.entry.value = "25"
    assert control.widget.value == 0.25


def test_an_allowance_slider_step_is_usable():
    """One arrow press moved the allowance by EUR 0,10 (875 presses, each a model run, to
    reach EUR 700); a step of a few euros, and the typed field for cents."""
    lv = _lever("allowance_tier_1_eur_per_month")
    assert (700 - lv.default) / lv.step < 20


def test_every_app_dates_a_change_by_one_rule():
    """The sliders of the scenario app, the comparison app and a policy notebook give the
    same dated scenario for the same setting: from the lever's earliest date by default, or
    from a chosen later school year."""
    lv = _lever("coaching_visits_per_month")
    apps = [ui.ScenarioApp(years=YEARS), ui.CompareApp(years=YEARS)]
    for app in apps:
        app.panel.controls[lv.id].widget.value = 2.0
    scs = [app.panel.scenario() for app in apps]
    assert all(dict(sc.overrides) == {lv.id: {lv.earliest_date: 2.0}} for sc in scs)
    assert apps[0].variant.scenario.overrides == scs[0].overrides  # what ran is what is saved
    assert len({export.scenario_toml(sc) for sc in scs}) == 1
    assert lv.earliest_date == "2026-09-01"
    app = ui.ScenarioApp(years=4)
    app.panel.controls[lv.id].widget.value = 2.0
    app.panel.start.value = "2028-29"  # later than the lever's earliest date: from then
    assert dict(app.panel.scenario().overrides) == {lv.id: {"2028-09-01": 2.0}}
    assert dict(app.variant.scenario.overrides) == {lv.id: {"2028-09-01": 2.0}}
    app.panel.start.value = "2025-26"  # earlier: the lever's own earliest date
    assert dict(app.variant.scenario.overrides) == {lv.id: {"2026-09-01": 2.0}}


def test_a_policy_notebook_says_which_scenario_it_opens_on_beside_the_reset():
    app = ui.ThemeApp("04_zoekperiode_en_garantie", years=YEARS)
    note = app.panel.note.value
    assert app.file_scenario.label("nl") in note
    app.lang_toggle.value = "en"
    assert app.file_scenario.label("en") in app.panel.note.value
