"""The private fast kernel of the cohort engine (numba).

Not public API: :mod:`simlib.model.engine` prepares every input and reads every output. The
kernel moves expected numbers of learners month by month; each market cell (region x sector
x finality) owns a contiguous block of strata. One run uses one core: on a 2-core machine
threads over cells lose more to waiting than they gain (measured in benchmarks/). A batch of
independent runs (parameter draws, :func:`run_batch`) releases the GIL, so batches run in threads.

Layout: ``state[c, k, i]`` with ``c`` the market cell, ``k`` a duration (tunnel) bin and
``i`` the inner stratum, innermost, in the kernel's order (ses, year, behind, readiness; see
:func:`kernel_order`), so that every step is a loop over the strata of a cell that the
compiler vectorises (SIMD). A rate ``n`` at month ``t``, cell ``c``, inner stratum ``i`` is
``RTC[n, t, c] * RTIP[RTIX[n, t], i]``: the inner factors are a pool of distinct rows
``RTIP`` and, per rate and month, the row to use ``RTIX`` (a rate that does not change over
the months has one row, so a batch's rates take little memory).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# --- rate indices (order of simlib.model.engine.KERNEL_RATES) --------------------------------------
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
KD = 7   # contract months 0..5 and 6+
NY, NB, NE, NR = 5, 3, 2, 3  # year, behind, ses, readiness
#: The provider axis is post-stratified (simlib.model.engine): no rate depends on the provider, so
#: the kernel runs one provider slot and the engine splits dual-route learners by the cell's
#: provider shares (exact by linearity).
NP = 1
INNER = NY * NB * NE * NR * NP


#: Extra per-stratum accumulators after the recorded quantities (flows only).
#: Leavers without a full qualification (``*_leave``, ``f_unq``, ``t_unq_left``) are split
#: into a partial qualification (the ``*_pq`` rows) and none, per stratum, exactly as the
#: recorded exits ``leave_pq_*`` / ``leave_uq_*`` are, so the flows and the exit indicators
#: agree.
EXTRA = ("f_nd", "f_aan", "f_gro", "f_unq", "t_srch", "t_nd", "t_aan", "t_gro", "t_unq_left",
         "to_firm", "a_ready", "a_nd", "a_gro", "a_leave", "spring_search", "spring_aan",
         "gro_pq", "gro_uq", "gro_nd", "nd_leave", "f_pq", "t_pq", "a_pq", "nd_pq")
(A_FND, A_FAAN, A_FGRO, A_FUNQ, A_TSRCH, A_TND, A_TAAN, A_TGRO, A_TUNQL, A_TOFIRM, A_AREADY,
 A_AND, A_AGRO, A_ALEAVE, A_SPSRCH, A_SPAAN, A_GPQ, A_GUQ, A_GND, A_NLEAVE, A_FPQ, A_TPQ,
 A_APQ, A_NPQ) = range(len(RECORDED), len(RECORDED) + len(EXTRA))
NACC = len(RECORDED) + len(EXTRA)
#: Rows that are zero while nobody holds or can get a guaranteed place / a Groeifase place.
GUA_ROWS = (Q_GUA, Q_CAUGHT, A_TOFIRM)
GRO_ROWS = (Q_GRO, Q_GRO_IN, Q_GRO_SPRING, Q_WAIT, Q_GRO_12, Q_GRO_24, A_FGRO, A_TGRO,
            A_AGRO, A_SPSRCH, A_SPAAN, A_GPQ, A_GUQ, A_GND)
#: Per-stratum work rows (not recorded).
(W_LAM, W_PFULL, W_HTERM, W_HREF, W_HLEAVE, W_ADULT, W_PA, W_PB, W_PC, W_OUT_UP, W_CAND,
 W_REST, W_RUNQ, W_TUNQ, W_SCALE, W_GLEAVE, W_GEND, W_PART, W_PARTA, W_EARLYD,
 W_EARLYA, W_GENDL) = range(22)
NWORK = 22
HALF = INNER // NE  # strata per indicator-pupil block (the kernel's inner order is ses-major)

_FASTMATH = {"reassoc", "nsz", "contract"}


def kernel_order() -> np.ndarray:
    """``perm`` with ``perm[j]`` the engine's inner index of the kernel's stratum ``j``.

    The engine orders inner strata (year, behind, ses, readiness); the kernel orders them
    (ses, year, behind, readiness) so that each indicator-pupil group is one contiguous block
    (sums per group are contiguous, and vectorise).
    """
    perm = np.empty(INNER, np.int64)
    j = 0
    for e in range(NE):
        for y in range(NY):
            for b in range(NB):
                for r in range(NR):
                    perm[j] = ((y * NB + b) * NE + e) * NR + r
                    j += 1
    return perm


@njit(cache=True)
def search_bins(window_days):
    """Search-window bins (of :data:`BIN_DAYS` school days) a window of ``window_days``
    needs: one more than it covers, for the learners whose window ends this month."""
    return int(np.ceil(window_days / BIN_DAYS)) + 1


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


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _comp_scale(a, fa, b, fb, c, out):
    """``out = P(tot) / tot`` with ``tot = a fa + b fb + c`` (competing hazards; 0 where
    ``tot`` is 0). A small function of its own, so that the compiler vectorises it."""
    for i in range(a.shape[0]):
        tot = a[i] * fa + b[i] * fb + c[i]
        out[i] = _p(tot) / (tot if tot > 0.0 else 1.0)


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _comp_stay(a, fa, b, fb, c, scale, out):
    """``out = 1 - tot * scale``: the share that stays (see :func:`_comp_scale`)."""
    for i in range(a.shape[0]):
        out[i] = 1.0 - (a[i] * fa + b[i] * fb + c[i]) * scale[i]


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _prob_capped(lam, days, cap, out):
    """``out = min(P(lam days), cap)``: the chance of a place within ``days``."""
    for i in range(lam.shape[0]):
        out[i] = min(_p(lam[i] * days), cap)


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _leave_prob(x, adult, a, rate, out):
    """``out = x P(adult a rate)``: leavers among ``x`` (only past 18)."""
    for i in range(x.shape[0]):
        out[i] = x[i] * _p(adult[i] * (a * rate[i]))


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _any(a):
    """Whether a row (1-d) has a nonzero entry."""
    for i in range(a.shape[0]):
        if a[i] != 0.0:
            return True
    return False


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _any2(a):
    """Whether a block (2-d) has a nonzero entry."""
    for k in range(a.shape[0]):
        for i in range(a.shape[1]):
            if a[k, i] != 0.0:
                return True
    return False


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _total(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _ration(work, cand_row, ratio, budget):
    """Scale the candidates ``work[cand_row] * ratio`` so that their total stays within the
    ``budget`` (proportionally); write the admitted numbers back; return their total."""
    total = 0.0
    for i in range(INNER):
        total += work[cand_row, i]
    total *= ratio
    if total <= 0.0:
        for i in range(INNER):
            work[cand_row, i] = 0.0
        return 0.0
    f = ratio if total <= budget else ratio * budget / total
    for i in range(INNER):
        work[cand_row, i] *= f
    return min(total, budget)


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _reduce(acc, active, out):
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


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def run_kernel(nd, srch, oao, soa, gua, aan, gro, places, RTC, RTIP, RTIX, MS, inflow, front_load,
               rank_w, U0, V0, alpha, beta, ka, kg, rec, flows, record, target0, kappa, tau,
               places_out, leave_i):
    """Advance the state over all months of ``MS``; fill ``rec``, ``flows`` and ``leave_i``
    (leavers without a full qualification per month and inner stratum, summed over the
    cells: what the compulsory-schooling check reads) if ``record``.

    Layout (kernel order, see :func:`kernel_order`): ``nd[c, i]``, ``gua[c, i]``,
    ``srch[c, k, i]``, ``oao[c, d, i]``, ``soa[c, d, i]``, ``aan[c, k, i]``, ``gro[c, k, i]``.
    Every step is a loop over the strata of a cell with no branch on the stratum, so it
    vectorises.

    Capacities (guaranteed places, Groeifase) are Flanders-wide: admissions are rationed in
    proportion to last month's demand and never exceed the free places (a hard budget; when
    this month's candidates in a cell exceed what is left, each is admitted in the same
    proportion, and cells are served in order).
    """
    T = MS.shape[1]
    C = nd.shape[0]
    ks = srch.shape[1]  # search-window bins of the state (sized by the engine for the run)
    kw = search_bins(MS[M_WINDOW].max())
    if kw > ks:
        raise ValueError("the search window needs more bins than the state holds")
    for k in range(ks - 1, kw - 1, -1):  # bins already occupied at the start (a longer window)
        if srch[:, k, :].max() > 0.0:
            kw = k + 1
            break
    # per-stratum constants (kernel order: ses, year, behind, readiness)
    Y = np.empty(INNER, np.int64)
    not_last = np.empty(INNER)   # 1 where the stratum can choose the dual route (year < 7)
    rank_i = np.empty(INNER)
    behind_i = np.empty(INNER)
    high_i = np.empty(INNER)
    tier = np.empty((3, INNER))
    up = np.empty(INNER, np.int64)
    rep = np.empty(INNER, np.int64)
    for i in range(INNER):
        r = i % NR
        b = (i // NR) % NB
        y = (i // (NR * NB)) % NY
        Y[i] = y
        not_last[i] = 1.0 if y < NY - 1 else 0.0
        rank_i[i] = rank_w[r]
        behind_i[i] = 1.0 if b > 0 else 0.0
        high_i[i] = 1.0 if r == NR - 1 else 0.0
        for n in range(3):
            tier[n, i] = 0.0
        tier[0 if y < 2 else (1 if y == 2 else 2), i] = 1.0
        up[i] = i + NB * NR if y < NY - 1 else -1
        rep[i] = i + NR if b < NB - 1 else i
    acc = np.zeros((NACC, INNER))
    wk = np.zeros((NWORK, INNER))
    scl = np.zeros((KD, INNER))   # per contract month: probability scale of the month
    cstay = np.zeros((KD, INNER))  # per contract month: share staying
    sums = np.zeros((NACC, NE))
    active = np.ones(NACC, np.bool_)
    # row views made once (a view costs two atomic reference counts)
    a_gro = acc[A_AGRO]
    a_lv = acc[A_ALEAVE]
    a_nd_ = acc[A_AND]
    a_ready = acc[A_AREADY]
    f_aan = acc[A_FAAN]
    f_gro = acc[A_FGRO]
    f_nd = acc[A_FND]
    f_unq = acc[A_FUNQ]
    back = acc[A_GND]
    n_leave = acc[A_NLEAVE]
    sps = acc[A_SPSRCH]
    t_aan = acc[A_TAAN]
    t_gro = acc[A_TGRO]
    t_nd = acc[A_TND]
    to_firm = acc[A_TOFIRM]
    t_srch = acc[A_TSRCH]
    left = acc[A_TUNQL]
    caught = acc[Q_CAUGHT]
    failed = acc[Q_FAILED]
    g12 = acc[Q_GRO_12]
    g24 = acc[Q_GRO_24]
    g_spring = acc[Q_GRO_SPRING]
    placed = acc[Q_PLACED]
    pdays = acc[Q_PLACED_DAYS]
    refused = acc[Q_REFUSED]
    term = acc[Q_TERM]
    early = acc[Q_TERM_EARLY]
    waiting = acc[Q_WAIT]
    adult = wk[W_ADULT]
    cand = wk[W_CAND]
    early_aan = wk[W_EARLYA]
    early_dual = wk[W_EARLYD]
    g_end = wk[W_GEND]
    g_endl = wk[W_GENDL]
    g_leave = wk[W_GLEAVE]
    hleave = wk[W_HLEAVE]
    href = wk[W_HREF]
    hterm = wk[W_HTERM]
    lam = wk[W_LAM]
    gin = wk[W_OUT_UP]
    part_aan = wk[W_PARTA]
    part = wk[W_PART]
    pa = wk[W_PA]
    pb = wk[W_PB]
    pl = wk[W_PC]
    pc = wk[W_PC]
    pfull = wk[W_PFULL]
    rest = wk[W_REST]
    r_unq = wk[W_RUNQ]
    sca = wk[W_SCALE]
    t_unq = wk[W_TUNQ]
    gua_occ = 0.0
    gro_occ = 0.0
    for c in range(C):
        gua_occ += gua[c].sum()
        gro_occ += gro[c].sum()
    gua_demand_prev = 0.0
    gro_demand_prev = 0.0
    ti = np.empty((RTIX.shape[0], INNER))  # this month's inner factor of every rate
    ti_row = np.full(RTIX.shape[0], -1, np.int64)
    for t in range(T):
        for n in range(RTIX.shape[0]):
            if RTIX[n, t] != ti_row[n]:
                ti_row[n] = RTIX[n, t]
                ti[n, :] = RTIP[ti_row[n], :]
        D = MS[M_DAYS, t]
        W = MS[M_WINDOW, t]
        shift = int(D // BIN_DAYS)
        route_w = MS[M_ROUTE_W, t]
        g_open = MS[M_G_OPEN, t] > 0.5
        g_intake = int(MS[M_G_INTAKE, t])
        g_max = int(MS[M_G_MAX, t])
        g_rule = int(MS[M_G_RULE, t])
        gua_on = MS[M_GUA_ON, t] > 0.5
        sep = MS[M_SEP, t] > 0.5
        aug = MS[M_AUG, t] > 0.5
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
        gua_demand = 0.0
        gro_demand = 0.0
        for c in range(C):
            fl = flows[t] if record else flows[0]
            ndc = nd[c]
            sc = srch[c]
            oc = oao[c]
            soc = soa[c]
            gc = gua[c]
            ac = aan[c]
            grc = gro[c]

            # rows that can be nonzero this month (the others are not summed)
            gua_active = gua_on or _any(gc)
            gro_active = g_open or _any2(grc)

            # 1. inflow (September): the new cohort enters year 3, non-dual
            if sep:
                cohort = MS[M_COHORT, t]
                s = 0.0
                for i in range(INNER):
                    x = inflow[c, i] * cohort
                    ndc[i] += x
                    s += x
                if record:
                    fl[F_IN, F_ND] += s

            # 2. route choice and screening (not from the 7th year)
            if route_w > 0.0:
                a_route = RTC[R_ROUTE, t, c] * route_w
                a_screen = RTC[R_SCREEN, t, c]
                for i in range(INNER):
                    share = min(a_route * ti[R_ROUTE, i], 1.0) * not_last[i]
                    entries = ndc[i] * share
                    ready = entries * (a_screen * ti[R_SCREEN, i])
                    ndc[i] -= entries
                    sc[0, i] += ready
                    ac[0, i] += entries - ready
                    acc[Q_ENTRY, i] = entries
                    acc[Q_SCREENED_OUT, i] = entries - ready
            else:
                acc[Q_ENTRY] = 0.0
                acc[Q_SCREENED_OUT] = 0.0

            # 3. market: searchers and vacancies in this cell
            U = 0.0
            Ur0 = 0.0
            Ur1 = 0.0
            Ur2 = 0.0
            for k in range(kw):
                for i in range(0, INNER, NR):
                    Ur0 += sc[k, i]
                    Ur1 += sc[k, i + 1]
                    Ur2 += sc[k, i + 2]
            U = Ur0 + Ur1 + Ur2
            filled = 0.0
            for d in range(KD):
                for i in range(INNER):
                    filled += oc[d, i] + soc[d, i]
            V = max(places[c] - filled, 1e-9)
            lam_mult = (V / V0[c]) ** beta
            if U > 0.0 and U0[c] > 0.0:
                lam_mult *= (U / U0[c]) ** (alpha - 1.0)
            norm = 1.0
            if U > 0.0:
                norm = (Ur0 * rank_w[0] + Ur1 * rank_w[1] + Ur2 * rank_w[2]) / U
            p_cap = 1.0 if U <= V else V / U
            # guaranteed learners move to firms only into places the searchers leave open
            open_share = max(V - U, 0.0) / V

            # 4a. searching: placement over the school days left in the window
            placed[:] = 0.0
            pdays[:] = 0.0
            failed[:] = 0.0
            if D > 0.0:
                a_lam = RTC[R_PLACE, t, c] * lam_mult / norm
                for i in range(INNER):
                    lam[i] = a_lam * ti[R_PLACE, i] * rank_i[i]
                _prob_capped(lam, D, p_cap, pfull)  # a whole month in the window
                for k in range(kw - 1, -1, -1):
                    row = sc[k]
                    if not _any(row):
                        continue
                    used = k * BIN_DAYS
                    avail = min(D, max(W - used, 0.0))
                    mid = used + 0.5 * avail
                    if avail == D:
                        prob = pfull
                    else:
                        prob = wk[W_PB]
                        _prob_capped(lam, avail, p_cap, prob)
                    for i in range(INNER):
                        pl[i] = row[i] * prob[i]
                    for i in range(INNER):
                        placed[i] += pl[i]
                    for i in range(INNER):
                        pdays[i] += pl[i] * mid
                    to = k + shift
                    if used + D >= W:  # the window ends this month
                        for i in range(INNER):
                            failed[i] += row[i] - pl[i]
                        row[:] = 0.0
                    elif to == k:
                        for i in range(INNER):
                            row[i] -= pl[i]
                    else:
                        dest = sc[to]
                        for i in range(INNER):
                            dest[i] += row[i] - pl[i]
                        row[:] = 0.0

            # 4b. contracts: terminations by contract month, refusals, leaving past 18
            term[:] = 0.0
            early[:] = 0.0
            refused[:] = 0.0
            left[:] = 0.0
            a_term = RTC[R_TERM, t, c]
            a_ref = RTC[R_REFUSE, t, c]
            a_adult = RTC[R_ADULT, t, c]
            a_leave = RTC[R_LEAVE_DUAL, t, c]
            a_oao = RTC[R_OAO, t, c]
            for i in range(INNER):
                hterm[i] = a_term * ti[R_TERM, i]
                href[i] = a_ref * ti[R_REFUSE, i]
                adult[i] = a_adult * ti[R_ADULT, i]
                hleave[i] = adult[i] * (a_leave * ti[R_LEAVE_DUAL, i])
            # one array written per loop, so that every loop vectorises
            for d in range(KD - 1, -1, -1):
                fd = front_load[d]
                is_early = 1.0 if d < 3 else 0.0
                sd = scl[d]
                sy = cstay[d]
                o = oc[d]
                so = soc[d]
                _comp_scale(hterm, fd, href, is_early, hleave, sd)
                _comp_stay(hterm, fd, href, is_early, hleave, sd, sy)
                for i in range(INNER):
                    term[i] += (o[i] + so[i]) * (hterm[i] * fd) * sd[i]
                if d < 3:
                    for i in range(INNER):
                        early[i] += (o[i] + so[i]) * (hterm[i] * fd) * sd[i]
                    for i in range(INNER):
                        refused[i] += (o[i] + so[i]) * href[i] * sd[i]
                for i in range(INNER):
                    left[i] += (o[i] + so[i]) * hleave[i] * sd[i]
            for arr in (oc, soc):  # a month older: the last bin keeps its stayers
                last = arr[KD - 1]
                prev = arr[KD - 2]
                for i in range(INNER):
                    last[i] = last[i] * cstay[KD - 1, i] + prev[i] * cstay[KD - 2, i]
                for d in range(KD - 2, 0, -1):
                    a = arr[d]
                    b = arr[d - 1]
                    sb = cstay[d - 1]
                    for i in range(INNER):
                        a[i] = b[i] * sb[i]
                arr[0, :] = 0.0
            for i in range(INNER):
                share = a_oao * ti[R_OAO, i]
                oc[0, i] += placed[i] * share
                soc[0, i] += placed[i] * (1.0 - share)

            # 4c. guaranteed places: transfer to a firm, leaving past 18
            if _any(gc):
                a_tr = RTC[R_TRANSFER, t, c] * open_share
                for i in range(INNER):
                    htr = a_tr * ti[R_TRANSFER, i]
                    tot = htr + hleave[i]
                    scale = _p(tot) / (tot if tot > 0.0 else 1.0)
                    gx = gc[i]
                    tf = gx * htr * scale
                    gl = gx * hleave[i] * scale
                    gc[i] = gx - tf - gl
                    oc[0, i] += tf
                    left[i] += gl
                    to_firm[i] = tf
            else:
                to_firm[:] = 0.0

            # 4d. failed searches: guarantee first, then the rule's destinations
            # (one array written per loop, so that every loop vectorises)
            if gua_on:
                caught[:] = failed
                gua_demand += _total(failed)
                gua_budget -= _ration(acc, Q_CAUGHT, gua_ratio, gua_budget)
                for i in range(INNER):
                    gc[i] += caught[i]
                for i in range(INNER):
                    rest[i] = failed[i] - caught[i]
            else:
                caught[:] = 0.0
                rest[:] = failed
            a_unq = RTC[R_SF_UNQ, t, c]
            a_nd = RTC[R_SF_ND, t, c]
            a_aan = RTC[R_SF_AAN, t, c]
            for i in range(INNER):
                r_unq[i] = rest[i] * (a_unq * ti[R_SF_UNQ, i])
            for i in range(INNER):
                f_unq[i] = r_unq[i] * adult[i]
            for i in range(INNER):
                f_nd[i] = rest[i] * (a_nd * ti[R_SF_ND, i]) + r_unq[i] * (1.0 - adult[i])
            for i in range(INNER):
                f_aan[i] = rest[i] * (a_aan * ti[R_SF_AAN, i])
            if g_open and g_rule == 2:  # broad intake: failed searches to the groeifase
                f_gro[:] = f_aan
                gro_demand += _total(f_aan)
                gro_budget -= _ration(acc, A_FGRO, gro_ratio, gro_budget)
                for i in range(INNER):
                    f_aan[i] -= f_gro[i]
            else:
                f_gro[:] = 0.0

            # 4e. terminations (refusals restart the search)
            a_unq = RTC[R_T_UNQ, t, c]
            a_nd = RTC[R_T_ND, t, c]
            a_aan = RTC[R_T_AAN, t, c]
            a_s = RTC[R_T_SEARCH, t, c]
            for i in range(INNER):
                r_unq[i] = term[i] * (a_unq * ti[R_T_UNQ, i])
            for i in range(INNER):
                t_unq[i] = r_unq[i] * adult[i]
            for i in range(INNER):
                t_nd[i] = term[i] * (a_nd * ti[R_T_ND, i]) + r_unq[i] * (1.0 - adult[i])
            for i in range(INNER):
                t_aan[i] = term[i] * (a_aan * ti[R_T_AAN, i])
            for i in range(INNER):
                t_srch[i] = refused[i] + term[i] * (a_s * ti[R_T_SEARCH, i])
            block_term = _total(term) + _total(refused)
            if g_open and g_rule >= 1:
                t_gro[:] = t_aan
                gro_demand += _total(t_aan)
                gro_budget -= _ration(acc, A_TGRO, gro_ratio, gro_budget)
                for i in range(INNER):
                    t_aan[i] -= t_gro[i]
            else:
                t_gro[:] = 0.0
            for i in range(INNER):
                left[i] += t_unq[i]  # row A_TUNQL: terminations without qualification + left

            # 4f. aanloopfase (duration bins): work-ready, to non-dual, to groeifase, leaving
            a_ready[:] = 0.0
            a_nd_[:] = 0.0
            a_lv[:] = 0.0
            a_gro[:] = 0.0
            waiting[:] = 0.0
            if _any2(ac):
                c_ready = RTC[R_READY, t, c]
                c_and = RTC[R_AAN_ND, t, c]
                c_al = RTC[R_LEAVE_AAN, t, c]
                for i in range(INNER):
                    pa[i] = c_ready * ti[R_READY, i]
                for i in range(INNER):
                    pb[i] = c_and * ti[R_AAN_ND, i]
                for i in range(INNER):
                    pc[i] = adult[i] * (c_al * ti[R_LEAVE_AAN, i])
                _comp_scale(pa, 1.0, pb, 1.0, pc, sca)
                for i in range(INNER):
                    pa[i] *= sca[i]
                for i in range(INNER):
                    pb[i] *= sca[i]
                for i in range(INNER):
                    pc[i] *= sca[i]
                for k in range(ka - 1, -1, -1):
                    row = ac[k]
                    if not _any(row):
                        continue
                    to = min(k + 1, ka - 1)
                    for i in range(INNER):
                        a_ready[i] += row[i] * pa[i]
                    for i in range(INNER):
                        a_nd_[i] += row[i] * pb[i]
                    for i in range(INNER):
                        a_lv[i] += row[i] * pc[i]
                    for i in range(INNER):
                        cand[i] = row[i] * (1.0 - pa[i] - pb[i] - pc[i])
                    if g_open and k >= g_intake:
                        gro_demand += _total(cand)
                        gin[:] = cand
                        gro_budget -= _ration(wk, W_OUT_UP, gro_ratio, gro_budget)
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
                        dest = ac[to]
                        for i in range(INNER):
                            dest[i] += cand[i]

            # 4g. groeifase (duration bins): springboard, leaving, end of the trajectory
            g_spring[:] = 0.0
            g_leave[:] = 0.0
            g_end[:] = 0.0
            g12[:] = 0.0
            g24[:] = 0.0
            if _any2(grc):
                c_sp = RTC[R_SPRING, t, c]
                c_gl = RTC[R_LEAVE_GRO, t, c]
                for i in range(INNER):
                    h1 = c_sp * ti[R_SPRING, i]
                    h2 = adult[i] * (c_gl * ti[R_LEAVE_GRO, i])
                    tot = h1 + h2
                    scale = _p(tot) / (tot if tot > 0.0 else 1.0)
                    pa[i] = h1 * scale
                    pb[i] = h2 * scale
                for k in range(kg - 1, -1, -1):
                    row = grc[k]
                    if not _any(row):
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
                    dest = grc[k + 1]
                    for i in range(INNER):
                        dest[i] += cand[i]
                    if k + 1 >= 12:
                        for i in range(INNER):
                            g12[i] += cand[i]
                    if k + 1 >= 24:
                        for i in range(INNER):
                            g24[i] += cand[i]

            # 4h. non-dual leaving past 18; apply the moves; what is recorded
            c_lnd = RTC[R_LEAVE_ND, t, c]
            c_ss = RTC[R_SPRING_SEARCH, t, c]
            c_part = RTC[R_PART, t, c]
            c_pa = RTC[R_PART_AAN, t, c]
            c_fl = RTC[R_FAIL_LEAVE, t, c]
            _leave_prob(ndc, adult, c_lnd, ti[R_LEAVE_ND], n_leave)
            for i in range(INNER):
                sps[i] = g_spring[i] * (c_ss * ti[R_SPRING_SEARCH, i])
            for i in range(INNER):
                part[i] = c_part * ti[R_PART, i]
            for i in range(INNER):
                part_aan[i] = c_pa * ti[R_PART_AAN, i]
            # the end of the Groeifase: learners past compulsory schooling leave school at the
            # share of final-year learners who fail and leave; every minor and the others
            # return to the non-dual variant (nobody leaves before 18 without a qualification)
            for i in range(INNER):
                g_endl[i] = g_end[i] * adult[i] * (c_fl * ti[R_FAIL_LEAVE, i])
            for i in range(INNER):
                back[i] = g_end[i] - g_endl[i]
            row = sc[0]
            for i in range(INNER):
                row[i] += t_srch[i] + a_ready[i] + sps[i]
            row = ac[0]
            for i in range(INNER):
                row[i] += f_aan[i] + t_aan[i] + g_spring[i] - sps[i]
            row = acc[Q_GRO_IN]
            for i in range(INNER):
                row[i] = f_gro[i] + t_gro[i] + a_gro[i]
            row0 = grc[0]
            for i in range(INNER):
                row0[i] += row[i]
            row = acc[Q_RETURN_ND]
            for i in range(INNER):
                row[i] = f_nd[i] + t_nd[i] + a_nd_[i]
            for i in range(INNER):
                ndc[i] += row[i] + back[i] - n_leave[i]
            for i in range(INNER):
                early_dual[i] = f_unq[i] + left[i]
            for i in range(INNER):
                early_aan[i] = a_lv[i] + g_leave[i] + g_endl[i]
            for q in range(6):
                acc[Q_LEAVE + q] = 0.0
            row = acc[Q_LEAVE + 6]
            for i in range(INNER):
                row[i] = n_leave[i] * part[i]
            row = acc[Q_LEAVE + 7]
            for i in range(INNER):
                row[i] = early_dual[i] * part[i]
            row = acc[Q_LEAVE + 8]
            for i in range(INNER):
                row[i] = early_aan[i] * part_aan[i]
            row = acc[Q_LEAVE + 9]
            for i in range(INNER):
                row[i] = n_leave[i] * (1.0 - part[i])
            row = acc[Q_LEAVE + 10]
            for i in range(INNER):
                row[i] = early_dual[i] * (1.0 - part[i])
            row = acc[Q_LEAVE + 11]
            for i in range(INNER):
                row[i] = early_aan[i] * (1.0 - part_aan[i])
            row = acc[A_SPAAN]
            for i in range(INNER):
                row[i] = g_spring[i] - sps[i]
            row = acc[A_GPQ]
            for i in range(INNER):
                row[i] = (g_endl[i] + g_leave[i]) * part_aan[i]
            row = acc[A_GUQ]
            for i in range(INNER):
                row[i] = (g_endl[i] + g_leave[i]) * (1.0 - part_aan[i])
            # the partial-qualification part of every other exit without a full
            # qualification (the flows split them as the recorded exits do)
            row = acc[A_FPQ]
            for i in range(INNER):
                row[i] = f_unq[i] * part[i]
            row = acc[A_TPQ]
            for i in range(INNER):
                row[i] = left[i] * part[i]
            row = acc[A_APQ]
            for i in range(INNER):
                row[i] = a_lv[i] * part_aan[i]
            row = acc[A_NPQ]
            for i in range(INNER):
                row[i] = n_leave[i] * part[i]

            # firm stock: active places move towards the firms' offer (levers act on it through
            # places_factor) and bad terminations and refusals make firms inactive
            target = target0[c] * RTC[R_PLACES, t, c] * ti[R_PLACES, 0]
            places[c] = max(places[c] + (target - places[c]) / tau - kappa * block_term, 0.0)
            places_out[t, c] = places[c]

            # 5. year end (August): advance, repeat, qualify, leave
            if aug:
                _year_end(ndc, sc, oc, soc, gc, ac, grc, RTC, ti, t, c, kw, Y, up, rep, acc,
                          wk, fl, record)
            if record:
                _record(ndc, sc, oc, soc, gc, ac, grc, kw, behind_i, high_i, tier, acc)
                active[:] = True
                if route_w <= 0.0:
                    active[Q_ENTRY] = False
                    active[Q_SCREENED_OUT] = False
                if not aug:
                    for q in range(Q_LEAVE, Q_LEAVE + 6):
                        active[q] = False
                if not gua_active:
                    for q in GUA_ROWS:
                        active[q] = False
                if not gro_active:
                    for q in GRO_ROWS:
                        active[q] = False
                _reduce(acc, active, sums)
                li = leave_i[t]
                for q in range(Q_LEAVE + 6, Q_LEAVE + 12):
                    row = acc[q]
                    for i in range(INNER):
                        li[i] += row[i]
                rq = rec[t, c]
                for e in range(NE):
                    for q in range(len(RECORDED)):
                        rq[e, 0, q] += sums[q, e]
                _flows(sums, fl)
        gua_occ = 0.0
        gro_occ = 0.0
        for c in range(C):
            gua_occ += gua[c].sum()
            gro_occ += gro[c].sum()
        gua_demand_prev = gua_demand
        gro_demand_prev = gro_demand
    return 0


@njit(cache=True, error_model="numpy", nogil=True)
def run_batch(nd, srch, oao, soa, gua, aan, gro, places, RTC, RTIP, RTIX, MS, inflow, front_load,
              rank_w, U0, V0, alpha, beta, ka, kg, rec, flows, record, target0, kappa, tau,
              places_out, leave_i):
    """:func:`run_kernel` for independent draws: every argument of ``run_kernel`` that can
    differ between draws has a leading draw axis (the scalars ``alpha``, ``beta``, ``kappa``,
    ``tau`` are arrays over draws); ``ka``, ``kg`` and ``record`` are shared. Each draw is
    computed exactly as a single run would be, so a draw's result does not depend on the
    batch it is in. The GIL is released: batches run in parallel in threads (a sweep's
    chunks), while another thread prepares the next batch's rates in Python.
    """
    for d in range(nd.shape[0]):
        run_kernel(nd[d], srch[d], oao[d], soa[d], gua[d], aan[d], gro[d], places[d], RTC[d],
                   RTIP[d], RTIX[d], MS[d], inflow[d], front_load[d], rank_w[d], U0[d], V0[d],
                   alpha[d], beta[d], ka, kg, rec[d], flows[d], record, target0[d], kappa[d], tau[d],
                   places_out[d], leave_i[d])
    return 0


@njit(cache=True, inline="always", error_model="numpy")
def _s(sums, q):
    return sums[q, 0] + sums[q, 1]


@njit(cache=True, error_model="numpy")
def _flows(sums, fl):
    """The month's flows of one cell between nodes (sums over the strata)."""
    screened_out = _s(sums, Q_SCREENED_OUT)
    fl[F_ND, F_SRCH] += _s(sums, Q_ENTRY) - screened_out
    fl[F_ND, F_AAN] += screened_out
    fl[F_SRCH, F_DUAL] += _s(sums, Q_PLACED)
    fl[F_SRCH, F_GUA] += _s(sums, Q_CAUGHT)
    fl[F_SRCH, F_ND] += _s(sums, A_FND)
    fl[F_SRCH, F_AAN] += _s(sums, A_FAAN)
    fl[F_SRCH, F_GRO] += _s(sums, A_FGRO)
    fl[F_SRCH, F_UQ] += _s(sums, A_FUNQ) - _s(sums, A_FPQ)
    fl[F_SRCH, F_PQ] += _s(sums, A_FPQ)
    fl[F_DUAL, F_SRCH] += _s(sums, A_TSRCH)
    fl[F_DUAL, F_ND] += _s(sums, A_TND)
    fl[F_DUAL, F_AAN] += _s(sums, A_TAAN)
    fl[F_DUAL, F_GRO] += _s(sums, A_TGRO)
    fl[F_DUAL, F_UQ] += _s(sums, A_TUNQL) - _s(sums, A_TPQ)
    fl[F_DUAL, F_PQ] += _s(sums, A_TPQ)
    fl[F_GUA, F_DUAL] += _s(sums, A_TOFIRM)
    fl[F_AAN, F_SRCH] += _s(sums, A_AREADY)
    fl[F_AAN, F_ND] += _s(sums, A_AND)
    fl[F_AAN, F_GRO] += _s(sums, A_AGRO)
    fl[F_AAN, F_UQ] += _s(sums, A_ALEAVE) - _s(sums, A_APQ)
    fl[F_AAN, F_PQ] += _s(sums, A_APQ)
    fl[F_GRO, F_SRCH] += _s(sums, A_SPSRCH)
    fl[F_GRO, F_AAN] += _s(sums, A_SPAAN)
    fl[F_GRO, F_PQ] += _s(sums, A_GPQ)
    fl[F_GRO, F_UQ] += _s(sums, A_GUQ)
    fl[F_GRO, F_ND] += _s(sums, A_GND)
    fl[F_ND, F_UQ] += _s(sums, A_NLEAVE) - _s(sums, A_NPQ)
    fl[F_ND, F_PQ] += _s(sums, A_NPQ)


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _record(ndc, sc, oc, soc, gc, ac, grc, kw, behind_i, high_i, tier, acc):
    """The stocks of one cell at the end of the month, per stratum, into ``acc``."""
    s_srch = acc[Q_SRCH]
    s_oao = acc[Q_OAO]
    s_soa = acc[Q_SOA]
    s_aan = acc[Q_AAN]
    s_gro = acc[Q_GRO]
    s_srch[:] = sc[0]
    for k in range(1, kw):
        for i in range(INNER):
            s_srch[i] += sc[k, i]
    s_oao[:] = oc[0]
    s_soa[:] = soc[0]
    for d in range(1, KD):
        for i in range(INNER):
            s_oao[i] += oc[d, i]
            s_soa[i] += soc[d, i]
    s_aan[:] = ac[0]
    for k in range(1, ac.shape[0]):
        for i in range(INNER):
            s_aan[i] += ac[k, i]
    s_gro[:] = grc[0]
    for k in range(1, grc.shape[0]):
        for i in range(INNER):
            s_gro[i] += grc[k, i]
    for i in range(INNER):
        acc[Q_ND, i] = ndc[i]
        acc[Q_GUA, i] = gc[i]
        route = s_srch[i] + s_oao[i] + s_soa[i] + gc[i] + s_aan[i] + s_gro[i]
        acc[Q_BEHIND, i] = route * behind_i[i]
        acc[Q_BEHIND_ND, i] = ndc[i] * behind_i[i]
        acc[Q_READY_NP, i] = s_srch[i] + s_aan[i] * high_i[i]
        paid = s_oao[i] + gc[i]
        acc[Q_OAO_T1, i] = paid * tier[0, i]
        acc[Q_OAO_T2, i] = paid * tier[1, i]
        acc[Q_OAO_T3, i] = paid * tier[2, i]


@njit(cache=True, error_model="numpy", fastmath=_FASTMATH)
def _year_end(ndc, sc, oc, soc, gc, ac, grc, RTC, ti, t, c, kw, Y, up, rep, acc, wk, fl,
              record):
    """Advance a year or repeat it (one more year behind); final years qualify or leave.

    Year 6 graduates go on to a 7th year (share ``year_7_share``) or leave qualified; the
    7th year ends the route (its learners hold the year-6 qualification). Final-year learners
    who do not qualify leave (partial or no qualification) or repeat. The map is linear in
    the stock, so each state and duration bin is moved on its own.
    """
    out = wk[W_OUT_UP]
    for kind in range(7):
        if kind == 0:
            nk, route, src = 1, 0, F_ND
        elif kind == 1:
            nk, route, src = kw, 1, F_SRCH
        elif kind == 2 or kind == 3:
            nk, route, src = KD, 1, F_DUAL
        elif kind == 4:
            nk, route, src = 1, 1, F_GUA
        elif kind == 5:
            nk, route, src = ac.shape[0], 2, F_AAN
        else:
            nk, route, src = grc.shape[0], 2, F_GRO
        rp = (R_PROG_ND, R_PROG_DUAL, R_PROG_AAN)[route]
        rg = (R_GRAD_ND, R_GRAD_DUAL, R_GRAD_AAN)[route]
        a_prog = RTC[rp, t, c]
        a_grad = RTC[rg, t, c]
        a_y7 = RTC[R_Y7, t, c]
        a_leave = RTC[R_FAIL_LEAVE, t, c]
        rpart = R_PART_AAN if route == 2 else R_PART  # Aanloopfase/Groeifase: its own share
        a_part = RTC[rpart, t, c]
        a_prof = RTC[R_PROF, t, c] if route == 1 else 0.0
        q_tot = np.zeros(4)
        for k in range(nk):
            if kind == 0:
                arr = ndc
            elif kind == 1:
                arr = sc[k]
            elif kind == 2:
                arr = oc[k]
            elif kind == 3:
                arr = soc[k]
            elif kind == 4:
                arr = gc
            elif kind == 5:
                arr = ac[k]
            else:
                arr = grc[k]
            if not _any(arr):
                continue
            out[:] = 0.0
            for i in range(INNER):
                x = arr[i]
                y = Y[i]
                if y == NY - 1:  # 7th year: the route ends, qualified
                    q_edu, q_prof, q_part, q_unq, move_up, move_rep = x, 0.0, 0.0, 0.0, 0.0, 0.0
                elif y == NY - 2:  # year 6
                    g = x * (a_grad * ti[rg, i])
                    move_up = g * (a_y7 * ti[R_Y7, i])
                    qual = g - move_up
                    p_prof = a_prof * ti[R_PROF, i]
                    q_edu = qual * (1.0 - p_prof)
                    q_prof = qual * p_prof
                    failing = x - g
                    leaving = failing * (a_leave * ti[R_FAIL_LEAVE, i])
                    q_part = leaving * (a_part * ti[rpart, i])
                    q_unq = leaving - q_part
                    move_rep = failing - leaving
                else:
                    q_edu, q_prof, q_part, q_unq = 0.0, 0.0, 0.0, 0.0
                    move_up = x * (a_prog * ti[rp, i])
                    move_rep = x - move_up
                if up[i] >= 0:
                    out[up[i]] += move_up
                out[rep[i]] += move_rep
                acc[Q_LEAVE + route, i] += q_edu
                acc[Q_LEAVE + 3 + route, i] += q_prof
                acc[Q_LEAVE + 6 + route, i] += q_part
                acc[Q_LEAVE + 9 + route, i] += q_unq
                q_tot[0] += q_edu
                q_tot[1] += q_prof
                q_tot[2] += q_part
                q_tot[3] += q_unq
            arr[:] = out
        if record:
            fl[src, F_QE] += q_tot[0]
            fl[src, F_QP] += q_tot[1]
            fl[src, F_PQ] += q_tot[2]
            fl[src, F_UQ] += q_tot[3]


@njit(cache=True, error_model="numpy", nogil=True)
def labour_months(leave, start, find, sep, months):
    """Leavers' labour-market states per month (see :func:`simlib.model.engine._labour`).

    ``leave[t, g, q, r]``: leavers of month ``t``, group ``g``, qualification ``q``, route
    ``r``; ``start[g, q, r, s]``: their split over the statuses ``s`` (employed, job seeking,
    further study, inactive) at exit; ``find[g, q]``, ``sep[g]``: monthly chances to find and
    to lose work (per group, so that groups of different parameter draws run together). Returns the stock per (t, g, q, s) and, per (t, g), the employed, the job seekers
    and all leavers reaching 12 months since exit that month.
    """
    T, G = leave.shape[0], leave.shape[1]
    M = months
    stock = np.zeros((G, 4, 4, M))  # group, qualification, status, months since exit
    out = np.zeros((T, G, 4, 4))
    emp12 = np.zeros((T, G))
    seek12 = np.zeros((T, G))
    ex12 = np.zeros((T, G))
    for t in range(T):
        for g in range(G):
            for q in range(4):
                for m in range(M):
                    hired = stock[g, q, 1, m] * find[g, q]
                    lost = stock[g, q, 0, m] * sep[g]
                    stock[g, q, 0, m] += hired - lost
                    stock[g, q, 1, m] += lost - hired
            # leavers reaching 12 months since exit this month (bin M-2 after 12 transitions)
            for q in range(4):
                emp12[t, g] += stock[g, q, 0, M - 2]
                seek12[t, g] += stock[g, q, 1, M - 2]
                for st in range(4):
                    ex12[t, g] += stock[g, q, st, M - 2]
            for q in range(4):
                for st in range(4):
                    row = stock[g, q, st]
                    aged = row[M - 1] + row[M - 2]
                    for m in range(M - 2, 0, -1):
                        row[m] = row[m - 1]
                    row[M - 1] = aged
                    x = 0.0
                    for r in range(3):
                        x += leave[t, g, q, r] * start[g, q, r, st]
                    row[0] = x
                    total = 0.0
                    for m in range(M):
                        total += row[m]
                    out[t, g, q, st] = total
    return out, emp12, seek12, ex12
