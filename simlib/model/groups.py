"""Groups of learners the indicators are reported for: all, each finality, region and sector
(the market cells' axes the run has), indicator pupils and providers; and sums over them."""

from __future__ import annotations

from functools import cache

import numpy as np

from simlib.model.structure import CELLS, INNER_AXES, POST_AXES, Strata

__all__ = ["group_masks", "by_group"]


@cache
def group_masks(cells: Strata = CELLS) -> tuple[tuple[str, ...], np.ndarray]:
    """Group names and a (G, C, 2 ses, 3 provider) 0/1 mask of the recorded cells of ``cells``
    (the cell groups are those of the axes ``cells`` has)."""
    C = cells.size
    names = ["all"]
    masks = [np.ones((C, 2, 3))]
    for axis in ("finality", "region", "sector"):
        if axis not in cells.names:
            continue
        coord = cells.coord(axis)
        for k, label in enumerate(dict(cells.axes)[axis]):
            names.append(f"{axis}={label}")
            masks.append(np.broadcast_to((coord == k)[:, None, None], (C, 2, 3)))
    for axis, pos in (("ses", 1), ("provider", 2)):
        for k, label in enumerate({**INNER_AXES, **POST_AXES}[axis]):
            m = np.zeros((C, 2, 3))
            if pos == 1:
                m[:, k, :] = 1
            else:
                m[:, :, k] = 1
            names.append(f"{axis}={label}")
            masks.append(m)
    return tuple(names), np.stack(masks).astype(float)


def by_group(rec: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(..., T, C, 2, 3, Q) -> (..., T, G, Q). numpy's own einsum loops, not BLAS: the same
    sums in the same order wherever the arrays lie in memory (and faster at full resolution)."""
    return np.einsum("...tcepq,gcep->...tgq", rec, masks, optimize=False)
