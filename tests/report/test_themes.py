"""The policy notebooks: the theme file, the theme app driven from the test, the generated
text, the region x sector map, the shared invariant checks and the indicators they added.

No model result is written down here: the tests check relations (the text shows the numbers
of the results, a difference is variant minus baseline, margins add up) and behaviour."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import simlib  # noqa: E402
from simlib import ui  # noqa: E402
from simlib.analysis import checks  # noqa: E402
from simlib.inputs.glossary import label  # noqa: E402
from simlib.inputs.scenario import scenario_names  # noqa: E402
from simlib.model.outcomes import INDICATOR_BY_ID, market_cells  # noqa: E402
from simlib.report import (  # noqa: E402
    plots,  # noqa: E402
    texts,
    themes,
)
from simlib.report.describe import lever_changes  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
#: The SERV advice (outside the repository: the test of the quotes skips without it).
SOURCE = ROOT.parent / "shared" / "sources" / "serv-advies-actieplan-duaal-leren.txt"
YEARS = 3
IDS = themes.theme_ids()


# --- the theme file ------------------------------------------------------------------------


def test_there_is_a_theme_per_policy_notebook():
    assert IDS == ["02_minimum_werkuren", "03_leervergoeding", "04_zoekperiode_en_garantie",
                   "05_groeifase", "06_regionale_afstemming", "09_model_uitbreiden"]
    for theme_id in IDS:
        assert (NOTEBOOKS / f"{theme_id}.ipynb").is_file(), theme_id


@pytest.mark.parametrize("theme_id", IDS)
def test_theme_refers_only_to_what_exists(theme_id):
    th = themes.theme(theme_id)
    registry = {lv.id: lv for lv in simlib.levers()}
    assert all(x in registry for x in th.levers)
    assert th.scenario in scenario_names()
    assert set(simlib.load_scenario(th.scenario).changed()) <= set(th.levers)
    for spec in th.indicators:
        assert spec.id in INDICATOR_BY_ID
        assert spec.group == "all" or label("groups", spec.group) != spec.group
    assert th.whom in INDICATOR_BY_ID
    assert set(th.breakdowns) <= set(plots.BREAKDOWN_AXES)
    for lang in ("nl", "en"):
        assert th.title(lang) and th.question(lang) and th.actions(lang)
    assert th.title("nl") != th.title("en") and th.question("nl") != th.question("en")
    assert th.passages


@pytest.mark.skipif(not SOURCE.is_file(), reason="the SERV advice is not beside the repository")
def test_every_quote_is_verbatim_in_the_advice():
    text = themes.normalise_quote(SOURCE.read_text(encoding="utf-8"))
    for th in themes.themes():
        for passage in th.passages:
            assert themes.normalise_quote(passage.quote) in text, (th.id, passage.quote[:60])
    # the check can fail: a changed word is not found
    assert themes.normalise_quote("Twintig dagen om een leerwerkplek te zoeken") not in text


def test_normalise_quote_joins_words_broken_over_lines():
    assert themes.normalise_quote("de pro-\n\ngrammatie van niet-\nduale  plaatsen") == \
        themes.normalise_quote("de programmatie van niet-duale plaatsen")


@pytest.mark.parametrize("change, message", [
    ({"levers": ["no_such_lever"]}, "levers"),
    ({"indicators": ["no_such_indicator"]}, "unknown indicator"),
    ({"indicators": ["placement_share@region=atlantis"]}, "unknown group"),
    ({"scenario": "no_such_scenario"}, "scenario"),
    ({"levers": []}, "changes levers the theme does not show"),
    ({"colour": "blue"}, "unknown keys"),
    ({"breakdowns": ["colour"]}, "breakdowns"),
])
def test_the_loader_is_strict(change, message):
    import tomli_w

    good = {"title_nl": "a", "title_en": "b", "actions_nl": "c", "actions_en": "d",
            "question_nl": "e", "question_en": "f", "levers": ["search_window_days",
                                                               "search_extension_days"],
            "scenario": "langere_zoekperiode", "indicators": ["placement_share"],
            "breakdowns": ["region"],
            "passages": [{"where_nl": "x", "where_en": "y", "quote": "z"}]}
    assert themes.load_themes(tomli_w.dumps({"99_test": good}))
    with pytest.raises(themes.ThemeError, match=message):
        themes.load_themes(tomli_w.dumps({"99_test": {**good, **change}}))


def test_notebooks_are_thin_and_build_their_theme():
    for theme_id in IDS:
        nb = json.loads((NOTEBOOKS / f"{theme_id}.ipynb").read_text(encoding="utf-8"))
        code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        assert f'ui.ThemeApp("{theme_id}"' in "\n".join(code), theme_id
        assert code[-1].strip() == "thema.export_panel", theme_id  # ends with the export
        if theme_id != "09_model_uitbreiden":  # the app, its page's text, the export
            assert len(code) <= 6 and all(len(c.splitlines()) <= 5 for c in code), theme_id
            texts = [c for c in code if c.startswith("pagina.section(")]
            assert len(texts) >= 2, theme_id


# --- the app, driven from the test ---------------------------------------------------------


@pytest.fixture(scope="module")
def apps():
    return {}


def _app(apps, theme_id, **kwargs):
    if theme_id not in apps:
        apps[theme_id] = ui.ThemeApp(theme_id, years=YEARS, **kwargs)
    app = apps[theme_id]
    app.set_lang("nl")
    return app


def _move(control):
    lv = control.lever
    if lv.kind == "bool":
        return not control.widget.value
    if lv.kind == "choice":
        return next(c for c in lv.choices if c != control.widget.value)
    return lv.max if control.widget.value != lv.max else lv.min


@pytest.mark.parametrize("theme_id", [t for t in IDS if themes.theme(t).levers])
def test_theme_app_starts_from_its_scenario_and_reacts_to_a_lever(apps, theme_id):
    app = _app(apps, theme_id)
    th = app.theme
    assert set(app.panel.controls) == set(th.levers)
    assert app.variant.scenario.name == th.scenario
    assert "⚠" not in app.status.value
    assert len(app.grid.axes) == len(th.indicators)
    for quote in (p.quote for p in th.passages):
        assert quote[:40] in app.header.value.replace("&#x27;", "'")
    assert th.question("nl") in app.header.value and th.question("nl") in app.answer.value
    # a lever that is no parent switch and not a switched-off child: move it, the model
    # reruns and all redraws
    parents = {c.lever.parent for c in app.panel.controls.values()}
    control = next(c for c in app.panel.controls.values() if c.lever.id not in parents and (
        not c.lever.parent or app.panel.controls[c.lever.parent].widget.value))
    runs, grid_png, chart_png = app.runs, app.grid.image.value, app.chart.image.value
    summary, answer = app.summary.value, app.answer.value
    control.widget.value = _move(control)
    assert "⚠" not in app.status.value, app.status.value
    assert app.runs == runs + 1
    assert app.variant.scenario.name != th.scenario
    assert app.grid.image.value != grid_png and app.chart.image.value != chart_png
    assert app.summary.value != summary
    assert app.answer.value == answer  # the answer is the theme's own scenario's
    # the change applies from the lever's earliest date, as the scenario files do
    schedule = app.variant.scenario.schedules[control.lever.id]
    assert list(schedule.values())[-1] == control.value
    assert max(schedule) <= max(control.lever.earliest_date, "2025-09-01")
    # every view draws
    for view in app.views:
        app.view.value = view
        assert "⚠" not in app.status.value, (view, app.status.value)
    # back to the theme's scenario: the file again, from the cache
    runs = app.runs
    app.panel.set_values({control.lever.id: list(
        simlib.load_scenario(th.scenario).schedules[control.lever.id].values())[-1]})
    assert app.variant.scenario.name == th.scenario and app.runs == runs


@pytest.mark.parametrize("theme_id", ["02_minimum_werkuren", "06_regionale_afstemming"])
def test_language_switch_changes_every_text_without_a_run(apps, theme_id):
    app = _app(apps, theme_id)
    before = (app.header.value, app.summary.value, app.answer.value,
              app.grid.axes[0].get_title(loc="left"), app.panel_title.value)
    runs = app.runs
    app.lang_toggle.value = "en"
    after = (app.header.value, app.summary.value, app.answer.value,
             app.grid.axes[0].get_title(loc="left"), app.panel_title.value)
    assert all(a != b for a, b in zip(before, after, strict=True))
    assert app.theme.question("en") in app.header.value
    assert "compared with" in app.summary.value
    assert app.runs == runs


def test_region_by_sector_map_in_the_regional_theme(apps, tmp_path):
    app = _app(apps, "06_regionale_afstemming")
    assert app.views[0] == "gap_map"
    app.view.value = "gap_map"
    assert [ax.get_xlabel() for ax in app.chart.axes[:2]] == [label("axes", "sector")] * 2
    app.export_panel.folder.value = str(tmp_path)
    names = {p.name for p in app.export_panel.export()}
    assert {"06_regionale_afstemming_indicatoren.png",
            "06_regionale_afstemming_gap_map_reference_gap_map.csv"} <= names


def test_researcher_theme_runs_an_extra_module(apps):
    module = checks.policy_module(
        "test_supply", rates=["places_factor"], label_nl="Meer plaatsen", label_en="More places",
        apply=lambda rates, lv, ctx: {"places_factor": rates["places_factor"].scaled(tc=1.3)})
    app = ui.ThemeApp("09_model_uitbreiden", years=YEARS, extra_modules=[module])
    assert app.variant.extra_modules == ("test_supply",)
    assert app.variant.scenario.name == "baseline+test_supply"
    assert "Meer plaatsen" in app.summary.value and "Meer plaatsen" in app.answer.value
    assert label("evidence", "D") in app.summary.value
    a = app.base.value("active_places", "2027-28")
    assert app.variant.value("active_places", "2027-28") > a


# --- the generated text --------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarantee():
    base = ui.run_cached(simlib.load_scenario("baseline"), YEARS)
    variant = ui.run_cached(simlib.load_scenario("gegarandeerde_plaatsen"), YEARS)
    return base, variant


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_text_says_what_how_much_for_whom_cost_and_evidence(guarantee, lang):
    base, variant = guarantee
    th = themes.theme("04_zoekperiode_en_garantie")
    year = "2027-28"
    rep = texts.report(th, base, variant, year, lang)
    text = rep.text()
    assert len(rep.sections) == 5
    changes = lever_changes(base.scenario, variant.scenario)  # values that differ in effect
    assert changes
    for change in changes:
        lv = change.lever
        assert lv.label(lang) in text
        assert label("evidence", lv.evidence_grade, lang) in text
    assert sorted(rep.grades) == sorted(c.lever.evidence_grade for c in changes)
    for spec in th.indicators:
        assert spec.label(lang) in text
        a, b = rep.values[(spec.id, spec.group)]
        assert a == pytest.approx(base.value(spec.id, year, spec.group))
        assert b == pytest.approx(variant.value(spec.id, year, spec.group))
    cost_words = {"nl": ("Overheidskost", "Kost per extra gekwalificeerde leerling",
                         "indicatorleerlingen", "Per regio", "Per sector"),
                  "en": ("Public cost", "Cost per extra qualified learner", "indicator pupils",
                         "By region", "By sector")}[lang]
    for word in cost_words:
        assert word.lower() in text.lower()
    # the cost per extra qualified learner is the cumulated extra cost over the extra
    # qualified leavers, where both rise
    dq, dc = rep.values["extra_qualified_cumulative"], rep.values["extra_public_cost_cumulative"]
    years = list(dict.fromkeys(base.indicators.school_year))[:3]  # 2025-26 to 2027-28
    assert dc == pytest.approx(sum(variant.value("public_cost", y) - base.value("public_cost", y)
                                   for y in years))
    per = rep.values["cost_per_extra_qualified"]
    if dq >= 0.5 and dc > 0:
        assert per == pytest.approx(dc / dq)
    else:
        assert math.isnan(per)


def test_text_with_nothing_changed_says_so():
    base = ui.run_cached(simlib.load_scenario("baseline"), YEARS)
    rep = texts.report("02_minimum_werkuren", base, base, lang="en")
    assert "every lever is at today's rules" in rep.text()
    assert "does not apply" in rep.text() and not rep.grades
    with pytest.raises(ValueError, match="school year"):
        texts.report("02_minimum_werkuren", base, base, "1999-00")


def test_difference_text_units():
    # a share's change in percentage points only (no second kind of %)
    assert texts.difference_text(0.5, 0.55, "share", "nl", +1) == "+5,0 procentpunt, gunstig"
    assert texts.difference_text(2e6, 1.5e6, "eur_per_school_year", "en", -1) == \
        "-EUR 500,000, -25.0%, favourable"
    assert texts.difference_text(2e6, 13e6, "eur_per_school_year", "nl") == \
        "+11,0 miljoen EUR, +550,0 %"
    assert texts.difference_text(-100.0, -80.0, "places", "en") == "+20"  # no % of a negative
    assert texts.difference_text(10.0, 10.001, "learners", "nl") == "ongewijzigd"
    # counts: the difference of the values as shown (564 -> 515 reads -49, not -50)
    assert texts.difference_text(564.2, 514.6, "learners", "nl").startswith("-49,")


_PARTS = re.compile(r"([+-](?:EUR )?[\d.,]+)( miljoen EUR)?")


def _amount(text: str) -> float:
    """A signed amount as the Dutch texts write it (+EUR 117.000, -0,9 miljoen EUR, +350)."""
    m = _PARTS.search(text)
    value = float(m.group(1).replace("EUR ", "").replace(".", "").replace(",", "."))
    return value * (1e6 if m.group(2) else 1.0)


@pytest.mark.parametrize("scenario", ["graduele_leervergoeding", "gegarandeerde_plaatsen",
                                      "minimum_uren_df", "groeifase_springplank"])
def test_the_parts_of_a_total_add_up_as_written_and_equals_are_not_ranked(scenario):
    """"Of which" parts add up to the total as written (public cost: dual policy + school
    places; for whom: indicator pupils + the others); the "for whom" paragraph names its own
    total and every regional or sectoral share is of that total; two groups whose change
    reads the same are not ranked "most ... least"."""
    from simlib.report.themes import themes as all_themes

    th = next(t for t in all_themes() if t.scenario == scenario)
    base = ui.run_cached(simlib.load_scenario("baseline"), YEARS)
    variant = ui.run_cached(simlib.load_scenario(scenario), YEARS)
    rep = texts.report(th, base, variant, lang="nl")
    cost = rep.sections["Tegen welke kost"][0]
    m = re.search(r"\): (.+?) \(.*waarvan .*\) (.+?) en schoolplaatsen (.+?)\.$", cost)
    assert m, cost
    if m.group(1) != "ongewijzigd":
        total, policy, school = (_amount(x) for x in m.groups())
        assert policy + school == pytest.approx(total, abs=1e-6), cost
    whom = rep.sections["Voor wie"]
    assert "in totaal" in whom[0], whom
    ses = next((line for line in whom if line.startswith("Daarvan indicatorleerlingen")), None)
    if ses and "ongewijzigd" not in ses:
        m = re.search(r"\(([+-][\d.,]+)[,)]", whom[0])
        parts = re.findall(r"(?:indicatorleerlingen|andere leerlingen) ([+-][\d.,]+)", ses)
        assert sum(_amount(p) for p in parts) == pytest.approx(_amount(m.group(1))), whom
    for line in whom:
        m = re.search(r"het meest in (.+?) \((.+?)\), het minst in (.+?) \((.+?)\)", line)
        if m:
            assert m.group(2) != m.group(4), line  # equal changes are not ranked


def test_a_dated_change_reads_in_words():
    base = ui.run_cached(simlib.load_scenario("baseline"), YEARS)
    variant = ui.run_cached(simlib.load_scenario("minimum_uren_df"), YEARS)
    what = texts.report("02_minimum_werkuren", base, variant, lang="nl").sections[
        "Wat verandert"]
    assert what == ["Minimum aantal uren werkplekleren per week in de dubbele finaliteit: "
                    "vanaf september 2027: 12 uur per week (nu 8)"]
    what = texts.report("02_minimum_werkuren", base, variant, lang="en").sections[
        "What changes"]
    assert what[0].endswith("from September 2027: 12 hours per week (today 8)")


# --- the region x sector map ---------------------------------------------------------------


@pytest.fixture(scope="module")
def programmatie():
    base = ui.run_cached(simlib.load_scenario("baseline"), YEARS)
    variant = ui.run_cached(simlib.load_scenario("programmatie_waar_plaatsen"), YEARS)
    return base, variant


@pytest.mark.parametrize("which", ["variant", "reference", "change"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_gap_map_has_labelled_axes_a_unit_and_a_shared_scale(programmatie, which, lang):
    fig = plots.new_figure(("gap_map",))
    ax = fig.add_subplot()
    out = plots.gap_map(list(programmatie), ax=ax, lang=lang, which=which)
    fig.canvas.draw()
    assert out is ax
    assert ax.get_xlabel() == label("axes", "sector", lang)
    assert ax.get_ylabel() == label("axes", "region", lang)
    regions = [t.get_text() for t in ax.get_yticklabels()]
    assert label("groups", "region=limburg", lang) in regions and len(regions) == 6
    assert len(ax.get_xticklabels()) == 7
    bar = fig.axes[-1]
    assert label("units", "places", lang) in bar.get_ylabel()
    assert ax.get_title(loc="left").strip()
    assert len(ax.texts) == 6 * 7  # every cell shows its number
    lo, hi = ax.images[0].get_clim()
    assert lo == -hi  # symmetric around 0: red above, blue below
    if which != "change":  # one scale for the reference and the variant
        table = plots.gap_map_table(list(programmatie))
        assert hi == pytest.approx(table.placement_gap.abs().max())


def test_market_cells_are_the_margins_of_the_indicators(programmatie):
    for res in programmatie:
        cells = market_cells(res)
        assert len(cells) == YEARS * 6 * 7
        np.testing.assert_allclose(cells.placement_gap,
                                   cells.placement_demand - cells.active_places)
        by_region = cells.groupby(["school_year", "region"]).placement_gap.sum()
        for (year, region), value in by_region.items():
            assert value == pytest.approx(res.value("placement_gap", year, f"region={region}"))
        total = cells.groupby("school_year").active_places.sum()
        for year, value in total.items():
            assert value == pytest.approx(res.value("active_places", year))


def test_trend_grid_draws_each_indicator_once_with_one_legend(programmatie):
    specs = themes.theme("06_regionale_afstemming").indicators
    axes = plots.trend_grid(list(programmatie), lang="en", indicators=specs)
    assert len(axes) == len(specs)
    assert all(ax.get_legend() is None for ax in axes)
    assert len(axes[0].figure.legends) == 1
    table = plots.trend_grid_table(list(programmatie), specs)
    assert set(table.indicator) == {s.id for s in specs}
    # in place: the same grid with other numbers (the variant drawn as if it were the base)
    fig = axes[0].figure
    base, variant = programmatie
    same = [base, ui.run_cached(simlib.load_scenario("baseline"), YEARS)]
    assert not plots.trend_grid_update(same, fig, "nl", indicators=specs)  # other language
    assert not plots.trend_grid_update([base], fig, "en", indicators=specs)  # other results
    fake = type("R", (), {"scenario": variant.scenario, "indicators": base.indicators,
                          "years": base.years})()
    assert plots.trend_grid_update([base, fake], fig, "en", indicators=specs)
    for ax in axes:
        first, second = (line.get_ydata() for line in ax.get_lines()[:2])
        np.testing.assert_allclose(first, second)


# --- the indicators added for the themes ---------------------------------------------------


def test_added_indicators_follow_their_definitions(guarantee):
    base, _ = guarantee
    graded = ui.run_cached(simlib.load_scenario("graduele_leervergoeding"), YEARS)
    for year in ("2025-26", "2027-28"):
        q = base.value("qualified_outflow", year)
        assert q == pytest.approx(base.value("outflow_qualified_education", year)
                                  + base.value("outflow_qualified_professional", year))
        gap = base.value("placement_gap", year)
        assert gap == pytest.approx(base.value("placement_demand", year)
                                    - base.value("active_places", year))
        share = base.value("allowance_eligible_share", year)
        assert 0 < share < 1  # today an SOA has no allowance
    # a graded allowance below 20 h pays every contract learner from its date on
    assert graded.value("allowance_eligible_share", "2025-26") == pytest.approx(
        base.value("allowance_eligible_share", "2025-26"))
    assert graded.value("allowance_eligible_share", "2027-28") == pytest.approx(1.0)


# --- the shared invariant checks -----------------------------------------------------------


def test_invariant_checks_pass_on_a_run_and_fail_on_a_broken_one():
    result = simlib.run("baseline", years=1)
    report = checks.check_invariants(result)
    assert report.ok and len(report.checks) >= 5
    broken = simlib.run("baseline", years=1)
    broken.stocks.iloc[6, 0] -= 100.0  # a hundred learners lost in March
    with pytest.raises(checks.InvariantError, match="conservation"):
        checks.check_invariants(broken)
    report = checks.check_invariants(broken, raise_error=False)
    assert not report.ok and any("conservation" in p for p in report.problems)
    broken.stocks.iloc[3, 1] = -5.0
    assert any("negative" in p for p in checks.check_invariants(
        broken, raise_error=False).problems)


def test_module_checks_catch_a_broken_module():
    negative = checks.policy_module(
        "negative", rates=["placement_hazard"],
        apply=lambda rates, lv, ctx: {"placement_hazard": rates["placement_hazard"].scaled(
            tc=-1.0)})
    report = checks.check_module(negative, years=1, raise_error=False)
    assert not report.ok
    assert any("non-negative" in p for p in report.problems)
    stray = checks.policy_module(
        "stray", rates=["placement_hazard"],
        apply=lambda rates, lv, ctx: {"termination_hazard": rates["termination_hazard"]})
    with pytest.raises(checks.InvariantError, match="changes only the rates it declares"):
        checks.check_module(stray, years=1)
    not_neutral = checks.policy_module(
        "not_neutral", rates=["placement_hazard"], levers=["search_window_days"],
        apply=lambda rates, lv, ctx: {"placement_hazard": rates["placement_hazard"].scaled(
            tc=2.0)})
    with pytest.raises(checks.InvariantError, match="neutral at today's lever values"):
        checks.check_module(not_neutral, run=False)
    with pytest.raises(ValueError, match="evidence"):
        checks.policy_module("x", ["placement_hazard"], lambda r, lv, c: {}, evidence="E")


def test_extra_modules_are_recorded_and_must_have_distinct_names():
    module = checks.policy_module("same", ["placement_hazard"], lambda r, lv, c: {})
    result = simlib.run("baseline", years=1, extra_modules=[module])
    assert result.extra_modules == ("same",)
    assert result.meta()["extra_policy_modules"] == ["same"]
    with pytest.raises(ValueError, match="distinct"):
        simlib.run("baseline", years=1, extra_modules=[module, module])
    search = checks.policy_module("search", ["placement_hazard"], lambda r, lv, c: {})
    with pytest.raises(ValueError, match="distinct"):
        simlib.run("baseline", years=1, extra_modules=[search])


def test_calibration_table_lists_each_target_for_each_run():
    base = ui.run_cached(simlib.load_scenario("baseline"), YEARS)
    from simlib.report.tables import calibration_table

    table = calibration_table(base, lang="en")
    assert len(table) >= 1
    name = base.scenario.label("en")
    assert set(table[(name, "within tolerance")]) <= {"yes", "no"}
    from simlib.analysis.calibration import model_values, targets

    for t in [t for t in targets(base) if t.available]:
        row = table.loc[t.name]
        model = model_values(base, [t])[t.name]
        err = 100 * (model - t.value) / t.value
        # numbers as the number rule writes them (shares in %, counts whole)
        shown = row[(name, "error")]
        assert float(shown.rstrip("%").replace(",", "")) == pytest.approx(err, abs=0.051)
        assert row[(name, "within tolerance")] == ("yes" if abs(err) <= 100 * t.tolerance
                                                   else "no")
        assert row[("target", "tolerance")].endswith("%")


def test_the_official_unqualified_outflow_is_shown_with_its_two_parts():
    """Wherever a text shows the official unqualified outflow it shows its two parts (no
    qualification, a partial qualification) beside it, adding up as written."""
    from simlib.report.summary import summary

    base = ui.run_cached(simlib.load_scenario("baseline"), YEARS)
    variant = ui.run_cached(simlib.load_scenario("gegarandeerde_plaatsen"), YEARS)
    how = texts.report("04_zoekperiode_en_garantie", base, variant, lang="nl").sections[
        "Met hoeveel"]
    k = next(i for i, line in enumerate(how) if line.startswith("Ongekwalificeerde uitstroom"))
    parts = how[k + 1]
    assert parts.startswith("waarvan uitstroom zonder kwalificatie") and "deelkwalificatie" in parts
    total = re.search(r"→ ([\d.]+) leerlingen per schooljaar", how[k]).group(1)
    shown = re.findall(r"→ ([\d.]+) \(", parts)
    assert sum(int(x.replace(".", "")) for x in shown) == int(total.replace(".", ""))
    text = summary(base, variant, indicators=("unqualified_outflow",), lang="en")
    assert "of which leavers without any qualification" in text
