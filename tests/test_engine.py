"""Engine invariants: conservation, no negative stock, transition rows that sum to 1."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simlib
from simlib import engine
from simlib.model import SCHOOL_STATES, STATES, STRATA, Timeline
from simlib.rates import base_rates
from simlib.simulation import policy_rates

NUMERIC = [lv for lv in simlib.levers() if lv.kind in ("int", "float")]


def _value(lv):
    if lv.kind == "int":
        return st.integers(int(lv.min), int(lv.max))
    return st.floats(lv.min, lv.max, allow_nan=False)


def lever_values():
    """Random in-range values for every lever of the registry."""
    fields = {}
    for lv in simlib.levers():
        if lv.kind == "bool":
            fields[lv.id] = st.booleans()
        elif lv.kind == "choice":
            fields[lv.id] = st.sampled_from(lv.choices)
        else:
            fields[lv.id] = _value(lv)
    return st.fixed_dictionaries(fields)


def assert_conserves(result):
    total = np.asarray(result.stocks).sum(axis=1)
    inflow = np.asarray(result.inflow)
    expected = total[0] + np.cumsum(inflow) - inflow[0]
    np.testing.assert_allclose(total, expected, rtol=1e-9)


@given(lever_values())
def test_conservation_and_no_negative_stock_for_random_levers(values):
    result = simlib.run(simlib.scenario(**values), years=3)
    assert_conserves(result)
    assert np.asarray(result.stocks).min() >= -1e-9 * np.asarray(result.stocks).sum(axis=1).max()


def test_baseline_conserves_over_ten_years():
    result = simlib.run("baseline", years=10)
    assert_conserves(result)
    assert result.stocks.shape == (120, len(STATES))
    assert list(result.stocks.columns) == list(STATES)
    assert result.stocks.index[0].strftime("%Y-%m-%d") == "2025-09-01"
    # inflow only in September
    months = result.inflow[result.inflow > 0].index.month
    assert set(months) == {9}


@pytest.mark.parametrize("state", [s for s in SCHOOL_STATES])
@pytest.mark.parametrize("stratum", [0, 17, STRATA.size - 1, 31])
def test_every_row_of_the_monthly_transition_sums_to_one(state, stratum):
    """One learner in one state and stratum stays one learner, spread over states, every month
    of a year (year end included), with no negative share anywhere."""
    timeline = Timeline(1)
    rates = base_rates(timeline)
    stocks = engine._Stocks(STRATA.size)
    attr = {"non_dual": "non_dual", "searching": "search", "dual_oao": "oao", "dual_soa": "soa",
            "aanloopfase": "aanloop", "groeifase": "groei"}[state]
    if attr == "search":
        stocks.search[stratum, 3] = 1.0
    else:
        getattr(stocks, attr)[stratum] = 1.0
    out = engine._simulate(rates, timeline, STRATA, stocks, np.zeros(STRATA.size), record=True)
    per_month = out["stocks"].sum(axis=(1, 2))
    np.testing.assert_allclose(per_month, 1.0, rtol=1e-12)
    assert out["stocks"].min() >= 0.0


def test_compete_gives_probabilities_that_sum_to_at_most_one():
    h = [np.array([0.0, 0.1, 2.0, 50.0]), np.array([0.0, 0.3, 0.0, 50.0])]
    p = engine._compete(*h)
    total = sum(p)
    assert np.all(total >= 0) and np.all(total <= 1)
    np.testing.assert_allclose(total, -np.expm1(-(h[0] + h[1])))
    assert p[0][0] == 0 and p[1][0] == 0


def test_policy_rates_are_valid_probabilities_and_hazards():
    timeline = Timeline(3)
    sc = simlib.scenario(coaching_visits_per_month=4.0, search_window_days=60,
                         employer_premium_paid_eur_per_year=5000.0)
    rates = policy_rates(sc, timeline)
    for name, rate in rates.items():
        assert np.all(np.isfinite(rate)), name
        assert np.all(rate >= 0), name
        if name.endswith("_share") or name.startswith(("search_fail_to_", "termination_to_",
                                                        "progression_", "graduation_")):
            assert np.all(rate <= 1), name
    for prefix in ("search_fail_to_", "termination_to_"):
        total = sum(r for n, r in rates.items() if n.startswith(prefix))
        np.testing.assert_allclose(total, 1.0)


def test_search_window_ends_and_restarts_as_the_rule_says():
    """With no chance of a place, every searcher fails exactly when the window is used up."""
    timeline = Timeline(1)
    rates = base_rates(timeline)
    rates["placement_hazard"] = np.zeros((1, 1))
    stocks = engine._Stocks(STRATA.size)
    stocks.search[0, 0] = 1.0  # a searcher starting in September
    out = engine._simulate(rates, timeline, STRATA, stocks, np.zeros(STRATA.size), record=True)
    failed = out["failed"][:, 0]
    # 40 school days: September (20) and October (20) are used, the window ends in October
    assert failed[0] == 0.0
    assert failed[1] == pytest.approx(1.0)
