"""Base monthly rates per stratum, built from ``data/`` and today's lever values.

A rate is a product of two factors (:class:`Rate`): one over (month, market cell) and one over
(month, inner stratum), each broadcastable: ``value[t, c, i] = tc[t, c] * ti[t, i]``. That
covers rates that vary by date, region, sector and finality, by year, age, indicator pupil,
readiness and provider, and by date within either. Policy modules (``simlib.model.policies``)
return scaled rates; the engine stacks them for the kernel. Base rates use each lever's
default (today's rule), so a module at today's values changes nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from simlib.inputs.levers import levers
from simlib.inputs.parameters import param, parameters, school_days_by_month
from simlib.model.kernel.layout import (
    EARLY_MONTHS,
    GROEIFASE_RULES,
    KERNEL_RATES,
    MONTH_SCALARS,
    SPLITS,
)
from simlib.model.structure import CELLS, INNER, QUALIFICATIONS, Timeline

__all__ = ["Rate", "base_rates", "month_scalars", "population_index", "adult_share", "cell",
           "inner", "finality_sector", "today", "window_days", "monthly_hazard"]

#: What base_rates builds besides the kernel's rates: the provider shares of dual-route
#: learners per cell, (C, 3), which the engine uses to post-stratify.
OTHER_RATES = ("provider_share",)


@dataclass(frozen=True)
class Rate:
    """``tc`` has shape (1|T, 1|C), ``ti`` shape (1|T, 1|I); the rate is their product."""

    tc: np.ndarray
    ti: np.ndarray

    @staticmethod
    def const(value: float) -> Rate:
        return Rate(np.full((1, 1), float(value)), np.ones((1, 1)))

    @staticmethod
    def by_month(values) -> Rate:
        return Rate(np.asarray(values, float).reshape(-1, 1), np.ones((1, 1)))

    @staticmethod
    def by_cell(values) -> Rate:
        return Rate(np.asarray(values, float).reshape(1, -1), np.ones((1, 1)))

    @staticmethod
    def by_inner(values) -> Rate:
        return Rate(np.ones((1, 1)), np.asarray(values, float).reshape(1, -1))

    def scaled(self, tc=1.0, ti=1.0) -> Rate:
        """This rate times a (month, cell) factor and a (month, inner) factor."""
        return Rate(self.tc * np.asarray(tc, float), self.ti * np.asarray(ti, float))

    def full(self, months: int) -> np.ndarray:
        """The rate as a dense array (T, C, I) (for tests and small checks)."""
        tc = np.broadcast_to(self.tc, (months, CELLS.size))
        ti = np.broadcast_to(self.ti, (months, INNER.size))
        return tc[:, :, None] * ti[:, None, :]


def cell(axis: str, values: dict[str, float]) -> np.ndarray:
    """A (C,) array taking ``values`` by each cell's label on ``axis``."""
    return CELLS.along(axis, dict(values))


def inner(axis: str, values: dict[str, float]) -> np.ndarray:
    """An (I,) array taking ``values`` by each inner stratum's label on ``axis``."""
    return INNER.along(axis, dict(values))


def population_index(timeline: Timeline) -> np.ndarray:
    """Persons aged 12-17 relative to 2025, per month (linear between published years)."""
    table = param("population_12_17")
    years = np.array(sorted(int(y) for y in table), dtype=float)
    values = np.array([table[str(int(y))] for y in years])
    cal = np.array([d.year + (d.month - 1) / 12 for d in timeline.dates()])
    return np.interp(cal, years, values) / table["2025"]


def adult_share(timeline: Timeline) -> np.ndarray:
    """Share of each inner stratum past compulsory schooling, shape (T, I).

    A learner in year ``k`` who is ``b`` years behind turns ``11 + k + b`` in the calendar
    year the school year starts. Compulsory schooling ends at the 18th birthday or on 30 June
    of the calendar year of the 18th birthday, whichever comes first. Birthdays are taken
    as spread evenly over the year (a simplification: no birth-month axis).
    """
    year = np.array([int(v) for v in INNER_LABELS["year"]])[INNER.coord("year")]
    behind = np.array([int(v) for v in INNER_LABELS["behind"]])[INNER.coord("behind")]
    to_18 = 18 - (11 + year + behind)
    month = timeline.calendar_month()[:, None]
    turning = np.where(month <= 6, month / 12.0, 1.0)
    share = np.where(to_18[None, :] <= 0, 1.0, 0.0)
    return np.where((to_18[None, :] == 1) & (month <= 8), turning, share)


INNER_LABELS = dict(INNER.axes)


def finality_sector(name: str) -> np.ndarray:
    """A (C,) array from a parameter table keyed by sector, one table per finality."""
    out = np.zeros(CELLS.size)
    fin = CELLS.coord("finality")
    for i, f in enumerate(dict(CELLS.axes)["finality"]):
        out = np.where(fin == i, cell("sector", param(f"{name}_{f}")), out)
    return out


def today() -> dict[str, object]:
    """Today's value of every lever (its registry default): today's rules."""
    return {lv.id: lv.default for lv in levers()}


def window_days(search_days, extension_days):
    """The search window in school days: the search days plus the extension (every searcher
    takes it; in practice it is granted on request). Scalars or arrays over months."""
    return search_days + extension_days


def monthly_hazard(share, months: float = 1.0):
    """The constant monthly hazard at which a ``share`` of those at risk leaves over
    ``months`` months: ``-log(1 - share) / months``."""
    return -np.log1p(-share) / months


def base_rates(timeline: Timeline) -> dict[str, Rate]:
    """All named rates at today's rules: the kernel's rates
    (:data:`simlib.model.kernel.layout.KERNEL_RATES`, each once) and :data:`OTHER_RATES`.

    Only the age terms depend on the timeline; the rest is made once per set of parameter
    values in force (:func:`per_parameters`: a draw of a sweep builds the burn-in's rates
    and the run's, and shares it) and shared read-only: a policy module makes new rates
    with :meth:`Rate.scaled`, never changes one in place."""
    rates, hazard_tc, adult_factor = per_parameters(_timeless_rates)
    adult = _adult_share(timeline.months)
    out = dict(rates)
    out["placement_hazard"] = Rate(hazard_tc, 1.0 + adult * (adult_factor - 1.0))
    out["adult_share"] = Rate(np.ones((1, 1)), adult)
    return out


#: The results of :func:`per_parameters`: (function, id of the parameters) -> (parameters,
#: result); the few sets of parameters used last (a sweep's threads each have their draw's),
#: least recently used first.
_PER_PARAMETERS: OrderedDict[tuple, tuple] = OrderedDict()
_PER_PARAMETERS_KEPT = 8


def per_parameters(make: Callable[[], object]):
    """``make()`` once per set of parameter values in force (the mapping
    :func:`~simlib.inputs.parameters.parameters` returns: the same object for the files of
    ``data/`` and within one :func:`~simlib.inputs.parameters.overridden` block, a new one
    for each block and after a reload), for a ``make`` that reads nothing else that can
    change (parameters and the lever registry's defaults). The mapping is kept with the
    result, so an id is never mistaken for another's; the key also holds this module's
    readers :func:`param` and :func:`today` at the time (a test that replaces one gets
    fresh rates)."""
    params = parameters()
    key = (make, id(params), param, today)
    hit = _PER_PARAMETERS.get(key)
    if hit is not None and hit[0] is params:
        _PER_PARAMETERS.move_to_end(key)
        return hit[1]
    value = make()
    _PER_PARAMETERS[key] = (params, value)
    while len(_PER_PARAMETERS) > _PER_PARAMETERS_KEPT:
        _PER_PARAMETERS.popitem(last=False)
    return value


@cache
def _adult_share(months: int) -> np.ndarray:
    """:func:`adult_share` of a run of ``months`` from September 2025, read-only (it reads
    no parameter)."""
    return _read_only(adult_share(Timeline(months // 12)))


def _read_only(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, float)
    a.flags.writeable = False
    return a


def _timeless_rates() -> tuple[dict, np.ndarray, float]:
    """The rates of :func:`base_rates` that do not depend on the timeline (the placement
    hazard and the adult share are left ``None``, in their places), the placement hazard's
    (1, C) factor and :func:`_adult_factor`; every array read-only."""
    now = today()
    ses_ratio = inner("ses", {"no": 1.0, "yes": param("route_indicator_pupil_ratio")})
    route_fin = cell("finality", {"arbeidsmarkt": param("route_dual_share_arbeidsmarkt"),
                                  "dubbel": param("route_dual_share_dubbele")})
    provider = {f: param(f"provider_share_{f}") for f in ("arbeidsmarkt", "dubbel")}
    screen_low = 1.0 - param("screening_not_ready_share")
    leave = param("leave_hazard_adult")
    progression = param("progression_share")
    graduation = param("graduation_share")
    readiness_term = param("termination_readiness_factor")
    offer = finality_sector("sector_share_of_dual") / finality_sector("sector_share_of_learners")
    weights = finality_sector("sector_share_of_learners") * cell(
        "region", param("region_share_of_learners"))
    offer = offer / np.sum(weights * offer) * weights.sum()
    rates = {
        # route choice (the local dual offer by sector is today's programmatie) and screening
        "route_dual_share": Rate((route_fin * offer).reshape(1, -1), ses_ratio.reshape(1, -1)),
        "screen_ready_prob": Rate.const(screen_low),
        # provider of dual-route learners per cell, shape (C, 3): post-stratified by the engine
        "provider_share": np.stack([cell("finality", {f: provider[f][p] for f in provider})
                                    for p in ("school", "cdo", "syntra")], axis=1),
        # placement market
        "placement_hazard": None,  # by age: see base_rates
        "places_factor": Rate.const(1.0),
        "oao_share": Rate.by_cell(cell("finality", param("oao_share"))),
        # in dual
        "termination_hazard": Rate.by_inner(
            param("termination_hazard_per_month") * inner("readiness", readiness_term)),
        # a share of conditionally recognised firms is refused in a contract's first months
        "refusal_hazard": Rate.const(monthly_hazard(
            now["conditional_recognition_refusal_share"]
            * float(now["conditional_recognition"]), EARLY_MONTHS)),
        "guarantee_transfer_hazard": Rate.const(
            monthly_hazard(now["guaranteed_place_transfer_share_per_year"], 12.0)),
        # aanloopfase and groeifase
        "aanloop_ready_hazard": Rate.const(param("aanloop_ready_hazard")),
        "aanloop_non_dual_hazard": Rate.const(param("aanloop_non_dual_hazard")),
        "groeifase_springboard_hazard": Rate.const(
            monthly_hazard(now["groeifase_springboard_share_per_month"])),
        "groeifase_to_search_share": Rate.const(param("groeifase_to_search_share")),
        # leaving early (past compulsory schooling only)
        "adult_share": None,  # see base_rates
        "leave_hazard_non_dual": Rate.by_cell(cell("finality",
                                                   param("leave_hazard_adult_non_dual"))),
        "leave_hazard_dual": Rate.const(leave["dual"]),
        "leave_hazard_aanloop": Rate.const(param("aanloop_leave_hazard_adult")),
        "leave_hazard_groeifase": Rate.const(param("groeifase_leave_hazard_adult")),
        "partial_share_aanloop": Rate.const(param("partial_share_of_failed_leavers")),
        "partial_share_other": Rate.const(param("partial_share_of_failed_leavers")),
        # year end
        "progression_non_dual": Rate.const(progression["non_dual"]),
        "progression_dual": Rate.const(progression["dual"]),
        "progression_aanloop": Rate.const(progression["aanloopfase"]),
        "graduation_non_dual": Rate.by_cell(cell("finality", param("graduation_share_non_dual"))),
        "graduation_dual": Rate.const(graduation["dual"]),
        "graduation_aanloop": Rate.const(graduation["aanloopfase"]),
        "final_fail_leave_share": Rate.const(param("final_fail_leave_share")),
        "professional_only_share_dual": Rate.const(param("professional_only_share_dual")),
        "year_7_share": Rate.by_cell(cell("finality", param("year_7_share"))),
        # where learners go (shares sum to 1 per event)
        **{f"{event}_to_{to}": Rate.const(share)
           for event, tos in SPLITS.items() for to, share in _split(event, tos).items()},
    }
    _check_names("base_rates", rates, (*KERNEL_RATES, *OTHER_RATES))
    for name, rate in rates.items():
        if isinstance(rate, Rate):
            rates[name] = Rate(_read_only(rate.tc), _read_only(rate.ti))
    rates["provider_share"] = _read_only(rates["provider_share"])
    hazard_tc = param("placement_hazard_per_school_day") * _mismatch().reshape(1, -1)
    return rates, _read_only(hazard_tc), _adult_factor()


def _split(event: str, destinations: tuple[str, ...]) -> dict[str, float]:
    """The parameter ``{event}_split``: a share per destination the kernel knows."""
    split = dict(param(f"{event}_split"))
    if set(split) != set(destinations):
        raise ValueError(f"{event}_split in data/ has destinations {sorted(split)}; the "
                         f"kernel routes to {sorted(destinations)}")
    return {to: split[to] for to in destinations}


def _check_names(what: str, built: dict, declared: tuple[str, ...]) -> None:
    """``built`` has exactly the ``declared`` names (each declared once, in the kernel)."""
    if set(built) != set(declared):
        raise RuntimeError(f"{what} builds {sorted(set(built) - set(declared))} beyond and "
                           f"lacks {sorted(set(declared) - set(built))} of the kernel's names")


def _adult_factor() -> float:
    """The placement hazard of a learner past 18 relative to a younger one (the factor by
    age is ``1 + adult_share * (this - 1)``, see :func:`base_rates`): employers prefer older
    learners (``older_learner_placement_preference``) but pay full employer contributions for learners
    past 18 (``employer_contribution_adult_eur_per_year``), which weighs on them with the
    supply's semi-elasticity to the employer's cost (as for the premium). The Groeipakket
    (child benefit) continues during alternating training until 25, so it does not differ
    between routes and has no rate of its own; information about it is a lever.
    """
    cost = param("employer_contribution_adult_eur_per_year")
    semi = param("supply_elasticity_subsidy") / today()["employer_premium_paid_eur_per_year"]
    return (1 + param("older_learner_placement_preference")) * np.exp(-semi * cost)


def _mismatch() -> np.ndarray:
    """Relative placement hazard per cell at baseline from the local places-to-learners ratio.

    Tightness ``theta_c`` = share of places / share of dual learners in the cell; the hazard
    is ``(theta_c / mean theta) ** beta`` (the matching function's vacancy elasticity), so
    cells with few places per learner place fewer learners. A simplification: the shares
    are products of regional and sector shares (no region x sector table was found).
    """
    beta = param("matching_elasticity_vacancies")
    demand = (cell("region", param("region_share_of_learners"))
              * finality_sector("sector_share_of_dual"))
    supply = (cell("region", param("region_share_of_places"))
              * finality_sector("sector_share_of_places"))
    theta = np.divide(supply, demand, out=np.ones_like(supply), where=demand > 0)
    weights = demand / demand.sum()
    return (theta / np.sum(weights * theta)) ** beta


def month_scalars(timeline: Timeline) -> dict[str, np.ndarray]:
    """Monthly scalars at today's rules (school days, window, route timing, cohort size, the
    Groeifase and the guaranteed places): the kernel's
    :data:`~simlib.model.kernel.layout.MONTH_SCALARS`, each once."""
    now = today()
    cal = timeline.calendar_month()
    days = np.array(school_days_by_month())[cal - 1].astype(float)
    oct_share = param("route_october_share")
    route_w = np.where(cal == 9, 1 - oct_share, np.where(cal == 10, oct_share, 0.0))
    T = timeline.months
    g_open = float(now["groeifase_open"])
    gua_on = float(now["guaranteed_places"])
    scalars = {
        "school_days": days,
        "window_days": np.full(T, float(window_days(now["search_window_days"],
                                                    now["search_extension_days"]))),
        "route_weight": route_w,
        "cohort_index": population_index(timeline),
        "is_september": (cal == 9).astype(float),
        "is_august": (cal == 8).astype(float),
        "groeifase_open": np.full(T, g_open),
        "groeifase_capacity": np.full(T, float(now["groeifase_capacity"]) * g_open),
        "groeifase_intake_months": np.full(T, float(now["groeifase_intake_after_months"])),
        "groeifase_max_months": np.full(T, float(now["groeifase_max_duration_months"])),
        "groeifase_rule": np.full(T, float(GROEIFASE_RULES.index(now["groeifase_intake_rule"]))),
        "guarantee_on": np.full(T, gua_on),
        "guarantee_capacity": np.full(T, float(now["guaranteed_places_capacity"]) * gua_on),
    }
    _check_names("month_scalars", scalars, MONTH_SCALARS)
    return scalars


def labour_tables() -> dict[str, np.ndarray]:
    """Labour-market parameters per qualification (QUALIFICATIONS order)."""
    return {name: np.array([param(name)[q] for q in QUALIFICATIONS])
            for name in ("exit_further_study_share", "exit_employed_share",
                         "exit_inactive_share", "job_finding_hazard")}
