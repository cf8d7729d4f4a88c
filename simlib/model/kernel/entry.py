"""Steps 1 and 2 of a cell's month: the new cohort enters; route choice and screening."""

from __future__ import annotations

from numba import njit

from simlib.model.kernel.layout import INNER, A, R
from simlib.model.kernel.numerics import FASTMATH


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def inflow(nd, new, cohort):
    """Step 1 (September): the new cohort ``new * cohort`` (I,) enters year 3 in the
    non-dual variant ``nd`` (I,). Returns the number of learners who entered."""
    s = 0.0
    for i in range(INNER):
        x = new[i] * cohort
        nd[i] += x
        s += x
    return s


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def route_choice(nd, srch0, aan0, a_route, a_screen, ti, not_last, acc):
    """Step 2: a share of the non-dual learners ``nd`` enters dual (not from the 7th year,
    ``not_last``); screening judges them work-ready (they start searching, ``srch0``: the
    first window bin) or not (the Aanloopfase, ``aan0``: its first month).

    ``a_route``, ``a_screen``: the cell's factors of ``route_dual_share`` (times the month's
    route weight) and ``screen_ready_prob``; ``ti`` the month's inner factors. Writes the
    rows ``route_entries`` and ``screened_out`` of ``acc``.
    """
    for i in range(INNER):
        share = min(a_route * ti[R.route_dual_share, i], 1.0) * not_last[i]
        entries = nd[i] * share
        ready = entries * (a_screen * ti[R.screen_ready_prob, i])
        nd[i] -= entries
        srch0[i] += ready
        aan0[i] += entries - ready
        acc[A.route_entries, i] = entries
        acc[A.screened_out, i] = entries - ready
