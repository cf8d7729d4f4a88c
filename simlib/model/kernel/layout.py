"""The kernel's layout: every name it reads or writes, declared once, and its buffer sizes.

Each tuple of names below is the one declaration of that thing. Positions are derived from
it as named tuples, which the compiled code reads as constants: ``R.placement_hazard`` is the
row of that rate in the rate arrays, ``M.window_days`` the row of the search window in the
month scalars, ``A.placed`` the accumulator row of the month's placements, ``W.adult`` a
work row, ``F.searching`` a node of the flow matrix. Buffer sizes are the lengths of these
tuples.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

# --- inner strata ------------------------------------------------------------------------------
#: Years (3rd-7th), years behind (0, 1, 2+), indicator pupil (no, yes), readiness (low,
#: medium, high). The kernel orders them (ses, year, behind, readiness), see kernel_order.
NY, NB, NE, NR = 5, 3, 2, 3
#: The provider axis is post-stratified (simlib.model.engine): no rate depends on the provider,
#: so the kernel runs one provider slot and the engine splits dual-route learners by the
#: cell's provider shares (exact by linearity).
NP = 1
INNER = NY * NB * NE * NR * NP
HALF = INNER // NE  # strata per indicator-pupil block (the kernel's order is ses-major)
#: School days per search-window bin (the window's tunnel runs in 5-day steps).
BIN_DAYS = 5
#: Contract-month bins: months 0..5 and 6+ (terminations are front-loaded).
KD = 7
#: The first contract months, in which terminations count as early and a firm can be
#: refused (conditional recognition).
EARLY_MONTHS = 3

# --- rates -------------------------------------------------------------------------------------
SHARE, HAZARD, FACTOR = "share", "hazard", "factor"
#: Where learners go after a failed search or a termination: the rate
#: ``{event}_to_{destination}`` is the share of the event's learners going there (they sum to
#: 1 per event; ``unqualified`` applies past compulsory schooling only, minors return to the
#: non-dual variant).
SPLITS = {"search_fail": ("non_dual", "aanloopfase", "unqualified"),
          "termination": ("searching", "non_dual", "aanloopfase", "unqualified")}
#: The kernel's rates, in the order of its rate arrays, each with its kind: ``share`` a
#: probability or share (0 to 1), ``hazard`` a monthly hazard (``placement_hazard``: per
#: school day) >= 0, ``factor`` a multiplier >= 0. simlib.model.rates.base_rates builds
#: exactly these (it checks so), the policy modules change them.
RATE_DECLARATIONS = (
    # route choice and screening
    ("route_dual_share", SHARE), ("screen_ready_prob", SHARE),
    # placement market and contracts
    ("placement_hazard", HAZARD), ("oao_share", SHARE), ("termination_hazard", HAZARD),
    ("refusal_hazard", HAZARD),
    # leaving early (past compulsory schooling only)
    ("leave_hazard_non_dual", HAZARD), ("leave_hazard_dual", HAZARD),
    ("leave_hazard_aanloop", HAZARD), ("leave_hazard_groeifase", HAZARD),
    # Aanloopfase, Groeifase, guaranteed places
    ("aanloop_ready_hazard", HAZARD), ("aanloop_non_dual_hazard", HAZARD),
    ("groeifase_springboard_hazard", HAZARD), ("groeifase_to_search_share", SHARE),
    ("guarantee_transfer_hazard", HAZARD),
    # partial qualifications among leavers without a full one
    ("partial_share_aanloop", SHARE), ("partial_share_other", SHARE),
    # year end
    ("progression_non_dual", SHARE), ("progression_dual", SHARE),
    ("progression_aanloop", SHARE), ("graduation_non_dual", SHARE),
    ("graduation_dual", SHARE), ("graduation_aanloop", SHARE),
    ("final_fail_leave_share", SHARE), ("professional_only_share_dual", SHARE),
    ("year_7_share", SHARE),
    # destinations (SPLITS)
    *((f"{event}_to_{to}", SHARE) for event, tos in SPLITS.items() for to in tos),
    # age and firms
    ("adult_share", SHARE), ("places_factor", FACTOR),
)
KERNEL_RATES = tuple(name for name, _ in RATE_DECLARATIONS)
RATE_KINDS = dict(RATE_DECLARATIONS)
RateIndex = namedtuple("RateIndex", KERNEL_RATES)
R = RateIndex(*range(len(KERNEL_RATES)))

# --- month scalars -----------------------------------------------------------------------------
#: Scalars per month (rows of the month array), made by simlib.model.rates.month_scalars and
#: changed by the policy modules.
MONTH_SCALARS = ("school_days", "window_days", "route_weight", "cohort_index", "is_september",
                 "is_august", "groeifase_open", "groeifase_capacity", "groeifase_intake_months",
                 "groeifase_max_months", "groeifase_rule", "guarantee_on", "guarantee_capacity")
MonthIndex = namedtuple("MonthIndex", MONTH_SCALARS)
M = MonthIndex(*range(len(MONTH_SCALARS)))
#: The Groeifase's intake rules; ``groeifase_rule`` holds a rule's position here (the choices
#: of the lever ``groeifase_intake_rule``, in its order).
GROEIFASE_RULES = ("aanloopfase_only", "also_after_termination", "broad")
GroeifaseRule = namedtuple("GroeifaseRule", GROEIFASE_RULES)
G = GroeifaseRule(*range(len(GROEIFASE_RULES)))

# --- recorded quantities and accumulator rows --------------------------------------------------
#: Qualifications of leavers (education, professional only, partial, none) and their route
#: (non-dual, dual, Aanloopfase or Groeifase): leaver row ``Q_LEAVE + NRT * q + route``.
LEAVE_QUALIFICATIONS = ("qe", "qp", "pq", "uq")
LEAVE_ROUTES = ("nd", "dual", "aan")
NRT = len(LEAVE_ROUTES)
LEAVERS = tuple(f"leave_{q}_{r}" for q in LEAVE_QUALIFICATIONS for r in LEAVE_ROUTES)
#: What the kernel records per (month, cell, ses, provider): stocks at the end of the month,
#: then flows during it, then the leavers.
RECORDED = (
    "non_dual", "searching", "dual_oao", "dual_soa", "guaranteed", "aanloopfase", "groeifase",
    "route_entries", "screened_out", "placed", "failed", "terminated", "terminated_early",
    "caught_by_guarantee", "groeifase_intake", "groeifase_springboard", "groeifase_waiting",
    "returned_non_dual", "ready_without_place", "placed_days", "behind", "groeifase_12",
    "groeifase_24", "oao_tier_1", "oao_tier_2", "oao_tier_3", "refused", "behind_non_dual",
    *LEAVERS,
)
#: Further per-stratum accumulators (flows only, not recorded). Leavers without a full
#: qualification (``f_unq``, ``t_unq_left``, ``a_leave``, ``nd_leave``) are split into a
#: partial qualification (the ``*_pq`` rows) and none, per stratum, exactly as the recorded
#: leavers ``leave_pq_*`` / ``leave_uq_*`` are, so the flows and the exit indicators agree.
EXTRA = ("f_nd", "f_aan", "f_gro", "f_unq", "t_srch", "t_nd", "t_aan", "t_gro", "t_unq_left",
         "to_firm", "a_ready", "a_nd", "a_gro", "a_leave", "spring_search", "spring_aan",
         "gro_pq", "gro_uq", "gro_nd", "nd_leave", "f_pq", "t_pq", "a_pq", "nd_pq")
AccIndex = namedtuple("AccIndex", RECORDED + EXTRA)
A = AccIndex(*range(len(RECORDED) + len(EXTRA)))
NACC = len(A)
Q_LEAVE = A.leave_qe_nd
#: The leaver rows without a full qualification (partial, none) run from here to Q_END; the
#: qualified ones (education, professional) leave at the year end only.
Q_NOT_FULL, Q_END = A.leave_pq_nd, Q_LEAVE + len(LEAVERS)
#: Recorded quantities about non-dual learners (all at provider 'school'); the rest are about
#: learners on the dual route and are split by provider shares.
NON_DUAL_Q = (A.non_dual, A.behind_non_dual,
              *(A[Q_LEAVE + NRT * q] for q in range(len(LEAVE_QUALIFICATIONS))))
#: The stocks at the end of the month (summed per block by the kernel's ``stocks``).
STOCK_ROWS = (A.non_dual, A.searching, A.dual_oao, A.dual_soa, A.guaranteed, A.aanloopfase,
              A.groeifase, A.behind, A.behind_non_dual, A.ready_without_place, A.oao_tier_1,
              A.oao_tier_2, A.oao_tier_3)
#: Rows that are zero while nobody holds or can get a guaranteed place / a Groeifase place.
GUA_ROWS = (A.guaranteed, A.caught_by_guarantee, A.to_firm)
GRO_ROWS = (A.groeifase, A.groeifase_intake, A.groeifase_springboard, A.groeifase_waiting,
            A.groeifase_12, A.groeifase_24, A.f_gro, A.t_gro, A.a_gro, A.spring_search,
            A.spring_aan, A.gro_pq, A.gro_uq, A.gro_nd)

# --- work rows ---------------------------------------------------------------------------------
#: Per-stratum rows of one cell's month, not recorded. Read across steps: ``hterm``, ``href``,
#: ``hleave``, ``adult`` (the cell's hazards, contracts.hazards -> the later steps),
#: ``g_leave``, ``g_end`` (phases.groeifase -> moves.moves, moves.exits) and ``part``,
#: ``part_aan``, ``g_end_leave`` (moves.moves -> moves.exits). The others are scratch within
#: one step.
WORK = ("lam", "pfull", "hterm", "href", "hleave", "adult", "pa", "pb", "pc", "out_up",
        "cand", "rest", "r_unq", "t_unq", "scale", "g_leave", "g_end", "part", "part_aan",
        "early_dual", "early_aan", "g_end_leave")
WorkIndex = namedtuple("WorkIndex", WORK)
W = WorkIndex(*range(len(WORK)))
NWORK = len(W)

# --- flows -------------------------------------------------------------------------------------
#: Nodes of the Flanders-wide flow matrix (from, to) per month.
FLOW_NODES = ("inflow", "non_dual", "searching", "dual", "guaranteed", "aanloopfase",
              "groeifase", "qualified_education", "qualified_professional",
              "partial_qualification", "unqualified")
FlowIndex = namedtuple("FlowIndex", FLOW_NODES)
F = FlowIndex(*range(len(FLOW_NODES)))

# --- the kernel's arguments, grouped -----------------------------------------------------------
#: Learners per cell, duration bin and inner stratum (kernel order): ``nd[c, i]``,
#: ``gua[c, i]``, ``srch[c, k, i]``, ``oao[c, d, i]``, ``soa[c, d, i]``, ``aan[c, k, i]``,
#: ``gro[c, k, i]``; active places ``places[c]``. Changed in place.
State = namedtuple("State", ("nd", "srch", "oao", "soa", "gua", "aan", "gro", "places"))
#: Rate ``n`` at month ``t``, cell ``c``, stratum ``i`` is ``tc[n, t, c] * pool[row[n, t], i]``;
#: ``month[m, t]`` the month scalars; ``inflow[c, i]`` the yearly new learners;
#: ``front_load[d]`` the relative termination hazard by contract month.
Rates = namedtuple("Rates", ("tc", "pool", "row", "month", "inflow", "front_load"))
#: The placement market and the firms: reference searchers ``U0[c]`` and vacancies ``V0[c]``,
#: the matching elasticities ``alpha``, ``beta``, the rank weight by readiness ``rank[3]``,
#: the firms' offer at today's rules ``target0[c]``, places lost per termination ``kappa``
#: and the firms' adjustment months ``tau``.
Market = namedtuple("Market", ("U0", "V0", "alpha", "beta", "rank", "target0", "kappa",
                               "tau"))
#: What a run fills (if ``record``): ``rec[t, c, ses, provider, q]`` (RECORDED),
#: ``flows[t, from, to]`` (FLOW_NODES), ``places[t, c]``, ``leavers[t, i]`` (leavers without
#: a full qualification, summed over the cells).
Outputs = namedtuple("Outputs", ("rec", "flows", "places", "leavers"))


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


# --- the short names of earlier releases that other code used, by name -----------------------
M_DAYS, M_WINDOW, M_COHORT, M_SEP = M.school_days, M.window_days, M.cohort_index, M.is_september
M_G_OPEN, M_G_INTAKE, M_G_MAX = M.groeifase_open, M.groeifase_intake_months, M.groeifase_max_months
Q_SRCH, Q_OAO, Q_SOA, Q_TERM, Q_FAILED = A.searching, A.dual_oao, A.dual_soa, A.terminated, A.failed
