"""The engine's state of a batch of draws and one call of the kernel on it."""

from __future__ import annotations

import numpy as np

from simlib.inputs.parameters import param
from simlib.model import kernel as K
from simlib.model.engine.inputs import front_load as front_load_today
from simlib.model.engine.inputs import rank_weights
from simlib.model.engine.rate_arrays import KERNEL_ORDER
from simlib.model.structure import CELLS, INNER

__all__ = ["EngineState", "advance"]


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
    T = MS.shape[2]
    target0 = state.places.copy() if target0 is None else target0
    kappa = np.zeros(D) if kappa is None else kappa
    tau = np.full(D, float(param("firm_adjustment_months"))) if tau is None else tau
    front_load = np.tile(front_load_today(), (D, 1)) if front_load is None else front_load
    rank = np.tile(rank_weights(), (D, 1)) if rank is None else rank
    places_out = np.zeros((D, T, C))
    leave_i = np.zeros((D, T if record else 1, INNER.size))
    shape = (D, T, C, 2, K.NP, len(K.RECORDED)) if record else (D, 1, 1, 1, 1, 1)
    rec = np.zeros(shape)
    nodes = len(K.FLOW_NODES)
    flows = np.zeros((D, T if record else 1, nodes, nodes))
    perm = KERNEL_ORDER
    nd, srch, oao, soa, gua, aan, gro, places = state.arrays()
    flat = [np.ascontiguousarray(a[:, :, perm]) for a in (nd, gua)]
    binned = [np.ascontiguousarray(a[:, :, perm, :].transpose(0, 1, 3, 2))
              for a in (srch, oao, soa, aan, gro)]
    kn, kgua = flat
    ks, ko, kso, ka, kgr = binned

    def arr(x):
        return np.ascontiguousarray(x, dtype=float)

    K.run_batch(K.State(kn, ks, ko, kso, kgua, ka, kgr, places),
                K.Rates(arr(RTC), arr(RTI.pool), np.ascontiguousarray(RTI.index), arr(MS),
                        arr(inflow[..., perm]), arr(front_load)),
                K.Market(arr(U0), arr(V0), arr(alpha), arr(beta), arr(rank), arr(target0),
                         arr(kappa), arr(tau)),
                K.Outputs(rec, flows, places_out, leave_i), record)
    for engine_arr, kernel_arr in zip((nd, gua), flat, strict=True):
        engine_arr[:, :, perm] = kernel_arr
    for engine_arr, kernel_arr in zip((srch, oao, soa, aan, gro), binned, strict=True):
        engine_arr[:, :, perm, :] = kernel_arr.transpose(0, 1, 3, 2)
    by_stratum = np.empty_like(leave_i)
    by_stratum[..., perm] = leave_i
    return rec, flows, places_out, by_stratum
