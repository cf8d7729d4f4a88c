"""The frame an app owns (simlib.ui.frame), configured with data and driven without a browser:
the views and their chart kinds, which options each view shows, the options' first values,
a pair of the same scenario shown once, the status line, a failed run, and an app's names
that are its frame's."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import simlib  # noqa: E402
from simlib import ui  # noqa: E402
from simlib.ui.common import BUSY, DONE, ERROR, StatusLine  # noqa: E402
from simlib.ui.frame import OPTIONS_SHOWN, Frame, Framed, FrameSpec  # noqa: E402

YEARS = 2


@pytest.fixture(scope="module")
def base():
    return ui.baseline(YEARS)


def _frame(base, **spec) -> Frame:
    frame = Frame(FrameSpec(**spec), years=YEARS)
    frame.results = [base]
    frame.fill_options()
    frame.redraw()
    return frame


def test_a_frame_is_configured_with_data(base):
    texts = []
    frame = _frame(base, views=("stocks", "breakdown", "trend"),
                   kinds={"trend": ("trend", "difference")}, stem="mijn_app",
                   summary=lambda: texts.append(1) or "<b>samenvatting</b>")
    assert frame.chart.kinds == ("stocks",) and frame.views == ("stocks", "breakdown", "trend")
    assert frame.export_panel.stem.value == "mijn_app"
    assert frame.summary.value == "<b>samenvatting</b>" and texts
    shown = {name: getattr(frame, name).layout.display != "none" for name in OPTIONS_SHOWN}
    assert not any(shown.values())  # the stocks chart takes no option
    assert frame.band_box.layout.display == "none"
    frame.view.value = "breakdown"
    assert frame.chart.kinds == ("breakdown",)
    assert frame.by.layout.display is None and frame.school_year.layout.display is None
    assert frame.group.layout.display == "none"
    frame.results = [base, base]
    frame.view.value = "trend"  # two charts side by side: trend and difference
    assert frame.chart.kinds == ("trend", "difference") and len(frame.chart.axes) == 2
    assert frame.band_box.layout.display is None  # both take bands


def test_which_options_a_view_shows_is_data(base):
    frame = _frame(base, views=("trend", "sankey"),
                   options_shown={**OPTIONS_SHOWN, "school_year": ("trend", "sankey")})
    assert frame.school_year.layout.display is None  # shown in the trend too
    frame.view.value = "sankey"
    assert frame.indicator.layout.display == "none"
    assert frame.hide_non_dual.layout.display is None


@pytest.mark.parametrize("breakdowns, group, by, shown_group", [
    (("finality", "ses", "region"), "region=limburg", "region", "region=limburg"),
    (("finality", "ses"), "no_such_group", "finality", "all")])
def test_an_option_starts_at_its_default_if_offered_else_at_the_first(base, breakdowns, group,
                                                                       by, shown_group):
    frame = _frame(base, views=("breakdown",), breakdowns=breakdowns, group=group,
                   indicators_first=("placement_share",))
    assert frame.by.value == by and frame.group.value == shown_group
    assert frame.indicator.value == "placement_share"
    assert frame.indicator.options[0][1] == "placement_share"
    frame.by.value = breakdowns[1]
    frame.set_lang("en")  # a relabelling keeps what was chosen
    assert frame.by.value == breakdowns[1] and frame.indicator.value == "placement_share"


def test_a_variant_that_is_its_base_is_shown_once_outside_the_compare_views(base):
    frame = _frame(base, views=("trend", "difference"), compare_views=("difference",))
    frame.results = [base, base]
    assert frame.shown() == [base]
    frame.view.value = "difference"
    assert frame.shown() == [base, base]
    frame.spec = FrameSpec(views=("trend",))  # no compare views: always as given
    assert frame.shown() == [base, base]


def test_the_status_line_says_busy_done_and_error():
    line = StatusLine()
    line.working("bezig")
    assert line.busy and BUSY in line.widget.value
    line.done("klaar")
    assert not line.busy and DONE in line.widget.value and "klaar" in line.widget.value
    line.working("bezig")
    line.failed("kapot &lt;")
    assert not line.busy and ERROR in line.widget.value


def test_a_failed_run_is_shown_and_the_frame_keeps_its_results(base):
    frame = _frame(base, views=("trend",))
    draws = frame.chart.draws

    def broken():
        raise ValueError("kapot")

    frame.rerun(broken)
    assert "kapot" in frame.status.value and frame.busy is False
    assert frame.results == [base] and frame.chart.draws == draws
    variant = ui.run_cached(simlib.load_scenario("langere_zoekperiode"), YEARS)
    frame.rerun(lambda: [base, variant])
    assert frame.results == [base, variant] and frame.chart.draws == draws + 1
    assert "✓" in frame.status.value


def test_an_apps_names_are_its_frames(base):
    class Tiny(Framed):
        def __init__(self):
            self.frame = _frame(base, views=("trend",))

    app = Tiny()
    assert app.status is app.frame.status and app.chart is app.frame.chart
    assert app.export_panel is app.frame.export_panel and app.view is app.frame.view
    app.results = [base, base]
    assert app.frame.results == [base, base]
    app.set_lang("en")
    assert app.lang == app.frame.lang == "en" and app.lang_toggle.value == "en"
    assert app.redraw() is True and app.runs == ui.cache.RUNS["count"]
