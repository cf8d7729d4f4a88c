"""The difference of a scenario split over its levers (Shapley values): the parts add up to
what ``compare`` reports, exact and sampled agree, the CLI refuses bad input before a run."""

from __future__ import annotations

import csv
import json

import pytest

import simlib
from simlib.analysis import explain as E
from simlib.analysis.compare import compare

IND, SY = "dual_contract_learners", "2030-31"


def _compare_difference(name: str, indicator: str = IND, group: str = "all") -> float:
    table = compare(simlib.run("baseline"), simlib.run(name))
    row = table[(table.indicator == indicator) & (table.school_year == SY)
                & (table.group == group)]
    return float(row.difference.iloc[0])


def test_contributions_add_up_to_the_difference_compare_reports():
    ex = E.contributions("hogere_premie", IND, SY)
    assert ex.method == "exact" and len(ex.table) == 3 and ex.runs == 8
    whole = _compare_difference("hogere_premie")
    assert abs(ex.table.contribution.sum() - whole) <= 1e-9 * abs(whole)
    assert abs(ex.difference - whole) <= 1e-9 * abs(whole)
    assert list(ex.table.columns[:3]) == list(E.COLUMNS)
    assert (ex.table.unit == "learners").all()
    # largest first
    size = ex.table.contribution.abs().to_numpy()
    assert (size[:-1] >= size[1:]).all()


def test_one_changed_lever_carries_the_whole_difference():
    ex = E.contributions("zoekondersteuning", "unqualified_outflow", SY)
    assert list(ex.table.lever) == ["search_support_guarantee"]
    assert ex.table.contribution.iloc[0] == pytest.approx(ex.difference, rel=1e-12)


def test_a_schedule_restating_the_base_is_not_a_changed_lever():
    base, variant = simlib.load_scenario("baseline"), simlib.load_scenario("groeifase_springplank")
    changed = E.changed_levers(variant, base)
    # the scenario restates capacity, intake rule, ... from 2027: no value changes
    assert "groeifase_capacity" in variant.overrides and "groeifase_capacity" not in changed
    assert changed == ["groeifase_open", "groeifase_springboard_share_per_month"]
    assert E.changed_levers(base, base) == []
    with pytest.raises(ValueError, match="nothing to split"):
        E.contributions("baseline", IND, SY)


def test_sampled_shapley_adds_up_and_lies_near_the_exact_values(monkeypatch):
    exact = E.contributions("hogere_premie", IND, SY).table.set_index("lever")
    monkeypatch.setattr(E, "EXACT_MAX", 0)
    ex = E.contributions("hogere_premie", IND, SY, permutations=24, seed=3)
    assert ex.method == "sampled" and ex.permutations == 24
    assert ex.table.contribution.sum() == pytest.approx(ex.difference, rel=1e-12)
    got = ex.table.set_index("lever")
    for lever, row in got.iterrows():
        assert abs(row.contribution - exact.contribution[lever]) <= 4 * row.std_error + 1e-9
    again = E.contributions("hogere_premie", IND, SY, permutations=24, seed=3)
    assert again.table.equals(ex.table)  # same seed, same orders


def test_a_coalition_with_every_lever_runs_as_the_scenario():
    base, variant = simlib.load_scenario("baseline"), simlib.load_scenario("hogere_premie")
    full = E.coalition(base, variant, E.changed_levers(variant, base))
    a = simlib.run(full).value(IND, SY)
    assert a == simlib.run(variant).value(IND, SY)


def test_cli_writes_contributions_and_prints_the_table(tmp_path, cli):
    out = tmp_path / "why"
    code, stdout, _ = cli("explain", "hogere_premie", "--indicator", IND,
                           "--school-year", SY, "--out", out, "--lang", "en")
    assert code == 0
    with open(out / "contributions.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["lever", "contribution", "unit"] and len(rows) == 4
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["method"] == "exact" and meta["difference"] == pytest.approx(
        sum(float(r[1]) for r in rows[1:]), rel=1e-9)
    assert "Why?" in stdout and "together: the difference" in stdout
    assert "employer_premium_paid_eur_per_year" in stdout
    # refused without --force, nothing overwritten
    before = (out / "contributions.csv").read_bytes()
    code, _, err = cli("explain", "hogere_premie", "--indicator", IND,
                        "--school-year", SY, "--out", out)
    assert code == 2 and "--force" in err
    assert (out / "contributions.csv").read_bytes() == before


@pytest.mark.parametrize("flags, words", [
    (("--indicator", "dual_contract_lerners"), ("--indicator", "dual_contract_learners")),
    (("--school-year", "2030-32"), ("--school-year", "2030-31")),
    (("--group", "finality=arbeidsmarkd"), ("--group", "finality=arbeidsmarkt")),
    (("--permutations", "1"), ("--permutations", "at least 2")),
])
def test_cli_refuses_bad_input_before_any_run(tmp_path, cli, monkeypatch, flags, words):
    def no_run(*a, **k):
        raise AssertionError("ran the model on bad input")

    monkeypatch.setattr(E, "contributions", no_run)
    args = {"--indicator": IND, "--school-year": SY}
    args.update(dict(zip(flags[::2], flags[1::2], strict=True)))
    argv = ["explain", "hogere_premie", *[x for kv in args.items() for x in kv],
            "--out", tmp_path / "o"]
    code, _, err = cli(*argv)
    assert code == 2 and "Traceback" not in err
    for w in words:
        assert w in err
    assert not (tmp_path / "o").exists()


def test_cli_refuses_a_scenario_that_changes_nothing(tmp_path, cli):
    code, _, err = cli("explain", "baseline", "--indicator", IND, "--school-year", SY,
                        "--out", tmp_path / "o")
    assert code == 2 and "nothing to split" in err


def test_by_channel_adds_up_and_names_the_places_of_a_graded_allowance():
    ex = E.contributions("graduele_leervergoeding", IND, SY, by="channel")
    assert ex.by == "channel" and list(ex.table.columns[:3]) == ["channel", "contribution", "unit"]
    whole = _compare_difference("graduele_leervergoeding")
    assert abs(ex.table.contribution.sum() - whole) <= 1e-9 * abs(whole)
    top = ex.table.iloc[0]
    assert top.channel == "places" and top.contribution < 0  # fewer places: employers pay
    assert (ex.table.loc[ex.table.channel == "costs", "contribution"] == 0).all()


def test_every_rate_a_policy_module_may_change_has_a_channel():
    from simlib.model.policies import MODULES

    rates = {r for m in MODULES for r in m.RATES}
    assert {r: E.channel_of(r) for r in rates if E.channel_of(r) == "other"} == {}


def test_cli_by_channel_writes_a_channel_column(tmp_path, cli):
    code, stdout, _ = cli("explain", "hogere_premie", "--indicator", IND, "--school-year", SY,
                          "--by", "channel", "--out", tmp_path / "c")
    assert code == 0 and "kanaal" in stdout and "aanbod van leerwerkplekken" in stdout
    head = (tmp_path / "c" / "contributions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert head == "channel,contribution,unit"


def test_the_text_names_the_largest_driver_with_its_evidence_grade():
    from simlib.report.contributions import drivers_text

    ex = E.contributions("hogere_premie", IND, SY)
    text = drivers_text(ex, "en")
    assert text.startswith("The difference (+351 learners) comes mostly from ")
    assert "evidence grade" in text
    nl = drivers_text(E.contributions("groeifase_springplank", "unqualified_outflow", SY), "nl")
    # opening the Groeifase (+144) drives it; the springboard (-19) is under a quarter of that
    assert "Groeifase als alternatief traject (+144" in nl and "Springplank" not in nl
    # by channel, pakket_serv: the Groeifase up, search and placement down (a third of it)
    nl = drivers_text(E.contributions("pakket_serv", "unqualified_outflow", SY, by="channel"))
    assert "het kanaal Groeifase (+124" in nl and "andere richting" in nl
    assert "zoeken en plaatsing (-35" in nl
