"""Charts: every function returns Axes with labelled axes and units in both languages,
Dutch number formatting in Dutch mode, and tables that hold the numbers shown."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import simlib  # noqa: E402
from simlib.inputs.glossary import label, section  # noqa: E402
from simlib.model.kernel import FLOW_NODES  # noqa: E402
from simlib.report import plots  # noqa: E402

YEARS = 2


@pytest.fixture(scope="module")
def results():
    base = simlib.run("baseline", years=YEARS)
    variant = simlib.run(simlib.scenario(name="test_variant", label_nl="Testvariant",
                                         label_en="Test variant", search_window_days=40,
                                         coaching_visits_per_month=2.0), years=YEARS)
    return base, variant


#: chart name -> (function, keyword options, value axis "x" or "y", category axis or None)
CASES = {
    "stocks": (plots.stocks, {}, "y", None),
    "sankey": (plots.sankey, {}, "y", None),
    "trend": (plots.trend, {"indicator": "learners_in_model"}, "y", None),
    "difference": (plots.difference, {"indicator": "public_cost_dual_policy"}, "y", None),
    "breakdown": (plots.breakdown, {"indicator": "learners_in_model", "by": "region"}, "x",
                  "y"),
}


def _draw(name, results, lang):
    func, opts, _, _ = CASES[name]
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.add_subplot()
    out = func(list(results), ax=ax, lang=lang, **opts)
    fig.canvas.draw()
    return out


def _has_unit(text: str, lang: str) -> bool:
    units = {entry[lang] for entry in section("units").values()}
    inside = re.findall(r"\(([^()]*)\)", text)
    return any(unit in part for part in inside for unit in units)


@pytest.mark.parametrize("name", list(CASES))
def test_chart_returns_axes_with_units_in_both_languages(results, name):
    _, _, value_axis, category_axis = CASES[name]
    labels = {}
    for lang in ("nl", "en"):
        ax = _draw(name, results, lang)
        assert isinstance(ax, matplotlib.axes.Axes)
        xl, yl = ax.get_xlabel(), ax.get_ylabel()
        assert xl.strip() and yl.strip(), (name, lang)
        for axis, text in (("x", xl), ("y", yl)):
            if axis != category_axis:  # a category axis names its grouping, not a unit
                assert _has_unit(text, lang), (name, lang, axis, text)
        assert ax.get_title(loc="left").strip()
        labels[lang] = (xl, yl)
    assert labels["nl"][0] != labels["en"][0] and labels["nl"][1] != labels["en"][1], labels
    assert value_axis in ("x", "y")


def _numbers(ax) -> list[str]:
    texts = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    texts += [t.get_text() for t in ax.texts]
    found = []
    for text in texts:
        found += re.findall(r"[+-]?\d[\d.,]*\d|\d", text)
    return found


@pytest.mark.parametrize("name", [n for n in CASES if n != "stocks"] + ["stocks"])
def test_dutch_number_formatting_in_dutch_mode(results, name):
    nl = _numbers(_draw(name, results, "nl"))
    en = _numbers(_draw(name, results, "en"))
    dutch = [n for n in nl if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?|[+-]?\d+,\d+", n)]
    assert dutch, (name, nl)
    for n in nl:  # nothing in English style: no 1,234 and no 0.5
        assert not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?|[+-]?\d+\.\d{1,2}", n), (name, n)
    assert nl != en


@pytest.mark.parametrize("name", ["trend", "difference", "breakdown", "stocks"])
def test_tick_labels_are_exact_and_distinct(results, name):
    """Ticks at 2,5-steps keep their decimal: no two ticks may read the same."""
    for lang in ("nl", "en"):
        ax = _draw(name, results, lang)
        value_axis = ax.xaxis if CASES[name][2] == "x" else ax.yaxis
        texts = [t.get_text() for t in value_axis.get_ticklabels() if t.get_text()]
        assert len(texts) == len(set(texts)), (name, texts)


def test_number_formats():
    assert plots.number(1234.5, "nl", 1) == "1.234,5"
    assert plots.number(1234.5, "en", 1) == "1,234.5"
    assert plots.number(-0.0001, "nl", 2) == "0,00"
    assert plots.number(-1234567, "nl") == "-1.234.567"


def test_stocks_keeps_its_signature_and_draws_one_line_per_state(results):
    base, _ = results
    ax = plots.stocks(base, None, "nl", ("searching", "dual_oao"))
    assert len(ax.get_lines()) == 2
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), base.stocks["searching"])
    assert ax.get_legend_handles_labels()[1][0] == label("states", "searching", "nl")


def test_sankey_table_sums_the_flows_of_the_school_year(results):
    base, _ = results
    years = base.trajectory.timeline.school_year()
    second = list(dict.fromkeys(years))[1]
    table = plots.flows_table(base, school_year=second)
    months = np.asarray(years) == second
    assert table.value.sum() == pytest.approx(base.trajectory.flows[months].sum())
    assert set(table["from"]) | set(table["to"]) <= set(FLOW_NODES)
    hidden = plots.sankey(base, school_year=second, hide=("non_dual",))
    assert not any("Niet-duaal" in t.get_text() for t in hidden.texts)
    with pytest.raises(ValueError, match="school year"):
        plots.flows_table(base, school_year="1999-00")


def test_trend_and_difference_show_the_numbers_of_their_tables(results):
    base, variant = results
    ax = plots.trend([base, variant], indicator="dual_contract_learners")
    table = plots.trend_table([base, variant], "dual_contract_learners")
    line = ax.get_lines()[1].get_ydata()
    np.testing.assert_allclose(line, table[table.scenario == "test_variant"].value)
    ax = plots.difference([base, variant], indicator="placement_share")
    diff = plots.difference_table([base, variant], "placement_share")
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, diff.difference * 100)  # in percentage points
    assert ax.get_ylabel() == "Verschil (procentpunt)"  # a difference of shares: points
    ax = plots.trend([base, variant], indicator="placement_share", lang="en")
    assert ax.get_ylabel().endswith("(%)")
    with pytest.raises(ValueError, match="two results"):
        plots.difference(base)


def test_breakdown_by_every_axis(results):
    base, variant = results
    for by in plots.BREAKDOWN_AXES:
        ax = plots.breakdown([base, variant], by=by, lang="en")
        assert ax.get_ylabel() == label("axes", by, "en")
        groups = plots.breakdown_table(base, by=by).group
        assert len(ax.patches) == 2 * len(groups)
    with pytest.raises(ValueError, match="by must be"):
        plots.breakdown(base, by="colour")


def test_draw_keeps_the_footnote_and_returns_tables(results):
    fig = plots.new_figure(("trend", "difference"))
    plots.set_footnote(fig, "Voetnoot")
    axes, tables = plots.draw(fig, ("trend", "difference"), list(results), "nl",
                              indicator="terminations")
    assert len(axes) == 2 and len(tables) == 2
    assert [t.get_text() for t in fig.texts if t.get_gid() == plots.FOOTNOTE_GID] == ["Voetnoot"]
    assert plots.png_bytes(fig).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="unknown chart"):
        plots.draw(fig, ("pie",), list(results))
