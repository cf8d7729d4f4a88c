"""Groups of learners the indicators are reported for: all, each finality, region and sector
(the market cells' axes the run has), indicator pupils and providers; and sums over them."""

from __future__ import annotations

from functools import cache, lru_cache

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


def by_group(rec: np.ndarray, masks: np.ndarray, weights: np.ndarray | None = None
             ) -> np.ndarray:
    """(..., T, C, 2, 3, Q) -> (..., T, G, Q): the records summed over each group's mask.

    With ``weights`` (..., C, 3, Q), ``rec`` is the kernel's records (..., T, C, 2, 1, Q)
    and the sums are those of the post-stratified records ``rec * weights``
    (:func:`simlib.model.engine.batch.post_stratify`), computed without making them (a third
    of the data): a sum over ses and providers of products is the product of the two sums.

    Each mask of :func:`group_masks` is 0/1 and a product of a cell set, a ses set and a
    provider set, so a group's sum is a sum over its cells of the per-cell totals, or over
    all cells of the totals of its ses or providers: a few partial sums computed once instead
    of a product with every mask (a tenth of the work). Another mask is summed with numpy's
    own einsum. No sum runs over the innermost axis (``Q``), so each is added in the same
    order wherever the arrays lie in memory.
    """
    if weights is None:
        return _sums(rec, masks)
    # few large temporaries: each new array of this size costs its page faults
    r = rec[..., 0, :]  # (..., T, C, E, Q): the kernel's one provider slot
    w = weights  # (..., C, P, Q)
    w_all = w.sum(axis=-2)  # (..., C, Q)
    both = r[..., 0, :] + r[..., 1, :] if r.shape[-2] == 2 else r.sum(axis=-2)  # (.., T, C, Q)
    cell = None  # (C, ..., T, Q): per cell, cells first (a group's cells are whole blocks)
    out = np.empty((*r.shape[:-3], len(masks), r.shape[-1]))
    for g, (m, sets) in enumerate(zip(masks, _product_sets(masks), strict=True)):
        if sets is not None and sets[1].all() and sets[2].all():
            if cell is None:
                cell = np.einsum("...tcq,...cq->c...tq", both, w_all, optimize=False)
            if sets[0].all():
                out[..., g, :] = cell.sum(axis=0)
            else:
                at = np.flatnonzero(sets[0])
                total = cell[at[0]].copy()
                for c in at[1:]:
                    total += cell[c]
                out[..., g, :] = total
        elif sets is not None and sets[0].all():
            sm, pm = sets[1:]
            ws = w_all if pm.all() else w[..., pm, :].sum(axis=-2)
            if sm.all():
                out[..., g, :] = np.einsum("...tcq,...cq->...tq", both, ws, optimize=False)
            else:
                out[..., g, :] = sum(np.einsum("...tcq,...cq->...tq", r[..., e, :], ws,
                                               optimize=False) for e in np.flatnonzero(sm))
        else:  # not a mask of group_masks: the post-stratified records, summed
            wt = w.reshape(*w.shape[:-3], 1, w.shape[-3], 1, *w.shape[-2:])  # (.., 1, C, 1, P, Q)
            full = rec * wt
            out[..., g, :] = np.einsum("...tcepq,cep->...tq", full, m, optimize=False)
    return out


def _product_sets(masks: np.ndarray) -> list:
    """Per mask, the ``(cells, ses, providers)`` boolean sets whose product is that 0/1
    mask, or None if it is not such a product (remembered for the last masks seen)."""
    return _sets_of(masks.shape, np.ascontiguousarray(masks, float).tobytes())


@lru_cache(maxsize=16)
def _sets_of(shape: tuple, data: bytes) -> list:
    out = []
    for m in np.frombuffer(data).reshape(shape):
        cm, sm, pm = m.any(axis=(1, 2)), m.any(axis=(0, 2)), m.any(axis=(0, 1))
        product = cm[:, None, None] & sm[None, :, None] & pm[None, None, :]
        zero_one = ((m == 0) | (m == 1)).all()
        for x in (cm, sm, pm):
            x.flags.writeable = False  # shared by every call with these masks
        out.append((cm, sm, pm) if zero_one and np.array_equal(m != 0, product) else None)
    return out


def _sums(rec: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """:func:`by_group` of records by provider (..., T, C, 2, 3, Q)."""
    lead = rec.shape[:-4]
    C, E, P, Q = rec.shape[-4:]
    out = np.empty((*lead, len(masks), Q))
    per_cell = per_slot = None
    for g, (m, sets) in enumerate(zip(masks, _product_sets(masks), strict=True)):
        if sets is None:
            out[..., g, :] = np.einsum("...tcepq,cep->...tq", rec, m, optimize=False)
            continue
        cm, sm, pm = sets
        if sm.all() and pm.all():
            if per_cell is None:  # (..., T, C, Q)
                per_cell = rec.reshape(*lead, C, E * P, Q).sum(axis=-2)
            out[..., g, :] = (per_cell if cm.all() else per_cell[..., cm, :]).sum(axis=-2)
        elif cm.all():
            if per_slot is None:  # (..., T, E, P, Q)
                per_slot = rec.sum(axis=-4)
            out[..., g, :] = per_slot[..., sm, :, :][..., pm, :].sum(axis=(-3, -2))
        else:
            out[..., g, :] = rec[..., cm, :, :, :][..., sm, :, :][..., pm, :].sum(
                axis=(-4, -3, -2))
    return out
