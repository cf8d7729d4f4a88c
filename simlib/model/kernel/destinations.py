"""Steps 4d and 4e of a cell's month: where failed searches and terminations go."""

from __future__ import annotations

from numba import njit

from simlib.model.kernel.layout import INNER, A, R, W
from simlib.model.kernel.numerics import FASTMATH, admit, total


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def failed_searches(gua, rc, ti, gua_on, gua_ratio, gua_budget, gua_demand, broad, gro_ratio,
                    gro_budget, gro_demand, acc, wk):
    """Step 4d: searchers whose window ended without a place (``acc[failed]``) take a
    guaranteed place ``gua`` first (if ``gua_on``, rationed by ``gua_ratio`` within
    ``gua_budget``); the rest go by the rule's shares (``search_fail_to_*``) to the non-dual
    variant, the Aanloopfase or, past 18, leave (minors return to the non-dual variant). With
    the Groeifase's ``broad`` intake, those bound for the Aanloopfase enter the Groeifase as
    far as its capacity allows (``gro_ratio``, ``gro_budget``).

    Reads ``adult`` (work row); writes ``caught_by_guarantee``, ``f_unq``, ``f_nd``,
    ``f_aan``, ``f_gro`` of ``acc``. Returns ``(gua_budget, gua_demand, gro_budget,
    gro_demand)`` with this cell's candidates added.
    """
    failed = acc[A.failed]
    caught = acc[A.caught_by_guarantee]
    f_unq = acc[A.f_unq]
    f_nd = acc[A.f_nd]
    f_aan = acc[A.f_aan]
    f_gro = acc[A.f_gro]
    adult = wk[W.adult]
    rest = wk[W.rest]
    r_unq = wk[W.r_unq]
    # one array written per loop, so that every loop vectorises
    if gua_on:
        gua_budget, gua_demand = admit(failed, acc, A.caught_by_guarantee, gua_ratio,
                                       gua_budget, gua_demand)
        for i in range(INNER):
            gua[i] += caught[i]
        for i in range(INNER):
            rest[i] = failed[i] - caught[i]
    else:
        caught[:] = 0.0
        rest[:] = failed
    a_unq = rc[R.search_fail_to_unqualified]
    a_nd = rc[R.search_fail_to_non_dual]
    a_aan = rc[R.search_fail_to_aanloopfase]
    for i in range(INNER):
        r_unq[i] = rest[i] * (a_unq * ti[R.search_fail_to_unqualified, i])
    for i in range(INNER):
        f_unq[i] = r_unq[i] * adult[i]
    for i in range(INNER):
        f_nd[i] = rest[i] * (a_nd * ti[R.search_fail_to_non_dual, i]) + r_unq[i] * (
            1.0 - adult[i])
    for i in range(INNER):
        f_aan[i] = rest[i] * (a_aan * ti[R.search_fail_to_aanloopfase, i])
    if broad:  # failed searches to the Groeifase
        gro_budget, gro_demand = admit(f_aan, acc, A.f_gro, gro_ratio, gro_budget, gro_demand)
        for i in range(INNER):
            f_aan[i] -= f_gro[i]
    else:
        f_gro[:] = 0.0
    return gua_budget, gua_demand, gro_budget, gro_demand


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def terminations(rc, ti, after_termination, gro_ratio, gro_budget, gro_demand, acc, wk):
    """Step 4e: terminated learners (``acc[terminated]``) go by the rule's shares
    (``termination_to_*``) to searching again, the non-dual variant, the Aanloopfase or, past
    18, leave; refused learners (``acc[refused]``) search again (the window restarts). With
    the Groeifase's intake ``after_termination``, those bound for the Aanloopfase enter the
    Groeifase as far as its capacity allows.

    Reads ``adult`` (work row); writes ``t_nd``, ``t_aan``, ``t_srch``, ``t_gro`` and adds
    the leavers to ``t_unq_left`` of ``acc``. Returns ``(ended, gro_budget, gro_demand)``:
    the cell's terminations and refusals (what makes firms inactive) and the Groeifase's
    budget and demand.
    """
    term = acc[A.terminated]
    refused = acc[A.refused]
    t_nd = acc[A.t_nd]
    t_aan = acc[A.t_aan]
    t_srch = acc[A.t_srch]
    t_gro = acc[A.t_gro]
    left = acc[A.t_unq_left]
    adult = wk[W.adult]
    r_unq = wk[W.r_unq]
    t_unq = wk[W.t_unq]
    a_unq = rc[R.termination_to_unqualified]
    a_nd = rc[R.termination_to_non_dual]
    a_aan = rc[R.termination_to_aanloopfase]
    a_s = rc[R.termination_to_searching]
    for i in range(INNER):
        r_unq[i] = term[i] * (a_unq * ti[R.termination_to_unqualified, i])
    for i in range(INNER):
        t_unq[i] = r_unq[i] * adult[i]
    for i in range(INNER):
        t_nd[i] = term[i] * (a_nd * ti[R.termination_to_non_dual, i]) + r_unq[i] * (
            1.0 - adult[i])
    for i in range(INNER):
        t_aan[i] = term[i] * (a_aan * ti[R.termination_to_aanloopfase, i])
    for i in range(INNER):
        t_srch[i] = refused[i] + term[i] * (a_s * ti[R.termination_to_searching, i])
    ended = total(term) + total(refused)
    if after_termination:
        gro_budget, gro_demand = admit(t_aan, acc, A.t_gro, gro_ratio, gro_budget, gro_demand)
        for i in range(INNER):
            t_aan[i] -= t_gro[i]
    else:
        t_gro[:] = 0.0
    for i in range(INNER):
        left[i] += t_unq[i]  # terminations without qualification, with the other leavers
    return ended, gro_budget, gro_demand
