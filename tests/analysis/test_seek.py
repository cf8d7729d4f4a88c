"""Goal seeking (:mod:`simlib.analysis.seek`, ``python -m simlib seek``): the answer reaches
the target and its scenario file reproduces it; a target out of reach is said so (exit 0);
bad input is refused (exit 2) before any run; several levers are never dearer than one."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import simlib
from simlib.analysis import seek as S
from simlib.inputs.levers import lever

SY = "2030-31"
PREMIUM = "employer_premium_paid_eur_per_year"
SUPPLY = "placement_supply_factor"


@pytest.fixture(scope="module")
def one_lever():
    q = S.question("active_places", 500, SY, [PREMIUM])
    return S.seek(q)


def test_one_lever_reaches_the_target_on_the_step(one_lever):
    a, lv = one_lever, lever(PREMIUM)
    assert a.reached and not a.best
    assert a.effect >= 500 * (1 - S.TOLERANCE)
    v = a.values[PREMIUM]
    assert lv.min <= v <= lv.max
    assert (v - lv.min) / lv.step == pytest.approx(round((v - lv.min) / lv.step))
    assert abs(a.unsnapped[PREMIUM] - v) <= lv.step
    # the step below does not reach it: the answer is the least value that does
    below = S.answer_scenario(a.question, {PREMIUM: v - lv.step})
    r = simlib.run(below, years=6)
    assert r.value("active_places", SY, "all") - a.base_value < 500
    assert a.runs < S.MAX_RUNS


def test_the_written_scenario_reproduces_the_effect(one_lever, tmp_path, cli):
    code, out, err = cli("seek", "--indicator", "active_places", "--change", "+500",
                         "--school-year", SY, "--lever", PREMIUM, "--out", tmp_path / "o")
    assert code == 0, err
    folder = tmp_path / "o"
    assert sorted(p.name for p in folder.iterdir()) == sorted(S.SEEK_FILES)
    assert cli("validate", folder / "scenario.toml")[0] == 0
    sc = simlib.load_scenario(folder / "scenario.toml")
    run, base = simlib.run(sc, years=6), simlib.run("baseline", years=6)
    effect = run.value("active_places", SY, "all") - base.value("active_places", SY, "all")
    table = pd.read_csv(folder / "seek.csv")
    reached = table.loc[table.kind == "reached", "value"].item()
    assert effect == pytest.approx(reached, rel=1e-9)
    assert effect == pytest.approx(one_lever.effect, rel=1e-9)
    assert table.loc[table.kind == "lever", "value"].item() == one_lever.values[PREMIUM]
    assert table.loc[table.kind == "public_cost", "value"].item() == pytest.approx(
        run.value("public_cost", SY, "all"), rel=1e-9)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["reached"] is True and meta["runs"] == one_lever.runs
    assert "Bereikt" in out and "EUR 1.500 per jaar" in out  # Dutch, the number rule
    # written once: a second time without --force is refused, with --force replaced
    assert cli("seek", "--indicator", "active_places", "--change", "+500", "--school-year",
               SY, "--lever", PREMIUM, "--out", folder)[0] == 2


def test_a_target_out_of_reach_is_an_answer(tmp_path, cli):
    code, out, err = cli("seek", "--indicator", "active_places", "--change", "+500000",
                         "--school-year", SY, "--lever", PREMIUM, "--lang", "en",
                         "--out", tmp_path / "o")
    assert code == 0, err
    assert "Out of reach" in out
    meta = json.loads((tmp_path / "o" / "meta.json").read_text(encoding="utf-8"))
    assert meta["reached"] is False and meta["out_of_reach"] is True
    lv = lever(PREMIUM)
    assert meta["levers"][PREMIUM]["value"] == lv.max  # more premium, more places
    assert 0 < meta["effect"] < 500000


@pytest.mark.parametrize("argv, words", [
    (["--lever", "employer_premium_paid"], ["--lever", "did you mean"]),
    (["--lever", "guaranteed_places"], ["--lever", "bool", "numeric"]),
    (["--lever", "screening_quality"], ["--lever", "choice", "numeric"]),
    (["--lever", "groeifase_capacity"], ["--lever", "groeifase_open", "off"]),
    (["--lever", PREMIUM, "--lever", PREMIUM], ["twice"]),
    (["--lever", PREMIUM, "--indicator", "active_place"], ["--indicator", "active_places"]),
    (["--lever", PREMIUM, "--school-year", "2030-32"], ["--school-year"]),
    (["--lever", PREMIUM, "--group", "finality=nowhere"], ["--group"]),
    (["--lever", PREMIUM, "--change", "0"], ["--change"]),
    (["--lever", PREMIUM, "--base", "baselin"], ["baseline"]),
])
def test_bad_input_is_refused_before_any_run(argv, words, tmp_path, cli, monkeypatch):
    def no_run(*_a, **_k):
        raise AssertionError("a run was made")

    monkeypatch.setattr("simlib.model.simulation.run", no_run)
    base = {"--indicator": "active_places", "--change": "+500", "--school-year": SY}
    given = dict(zip(argv[::2], argv[1::2], strict=True))
    args = [x for k, v in base.items() if k not in given for x in (k, v)]
    code, out, err = cli("seek", *args, *argv, "--out", tmp_path / "o")
    assert code == 2
    assert "Traceback" not in err
    for w in words:
        assert w in err
    assert not (tmp_path / "o").exists()


def test_several_levers_are_not_dearer_than_a_feasible_single_lever():
    single = S.seek(S.question("active_places", 500, SY, [PREMIUM]))
    assert single.reached
    both = S.seek(S.question("active_places", 500, SY, [PREMIUM, SUPPLY]),
                  progress=lambda done, total: None)
    assert both.reached
    assert both.cost <= single.cost
    assert both.runs < 200
    sc = S.answer_scenario(both.question, both.values)
    r = simlib.run(sc, years=6)
    assert r.value("public_cost", SY, "all") == pytest.approx(both.cost, rel=1e-9)
