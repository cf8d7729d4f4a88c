"""The cohort engine: expected monthly learner flows over all strata.

Each month (the kernel, :mod:`simlib.kernel`, runs it; this module prepares its inputs and
reads its outputs):

1. **Inflow** (September): a new cohort enters year 3 in the non-dual variant, scaled with the
   population aged 12-17, spread over regions, sectors, finalities, years behind, indicator
   pupils and readiness as in ``data/``.
2. **Route choice** (September and October, or later if the entry deadline moves): a share
   of non-dual learners enters dual with a provider (school, CDO, Syntra); screening judges
   them work-ready (they search) or not (Aanloopfase), with an accuracy that depends on the
   screening lever and on their latent readiness.
3. **Placement market** per region x sector x finality: searchers U and vacancies V (active
   places minus filled places) give a daily placement hazard from a Cobb-Douglas matching
   function with fixed elasticities; employers rank searchers by readiness (crowding-out);
   no searcher's chance in a month exceeds V / U. The 20 + 20 school-day window runs in
   5-day steps (a tunnel), stops in July and August and restarts after a termination.
   Searchers whose window ends go to a guaranteed place (if that lever is on and has room),
   or to the non-dual variant, the Aanloopfase, the Groeifase (broad intake) or, past 18,
   leave.
4. **Contracts** (OAO, SOA) carry their month (a tunnel): terminations are front-loaded;
   conditional recognition adds refusals in the first three months. Guaranteed places
   transfer to firms at a yearly rate. **Firms**: each cell's active places move towards the
   firms' offer (today's places times the supply levers' factor) over
   ``firm_adjustment_months``; each termination or refusal makes
   ``firm_inactivation_per_termination`` places inactive (bad experiences), so the offer at
   today's rules is what keeps today's places steady.
5. **Aanloopfase and Groeifase** carry their duration: work-ready learners search, others
   move to non-dual or, from a set month and if the Groeifase is open with room, enter it
   (else they wait); the Groeifase ends in a springboard, leaving, or its maximum duration.
6. **Year end** (August): advance, repeat (one more year behind), qualify or leave.
7. **Labour market** (after the kernel): leavers by group, qualification and route enter a
   labour-market status and move with months since exit.

Learners are conserved every month: tests/test_engine.py checks totals, rows and stocks.
Capacities (guaranteed places, Groeifase) are Flanders-wide and rationed with last month's
demand (a one-month lag: a simplification).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from simlib import kernel as K
from simlib.levers import levers
from simlib.model import (
    CELLS,
    INNER,
    INNER_AXES,
    LABOUR_STATUSES,
    POST_AXES,
    QUALIFICATIONS,
    SCHOOL_STATES,
    STATES,
    Timeline,
)
from simlib.parameters import param, parameters
from simlib.rates import (
    Rate,
    base_rates,
    cell,
    finality_sector,
    inner,
    labour_tables,
    month_scalars,
)

__all__ = ["LeverValues", "simulate", "Trajectory", "BURN_IN_YEARS", "EXIT_MONTHS"]

#: Years of constant today's rules run before September 2025 to give a consistent start.
BURN_IN_YEARS = 8
#: Years the burn-in then runs with the placement market's feedback on, at full scale.
SETTLE_YEARS = 3
#: Months since exit tracked for labour-market outcomes (the last bin holds 12 and more).
EXIT_MONTHS = 13
KA_MAX, KG_MAX = 25, 49
#: The kernel's order of the inner strata (see simlib.kernel.kernel_order).
_KERNEL_ORDER = K.kernel_order()


class LeverValues:
    """Lever values per simulated month: ``lv[lever_id]`` is an array of shape (T,).

    A lever whose ``parent`` lever is off in a month takes its default in that month.
    """

    def __init__(self, schedules: dict[str, dict[str, object]], timeline: Timeline):
        self._registry = {lv.id: lv for lv in levers()}
        iso = np.array(timeline.iso())
        self._values: dict[str, np.ndarray] = {}
        for lever_id, schedule in schedules.items():
            dates = np.array(list(schedule))
            idx = np.clip(np.searchsorted(dates, iso, side="right") - 1, 0, None)
            vals = np.array(list(schedule.values()), dtype=object)[idx]
            kind = self._registry[lever_id].kind
            dtype = {"bool": bool, "int": float, "float": float}.get(kind, object)
            self._values[lever_id] = vals.astype(dtype)
        for lever_id, lever in self._registry.items():
            if lever.parent is not None and lever_id in self._values:
                on = self._values[lever.parent].astype(bool)
                default = lever.default if lever.kind == "choice" else float(lever.default)
                self._values[lever_id] = np.where(on, self._values[lever_id], default)

    def __getitem__(self, lever_id: str) -> np.ndarray:
        return self._values[lever_id]

    def today(self, lever_id: str):
        """Today's value of ``lever_id`` (its registry default)."""
        return self._registry[lever_id].default



@dataclass
class Trajectory:
    """Engine output (see :class:`simlib.result.Result`).

    ``rec[t, c, ses, provider, q]`` holds the kernel's recorded quantities
    (:data:`simlib.kernel.RECORDED`; stocks at the end of the month, flows during it) per
    market cell; ``labour[t, g, q, s]`` the leavers by group, qualification and labour-market
    status; ``flows[t, from, to]`` the Flanders-wide flow matrix (:data:`kernel.FLOW_NODES`).
    """

    timeline: Timeline
    rec: np.ndarray
    flows: np.ndarray
    inflow: np.ndarray       # (T,) new learners in the month
    labour: np.ndarray       # (T, G, 4, 4) exit stocks by group
    employed_12: np.ndarray  # (T, G) leavers reaching 12 months after exit, employed
    seeking_12: np.ndarray   # (T, G) leavers reaching 12 months after exit, job seeking
    exited_12: np.ndarray    # (T, G) leavers reaching 12 months after exit
    groups: tuple[str, ...]
    rates: dict
    places: np.ndarray       # (T, C) active places per cell

    def school_stocks(self) -> np.ndarray:
        """(T, 6) learners per school state (guaranteed places counted in dual_oao)."""
        r = self.rec.sum(axis=(1, 2, 3))
        q = {name: K.RECORDED.index(name) for name in K.RECORDED}
        cols = [r[:, q["non_dual"]], r[:, q["searching"]],
                r[:, q["dual_oao"]] + r[:, q["guaranteed"]], r[:, q["dual_soa"]],
                r[:, q["aanloopfase"]], r[:, q["groeifase"]]]
        return np.stack(cols, axis=1)

    def stocks(self) -> np.ndarray:
        """(T, len(STATES)) learners per state, school states then exits."""
        exits = self.labour[:, 0].reshape(len(self.labour), -1)
        return np.concatenate([self.school_stocks(), exits], axis=1)


# --- inputs ------------------------------------------------------------------------------------


def _cohort() -> np.ndarray:
    """A unit cohort entering year 3 (non-dual, provider school), shape (C, I), sums to 1."""
    fin = cell("finality", {"arbeidsmarkt": param("enrolment_arbeidsmarkt_grade_2_3"),
                            "dubbel": param("enrolment_dubbele_finaliteit_grade_2_3")})
    f = CELLS.coord("finality")
    by_cell = (cell("region", param("region_share_of_learners"))
               * finality_sector("sector_share_of_learners") * fin)
    by_cell /= by_cell.sum()
    shares = np.zeros((CELLS.size, INNER.size))
    first = INNER.coord("year") == 0
    ready = param("readiness_share")
    for k, name in enumerate(dict(CELLS.axes)["finality"]):
        behind = inner("behind", param(f"behind_share_{name}"))
        ses_share = param("indicator_pupil_share")[name]
        ses = np.where(INNER.coord("ses") == 1, ses_share, 1 - ses_share)
        rdy = np.where(INNER.coord("ses") == 1, inner("readiness", ready_table(ready, "yes")),
                       inner("readiness", ready_table(ready, "no")))
        vec = np.where(first, behind * ses * rdy, 0.0)
        shares[f == k] = vec[None, :]
    shares *= by_cell[:, None]
    return shares / shares.sum()


def ready_table(table, ses: str) -> dict[str, float]:
    """Readiness shares for indicator pupils (``yes``) or others (``no``)."""
    return {r: table[f"{r}_{ses}"] for r in ("low", "medium", "high")}


def _places0() -> np.ndarray:
    """Active places per cell today, shape (C,)."""
    total = param("active_places_total")
    fin = cell("finality", param("places_share_by_finality"))
    share = (cell("region", param("region_share_of_places"))
             * finality_sector("sector_share_of_places") * fin)
    return total * share / share.sum()


def _stack(rates: dict, T: int) -> tuple[np.ndarray, np.ndarray]:
    RTC = np.empty((len(K.KERNEL_RATES), T, CELLS.size))
    RTI = np.empty((len(K.KERNEL_RATES), T, INNER.size))
    for n, name in enumerate(K.KERNEL_RATES):
        rate: Rate = rates[name]
        RTC[n] = np.broadcast_to(rate.tc, (T, CELLS.size))
        RTI[n] = np.broadcast_to(rate.ti, (T, INNER.size))
    return RTC, RTI


def _months(rates: dict, T: int) -> np.ndarray:
    return np.stack([np.broadcast_to(np.asarray(rates[n], float), (T,))
                     for n in K.MONTH_SCALARS])


def _bins(MS: np.ndarray) -> tuple[int, int]:
    """Aanloopfase and Groeifase duration bins needed by this run (1 and 0 when closed)."""
    open_ = MS[K.M_G_OPEN] > 0.5
    if not open_.any():
        return 1, 1
    ka = int(min(MS[K.M_G_INTAKE][open_].max() + 1, KA_MAX))
    kg = int(min(MS[K.M_G_MAX][open_].max() + 1, KG_MAX))
    return max(ka, 1), max(kg, 1)


class _State:
    def __init__(self, ka: int, kg: int):
        C, N = CELLS.size, INNER.size
        self.nd = np.zeros((C, N))
        self.srch = np.zeros((C, N, K.KS))
        self.oao = np.zeros((C, N, K.KD))
        self.soa = np.zeros((C, N, K.KD))
        self.gua = np.zeros((C, N))
        self.aan = np.zeros((C, N, ka))
        self.gro = np.zeros((C, N, kg))
        self.places = np.zeros(C)

    def arrays(self):
        return (self.nd, self.srch, self.oao, self.soa, self.gua, self.aan, self.gro,
                self.places)

    def resized(self, ka: int, kg: int) -> _State:
        new = _State(ka, kg)
        new.nd, new.srch = self.nd.copy(), self.srch.copy()
        new.oao, new.soa, new.gua = self.oao.copy(), self.soa.copy(), self.gua.copy()
        new.aan[:, :, 0] = self.aan.sum(axis=2)  # today: no duration needed while closed
        new.places = self.places.copy()
        return new


def _run(state: _State, RTC, RTI, MS, inflow, U0, V0, alpha, beta, record: bool,
         target0=None, kappa: float = 0.0):
    """Run the kernel in place on ``state``; return (rec, flows, places per month and cell).

    ``target0`` is the firms' offer of places per cell at today's rules (default: the start's
    active places) and ``kappa`` the places lost per termination (0: a static firm stock).
    """
    T = MS.shape[1]
    target0 = state.places.copy() if target0 is None else target0
    places_out = np.zeros((T, CELLS.size))
    shape = (T, CELLS.size, 2, K.NP, len(K.RECORDED)) if record else (1, 1, 1, 1, 1)
    rec = np.zeros(shape)
    flows = np.zeros((T if record else 1, 11, 11))
    perm = _KERNEL_ORDER
    nd, srch, oao, soa, gua, aan, gro, places = state.arrays()
    flat = [np.ascontiguousarray(a[:, perm]) for a in (nd, gua)]
    binned = [np.ascontiguousarray(a[:, perm, :].transpose(0, 2, 1))
              for a in (srch, oao, soa, aan, gro)]
    kn, kgua = flat
    ks, ko, kso, ka, kgr = binned
    K.run_kernel(kn, ks, ko, kso, kgua, ka, kgr, places, RTC,
                 np.ascontiguousarray(RTI[:, :, perm]), MS, np.ascontiguousarray(inflow[:, perm]),
                 _front_load(), _rank(), U0, V0, alpha, beta, aan.shape[2], gro.shape[2], rec,
                 flows, record, target0, kappa, param("firm_adjustment_months"), places_out)
    for engine_arr, kernel_arr in zip((nd, gua), flat, strict=True):
        engine_arr[:, perm] = kernel_arr
    for engine_arr, kernel_arr in zip((srch, oao, soa, aan, gro), binned, strict=True):
        engine_arr[:, perm, :] = kernel_arr.transpose(0, 2, 1)
    return rec, flows, places_out


def _front_load() -> np.ndarray:
    table = param("termination_front_load")
    return np.array([table[str(m)] for m in range(K.KD)], float)


def _rank() -> np.ndarray:
    table = param("placement_rank_weight")
    return np.array([table[r] for r in ("low", "medium", "high")], float)


def _params_key() -> tuple:
    return tuple(sorted((k, p.value if isinstance(p.value, float) else tuple(p.value.items()))
                        for k, p in parameters().items()))


@lru_cache(maxsize=4)
def _initial(key: tuple) -> tuple:
    """The September 2025 state and the yearly inflow, at today's rules.

    A burn-in of ``BURN_IN_YEARS`` with a constant unit cohort and the market at its
    reference (no feedback) gives the composition over years, routes and states. It is scaled
    so that each finality's school total equals its enrolment (Onderwijs Vlaanderen, 1 Feb
    2026); the yearly inflow by the same factor. The reference searchers U0 and vacancies V0
    per cell are the burn-in's last-year averages over school months. The state then settles
    for ``SETTLE_YEARS`` with the market's feedback on and is scaled once more to the
    enrolment, so the baseline starts near its steady state. Leavers of the burn-in are not
    carried over.
    """
    burn = Timeline(BURN_IN_YEARS)
    T = burn.months
    rates = {**base_rates(burn), **month_scalars(burn)}
    rates["cohort_index"] = np.ones(T)
    RTC, RTI = _stack(rates, T)
    MS = _months(rates, T)
    st = _State(1, 1)
    st.places[:] = _places0()
    unit = _cohort()
    ones = np.ones(CELLS.size)
    rec, _, _ = _run(st, RTC, RTI, MS, unit, ones, ones, 1.0, 0.0, record=True)
    totals = st.nd.sum(1) + st.srch.sum((1, 2)) + st.oao.sum((1, 2)) + st.soa.sum((1, 2)) \
        + st.aan.sum((1, 2)) + unit.sum(1)
    f = CELLS.coord("finality")
    enrol = {"arbeidsmarkt": param("enrolment_arbeidsmarkt_grade_2_3") + param("enrolment_year_7"),
             "dubbel": param("enrolment_dubbele_finaliteit_grade_2_3")}
    scale = np.zeros(CELLS.size)
    for k, name in enumerate(dict(CELLS.axes)["finality"]):
        scale[f == k] = enrol[name] / totals[f == k].sum()
    for arr in (st.nd, st.srch, st.oao, st.soa, st.gua, st.aan):
        arr *= scale.reshape(-1, *([1] * (arr.ndim - 1)))
    last = rec[-12:]
    school = (MS[K.M_DAYS, -12:] > 0)
    U = last[school][..., K.Q_SRCH].sum(axis=(2, 3)).mean(axis=0) * scale
    filled = (last[school][..., K.Q_OAO] + last[school][..., K.Q_SOA]).sum(axis=(2, 3)).mean(0)
    U0 = np.maximum(U, 1e-9)
    V0 = np.maximum(st.places - filled * scale, 1e-9)
    inflow = unit * scale[:, None]
    # firms: at today's rules the offer of places is what makes the active places steady given
    # the terminations (and refusals) that make firms inactive
    kappa = param("firm_inactivation_per_termination")
    term_ref = last[..., K.Q_TERM].sum(axis=(2, 3)).mean(axis=0) * scale
    target0 = st.places + kappa * param("firm_adjustment_months") * term_ref
    # settle with the market's feedback on, at full scale, then match enrolment exactly
    settle = Timeline(SETTLE_YEARS)
    rates = {**base_rates(settle), **month_scalars(settle)}
    rates["cohort_index"] = np.ones(settle.months)
    RTC, RTI = _stack(rates, settle.months)
    _run(st, RTC, RTI, _months(rates, settle.months), inflow, U0, V0,
         param("matching_elasticity_searchers"), param("matching_elasticity_vacancies"),
         record=False, target0=target0, kappa=kappa)
    totals = st.nd.sum(1) + st.srch.sum((1, 2)) + st.oao.sum((1, 2)) + st.soa.sum((1, 2)) \
        + st.aan.sum((1, 2)) + inflow.sum(1)
    for k, name in enumerate(dict(CELLS.axes)["finality"]):
        factor = enrol[name] / totals[f == k].sum()
        for arr in (st.nd, st.srch, st.oao, st.soa, st.gua, st.aan):
            arr[f == k] *= factor
        inflow[f == k] *= factor
    return st, inflow, U0, V0, target0


def simulate(rates: dict, timeline: Timeline) -> Trajectory:
    """Run the engine with ``rates`` (kernel rates, month scalars) from September 2025."""
    T = timeline.months
    start, inflow, U0, V0, target0 = _initial(_params_key())
    RTC, RTI = _stack(rates, T)
    MS = _months(rates, T)
    ka, kg = _bins(MS)
    state = start.resized(ka, kg)
    rec, flows, places = _run(state, RTC, RTI, MS, inflow, U0, V0,
                              param("matching_elasticity_searchers"),
                              param("matching_elasticity_vacancies"), record=True,
                              target0=target0, kappa=param("firm_inactivation_per_termination"))
    rec = post_stratify(rec, rates["provider_share"])
    inflow_t = MS[K.M_SEP] * MS[K.M_COHORT] * inflow.sum()
    groups, masks = _group_masks()
    labour, employed_12, seeking_12, exited_12 = _labour(rec, groups, masks)
    return Trajectory(timeline=timeline, rec=rec, flows=flows, inflow=inflow_t, labour=labour,
                      employed_12=employed_12, seeking_12=seeking_12, exited_12=exited_12,
                      groups=groups,
                      rates=rates, places=places)


# --- groups and labour market ------------------------------------------------------------------


def post_stratify(rec: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split the kernel's records (T, C, 2, 1, Q) by provider into (T, C, 2, 3, Q).

    Learners on the dual route (and their flows and exits) take the cell's provider shares
    ``shares`` (C, 3); non-dual learners are at a full-time school. Exact: every dual entrant
    of a cell is split by the same shares and no rate depends on the provider, so each
    provider's learners are a constant fraction of the cell's dual-route learners.
    """
    w = np.repeat(np.asarray(shares, float)[:, :, None], rec.shape[4], axis=2)  # (C, 3, Q)
    non_dual = list(K.NON_DUAL_Q)
    w[:, :, non_dual] = 0.0
    w[:, 0, non_dual] = 1.0
    return rec[:, :, :, :1, :] * w[None, :, None, :, :]


@cache
def _group_masks() -> tuple[tuple[str, ...], np.ndarray]:
    """Group names and a (G, C, 2 ses, 3 provider) 0/1 mask of the recorded cells."""
    names = ["all"]
    masks = [np.ones((CELLS.size, 2, 3))]
    for axis in ("finality", "region", "sector"):
        coord = CELLS.coord(axis)
        for k, label in enumerate(dict(CELLS.axes)[axis]):
            names.append(f"{axis}={label}")
            masks.append(np.broadcast_to((coord == k)[:, None, None], (CELLS.size, 2, 3)))
    for axis, pos in (("ses", 1), ("provider", 2)):
        for k, label in enumerate({**INNER_AXES, **POST_AXES}[axis]):
            m = np.zeros((CELLS.size, 2, 3))
            if pos == 1:
                m[:, k, :] = 1
            else:
                m[:, :, k] = 1
            names.append(f"{axis}={label}")
            masks.append(m)
    return tuple(names), np.stack(masks).astype(float)


def by_group(rec: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(T, C, 2, 3, Q) -> (T, G, Q)."""
    return np.einsum("tcepq,gcep->tgq", rec, masks, optimize=True)


def _labour(rec: np.ndarray, groups, masks):
    """Leavers' labour-market states by group, with months since exit.

    On exit a leaver is employed, job seeking, in further study or inactive by the shares of
    ``data/`` for the qualification; dual leavers start employed more often (a share is hired
    by the training firm). Each month job seekers find work and workers lose it. The dynamics
    depend only on qualification and route, so they run on group totals (exact: they are
    linear).
    """
    T = rec.shape[0]
    lt = labour_tables()
    leave = by_group(rec[..., K.Q_LEAVE:K.Q_LEAVE + 12], masks).reshape(T, len(groups), 4, 3)
    hired = param("hired_by_training_firm_share")
    study, employed, inactive = (lt["exit_further_study_share"], lt["exit_employed_share"],
                                 lt["exit_inactive_share"])
    # start split per (qualification, route): route 1 (dual) adds the hired share
    start = np.zeros((4, 3, 4))
    for route in range(3):
        emp = employed + (hired * (1 - employed - study - inactive) if route == 1 else 0.0)
        seek = 1.0 - study - emp - inactive
        start[:, route] = np.stack([emp, seek, study, inactive], axis=1)
    find = -np.expm1(-lt["job_finding_hazard"])[:, None]
    sep = -np.expm1(-param("job_separation_hazard"))
    return K.labour_months(np.ascontiguousarray(leave), start, np.ascontiguousarray(find[:, 0]),
                           float(sep), EXIT_MONTHS)


assert STATES[:6] == SCHOOL_STATES and len(LABOUR_STATUSES) == len(QUALIFICATIONS) == 4
