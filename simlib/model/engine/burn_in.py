"""The September 2025 start of a batch of draws: a burn-in at today's rules, then settling."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simlib.model import kernel as K
from simlib.model.engine.cells import cell_grid, collapse
from simlib.model.engine.inputs import BURN_IN_YEARS, Draw, draw_inputs
from simlib.model.engine.rate_arrays import month_array, search_bins_needed, stack_rates
from simlib.model.engine.state import EngineState, advance
from simlib.model.structure import Timeline

__all__ = ["SETTLE_YEARS", "Start", "start", "initial"]

#: Years the burn-in then runs with the placement market's feedback on, at full scale.
SETTLE_YEARS = 3


@dataclass
class Start:
    """The September 2025 state of a batch of draws and what the run needs with it."""

    state: EngineState
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
    RTC, RTI = stack_rates([d.burn for d in draws], T, resolution,
                            [d.cohort.sum(axis=1) for d in draws])
    MS = np.stack([month_array(d.burn, T) for d in draws])
    unit = np.stack([collapse(d.cohort, 0, resolution) for d in draws])
    st = EngineState(1, 1, D, C, ks=search_bins_needed(MS))
    st.places[:] = np.stack([collapse(d.places0, 0, resolution) for d in draws])
    tau, front_load, rank = (np.stack([np.asarray(getattr(d, n), float) for d in draws])
                             for n in ("tau", "front_load", "rank"))
    ones = np.ones((D, C))
    rec, _, _, _ = advance(st, RTC, RTI, MS, unit, ones, ones, np.ones(D), np.zeros(D),
                           record=True, tau=tau, front_load=front_load, rank=rank)
    f = cells.coord("finality")
    enrol = np.stack([d.enrol for d in draws])
    by_fin = np.stack([f == k for k in range(len(enrol[0]))])  # (2, C)
    totals = st.school_totals() + unit.sum(axis=2)
    scale = np.zeros((D, C))
    for k, mask in enumerate(by_fin):
        scale[:, mask] = (enrol[:, k] / totals[:, mask].sum(axis=1))[:, None]
    st.scale(scale)
    school = MS[0, K.M.school_days, -12:] > 0
    assert (MS[:, K.M.school_days] == MS[:1, K.M.school_days]).all(), "school days differ between draws"
    last = rec[:, -12:]
    U = last[:, school][..., K.A.searching].sum(axis=(3, 4)).mean(axis=1) * scale
    filled = (last[:, school][..., K.A.dual_oao]
              + last[:, school][..., K.A.dual_soa]).sum(axis=(3, 4)).mean(axis=1)
    U0 = np.maximum(U, 1e-9)
    V0 = np.maximum(st.places - filled * scale, 1e-9)
    inflow = unit * scale[:, :, None]
    # firms: at today's rules the offer of places is what makes the active places steady given
    # the terminations (and refusals) that make firms inactive
    kappa = np.array([d.kappa for d in draws])
    term_ref = last[..., K.A.terminated].sum(axis=(3, 4)).mean(axis=1) * scale
    target0 = st.places + (kappa * tau)[:, None] * term_ref
    # settle with the market's feedback on, at full scale, then match enrolment exactly
    T = Timeline(SETTLE_YEARS).months
    alpha = np.array([d.alpha for d in draws])
    beta = np.array([d.beta for d in draws])
    advance(st, RTC[:, :, :T], RTI.months(T), MS[:, :, :T], inflow, U0, V0, alpha, beta,
            record=False, target0=target0, kappa=kappa, tau=tau, front_load=front_load, rank=rank)
    totals = st.school_totals() + inflow.sum(axis=2)
    factor = np.ones((D, C))
    for k, mask in enumerate(by_fin):
        factor[:, mask] = (enrol[:, k] / totals[:, mask].sum(axis=1))[:, None]
    st.scale(factor)
    inflow *= factor[:, :, None]
    return Start(st, inflow, U0, V0, target0, tuple(draws), resolution)


@lru_cache(maxsize=8)
def initial(key: tuple, resolution: str = "full") -> Start:
    """The start of a cohort run with the parameter values in force (``key`` names them)."""
    return start([draw_inputs()], resolution)
