"""Bands and sensitivity of a policy's effect (variant minus base, paired draws), the tornado's
one reference value (the point run), and reproducible Morris and Sobol (seed 0 included).

Short horizons (two school years) and a few parameters keep these quick; the policy-effect
parameter ``search_support_effect`` is read only where search support is guaranteed, which
``pakket_serv`` does from 2026-27 and the baseline never does."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simlib.analysis import sensitivity as S
from simlib.analysis import uncertainty as U
from simlib.inputs.scenario import load_scenario

YEAR = "2026-27"
YEARS = 2
IND = "unqualified_outflow"
POLICY_EFFECT = "search_support_effect"
PARAMS = [POLICY_EFFECT, "termination_hazard_per_month", "placement_hazard_per_school_day"]


@pytest.fixture(scope="module")
def plist():
    return U.priors(PARAMS)


@pytest.fixture(scope="module")
def effect_tornado(plist):
    return S.tornado_table("pakket_serv", IND, YEAR, base="baseline", years=YEARS,
                           prior_list=plist)


def test_the_effect_of_a_lever_free_scenario_against_itself_is_zero_everywhere(plist):
    copy = replace(load_scenario("baseline"), name="baseline_copy")  # run as a second scenario
    for base in (copy, "baseline"):  # paired with a copy, and the same scenario named twice
        t = S.tornado_table("baseline", IND, YEAR, base=base, years=YEARS, prior_list=plist)
        assert (t[["low", "high", "base", "swing", "point"]].to_numpy() == 0.0).all()
    f = S.model_function("baseline", IND, YEAR, base=copy, years=YEARS, prior_list=plist)
    assert (f(np.random.default_rng(3).random((5, len(plist)))) == 0.0).all()


def test_a_policy_effect_parameter_swings_in_the_effect_but_not_in_the_baseline_level(
        plist, effect_tornado):
    level = S.tornado_table("baseline", IND, YEAR, years=YEARS, prior_list=plist)
    swing = lambda t: t.set_index("parameter")["swing"]  # noqa: E731
    assert swing(level)[POLICY_EFFECT] == 0.0  # its lever is at today's value: never read
    assert swing(effect_tornado)[POLICY_EFFECT] > 1.0  # learners per school year
    assert swing(level)["termination_hazard_per_month"] > 0.0


def test_the_effect_tornado_is_the_difference_of_the_two_level_tornados(plist, effect_tornado):
    a = S.tornado_table("baseline", IND, YEAR, years=YEARS, prior_list=plist)
    b = S.tornado_table("pakket_serv", IND, YEAR, years=YEARS, prior_list=plist)
    a, b, e = (t.set_index("parameter").loc[PARAMS] for t in (a, b, effect_tornado))
    for col in ("low", "high", "base"):
        np.testing.assert_allclose(e[col], b[col] - a[col], rtol=0, atol=1e-9)
    np.testing.assert_allclose(e["swing"], (e["high"] - e["low"]).abs())


def test_the_tornado_centre_is_the_point_run_the_apps_show(effect_tornado):
    import simlib

    va = simlib.run("baseline", YEARS).value(IND, YEAR)
    vb = simlib.run("pakket_serv", YEARS).value(IND, YEAR)
    row = effect_tornado.iloc[0]
    assert row["point_base"] == va and row["point_variant"] == vb
    assert row["point"] == vb - va
    # the point run is the full model; the swings' own centre is the collapsed one
    assert row["base"] != row["point"]
    level = S.point_value("baseline", IND, YEAR, years=YEARS)
    assert level == {"point": va}


def test_paired_differences_equal_the_difference_of_the_two_runs_per_draw():
    names = ["baseline", "pakket_serv"]
    paired = U.sweep(names, 5, seed=4, years=YEARS, indicators=[IND])
    alone = {n: U.sweep(n, 5, seed=4, years=YEARS, indicators=[IND]) for n in names}
    key = ["draw", "school_year"]
    va, vb = (alone[n].indicators.set_index(key)["value"] for n in names)
    for k in range(5):  # the band of one draw is that draw's difference
        one = paired.indicators[paired.indicators["draw"] == k]
        diff = U.Sweep(paired.draws, one, paired.meta).difference(*names).set_index("school_year")
        for sy in diff.index:
            expected = vb[(k, sy)] - va[(k, sy)]
            assert diff.loc[sy, "p5"] == diff.loc[sy, "p95"] == pytest.approx(expected, abs=1e-9)
    # and the bands of all draws are the quantiles of the per-draw differences
    d = (vb - va).xs(YEAR, level="school_year").to_numpy()
    band = paired.difference(*names).set_index("school_year").loc[YEAR]
    np.testing.assert_allclose(band[list(U.BAND_COLUMNS)].astype(float),
                               np.quantile(d, U.QUANTILES), atol=1e-9)
    assert band["draws"] == 5 and band["scenario"] == "pakket_serv - baseline"


def test_the_effect_function_is_the_per_row_difference_of_the_level_functions(plist):
    U_ = np.random.default_rng(7).random((6, len(plist)))
    kw = dict(years=YEARS, prior_list=plist)
    effect = S.model_function("pakket_serv", IND, YEAR, base="baseline", **kw)(U_)
    a = S.model_function("baseline", IND, YEAR, **kw)(U_)
    b = S.model_function("pakket_serv", IND, YEAR, **kw)(U_)
    np.testing.assert_allclose(effect, b - a, rtol=0, atol=1e-9)
    assert np.ptp(effect) > 0.0  # the draws move the effect


def _ishigami_unit(X):
    return S.ishigami(np.asarray(X) * 2 * np.pi - np.pi)


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_sobol_and_morris_give_the_same_tables_for_the_same_seed(seed):
    names = ["x1", "x2", "x3"]
    for run in (lambda: S.sobol(_ishigami_unit, names, n=64, seed=seed),
                lambda: S.morris(_ishigami_unit, names, trajectories=6, seed=seed)):
        pd.testing.assert_frame_equal(run(), run())


def test_sobol_seed_zero_is_a_seed_not_the_global_generator():
    """SALib's Sobol analysis reads ``if seed:``: handed 0 it bootstraps from NumPy's global
    generator; ours does not depend on that generator's state."""
    names = ["x1", "x2", "x3"]
    np.random.seed(1)
    first = S.sobol(_ishigami_unit, names, n=64, seed=0)
    np.random.seed(2)
    pd.testing.assert_frame_equal(first, S.sobol(_ishigami_unit, names, n=64, seed=0))
    other = S.sobol(_ishigami_unit, names, n=64, seed=1)
    assert not np.allclose(first["S1_conf"], other["S1_conf"])


def test_a_nonzero_seed_gives_what_salib_gives_for_that_integer():
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0.0, 1.0]] * 3}
    X = sample.sample(problem, 64, calc_second_order=False, seed=5)
    res = analyze.analyze(problem, _ishigami_unit(X), calc_second_order=False, seed=5)
    ours = S.sobol(_ishigami_unit, problem["names"], n=64, seed=5).set_index("parameter")
    np.testing.assert_array_equal(ours.loc[problem["names"], "S1_conf"], res["S1_conf"])


def test_screen_then_sobol_of_an_effect_is_reproducible_and_counts_both_scenarios(plist):
    calls = []
    kw = dict(base="baseline", years=YEARS, trajectories=2, top=2, n=8, seed=0,
              prior_list=plist)
    first = S.screen_then_sobol("pakket_serv", IND, YEAR,
                                progress=lambda d, n: calls.append((d, n)), **kw)
    second = S.screen_then_sobol("pakket_serv", IND, YEAR, **kw)
    runs = 2 * (2 * (len(PARAMS) + 1) + 8 * (2 + 2))  # two scenarios per sample
    assert calls[-1] == (runs, runs)
    for x, y in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(x, y)
    screen = first[0].set_index("parameter")
    assert screen.loc[POLICY_EFFECT, "mu_star"] > 0.0
