"""The scenario catalogue: one scenario file per action or theme of the SERV advice.

Each row of ``CATALOGUE`` names an action or theme of the advice on the Actieplan Duaal Leren
(sources/serv-advies-actieplan-duaal-leren.txt), the scenario file (stem in ``scenarios/``)
that implements it, the lever ids that file must change relative to today's rules, and the
places in the advice its Dutch description must cite. The tests check that every file
exists, validates, changes exactly those levers (a superset for the combined package),
quotes and cites the advice, and dates no change before the lever's ``earliest_date``.
No simulation runs here: tests/inputs/test_scenario_files.py runs every scenario.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

import simlib
from simlib.inputs.scenario import scenario_names

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
LEVERS = {lv.id: lv for lv in simlib.levers()}
TODAY = {lv.id: dict(lv.schedule) for lv in simlib.levers()}

GROEIFASE = frozenset({
    "groeifase_open", "groeifase_capacity", "groeifase_intake_rule",
    "groeifase_intake_after_months", "groeifase_max_duration_months",
    "groeifase_springboard_share_per_month", "groeifase_welfare_component",
})


class Row(NamedTuple):
    item: str  # the action or theme of the advice
    stem: str  # the scenario file scenarios/<stem>.toml
    levers: frozenset[str]  # the levers it must change relative to today's rules
    cites: tuple[str, ...]  # what its description_nl must mention (lower case)
    exact: bool = True  # False: the levers are a subset of what it changes (a package)


CATALOGUE: tuple[Row, ...] = (
    Row("1. minimum weekly workplace hours in the dubbele finaliteit (action 2)",
        "minimum_uren_df", frozenset({"df_min_hours_per_week"}), ("actie 2",)),
    Row("2. graded allowance below 20 h (action 9)",
        "graduele_leervergoeding", frozenset({"allowance_below_20h"}), ("actie 9", "voetnoot 7")),
    Row("3. gradual build-up of workplace hours (action 9)",
        "graduele_opbouw_werkplek", frozenset({"workplace_hours_buildup"}), ("actie 9",)),
    Row("4. premium increase and indexation (action 5)",
        "hogere_premie", frozenset({"employer_premium_paid_eur_per_year",
                                    "employer_premium_unpaid_eur_per_year",
                                    "employer_premium_indexation_share_per_year"}),
        ("actie 5",)),
    Row("5. longer search window (suggested themes)",
        "langere_zoekperiode", frozenset({"search_window_days", "search_extension_days"}),
        ("suggesties bijkomende thema's",)),
    Row("6. search support guarantee (passage before footnote 4)",
        "zoekondersteuning", frozenset({"search_support_guarantee"}), ("voetnoot 4",)),
    Row("7. guaranteed places, Ausbildungsgarantie (footnote 4)",
        "gegarandeerde_plaatsen", frozenset({"guaranteed_places", "guaranteed_places_capacity"}),
        ("voetnoot 4", "ausbildungsgarantie")),
    Row("8. uniform screening (suggested themes)",
        "uniforme_screening", frozenset({"screening_quality"}),
        ("suggesties bijkomende thema's",)),
    Row("9. more coaching (suggested themes, footnote 6)",
        "meer_begeleiding", frozenset({"coaching_visits_per_month"}),
        ("suggesties bijkomende thema's", "voetnoot 6")),
    Row("10. stricter mentor requirements (action 9, footnote 6)",
        "strengere_mentorvereisten", frozenset({"mentor_standard"}), ("actie 9", "voetnoot 6")),
    Row("11. conditional recognition (action 9)",
        "voorwaardelijke_erkenning",
        frozenset({"conditional_recognition", "conditional_recognition_refusal_share"}),
        ("actie 9",)),
    Row("12. alternative for one-person businesses (action 10)",
        "eenmanszaken", frozenset({"one_person_business_alternative"}), ("actie 10",)),
    Row("13. mobility support (action 10)",
        "mobiliteitsondersteuning", frozenset({"mobility_support"}), ("actie 10",)),
    Row("14. more dual offer where places exist (actions 12-13)",
        "programmatie_waar_plaatsen",
        frozenset({"dual_offer_growth_share", "dual_offer_targeting"}), ("acties 12-13",)),
    Row("15. Groeifase as a springboard (section 3)",
        "groeifase_springplank", GROEIFASE, ("sectie 3", "springplank")),
    Row("16. Groeifase as a parking place, the bad case (section 3)",
        "groeifase_parkeerplek", GROEIFASE, ("sectie 3", "parkeerplek", "slechte geval")),
    Row("17. combined package of what the SERV asks for",
        "pakket_serv",
        frozenset({"search_window_days", "search_extension_days", "search_support_guarantee",
                   "screening_quality", "coaching_visits_per_month",
                   "employer_premium_indexation_share_per_year",
                   "deelstudiebekrachtiging_aanloopfase"}) | GROEIFASE,
        ("actie 5", "acties 4-8", "sectie 3", "suggesties bijkomende thema's"), exact=False),
    Row("partial certification in the Aanloopfase (actions 4-8)",
        "deelstudiebekrachtiging", frozenset({"deelstudiebekrachtiging_aanloopfase"}),
        ("acties 4-8",)),
    Row("information on the Groeipakket impact (suggested themes, actions 4-8)",
        "groeipakket_informatie", frozenset({"groeipakket_information"}),
        ("suggesties bijkomende thema's", "acties 4-8", "groeipakket")),
    Row("communication campaign (actions 18bis-18/2)",
        "beeldvorming_campagne", frozenset({"image_campaign"}), ("acties 18bis-18/2",)),
)

STEMS = [row.stem for row in CATALOGUE]
QUOTES = ("„", '"', "'", "‘", "“")
PLACES = ("actie", "voetnoot", "sectie", "groeifase", "suggesties bijkomende thema")


def _by_stem(stem: str) -> Row:
    return next(row for row in CATALOGUE if row.stem == stem)


def test_catalogue_has_one_distinct_file_per_item():
    assert len(STEMS) == len(set(STEMS)) == 20


def test_catalogue_covers_every_scenario_file():
    assert set(scenario_names()) - {"baseline"} == set(STEMS)


def test_catalogue_names_only_registered_levers():
    for row in CATALOGUE:
        assert row.levers <= set(LEVERS), row.stem


@pytest.mark.parametrize("stem", STEMS)
def test_file_exists(stem):
    assert (SCENARIOS / f"{stem}.toml").is_file()


@pytest.mark.parametrize("stem", STEMS)
def test_file_validates_with_both_languages(stem):
    sc = simlib.load_scenario(stem)
    assert sc.label_nl.strip() and sc.label_en.strip()
    assert sc.description_nl.strip() and sc.description_en.strip()
    assert sc.label_nl != sc.label_en
    assert sc.description_nl != sc.description_en


@pytest.mark.parametrize("stem", STEMS)
def test_changes_exactly_its_levers(stem):
    row = _by_stem(stem)
    changed = set(simlib.load_scenario(stem).changed())
    if row.exact:
        assert changed == row.levers
    else:
        assert changed >= row.levers


@pytest.mark.parametrize("stem", STEMS)
def test_dutch_description_quotes_and_cites_the_advice(stem):
    row = _by_stem(stem)
    text = simlib.load_scenario(stem).description_nl
    low = text.lower()
    assert "SERV" in text
    assert any(q in text for q in QUOTES), f"{stem}: no quotation of the advice"
    assert any(place in low for place in PLACES), f"{stem}: cites no action, footnote or section"
    for cite in row.cites:
        assert cite in low, f"{stem}: description_nl does not mention {cite!r}"


@pytest.mark.parametrize("stem", STEMS)
def test_no_change_before_earliest_date(stem):
    sc = simlib.load_scenario(stem)
    for lever_id, schedule in sc.changed().items():
        earliest = LEVERS[lever_id].earliest_date
        today = TODAY[lever_id]
        for date, value in schedule.items():
            if today.get(date, object()) != value:
                assert date >= earliest, f"{stem}: {lever_id} changes on {date} < {earliest}"
                assert date.endswith("-01"), f"{stem}: {lever_id} dated {date}"


@pytest.mark.parametrize("stem", STEMS)
def test_changed_values_keep_the_lever_type(stem):
    sc = simlib.load_scenario(stem)
    kinds = {"bool": bool, "int": int, "float": float, "choice": str}
    for lever_id, schedule in sc.changed().items():
        lever = LEVERS[lever_id]
        for value in schedule.values():
            assert type(value) is kinds[lever.kind], f"{stem}: {lever_id} = {value!r}"
            assert lever.check(value) is None, f"{stem}: {lever_id} = {value!r}"


def test_groeifase_springboard_and_parking_place_differ_as_planned():
    spring = simlib.load_scenario("groeifase_springplank")
    park = simlib.load_scenario("groeifase_parkeerplek")
    on = "2027-09-01"
    assert spring.value("groeifase_open", on) and park.value("groeifase_open", on)
    assert not spring.value("groeifase_open", "2027-08-01")
    assert spring.value("groeifase_intake_rule", on) == "aanloopfase_only"
    assert park.value("groeifase_intake_rule", on) == "broad"
    assert (spring.value("groeifase_springboard_share_per_month", on)
            > park.value("groeifase_springboard_share_per_month", on))
    assert spring.value("groeifase_welfare_component", on)
    assert not park.value("groeifase_welfare_component", on)


def test_parking_place_says_it_is_the_bad_case():
    sc = simlib.load_scenario("groeifase_parkeerplek")
    assert "slechte geval" in sc.description_nl and "waarschuwt" in sc.description_nl
    assert "bad case" in sc.description_en and "warns against" in sc.description_en


def test_campaign_says_its_effect_is_an_assumption():
    sc = simlib.load_scenario("beeldvorming_campagne")
    assert "aanname" in sc.description_nl and "VIONA" in sc.description_nl
    assert "geen significant effect" in sc.description_nl
    assert "assumption" in sc.description_en and "no significant effect" in sc.description_en


def test_premium_scenario_keeps_its_amounts_and_adds_indexation():
    sc = simlib.load_scenario("hogere_premie")
    on = "2026-09-01"
    assert sc.value("employer_premium_paid_eur_per_year", on) == 1500.0
    assert sc.value("employer_premium_unpaid_eur_per_year", on) == 900.0
    assert sc.value("employer_premium_indexation_share_per_year", on) == 0.02


def test_package_combines_the_single_scenarios():
    package = simlib.load_scenario("pakket_serv")
    late = "2027-09-01"
    for stem in ("langere_zoekperiode", "zoekondersteuning", "groeifase_springplank",
                 "deelstudiebekrachtiging"):
        single = simlib.load_scenario(stem)
        for lever_id in _by_stem(stem).levers:
            assert package.value(lever_id, late) == single.value(lever_id, late), lever_id
    assert package.value("search_window_days", "2026-09-01") == 30
    assert package.value("screening_quality", late) == "high"
    assert package.value("coaching_visits_per_month", late) == 1.5
    assert package.value("employer_premium_indexation_share_per_year", late) == 0.02


def test_cli_validates_every_catalogue_file():
    files = [str(SCENARIOS / f"{stem}.toml") for stem in STEMS]
    done = subprocess.run([sys.executable, "-m", "simlib", "validate", *files], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == len(files) and all(line.startswith("OK ") for line in lines), done.stdout
