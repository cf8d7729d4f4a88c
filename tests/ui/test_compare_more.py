"""More than two scenarios in the comparison app: one trend with every scenario, the
difference B - A, and one table of the headline indicators with every scenario."""

from __future__ import annotations

import pytest

from simlib.ui.compare import CompareApp

MORE = ["groeifase_springplank", "groeifase_parkeerplek"]


@pytest.fixture(scope="module")
def app():
    return CompareApp(a="baseline", b="pakket_serv", more=MORE, years=6)


def test_every_scenario_in_the_trend_and_the_difference_stays_b_minus_a(app):
    names = [r.scenario.name for r in app.results]
    assert names == ["baseline", *MORE, "pakket_serv"]  # A, the others, B
    assert len(app.chart.axes[0].get_lines()) == 4
    assert set(app.chart.table.scenario_a) == {"baseline"}
    assert set(app.chart.table.scenario_b) == {"pakket_serv"}


def test_one_table_sets_the_scenarios_side_by_side(app):
    text = app.summary.value
    assert "naast elkaar in 2030-31" in text
    head = text[text.find("<table"):text.find("</tr>", text.find("<table"))]
    for label in ("Basislijn", "Groeifase als springplank", "parkeerplek", "SERV"):
        assert label in head
    assert "(+1.116 leerlingen)" in text  # pakket_serv's contracts, against the first


def test_a_scenario_picked_twice_is_shown_once_and_a_bad_name_is_refused(app):
    app.pick_more.value = ("baseline", "groeifase_springplank")
    assert [r.scenario.name for r in app.results] == ["baseline", "groeifase_springplank",
                                                       "pakket_serv"]
    app.pick_more.value = ()
    assert len(app.results) == 2 and "naast elkaar" not in app.summary.value
    with pytest.raises(ValueError, match="unknown scenarios.*did you mean 'pakket_serv'"):
        CompareApp(more=["pakket_sev"], years=2)
