"""Steps 3 and 4a of a cell's month: the placement market and placement over the window."""

from __future__ import annotations

from numba import njit

from simlib.model.kernel.layout import BIN_DAYS, INNER, KD, NR, A, R, W
from simlib.model.kernel.numerics import FASTMATH, any1, prob_capped


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def market(srch, oao, soa, places, U0, V0, alpha, beta, rank_w, kw):
    """Step 3: the cell's searchers U (in the ``kw`` window bins in use) and vacancies V
    (active ``places`` minus the contracts ``oao``, ``soa``) against their reference ``U0``,
    ``V0``: a Cobb-Douglas matching function with elasticities ``alpha``, ``beta``.

    Returns ``(lam_mult, norm, p_cap, open_share)``: the factor on the daily placement hazard,
    the searchers' mean rank weight (``rank_w`` by readiness; employers rank by readiness),
    the cap on a searcher's chance in a month (no more placements than vacancies, V / U) and
    the share of vacancies the searchers leave open (guaranteed learners move to firms only
    into those).
    """
    Ur0 = 0.0
    Ur1 = 0.0
    Ur2 = 0.0
    for k in range(kw):
        for i in range(0, INNER, NR):
            Ur0 += srch[k, i]
            Ur1 += srch[k, i + 1]
            Ur2 += srch[k, i + 2]
    U = Ur0 + Ur1 + Ur2
    filled = 0.0
    for d in range(KD):
        for i in range(INNER):
            filled += oao[d, i] + soa[d, i]
    V = max(places - filled, 1e-9)
    lam_mult = (V / V0) ** beta
    if U > 0.0 and U0 > 0.0:
        lam_mult *= (U / U0) ** (alpha - 1.0)
    norm = 1.0
    if U > 0.0:
        norm = (Ur0 * rank_w[0] + Ur1 * rank_w[1] + Ur2 * rank_w[2]) / U
    p_cap = 1.0 if U <= V else V / U
    open_share = max(V - U, 0.0) / V
    return lam_mult, norm, p_cap, open_share


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def placement(srch, a_lam, ti, rank_i, days, window, shift, kw, p_cap, acc, wk):
    """Step 4a: searchers ``srch`` (window bin, stratum) find a place over the school days
    left in their window this month; a searcher whose window ends without one has failed.

    ``a_lam``: the cell's daily placement hazard (the rate's cell factor times the market's
    factor over the mean rank weight), times ``ti[placement_hazard]`` and the stratum's rank
    weight ``rank_i``; ``days`` school days this month, ``window`` the window's length (school
    days), ``shift`` the bins a month moves, ``kw`` the bins in use, ``p_cap`` the market's
    cap. Writes ``placed``, ``placed_days`` and ``failed`` of ``acc``; uses the work rows
    ``lam``, ``pfull``, ``pb``, ``pc``.
    """
    placed = acc[A.placed]
    pdays = acc[A.placed_days]
    failed = acc[A.failed]
    placed[:] = 0.0
    pdays[:] = 0.0
    failed[:] = 0.0
    if days <= 0.0:
        return
    lam = wk[W.lam]
    pfull = wk[W.pfull]
    pl = wk[W.pc]
    for i in range(INNER):
        lam[i] = a_lam * ti[R.placement_hazard, i] * rank_i[i]
    prob_capped(lam, days, p_cap, pfull)  # a whole month in the window
    for k in range(kw - 1, -1, -1):
        row = srch[k]
        if not any1(row):
            continue
        used = k * BIN_DAYS
        avail = min(days, max(window - used, 0.0))
        mid = used + 0.5 * avail
        if avail == days:
            prob = pfull
        else:
            prob = wk[W.pb]
            prob_capped(lam, avail, p_cap, prob)
        for i in range(INNER):
            pl[i] = row[i] * prob[i]
        for i in range(INNER):
            placed[i] += pl[i]
        for i in range(INNER):
            pdays[i] += pl[i] * mid
        to = k + shift
        if used + days >= window:  # the window ends this month
            for i in range(INNER):
                failed[i] += row[i] - pl[i]
            row[:] = 0.0
        elif to == k:
            for i in range(INNER):
                row[i] -= pl[i]
        else:
            dest = srch[to]
            for i in range(INNER):
                dest[i] += row[i] - pl[i]
            row[:] = 0.0
