"""The labour market after exit: leavers by group, qualification and route, month by month."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simlib.inputs.parameters import param
from simlib.model import kernel as K
from simlib.model.rates import labour_tables

__all__ = ["EXIT_MONTHS", "labour_start_tables", "labour_states"]

#: Months since exit tracked for labour-market outcomes (the last bin holds 12 and more).
EXIT_MONTHS = 13


def labour_start_tables() -> tuple[np.ndarray, np.ndarray, float]:
    """Leavers' start split over the labour-market statuses (4 qualifications, 3 routes, 4
    statuses) and the monthly chances to find (per qualification) and to lose work."""
    lt = labour_tables()
    hired = param("hired_by_training_firm_share")
    study, employed, inactive = (lt["exit_further_study_share"], lt["exit_employed_share"],
                                 lt["exit_inactive_share"])
    # start split per (qualification, route): route 1 (dual) adds the hired share
    start = np.zeros((4, 3, 4))
    for route in range(3):
        emp = employed + (hired * (1 - employed - study - inactive) if route == 1 else 0.0)
        seek = 1.0 - study - emp - inactive
        start[:, route] = np.stack([emp, seek, study, inactive], axis=1)
    find = -np.expm1(-lt["job_finding_hazard"])
    sep = float(-np.expm1(-param("job_separation_hazard")))
    return start, find, sep


def labour_states(grouped: np.ndarray, draws: Sequence):
    """Leavers' labour-market states by draw and group, with months since exit, from the
    records summed per group ``grouped`` (D, T, G, Q; :func:`simlib.model.groups.by_group`)
    with the tables of each draw of ``draws``
    (:class:`~simlib.model.engine.inputs.Draw`: ``labour_start``, ``labour_find``,
    ``labour_sep``).

    On exit a leaver is employed, job seeking, in further study or inactive by the shares of
    ``data/`` for the qualification; dual leavers start employed more often (a share is hired
    by the training firm). Each month job seekers find work and workers lose it. The dynamics
    depend only on qualification and route, so they run on group totals (exact: they are
    linear); the groups of all draws run together, each with its draw's tables.
    """
    D, T, G = grouped.shape[:3]
    Q, R = len(K.LEAVE_QUALIFICATIONS), len(K.LEAVE_ROUTES)
    leave = grouped[..., K.Q_LEAVE:K.Q_LEAVE + Q * R].reshape(D, T, G, Q, R)
    leave = np.ascontiguousarray(leave.transpose(1, 0, 2, 3, 4).reshape(T, D * G, Q, R))
    start_g = np.repeat(np.stack([d.labour_start for d in draws]), G, axis=0)
    find_g = np.repeat(np.stack([d.labour_find for d in draws]), G, axis=0)
    sep_g = np.repeat(np.array([d.labour_sep for d in draws]), G)
    out = K.labour_months(leave, np.ascontiguousarray(start_g), np.ascontiguousarray(find_g),
                          sep_g, EXIT_MONTHS)
    labour = out[0].reshape(T, D, G, 4, 4).transpose(1, 0, 2, 3, 4)
    return (labour, *(x.reshape(T, D, G).transpose(1, 0, 2) for x in out[1:]))


