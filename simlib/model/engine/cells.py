"""Resolutions: the market cells of a run and how full-resolution cells merge into them."""

from __future__ import annotations

from functools import cache

import numpy as np

from simlib.model.structure import CELLS, Strata

__all__ = ["RESOLUTIONS", "cell_grid", "collapse", "weight_shares"]


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


def collapse(x: np.ndarray, axis: int, resolution: str, weights: np.ndarray | None = None):
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
        x = x * weight_shares(weights, resolution).reshape(shape)
    # a plain sum over each merged cell's cells, in the order of CELLS (no BLAS)
    return np.add.reduceat(np.take(x, order, axis=axis), starts, axis=axis)


def weight_shares(weights: np.ndarray, resolution: str) -> np.ndarray:
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
