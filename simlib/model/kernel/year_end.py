"""Step 5 of a cell's month (August): the year end."""

from __future__ import annotations

import numpy as np
from numba import njit

from simlib.model.kernel.layout import INNER, KD, NRT, NY, Q_LEAVE, F, R, W
from simlib.model.kernel.numerics import FASTMATH, any1


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def year_end(nd, srch, oao, soa, gua, aan, gro, rc, ti, kw, year, up, rep, acc, wk, fl,
             record):
    """Advance a year or repeat it (one more year behind); final years qualify or leave.

    Year 6 graduates go on to a 7th year (share ``year_7_share``) or leave qualified; the
    7th year ends the route (its learners hold the year-6 qualification). Final-year learners
    who do not qualify leave (partial or no qualification) or repeat. The map is linear in
    the stock, so each state and duration bin is moved on its own: ``up[i]`` is the stratum a
    year on (-1 from the 7th year), ``rep[i]`` the stratum one more year behind, ``year[i]``
    the stratum's year (0 for the 3rd). Adds the leavers to the ``leave_*`` rows of ``acc``
    and, if ``record``, to the flows ``fl``.
    """
    out = wk[W.out_up]
    for kind in range(7):
        if kind == 0:
            nk, route, src = 1, 0, F.non_dual
        elif kind == 1:
            nk, route, src = kw, 1, F.searching
        elif kind == 2 or kind == 3:
            nk, route, src = KD, 1, F.dual
        elif kind == 4:
            nk, route, src = 1, 1, F.guaranteed
        elif kind == 5:
            nk, route, src = aan.shape[0], 2, F.aanloopfase
        else:
            nk, route, src = gro.shape[0], 2, F.groeifase
        # route 0 non-dual, 1 dual, 2 Aanloopfase or Groeifase
        rp = (R.progression_non_dual, R.progression_dual, R.progression_aanloop)[route]
        rg = (R.graduation_non_dual, R.graduation_dual, R.graduation_aanloop)[route]
        a_prog = rc[rp]
        a_grad = rc[rg]
        a_y7 = rc[R.year_7_share]
        a_leave = rc[R.final_fail_leave_share]
        # the Aanloopfase and the Groeifase have their own partial share
        rpart = R.partial_share_aanloop if route == 2 else R.partial_share_other
        a_part = rc[rpart]
        a_prof = rc[R.professional_only_share_dual] if route == 1 else 0.0
        q_tot = np.zeros(4)
        for k in range(nk):
            if kind == 0:
                arr = nd
            elif kind == 1:
                arr = srch[k]
            elif kind == 2:
                arr = oao[k]
            elif kind == 3:
                arr = soa[k]
            elif kind == 4:
                arr = gua
            elif kind == 5:
                arr = aan[k]
            else:
                arr = gro[k]
            if not any1(arr):
                continue
            out[:] = 0.0
            for i in range(INNER):
                x = arr[i]
                y = year[i]
                if y == NY - 1:  # 7th year: the route ends, qualified
                    q_edu, q_prof, q_part, q_unq, move_up, move_rep = x, 0.0, 0.0, 0.0, 0.0, 0.0
                elif y == NY - 2:  # year 6
                    g = x * (a_grad * ti[rg, i])
                    move_up = g * (a_y7 * ti[R.year_7_share, i])
                    qual = g - move_up
                    p_prof = a_prof * ti[R.professional_only_share_dual, i]
                    q_edu = qual * (1.0 - p_prof)
                    q_prof = qual * p_prof
                    failing = x - g
                    leaving = failing * (a_leave * ti[R.final_fail_leave_share, i])
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
                acc[Q_LEAVE + NRT + route, i] += q_prof
                acc[Q_LEAVE + 2 * NRT + route, i] += q_part
                acc[Q_LEAVE + 3 * NRT + route, i] += q_unq
                q_tot[0] += q_edu
                q_tot[1] += q_prof
                q_tot[2] += q_part
                q_tot[3] += q_unq
            arr[:] = out
        if record:
            fl[src, F.qualified_education] += q_tot[0]
            fl[src, F.qualified_professional] += q_tot[1]
            fl[src, F.partial_qualification] += q_tot[2]
            fl[src, F.unqualified] += q_tot[3]

