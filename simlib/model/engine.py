"""The cohort engine: expected monthly learner flows over all strata.

Each month (the kernel, :mod:`simlib.model.kernel`, runs it; this module prepares its inputs and
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

Learners are conserved every month: tests/model/test_engine.py checks totals, rows and stocks.
Capacities (guaranteed places, Groeifase) are Flanders-wide and rationed with last month's
demand (a one-month lag: a simplification).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from simlib.inputs.levers import levers
from simlib.inputs.parameters import param, parameters
from simlib.model import kernel as K
from simlib.model.groups import by_group, group_masks
from simlib.model.rates import (
    base_rates,
    cell,
    finality_sector,
    inner,
    labour_tables,
    month_scalars,
)
from simlib.model.structure import (
    CELLS,
    INNER,
    LABOUR_STATUSES,
    QUALIFICATIONS,
    SCHOOL_STATES,
    STATES,
    Strata,
    Timeline,
)

__all__ = ["LeverValues", "simulate", "Trajectory", "BURN_IN_YEARS", "EXIT_MONTHS", "Draw",
           "draw_inputs", "Start", "start", "Batch", "simulate_batch", "RESOLUTIONS",
           "cell_grid"]

#: Years of constant today's rules run before September 2025 to give a consistent start.
BURN_IN_YEARS = 8
#: Years the burn-in then runs with the placement market's feedback on, at full scale.
SETTLE_YEARS = 3
#: Months since exit tracked for labour-market outcomes (the last bin holds 12 and more).
EXIT_MONTHS = 13
KA_MAX, KG_MAX = 25, 49
#: The kernel's order of the inner strata (see simlib.model.kernel.kernel_order).
_KERNEL_ORDER = K.kernel_order()


class LeverValues:
    """Lever values per simulated month: ``lv[lever_id]`` is an array of shape (T,).

    A lever whose ``parent`` lever is off in a month takes its default in that month.
    """

    def __init__(self, schedules: dict[str, dict[str, object]], timeline: Timeline):
        self._registry = {lv.id: lv for lv in levers()}
        self._at_today: dict[tuple[str, ...], bool] = {}
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
                self._values[lever_id] = np.where(on, self._values[lever_id],
                                                  self._default_value(lever_id))

    def __getitem__(self, lever_id: str) -> np.ndarray:
        return self._values[lever_id]

    def today(self, lever_id: str):
        """Today's value of ``lever_id`` (its registry default)."""
        return self._registry[lever_id].default

    def at_today(self, lever_ids: Sequence[str]) -> bool:
        """Whether every lever of ``lever_ids`` is at today's value in every month."""
        key = tuple(lever_ids)
        cached = self._at_today.get(key)
        if cached is None:
            cached = self._at_today[key] = all(
                bool(np.all(self._values[k] == self._default_value(k))) for k in key)
        return cached

    def _default_value(self, lever_id: str):
        lever = self._registry[lever_id]
        return lever.default if lever.kind == "choice" else float(lever.default)



@dataclass
class Trajectory:
    """Engine output (see :class:`simlib.result.Result`).

    ``rec[t, c, ses, provider, q]`` holds the kernel's recorded quantities
    (:data:`simlib.model.kernel.RECORDED`; stocks at the end of the month, flows during it) per
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
    cells: Strata = field(default=CELLS)  # the market cells at ``resolution``
    resolution: str = "full"              # see RESOLUTIONS
    #: (T, I) leavers without a full qualification per month and inner stratum (engine
    #: order, summed over cells): the compulsory-schooling check reads it
    leavers: np.ndarray | None = None

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


@dataclass(frozen=True)
class InnerRates:
    """The inner-stratum factors of the kernel's rates for a batch, in the kernel's order of
    the strata: a pool of distinct rows ``pool`` (D, P, I) and, per draw, rate and month, the
    row to use ``index`` (D, R, T). A rate whose factor does not change over the months takes
    one row, so the batch needs a fraction of the memory of a dense (D, R, T, I) array."""

    pool: np.ndarray
    index: np.ndarray

    def months(self, T: int) -> InnerRates:
        """The first ``T`` months."""
        return InnerRates(self.pool, self.index[:, :, :T])

    def dense(self) -> np.ndarray:
        """(D, R, T, I): every rate's factor in every month (for tests and small checks)."""
        return np.stack([self.pool[d][self.index[d]] for d in range(len(self.pool))])


def _stack_many(rate_sets: Sequence[dict], T: int, resolution: str = "full",
                weights: Sequence[np.ndarray | None] | None = None
                ) -> tuple[np.ndarray, InnerRates]:
    """The kernel's rate arrays for each draw's rates (a leading draw axis): ``RTC``
    (D, R, T, C) with the cells of ``resolution`` (a rate that differs between cells is
    collapsed with the draw's ``weights``, see :func:`_collapse`) and the inner factors
    (:class:`InnerRates`). Each rate of all draws at once (one collapse, one permutation)."""
    cells, _ = cell_grid(resolution)
    D, R = len(rate_sets), len(K.KERNEL_RATES)
    RTC = np.empty((D, R, T, cells.size))
    index = np.empty((D, R, T), np.int64)
    rows, P = [], 0
    w = None if weights is None or weights[0] is None else np.stack(weights)
    for n, name in enumerate(K.KERNEL_RATES):
        rates = [r[name] for r in rate_sets]
        RTC[:, n] = _cells(np.stack(_common([r.tc for r in rates])), resolution, w)
        ti = np.stack(_common([r.ti for r in rates]))  # (D, 1 or T, 1 or I)
        t = ti.shape[1]
        if t not in (1, T):
            raise ValueError(f"rate {name}: {t} months of inner factors for a run of {T}")
        rows.append(np.broadcast_to(ti[..., _KERNEL_ORDER] if ti.shape[-1] > 1 else ti,
                                    (D, t, INNER.size)))
        index[:, n] = P + (np.arange(T) if t > 1 else 0)
        P += t
    return RTC, InnerRates(np.concatenate(rows, axis=1), index)


def _common(arrays: list) -> list[np.ndarray]:
    """The (t, c) factors of one rate in every draw, broadcast to one shape if they differ."""
    arrays = [np.asarray(a, float) for a in arrays]
    shape = arrays[0].shape
    if any(a.shape != shape for a in arrays):
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        arrays = [np.broadcast_to(a, shape) for a in arrays]
    return arrays


def _cells(tc: np.ndarray, resolution: str, weights: np.ndarray | None) -> np.ndarray:
    """(D, t, C_full or 1) month-by-cell factors at ``resolution``, each draw's merged cells
    weighted by its ``weights`` (D, C_full)."""
    if tc.shape[-1] == 1 or resolution == "full":
        return tc
    if weights is not None:
        tc = tc * _weight_shares(weights, resolution)[:, None, :]
    return _collapse(tc, 2, resolution)


def _months(rates: dict, T: int) -> np.ndarray:
    return np.stack([np.broadcast_to(np.asarray(rates[n], float), (T,))
                     for n in K.MONTH_SCALARS])


#: The longest search window the engine takes (school days): two school years. The state's
#: search bins are sized from each run's longest window; beyond this a run is refused.
MAX_WINDOW_DAYS = 360


def _search_bins(MS: np.ndarray) -> int:
    """Search-window bins the longest window of a run needs (all draws, ``MS`` (D, M, T));
    ``ValueError`` for a window that is not a number of days from 0 to MAX_WINDOW_DAYS."""
    window = MS[:, K.M_WINDOW]
    if not (np.all(np.isfinite(window)) and window.min() >= 0
            and window.max() <= MAX_WINDOW_DAYS):
        raise ValueError(f"window_days: {window.min():g} to {window.max():g} school days; "
                         f"expected 0 to {MAX_WINDOW_DAYS} (the search window plus its "
                         "extension)")
    return K.search_bins(float(window.max()))


def _bins(MS: np.ndarray) -> tuple[int, int]:
    """Aanloopfase and Groeifase duration bins needed by this run (1 and 0 when closed)."""
    open_ = MS[K.M_G_OPEN] > 0.5
    if not open_.any():
        return 1, 1
    ka = int(min(MS[K.M_G_INTAKE][open_].max() + 1, KA_MAX))
    kg = int(min(MS[K.M_G_MAX][open_].max() + 1, KG_MAX))
    return max(ka, 1), max(kg, 1)


class _State:
    """Learners per (draw, cell, inner stratum[, duration bin]) and active places per (draw,
    cell), in the engine's order of the inner strata (the kernel permutes them)."""

    def __init__(self, ka: int, kg: int, draws: int = 1, cells: int = CELLS.size, ks: int = 1):
        D, C, N = draws, cells, INNER.size
        self.nd = np.zeros((D, C, N))
        self.srch = np.zeros((D, C, N, ks))
        self.oao = np.zeros((D, C, N, K.KD))
        self.soa = np.zeros((D, C, N, K.KD))
        self.gua = np.zeros((D, C, N))
        self.aan = np.zeros((D, C, N, ka))
        self.gro = np.zeros((D, C, N, kg))
        self.places = np.zeros((D, C))

    def arrays(self):
        return (self.nd, self.srch, self.oao, self.soa, self.gua, self.aan, self.gro,
                self.places)

    def resized(self, ka: int, kg: int, ks: int) -> _State:
        """A copy with ``ka``, ``kg`` duration bins and at least ``ks`` search bins."""
        new = _State(ka, kg, *self.places.shape, ks=max(ks, self.srch.shape[3]))
        new.nd = self.nd.copy()
        new.srch[..., :self.srch.shape[3]] = self.srch
        new.oao, new.soa, new.gua = self.oao.copy(), self.soa.copy(), self.gua.copy()
        new.aan[..., 0] = self.aan.sum(axis=3)  # today: no duration needed while closed
        new.places = self.places.copy()
        return new

    def school_totals(self) -> np.ndarray:
        """(D, C) learners at school (the Groeifase is empty at today's rules)."""
        return (self.nd.sum(2) + self.srch.sum((2, 3)) + self.oao.sum((2, 3))
                + self.soa.sum((2, 3)) + self.aan.sum((2, 3)))

    def scale(self, factor: np.ndarray) -> None:
        """Multiply the learners of every (draw, cell) by ``factor`` (D, C)."""
        for arr in (self.nd, self.srch, self.oao, self.soa, self.gua, self.aan):
            arr *= factor.reshape(*factor.shape, *([1] * (arr.ndim - 2)))


def _run(state: _State, RTC, RTI, MS, inflow, U0, V0, alpha, beta, record: bool,
         target0=None, kappa=None, tau=None, front_load=None, rank=None):
    """Run the kernel in place on ``state`` for every draw; return (rec, flows, places per
    draw, month and cell, leavers without a full qualification per draw, month and inner
    stratum in the engine's order).

    Every input has a leading draw axis: ``RTC`` (D, R, T, C), ``RTI`` (:class:`InnerRates`),
    ``MS`` (D, M, T), ``inflow`` (D, C, I), ``U0``, ``V0``, ``target0`` (D, C); ``alpha``, ``beta``,
    ``kappa`` (places lost per termination, default 0: a static firm stock) and ``tau``
    (firm adjustment months) are (D,); ``front_load`` (D, KD) and ``rank`` (D, 3) default to
    ``data/``. ``target0`` is the firms' offer of places per cell at today's rules (default:
    the start's active places).
    """
    D, C = state.places.shape
    T = MS.shape[2]
    target0 = state.places.copy() if target0 is None else target0
    kappa = np.zeros(D) if kappa is None else kappa
    tau = np.full(D, float(param("firm_adjustment_months"))) if tau is None else tau
    front_load = np.tile(_front_load(), (D, 1)) if front_load is None else front_load
    rank = np.tile(_rank(), (D, 1)) if rank is None else rank
    places_out = np.zeros((D, T, C))
    leave_i = np.zeros((D, T if record else 1, INNER.size))
    shape = (D, T, C, 2, K.NP, len(K.RECORDED)) if record else (D, 1, 1, 1, 1, 1)
    rec = np.zeros(shape)
    flows = np.zeros((D, T if record else 1, 11, 11))
    perm = _KERNEL_ORDER
    nd, srch, oao, soa, gua, aan, gro, places = state.arrays()
    flat = [np.ascontiguousarray(a[:, :, perm]) for a in (nd, gua)]
    binned = [np.ascontiguousarray(a[:, :, perm, :].transpose(0, 1, 3, 2))
              for a in (srch, oao, soa, aan, gro)]
    kn, kgua = flat
    ks, ko, kso, ka, kgr = binned

    def arr(x):
        return np.ascontiguousarray(x, dtype=float)

    K.run_batch(kn, ks, ko, kso, kgua, ka, kgr, places, arr(RTC), arr(RTI.pool),
                np.ascontiguousarray(RTI.index), arr(MS),
                arr(inflow[..., perm]), arr(front_load), arr(rank), arr(U0), arr(V0), arr(alpha),
                arr(beta), aan.shape[3], gro.shape[3], rec, flows, record, arr(target0),
                arr(kappa), arr(tau), places_out, leave_i)
    for engine_arr, kernel_arr in zip((nd, gua), flat, strict=True):
        engine_arr[:, :, perm] = kernel_arr
    for engine_arr, kernel_arr in zip((srch, oao, soa, aan, gro), binned, strict=True):
        engine_arr[:, :, perm, :] = kernel_arr.transpose(0, 1, 3, 2)
    by_stratum = np.empty_like(leave_i)
    by_stratum[..., perm] = leave_i
    return rec, flows, places_out, by_stratum


def _front_load() -> np.ndarray:
    table = param("termination_front_load")
    return np.array([table[str(m)] for m in range(K.KD)], float)


def _rank() -> np.ndarray:
    table = param("placement_rank_weight")
    return np.array([table[r] for r in ("low", "medium", "high")], float)


def _params_key() -> tuple:
    return tuple(sorted((k, p.value if isinstance(p.value, float) else tuple(p.value.items()))
                        for k, p in parameters().items()))


# --- draws and resolution ----------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    """What the engine reads from ``data/`` for one set of parameter values, at full
    resolution: the burn-in's rates and month scalars at today's rules,
    the unit cohort (C, I), today's places (C,), the enrolment per finality, the market and
    firm constants, the labour-market tables and the parameters the indicators read. Made by
    :func:`draw_inputs`, inside a :func:`~simlib.inputs.parameters.overridden` block for a draw.
    """

    burn: dict
    cohort: np.ndarray
    places0: np.ndarray
    enrol: np.ndarray
    alpha: float
    beta: float
    kappa: float
    tau: float
    front_load: np.ndarray
    rank: np.ndarray
    labour_start: np.ndarray  # (4 qualifications, 3 routes, 4 statuses)
    labour_find: np.ndarray   # (4,) monthly job-finding chance
    labour_sep: float         # monthly job-loss chance
    outcome: dict             # simlib.model.outcomes.outcome_params()


def draw_inputs() -> Draw:
    """The :class:`Draw` of the parameter values in force (``data/`` or an override)."""
    from simlib.model.outcomes import outcome_params

    burn = Timeline(BURN_IN_YEARS)
    rates = {**base_rates(burn), **month_scalars(burn)}
    rates["cohort_index"] = np.ones(burn.months)
    enrol = np.array([param("enrolment_arbeidsmarkt_grade_2_3") + param("enrolment_year_7"),
                      param("enrolment_dubbele_finaliteit_grade_2_3")])
    assert tuple(dict(CELLS.axes)["finality"]) == ("arbeidsmarkt", "dubbel")
    start, find, sep = _labour_tables()
    return Draw(burn=rates, cohort=_cohort(),
                places0=_places0(), enrol=enrol,
                alpha=float(param("matching_elasticity_searchers")),
                beta=float(param("matching_elasticity_vacancies")),
                kappa=float(param("firm_inactivation_per_termination")),
                tau=float(param("firm_adjustment_months")), front_load=_front_load(),
                rank=_rank(), labour_start=start, labour_find=find, labour_sep=sep,
                outcome=outcome_params())


#: Resolutions of the engine: the market-cell axes each one collapses. ``full`` is the
#: default of every run; a collapsed resolution (for sweeps of many draws) runs one market per
#: remaining cell (sector x finality, or finality), so results by region (and sector) do not
#: exist there.
RESOLUTIONS: dict[str, tuple[str, ...]] = {"full": (), "sector": ("region",),
                                           "finality": ("region", "sector")}


@cache
def cell_grid(resolution: str = "full") -> tuple[Strata, np.ndarray]:
    """The market cells at ``resolution`` and, per full-resolution cell, its collapsed cell."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution: {resolution!r}; expected one of {', '.join(RESOLUTIONS)}")
    keep = tuple(a for a in CELLS.names if a not in RESOLUTIONS[resolution])
    cells = Strata(tuple((a, dict(CELLS.axes)[a]) for a in keep))
    index = np.ravel_multi_index(tuple(CELLS.coord(a) for a in keep), cells.shape)
    return cells, np.asarray(index)


def _collapse(x: np.ndarray, axis: int, resolution: str, weights: np.ndarray | None = None):
    """``x`` over full-resolution cells (along ``axis``) at ``resolution``: the sum over the
    cells that merge (``weights`` None: stocks, places) or their ``weights``-weighted mean
    (rates, shares). A simplification: a merged cell's rate is the mean of its cells' rates
    weighted by their new learners (the cohort), and its market matches all its searchers
    with all its places (no mismatch between the merged regions or sectors)."""
    if resolution == "full":
        return x
    _, _, order, starts = _merge_plan(resolution)
    x = np.asarray(x, float)
    if weights is not None:
        shape = [1] * x.ndim
        shape[axis] = -1
        x = x * _weight_shares(weights, resolution).reshape(shape)
    # a plain sum over each merged cell's cells, in the order of CELLS (no BLAS)
    return np.add.reduceat(np.take(x, order, axis=axis), starts, axis=axis)


def _weight_shares(weights: np.ndarray, resolution: str) -> np.ndarray:
    """Each full cell's share of its merged cell's weight, along the last axis of
    ``weights`` (C_full,) or (D, C_full)."""
    cells, index = cell_grid(resolution)
    w = np.asarray(weights, float)
    rows = w.reshape(-1, w.shape[-1])
    totals = np.stack([np.bincount(index, r, cells.size) for r in rows]).reshape(
        *w.shape[:-1], cells.size)
    return w / totals[..., index]


@cache
def _merge_plan(resolution: str) -> tuple[Strata, np.ndarray, np.ndarray, np.ndarray]:
    """The cells of ``resolution``, each full cell's merged cell, the full cells ordered by
    merged cell and where each merged cell's run starts in that order."""
    cells, index = cell_grid(resolution)
    order = np.argsort(index, kind="stable")
    return cells, index, order, np.searchsorted(index[order], np.arange(cells.size))


@dataclass
class Start:
    """The September 2025 state of a batch of draws and what the run needs with it."""

    state: _State
    inflow: np.ndarray   # (D, C, I) yearly new learners
    U0: np.ndarray       # (D, C) reference searchers
    V0: np.ndarray       # (D, C) reference vacancies
    target0: np.ndarray  # (D, C) firms' offer of places at today's rules
    draws: tuple[Draw, ...]
    resolution: str

    def per_draw(self, name: str) -> np.ndarray:
        """An attribute of every draw stacked along a leading draw axis."""
        return np.stack([np.asarray(getattr(d, name), float) for d in self.draws])


def start(draws: Sequence[Draw], resolution: str = "full") -> Start:
    """The September 2025 state for each draw, at today's rules (all draws at once).

    A burn-in of ``BURN_IN_YEARS`` with a constant unit cohort and the market at its
    reference (no feedback) gives the composition over years, routes and states. It is scaled
    so that each finality's school total equals its enrolment (Onderwijs Vlaanderen, 1 Feb
    2026); the yearly inflow by the same factor. The reference searchers U0 and vacancies V0
    per cell are the burn-in's last-year averages over school months. The state then settles
    for ``SETTLE_YEARS`` with the market's feedback on and is scaled once more to the
    enrolment, so the baseline starts near its steady state. Leavers of the burn-in are not
    carried over.
    """
    cells, _ = cell_grid(resolution)
    D, C = len(draws), cells.size
    T = Timeline(BURN_IN_YEARS).months
    RTC, RTI = _stack_many([d.burn for d in draws], T, resolution,
                           [d.cohort.sum(axis=1) for d in draws])
    MS = np.stack([_months(d.burn, T) for d in draws])
    unit = np.stack([_collapse(d.cohort, 0, resolution) for d in draws])
    st = _State(1, 1, D, C, ks=_search_bins(MS))
    st.places[:] = np.stack([_collapse(d.places0, 0, resolution) for d in draws])
    tau, front_load, rank = (np.stack([np.asarray(getattr(d, n), float) for d in draws])
                             for n in ("tau", "front_load", "rank"))
    ones = np.ones((D, C))
    rec, _, _, _ = _run(st, RTC, RTI, MS, unit, ones, ones, np.ones(D), np.zeros(D), record=True,
                     tau=tau, front_load=front_load, rank=rank)
    f = cells.coord("finality")
    enrol = np.stack([d.enrol for d in draws])
    by_fin = np.stack([f == k for k in range(len(enrol[0]))])  # (2, C)
    totals = st.school_totals() + unit.sum(axis=2)
    scale = np.zeros((D, C))
    for k, mask in enumerate(by_fin):
        scale[:, mask] = (enrol[:, k] / totals[:, mask].sum(axis=1))[:, None]
    st.scale(scale)
    school = MS[0, K.M_DAYS, -12:] > 0
    assert (MS[:, K.M_DAYS] == MS[:1, K.M_DAYS]).all(), "school days differ between draws"
    last = rec[:, -12:]
    U = last[:, school][..., K.Q_SRCH].sum(axis=(3, 4)).mean(axis=1) * scale
    filled = (last[:, school][..., K.Q_OAO]
              + last[:, school][..., K.Q_SOA]).sum(axis=(3, 4)).mean(axis=1)
    U0 = np.maximum(U, 1e-9)
    V0 = np.maximum(st.places - filled * scale, 1e-9)
    inflow = unit * scale[:, :, None]
    # firms: at today's rules the offer of places is what makes the active places steady given
    # the terminations (and refusals) that make firms inactive
    kappa = np.array([d.kappa for d in draws])
    term_ref = last[..., K.Q_TERM].sum(axis=(3, 4)).mean(axis=1) * scale
    target0 = st.places + (kappa * tau)[:, None] * term_ref
    # settle with the market's feedback on, at full scale, then match enrolment exactly
    T = Timeline(SETTLE_YEARS).months
    alpha = np.array([d.alpha for d in draws])
    beta = np.array([d.beta for d in draws])
    _run(st, RTC[:, :, :T], RTI.months(T), MS[:, :, :T], inflow, U0, V0, alpha, beta,
         record=False, target0=target0, kappa=kappa, tau=tau, front_load=front_load, rank=rank)
    totals = st.school_totals() + inflow.sum(axis=2)
    factor = np.ones((D, C))
    for k, mask in enumerate(by_fin):
        factor[:, mask] = (enrol[:, k] / totals[:, mask].sum(axis=1))[:, None]
    st.scale(factor)
    inflow *= factor[:, :, None]
    return Start(st, inflow, U0, V0, target0, tuple(draws), resolution)


@lru_cache(maxsize=8)
def _initial(key: tuple, resolution: str = "full") -> Start:
    """The start of a cohort run with the parameter values in force (``key`` names them)."""
    return start([draw_inputs()], resolution)


@dataclass
class Batch:
    """Engine output for a batch of draws: the arrays of :class:`Trajectory` with a leading
    draw axis (``rec[d, t, c, ses, provider, q]``, ...), at ``resolution`` (``cells``)."""

    timeline: Timeline
    rec: np.ndarray
    flows: np.ndarray
    inflow: np.ndarray
    labour: np.ndarray
    employed_12: np.ndarray
    seeking_12: np.ndarray
    exited_12: np.ndarray
    groups: tuple[str, ...]
    rates: list[dict]
    places: np.ndarray
    cells: Strata
    resolution: str
    outcome: dict  # name -> (D, ...) the parameters the indicators read, per draw
    leavers: np.ndarray | None = None  # (D, T, I), see Trajectory.leavers

    @property
    def draws(self) -> int:
        return self.rec.shape[0]

    def trajectory(self, d: int) -> Trajectory:
        """Draw ``d`` as a :class:`Trajectory`."""
        return Trajectory(timeline=self.timeline, rec=self.rec[d], flows=self.flows[d],
                          inflow=self.inflow[d], labour=self.labour[d],
                          employed_12=self.employed_12[d], seeking_12=self.seeking_12[d],
                          exited_12=self.exited_12[d], groups=self.groups, rates=self.rates[d],
                          places=self.places[d], cells=self.cells,
                          resolution=self.resolution,
                          leavers=None if self.leavers is None else self.leavers[d])

    @staticmethod
    def of(tr: Trajectory) -> Batch:
        """A batch of one draw from ``tr`` (the indicators' parameters from ``data/`` now)."""
        from simlib.model.outcomes import outcome_params

        return Batch(timeline=tr.timeline, rec=tr.rec[None], flows=tr.flows[None],
                     inflow=tr.inflow[None], labour=tr.labour[None],
                     employed_12=tr.employed_12[None], seeking_12=tr.seeking_12[None],
                     exited_12=tr.exited_12[None], groups=tr.groups, rates=[tr.rates],
                     places=tr.places[None], cells=tr.cells, resolution=tr.resolution,
                     outcome={k: np.asarray(v, float)[None] for k, v in outcome_params().items()},
                     leavers=None if tr.leavers is None else tr.leavers[None])


def simulate_batch(begin: Start, rates: Sequence[dict], timeline: Timeline) -> Batch:
    """Run draw ``d`` with ``rates[d]`` (kernel rates, month scalars, made with draw ``d``'s
    parameters) from ``begin`` (its start), all draws in one kernel call."""
    T = timeline.months
    D = len(rates)
    if D != len(begin.draws):
        raise ValueError(f"{D} rate sets for a start of {len(begin.draws)} draws")
    res = begin.resolution
    cells, _ = cell_grid(res)
    w = [d.cohort.sum(axis=1) for d in begin.draws]
    RTC, RTI = _stack_many(rates, T, res, w)
    MS = np.stack([_months(r, T) for r in rates])
    bins = [_bins(MS[d]) for d in range(D)]
    state = begin.state.resized(max(b[0] for b in bins), max(b[1] for b in bins),
                                _search_bins(MS))
    rec, flows, places, leavers = _run(state, RTC, RTI, MS, begin.inflow, begin.U0, begin.V0,
                              begin.per_draw("alpha"), begin.per_draw("beta"), record=True,
                              target0=begin.target0, kappa=begin.per_draw("kappa"),
                              tau=begin.per_draw("tau"), front_load=begin.per_draw("front_load"),
                              rank=begin.per_draw("rank"))
    shares = np.stack([_collapse(r["provider_share"], 0, res, w[k])
                       for k, r in enumerate(rates)])
    rec = post_stratify(rec, shares)
    inflow_t = MS[:, K.M_SEP] * MS[:, K.M_COHORT] * begin.inflow.sum(axis=(1, 2))[:, None]
    groups, masks = group_masks(cells)
    labour, employed_12, seeking_12, exited_12 = _labour(rec, groups, masks, begin.draws)
    outcome = {k: np.stack([np.asarray(d.outcome[k], float) for d in begin.draws])
               for k in begin.draws[0].outcome}
    return Batch(timeline=timeline, rec=rec, flows=flows, inflow=inflow_t, labour=labour,
                 employed_12=employed_12, seeking_12=seeking_12, exited_12=exited_12,
                 groups=groups, rates=list(rates), places=places, cells=cells, resolution=res,
                 outcome=outcome, leavers=leavers)


def simulate(rates: dict, timeline: Timeline, resolution: str = "full") -> Trajectory:
    """Run the engine with ``rates`` (kernel rates, month scalars) from September 2025, at
    ``resolution`` (:data:`RESOLUTIONS`)."""
    cell_grid(resolution)  # a bad resolution fails before anything runs
    return simulate_batch(_initial(_params_key(), resolution), [rates], timeline).trajectory(0)


# --- groups and labour market ------------------------------------------------------------------


def post_stratify(rec: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split the kernel's records (..., T, C, 2, 1, Q) by provider into (..., T, C, 2, 3, Q).

    Learners on the dual route (and their flows and exits) take the cell's provider shares
    ``shares`` (..., C, 3) (a leading draw axis like ``rec``'s); non-dual learners are at a
    full-time school. Exact: every dual entrant of a cell is split by the same shares and no
    rate depends on the provider, so each provider's learners are a constant fraction of the
    cell's dual-route learners.
    """
    shares = np.asarray(shares, float)
    w = np.repeat(shares[..., None], rec.shape[-1], axis=-1)  # (..., C, 3, Q)
    non_dual = list(K.NON_DUAL_Q)
    w[..., non_dual] = 0.0
    w[..., 0, non_dual] = 1.0
    w = w.reshape(*w.shape[:-3], 1, w.shape[-3], 1, *w.shape[-2:])  # over months and ses
    return rec[..., :1, :] * w


def _labour_tables() -> tuple[np.ndarray, np.ndarray, float]:
    """Leavers' start split over the labour-market statuses (4 qualifications, 3 routes, 4
    statuses) and the monthly chances to find (per qualification) and to lose work."""
    lt = labour_tables()
    hired = param("hired_by_training_firm_share")
    study, employed, inactive = (lt["exit_further_study_share"], lt["exit_employed_share"],
                                 lt["exit_inactive_share"])
    # start split per (qualification, route): route 1 (dual) adds the hired share
    start = np.zeros((4, 3, 4))
    for route in range(3):
        emp = employed + (hired * (1 - employed - study - inactive) if route == 1 else 0.0)
        seek = 1.0 - study - emp - inactive
        start[:, route] = np.stack([emp, seek, study, inactive], axis=1)
    find = -np.expm1(-lt["job_finding_hazard"])
    sep = float(-np.expm1(-param("job_separation_hazard")))
    return start, find, sep


def _labour(rec: np.ndarray, groups, masks, draws: Sequence[Draw]):
    """Leavers' labour-market states by draw and group, with months since exit.

    On exit a leaver is employed, job seeking, in further study or inactive by the shares of
    ``data/`` for the qualification; dual leavers start employed more often (a share is hired
    by the training firm). Each month job seekers find work and workers lose it. The dynamics
    depend only on qualification and route, so they run on group totals (exact: they are
    linear); the groups of all draws run together, each with its draw's tables.
    """
    D, T, G = rec.shape[0], rec.shape[1], len(groups)
    leave = by_group(rec[..., K.Q_LEAVE:K.Q_LEAVE + 12], masks).reshape(D, T, G, 4, 3)
    leave = np.ascontiguousarray(leave.transpose(1, 0, 2, 3, 4).reshape(T, D * G, 4, 3))
    start_g = np.repeat(np.stack([d.labour_start for d in draws]), G, axis=0)
    find_g = np.repeat(np.stack([d.labour_find for d in draws]), G, axis=0)
    sep_g = np.repeat(np.array([d.labour_sep for d in draws]), G)
    out = K.labour_months(leave, np.ascontiguousarray(start_g), np.ascontiguousarray(find_g),
                          sep_g, EXIT_MONTHS)
    labour = out[0].reshape(T, D, G, 4, 4).transpose(1, 0, 2, 3, 4)
    return (labour, *(x.reshape(T, D, G).transpose(1, 0, 2) for x in out[1:]))


assert STATES[:6] == SCHOOL_STATES and len(LABOUR_STATUSES) == len(QUALIFICATIONS) == 4
