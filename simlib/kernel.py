"""The private fast kernel of the cohort engine (numba).

Not public API: :mod:`simlib.engine` prepares every input and reads every output. The
kernel moves expected numbers of learners month by month; each market cell (region x sector
x finality) owns a contiguous block of strata. The kernel runs on one core: on a 2-core
machine threads lose more to waiting than they gain (measured in benchmarks/).

Layout: ``state[c, i, k]`` with ``c`` the market cell, ``i`` the inner stratum (year,
behind, ses, readiness; C order) and ``k`` a duration (tunnel) bin. A rate ``n``
at month ``t``, cell ``c``, inner stratum ``i`` is ``RTC[n, t, c] * RTI[n, t, i]``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# --- rate indices (order of simlib.engine.KERNEL_RATES) --------------------------------------
KERNEL_RATES = (
    "route_dual_share", "screen_ready_prob", "placement_hazard", "oao_share",
    "termination_hazard", "refusal_hazard", "leave_hazard_non_dual", "leave_hazard_dual",
    "leave_hazard_aanloop", "leave_hazard_groeifase", "aanloop_ready_hazard",
    "aanloop_non_dual_hazard", "groeifase_springboard_hazard", "groeifase_to_search_share",
    "guarantee_transfer_hazard", "partial_share_aanloop", "partial_share_other",
    "progression_non_dual", "progression_dual", "progression_aanloop", "graduation_non_dual",
    "graduation_dual", "graduation_aanloop", "final_fail_leave_share",
    "professional_only_share_dual", "year_7_share", "search_fail_to_non_dual",
    "search_fail_to_aanloopfase", "search_fail_to_unqualified", "termination_to_searching",
    "termination_to_non_dual", "termination_to_aanloopfase", "termination_to_unqualified",
    "adult_share", "places_factor",
)
(R_ROUTE, R_SCREEN, R_PLACE, R_OAO, R_TERM, R_REFUSE, R_LEAVE_ND, R_LEAVE_DUAL, R_LEAVE_AAN,
 R_LEAVE_GRO, R_READY, R_AAN_ND, R_SPRING, R_SPRING_SEARCH, R_TRANSFER, R_PART_AAN, R_PART,
 R_PROG_ND, R_PROG_DUAL, R_PROG_AAN, R_GRAD_ND, R_GRAD_DUAL, R_GRAD_AAN, R_FAIL_LEAVE,
 R_PROF, R_Y7, R_SF_ND, R_SF_AAN, R_SF_UNQ, R_T_SEARCH, R_T_ND, R_T_AAN, R_T_UNQ, R_ADULT,
 R_PLACES) = range(len(KERNEL_RATES))

# --- monthly scalars (rows of MS) ------------------------------------------------------------
MONTH_SCALARS = ("school_days", "window_days", "route_weight", "cohort_index", "is_september",
                 "is_august", "groeifase_open", "groeifase_capacity", "groeifase_intake_months",
                 "groeifase_max_months", "groeifase_rule", "guarantee_on", "guarantee_capacity")
(M_DAYS, M_WINDOW, M_ROUTE_W, M_COHORT, M_SEP, M_AUG, M_G_OPEN, M_G_CAP, M_G_INTAKE, M_G_MAX,
 M_G_RULE, M_GUA_ON, M_GUA_CAP) = range(len(MONTH_SCALARS))

# --- recorded quantities per (t, c, ses, provider) -------------------------------------------
RECORDED = (
    "non_dual", "searching", "dual_oao", "dual_soa", "guaranteed", "aanloopfase", "groeifase",
    "route_entries", "screened_out", "placed", "failed", "terminated", "terminated_early",
    "caught_by_guarantee", "groeifase_intake", "groeifase_springboard", "groeifase_waiting",
    "returned_non_dual", "ready_without_place", "placed_days", "behind", "groeifase_12",
    "groeifase_24", "oao_tier_1", "oao_tier_2", "oao_tier_3", "refused", "behind_non_dual",
    "leave_qe_nd", "leave_qe_dual", "leave_qe_aan", "leave_qp_nd", "leave_qp_dual",
    "leave_qp_aan", "leave_pq_nd", "leave_pq_dual", "leave_pq_aan", "leave_uq_nd",
    "leave_uq_dual", "leave_uq_aan",
)
(Q_ND, Q_SRCH, Q_OAO, Q_SOA, Q_GUA, Q_AAN, Q_GRO, Q_ENTRY, Q_SCREENED_OUT, Q_PLACED, Q_FAILED,
 Q_TERM, Q_TERM_EARLY, Q_CAUGHT, Q_GRO_IN, Q_GRO_SPRING, Q_WAIT, Q_RETURN_ND, Q_READY_NP,
 Q_PLACED_DAYS, Q_BEHIND, Q_GRO_12, Q_GRO_24, Q_OAO_T1, Q_OAO_T2, Q_OAO_T3, Q_REFUSED,
 Q_BEHIND_ND, Q_LEAVE) = range(29)
#: recorded quantities about non-dual learners (all at provider 'school'); the rest are about
#: learners on the dual route and are split by provider shares
NON_DUAL_Q = (Q_ND, Q_BEHIND_ND, Q_LEAVE, Q_LEAVE + 3, Q_LEAVE + 6, Q_LEAVE + 9)
# leavers: Q_LEAVE + 3 * qualification + route (route 0 non-dual, 1 dual, 2 aanloop/groeifase)

# --- flow matrix (from, to) per month --------------------------------------------------------
FLOW_NODES = ("inflow", "non_dual", "searching", "dual", "guaranteed", "aanloopfase",
              "groeifase", "qualified_education", "qualified_professional",
              "partial_qualification", "unqualified")
(F_IN, F_ND, F_SRCH, F_DUAL, F_GUA, F_AAN, F_GRO, F_QE, F_QP, F_PQ, F_UQ) = range(11)

BIN_DAYS = 5
KS = 24  # search-window bins (120 school days)
KD = 7   # contract months 0..5 and 6+
NY, NB, NE, NR = 5, 3, 2, 3  # year, behind, ses, readiness
#: The provider axis is post-stratified (simlib.engine): no rate depends on the provider, so
#: the kernel runs one provider slot and the engine splits dual-route learners by the cell's
#: provider shares (exact by linearity).
NP = 1
INNER = NY * NB * NE * NR * NP


@njit(cache=True, inline="always", error_model="numpy")
def _p(x):
    """``1 - exp(-x)`` for a hazard ``x >= 0``: a short series below 0.02 (relative error
    below 1e-9), else exact. Monthly hazards are mostly small; this saves most exp calls."""
    if x < 0.02:
        return x * (1.0 - x * (0.5 - x * (1.0 / 6.0 - x * (1.0 / 24.0 - x / 120.0))))
    return 1.0 - np.exp(-x)


@njit(cache=True, inline="always", error_model="numpy")
def _compete3(h1, h2, h3):
    """Probabilities of three competing events within a month from their monthly hazards."""
    tot = h1 + h2 + h3
    if tot <= 0.0:
        return 0.0, 0.0, 0.0
    scale = _p(tot) / tot
    return h1 * scale, h2 * scale, h3 * scale


@njit(cache=True, inline="always", error_model="numpy")
def _r(RTC, RTI, n, t, c, i):
    return RTC[n, t, c] * RTI[n, t, i]


@njit(cache=True, inline="always", error_model="numpy")
def _inner(y, b, e, r, p):
    return (((y * NB + b) * NE + e) * NR + r) * NP + p


@njit(cache=True, error_model="numpy")
def _empty_route(srch, oao, soa, gua, aan, gro, c, i, kw, ka, kg):
    """Whether stratum (c, i) has nobody in a dual-route state (searching ... groeifase)."""
    if gua[c, i] > 0.0:
        return False
    for k in range(kw):
        if srch[c, i, k] > 0.0:
            return False
    for d in range(KD):
        if oao[c, i, d] > 0.0 or soa[c, i, d] > 0.0:
            return False
    for k in range(ka):
        if aan[c, i, k] > 0.0:
            return False
    for k in range(kg):
        if gro[c, i, k] > 0.0:
            return False
    return True


@njit(cache=True, error_model="numpy")
def _leave(rec, t, c, e, p, q, route, amount):
    rec[t, c, e, p, Q_LEAVE + 3 * q + route] += amount


@njit(cache=True, error_model="numpy")
def run_kernel(nd, srch, oao, soa, gua, aan, gro, places, RTC, RTI, MS, inflow, front_load,
               rank_w, U0, V0, alpha, beta, ka, kg, rec, flows, record, target0, kappa, tau,
               places_out):
    """Advance the state over all months of ``MS``; fill ``rec`` and ``flows`` if ``record``.

    Capacities (guaranteed places, Groeifase) are Flanders-wide: admissions are rationed in
    proportion to last month's demand and never exceed the free places (a hard budget, spent
    in cell order when last month's demand underestimates this month's).
    """
    T = MS.shape[1]
    C = nd.shape[0]
    kw = min(KS, int(np.ceil(MS[M_WINDOW].max() / BIN_DAYS)) + 1)
    for k in range(KS - 1, kw - 1, -1):  # bins already occupied at the start (a longer window)
        if srch[:, :, k].max() > 0.0:
            kw = k + 1
            break
    gua_occ = 0.0
    gro_occ = 0.0
    gua_demand_prev = 0.0
    gro_demand_prev = 0.0
    block_gua_demand = np.zeros(C)
    block_gro_demand = np.zeros(C)
    block_flows = np.zeros((C, 11, 11))
    Ur = np.zeros(NR)  # searchers per readiness level in the current cell
    for t in range(T):
        D = MS[M_DAYS, t]
        W = MS[M_WINDOW, t]
        shift = int(D // BIN_DAYS)
        route_w = MS[M_ROUTE_W, t]
        g_open = MS[M_G_OPEN, t] > 0.5
        g_intake = int(MS[M_G_INTAKE, t])
        g_max = int(MS[M_G_MAX, t])
        g_rule = int(MS[M_G_RULE, t])
        gua_on = MS[M_GUA_ON, t] > 0.5
        # capacity rationing from last month's demand (global capacities)
        gua_free = max(MS[M_GUA_CAP, t] - gua_occ, 0.0)
        gua_ratio = 1.0 if gua_demand_prev <= gua_free else gua_free / gua_demand_prev
        if not gua_on:
            gua_ratio = 0.0
        gro_free = max(MS[M_G_CAP, t] - gro_occ, 0.0)
        gro_ratio = 1.0 if gro_demand_prev <= gro_free else gro_free / gro_demand_prev
        if not g_open:
            gro_ratio = 0.0
        gua_budget = gua_free  # hard caps: admissions never exceed the free places
        gro_budget = gro_free
        for c in range(C):
            block_gua_demand[c] = 0.0
            block_gro_demand[c] = 0.0
            fl = block_flows[c]
            fl[:, :] = 0.0
            # 1. inflow (September): the new cohort enters year 3, non-dual
            if MS[M_SEP, t] > 0.5:
                for i in range(INNER):
                    x = inflow[c, i] * MS[M_COHORT, t]
                    if x > 0.0:
                        nd[c, i] += x
                        fl[F_IN, F_ND] += x
            # 2. route choice and screening
            if route_w > 0.0:
                for y in range(NY - 1):
                    for b in range(NB):
                        for e in range(NE):
                            for r in range(NR):
                                i0 = _inner(y, b, e, r, 0)
                                x = nd[c, i0]
                                if x <= 0.0:
                                    continue
                                share = min(_r(RTC, RTI, R_ROUTE, t, c, i0) * route_w, 1.0)
                                entries = x * share
                                if entries <= 0.0:
                                    continue
                                nd[c, i0] -= entries
                                ready = entries * _r(RTC, RTI, R_SCREEN, t, c, i0)
                                srch[c, i0, 0] += ready
                                aan[c, i0, 0] += entries - ready
                                fl[F_ND, F_SRCH] += ready
                                fl[F_ND, F_AAN] += entries - ready
                                if record:
                                    rec[t, c, e, 0, Q_ENTRY] += entries
                                    rec[t, c, e, 0, Q_SCREENED_OUT] += entries - ready
            # 3. market: searchers and vacancies in this cell
            U = 0.0
            Ur[:] = 0.0
            filled = 0.0
            for i in range(INNER):
                r = (i // NP) % NR
                s = 0.0
                for k in range(kw):
                    s += srch[c, i, k]
                Ur[r] += s
                U += s
                for d in range(KD):
                    filled += oao[c, i, d] + soa[c, i, d]
            V = max(places[c] - filled, 1e-9)
            block_term = 0.0
            lam_mult = (V / V0[c]) ** beta
            if U > 0.0 and U0[c] > 0.0:
                lam_mult *= (U / U0[c]) ** (alpha - 1.0)
            norm = 1.0
            if U > 0.0:
                norm = (Ur[0] * rank_w[0] + Ur[1] * rank_w[1] + Ur[2] * rank_w[2]) / U
            p_cap = 1.0 if U <= V else V / U
            # guaranteed learners move to firms only into places the searchers leave open
            open_share = max(V - U, 0.0) / V
            # 4. within the month, per stratum
            for i in range(INNER):
                y = i // (NB * NE * NR * NP)
                b = (i // (NE * NR * NP)) % NB
                e = (i // (NR * NP)) % NE
                r = (i // NP) % NR
                p = i % NP
                adult = _r(RTC, RTI, R_ADULT, t, c, i)
                if _empty_route(srch, oao, soa, gua, aan, gro, c, i, kw, ka, kg):
                    x = nd[c, i]
                    if x > 0.0 and adult > 0.0:
                        n_leave = x * _p(adult * _r(RTC, RTI, R_LEAVE_ND, t, c, i))
                        nd[c, i] = x - n_leave
                        if record:
                            part = _r(RTC, RTI, R_PART, t, c, i)
                            _leave(rec, t, c, e, p, 2, 0, n_leave * part)
                            _leave(rec, t, c, e, p, 3, 0, n_leave * (1.0 - part))
                            fl[F_ND, F_UQ] += n_leave
                    continue
                # searching: placement over the school days left in the window
                placed = 0.0
                failed = 0.0
                placed_days = 0.0
                has_search = False
                for k in range(kw):
                    if srch[c, i, k] > 0.0:
                        has_search = True
                        break
                if D > 0.0 and has_search:
                    lam = _r(RTC, RTI, R_PLACE, t, c, i) * lam_mult * rank_w[r] / norm
                    p_full = min(_p(lam * D), p_cap)  # a whole month in the window
                    for k in range(kw - 1, -1, -1):
                        x = srch[c, i, k]
                        if x <= 0.0:
                            continue
                        used = k * BIN_DAYS
                        avail = min(D, max(W - used, 0.0))
                        pp = p_full if avail == D else min(_p(lam * avail), p_cap)
                        pl = x * pp
                        placed += pl
                        placed_days += pl * (used + 0.5 * avail)
                        rest = x - pl
                        srch[c, i, k] = 0.0
                        if used + D >= W:
                            failed += rest
                        else:
                            srch[c, i, k + shift] += rest
                # contracts: terminations by contract month, refusals, leaving past 18
                oao_share = _r(RTC, RTI, R_OAO, t, c, i)
                h_term = _r(RTC, RTI, R_TERM, t, c, i)
                h_ref = _r(RTC, RTI, R_REFUSE, t, c, i)
                h_leave = adult * _r(RTC, RTI, R_LEAVE_DUAL, t, c, i)
                term = 0.0
                term_early = 0.0
                refused = 0.0
                left_dual = 0.0
                for d in range(KD - 1, -1, -1):
                    if oao[c, i, d] <= 0.0 and soa[c, i, d] <= 0.0:
                        continue
                    ht = h_term * front_load[d]
                    hr = h_ref if d < 3 else 0.0
                    tot = ht + hr + h_leave
                    if tot <= 0.0:
                        pt = 0.0
                        pr = 0.0
                        pleave = 0.0
                    else:
                        scale = _p(tot) / tot
                        pt = ht * scale
                        pr = hr * scale
                        pleave = h_leave * scale
                    for which in range(2):
                        arr = oao if which == 0 else soa
                        x = arr[c, i, d]
                        if x <= 0.0:
                            continue
                        tq = x * pt
                        rq = x * pr
                        lq = x * pleave
                        term += tq
                        refused += rq
                        left_dual += lq
                        if d < 3:
                            term_early += tq
                        arr[c, i, d] = 0.0
                        arr[c, i, min(d + 1, KD - 1)] += x - tq - rq - lq
                oao[c, i, 0] += placed * oao_share
                soa[c, i, 0] += placed * (1.0 - oao_share)
                # guaranteed places: transfer to a firm, leaving past 18
                gx = gua[c, i]
                to_firm = 0.0
                if gx > 0.0:
                    htr = _r(RTC, RTI, R_TRANSFER, t, c, i) * open_share
                    tot = htr + h_leave
                    pany = _p(tot) if tot > 0.0 else 0.0
                    to_firm = gx * (htr / tot * pany if tot > 0.0 else 0.0)
                    gl = gx * (h_leave / tot * pany if tot > 0.0 else 0.0)
                    gua[c, i] = gx - to_firm - gl
                    oao[c, i, 0] += to_firm
                    left_dual += gl
                # failed searches: guarantee first, then the rule's destinations
                caught = min(failed * gua_ratio, gua_budget)
                gua_budget -= caught
                block_gua_demand[c] += failed if gua_on else 0.0
                gua[c, i] += caught
                rest = failed - caught
                f_unq = 0.0
                f_nd = 0.0
                f_aan = 0.0
                f_gro = 0.0
                if rest > 0.0:  # rates are looked up only when there is someone to move
                    sf_unq = _r(RTC, RTI, R_SF_UNQ, t, c, i)
                    f_unq = rest * sf_unq * adult
                    f_nd = rest * (_r(RTC, RTI, R_SF_ND, t, c, i) + sf_unq * (1.0 - adult))
                    f_aan = rest * _r(RTC, RTI, R_SF_AAN, t, c, i)
                    if g_open and g_rule == 2:  # broad intake: failed searches to the groeifase
                        block_gro_demand[c] += f_aan
                        f_gro = min(f_aan * gro_ratio, gro_budget)
                        gro_budget -= f_gro
                        f_aan -= f_gro
                # terminations (refusals restart the search)
                t_unq = 0.0
                t_nd = 0.0
                t_aan = 0.0
                t_gro = 0.0
                t_srch = refused
                if term > 0.0:
                    tr_unq = _r(RTC, RTI, R_T_UNQ, t, c, i)
                    t_unq = term * tr_unq * adult
                    t_nd = term * (_r(RTC, RTI, R_T_ND, t, c, i) + tr_unq * (1.0 - adult))
                    t_aan = term * _r(RTC, RTI, R_T_AAN, t, c, i)
                    if g_open and g_rule >= 1:
                        block_gro_demand[c] += t_aan
                        t_gro = min(t_aan * gro_ratio, gro_budget)
                        gro_budget -= t_gro
                        t_aan -= t_gro
                    t_srch += term * _r(RTC, RTI, R_T_SEARCH, t, c, i)
                block_term += term + refused
                # aanloopfase (duration bins): work-ready, to non-dual, to groeifase, leaving
                has_aan = False
                for k in range(ka):
                    if aan[c, i, k] > 0.0:
                        has_aan = True
                        break
                p_ready = 0.0
                p_and = 0.0
                p_al = 0.0
                if has_aan:
                    p_ready, p_and, p_al = _compete3(
                        _r(RTC, RTI, R_READY, t, c, i), _r(RTC, RTI, R_AAN_ND, t, c, i),
                        adult * _r(RTC, RTI, R_LEAVE_AAN, t, c, i))
                a_ready = 0.0
                a_nd = 0.0
                a_leave = 0.0
                a_gro = 0.0
                waiting = 0.0
                for k in range(ka - 1 if has_aan else -1, -1, -1):
                    x = aan[c, i, k]
                    if x <= 0.0:
                        continue
                    rd = x * p_ready
                    nq = x * p_and
                    lq = x * p_al
                    stay = x - rd - nq - lq
                    a_ready += rd
                    a_nd += nq
                    a_leave += lq
                    if g_open and k >= g_intake:
                        block_gro_demand[c] += stay
                        gin = min(stay * gro_ratio, gro_budget)
                        gro_budget -= gin
                        a_gro += gin
                        waiting += stay - gin
                        stay -= gin
                    aan[c, i, k] = 0.0
                    aan[c, i, min(k + 1, ka - 1)] += stay
                # groeifase (duration bins): springboard, leaving, end of the trajectory
                has_gro = False
                for k in range(kg):
                    if gro[c, i, k] > 0.0:
                        has_gro = True
                        break
                p_sp = 0.0
                p_gl = 0.0
                if has_gro:
                    p_sp, p_gl, _ = _compete3(_r(RTC, RTI, R_SPRING, t, c, i),
                                              adult * _r(RTC, RTI, R_LEAVE_GRO, t, c, i), 0.0)
                g_spring = 0.0
                g_leave = 0.0
                g_end = 0.0
                g12 = 0.0
                g24 = 0.0
                for k in range(kg - 1 if has_gro else -1, -1, -1):
                    x = gro[c, i, k]
                    if x <= 0.0:
                        continue
                    sp = x * p_sp
                    lq = x * p_gl
                    stay = x - sp - lq
                    g_spring += sp
                    g_leave += lq
                    gro[c, i, k] = 0.0
                    if k + 1 >= g_max or k + 1 >= kg:
                        g_end += stay
                    else:
                        gro[c, i, k + 1] += stay
                        if k + 1 >= 12:
                            g12 += stay
                        if k + 1 >= 24:
                            g24 += stay
                # non-dual: leaving past 18
                x = nd[c, i]
                n_leave = 0.0
                if x > 0.0 and adult > 0.0:
                    n_leave = x * _p(adult * _r(RTC, RTI, R_LEAVE_ND, t, c, i))
                # apply the moves
                spring_search = 0.0
                if g_spring > 0.0:
                    spring_search = g_spring * _r(RTC, RTI, R_SPRING_SEARCH, t, c, i)
                srch[c, i, 0] += t_srch + a_ready + spring_search
                aan[c, i, 0] += f_aan + t_aan + g_spring - spring_search
                gro[c, i, 0] += f_gro + t_gro + a_gro
                nd[c, i] = x - n_leave + f_nd + t_nd + a_nd
                part = _r(RTC, RTI, R_PART, t, c, i)
                part_aan = _r(RTC, RTI, R_PART_AAN, t, c, i)
                early_dual = f_unq + t_unq + left_dual
                early_aan = a_leave + g_leave
                if record:
                    _leave(rec, t, c, e, p, 2, 0, n_leave * part)
                    _leave(rec, t, c, e, p, 3, 0, n_leave * (1.0 - part))
                    _leave(rec, t, c, e, p, 2, 1, early_dual * part)
                    _leave(rec, t, c, e, p, 3, 1, early_dual * (1.0 - part))
                    _leave(rec, t, c, e, p, 2, 2, early_aan * part_aan + g_end * part_aan)
                    _leave(rec, t, c, e, p, 3, 2, early_aan * (1.0 - part_aan))
                    rq = rec[t, c, e, p]
                    rq[Q_PLACED] += placed
                    rq[Q_PLACED_DAYS] += placed_days
                    rq[Q_FAILED] += failed
                    rq[Q_TERM] += term
                    rq[Q_TERM_EARLY] += term_early
                    rq[Q_REFUSED] += refused
                    rq[Q_CAUGHT] += caught
                    rq[Q_GRO_IN] += f_gro + t_gro + a_gro
                    rq[Q_GRO_SPRING] += g_spring
                    rq[Q_WAIT] += waiting
                    rq[Q_RETURN_ND] += f_nd + t_nd + a_nd
                    rq[Q_GRO_12] += g12
                    rq[Q_GRO_24] += g24
                    fl[F_SRCH, F_DUAL] += placed
                    fl[F_SRCH, F_GUA] += caught
                    fl[F_SRCH, F_ND] += f_nd
                    fl[F_SRCH, F_AAN] += f_aan
                    fl[F_SRCH, F_GRO] += f_gro
                    fl[F_SRCH, F_UQ] += f_unq
                    fl[F_DUAL, F_SRCH] += t_srch
                    fl[F_DUAL, F_ND] += t_nd
                    fl[F_DUAL, F_AAN] += t_aan
                    fl[F_DUAL, F_GRO] += t_gro
                    fl[F_DUAL, F_UQ] += t_unq + left_dual
                    fl[F_GUA, F_DUAL] += to_firm
                    fl[F_AAN, F_SRCH] += a_ready
                    fl[F_AAN, F_ND] += a_nd
                    fl[F_AAN, F_GRO] += a_gro
                    fl[F_AAN, F_UQ] += a_leave
                    fl[F_GRO, F_SRCH] += spring_search
                    fl[F_GRO, F_AAN] += g_spring - spring_search
                    fl[F_GRO, F_PQ] += g_end * part_aan + g_leave * part_aan
                    fl[F_GRO, F_UQ] += g_leave * (1.0 - part_aan)
                    fl[F_GRO, F_ND] += g_end * (1.0 - part_aan)
                    fl[F_ND, F_UQ] += n_leave
                # the end of the groeifase without a partial qualification returns to non-dual
                nd[c, i] += g_end * (1.0 - part_aan)
            # firm stock: active places move towards the firms' offer (levers act on it through
            # places_factor) and bad terminations and refusals make firms inactive
            target = target0[c] * _r(RTC, RTI, R_PLACES, t, c, 0)
            places[c] = max(places[c] + (target - places[c]) / tau - kappa * block_term, 0.0)
            places_out[t, c] = places[c]
            # 5. year end (August): advance, repeat, qualify, leave
            if MS[M_AUG, t] > 0.5:
                _year_end(nd, srch, oao, soa, gua, aan, gro, RTC, RTI, t, c, kw, ka, kg, rec,
                          fl, record)
            if record:
                _record_stocks(nd, srch, oao, soa, gua, aan, gro, RTC, RTI, t, c, kw, ka, kg,
                               rec)
        gua_occ = 0.0
        gro_occ = 0.0
        for c in range(C):
            for i in range(INNER):
                gua_occ += gua[c, i]
                for k in range(kg):
                    gro_occ += gro[c, i, k]
        gua_demand_prev = block_gua_demand.sum()
        gro_demand_prev = block_gro_demand.sum()
        if record:
            for c in range(C):
                flows[t] += block_flows[c]
    return 0


@njit(cache=True, error_model="numpy")
def _record_stocks(nd, srch, oao, soa, gua, aan, gro, RTC, RTI, t, c, kw, ka, kg, rec):
    for i in range(INNER):
        y = i // (NB * NE * NR * NP)
        b = (i // (NE * NR * NP)) % NB
        e = (i // (NR * NP)) % NE
        r = (i // NP) % NR
        p = i % NP
        rq = rec[t, c, e, p]
        s_srch = 0.0
        for k in range(kw):
            s_srch += srch[c, i, k]
        s_oao = 0.0
        s_soa = 0.0
        for d in range(KD):
            s_oao += oao[c, i, d]
            s_soa += soa[c, i, d]
        s_aan = 0.0
        for k in range(aan.shape[2]):
            s_aan += aan[c, i, k]
        s_gro = 0.0
        for k in range(gro.shape[2]):
            s_gro += gro[c, i, k]
        rq[Q_ND] += nd[c, i]
        rq[Q_SRCH] += s_srch
        rq[Q_OAO] += s_oao
        rq[Q_SOA] += s_soa
        rq[Q_GUA] += gua[c, i]
        rq[Q_AAN] += s_aan
        rq[Q_GRO] += s_gro
        school = nd[c, i] + s_srch + s_oao + s_soa + gua[c, i] + s_aan + s_gro
        if b > 0:
            rq[Q_BEHIND] += school - nd[c, i]
            rq[Q_BEHIND_ND] += nd[c, i]
        rq[Q_READY_NP] += s_srch + (s_aan if r == NR - 1 else 0.0)
        tier = Q_OAO_T1 if y < 2 else (Q_OAO_T2 if y == 2 else Q_OAO_T3)
        rq[tier] += s_oao + gua[c, i]


@njit(cache=True, error_model="numpy")
def _year_end(nd, srch, oao, soa, gua, aan, gro, RTC, RTI, t, c, kw, ka, kg, rec, fl, record):
    """Advance a year or repeat it (one more year behind); final years qualify or leave.

    Year 6 graduates go on to a 7th year (share ``year_7_share``) or leave qualified; the
    7th year ends the route (its learners hold the year-6 qualification). Final-year learners
    who do not qualify leave (partial or no qualification) or repeat.
    """
    NYB = NB * NE * NR * NP
    for y in range(NY - 1, -1, -1):
        for b in range(NB - 1, -1, -1):
            for e in range(NE):
                for r in range(NR):
                    for p in range(NP):
                        i = _inner(y, b, e, r, p)
                        up = i + NYB if y < NY - 1 else -1
                        rep = _inner(y, min(b + 1, NB - 1), e, r, p)
                        y7 = _r(RTC, RTI, R_Y7, t, c, i)
                        leave = _r(RTC, RTI, R_FAIL_LEAVE, t, c, i)
                        part = _r(RTC, RTI, R_PART, t, c, i)
                        prof = _r(RTC, RTI, R_PROF, t, c, i)
                        for kind in range(7):
                            if kind == 0:
                                prog = _r(RTC, RTI, R_PROG_ND, t, c, i)
                                grad = _r(RTC, RTI, R_GRAD_ND, t, c, i)
                                route = 0
                                nk = 1
                            elif kind <= 4:
                                prog = _r(RTC, RTI, R_PROG_DUAL, t, c, i)
                                grad = _r(RTC, RTI, R_GRAD_DUAL, t, c, i)
                                route = 1
                                nk = 1 if kind == 4 else (KS if kind == 1 else KD)
                            else:
                                prog = _r(RTC, RTI, R_PROG_AAN, t, c, i)
                                grad = _r(RTC, RTI, R_GRAD_AAN, t, c, i)
                                route = 2
                                nk = ka if kind == 5 else kg
                            for k in range(nk):
                                if kind == 0:
                                    x = nd[c, i]
                                elif kind == 1:
                                    x = srch[c, i, k]
                                elif kind == 2:
                                    x = oao[c, i, k] + soa[c, i, k]
                                elif kind == 3:
                                    continue
                                elif kind == 4:
                                    x = gua[c, i]
                                elif kind == 5:
                                    x = aan[c, i, k]
                                else:
                                    x = gro[c, i, k]
                                if x <= 0.0:
                                    continue
                                if y == NY - 1:  # 7th year: the route ends, qualified
                                    q_edu, q_prof, q_part, q_unq, move_up, move_rep = (
                                        x, 0.0, 0.0, 0.0, 0.0, 0.0)
                                elif y == NY - 2:  # year 6
                                    g = x * grad
                                    move_up = g * y7
                                    qual = g - move_up
                                    p_prof = prof if route == 1 else 0.0
                                    q_edu = qual * (1.0 - p_prof)
                                    q_prof = qual * p_prof
                                    failing = x - g
                                    leaving = failing * leave
                                    q_part = leaving * part
                                    q_unq = leaving - q_part
                                    move_rep = failing - leaving
                                else:
                                    q_edu, q_prof, q_part, q_unq = 0.0, 0.0, 0.0, 0.0
                                    move_up = x * prog
                                    move_rep = x - move_up
                                # move the stock (the duration bin is kept)
                                _move(nd, srch, oao, soa, gua, aan, gro, kind, c, i, k, up, rep,
                                      x, move_up, move_rep)
                                if record:
                                    _leave(rec, t, c, e, p, 0, route, q_edu)
                                    _leave(rec, t, c, e, p, 1, route, q_prof)
                                    _leave(rec, t, c, e, p, 2, route, q_part)
                                    _leave(rec, t, c, e, p, 3, route, q_unq)
                                    src = (F_ND, F_SRCH, F_DUAL, F_DUAL, F_GUA, F_AAN,
                                           F_GRO)[kind]
                                    fl[src, F_QE] += q_edu
                                    fl[src, F_QP] += q_prof
                                    fl[src, F_PQ] += q_part
                                    fl[src, F_UQ] += q_unq


@njit(cache=True, error_model="numpy")
def _move(nd, srch, oao, soa, gua, aan, gro, kind, c, i, k, up, rep, x, move_up, move_rep):
    """Take ``x`` out of (kind, c, i, k); put ``move_up`` in year+1 and ``move_rep`` in
    the repeat stratum (same bin); the rest has left."""
    if kind == 0:
        nd[c, i] -= x
        if up >= 0:
            nd[c, up] += move_up
        nd[c, rep] += move_rep
    elif kind == 1:
        srch[c, i, k] -= x
        if up >= 0:
            srch[c, up, k] += move_up
        srch[c, rep, k] += move_rep
    elif kind == 2:
        so = oao[c, i, k] / x
        oao[c, i, k] = 0.0
        soa[c, i, k] = 0.0
        if up >= 0:
            oao[c, up, k] += move_up * so
            soa[c, up, k] += move_up * (1.0 - so)
        oao[c, rep, k] += move_rep * so
        soa[c, rep, k] += move_rep * (1.0 - so)
    elif kind == 4:
        gua[c, i] -= x
        if up >= 0:
            gua[c, up] += move_up
        gua[c, rep] += move_rep
    elif kind == 5:
        aan[c, i, k] -= x
        if up >= 0:
            aan[c, up, k] += move_up
        aan[c, rep, k] += move_rep
    else:
        gro[c, i, k] -= x
        if up >= 0:
            gro[c, up, k] += move_up
        gro[c, rep, k] += move_rep
