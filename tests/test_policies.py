"""Policy modules: neutral at today's rules, declared rates only, monotone where the design says."""

import types

import numpy as np
import pytest

import simlib
from simlib import policies
from simlib.levers import lever
from simlib.model import Timeline
from simlib.policies import MODULES, module_names
from simlib.simulation import policy_rates


@pytest.fixture(scope="module")
def baseline():
    return simlib.run("baseline", years=3)


@pytest.mark.parametrize("name", module_names())
def test_switching_one_module_off_returns_the_baseline(name, baseline):
    off = simlib.run("baseline", years=3, disabled_modules=[name])
    np.testing.assert_array_equal(np.asarray(off.stocks), np.asarray(baseline.stocks))


@pytest.mark.parametrize("module", MODULES, ids=module_names())
def test_module_declares_levers_that_name_it(module):
    name = module.__name__.rsplit(".", 1)[-1]
    assert module.LEVERS and module.RATES
    for lever_id in module.LEVERS:
        assert lever(lever_id).module == name


@pytest.mark.parametrize("module", MODULES, ids=module_names())
def test_module_at_todays_values_leaves_its_rates_unchanged(module):
    timeline = Timeline(2)
    base = policy_rates(simlib.load_scenario("baseline"), timeline,
                        disabled=module_names())
    from simlib.engine import LeverValues

    lv = LeverValues({x.id: dict(x.schedule) for x in simlib.levers()}, timeline)
    changed = module.apply(dict(base), lv, None)
    for rate, value in changed.items():
        np.testing.assert_array_equal(np.broadcast_to(value, np.broadcast_shapes(
            value.shape, base[rate].shape)), np.broadcast_to(base[rate], np.broadcast_shapes(
                value.shape, base[rate].shape)), err_msg=rate)


def test_a_module_changing_an_undeclared_rate_is_refused(monkeypatch):
    rogue = types.SimpleNamespace(__name__="simlib.policies.rogue", LEVERS=(), RATES=("a",),
                                  apply=lambda rates, lv, ctx: {"termination_hazard": 0.0})
    monkeypatch.setattr(policies, "MODULES", (*MODULES, rogue))
    monkeypatch.setattr("simlib.simulation.MODULES", (*MODULES, rogue))
    monkeypatch.setattr("simlib.simulation.module_names",
                        lambda: [*module_names(), "rogue"])
    with pytest.raises(RuntimeError, match="undeclared"):
        simlib.run("baseline", years=1)


def test_unknown_module_name_is_an_error():
    with pytest.raises(ValueError, match="unknown policy modules"):
        simlib.run("baseline", years=1, disabled_modules=["nope"])


def _value(result, indicator, year="2027-28"):
    return result.value(indicator, year)


@pytest.mark.parametrize("window,extension", [(10, 0), (20, 20), (30, 30), (60, 60)])
def test_longer_window_never_lowers_the_placed_share(window, extension, baseline):
    result = simlib.run(simlib.scenario(search_window_days=window,
                                        search_extension_days=extension), years=3)
    shorter = simlib.run(simlib.scenario(search_window_days=max(10, window - 5),
                                         search_extension_days=extension), years=3)
    assert _value(result, "placement_share") >= _value(shorter, "placement_share") - 1e-12
    if window + extension > 40:
        assert _value(result, "placement_share") > _value(baseline, "placement_share")


def test_higher_employer_premium_never_lowers_supply():
    timeline = Timeline(2)
    supply = []
    for amount in (0.0, 500.0, 1000.0, 2000.0, 5000.0):
        sc = simlib.scenario(employer_premium_paid_eur_per_year=amount,
                             employer_premium_unpaid_eur_per_year=min(amount, 600.0))
        supply.append(policy_rates(sc, timeline)["placement_supply"].mean())
    assert all(b >= a for a, b in zip(supply, supply[1:], strict=False))
    assert supply[-1] > supply[0]


def test_more_coaching_never_raises_terminations():
    rates = []
    for visits in (0.0, 0.5, 1.0, 2.0, 4.0):
        result = simlib.run(simlib.scenario(coaching_visits_per_month=visits), years=2)
        rates.append(_value(result, "termination_rate", "2026-27"))
    assert all(b <= a for a, b in zip(rates, rates[1:], strict=False))
    assert rates[-1] < rates[0]


def test_dated_lever_change_acts_from_its_date_only(baseline):
    sc = simlib.scenario(coaching_visits_per_month={"2026-09-01": 4.0})
    result = simlib.run(sc, years=3)
    assert result.value("termination_rate", "2025-26") == pytest.approx(
        baseline.value("termination_rate", "2025-26"))
    assert result.value("termination_rate", "2026-27") < baseline.value(
        "termination_rate", "2026-27")
