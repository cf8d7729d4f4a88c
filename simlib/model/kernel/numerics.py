"""Small compiled helpers the kernel's steps share: competing hazards, rationing, sums.

Each works on one row of strata (1-d, length :data:`~.layout.INNER`) with no branch on the
stratum, so its loop vectorises.
"""

from __future__ import annotations

from numba import njit

from simlib.model.kernel.layout import HALF, INNER, NE

#: LLVM's fast-math flags of every step: reassociation lets the compiler vectorise sums.
FASTMATH = {"reassoc", "nsz", "contract"}


@njit(cache=True, inline="always", error_model="numpy")
def _p(x):
    """``1 - exp(-x)`` for a hazard ``x >= 0`` without a library call, so loops over strata
    vectorise: a short series below 0.02, else ``exp(-x) = exp(-x/64)**64`` with a degree-10
    series for ``exp(-x/64)`` (``x`` capped at 36, where ``exp(-x)`` is below 3e-16). Relative
    error below 1e-9 (tested against ``numpy.expm1``)."""
    s = x * (1.0 - x * (0.5 - x * (1.0 / 6.0 - x * (1.0 / 24.0 - x / 120.0))))
    y = min(x, 36.0) * (1.0 / 64.0)
    e = 1.0 - y * (1.0 - y * (1.0 / 2.0 - y * (1.0 / 6.0 - y * (1.0 / 24.0 - y * (
        1.0 / 120.0 - y * (1.0 / 720.0 - y * (1.0 / 5040.0 - y * (1.0 / 40320.0 - y * (
            1.0 / 362880.0 - y / 3628800.0)))))))))
    e = e * e
    e = e * e
    e = e * e
    e = e * e
    e = e * e
    e = e * e
    return s if x < 0.02 else 1.0 - e


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def comp_scale(a, fa, b, fb, c, out):
    """``out = P(tot) / tot`` with ``tot = a fa + b fb + c`` (competing hazards; 0 where
    ``tot`` is 0). A small function of its own, so that the compiler vectorises it."""
    for i in range(a.shape[0]):
        tot = a[i] * fa + b[i] * fb + c[i]
        out[i] = _p(tot) / (tot if tot > 0.0 else 1.0)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def comp_stay(a, fa, b, fb, c, scale, out):
    """``out = 1 - tot * scale``: the share that stays (see :func:`comp_scale`)."""
    for i in range(a.shape[0]):
        out[i] = 1.0 - (a[i] * fa + b[i] * fb + c[i]) * scale[i]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def prob_capped(lam, days, cap, out):
    """``out = min(P(lam days), cap)``: the chance of a place within ``days``."""
    for i in range(lam.shape[0]):
        out[i] = min(_p(lam[i] * days), cap)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def leave_prob(x, adult, a, rate, out):
    """``out = x P(adult a rate)``: leavers among ``x`` (only past 18)."""
    for i in range(x.shape[0]):
        out[i] = x[i] * _p(adult[i] * (a * rate[i]))


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def any1(a):
    """Whether a row (1-d) has a nonzero entry."""
    for i in range(a.shape[0]):
        if a[i] != 0.0:
            return True
    return False


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def any2(a):
    """Whether a block (2-d) has a nonzero entry."""
    for k in range(a.shape[0]):
        for i in range(a.shape[1]):
            if a[k, i] != 0.0:
                return True
    return False


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def total(a):
    """The sum of a row."""
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def ration(work, cand_row, ratio, budget):
    """Scale the candidates ``work[cand_row] * ratio`` so that their total stays within the
    ``budget`` (proportionally); write the admitted numbers back; return their total."""
    tot = 0.0
    for i in range(INNER):
        tot += work[cand_row, i]
    tot *= ratio
    if tot <= 0.0:
        for i in range(INNER):
            work[cand_row, i] = 0.0
        return 0.0
    f = ratio if tot <= budget else ratio * budget / tot
    for i in range(INNER):
        work[cand_row, i] *= f
    return min(tot, budget)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def admit(cand, work, row, ratio, budget, demand):
    """Admit the candidates ``cand`` to a place with a Flanders-wide capacity: ``work[row]``
    becomes the admitted (``cand`` rationed by ``ratio`` within ``budget``, see
    :func:`ration`). Returns the budget left and the demand with ``cand`` added."""
    work[row, :] = cand
    demand += total(cand)
    budget -= ration(work, row, ratio, budget)
    return budget, demand


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def reduce_blocks(acc, active, out):
    """``out[q, e]`` = sum of ``acc[q]`` over indicator-pupil block ``e`` for the rows
    ``active`` says can be nonzero this month; 0 for the others."""
    for q in range(acc.shape[0]):
        if not active[q]:
            out[q, 0] = 0.0
            out[q, 1] = 0.0
            continue
        for e in range(NE):
            s = 0.0
            for i in range(e * HALF, (e + 1) * HALF):
                s += acc[q, i]
            out[q, e] = s
