"""Tests of the lever registry: the content of simlib/levers.toml and its strict loader.

The registry is the one place that declares a policy option (DESIGN.md §3.5); sliders,
scenario validation, the CLI table and docs/levers.md read it. These tests check every lever
against the documented vocabulary below (rate names, policy modules, units), check the
invariants the loader promises (a default of the right type inside its range, a dated
history ending in the default, a parent that is a switch) and check that the loader refuses
malformed registry texts with a message that names the problem.
"""

from __future__ import annotations

import math
import re
import textwrap

import pytest

from simlib.inputs.levers import (
    EVIDENCE_GRADES,
    KINDS,
    STATUSES,
    Lever,
    RegistryError,
    lever,
    lever_ids,
    levers,
    load_registry,
    parse_month,
)

#: The model's named rates a lever may act on (the documented vocabulary).

#: The policy modules, one per mechanism (simlib/policies).
MODULES = (
    "hours",
    "programmatie",
    "guidance",
    "allowance",
    "premium",
    "search",
    "search_support",
    "guarantee",
    "screening",
    "coaching",
    "mentor",
    "recognition",
    "mobility",
    "one_person",
    "network",
    "campaign",
    "information",
    "groeifase",
    "partial_qualification",
    "supply",
)

#: The unit ids a lever may use.
UNITS = (
    "school_days",
    "eur_per_month",
    "eur_per_year",
    "hours_per_week",
    "visits_per_learner_per_month",
    "share",
    "share_per_year",
    "share_per_month",
    "factor",
    "places",
    "months",
    "years",
    "switch",
    "choice",
    "eur_per_place_per_year",
)

#: The levers of the DESIGN.md §3.5 table, as registry ids.
DESIGN_LEVERS = (
    "df_min_hours_per_week",
    "workplace_hours_buildup",
    "dual_offer_growth_share",
    "dual_offer_targeting",
    "study_guidance_dual_first_choice",
    "allowance_tier_1_eur_per_month",
    "allowance_tier_2_eur_per_month",
    "allowance_tier_3_eur_per_month",
    "allowance_below_20h",
    "employer_premium_paid_eur_per_year",
    "employer_premium_unpaid_eur_per_year",
    "employer_premium_max_years",
    "employer_premium_indexation_share_per_year",
    "learner_premium_eur_per_year",
    "search_window_days",
    "search_extension_days",
    "dual_entry_deadline",
    "search_support_guarantee",
    "guaranteed_places",
    "guaranteed_places_capacity",
    "guaranteed_place_cost_eur_per_year",
    "guaranteed_place_transfer_share_per_year",
    "screening_quality",
    "coaching_visits_per_month",
    "mentor_standard",
    "conditional_recognition",
    "conditional_recognition_refusal_share",
    "mobility_support",
    "one_person_business_alternative",
    "network_building_growth_share_per_year",
    "placement_supply_factor",
    "image_campaign",
    "groeipakket_information",
    "groeifase_open",
    "groeifase_capacity",
    "groeifase_intake_after_months",
    "groeifase_intake_rule",
    "groeifase_max_duration_months",
    "groeifase_springboard_share_per_month",
    "groeifase_welfare_component",
    "deelstudiebekrachtiging_aanloopfase",
)

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
PLAIN_TYPE = {"bool": bool, "int": int, "float": float, "choice": str}
TEXT_FIELDS = (
    "label_nl",
    "label_en",
    "description_nl",
    "description_en",
    "passage",
    "requested_by",
    "rationale",
    "evidence_note",
)
PLACEHOLDERS = ("TODO", "TBD", "FIXME", "XXX", "…", "...", "lorem")

LEVERS = levers()
BY_ID = {lv.id: lv for lv in LEVERS}
NUMERIC = [lv for lv in LEVERS if lv.kind in ("int", "float")]


def each(selection=LEVERS):
    """Parametrize a test over levers, each test id the lever id."""
    return pytest.mark.parametrize("lv", selection, ids=lambda lv: lv.id)


def _on_grid(value: float, lv: Lever) -> bool:
    """On the slider's grid min + k * step; money is exempt: legal amounts have cents (an
    indexed 675,90) while a usable slider step is a few euros, and the typed field beside the
    slider takes any amount (simlib.ui.LeverControl)."""
    if lv.unit.startswith("eur"):
        return abs(round(value, 2) - value) < 1e-9
    steps = (value - lv.min) / lv.step
    return abs(steps - round(steps)) < 1e-6


# ---- the registry as a whole ----


def test_registry_is_not_empty_and_public():
    assert len(LEVERS) >= len(DESIGN_LEVERS)
    assert all(isinstance(lv, Lever) for lv in LEVERS)
    assert levers() is not levers(), "levers() must return a new list each call"


def test_ids_match_pattern_and_are_unique():
    ids = [lv.id for lv in LEVERS]
    bad = [i for i in ids if not ID_RE.match(i)]
    assert not bad, f"ids not matching {ID_RE.pattern}: {bad}"
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate ids: {dupes}"
    assert lever_ids() == ids


def test_every_design_lever_is_in_the_registry():
    missing = [i for i in DESIGN_LEVERS if i not in BY_ID]
    assert not missing, f"levers of DESIGN.md §3.5 missing from levers.toml: {missing}"


def test_every_module_has_a_lever():
    used = {lv.module for lv in LEVERS}
    unused = [m for m in MODULES if m not in used]
    assert not unused, f"policy modules without a lever: {unused}"


def test_levers_are_grouped_by_theme():
    order = [lv.theme for lv in LEVERS]
    seen: list[str] = []
    for theme in order:
        if seen and seen[-1] == theme:
            continue
        assert theme not in seen, f"theme {theme!r} is split into several groups"
        seen.append(theme)


def test_lookup_by_id_and_nearest_name():
    assert lever("search_window_days") is BY_ID["search_window_days"]
    with pytest.raises(KeyError, match="did you mean search_window_days"):
        lever("search_window_day")


# ---- each lever ----


@each()
def test_labels_and_descriptions_exist_in_both_languages_and_differ(lv):
    for key in ("label_nl", "label_en", "description_nl", "description_en"):
        value = getattr(lv, key)
        assert isinstance(value, str) and value.strip(), f"{lv.id}: empty {key}"
    assert lv.label_nl.strip().casefold() != lv.label_en.strip().casefold(), (
        f"{lv.id}: label_en is a copy of label_nl"
    )
    assert lv.description_nl.strip().casefold() != lv.description_en.strip().casefold(), (
        f"{lv.id}: description_en is a copy of description_nl"
    )
    assert lv.label("nl") == lv.label_nl and lv.label("en") == lv.label_en
    assert lv.description("nl") == lv.description_nl
    assert lv.description("en") == lv.description_en


@each()
def test_texts_are_real_prose(lv):
    for key in TEXT_FIELDS:
        value = getattr(lv, key)
        assert isinstance(value, str) and len(value.strip()) >= 10, f"{lv.id}: {key} too short"
        for mark in PLACEHOLDERS:
            assert mark.lower() not in value.lower(), f"{lv.id}: {key} contains {mark!r}"
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9'])", lv.description_en.strip())
    assert 1 <= len(sentences) <= 3, f"{lv.id}: description_en has {len(sentences)} sentences"


@each()
def test_default_passes_check_and_has_the_plain_type(lv):
    assert lv.kind in KINDS
    assert lv.check(lv.default) is None, f"{lv.id}: {lv.check(lv.default)}"
    assert type(lv.default) is PLAIN_TYPE[lv.kind], (
        f"{lv.id}: default {lv.default!r} is {type(lv.default).__name__}, not {lv.kind}"
    )


@each()
def test_check_refuses_values_of_the_wrong_type(lv):
    if lv.kind == "bool":
        assert lv.check(1) is not None
        assert lv.check("true") is not None
    elif lv.kind == "choice":
        assert lv.check("no_such_choice") is not None
        assert lv.check(0) is not None
    else:
        assert lv.check(True) is not None
        assert lv.check(str(lv.default)) is not None
        assert lv.check(float("nan")) is not None
        if lv.kind == "int":
            assert lv.check(lv.default + 0.5) is not None


@each(NUMERIC)
def test_numeric_range_is_finite_and_holds_the_default(lv):
    for bound in (lv.min, lv.max, lv.step):
        assert isinstance(bound, int | float) and not isinstance(bound, bool)
        assert math.isfinite(bound)
    assert lv.min < lv.max
    assert 0 < lv.step <= lv.max - lv.min
    assert lv.min <= lv.default <= lv.max
    assert lv.check(lv.min) is None and lv.check(lv.max) is None
    assert lv.check(lv.max + lv.step) is not None
    assert lv.check(lv.min - lv.step) is not None
    assert _on_grid(lv.default, lv), (
        f"{lv.id}: default {lv.default} is not on the slider grid min + k*step"
    )
    if lv.kind == "int":
        assert all(isinstance(v, int) for v in (lv.min, lv.max, lv.step))


@each()
def test_choices_only_for_choice_levers(lv):
    if lv.kind == "choice":
        assert isinstance(lv.choices, tuple) and lv.choices
        assert len(set(lv.choices)) == len(lv.choices)
        assert all(isinstance(c, str) and ID_RE.match(c) for c in lv.choices)
        assert lv.default in lv.choices
    else:
        assert lv.choices is None, f"{lv.id}: a {lv.kind} lever has choices"
    if lv.kind in ("bool", "choice"):
        assert (lv.min, lv.max, lv.step) == (None, None, None)


@each()
def test_schedule_is_dated_sorted_and_ends_in_the_default(lv):
    dates = list(lv.schedule)
    assert dates, f"{lv.id}: empty schedule"
    for date in dates:
        assert parse_month(date).day == 1
    assert dates == sorted(dates), f"{lv.id}: schedule not in date order"
    values = list(lv.schedule.values())
    assert values[-1] == lv.default
    for value in values:
        assert lv.check(value) is None
        assert type(value) is PLAIN_TYPE[lv.kind]
        if lv.kind in ("int", "float"):
            assert _on_grid(value, lv), f"{lv.id}: schedule value {value} is off the grid"


@each([lv for lv in LEVERS if lv.parent is not None])
def test_parent_names_an_earlier_bool_lever_of_the_same_module(lv):
    assert lv.parent in BY_ID, f"{lv.id}: unknown parent {lv.parent!r}"
    parent = BY_ID[lv.parent]
    assert parent.kind == "bool"
    assert parent.parent is None, f"{lv.id}: parent {parent.id} is itself a child"
    assert LEVERS.index(parent) < LEVERS.index(lv), f"{lv.id}: declared before its parent"
    assert parent.module == lv.module, f"{lv.id}: module differs from parent {parent.id}"


@each()
def test_status_evidence_and_date(lv):
    assert lv.status in STATUSES
    assert lv.evidence_grade in EVIDENCE_GRADES
    assert parse_month(lv.earliest_date).year >= 2025, f"{lv.id}: earliest_date in the past"


@each()
def test_rates_are_rates_its_module_declares(lv):
    """``rates`` names what the lever's module changes (its ``RATES``); which of them each
    lever moves is checked by running the module (tests/model/test_policies.py)."""
    import importlib

    module = importlib.import_module(f"simlib.model.policies.{lv.module}")
    assert lv.rates, f"{lv.id}: acts on no rate"
    unknown = [r for r in lv.rates if r not in module.RATES]
    assert not unknown, f"{lv.id}: {unknown} are not rates of simlib.model.policies.{lv.module}"
    assert len(set(lv.rates)) == len(lv.rates), f"{lv.id}: a rate is listed twice"


@each()
def test_module_unit_and_theme_are_from_the_vocabulary(lv):
    assert lv.module in MODULES, f"{lv.id}: unknown module {lv.module!r}"
    assert lv.unit in UNITS, f"{lv.id}: unknown unit {lv.unit!r}"
    if lv.kind == "bool":
        assert lv.unit == "switch"
    elif lv.kind == "choice":
        assert lv.unit == "choice"
    else:
        assert lv.unit not in ("switch", "choice")
    assert ID_RE.match(lv.theme), f"{lv.id}: theme {lv.theme!r} is not a lowercase id"


def test_registry_file_ships_in_the_package_and_loads_strictly():
    from importlib import resources

    text = resources.files("simlib.inputs").joinpath("levers.toml").read_text(encoding="utf-8")
    assert [lv.id for lv in load_registry(text)] == [lv.id for lv in LEVERS]


# ---- the strict loader ----

VALID = textwrap.dedent(
    """\
    [demo_lever]
    label_nl = "Voorbeeldhefboom"
    label_en = "Example lever"
    description_nl = "Een hefboom om de lader te testen."
    description_en = "A lever to test the loader."
    unit = "school_days"
    kind = "int"
    default = 20
    min = 10
    max = 60
    step = 5
    passage = "Suggesties bijkomende thema's"
    status = "serv_suggestion"
    requested_by = "De SERV"
    rationale = "Een test."
    earliest_date = "2026-09-01"
    evidence_grade = "D"
    evidence_note = "An assumption."
    rates = ["search_window_days"]
    module = "search"
    theme = "zoekperiode"
    """
)


def _with(line: str) -> str:
    return VALID + line + "\n"


def _replace(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def test_the_valid_example_loads():
    (lv,) = load_registry(VALID)
    assert lv.id == "demo_lever" and lv.default == 20
    assert dict(lv.schedule) == {"2016-09-01": 20}


def test_loader_rejects_an_unknown_key():
    with pytest.raises(RegistryError, match=r"\[demo_lever\]: unknown keys \['colour'\]"):
        load_registry(_with('colour = "red"'))


def test_loader_rejects_a_missing_key():
    text = _replace('label_en = "Example lever"\n', "")
    with pytest.raises(RegistryError, match=r"\[demo_lever\]: missing keys \['label_en'\]"):
        load_registry(text)


def test_loader_rejects_a_duplicate_table():
    with pytest.raises(RegistryError, match=r"levers\.toml: .*'demo_lever'.*twice"):
        load_registry(VALID + "\n" + VALID)


def test_loader_rejects_a_duplicate_key():
    with pytest.raises(RegistryError, match=r"levers\.toml: Cannot overwrite a value"):
        load_registry(_with("default = 25"))


def test_loader_rejects_a_bad_kind():
    with pytest.raises(RegistryError, match=r"\[demo_lever\]: kind must be one of"):
        load_registry(_replace('kind = "int"', 'kind = "integer"'))


def test_loader_rejects_an_out_of_range_default():
    with pytest.raises(RegistryError, match=r"\[demo_lever\]: default: value 99 out of range"):
        load_registry(_replace("default = 20", "default = 99"))


def test_loader_rejects_a_schedule_date_that_is_not_the_first_of_a_month():
    text = VALID + '[demo_lever.schedule]\n"2024-05-15" = 20\n'
    with pytest.raises(
        RegistryError, match=r"\[demo_lever\]: schedule date '2024-05-15' not the first of a month"
    ):
        load_registry(text)


def test_loader_rejects_a_schedule_that_does_not_end_in_the_default():
    text = VALID + '[demo_lever.schedule]\n"2024-05-01" = 15\n'
    with pytest.raises(RegistryError, match=r"last schedule value must equal default"):
        load_registry(text)


def test_loader_rejects_a_parent_that_is_not_a_switch():
    other = VALID.replace("[demo_lever]", "[demo_child]") + 'parent = "demo_lever"\n'
    with pytest.raises(RegistryError, match=r"\[demo_child\]: parent must name a bool lever"):
        load_registry(VALID + "\n" + other)
