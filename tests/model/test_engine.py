"""Engine invariants: conservation, no negative stock, transition rows that sum to 1.

These run at the full default resolution (22,680 strata)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simlib
from simlib.model import engine as E
from simlib.model import kernel as K
from simlib.model.engine.inputs import places_today
from simlib.model.engine.rate_arrays import (
    KERNEL_ORDER,
    duration_bins,
    month_array,
    search_bins_needed,
    stack_rates,
)
from simlib.model.engine.state import EngineState, advance
from simlib.model.simulation import policy_rates
from simlib.model.structure import CELLS, INNER, STATES, Timeline


def lever_values():
    """Random in-range values for every lever of the registry."""
    fields = {}
    for lv in simlib.levers():
        if lv.kind == "bool":
            fields[lv.id] = st.booleans()
        elif lv.kind == "choice":
            fields[lv.id] = st.sampled_from(lv.choices)
        elif lv.kind == "int":
            fields[lv.id] = st.integers(int(lv.min), int(lv.max))
        else:
            fields[lv.id] = st.floats(lv.min, lv.max, allow_nan=False)
    return st.fixed_dictionaries(fields)


def assert_conserves(result):
    total = np.asarray(result.stocks).sum(axis=1)
    inflow = np.asarray(result.inflow)
    expected = total[0] + np.cumsum(inflow) - inflow[0]
    np.testing.assert_allclose(total, expected, rtol=1e-9)


@settings(max_examples=25)
@given(lever_values())
def test_conservation_and_no_negative_stock_for_random_levers(values):
    result = simlib.run(simlib.scenario(**values), years=2)
    assert_conserves(result)
    stocks = np.asarray(result.stocks)
    assert stocks.min() >= -1e-9 * stocks.sum(axis=1).max()
    rec = result.trajectory.rec
    assert rec.min() >= -1e-9 * stocks.sum(axis=1).max()


def test_baseline_conserves_over_ten_years():
    result = simlib.run("baseline", years=10)
    assert_conserves(result)
    assert result.stocks.shape == (120, len(STATES))
    assert list(result.stocks.columns) == list(STATES)
    assert result.stocks.index[0].strftime("%Y-%m-%d") == "2025-09-01"
    assert set(result.inflow[result.inflow > 0].index.month) == {9}


def _unit_run(state: str, c: int, i: int, k: int = 0, scenario="baseline", years=1,
              rates_patch=None):
    """Run the kernel from one learner in (state, cell c, inner i, bin k), no inflow."""
    timeline = Timeline(years)
    rates = policy_rates(simlib.load_scenario(scenario) if isinstance(scenario, str)
                         else scenario, timeline)
    if rates_patch:
        rates.update(rates_patch)
    RTC, RTI = stack_rates([rates], timeline.months)
    MS = month_array(rates, timeline.months)
    ka, kg = duration_bins(MS)
    s = EngineState(ka, kg, ks=search_bins_needed(MS[None]))
    s.places[0] = places_today()
    target = {"non_dual": s.nd, "searching": s.srch, "dual_oao": s.oao, "dual_soa": s.soa,
              "guaranteed": s.gua, "aanloopfase": s.aan, "groeifase": s.gro}[state][0]
    if target.ndim == 2:
        target[c, i] = 1.0
    else:
        target[c, i, min(k, target.shape[2] - 1)] = 1.0
    ones = np.ones((1, CELLS.size))
    rec, flows, _, _ = advance(s, RTC, RTI, MS[None], np.zeros((1, CELLS.size, INNER.size)),
                               ones, ones, np.ones(1), np.zeros(1), record=True)
    rec = rec[0]
    school = rec[..., :7].sum(axis=(1, 2, 3, 4))
    left = np.cumsum(rec[..., K.Q_LEAVE:].sum(axis=(1, 2, 3, 4)))
    full = E.post_stratify(rec, rates["provider_share"])
    np.testing.assert_allclose(full.sum(axis=3), rec.sum(axis=3), rtol=1e-12)
    return school, left, rec


STATES_K = ("non_dual", "searching", "dual_oao", "dual_soa", "guaranteed", "aanloopfase",
            "groeifase")
INNER_CASES = [0, 37, INNER.size - 1, 4 * 18 + 2]  # year 3 .. year 7


@pytest.mark.parametrize("state", STATES_K)
@pytest.mark.parametrize("i", INNER_CASES)
def test_every_row_of_the_monthly_transition_sums_to_one(state, i):
    """One learner stays one learner, spread over states and exits, every month of a year
    (year end included), with no negative share; also with the Groeifase and guarantee on."""
    for scenario in ("baseline", "groeifase_parkeerplek", "gegarandeerde_plaatsen"):
        school, left, rec = _unit_run(state, c=5, i=i, k=2, scenario=scenario, years=2)
        np.testing.assert_allclose(school + left, 1.0, rtol=1e-12)
        assert rec.min() >= -1e-15


def test_search_window_ends_as_the_rule_says():
    """With no chance of a place, a searcher starting in September fails exactly when the
    40 school days are used: September (20) and October (20)."""
    from simlib.model.rates import Rate

    _, _, rec = _unit_run("searching", c=0, i=0, rates_patch={
        "placement_hazard": Rate.const(0.0)})
    failed = rec[:, 0, :, :, K.Q_FAILED].sum(axis=(1, 2))
    assert failed[0] == 0.0
    assert failed[1] == pytest.approx(1.0)


def test_window_clock_stops_in_summer():
    """A searcher in July with days left keeps them: nobody fails in July or August."""
    from simlib.model.rates import Rate

    _, _, rec = _unit_run("searching", c=0, i=0, k=1, rates_patch={
        "placement_hazard": Rate.const(0.0)})
    failed = rec[:, 0, :, :, K.Q_FAILED].sum(axis=(1, 2))
    assert failed[10] == 0.0 and failed[11] == 0.0


def test_unqualified_exit_only_past_compulsory_schooling():
    """A 15-year-old (year 3, on time) never leaves unqualified during the year."""
    i = 0  # year 3, behind 0, no indicator, low readiness, school
    for state in ("non_dual", "dual_oao", "aanloopfase", "searching"):
        _, _, rec = _unit_run(state, c=3, i=i)
        unq = rec[:-1, ..., K.Q_LEAVE + 9:K.Q_LEAVE + 12].sum()
        assert unq == 0.0, state


def test_policy_rates_are_valid():
    timeline = Timeline(2)
    sc = simlib.load_scenario("pakket_serv")
    rates = policy_rates(sc, timeline)
    T = timeline.months
    for name, kind in K.RATE_KINDS.items():
        full = rates[name].full(T)
        assert np.all(np.isfinite(full)) and np.all(full >= 0), name
        if kind == K.layout.SHARE:
            assert np.all(full <= 1 + 1e-12), name
    for event, destinations in K.SPLITS.items():
        total = sum(rates[f"{event}_to_{to}"].full(T) for to in destinations)
        np.testing.assert_allclose(total, 1.0)
    np.testing.assert_allclose(rates["provider_share"].sum(axis=1), 1.0)


def test_compete_series_matches_exp():
    xs = np.array([0.0, 1e-6, 0.005, 0.0199, 0.02, 0.5, 3.0])
    got = np.array([K._p(x) for x in xs])
    np.testing.assert_allclose(got, -np.expm1(-xs), rtol=1e-9, atol=1e-15)


def test_inner_rates_pool_gives_every_rate_its_factor_in_every_month():
    """The kernel reads a rate's inner factor through a pool of rows and a month index; that
    must equal the dense factor (T, I) of every rate, in the kernel's order of the strata,
    for each draw of a batch (here two scenarios with different rates)."""
    timeline = Timeline(2)
    sets = [policy_rates(simlib.load_scenario(n), timeline)
            for n in ("baseline", "pakket_serv")]
    _, inner_rates = stack_rates(sets, timeline.months)
    dense = inner_rates.dense()
    assert dense.shape == (2, len(K.KERNEL_RATES), timeline.months, INNER.size)
    for d, rates in enumerate(sets):
        for n, name in enumerate(K.KERNEL_RATES):
            ti = np.broadcast_to(np.asarray(rates[name].ti, float),
                                 (timeline.months, INNER.size))
            np.testing.assert_array_equal(dense[d, n], ti[:, KERNEL_ORDER])
    # a rate constant over the months takes one row of the pool
    rows = inner_rates.pool.shape[1]
    assert rows < len(K.KERNEL_RATES) * timeline.months
    first = inner_rates.months(12)
    assert first.index.shape[-1] == 12 and first.pool is inner_rates.pool


@pytest.mark.parametrize("name", ["baseline", "deelstudiebekrachtiging", "groeifase_parkeerplek"])
def test_the_sankeys_exit_flows_equal_the_exit_indicators(name):
    """One definition per flow: the flows into each exit node over a school year (what the
    Sankey draws, plots.flows_table) are the outflow indicators of that school year."""
    from simlib.report.plots import flows_table

    result = simlib.run(name, years=4)
    exits = {"qualified_education": "outflow_qualified_education",
             "qualified_professional": "outflow_qualified_professional",
             "partial_qualification": "outflow_partial_qualification",
             "unqualified": "outflow_unqualified"}
    for year in ("2025-26", "2028-29"):
        flows = flows_table(result, year).groupby("to")["value"].sum()
        for node, indicator in exits.items():
            assert flows.get(node, 0.0) == pytest.approx(result.value(indicator, year),
                                                         rel=1e-9, abs=1e-6), (node, year)


def _window_module(days):
    from simlib.analysis.checks import policy_module

    def apply(rates, lv, ctx):
        return {"window_days": np.full(ctx.months, float(days))}

    return policy_module(f"window_{days}", ["window_days"], apply)


def test_the_search_window_state_is_sized_from_the_run():
    """A 180-day window (beyond the registry's 60 + 60) used to overrun a fixed buffer of 24
    bins and abort the process; the engine sizes the bins from the run's longest window and
    a longer window places more learners."""
    from simlib.analysis.checks import check_invariants

    short = simlib.run("baseline", years=2, extra_modules=[_window_module(40)])
    long_ = simlib.run("baseline", years=2, extra_modules=[_window_module(180)])
    check_invariants(long_)
    assert long_.value("placement_share", "2026-27") > short.value("placement_share", "2026-27")


def test_a_window_beyond_the_engines_limit_is_refused_at_its_door():
    with pytest.raises(ValueError, match=f"expected 0 to {E.MAX_WINDOW_DAYS}"):
        simlib.run("baseline", years=1, extra_modules=[_window_module(E.MAX_WINDOW_DAYS + 1)])


# --- one declaration per name (the kernel's layout) -------------------------------------------

def test_every_kernel_name_is_declared_once_and_its_index_is_its_position():
    """Rates, month scalars, accumulator and work rows, flow nodes: each tuple of names is
    the one declaration; the index tuples the compiled code reads are derived from it."""
    for names, index in ((K.KERNEL_RATES, K.R), (K.MONTH_SCALARS, K.M),
                         (K.RECORDED + K.EXTRA, K.A), (K.WORK, K.W), (K.FLOW_NODES, K.F),
                         (K.GROEIFASE_RULES, K.G)):
        assert len(set(names)) == len(names)
        assert index._fields == names and tuple(index) == tuple(range(len(names)))
    assert K.RECORDED[K.Q_LEAVE:] == K.LEAVERS
    assert [K.RECORDED[q] for q in K.NON_DUAL_Q] == [
        "non_dual", "behind_non_dual", *(f"leave_{q}_nd" for q in K.LEAVE_QUALIFICATIONS)]
    assert set(K.RATE_KINDS.values()) == {"share", "hazard", "factor"}


def test_base_rates_and_month_scalars_build_exactly_the_kernels_names():
    from simlib.model.rates import OTHER_RATES, base_rates, month_scalars

    timeline = Timeline(1)
    assert set(base_rates(timeline)) == {*K.KERNEL_RATES, *OTHER_RATES}
    assert set(month_scalars(timeline)) == set(K.MONTH_SCALARS)


def test_a_split_in_data_to_a_destination_the_kernel_lacks_is_refused(monkeypatch):
    from simlib.model import rates as rates_module

    real = rates_module.param

    def param(name):
        value = real(name)
        return {**value, "groeifase": 0.0} if name == "search_fail_split" else value

    monkeypatch.setattr(rates_module, "param", param)
    with pytest.raises(ValueError, match="search_fail_split in data/ has destinations"):
        rates_module.base_rates(Timeline(1))


@pytest.mark.parametrize("name", K.KERNEL_RATES)
def test_the_shared_checks_bound_exactly_the_rates_declared_shares(name):
    """simlib.analysis.checks.check_rates bounds exactly the rates the kernel's layout declares
    as shares, and checks exactly the destinations of each split add up."""
    from simlib.analysis.checks import check_rates
    from simlib.model.rates import Rate

    rates = policy_rates(simlib.load_scenario("baseline"), Timeline(1))
    checks = check_rates({**rates, name: Rate.const(1.5)}, 12)
    bounded = checks[1]
    assert bounded.passed == (K.RATE_KINDS[name] != "share"), (name, bounded.detail)
    routing = checks[2:2 + len(K.SPLITS)]
    in_split = [name in {f"{e}_to_{to}" for to in tos} for e, tos in K.SPLITS.items()]
    assert [not c.passed for c in routing] == in_split, name


def test_the_groeifase_rules_are_the_levers_choices_in_order():
    from simlib.inputs.levers import lever
    from simlib.model.policies import groeifase

    assert K.GROEIFASE_RULES == tuple(lever("groeifase_intake_rule").choices)
    assert groeifase.RULE == {rule: float(i) for i, rule in enumerate(K.GROEIFASE_RULES)}


#: Levers whose registry default today's base rates, month scalars and costs read; moved,
#: the base must be what the lever's module gives at that value (for the rates and costs
#: the base reads from the registry; the others, such as effects on the placement hazard or
#: the firms' offer, are relative to today by definition).
TODAY_MOVED = {"groeifase_open": True, "groeifase_capacity": 500,
               "groeifase_intake_rule": "broad", "guaranteed_places": True,
               "guaranteed_places_capacity": 300, "conditional_recognition": True,
               "search_support_guarantee": True, "search_window_days": 30,
               "search_extension_days": 25, "allowance_below_20h": "pro_rata",
               "screening_quality": "high"}


def test_todays_rules_are_read_from_the_lever_registry(monkeypatch):
    """If a lever's default changed, the base rates would follow it: with the defaults moved
    (a patched registry), the base equals each module's output at those values."""
    from simlib.model import rates as rates_module
    from simlib.model import simulation
    from simlib.model.policies import (
        allowance,
        groeifase,
        guarantee,
        recognition,
        screening,
        search,
        search_support,
    )
    from simlib.model.simulation import _context, cost_series, scenario_levers

    timeline = Timeline(1)
    real = rates_module.today()
    base = {**rates_module.base_rates(timeline), **rates_module.month_scalars(timeline),
            **cost_series(timeline)}
    ctx = _context(timeline, base)
    lv = scenario_levers(simlib.scenario(**TODAY_MOVED), timeline)
    moved = {}
    for module in (groeifase, guarantee, recognition, search_support, search, allowance,
                   screening):
        moved.update({k: v for k, v in module.apply(base, lv, ctx).items()
                      if k not in ("route_weight", "route_dual_share", "termination_hazard",
                                   "places_factor", "screen_ready_prob", "placement_hazard",
                                   "leave_hazard_groeifase")})
    patched = {**real, **TODAY_MOVED}
    monkeypatch.setattr(rates_module, "today", lambda: patched)
    monkeypatch.setattr(simulation, "today", lambda: patched)
    now = {**rates_module.base_rates(timeline), **rates_module.month_scalars(timeline),
           **cost_series(timeline)}

    def dense(x):
        return x.full(timeline.months) if isinstance(x, rates_module.Rate) else np.broadcast_to(
            np.asarray(x, float), (timeline.months,))

    assert {"groeifase_rule", "guarantee_capacity", "refusal_hazard", "window_days",
            "cost_soa_pay_share", "cost_screening_eur_per_entrant",
            "cost_search_support_eur_per_searcher_month"} <= set(moved)
    for name, value in moved.items():
        np.testing.assert_allclose(dense(now[name]), dense(value), rtol=1e-12, err_msg=name)
        if not np.array_equal(dense(value), dense(base[name])):
            assert not np.array_equal(dense(now[name]), dense(base[name])), name


# --- the kernel's on-disk cache and the engine's caches ---------------------------------------

class _FakeCache:
    def __init__(self, path):
        self.cache_path = str(path)
        self.flushed = 0

    def flush(self):
        self.flushed += 1


def test_a_change_in_any_kernel_file_empties_the_cache_of_every_kernel_function(tmp_path):
    """Numba checks a cached function against its own file only; the kernel's guard hashes
    all its files and empties every cache when one changed."""
    from types import SimpleNamespace

    from simlib.model.kernel.cache import keep_fresh

    src = tmp_path / "src"
    src.mkdir()
    (src / "loop.py").write_text("x = 1\n")
    (src / "steps.py").write_text("y = 1\n")
    caches = [_FakeCache(tmp_path / "cache") for _ in range(2)]
    funcs = [SimpleNamespace(_cache=c) for c in caches] + [SimpleNamespace()]
    assert keep_fresh(funcs, src)           # no stamp yet: a cache of unknown sources
    assert not keep_fresh(funcs, src)       # unchanged
    (src / "steps.py").write_text("y = 2\n")  # a callee's file, not the loop's
    assert keep_fresh(funcs, src)
    assert [c.flushed for c in caches] == [2, 2]
    assert not keep_fresh(funcs, src)


def test_the_guard_covers_every_compiled_function_of_the_kernel():
    import pkgutil

    import numba

    from simlib.model import kernel

    found = set()
    for info in pkgutil.iter_modules(kernel.__path__):
        module = __import__(f"simlib.model.kernel.{info.name}", fromlist=["_"])
        found |= {obj for obj in vars(module).values()
                  if isinstance(obj, numba.core.registry.CPUDispatcher)
                  and obj.__module__ == module.__name__}
    assert found and found == set(kernel.DISPATCHERS)


def test_every_growing_cache_of_the_engine_is_reachable_from_the_package():
    """simlib.analysis.calibration clears the engine's caches through
    ``vars(simlib.model.engine)`` (each trial of a fit adds a start state)."""
    import pkgutil

    from simlib.model import engine
    from simlib.model.engine import burn_in

    reachable = {id(obj) for obj in vars(engine).values()}
    unreachable = set()
    for info in pkgutil.iter_modules(engine.__path__):
        module = __import__(f"simlib.model.engine.{info.name}", fromlist=["_"])
        unreachable |= {name for name, obj in vars(module).items()
                        if hasattr(obj, "cache_info") and id(obj) not in reachable
                        and obj.__module__ == module.__name__}
    assert unreachable <= {"_merge_plan"}  # keyed on the resolution only: three entries
    assert vars(engine)["initial"] is burn_in.initial and burn_in.initial.cache_info().maxsize
