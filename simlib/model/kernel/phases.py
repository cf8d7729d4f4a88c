"""Steps 4f and 4g of a cell's month: the Aanloopfase and the Groeifase (duration bins)."""

from __future__ import annotations

from numba import njit

from simlib.model.kernel.layout import INNER, A, R, W
from simlib.model.kernel.numerics import FASTMATH, _p, admit, any1, any2, comp_scale


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def aanloopfase(aan, rc, ti, g_open, g_intake, gro_ratio, gro_budget, gro_demand, acc, wk):
    """Step 4f: learners in the Aanloopfase ``aan`` (month bin, stratum) become work-ready
    (they search), move to the non-dual variant or, past 18, leave, competing; the others
    stay a month longer. From month ``g_intake`` on, if the Groeifase is open (``g_open``),
    they enter it as far as its capacity allows (``gro_ratio``, ``gro_budget``); who does
    not get a place waits (``groeifase_waiting``).

    Reads ``adult`` (work row); writes ``a_ready``, ``a_nd``, ``a_leave``, ``a_gro`` and
    ``groeifase_waiting`` of ``acc``. Returns ``(gro_budget, gro_demand)``.
    """
    a_ready = acc[A.a_ready]
    a_nd = acc[A.a_nd]
    a_lv = acc[A.a_leave]
    a_gro = acc[A.a_gro]
    waiting = acc[A.groeifase_waiting]
    a_ready[:] = 0.0
    a_nd[:] = 0.0
    a_lv[:] = 0.0
    a_gro[:] = 0.0
    waiting[:] = 0.0
    if not any2(aan):
        return gro_budget, gro_demand
    ka = aan.shape[0]
    adult = wk[W.adult]
    pa = wk[W.pa]
    pb = wk[W.pb]
    pc = wk[W.pc]
    sca = wk[W.scale]
    cand = wk[W.cand]
    gin = wk[W.out_up]
    c_ready = rc[R.aanloop_ready_hazard]
    c_and = rc[R.aanloop_non_dual_hazard]
    c_al = rc[R.leave_hazard_aanloop]
    for i in range(INNER):
        pa[i] = c_ready * ti[R.aanloop_ready_hazard, i]
    for i in range(INNER):
        pb[i] = c_and * ti[R.aanloop_non_dual_hazard, i]
    for i in range(INNER):
        pc[i] = adult[i] * (c_al * ti[R.leave_hazard_aanloop, i])
    comp_scale(pa, 1.0, pb, 1.0, pc, sca)
    for i in range(INNER):
        pa[i] *= sca[i]
    for i in range(INNER):
        pb[i] *= sca[i]
    for i in range(INNER):
        pc[i] *= sca[i]
    for k in range(ka - 1, -1, -1):
        row = aan[k]
        if not any1(row):
            continue
        to = min(k + 1, ka - 1)
        for i in range(INNER):
            a_ready[i] += row[i] * pa[i]
        for i in range(INNER):
            a_nd[i] += row[i] * pb[i]
        for i in range(INNER):
            a_lv[i] += row[i] * pc[i]
        for i in range(INNER):
            cand[i] = row[i] * (1.0 - pa[i] - pb[i] - pc[i])
        if g_open and k >= g_intake:
            gro_budget, gro_demand = admit(cand, wk, W.out_up, gro_ratio, gro_budget,
                                           gro_demand)
            for i in range(INNER):
                a_gro[i] += gin[i]
            for i in range(INNER):
                cand[i] -= gin[i]
            for i in range(INNER):
                waiting[i] += cand[i]
        if to == k:
            row[:] = cand
        else:
            row[:] = 0.0
            dest = aan[to]
            for i in range(INNER):
                dest[i] += cand[i]
    return gro_budget, gro_demand


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def groeifase(gro, rc, ti, g_max, acc, wk):
    """Step 4g: learners in the Groeifase ``gro`` (month bin, stratum) take the springboard
    (back to dual or the Aanloopfase, see :func:`~.moves.moves`) or, past 18, leave,
    competing; the others stay a month longer, until the trajectory ends at ``g_max`` months.

    Reads ``adult``; writes ``groeifase_springboard``, ``groeifase_12``, ``groeifase_24``
    (still there after 12 and 24 months) of ``acc`` and the work rows ``g_leave`` (leavers)
    and ``g_end`` (whose trajectory ended), which :func:`~.moves.moves` reads.
    """
    g_spring = acc[A.groeifase_springboard]
    g12 = acc[A.groeifase_12]
    g24 = acc[A.groeifase_24]
    g_leave = wk[W.g_leave]
    g_end = wk[W.g_end]
    g_spring[:] = 0.0
    g_leave[:] = 0.0
    g_end[:] = 0.0
    g12[:] = 0.0
    g24[:] = 0.0
    if not any2(gro):
        return
    kg = gro.shape[0]
    adult = wk[W.adult]
    pa = wk[W.pa]
    pb = wk[W.pb]
    cand = wk[W.cand]
    c_sp = rc[R.groeifase_springboard_hazard]
    c_gl = rc[R.leave_hazard_groeifase]
    for i in range(INNER):
        h1 = c_sp * ti[R.groeifase_springboard_hazard, i]
        h2 = adult[i] * (c_gl * ti[R.leave_hazard_groeifase, i])
        tot = h1 + h2
        scale = _p(tot) / (tot if tot > 0.0 else 1.0)
        pa[i] = h1 * scale
        pb[i] = h2 * scale
    for k in range(kg - 1, -1, -1):
        row = gro[k]
        if not any1(row):
            continue
        for i in range(INNER):
            g_spring[i] += row[i] * pa[i]
        for i in range(INNER):
            g_leave[i] += row[i] * pb[i]
        for i in range(INNER):
            cand[i] = row[i] * (1.0 - pa[i] - pb[i])
        row[:] = 0.0
        if k + 1 >= g_max or k + 1 >= kg:  # the end of the trajectory
            for i in range(INNER):
                g_end[i] += cand[i]
            continue
        dest = gro[k + 1]
        for i in range(INNER):
            dest[i] += cand[i]
        if k + 1 >= 12:
            for i in range(INNER):
                g12[i] += cand[i]
        if k + 1 >= 24:
            for i in range(INNER):
                g24[i] += cand[i]
