"""Why a result moves: a scenario's difference from its base split over the levers it
changes (Shapley values).

A scenario changes several levers at once (``pakket_serv`` changes fourteen); the
difference :func:`simlib.analysis.compare.compare` reports for one indicator, group and school
year is the effect of all of them together, interactions included. :func:`contributions`
splits it over the changed levers so that the parts add up to the whole:

- the levers: every lever whose value in force differs between the scenario and the base
  in some simulated month (:func:`changed_levers`);
- a coalition ``S`` of them is the base with the scenario's schedules of the levers in ``S``
  (:func:`coalition`), run as any scenario (:func:`simlib.run`, the full model, cached);
- the contribution of lever ``i`` is its **Shapley value**: its marginal effect
  ``v(S + i) - v(S)`` averaged over every order in which the levers could be switched on.
  Exact over all ``2^n`` coalitions up to :data:`EXACT_MAX` levers; beyond that sampled over
  ``permutations`` random orders (seeded), with a standard error per lever (the standard
  deviation of its marginal effects over the orders, divided by the square root of their
  number). Either way the contributions add up to ``v(all) - v(none)``, the difference
  ``compare`` reports (each order's marginal effects telescope to it).

**By channel** (``by="channel"``): the same difference split over the model's channels, the
rates through which the policy modules act (:data:`CHANNELS`: take-up of dual, the supply of
workplaces, search and placement, contract terminations, guaranteed places, the Groeifase,
qualification, costs). A coalition of channels is the base's rates with the scenario's
rates of those channels (the scenario's levers, every module applied, and then only those
rates kept), run as any scenario. So the text can say "mostly through fewer places". A
rate of no listed channel falls in ``"other"`` (none of the registered modules has one:
tested).

What a contribution means, and what it does not: an interaction (the Groeifase's capacity
matters only once the Groeifase is open) is shared between the levers that make it, in equal
parts over the orders; a contribution is not the effect of that lever alone (run the
scenario with only that lever for that). The runs are those of the model with the
parameter values in ``data/``: no uncertainty (see :mod:`simlib.analysis.uncertainty`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from simlib.inputs.scenario import Scenario, load_scenario
from simlib.model.structure import Timeline

__all__ = ["EXACT_MAX", "PERMUTATIONS", "COLUMNS", "CHANNELS", "Explanation",
           "changed_levers", "coalition", "contributions", "years_for", "channel_of",
           "changed_channels"]

#: Up to this many changed levers the Shapley values are exact (2^n runs).
EXACT_MAX = 10
#: Random orders of the levers for sampled Shapley values beyond :data:`EXACT_MAX` levers.
PERMUTATIONS = 48
#: The columns of ``contributions.csv`` (the issue's contract), in order; split by channel
#: the first is ``channel``.
COLUMNS = ("lever", "contribution", "unit")
#: The model's channels: the rates (names, or prefixes ending in ``*``) through which the
#: policy modules act (:mod:`simlib.model.policies`, each module's ``RATES``).
CHANNELS = {
    "take_up": ("route_dual_share", "route_weight", "oao_share"),
    "places": ("places_factor", "refusal_hazard"),
    "placement": ("placement_hazard", "window_days", "screen_ready_prob"),
    "terminations": ("termination_hazard",),
    "guaranteed_places": ("guarantee_*",),
    "groeifase": ("groeifase_*", "leave_hazard_groeifase"),
    "qualification": ("partial_share_aanloop",),
    "costs": ("cost_*",),
}


def channel_of(rate: str) -> str:
    """The channel (:data:`CHANNELS`) of the rate named ``rate``, or ``"other"``."""
    for channel, names in CHANNELS.items():
        for n in names:
            if rate == n or (n.endswith("*") and rate.startswith(n[:-1])):
                return channel
    return "other"


def _same(a, b) -> bool:
    """Whether two rates (a :class:`~simlib.model.rates.Rate`, an array or a number) are
    equal value for value."""
    if a is b:
        return True
    if hasattr(a, "tc") and hasattr(b, "tc"):
        return _same(a.tc, b.tc) and _same(a.ti, b.ti)
    x, y = np.asarray(a), np.asarray(b)
    return x.shape == y.shape and bool(np.array_equal(x, y))


def changed_channels(base_rates: dict, variant_rates: dict) -> dict[str, list[str]]:
    """The channels whose rates differ between two sets of policy rates, with those rates,
    in the order of :data:`CHANNELS` (then ``"other"``)."""
    out: dict[str, list[str]] = {}
    for name in variant_rates:
        if not _same(base_rates.get(name), variant_rates[name]):
            out.setdefault(channel_of(name), []).append(name)
    order = [*CHANNELS, "other"]
    return {k: out[k] for k in order if k in out}


@dataclass(frozen=True)
class Explanation:
    """A difference split over levers. ``table``: one row per changed lever (columns
    :data:`COLUMNS`, then ``std_error``: 0 where exact), largest absolute contribution
    first; ``base_value`` and ``value``: the indicator in the base and in the scenario;
    ``method``: ``"exact"`` or ``"sampled"``; ``runs``: model runs made (cached ones
    included); ``permutations``: orders sampled (0 when exact); ``by``: ``"lever"`` or
    ``"channel"`` (then the table's first column is ``channel``)."""

    scenario: str
    base: str
    indicator: str
    group: str
    school_year: str
    unit: str
    base_value: float
    value: float
    table: pd.DataFrame
    method: str
    runs: int
    permutations: int
    seed: int
    by: str = "lever"

    @property
    def difference(self) -> float:
        """The scenario's value minus the base's: what the contributions add up to."""
        return self.value - self.base_value


def changed_levers(variant: Scenario, base: Scenario) -> list[str]:
    """The levers whose value in force differs between ``variant`` and ``base`` in some
    month the model can simulate, in the registry's order (a schedule that restates the
    base's value on a later date changes nothing and is left out)."""
    from simlib.model.simulation import MAX_YEARS

    months = Timeline(MAX_YEARS).iso()
    return [k for k in variant.schedules
            if dict(variant.schedules[k]) != dict(base.schedules[k])
            and any(variant.value(k, m) != base.value(k, m) for m in months)]


def coalition(base: Scenario, variant: Scenario, levers: Sequence[str]) -> Scenario:
    """``base`` with ``variant``'s schedules of ``levers`` (the others as in ``base``), named
    after both."""
    if not levers:
        return base
    schedules = dict(base.schedules)
    for k in levers:
        schedules[k] = variant.schedules[k]
    name = f"{base.name}+{variant.name}[{','.join(sorted(levers))}]"
    return replace(base, name=name, label_nl=name, label_en=name, description_nl="",
                   description_en="", base=base.name, path=None,
                   overrides=MappingProxyType({k: dict(variant.schedules[k]) for k in levers}),
                   schedules=MappingProxyType(schedules))


def years_for(school_year: str) -> int:
    """School years a run needs to reach ``school_year`` (the model is causal: a longer run
    gives the same value for it)."""
    from simlib.model.simulation import MAX_YEARS

    years = list(dict.fromkeys(Timeline(MAX_YEARS).school_year()))
    if school_year not in years:
        raise ValueError(f"school year {school_year!r} not simulated; expected one of "
                         f"{', '.join(years)}")
    return years.index(school_year) + 1


def contributions(scenario: str | Scenario, indicator: str, school_year: str, *,
                  base: str | Scenario = "baseline", group: str = "all", by: str = "lever",
                  permutations: int = PERMUTATIONS, seed: int = 0,
                  progress: Callable[[int, int], None] | None = None) -> Explanation:
    """The Shapley split of ``indicator`` (``group``, ``school_year``) of ``scenario`` minus
    ``base`` over the levers that differ (``by="lever"``) or over the channels whose rates
    differ (``by="channel"``), see the module. ``progress(runs done, runs)``.

    Raises ``ValueError`` for an unknown indicator, group, school year or ``by``, or when
    the two scenarios change nothing against each other."""
    from simlib.model.outcomes import INDICATORS

    variant = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    reference = base if isinstance(base, Scenario) else load_scenario(base)
    units = {ind.id: ind.unit for ind in INDICATORS}
    if indicator not in units:
        raise ValueError(f"unknown indicator {indicator!r}")
    if by not in ("lever", "channel"):
        raise ValueError(f"by: {by!r}; expected lever or channel")
    years = years_for(school_year)
    players, run_of = (_by_lever if by == "lever" else _by_channel)(variant, reference, years)
    if not players:
        raise ValueError(f"{variant.name!r} and {reference.name!r} set every lever alike: "
                         "nothing to split")
    n = len(players)
    exact = n <= EXACT_MAX
    total = 2 ** n if exact else 2 + permutations * (n - 1)
    values: dict[frozenset, float] = {}

    def v(members: frozenset) -> float:
        if members not in values:
            result = run_of([k for k in players if k in members])
            if group not in set(result.indicators["group"]):
                raise ValueError(f"unknown group {group!r}; expected all or axis=label, "
                                 f"e.g. finality=arbeidsmarkt")
            values[members] = float(result.value(indicator, school_year, group))
            if progress:
                progress(len(values), total)
        return values[members]

    if exact:
        phi, se = _exact(players, v), np.zeros(n)
    else:
        phi, se = _sampled(players, v, permutations, seed)
    table = pd.DataFrame({by: players, "contribution": phi, "unit": units[indicator],
                          "std_error": se})
    order = np.argsort(-np.abs(table["contribution"].to_numpy()), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    return Explanation(variant.name, reference.name, indicator, group, school_year,
                       units[indicator], v(frozenset()), v(frozenset(players)), table,
                       "exact" if exact else "sampled", len(values),
                       0 if exact else permutations, seed, by)


def _by_lever(variant: Scenario, reference: Scenario, years: int):
    """The changed levers, and the run of a coalition of them (the base with their
    schedules; the scenario itself for all of them)."""
    from simlib.model.simulation import run

    levers = changed_levers(variant, reference)

    def run_of(members: list[str]):
        sc = reference if not members else variant if len(members) == len(levers) else \
            coalition(reference, variant, members)
        return run(sc, years)

    return levers, run_of


def _by_channel(variant: Scenario, reference: Scenario, years: int):
    """The channels whose rates differ, and the run of a coalition of them (the base's
    rates with the scenario's rates of those channels)."""
    from simlib.model.engine import simulate
    from simlib.model.simulation import Result, policy_rates

    timeline = Timeline(years)
    base_rates = policy_rates(reference, timeline)
    variant_rates = policy_rates(variant, timeline)
    changed = changed_channels(base_rates, variant_rates)

    def run_of(members: list[str]):
        rates = dict(base_rates)
        for channel in members:
            for name in changed[channel]:
                rates[name] = variant_rates[name]
        return Result(variant if len(members) == len(changed) else reference,
                      simulate(rates, timeline))

    return list(changed), run_of


def _exact(levers: list[str], v: Callable[[frozenset], float]) -> np.ndarray:
    """Shapley values over every coalition: sum over S without i of
    |S|! (n - |S| - 1)! / n! (v(S + i) - v(S))."""
    n = len(levers)
    weight = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
              for s in range(n)]
    phi = np.zeros(n)
    for i, lever in enumerate(levers):
        others = [k for k in levers if k != lever]
        for size in range(n):
            for S in itertools.combinations(others, size):
                s = frozenset(S)
                phi[i] += weight[size] * (v(s | {lever}) - v(s))
    return phi


def _sampled(levers: list[str], v: Callable[[frozenset], float], permutations: int,
             seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values averaged over ``permutations`` random orders (seeded), and their
    standard errors. Each order's marginal effects add up to v(all) - v(none)."""
    if permutations < 2:
        raise ValueError(f"permutations: {permutations}; expected at least 2 (for an error)")
    rng = np.random.default_rng(seed)
    n = len(levers)
    marginal = np.zeros((permutations, n))
    for p in range(permutations):
        members: frozenset = frozenset()
        before = v(members)
        for i in rng.permutation(n):
            members = members | {levers[i]}
            after = v(members)
            marginal[p, i] = after - before
            before = after
    return marginal.mean(axis=0), marginal.std(axis=0, ddof=1) / np.sqrt(permutations)
