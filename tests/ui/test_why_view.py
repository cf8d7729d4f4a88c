"""The apps' "Waarom?" / "Why?" view: the difference of the sliders' scenario from the
baseline split over the levers moved, as a waterfall whose total is the difference chart's."""

from __future__ import annotations

import pytest

from simlib import ui
from simlib.report import plots

SY = "2030-31"


@pytest.fixture(scope="module")
def app():
    app = ui.ScenarioApp(years=6)
    with app.panel.hold():
        app.panel.controls["search_window_days"].widget.value = 30
        app.panel.controls["coaching_visits_per_month"].widget.value = 1.5
    app.update()
    return app


def test_why_view_splits_the_difference_over_the_moved_levers(app):
    app.frame.view.value = "difference"
    diff = app.chart.table
    whole = float(diff[diff.school_year == SY].difference.iloc[0])
    app.frame.view.value = "why"
    app.frame.school_year.value = SY
    table = app.chart.table
    assert set(table.lever) == {"search_window_days", "coaching_visits_per_month"}
    assert table.contribution.sum() == pytest.approx(whole, rel=1e-9)
    assert (table.school_year == SY).all() and (table.method == "exact").all()
    # the footnote says how it was split, in the app's language
    assert "Shapley" in app.chart.footnote.value and "alle 4 combinaties" in app.chart.footnote.value
    assert app.frame.school_year.layout.display != "none"  # the year is chosen in this view
    labels = [t.get_text() for t in app.chart.axes[0].get_yticklabels()]
    assert labels[-1] == "samen: het verschil"


def test_why_view_in_english_and_without_a_change(app):
    app.frame.view.value = "why"
    app.lang_toggle.value = "en"
    assert "all 4 combinations" in app.chart.footnote.value
    app.lang_toggle.value = "nl"
    fresh = ui.ScenarioApp(years=6)
    fresh.frame.view.value = "why"
    assert fresh.chart.table.empty  # no lever moved: nothing to split, said on the chart
    texts = [t.get_text() for t in fresh.chart.axes[0].texts]
    assert any("Geen hefboom" in t for t in texts)
    assert plots.chart_note(fresh.chart.axes[0]) is None


def test_a_new_setting_shows_its_runs_in_the_busy_line(app):
    seen = []
    real = app.frame.status_line.working

    def working(text):
        seen.append(text)
        real(text)

    app.frame.status_line.working = working
    try:
        app.frame.view.value = "why"
        app.frame.indicator.value = "unqualified_outflow"  # a new setting: 4 runs
    finally:
        app.frame.status_line.working = real
    assert any("modelrun 1 van 4" in s for s in seen)
    assert not app.frame.status_line.busy  # the line before it is back
    app.frame.indicator.value = "dual_contract_learners"


def test_the_why_view_also_splits_by_channel_beside_the_levers(app):
    app.frame.view.value = "why"
    app.frame.school_year.value = SY
    assert app.chart.kinds == ("why", "why_channel")
    left, right = app.chart.axes
    channels = [t.get_text() for t in right.get_yticklabels()]
    assert "zoeken en plaatsing" in channels and channels[-1] == "samen: het verschil"
    # both waterfalls end at the same total: the difference
    assert left.patches[-1].get_width() == pytest.approx(right.patches[-1].get_width())
    assert "Per kanaal" in app.chart.footnote.value
