"""Step 4h of a cell's month: the moves between states, the exits and what is recorded."""

from __future__ import annotations

from numba import njit

from simlib.model.kernel.layout import (
    GRO_ROWS,
    GUA_ROWS,
    HALF,
    INNER,
    KD,
    NE,
    Q_END,
    Q_LEAVE,
    Q_NOT_FULL,
    RECORDED,
    STOCK_ROWS,
    A,
    F,
    R,
    W,
)
from simlib.model.kernel.numerics import FASTMATH, leave_prob


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def moves(nd, srch0, aan0, gro0, rc, ti, acc, wk):
    """Step 4h: non-dual learners ``nd`` leave past 18; every move of steps 4a-4g lands in
    its state: the first window bin ``srch0`` (refusals, terminations, the work-ready, the
    springboard's share ``groeifase_to_search_share``), the first month of the Aanloopfase
    ``aan0`` and of the Groeifase ``gro0``, and the non-dual variant. At the end of the
    Groeifase learners past compulsory schooling leave at the share of final-year learners
    who fail and leave; every minor and the others return to the non-dual variant (nobody
    leaves before 18 without a qualification).

    Reads ``adult``, ``g_end``, ``g_leave`` (work rows) and the month's moves in ``acc``;
    writes ``nd_leave``, ``spring_search``, ``groeifase_intake``, ``returned_non_dual``,
    ``gro_nd`` of ``acc`` and the work rows ``g_end_leave``, ``part``, ``part_aan`` (the
    partial-qualification shares :func:`exits` reads).
    """
    adult = wk[W.adult]
    g_end = wk[W.g_end]
    g_endl = wk[W.g_end_leave]
    part = wk[W.part]
    part_aan = wk[W.part_aan]
    n_leave = acc[A.nd_leave]
    sps = acc[A.spring_search]
    back = acc[A.gro_nd]
    g_spring = acc[A.groeifase_springboard]
    c_lnd = rc[R.leave_hazard_non_dual]
    c_ss = rc[R.groeifase_to_search_share]
    c_part = rc[R.partial_share_other]
    c_pa = rc[R.partial_share_aanloop]
    c_fl = rc[R.final_fail_leave_share]
    leave_prob(nd, adult, c_lnd, ti[R.leave_hazard_non_dual], n_leave)
    for i in range(INNER):
        sps[i] = g_spring[i] * (c_ss * ti[R.groeifase_to_search_share, i])
    for i in range(INNER):
        part[i] = c_part * ti[R.partial_share_other, i]
    for i in range(INNER):
        part_aan[i] = c_pa * ti[R.partial_share_aanloop, i]
    for i in range(INNER):
        g_endl[i] = g_end[i] * adult[i] * (c_fl * ti[R.final_fail_leave_share, i])
    for i in range(INNER):
        back[i] = g_end[i] - g_endl[i]
    t_srch = acc[A.t_srch]
    a_ready = acc[A.a_ready]
    for i in range(INNER):
        srch0[i] += t_srch[i] + a_ready[i] + sps[i]
    f_aan = acc[A.f_aan]
    t_aan = acc[A.t_aan]
    for i in range(INNER):
        aan0[i] += f_aan[i] + t_aan[i] + g_spring[i] - sps[i]
    row = acc[A.groeifase_intake]
    f_gro = acc[A.f_gro]
    t_gro = acc[A.t_gro]
    a_gro = acc[A.a_gro]
    for i in range(INNER):
        row[i] = f_gro[i] + t_gro[i] + a_gro[i]
    for i in range(INNER):
        gro0[i] += row[i]
    row = acc[A.returned_non_dual]
    f_nd = acc[A.f_nd]
    t_nd = acc[A.t_nd]
    a_nd = acc[A.a_nd]
    for i in range(INNER):
        row[i] = f_nd[i] + t_nd[i] + a_nd[i]
    for i in range(INNER):
        nd[i] += row[i] + back[i] - n_leave[i]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def exits(acc, wk):
    """The month's leavers without a full qualification by route, each split into a partial
    qualification (the shares ``part``, ``part_aan`` of :func:`moves`) and none: the recorded
    ``leave_pq_*``, ``leave_uq_*`` (the qualified leave at the year end only: zero here) and
    the flow rows ``spring_aan``, ``gro_pq``, ``gro_uq``, ``f_pq``, ``t_pq``, ``a_pq``,
    ``nd_pq`` (the flows split them as the recorded exits do)."""
    part = wk[W.part]
    part_aan = wk[W.part_aan]
    early_dual = wk[W.early_dual]
    early_aan = wk[W.early_aan]
    g_endl = wk[W.g_end_leave]
    g_leave = wk[W.g_leave]
    n_leave = acc[A.nd_leave]
    f_unq = acc[A.f_unq]
    left = acc[A.t_unq_left]
    a_lv = acc[A.a_leave]
    g_spring = acc[A.groeifase_springboard]
    sps = acc[A.spring_search]
    for i in range(INNER):
        early_dual[i] = f_unq[i] + left[i]
    for i in range(INNER):
        early_aan[i] = a_lv[i] + g_leave[i] + g_endl[i]
    for q in range(Q_LEAVE, Q_NOT_FULL):
        acc[q] = 0.0
    row = acc[A.leave_pq_nd]
    for i in range(INNER):
        row[i] = n_leave[i] * part[i]
    row = acc[A.leave_pq_dual]
    for i in range(INNER):
        row[i] = early_dual[i] * part[i]
    row = acc[A.leave_pq_aan]
    for i in range(INNER):
        row[i] = early_aan[i] * part_aan[i]
    row = acc[A.leave_uq_nd]
    for i in range(INNER):
        row[i] = n_leave[i] * (1.0 - part[i])
    row = acc[A.leave_uq_dual]
    for i in range(INNER):
        row[i] = early_dual[i] * (1.0 - part[i])
    row = acc[A.leave_uq_aan]
    for i in range(INNER):
        row[i] = early_aan[i] * (1.0 - part_aan[i])
    row = acc[A.spring_aan]
    for i in range(INNER):
        row[i] = g_spring[i] - sps[i]
    row = acc[A.gro_pq]
    for i in range(INNER):
        row[i] = (g_endl[i] + g_leave[i]) * part_aan[i]
    row = acc[A.gro_uq]
    for i in range(INNER):
        row[i] = (g_endl[i] + g_leave[i]) * (1.0 - part_aan[i])
    row = acc[A.f_pq]
    for i in range(INNER):
        row[i] = f_unq[i] * part[i]
    row = acc[A.t_pq]
    for i in range(INNER):
        row[i] = left[i] * part[i]
    row = acc[A.a_pq]
    for i in range(INNER):
        row[i] = a_lv[i] * part_aan[i]
    row = acc[A.nd_pq]
    for i in range(INNER):
        row[i] = n_leave[i] * part[i]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def stocks(nd, srch, oao, soa, gua, aan, gro, kw, behind_i, high_i, tier, acc, sums):
    """The stocks of one cell at the end of the month, per indicator-pupil block, into
    ``sums`` (the rows :data:`~.layout.STOCK_ROWS`, as :func:`~.numerics.reduce_blocks` does
    for the others): the states, the learners behind (on the dual route and not), the
    work-ready without a place (searchers and the most ready in the Aanloopfase) and the OAO
    learners by allowance tier (guaranteed places paid as OAO).

    The states' sums over their bins per stratum go to their rows of ``acc`` (scratch); the
    rest is summed per block straight away, not written per stratum first (what the record
    part costs is mostly moving the accumulator's rows through the cache)."""
    s_srch = acc[A.searching]
    s_oao = acc[A.dual_oao]
    s_soa = acc[A.dual_soa]
    s_aan = acc[A.aanloopfase]
    s_gro = acc[A.groeifase]
    s_srch[:] = srch[0]
    for k in range(1, kw):
        for i in range(INNER):
            s_srch[i] += srch[k, i]
    s_oao[:] = oao[0]
    s_soa[:] = soa[0]
    for d in range(1, KD):
        for i in range(INNER):
            s_oao[i] += oao[d, i]
            s_soa[i] += soa[d, i]
    s_aan[:] = aan[0]
    for k in range(1, aan.shape[0]):
        for i in range(INNER):
            s_aan[i] += aan[k, i]
    s_gro[:] = gro[0]
    for k in range(1, gro.shape[0]):
        for i in range(INNER):
            s_gro[i] += gro[k, i]
    for e in range(NE):
        x_nd = x_srch = x_oao = x_soa = x_gua = x_aan = x_gro = 0.0
        x_behind = x_behind_nd = x_ready = x_t1 = x_t2 = x_t3 = 0.0
        for i in range(e * HALF, (e + 1) * HALF):
            x_nd += nd[i]
            x_srch += s_srch[i]
            x_oao += s_oao[i]
            x_soa += s_soa[i]
            x_gua += gua[i]
            x_aan += s_aan[i]
            x_gro += s_gro[i]
            route = s_srch[i] + s_oao[i] + s_soa[i] + gua[i] + s_aan[i] + s_gro[i]
            x_behind += route * behind_i[i]
            x_behind_nd += nd[i] * behind_i[i]
            x_ready += s_srch[i] + s_aan[i] * high_i[i]
            paid = s_oao[i] + gua[i]
            x_t1 += paid * tier[0, i]
            x_t2 += paid * tier[1, i]
            x_t3 += paid * tier[2, i]
        sums[A.non_dual, e] = x_nd
        sums[A.searching, e] = x_srch
        sums[A.dual_oao, e] = x_oao
        sums[A.dual_soa, e] = x_soa
        sums[A.guaranteed, e] = x_gua
        sums[A.aanloopfase, e] = x_aan
        sums[A.groeifase, e] = x_gro
        sums[A.behind, e] = x_behind
        sums[A.behind_non_dual, e] = x_behind_nd
        sums[A.ready_without_place, e] = x_ready
        sums[A.oao_tier_1, e] = x_t1
        sums[A.oao_tier_2, e] = x_t2
        sums[A.oao_tier_3, e] = x_t3


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def active_rows(active, routes, aug, gua_active, gro_active):
    """Which accumulator rows :func:`~.numerics.reduce_blocks` sums (it writes 0 for the
    others): not the stocks (:func:`stocks` sums them itself), and of the rest those that can
    be nonzero this month: route entries only in a month with ``routes``, qualified leavers
    only at the year end (``aug``), guaranteed places and the Groeifase only while active."""
    active[:] = True
    for q in STOCK_ROWS:
        active[q] = False
    if not routes:
        active[A.route_entries] = False
        active[A.screened_out] = False
    if not aug:
        for q in range(Q_LEAVE, Q_NOT_FULL):
            active[q] = False
    if not gua_active:
        for q in GUA_ROWS:
            active[q] = False
    if not gro_active:
        for q in GRO_ROWS:
            active[q] = False


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def write_outputs(acc, sums, rec_c, leavers):
    """The cell's month into the outputs: per indicator-pupil block ``sums`` (of
    :func:`~.numerics.reduce_blocks`) into ``rec_c[ses, provider, q]`` and the leavers
    without a full qualification per stratum into ``leavers`` (I,)."""
    for q in range(Q_NOT_FULL, Q_END):
        row = acc[q]
        for i in range(INNER):
            leavers[i] += row[i]
    for e in range(NE):
        for q in range(len(RECORDED)):
            rec_c[e, 0, q] += sums[q, e]


@njit(cache=True, inline="always", error_model="numpy")
def _s(sums, q):
    return sums[q, 0] + sums[q, 1]


@njit(cache=True, error_model="numpy")
def flows(sums, fl):
    """The month's flows of one cell between nodes (sums over the strata) into ``fl``."""
    screened_out = _s(sums, A.screened_out)
    fl[F.non_dual, F.searching] += _s(sums, A.route_entries) - screened_out
    fl[F.non_dual, F.aanloopfase] += screened_out
    fl[F.searching, F.dual] += _s(sums, A.placed)
    fl[F.searching, F.guaranteed] += _s(sums, A.caught_by_guarantee)
    fl[F.searching, F.non_dual] += _s(sums, A.f_nd)
    fl[F.searching, F.aanloopfase] += _s(sums, A.f_aan)
    fl[F.searching, F.groeifase] += _s(sums, A.f_gro)
    fl[F.searching, F.unqualified] += _s(sums, A.f_unq) - _s(sums, A.f_pq)
    fl[F.searching, F.partial_qualification] += _s(sums, A.f_pq)
    fl[F.dual, F.searching] += _s(sums, A.t_srch)
    fl[F.dual, F.non_dual] += _s(sums, A.t_nd)
    fl[F.dual, F.aanloopfase] += _s(sums, A.t_aan)
    fl[F.dual, F.groeifase] += _s(sums, A.t_gro)
    fl[F.dual, F.unqualified] += _s(sums, A.t_unq_left) - _s(sums, A.t_pq)
    fl[F.dual, F.partial_qualification] += _s(sums, A.t_pq)
    fl[F.guaranteed, F.dual] += _s(sums, A.to_firm)
    fl[F.aanloopfase, F.searching] += _s(sums, A.a_ready)
    fl[F.aanloopfase, F.non_dual] += _s(sums, A.a_nd)
    fl[F.aanloopfase, F.groeifase] += _s(sums, A.a_gro)
    fl[F.aanloopfase, F.unqualified] += _s(sums, A.a_leave) - _s(sums, A.a_pq)
    fl[F.aanloopfase, F.partial_qualification] += _s(sums, A.a_pq)
    fl[F.groeifase, F.searching] += _s(sums, A.spring_search)
    fl[F.groeifase, F.aanloopfase] += _s(sums, A.spring_aan)
    fl[F.groeifase, F.partial_qualification] += _s(sums, A.gro_pq)
    fl[F.groeifase, F.unqualified] += _s(sums, A.gro_uq)
    fl[F.groeifase, F.non_dual] += _s(sums, A.gro_nd)
    fl[F.non_dual, F.unqualified] += _s(sums, A.nd_leave) - _s(sums, A.nd_pq)
    fl[F.non_dual, F.partial_qualification] += _s(sums, A.nd_pq)
