"""A run that resumes from an earlier run equals the run of all months (within 1e-12), and
a reference with other data, parameters or inputs is never used."""

import threading

import numpy as np
import pytest

import simlib
from simlib.inputs.parameters import overridden
from simlib.inputs.scenario import scenario_names
from simlib.model.engine import resume
from simlib.model.engine.batch import simulate, simulate_batch
from simlib.model.engine.burn_in import initial
from simlib.model.engine.inputs import params_key
from simlib.model.simulation import policy_rates
from simlib.model.structure import Timeline

ARRAYS = ("rec", "flows", "places", "leavers", "labour", "employed_12", "seeking_12",
          "exited_12", "inflow", "grouped")


def assert_same_run(a, b, rtol=1e-12):
    """Every output of two results (or trajectories) within ``rtol`` of the larger value."""
    ta, tb = (getattr(x, "trajectory", x) for x in (a, b))
    for name in ARRAYS:
        x, y = np.asarray(getattr(ta, name)), np.asarray(getattr(tb, name))
        assert x.shape == y.shape, name
        np.testing.assert_allclose(x, y, rtol=rtol, atol=rtol * max(np.abs(y).max(), 1.0),
                                   err_msg=name)
    if hasattr(a, "indicators"):
        ia, ib = a.indicators, b.indicators
        assert ia[["school_year", "indicator", "group"]].equals(
            ib[["school_year", "indicator", "group"]])
        np.testing.assert_allclose(ia.value, ib.value, rtol=rtol, atol=1e-9)


def full_run(sc, years=10, resolution="full"):
    """``sc`` run over all its months (no reference stored)."""
    resume.forget()
    result = simlib.run(sc, years, resolution=resolution)
    assert result.trajectory.resumed_from == 0
    resume.forget()
    return result


@pytest.fixture(autouse=True)
def _fresh_store():
    resume.forget()
    yield
    resume.forget()


def test_a_run_cut_at_its_snapshots_equals_one_kernel_call():
    timeline = Timeline(10)
    rates = policy_rates(simlib.load_scenario("baseline"), timeline)
    cut = simulate(rates, timeline)
    whole = simulate_batch(initial(params_key(), "full"), [rates], timeline).trajectory(0)
    assert cut.resumed_from == 0
    assert_same_run(cut, whole)
    np.testing.assert_array_equal(cut.rec, whole.rec)  # measured: bit for bit


@pytest.mark.parametrize("name", scenario_names())
def test_every_scenario_file_resumed_from_the_baseline_equals_its_full_run(name):
    full = full_run(name)
    simlib.run("baseline")
    resumed = simlib.run(name)
    assert_same_run(resumed, full)
    if name == "baseline":
        assert resumed.trajectory.resumed_from == 120  # nothing left to run


@pytest.mark.parametrize(("date", "month"), [("2026-09-01", 12), ("2027-09-01", 24)])
def test_a_lever_dated_in_september_resumes_there(date, month):
    sc = simlib.scenario(employer_premium_paid_eur_per_year={date: 2500.0})
    full = full_run(sc)
    simlib.run("baseline")
    resumed = simlib.run(sc)
    assert resumed.trajectory.resumed_from == month
    assert_same_run(resumed, full)


def test_a_slider_step_resumes_from_the_previous_step():
    # the apps' case: the same lever moved again; the reference is the last run, not the
    # baseline (a longer search window needs more search bins than the baseline's state)
    steps = [simlib.scenario(search_window_days={"2027-09-01": days}) for days in (25, 30, 35)]
    full = [full_run(sc) for sc in steps]
    simlib.run("baseline")
    for sc, expected in zip(steps, full, strict=True):
        resumed = simlib.run(sc)
        assert resumed.trajectory.resumed_from == 24
        assert_same_run(resumed, expected)


def test_a_resume_is_refused_after_a_month_with_an_open_capacity():
    # guaranteed places open from September 2027: the kernel rations them with last
    # month's demand, which a run cut later than that would lose
    base = simlib.load_scenario("gegarandeerde_plaatsen")
    sc = simlib.scenario(base, employer_premium_paid_eur_per_year={"2029-09-01": 2500.0})
    full = full_run(sc)
    simlib.run(base)
    resumed = simlib.run(sc)
    assert resumed.trajectory.resumed_from == 24  # not 36: month 35 had the guarantee open
    assert_same_run(resumed, full)


def test_other_parameters_never_use_the_reference():
    with overridden({"firm_adjustment_months": 18.0}):
        full = full_run("baseline")
    simlib.run("baseline")
    with overridden({"firm_adjustment_months": 18.0}):
        other = simlib.run("baseline")
    assert other.trajectory.resumed_from == 0
    assert_same_run(other, full)
    again = simlib.run("baseline")  # the data's own values: the first run's reference
    assert again.trajectory.resumed_from == 120
    assert not np.allclose(again.trajectory.rec, other.trajectory.rec)


def test_another_resolution_or_horizon():
    full = {(3, "full"): full_run("baseline", 3), (12, "full"): full_run("baseline", 12),
            (10, "finality"): full_run("baseline", resolution="finality")}
    simlib.run("baseline")
    coarse = simlib.run("baseline", resolution="finality")
    assert coarse.trajectory.resumed_from == 0
    assert_same_run(coarse, full[10, "finality"])
    short = simlib.run("baseline", years=3)  # the ten-year run's first three years
    assert short.trajectory.resumed_from == 36
    assert_same_run(short, full[3, "full"])
    longer = simlib.run("baseline", years=12)
    assert longer.trajectory.resumed_from == 36
    assert_same_run(longer, full[12, "full"])


def test_the_store_is_bounded_and_an_equal_run_adds_nothing():
    for k in range(resume.REFERENCES + 3):
        simlib.run(simlib.scenario(employer_premium_paid_eur_per_year={"2027-09-01": 2000.0
                                                                      + 100 * k}))
        assert len(resume._STORE) <= resume.REFERENCES
    n = len(resume._STORE)
    simlib.run(simlib.scenario(employer_premium_paid_eur_per_year={"2027-09-01": 2000.0}))
    assert len(resume._STORE) == n


def test_runs_in_threads_equal_their_full_runs():
    levers = [{"employer_premium_paid_eur_per_year": {"2026-09-01": 1800.0 + 200 * k}}
              for k in range(4)]
    full = [full_run(simlib.scenario(**lv)) for lv in levers]
    simlib.run("baseline")
    results: dict[int, object] = {}

    def work(k):
        results[k] = simlib.run(simlib.scenario(**levers[k]))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(levers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(len(levers)):
        assert results[k].trajectory.resumed_from > 0
        assert_same_run(results[k], full[k])


def test_stored_records_are_read_only_and_results_are_not():
    simlib.run("baseline")
    again = simlib.run("baseline")
    ref = next(iter(resume._STORE.values()))
    assert not ref.out.rec.flags.writeable and not ref.snapshots[12].nd.flags.writeable
    again.trajectory.flows[0, 0, 0] += 1.0  # a result's own copy
    assert not np.shares_memory(again.trajectory.flows, ref.out.flows)
