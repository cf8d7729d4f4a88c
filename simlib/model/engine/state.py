"""The engine's state of a batch of draws and one call of the kernel on it."""

from __future__ import annotations

import numpy as np

from simlib.inputs.parameters import param
from simlib.model import kernel as K
from simlib.model.engine.inputs import front_load as front_load_today
from simlib.model.engine.inputs import rank_weights
from simlib.model.engine.rate_arrays import KERNEL_ORDER
from simlib.model.structure import CELLS, INNER

__all__ = ["EngineState", "advance", "kernel_state", "store_state", "market", "outputs",
           "run_months", "leavers_by_stratum"]


class EngineState:
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

    def resized(self, ka: int, kg: int, ks: int) -> EngineState:
        """A copy with ``ka``, ``kg`` duration bins and at least ``ks`` search bins."""
        new = EngineState(ka, kg, *self.places.shape, ks=max(ks, self.srch.shape[3]))
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


def kernel_state(state: EngineState) -> K.State:
    """The kernel's copy of ``state``: the inner strata in the kernel's order, duration bins
    before strata (C-contiguous, as the compiled kernel takes them); ``places`` is shared."""
    perm = KERNEL_ORDER
    nd, srch, oao, soa, gua, aan, gro, places = state.arrays()
    flat = [np.ascontiguousarray(a[:, :, perm]) for a in (nd, gua)]
    binned = [np.ascontiguousarray(a[:, :, perm, :].transpose(0, 1, 3, 2))
              for a in (srch, oao, soa, aan, gro)]
    kn, kgua = flat
    ks, ko, kso, ka, kgr = binned
    return K.State(kn, ks, ko, kso, kgua, ka, kgr, places)


def store_state(kst: K.State, state: EngineState) -> None:
    """Write the kernel's copy ``kst`` back into ``state`` (the engine's order)."""
    perm = KERNEL_ORDER
    nd, srch, oao, soa, gua, aan, gro, places = state.arrays()
    for engine_arr, kernel_arr in zip((nd, gua), (kst.nd, kst.gua), strict=True):
        engine_arr[:, :, perm] = kernel_arr
    for engine_arr, kernel_arr in zip((srch, oao, soa, aan, gro),
                                      (kst.srch, kst.oao, kst.soa, kst.aan, kst.gro),
                                      strict=True):
        engine_arr[:, :, perm, :] = kernel_arr.transpose(0, 1, 3, 2)
    if kst.places is not places:
        places[:] = kst.places


def _arr(x):
    return np.ascontiguousarray(x, dtype=float)


def market(state_places, U0, V0, alpha, beta, target0=None, kappa=None, tau=None,
           front_load=None, rank=None) -> tuple[K.Market, np.ndarray]:
    """The kernel's market constants and the front-load of terminations (D, KD), with the
    defaults of :func:`advance`."""
    D = state_places.shape[0]
    target0 = state_places.copy() if target0 is None else target0
    kappa = np.zeros(D) if kappa is None else kappa
    tau = np.full(D, float(param("firm_adjustment_months"))) if tau is None else tau
    front_load = np.tile(front_load_today(), (D, 1)) if front_load is None else front_load
    rank = np.tile(rank_weights(), (D, 1)) if rank is None else rank
    mk = K.Market(_arr(U0), _arr(V0), _arr(alpha), _arr(beta), _arr(rank), _arr(target0),
                  _arr(kappa), _arr(tau))
    return mk, _arr(front_load)


def outputs(D: int, T: int, cells: int, record: bool) -> K.Outputs:
    """Zeroed output arrays of the kernel for ``D`` draws over ``T`` months."""
    shape = (D, T, cells, 2, K.NP, len(K.RECORDED)) if record else (D, 1, 1, 1, 1, 1)
    nodes = len(K.FLOW_NODES)
    return K.Outputs(np.zeros(shape), np.zeros((D, T if record else 1, nodes, nodes)),
                     np.zeros((D, T, cells)), np.zeros((D, T if record else 1, INNER.size)))


def run_months(kst: K.State, RTC, RTI, MS, inflow, front_load, mk: K.Market, out: K.Outputs,
               record: bool, begin: int = 0, end: int | None = None) -> None:
    """Run the kernel in place on ``kst`` over months ``begin`` to ``end`` (default: all) of
    the rate arrays, writing those months of ``out``.

    The kernel starts with zero "last month's demand" for the Flanders-wide capacities, so
    a run cut at ``begin`` > 0 equals the uncut run only where that demand was zero (neither
    capacity open in month ``begin - 1``, see :func:`simlib.model.engine.resume.exact_cut`).
    The outputs' month slices must be C-contiguous (one draw, or the whole run): the compiled
    kernel takes only those.
    """
    T = MS.shape[2]
    end = T if end is None else end
    months = slice(begin, end)
    views = K.Outputs(out.rec[:, months] if record else out.rec, out.flows[:, months]
                      if record else out.flows, out.places[:, months],
                      out.leavers[:, months] if record else out.leavers)
    if not all(v.flags.c_contiguous for v in views):
        raise ValueError("a cut run's outputs must be contiguous (one draw at a time)")
    K.run_batch(kst, K.Rates(_arr(RTC[:, :, months]), _arr(RTI.pool),
                             np.ascontiguousarray(RTI.index[:, :, months]),
                             _arr(MS[:, :, months]), _arr(inflow[..., KERNEL_ORDER]),
                             front_load), mk, views, record)


def advance(state: EngineState, RTC, RTI, MS, inflow, U0, V0, alpha, beta, record: bool,
            target0=None, kappa=None, tau=None, front_load=None, rank=None):
    """Run the kernel in place on ``state`` for every draw; return (rec, flows, places per
    draw, month and cell, leavers without a full qualification per draw, month and inner
    stratum in the engine's order).

    Every input has a leading draw axis: ``RTC`` (D, R, T, C), ``RTI`` (:class:`~simlib.model.engine.rate_arrays.InnerRates`),
    ``MS`` (D, M, T), ``inflow`` (D, C, I), ``U0``, ``V0``, ``target0`` (D, C); ``alpha``, ``beta``,
    ``kappa`` (places lost per termination, default 0: a static firm stock) and ``tau``
    (firm adjustment months) are (D,); ``front_load`` (D, KD) and ``rank`` (D, 3) default to
    ``data/``. ``target0`` is the firms' offer of places per cell at today's rules (default:
    the start's active places).
    """
    D, C = state.places.shape
    mk, fl = market(state.places, U0, V0, alpha, beta, target0, kappa, tau, front_load, rank)
    out = outputs(D, MS.shape[2], C, record)
    kst = kernel_state(state)
    run_months(kst, RTC, RTI, MS, inflow, fl, mk, out, record)
    store_state(kst, state)
    return out.rec, out.flows, out.places, leavers_by_stratum(out.leavers)


def leavers_by_stratum(leave_i: np.ndarray) -> np.ndarray:
    """The kernel's leavers (..., I) in the kernel's order -> the engine's order."""
    by_stratum = np.empty_like(leave_i)
    by_stratum[..., KERNEL_ORDER] = leave_i
    return by_stratum
