"""Uncertainty bands as an option of the apps' main chart, driven from the test: off by
default and free when off; ticked, a sweep with a progress bar draws the 50% and 90% bands
of the scenario and the baseline, remembered per scenario; the export carries them; the
labels follow the language. Tiny sweeps: two school years, two or three draws."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import simlib  # noqa: E402
from simlib import ui  # noqa: E402
from simlib.analysis import checks  # noqa: E402
from simlib.analysis import uncertainty as U  # noqa: E402
from simlib.inputs.glossary import label  # noqa: E402
from simlib.report import plots  # noqa: E402
from simlib.report import uncertainty_plots as UP  # noqa: E402

YEARS = 2
DRAWS = 3


@pytest.fixture
def sweeps(monkeypatch):
    """The real sweep, counted: the scenario names of every call."""
    calls: list[list[str]] = []
    real = U.sweep

    def counted(scenarios, *args, **kwargs):
        calls.append([s.name for s in scenarios])
        return real(scenarios, *args, **kwargs)

    monkeypatch.setattr(U, "sweep", counted)
    ui.clear_cache()
    return calls


@pytest.fixture(scope="module")
def shared():
    """One scenario app for the module (built once: about a second)."""
    return {"app": ui.ScenarioApp(years=YEARS)}


@pytest.fixture
def fresh(shared):
    """The module's app with no bands, a lever moved (two scenarios shown), the trend, in
    Dutch."""
    app = shared["app"]
    app.show_bands.value = False
    app.band_draws.value = DRAWS
    app.panel.set_values({"search_window_days": 35})
    app.view.value = "trend"
    app.indicator.value = "dual_contract_learners"
    app.group.value = "all"
    app.set_lang("nl")
    return app


def _bands(ax) -> list:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def test_off_by_default_and_nothing_is_swept_without_the_box(sweeps):
    app = ui.ScenarioApp(years=YEARS)
    assert app.show_bands.value is False
    assert app.band_draws.value == ui.cache.BAND_DRAWS and (app.band_draws.min,
                                                      app.band_draws.max) == (2, 1000)
    assert app.band_progress.layout.display == "none"
    app.panel.set_values({"search_window_days": 35})
    for view in app.views:
        app.view.value = view
    app.view.value = "trend"
    app.indicator.value = "placement_share"
    app.band_draws.value = 7  # the box is off: no redraw, no sweep
    app.set_lang("en")
    assert sweeps == []
    assert app.chart.bands is None and app.chart.extra_note is None
    assert not _bands(app.chart.axes[0])
    assert "p5" not in app.chart.table.columns


def test_ticking_the_box_draws_both_bands_with_a_progress_bar_once(fresh, sweeps):
    app = fresh
    app.show_bands.value = True
    assert sweeps == [["baseline", "eigen_scenario"]]  # one sweep, both scenarios (paired)
    bar = app.band_progress
    assert bar.layout.display is None and bar.value == bar.max >= 1
    assert "3" in app.band_status.value and "⚠" not in app.band_status.value
    ax = app.chart.axes[0]
    fills = _bands(ax)
    assert len(fills) == 4  # 50% and 90% for the baseline and for the variant
    line_colours = {to_hex(line.get_color()) for line in ax.get_lines()}
    assert {to_hex(f.get_facecolor()[0][:3]) for f in fills} == line_colours
    assert {"50%-band", "90%-band"} <= {t.get_text() for t in ax.get_legend().get_texts()}
    table = app.chart.table
    assert {"p5", "p25", "p50", "p75", "p95", "draws"} <= set(table.columns)
    assert (table["draws"] == DRAWS).all()
    assert (table["p5"] <= table["p25"]).all() and (table["p75"] <= table["p95"]).all()
    # redraws that change none of (scenarios, indicator, group, years, draws, seed): no sweep
    png = app.chart.image.value
    app.redraw()
    app.view.value = "stocks"
    app.view.value = "trend"
    app.set_lang("en")
    app.set_lang("nl")
    assert len(sweeps) == 1 and len(_bands(app.chart.axes[0])) == 4
    assert app.chart.image.value == png
    # a lever change sweeps the new variant only: the baseline's draws are remembered
    app.panel.set_values({"search_window_days": 30})
    assert sweeps[1:] == [["eigen_scenario"]]
    # a new number of draws sweeps again
    app.band_draws.value = 2
    assert len(sweeps) == 3 and (app.chart.table["draws"] == 2).all()


def test_a_region_is_swept_at_a_resolution_that_keeps_it(fresh, sweeps):
    app = fresh
    app.show_bands.value = True
    merged = app.chart.bands.meta["collapsed_axes"]
    assert all(label("axes", a, "nl").lower() in app.chart.extra_note for a in merged)
    app.group.value = "region=limburg"
    assert "⚠" not in app.band_status.value and len(_bands(app.chart.axes[0])) == 4
    assert app.chart.bands.meta["collapsed_axes"] == []
    assert "geen ingeklapte assen" in app.chart.extra_note
    assert set(app.chart.table["group"]) == {"region=limburg"}


def test_a_scenario_swept_alone_has_the_draws_it_has_beside_another():
    """What the cache per scenario relies on: the draws depend on the seed only."""
    alone = U.sweep(["langere_zoekperiode"], 2, years=YEARS,
                    indicators=["dual_contract_learners"])
    both = U.sweep(["baseline", "langere_zoekperiode"], 2, years=YEARS,
                   indicators=["dual_contract_learners"])
    pd.testing.assert_frame_equal(
        alone.bands(), both.bands("langere_zoekperiode").reset_index(drop=True))


def test_the_difference_view_shows_paired_whiskers(fresh, sweeps):
    app = fresh
    app.view.value = "difference"
    app.show_bands.value = True
    ax = app.chart.axes[0]
    assert len([c for c in ax.collections if isinstance(c, LineCollection)]) == 2
    assert {"difference_p5", "difference_p95"} <= set(app.chart.table.columns)
    assert "gepaard" in app.chart.extra_note
    app.view.value = "sankey"  # a chart without bands: the option is not offered
    assert app.band_box.layout.display == "none" and app.chart.extra_note is None
    assert len(sweeps) == 1


def test_the_export_carries_the_bands_and_says_what_they_are(fresh, sweeps, tmp_path):
    app = fresh
    panel = app.export_panel
    panel.folder.value, panel.stem.value = str(tmp_path), "zonder"
    panel.export()
    assert "p5" not in pd.read_csv(tmp_path / "zonder.csv").columns
    assert "trekkingen" not in (tmp_path / "zonder.svg").read_text(encoding="utf-8")
    app.show_bands.value = True
    panel.stem.value = "banden"
    names = {p.name for p in panel.export()}
    assert {"banden.png", "banden.svg", "banden.pdf", "banden.csv"} <= names
    csv = pd.read_csv(tmp_path / "banden.csv")
    assert {"p5", "p25", "p50", "p75", "p95", "draws"} <= set(csv.columns)
    assert set(csv["scenario"]) == {"baseline", "eigen_scenario"}
    svg = (tmp_path / "banden.svg").read_text(encoding="utf-8")
    for words in (f"Banden: {DRAWS} trekkingen", "(seed 0)", "gekalibreerde",
                  "50%-band", "90%-band"):
        assert words in svg, words
    assert "gekalibreerde ensemble" in app.chart.footnote.value  # and on screen


def test_the_language_toggle_changes_the_labels_without_a_sweep(fresh, sweeps):
    app = fresh
    assert app.show_bands.description == "Onzekerheidsbanden tonen"
    assert app.band_draws.description == "Trekkingen"
    app.show_bands.value = True
    app.lang_toggle.value = "en"
    assert app.show_bands.description == "Show uncertainty bands"
    assert app.band_draws.description == "Draws"
    legend = {t.get_text() for t in app.chart.axes[0].get_legend().get_texts()}
    assert {"50% band", "90% band"} <= legend
    assert "calibrated ensemble" in app.chart.extra_note
    assert len(sweeps) == 1
    app.band_prior.value = True  # prior only: a sweep of its own, said so
    assert len(sweeps) == 2 and "prior only" in app.chart.extra_note
    assert "not calibrated" in app.band_status.value
    assert app.band_prior.description == "prior only (not calibrated)"
    app.band_prior.value = False
    app.lang_toggle.value = "nl"


def test_a_failed_sweep_is_shown_beside_the_box_and_the_chart_still_draws(fresh, monkeypatch):
    def broken(*_args, **_kwargs):
        raise ValueError("kapot")

    monkeypatch.setattr(U, "sweep", broken)
    ui.clear_cache()
    app = fresh
    draws = app.chart.draws
    app.show_bands.value = True
    assert "kapot" in app.band_status.value and "⚠" not in app.status.value
    assert app.chart.draws == draws + 1 and not _bands(app.chart.axes[0])


def test_theme_and_compare_apps_offer_the_bands(sweeps):
    theme = ui.ThemeApp("02_minimum_werkuren", years=YEARS)
    assert theme.show_bands.value is False
    assert theme.band_box.layout.display is None  # the detail chart: the difference
    theme.view.value = "trend"
    theme.band_draws.value = 2
    theme.show_bands.value = True
    assert len(_bands(theme.chart.axes[0])) == 4 and len(sweeps) == 1
    assert theme.grid.extra_note is None  # the grid of indicators has no bands
    compare = ui.CompareApp(a="baseline", b="langere_zoekperiode", years=YEARS)
    compare.band_draws.value = 2
    compare.show_bands.value = True
    trend, difference = compare.chart.axes[:2]
    assert len(_bands(trend)) == 4
    assert any(isinstance(c, LineCollection) for c in difference.collections)
    assert "difference_p50" in compare.chart.table.columns
    compare.pick_b.value = "baseline"  # the same scenario twice: its bands, no difference
    assert "⚠" not in compare.band_status.value and "⚠" not in compare.status.value
    assert len(_bands(compare.chart.axes[0])) == 2
    assert "p5" not in compare.chart.table.columns and len(sweeps) == 2


def test_no_bands_with_extra_modules(sweeps):
    module = checks.policy_module(
        "test_bands_supply", rates=["places_factor"], label_nl="Meer plaatsen",
        label_en="More places",
        apply=lambda rates, lv, ctx: {"places_factor": rates["places_factor"].scaled(tc=1.3)})
    app = ui.ThemeApp("09_model_uitbreiden", years=YEARS, extra_modules=[module])
    app.view.value = "trend"
    assert app.band_box.layout.display == "none"  # a sweep runs without the module
    app.show_bands.value = True
    assert sweeps == [] and app.chart.bands is None


def test_trend_bands_follow_the_lines_and_widen_the_value_axis():
    base = ui.run_cached(simlib.load_scenario("baseline"), YEARS)
    ax = plots.trend([base], indicator="placement_share")
    bands = U.bands(pd.DataFrame({
        "draw": [0, 1, 0, 1], "scenario": "baseline", "indicator": "placement_share",
        "group": "all", "school_year": ["2025-26", "2025-26", "2026-27", "2026-27"],
        "value": [0.1, 0.99, 0.1, 0.99], "unit": "share"}))
    UP.trend_bands(bands, ax, indicator="placement_share", scenarios=["baseline"])
    assert len(_bands(ax)) == 2 and ax.get_ylim()[1] >= 99
