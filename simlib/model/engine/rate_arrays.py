"""The kernel's rate arrays for a batch of draws: rates by (month, cell) and inner factors.

Each draw's rates (:func:`simlib.model.simulation.policy_rates`: kernel rates and month
scalars) become a leading draw axis of the arrays the kernel reads
(:class:`simlib.model.kernel.layout.Rates`), at the run's resolution; the state's duration
bins are sized from the longest window and Groeifase of the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simlib.model import kernel as K
from simlib.model.engine.cells import cell_grid, collapse, weight_shares
from simlib.model.structure import INNER

__all__ = ["KERNEL_ORDER", "InnerRates", "stack_rates", "month_array", "MAX_WINDOW_DAYS",
           "search_bins_needed", "duration_bins", "KA_MAX", "KG_MAX"]

#: The kernel's order of the inner strata (see simlib.model.kernel.kernel_order).
KERNEL_ORDER = K.kernel_order()
#: The most Aanloopfase and Groeifase month bins a run holds (the last bin keeps the rest).
KA_MAX, KG_MAX = 25, 49


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


def stack_rates(rate_sets: Sequence[dict], T: int, resolution: str = "full",
                weights: Sequence[np.ndarray | None] | None = None
                ) -> tuple[np.ndarray, InnerRates]:
    """The kernel's rate arrays for each draw's rates (a leading draw axis): ``RTC``
    (D, R, T, C) with the cells of ``resolution`` (a rate that differs between cells is
    collapsed with the draw's ``weights``, see :func:`~simlib.model.engine.cells.collapse`) and the inner factors
    (:class:`InnerRates`). Each rate of all draws at once (one collapse, one permutation)."""
    cells, _ = cell_grid(resolution)
    D, R = len(rate_sets), len(K.KERNEL_RATES)
    RTC = np.empty((D, R, T, cells.size))
    index = np.empty((D, R, T), np.int64)
    rows, P = [], 0
    shares = None  # each full cell's share of its merged cell's weight: once for all rates
    if weights is not None and weights[0] is not None and resolution != "full":
        shares = weight_shares(np.stack(weights), resolution)[:, None, :]
    for n, name in enumerate(K.KERNEL_RATES):
        rates = [r[name] for r in rate_sets]
        RTC[:, n] = _cells(np.stack(_common([r.tc for r in rates])), resolution, shares)
        ti = np.stack(_common([r.ti for r in rates]))  # (D, 1 or T, 1 or I)
        t = ti.shape[1]
        if t not in (1, T):
            raise ValueError(f"rate {name}: {t} months of inner factors for a run of {T}")
        rows.append(np.broadcast_to(ti[..., KERNEL_ORDER] if ti.shape[-1] > 1 else ti,
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


def _cells(tc: np.ndarray, resolution: str, shares: np.ndarray | None) -> np.ndarray:
    """(D, t, C_full or 1) month-by-cell factors at ``resolution``, each draw's merged cells
    weighted by ``shares`` (D, 1, C_full: each full cell's share of its merged cell's
    weight, :func:`~simlib.model.engine.cells.weight_shares`)."""
    if tc.shape[-1] == 1 or resolution == "full":
        return tc
    if shares is not None:
        tc = tc * shares
    return collapse(tc, 2, resolution)


def month_array(rates: dict, T: int) -> np.ndarray:
    """(M, T): the month scalars of ``rates`` in the kernel's order (MONTH_SCALARS)."""
    return np.stack([np.broadcast_to(np.asarray(rates[n], float), (T,))
                     for n in K.MONTH_SCALARS])


#: The longest search window the engine takes (school days): two school years. The state's
#: search bins are sized from each run's longest window; beyond this a run is refused.
MAX_WINDOW_DAYS = 360


def search_bins_needed(MS: np.ndarray) -> int:
    """Search-window bins the longest window of a run needs (all draws, ``MS`` (D, M, T));
    ``ValueError`` for a window that is not a number of days from 0 to MAX_WINDOW_DAYS."""
    window = MS[:, K.M.window_days]
    if not (np.all(np.isfinite(window)) and window.min() >= 0
            and window.max() <= MAX_WINDOW_DAYS):
        raise ValueError(f"window_days: {window.min():g} to {window.max():g} school days; "
                         f"expected 0 to {MAX_WINDOW_DAYS} (the search window plus its "
                         "extension)")
    return K.search_bins(float(window.max()))


def duration_bins(MS: np.ndarray) -> tuple[int, int]:
    """Aanloopfase and Groeifase duration bins needed by this run (1 each while
    the Groeifase is closed)."""
    open_ = MS[K.M.groeifase_open] > 0.5
    if not open_.any():
        return 1, 1
    ka = int(min(MS[K.M.groeifase_intake_months][open_].max() + 1, KA_MAX))
    kg = int(min(MS[K.M.groeifase_max_months][open_].max() + 1, KG_MAX))
    return max(ka, 1), max(kg, 1)
