"""Steps 4b and 4c of a cell's month (contracts, guaranteed places) and the firm stock."""

from __future__ import annotations

from numba import njit

from simlib.model.kernel.layout import EARLY_MONTHS, INNER, KD, A, R, W
from simlib.model.kernel.numerics import FASTMATH, _p, any1


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def hazards(rc, ti, wk):
    """The cell's month hazards per stratum that several steps read, into the work rows:
    ``hterm`` (termination), ``href`` (refusal of the firm), ``adult`` (the share past
    compulsory schooling) and ``hleave`` (leaving school from a contract or a guaranteed
    place, past 18). ``rc``: the cell's rate factors, ``ti``: the month's inner factors."""
    hterm = wk[W.hterm]
    href = wk[W.href]
    adult = wk[W.adult]
    hleave = wk[W.hleave]
    a_term = rc[R.termination_hazard]
    a_ref = rc[R.refusal_hazard]
    a_adult = rc[R.adult_share]
    a_leave = rc[R.leave_hazard_dual]
    for i in range(INNER):
        hterm[i] = a_term * ti[R.termination_hazard, i]
        href[i] = a_ref * ti[R.refusal_hazard, i]
        adult[i] = a_adult * ti[R.adult_share, i]
        hleave[i] = adult[i] * (a_leave * ti[R.leave_hazard_dual, i])


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def bin_shares(wk, fd, fb, oao, soa, d, wsc, stay):
    """Competing hazards of contract bin ``d`` in one pass over the strata (the work rows
    ``hterm``, ``href``, ``hleave`` of :func:`hazards`):
    ``wsc[d] = (oao[d] + soa[d]) P(tot) / tot`` (the bin's learners times the scale of
    :func:`~.numerics.comp_scale`; 0 where ``tot`` is 0) and ``stay[d] = 1 - tot P(tot) / tot``
    (the share that stays), with ``tot = hterm fd + href fb + hleave``. A call of its own
    (not inlined), so that the compiler vectorises it; rows by index, so that it takes no
    views (each costs two reference counts)."""
    for i in range(INNER):
        tot = wk[W.hterm, i] * fd + wk[W.href, i] * fb + wk[W.hleave, i]
        sc = _p(tot) / (tot if tot > 0.0 else 1.0)
        wsc[d, i] = (oao[d, i] + soa[d, i]) * sc
        stay[d, i] = 1.0 - tot * sc


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def contracts(oao, soa, a_oao, ti, front_load, wsc, cstay, acc, wk):
    """Step 4b: contracts (OAO, SOA) by contract month end (terminations, front-loaded by
    ``front_load``; refusals in the first EARLY_MONTHS months) or the learner leaves (past 18),
    competing; the others age a month (the last bin keeps its stayers); this month's
    placements (``acc[placed]``) start, as OAO at the share ``a_oao * ti[oao_share]``.

    Reads the work rows of :func:`hazards`; ``wsc``, ``cstay`` (KD, I) are scratch (see
    :func:`bin_shares`). Writes ``terminated``, ``terminated_early``, ``refused`` and
    ``t_unq_left`` (leavers) of ``acc``. Rows are taken by index (``acc[A.x, i]``), not as
    views: a view costs two atomic reference counts each time it is taken.
    """
    for i in range(INNER):
        acc[A.terminated, i] = 0.0
        acc[A.terminated_early, i] = 0.0
        acc[A.refused, i] = 0.0
        acc[A.t_unq_left, i] = 0.0
    # one array written per loop, so that every loop vectorises
    for d in range(KD - 1, -1, -1):
        fd = front_load[d]
        bin_shares(wk, fd, 1.0 if d < EARLY_MONTHS else 0.0, oao, soa, d, wsc, cstay)
        for i in range(INNER):
            acc[A.terminated, i] += wsc[d, i] * (wk[W.hterm, i] * fd)
        if d < EARLY_MONTHS:
            for i in range(INNER):
                acc[A.terminated_early, i] += wsc[d, i] * (wk[W.hterm, i] * fd)
            for i in range(INNER):
                acc[A.refused, i] += wsc[d, i] * wk[W.href, i]
        for i in range(INNER):
            acc[A.t_unq_left, i] += wsc[d, i] * wk[W.hleave, i]
    for i in range(INNER):  # a month older: the last bin keeps its stayers
        oao[KD - 1, i] = oao[KD - 1, i] * cstay[KD - 1, i] + oao[KD - 2, i] * cstay[KD - 2, i]
    for i in range(INNER):
        soa[KD - 1, i] = soa[KD - 1, i] * cstay[KD - 1, i] + soa[KD - 2, i] * cstay[KD - 2, i]
    for d in range(KD - 2, 0, -1):
        for i in range(INNER):
            oao[d, i] = oao[d - 1, i] * cstay[d - 1, i]
        for i in range(INNER):
            soa[d, i] = soa[d - 1, i] * cstay[d - 1, i]
    for i in range(INNER):
        share = a_oao * ti[R.oao_share, i]
        oao[0, i] = acc[A.placed, i] * share
        soa[0, i] = acc[A.placed, i] * (1.0 - share)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def guaranteed(gua, oao0, a_tr, ti, acc, wk):
    """Step 4c: learners in a guaranteed place ``gua`` move to a firm (a contract's first
    month ``oao0``) at the hazard ``a_tr * ti[guarantee_transfer_hazard]`` (``a_tr``: the
    cell's factor times the share of vacancies left open) or leave (past 18, ``hleave``),
    competing. Writes ``to_firm`` and adds the leavers to ``t_unq_left`` of ``acc``."""
    to_firm = acc[A.to_firm]
    if not any1(gua):
        to_firm[:] = 0.0
        return
    left = acc[A.t_unq_left]
    hleave = wk[W.hleave]
    for i in range(INNER):
        htr = a_tr * ti[R.guarantee_transfer_hazard, i]
        tot = htr + hleave[i]
        scale = _p(tot) / (tot if tot > 0.0 else 1.0)
        gx = gua[i]
        tf = gx * htr * scale
        gl = gx * hleave[i] * scale
        gua[i] = gx - tf - gl
        oao0[i] += tf
        left[i] += gl
        to_firm[i] = tf


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def firms(places, target, tau, kappa, ended):
    """The cell's active ``places`` a month on: they move towards the firms' offer
    ``target`` over ``tau`` months, and each of the month's ``ended`` contracts (terminations
    and refusals) makes ``kappa`` places inactive (bad experiences)."""
    return max(places + (target - places) / tau - kappa * ended, 0.0)
