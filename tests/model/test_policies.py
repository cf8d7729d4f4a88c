"""Policy modules: neutral at today's rules, declared rates only, every lever acts, and
monotone where the design says so."""

import types

import numpy as np
import pytest

import simlib
from simlib.analysis import checks
from simlib.inputs.levers import lever
from simlib.model import policies
from simlib.model.policies import MODULES, module_names
from simlib.model.rates import Rate
from simlib.model.simulation import cost_series, module_name, policy_rates
from simlib.model.structure import Timeline


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


def test_every_lever_has_a_module():
    covered = {lv for m in MODULES for lv in m.LEVERS}
    assert covered == {lv.id for lv in simlib.levers()}


def _values(x, months):
    if isinstance(x, Rate):
        return x.full(months)
    return np.broadcast_to(np.asarray(x, float), (months,))


_NAMED = [(m, name) for m in MODULES for name, _ in checks.module_checks(m, run=False)]


@pytest.mark.parametrize("module,check", _NAMED,
                         ids=[f"{module_name(m)}-{c}" for m, c in _NAMED])
def test_module_passes_each_shared_check(module, check):
    """Each shared check of each module is a test of its own, so a failure names the check:
    declared levers and rates that exist, only declared rates changed, neutral at today's
    lever values (the same suite a researcher's module passes in notebook 09; the run's
    invariants are checked on every scenario elsewhere)."""
    found = dict(checks.module_checks(module, run=False))[check]()
    failed = [c for c in found if not c.passed]
    assert not failed, "; ".join(f"{c.name}: {c.detail}" for c in failed)
    assert not any(c.note for c in found)  # every registered module has levers


def _other_value(lv):
    if lv.kind == "bool":
        return not lv.default
    if lv.kind == "choice":
        return next(c for c in lv.choices if c != lv.default)
    return lv.max if lv.default != lv.max else lv.min


#: levers that act only together with another lever (an interaction, not a missing effect)
NEEDS = {"dual_offer_targeting": {"dual_offer_growth_share": 0.25}}


@pytest.mark.parametrize("lever_id", [lv.id for lv in simlib.levers()])
def test_every_lever_changes_the_results(lever_id, baseline):
    lv = lever(lever_id)
    overrides = {lever_id: _other_value(lv), **NEEDS.get(lever_id, {})}
    if lv.parent:
        overrides[lv.parent] = True
        if lever_id == "groeifase_intake_rule":
            overrides["groeifase_intake_after_months"] = 0
    result = simlib.run(simlib.scenario(**overrides), years=3)
    if lv.parent or lever_id in NEEDS:  # compare with the parent (or partner) alone
        reference = simlib.run(simlib.scenario(**{
            k: v for k, v in overrides.items() if k != lever_id}), years=3)
    else:
        reference = baseline
    a = reference.indicators.set_index(["indicator", "group", "school_year"]).value
    b = result.indicators.set_index(["indicator", "group", "school_year"]).value
    assert not a.equals(b), f"{lever_id} has no effect"


def test_a_module_changing_an_undeclared_rate_is_refused(monkeypatch):
    rogue = types.SimpleNamespace(__name__="simlib.model.policies.rogue", LEVERS=(), RATES=("a",),
                                  apply=lambda rates, lv, ctx: {"termination_hazard": 0.0})
    monkeypatch.setattr(policies, "MODULES", (*MODULES, rogue))
    monkeypatch.setattr("simlib.model.simulation.MODULES", (*MODULES, rogue))
    with pytest.raises(RuntimeError, match="undeclared"):
        simlib.run("baseline", years=1)


def test_unknown_module_name_is_an_error():
    with pytest.raises(ValueError, match="unknown policy modules"):
        simlib.run("baseline", years=1, disabled_modules=["nope"])


def test_cost_series_cover_every_cost_a_module_sets():
    names = set(cost_series(Timeline(1)))
    for m in MODULES:
        assert {r for r in m.RATES if r.startswith("cost_")} <= names, m.__name__


# --- monotone effects (DESIGN.md 3.4) ----------------------------------------------------------

def _v(result, indicator, year="2026-27", group="all"):
    return result.value(indicator, year, group)


@pytest.mark.parametrize("window,extension", [(10, 0), (20, 20), (30, 30), (60, 60)])
def test_longer_window_never_lowers_the_placed_share(window, extension):
    longer = simlib.run(simlib.scenario(search_window_days=window,
                                        search_extension_days=extension), years=2)
    shorter = simlib.run(simlib.scenario(search_window_days=max(10, window - 5),
                                         search_extension_days=extension), years=2)
    assert _v(longer, "placements") >= _v(shorter, "placements") - 1e-9


def test_search_support_never_lowers_the_placed_share(baseline):
    support = simlib.run(simlib.scenario(search_support_guarantee=True), years=3)
    for year in ("2025-26", "2026-27", "2027-28"):
        assert _v(support, "placement_share", year) >= _v(baseline, "placement_share", year)
        assert _v(support, "placements", year) > _v(baseline, "placements", year)


def test_higher_employer_premium_never_lowers_supply():
    timeline = Timeline(2)
    supply = []
    for amount in (0.0, 500.0, 1000.0, 2000.0, 5000.0):
        sc = simlib.scenario(employer_premium_paid_eur_per_year=amount,
                             employer_premium_unpaid_eur_per_year=min(amount, 600.0))
        supply.append(policy_rates(sc, timeline)["places_factor"].full(24).mean())
    assert all(b >= a for a, b in zip(supply, supply[1:], strict=False))
    assert supply[-1] > supply[0]


def test_more_coaching_never_raises_terminations():
    rates = []
    for visits in (0.0, 0.5, 1.0, 2.0, 4.0):
        result = simlib.run(simlib.scenario(coaching_visits_per_month=visits), years=2)
        rates.append(_v(result, "termination_rate"))
    assert all(b <= a for a, b in zip(rates, rates[1:], strict=False))
    assert rates[-1] < rates[0]


@pytest.mark.parametrize("capacity", [100, 1000, 10000])
def test_guaranteed_places_never_raise_unqualified_exits(capacity, baseline):
    result = simlib.run(simlib.scenario(guaranteed_places=True,
                                        guaranteed_places_capacity=capacity), years=3)
    for year in ("2025-26", "2026-27", "2027-28"):
        assert _v(result, "unqualified_outflow", year) <= _v(
            baseline, "unqualified_outflow", year) + 1e-9


def test_parking_place_keeps_more_learners_longer_and_qualifies_fewer():
    spring = simlib.run("groeifase_springplank", years=6)
    park = simlib.run("groeifase_parkeerplek", years=6)
    year = "2030-31"
    assert _v(park, "groeifase_24_months_share", year) > _v(spring, "groeifase_24_months_share",
                                                             year)
    assert _v(park, "groeifase_learners", year) > _v(spring, "groeifase_learners", year)
    full = sum(_v(r, "outflow_qualified_education", y) + _v(r, "outflow_qualified_professional",
                                                             y)
               for r in (park,) for y in ("2028-29", "2029-30", year))
    full_spring = sum(_v(spring, "outflow_qualified_education", y)
                      + _v(spring, "outflow_qualified_professional", y)
                      for y in ("2028-29", "2029-30", year))
    assert full < full_spring


def test_dated_lever_change_acts_from_its_date_only(baseline):
    sc = simlib.scenario(coaching_visits_per_month={"2026-09-01": 4.0})
    result = simlib.run(sc, years=3)
    assert _v(result, "termination_rate", "2025-26") == pytest.approx(
        _v(baseline, "termination_rate", "2025-26"))
    assert _v(result, "termination_rate", "2026-27") < _v(baseline, "termination_rate")


@pytest.mark.parametrize("name", ["baseline", "langere_zoekperiode"])
def test_skipping_the_modules_at_today_values_changes_no_rate(name):
    """policy_rates skips a registered module whose levers are all at today's values; every
    rate must equal what applying every module gives."""
    from simlib.model.rates import base_rates, month_scalars
    from simlib.model.simulation import _context, policy_rates, scenario_levers

    timeline = Timeline(2)
    sc = simlib.load_scenario(name)
    lv = scenario_levers(sc, timeline)
    full = {**base_rates(timeline), **month_scalars(timeline), **cost_series(timeline)}
    ctx = _context(timeline, full)
    for m in MODULES:
        full.update(m.apply(full, lv, ctx))
    skipped = policy_rates(sc, timeline)
    assert set(skipped) == set(full)
    assert any(lv.at_today(m.LEVERS) for m in MODULES)  # something was skipped
    def dense(x):
        return x.full(timeline.months) if isinstance(x, Rate) else np.asarray(x, float)

    for r in full:
        np.testing.assert_allclose(dense(skipped[r]), dense(full[r]), rtol=1e-12, atol=0,
                                   err_msg=r)


# --- the registry's `rates` field: what each lever moves --------------------------------------

def _dense(x):
    return x.full(24) if isinstance(x, Rate) else np.asarray(x, float)


def _alternatives(lv):
    if lv.kind == "bool":
        return [not lv.default]
    if lv.kind == "choice":
        return [c for c in lv.choices if c != lv.default]
    return [v for v in (lv.min, lv.max) if v != lv.default]


@pytest.mark.parametrize("lever_id", [lv.id for lv in simlib.levers()])
def test_each_lever_moves_exactly_the_rates_the_registry_declares(lever_id):
    """``rates`` in levers.toml is what the lever's module changes when the lever moves: with
    the module's other levers at today's value, and with each of them moved (a lever may act
    only together with another, e.g. the targeting of extra offer needs extra offer)."""
    lv = lever(lever_id)
    timeline = Timeline(2)
    mates = [m for m in simlib.levers()
             if m.module == lv.module and m.id not in (lv.id, lv.parent)]
    contexts = [{}] + [{m.id: _alternatives(m)[-1]} for m in mates]
    moved = set()
    for ctx in contexts:
        base = dict(ctx)
        for k in [lever_id, *ctx]:
            if lever(k).parent and lever(k).parent != lever_id:
                base[lever(k).parent] = True
        ref = policy_rates(simlib.scenario(**base), timeline)
        for value in _alternatives(lv):
            new = policy_rates(simlib.scenario(**base, **{lever_id: value}), timeline)
            moved |= {k for k in new if not np.array_equal(_dense(new[k]), _dense(ref[k]))}
    assert moved == set(lv.rates), (f"{lever_id} moves {sorted(moved)}; levers.toml "
                                    f"declares {sorted(lv.rates)}")


# --- compulsory schooling and the partial-qualification lever ---------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_nobody_leaves_without_a_qualification_before_18_whatever_the_levers(seed):
    """The shared check (checks.check_invariants, 'compulsory schooling') over random lever
    values: every lever drawn anywhere in its range, the Groeifase open in half of them and
    with short durations, where its end falls before 18 for many learners."""
    rng = np.random.default_rng(seed)
    values = {}
    for lv in simlib.levers():
        if rng.random() < 0.5:
            continue
        if lv.kind == "bool":
            values[lv.id] = bool(rng.random() < 0.5)
        elif lv.kind == "choice":
            values[lv.id] = str(rng.choice(lv.choices))
        elif lv.kind == "int":
            values[lv.id] = int(rng.integers(lv.min, lv.max + 1))
        else:
            values[lv.id] = float(rng.uniform(lv.min, lv.max))
    if seed % 2 == 0:
        values.update(groeifase_open=True, groeifase_intake_after_months=0,
                      groeifase_max_duration_months=int(rng.integers(6, 13)),
                      groeifase_capacity=10000)
    result = simlib.run(simlib.scenario(**values), years=4)
    checks.check_invariants(result)


def test_the_groeifase_ends_without_an_exit_for_minors():
    """A short Groeifase ends while many learners are under 18: they return to the non-dual
    variant (the end of a trajectory is not the end of compulsory schooling)."""
    short = simlib.scenario(groeifase_open=True, groeifase_capacity=10000,
                            groeifase_intake_after_months=0, groeifase_max_duration_months=6)
    report = checks.check_invariants(simlib.run(short, years=4), raise_error=False)
    check = next(c for c in report.checks if c.name.startswith("compulsory schooling"))
    assert check.passed, check.detail


def test_partial_certification_changes_the_kind_of_exit_not_whether_learners_leave():
    """deelstudiebekrachtiging_aanloopfase turns unqualified exits from the Aanloopfase (and
    the Groeifase) into partial qualifications: the official unqualified outflow (both kinds)
    and the learners at school stay as they are; partial qualifications rise."""
    open_ = dict(groeifase_open=True, groeifase_capacity=4000)
    off = simlib.run(simlib.scenario(**open_), years=6)
    on = simlib.run(simlib.scenario(**open_, deelstudiebekrachtiging_aanloopfase=True), years=6)
    for year in ("2028-29", "2030-31"):
        assert _v(on, "unqualified_outflow", year) == pytest.approx(
            _v(off, "unqualified_outflow", year), rel=1e-9)
        assert _v(on, "learners_in_model", year) == pytest.approx(
            _v(off, "learners_in_model", year), rel=1e-9)
        assert _v(on, "outflow_partial_qualification", year) > _v(
            off, "outflow_partial_qualification", year) + 1.0
        assert _v(on, "outflow_unqualified", year) < _v(off, "outflow_unqualified", year) - 1.0


# --- the declared sign of a lever's effect (levers.toml "effects"), one generic check -------

_DECLARED = [(lv.id, ind, sign) for lv in simlib.levers() for ind, sign in lv.effects.items()]


@pytest.mark.parametrize("lever_id,indicator,sign", _DECLARED,
                         ids=[f"{a}-{b}" for a, b, _ in _DECLARED])
def test_a_lever_moves_the_indicators_it_declares_the_way_it_declares(lever_id, indicator, sign):
    """A lever moved from today's value to its test value (its scenario file's, else the far
    end of its range or the other choice; a child with its parent on, against the parent on
    alone) moves each indicator it declares in the declared direction, in 2028-29 (after
    every lever's earliest date), for all learners."""
    from simlib.model.outcomes import INDICATOR_BY_ID

    assert indicator in INDICATOR_BY_ID, f"{lever_id}: unknown indicator {indicator!r}"
    lv = lever(lever_id)
    value = _other_value(lv)
    for name in simlib.inputs.scenario.scenario_names():
        sc = simlib.load_scenario(name)
        if lever_id in sc.overrides and name != "pakket_serv":
            entry = sc.overrides[lever_id]
            value = list(entry.values())[-1] if hasattr(entry, "values") else entry
            break
    base = {lv.parent: True} if lv.parent else {}
    base.update(NEEDS.get(lever_id, {}))
    reference = simlib.run(simlib.scenario(**base) if base else simlib.load_scenario("baseline"),
                           years=4)
    moved = simlib.run(simlib.scenario(**base, **{lever_id: value}), years=4)
    a = reference.value(indicator, "2028-29")
    b = moved.value(indicator, "2028-29")
    assert (b - a) * (1 if sign == "+" else -1) > 1e-9 * max(abs(a), 1.0), (
        f"{lever_id} = {value!r}: {indicator} {a:.6g} -> {b:.6g}, declared {sign}")


def test_base_rates_follow_every_override_and_are_shared_read_only():
    """base_rates makes its timeless part once per set of parameter values in force: two
    timelines share it, an override block gets its own (and leaves the files' as they were),
    and a shared array cannot be changed in place."""
    from simlib.inputs.parameters import overridden
    from simlib.model.rates import base_rates

    files = base_rates(Timeline(2))
    assert base_rates(Timeline(3))["oao_share"] is files["oao_share"]
    assert base_rates(Timeline(3))["placement_hazard"].ti.shape[0] == 36
    with overridden({"final_fail_leave_share": 0.7}):
        moved = base_rates(Timeline(2))
        assert float(moved["final_fail_leave_share"].tc[0, 0]) == 0.7
        assert base_rates(Timeline(1))["final_fail_leave_share"] is moved[
            "final_fail_leave_share"]
    assert base_rates(Timeline(2))["final_fail_leave_share"] is files["final_fail_leave_share"]
    with pytest.raises(ValueError, match="read-only"):
        files["oao_share"].tc[...] = 0.0
    assert np.array_equal(files["placement_hazard"].full(24),
                          base_rates(Timeline(2))["placement_hazard"].full(24))
