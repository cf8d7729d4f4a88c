"""Running a batch of draws from their start, and what a run gives: Trajectory and Batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from simlib.model import kernel as K
from simlib.model.engine.burn_in import Start, initial
from simlib.model.engine.cells import cell_grid, collapse
from simlib.model.engine.inputs import params_key
from simlib.model.engine.labour import labour_states
from simlib.model.engine.rate_arrays import (
    duration_bins,
    month_array,
    search_bins_needed,
    stack_rates,
)
from simlib.model.engine.resume import run_kernel_resuming
from simlib.model.engine.state import advance, leavers_by_stratum
from simlib.model.groups import by_group, group_masks
from simlib.model.structure import (
    CELLS,
    LABOUR_STATUSES,
    QUALIFICATIONS,
    SCHOOL_STATES,
    STATES,
    Strata,
    Timeline,
)

__all__ = ["Trajectory", "Batch", "simulate_batch", "simulate", "post_stratify",
           "provider_weights"]


@dataclass
class Trajectory:
    """Engine output (see :class:`simlib.model.simulation.Result`).

    ``rec[t, c, ses, provider, q]`` holds the kernel's recorded quantities
    (:data:`simlib.model.kernel.RECORDED`; stocks at the end of the month, flows during it) per
    market cell, made on first use from the kernel's records ``raw[t, c, ses, 0, q]`` and the
    provider weights ``weights[c, provider, q]`` (:func:`post_stratify`: most uses need only
    sums of it, which ``grouped`` holds); ``labour[t, g, q, s]`` the leavers by group, qualification and labour-market
    status; ``flows[t, from, to]`` the Flanders-wide flow matrix (:data:`kernel.FLOW_NODES`).
    """

    timeline: Timeline
    raw: np.ndarray          # (T, C, 2, 1, Q) the kernel's records
    weights: np.ndarray      # (C, 3, Q) provider weights, see provider_weights
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
    #: (T, G, Q) ``rec`` summed per group (:func:`simlib.model.groups.by_group`), or None
    grouped: np.ndarray | None = None
    #: months taken from an earlier run rather than computed (see
    #: :func:`simlib.model.engine.batch.simulate`; 0 for a run of all months)
    resumed_from: int = 0

    @cached_property
    def rec(self) -> np.ndarray:
        """(T, C, 2, 3, Q) the records by provider (:func:`post_stratify`)."""
        return post_stratify(self.raw, weights=self.weights)

    def school_stocks(self) -> np.ndarray:
        """(T, 6) learners per school state (guaranteed places counted in dual_oao)."""
        # the group "all" (group_masks' first) where the sums per group are there
        r = self.rec.sum(axis=(1, 2, 3)) if self.grouped is None else self.grouped[:, 0]
        q = K.A
        cols = [r[:, q.non_dual], r[:, q.searching], r[:, q.dual_oao] + r[:, q.guaranteed],
                r[:, q.dual_soa], r[:, q.aanloopfase], r[:, q.groeifase]]
        return np.stack(cols, axis=1)

    def stocks(self) -> np.ndarray:
        """(T, len(STATES)) learners per state, school states then exits."""
        exits = self.labour[:, 0].reshape(len(self.labour), -1)
        return np.concatenate([self.school_stocks(), exits], axis=1)


@dataclass
class Batch:
    """Engine output for a batch of draws: the arrays of :class:`Trajectory` with a leading
    draw axis (``rec[d, t, c, ses, provider, q]``, ...), at ``resolution`` (``cells``)."""

    timeline: Timeline
    raw: np.ndarray      # (D, T, C, 2, 1, Q), see Trajectory.raw
    weights: np.ndarray  # (D, C, 3, Q), see Trajectory.weights
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
    grouped: np.ndarray | None = None  # (D, T, G, Q), see Trajectory.grouped

    @property
    def draws(self) -> int:
        return self.raw.shape[0]

    @cached_property
    def rec(self) -> np.ndarray:
        """(D, T, C, 2, 3, Q) the records by provider (:func:`post_stratify`)."""
        return post_stratify(self.raw, weights=self.weights)

    def by_provider(self, columns: Sequence[int]) -> np.ndarray:
        """``rec[..., columns]`` (the same values), made for those columns only."""
        columns = list(columns)
        return post_stratify(self.raw[..., columns], weights=self.weights[..., columns])

    def trajectory(self, d: int) -> Trajectory:
        """Draw ``d`` as a :class:`Trajectory`."""
        return Trajectory(timeline=self.timeline, raw=self.raw[d], weights=self.weights[d],
                          flows=self.flows[d],
                          inflow=self.inflow[d], labour=self.labour[d],
                          employed_12=self.employed_12[d], seeking_12=self.seeking_12[d],
                          exited_12=self.exited_12[d], groups=self.groups, rates=self.rates[d],
                          places=self.places[d], cells=self.cells,
                          resolution=self.resolution,
                          leavers=None if self.leavers is None else self.leavers[d],
                          grouped=None if self.grouped is None else self.grouped[d])

    @staticmethod
    def of(tr: Trajectory) -> Batch:
        """A batch of one draw from ``tr`` (the indicators' parameters from ``data/`` now)."""
        from simlib.model.outcomes import outcome_params

        return Batch(timeline=tr.timeline, raw=tr.raw[None], weights=tr.weights[None],
                     flows=tr.flows[None],
                     inflow=tr.inflow[None], labour=tr.labour[None],
                     employed_12=tr.employed_12[None], seeking_12=tr.seeking_12[None],
                     exited_12=tr.exited_12[None], groups=tr.groups, rates=[tr.rates],
                     places=tr.places[None], cells=tr.cells, resolution=tr.resolution,
                     outcome={k: np.asarray(v, float)[None] for k, v in outcome_params().items()},
                     leavers=None if tr.leavers is None else tr.leavers[None],
                     grouped=None if tr.grouped is None else tr.grouped[None])


def simulate_batch(begin: Start, rates: Sequence[dict], timeline: Timeline) -> Batch:
    """Run draw ``d`` with ``rates[d]`` (kernel rates, month scalars, made with draw ``d``'s
    parameters) from ``begin`` (its start), all draws in one kernel call."""
    RTC, RTI, MS, state, w = _kernel_inputs(begin, rates, timeline)
    rec, flows, places, leavers = advance(
        state, RTC, RTI, MS, begin.inflow, begin.U0, begin.V0, begin.per_draw("alpha"),
        begin.per_draw("beta"), record=True, target0=begin.target0,
        kappa=begin.per_draw("kappa"), tau=begin.per_draw("tau"),
        front_load=begin.per_draw("front_load"), rank=begin.per_draw("rank"))
    return _batch(begin, rates, timeline, MS, w, rec, flows, places, leavers)


def _kernel_inputs(begin: Start, rates: Sequence[dict], timeline: Timeline):
    """The kernel's rate arrays ``RTC``, ``RTI``, month scalars ``MS``, the start state with
    the run's bins and the cell weights of each draw."""
    T = timeline.months
    D = len(rates)
    if D != len(begin.draws):
        raise ValueError(f"{D} rate sets for a start of {len(begin.draws)} draws")
    w = [d.cohort.sum(axis=1) for d in begin.draws]
    RTC, RTI = stack_rates(rates, T, begin.resolution, w)
    MS = np.stack([month_array(r, T) for r in rates])
    bins = [duration_bins(MS[d]) for d in range(D)]
    state = begin.state.resized(max(b[0] for b in bins), max(b[1] for b in bins),
                                search_bins_needed(MS))
    return RTC, RTI, MS, state, w


def _batch(begin: Start, rates: Sequence[dict], timeline: Timeline, MS, w, rec, flows, places,
           leavers) -> Batch:
    """The :class:`Batch` of the kernel's outputs: post-stratified, with the labour market."""
    res = begin.resolution
    cells, _ = cell_grid(res)
    shares = np.stack([collapse(r["provider_share"], 0, res, w[k])
                       for k, r in enumerate(rates)])
    weights = provider_weights(shares, rec.shape[-1])
    inflow_t = MS[:, K.M.is_september] * MS[:, K.M.cohort_index] * begin.inflow.sum(axis=(1, 2))[:, None]
    groups, masks = group_masks(cells)
    grouped = by_group(rec, masks, weights)
    labour, employed_12, seeking_12, exited_12 = labour_states(grouped, begin.draws)
    outcome = {k: np.stack([np.asarray(d.outcome[k], float) for d in begin.draws])
               for k in begin.draws[0].outcome}
    return Batch(timeline=timeline, raw=rec, weights=weights, flows=flows, inflow=inflow_t, labour=labour,
                 employed_12=employed_12, seeking_12=seeking_12, exited_12=exited_12,
                 groups=groups, rates=list(rates), places=places, cells=cells, resolution=res,
                 outcome=outcome, leavers=leavers, grouped=grouped)


def simulate(rates: dict, timeline: Timeline, resolution: str = "full") -> Trajectory:
    """Run the engine with ``rates`` (kernel rates, month scalars) from September 2025, at
    ``resolution`` (:data:`~simlib.model.engine.cells.RESOLUTIONS`).

    Resumes from an earlier run where it can (:mod:`simlib.model.engine.resume`): the months
    before the first whose kernel inputs differ from a recent run's, back to an exact
    September, are that run's, the kernel runs only from there; the result is the same as a
    run of all months. ``Trajectory.resumed_from`` says how many months were taken.
    """
    cell_grid(resolution)  # a bad resolution fails before anything runs
    begin = initial(params_key(), resolution)
    RTC, RTI, MS, state, w = _kernel_inputs(begin, [rates], timeline)
    out, t0 = run_kernel_resuming(begin, state, RTC, RTI, MS)
    batch = _batch(begin, [rates], timeline, MS, w, out.rec, out.flows, out.places,
                   leavers_by_stratum(out.leavers))
    tr = batch.trajectory(0)
    tr.resumed_from = t0
    return tr


def post_stratify(rec: np.ndarray, shares: np.ndarray | None = None,
                  weights: np.ndarray | None = None) -> np.ndarray:
    """Split the kernel's records (..., T, C, 2, 1, Q) by provider into (..., T, C, 2, 3, Q).

    Learners on the dual route (and their flows and exits) take the cell's provider shares
    ``shares`` (..., C, 3) (a leading draw axis like ``rec``'s); non-dual learners are at a
    full-time school. Exact: every dual entrant of a cell is split by the same shares and no
    rate depends on the provider, so each provider's learners are a constant fraction of the
    cell's dual-route learners. ``weights`` (:func:`provider_weights`) may be given instead of
    ``shares``.
    """
    w = provider_weights(shares, rec.shape[-1]) if weights is None else weights
    w = w.reshape(*w.shape[:-3], 1, w.shape[-3], 1, *w.shape[-2:])  # over months and ses
    return rec[..., :1, :] * w


def provider_weights(shares: np.ndarray, columns: int) -> np.ndarray:
    """(..., C, 3, Q): the share of each recorded quantity of a cell at each provider: the
    cell's provider ``shares`` (..., C, 3) for the dual route's, the school for the non-dual
    learners' (:data:`simlib.model.kernel.NON_DUAL_Q`)."""
    shares = np.asarray(shares, float)
    w = np.repeat(shares[..., None], columns, axis=-1)  # (..., C, 3, Q)
    non_dual = list(K.NON_DUAL_Q)
    w[..., non_dual] = 0.0
    w[..., 0, non_dual] = 1.0
    return w


# the stocks table: the school states, then (qualification x labour-market status)
assert STATES[:6] == SCHOOL_STATES and len(LABOUR_STATUSES) == len(QUALIFICATIONS) == 4
