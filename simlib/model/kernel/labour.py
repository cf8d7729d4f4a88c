"""Leavers' labour-market states after exit, month by month (see simlib.model.engine)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy", nogil=True)
def labour_months(leave, start, find, sep, months):
    """Leavers' labour-market states per month (see :func:`simlib.model.engine.labour.labour_states`).

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
