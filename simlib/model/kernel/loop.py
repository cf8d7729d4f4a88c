"""The month loop: each month, each market cell takes the steps in order; then the year end.

:func:`run_kernel` runs one draw over all months of its rates; :func:`run_batch` runs
independent draws one after the other (a leading draw axis on every argument). In a cell's
month the loop calls one compiled function per mechanism, each working on the cell's rows of
strata, and passes what they share explicitly: the cell's rows of the state, its rate factors
``rc`` and the month's inner factors ``ti``, the accumulator rows (``acc``: what is recorded
and the flows) and the work rows (``wk``, see :data:`~.layout.WORK`). Cells couple only
through the Flanders-wide capacities (guaranteed places, Groeifase), rationed with last
month's demand and a budget that cells use up in order.

The steps are compiled functions of their own (each can be called and tested alone), and
the month loop inlines them (``inline="always"``: numba inlines them in its own IR, before
LLVM sees the code), so the compiled loop is one function as before the steps were split:
no call overhead. The split itself gave the same results bit for bit as the kernel before
it (every scenario, two resolutions, a sweep; checked with numba's cached build on both
sides); the later one-pass contracts (:func:`~.contracts.bin_shares`) and the stock rows
summed straight into the block sums (:data:`~.layout.STOCK_ROWS`) sum in another order and
move results by up to 1e-15 relative (``tests/model/test_golden.py`` holds them). With
fast-math reassociation LLVM's order of summation depends on the code around a loop, so a
change of code shape can move results in the last bits (see
:data:`simlib.model.simulation.REPRODUCIBILITY`). The
small vectorised helpers of :mod:`.numerics`, the year end, the stocks, the block sums and
the flows stay separate calls, as they were. To make a step a call of its own (to time it,
or to restructure it), drop its ``inline="always"``: results then may differ in the last
bits.

What costs time besides the arithmetic: every array that an inlined function receives, every
array read from a tuple and every view taken costs two atomic reference counts (numba's
NRT), each time it is executed. So :func:`run_kernel` unpacks its argument tuples and makes
its buffers once, before the months, and the cells' month is written out in its loop rather
than in a function of its own (which took some 60 arrays per cell and month): a tenth of the
kernel's time went to reference counts before.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from simlib.model.kernel.contracts import contracts, firms, guaranteed, hazards
from simlib.model.kernel.destinations import failed_searches, terminations
from simlib.model.kernel.entry import inflow, route_choice
from simlib.model.kernel.layout import (
    BIN_DAYS,
    INNER,
    KD,
    NACC,
    NB,
    NE,
    NR,
    NWORK,
    NY,
    A,
    F,
    G,
    M,
    Market,
    Outputs,
    R,
    Rates,
    State,
    search_bins,
)
from simlib.model.kernel.market import market, placement
from simlib.model.kernel.moves import active_rows, exits, flows, moves, stocks, write_outputs
from simlib.model.kernel.numerics import FASTMATH, any1, any2, reduce_blocks
from simlib.model.kernel.phases import aanloopfase, groeifase
from simlib.model.kernel.year_end import year_end

#: Per-stratum constants (kernel order): the year (0 for the 3rd), 1 where the dual route
#: can be chosen (not the 7th year), the rank weight, 1 if behind, 1 if most work-ready, the
#: allowance tier (3, I) as 0/1, the stratum a year on (-1 from the 7th) and one more year
#: behind.
Strata = namedtuple("Strata", ("year", "not_last", "rank", "behind", "high", "tier", "up",
                               "rep"))
#: One month's scalars (see :data:`~.layout.MONTH_SCALARS`): school days, the search
#: window, the window bins a month moves, the route weight, the cohort index, September,
#: August, the Groeifase (open, intake month, maximum months, intake rule), guarantee on.
Month = namedtuple("Month", ("days", "window", "shift", "route_w", "cohort", "sep", "aug",
                             "g_open", "g_intake", "g_max", "g_rule", "gua_on"))
@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def strata_constants(rank_w):
    """The :class:`Strata` of the kernel's order (ses, year, behind, readiness)."""
    Y = np.empty(INNER, np.int64)
    not_last = np.empty(INNER)
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
    return Strata(Y, not_last, rank_i, behind_i, high_i, tier, up, rep)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def window_bins(srch, MS):
    """The search-window bins in use: those the run's longest window needs, or more if the
    state already holds learners further on (a longer window before)."""
    ks = srch.shape[1]  # search-window bins of the state (sized by the engine for the run)
    kw = search_bins(MS[M.window_days].max())
    if kw > ks:
        raise ValueError("the search window needs more bins than the state holds")
    for k in range(ks - 1, kw - 1, -1):  # bins already occupied at the start
        if srch[:, k, :].max() > 0.0:
            kw = k + 1
            break
    return kw


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def month_context(MS, t):
    """The :class:`Month` of month ``t``."""
    days = MS[M.school_days, t]
    return Month(days, MS[M.window_days, t], int(days // BIN_DAYS), MS[M.route_weight, t],
                 MS[M.cohort_index, t], MS[M.is_september, t] > 0.5, MS[M.is_august, t] > 0.5,
                 MS[M.groeifase_open, t] > 0.5, int(MS[M.groeifase_intake_months, t]),
                 int(MS[M.groeifase_max_months, t]), int(MS[M.groeifase_rule, t]),
                 MS[M.guarantee_on, t] > 0.5)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def month_inner(pool, row, t, ti, ti_row):
    """This month's inner factor of every rate into ``ti`` (R, I), copying a pool row only
    when it differs from last month's (``ti_row``)."""
    for n in range(row.shape[0]):
        if row[n, t] != ti_row[n]:
            ti_row[n] = row[n, t]
            ti[n, :] = pool[ti_row[n], :]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def occupancy(gua, gro):
    """Learners in a guaranteed place and in the Groeifase, Flanders-wide."""
    gua_occ = 0.0
    gro_occ = 0.0
    for c in range(gua.shape[0]):
        gua_occ += gua[c].sum()
        gro_occ += gro[c].sum()
    return gua_occ, gro_occ


@njit(cache=True, error_model="numpy", fastmath=FASTMATH, inline="always")
def capacity(free, occupied, demand_prev, on):
    """Rationing of a Flanders-wide capacity with last month's demand: ``(ratio, budget)``,
    the share of candidates admitted (0 while ``on`` is off) and the free places (a hard
    budget: admissions never exceed them)."""
    budget = max(free - occupied, 0.0)
    ratio = 1.0 if demand_prev <= budget else budget / demand_prev
    if not on:
        ratio = 0.0
    return ratio, budget


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def run_kernel(st, rt, mk, out, record):
    """Advance the :class:`~.layout.State` ``st`` over all months of the
    :class:`~.layout.Rates` ``rt`` with the :class:`~.layout.Market` ``mk``; fill the
    :class:`~.layout.Outputs` ``out`` (the places always, the rest if ``record``).

    Each month, each cell takes steps 1-5 in order, in place on its rows of the state; then
    what the cell records. The argument tuples and the buffers are unpacked into local arrays
    once, before the month loop: reading an array from a tuple, taking a view or passing an
    array into an inlined step costs two atomic reference counts, so a cell's month takes
    only the views of its own rows of the state.

    Every step is a loop over the strata of a cell with no branch on the stratum, so it
    vectorises. Capacities (guaranteed places, Groeifase) are Flanders-wide: admissions are
    rationed in proportion to last month's demand and never exceed the free places (a hard
    budget; when this month's candidates in a cell exceed what is left, each is admitted in
    the same proportion, and cells are served in order).
    """
    s_nd, s_srch, s_oao, s_soa, s_gua, s_aan, s_gro, s_places = st
    tc, pool, rows, MS, new, front_load = rt
    U0, V0, alpha, beta, rank, target0, kappa, tau = mk
    rec, flows_out, places_out, leavers = out
    T = MS.shape[1]
    C = s_nd.shape[0]
    kw = window_bins(s_srch, MS)
    year, not_last, rank_i, behind, high, tier, up, rep = strata_constants(rank)
    acc, wk = np.zeros((NACC, INNER)), np.zeros((NWORK, INNER))
    wsc, cstay = np.zeros((KD, INNER)), np.zeros((KD, INNER))
    sums, active = np.zeros((NACC, NE)), np.ones(NACC, np.bool_)
    rc = np.empty(tc.shape[0])
    ti = np.empty((rows.shape[0], INNER))
    ti_row = np.full(rows.shape[0], -1, np.int64)
    gua_occ, gro_occ = occupancy(s_gua, s_gro)
    gua_demand_prev = 0.0
    gro_demand_prev = 0.0
    for t in range(T):
        month_inner(pool, rows, t, ti, ti_row)
        mo = month_context(MS, t)
        gua_ratio, gua_budget = capacity(MS[M.guarantee_capacity, t], gua_occ,
                                         gua_demand_prev, mo.gua_on)
        gro_ratio, gro_budget = capacity(MS[M.groeifase_capacity, t], gro_occ,
                                         gro_demand_prev, mo.g_open)
        gua_demand = 0.0
        gro_demand = 0.0
        fl = flows_out[t] if record else flows_out[0]
        for c in range(C):
            nd, srch, oao, soa = s_nd[c], s_srch[c], s_oao[c], s_soa[c]
            gua, aan, gro = s_gua[c], s_aan[c], s_gro[c]
            # rows that can be nonzero this month (the others are not summed)
            gua_active = mo.gua_on or any1(gua)
            gro_active = mo.g_open or any2(gro)
            for n in range(rc.shape[0]):
                rc[n] = tc[n, t, c]
            if mo.sep:  # 1. inflow
                entered = inflow(nd, new[c], mo.cohort)
                if record:
                    fl[F.inflow, F.non_dual] += entered
            if mo.route_w > 0.0:  # 2. route choice and screening
                route_choice(nd, srch[0], aan[0], rc[R.route_dual_share] * mo.route_w,
                             rc[R.screen_ready_prob], ti, not_last, acc)
            else:
                acc[A.route_entries] = 0.0
                acc[A.screened_out] = 0.0
            lam_mult, norm, p_cap, open_share = market(  # 3. the market
                srch, oao, soa, s_places[c], U0[c], V0[c], alpha, beta, rank, kw)
            placement(srch, rc[R.placement_hazard] * lam_mult / norm, ti, rank_i, mo.days,
                      mo.window, mo.shift, kw, p_cap, acc, wk)  # 4a.
            hazards(rc, ti, wk)
            contracts(oao, soa, rc[R.oao_share], ti, front_load, wsc, cstay, acc, wk)  # 4b.
            guaranteed(gua, oao[0], rc[R.guarantee_transfer_hazard] * open_share, ti, acc,
                       wk)  # 4c.
            gua_budget, gua_demand, gro_budget, gro_demand = failed_searches(  # 4d.
                gua, rc, ti, mo.gua_on, gua_ratio, gua_budget, gua_demand,
                mo.g_open and mo.g_rule == G.broad, gro_ratio, gro_budget, gro_demand, acc,
                wk)
            ended, gro_budget, gro_demand = terminations(  # 4e. (broad intake includes it)
                rc, ti, mo.g_open and mo.g_rule >= G.also_after_termination, gro_ratio,
                gro_budget, gro_demand, acc, wk)
            gro_budget, gro_demand = aanloopfase(aan, rc, ti, mo.g_open, mo.g_intake,
                                                 gro_ratio, gro_budget, gro_demand, acc,
                                                 wk)  # 4f.
            groeifase(gro, rc, ti, mo.g_max, acc, wk)  # 4g.
            moves(nd, srch[0], aan[0], gro[0], rc, ti, acc, wk)  # 4h.
            exits(acc, wk)
            target = target0[c] * rc[R.places_factor] * ti[R.places_factor, 0]
            s_places[c] = firms(s_places[c], target, tau, kappa, ended)
            if mo.aug:  # 5. year end
                year_end(nd, srch, oao, soa, gua, aan, gro, rc, ti, kw, year, up, rep, acc,
                         wk, fl, record)
            places_out[t, c] = s_places[c]
            if record:  # what the cell records of the month
                active_rows(active, mo.route_w > 0.0, mo.aug, gua_active, gro_active)
                reduce_blocks(acc, active, sums)
                stocks(nd, srch, oao, soa, gua, aan, gro, kw, behind, high, tier, acc, sums)
                write_outputs(acc, sums, rec[t, c], leavers[t])
                flows(sums, fl)
        gua_occ, gro_occ = occupancy(s_gua, s_gro)
        gua_demand_prev = gua_demand
        gro_demand_prev = gro_demand
    return 0


@njit(cache=True, error_model="numpy", nogil=True)
def run_batch(st, rt, mk, out, record):
    """:func:`run_kernel` for independent draws: every field of ``st``, ``rt``, ``mk`` and
    ``out`` has a leading draw axis (the scalars of ``mk`` are arrays over draws); ``record``
    is shared. Each draw is computed exactly as a single run would be, so a draw's result
    does not depend on the batch it is in. The GIL is released: batches run in parallel in
    threads (a sweep's chunks), while another thread prepares the next batch's rates in
    Python.
    """
    for d in range(st.nd.shape[0]):
        run_kernel(State(st.nd[d], st.srch[d], st.oao[d], st.soa[d], st.gua[d], st.aan[d],
                         st.gro[d], st.places[d]),
                   Rates(rt.tc[d], rt.pool[d], rt.row[d], rt.month[d], rt.inflow[d],
                         rt.front_load[d]),
                   Market(mk.U0[d], mk.V0[d], mk.alpha[d], mk.beta[d], mk.rank[d],
                          mk.target0[d], mk.kappa[d], mk.tau[d]),
                   Outputs(out.rec[d], out.flows[d], out.places[d], out.leavers[d]), record)
    return 0
