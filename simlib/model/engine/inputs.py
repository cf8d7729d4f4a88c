"""What the engine reads from ``data/`` for one set of parameter values (a draw).

:func:`draw_inputs` reads the parameters in force (``data/``, or an override of
:func:`~simlib.inputs.parameters.overridden` for an uncertainty draw) into a :class:`Draw`:
the burn-in's rates at today's rules, the unit cohort, today's places, the enrolment and the
market, firm and labour-market constants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.inputs.parameters import param, parameters
from simlib.model import kernel as K
from simlib.model.engine.labour import labour_start_tables
from simlib.model.rates import base_rates, cell, finality_sector, inner, month_scalars
from simlib.model.structure import CELLS, INNER, Timeline

__all__ = ["BURN_IN_YEARS", "Draw", "draw_inputs", "unit_cohort", "ready_table",
           "places_today", "front_load", "rank_weights", "params_key"]

#: Years of constant today's rules run before September 2025 to give a consistent start.
BURN_IN_YEARS = 8


@dataclass(frozen=True)
class Draw:
    """What the engine reads from ``data/`` for one set of parameter values, at full
    resolution: the burn-in's rates and month scalars at today's rules,
    the unit cohort (C, I), today's places (C,), the enrolment per finality, the market and
    firm constants, the labour-market tables and the parameters the indicators read. Made by
    :func:`draw_inputs`, inside a :func:`~simlib.inputs.parameters.overridden` block for a draw.
    """

    burn: dict
    cohort: np.ndarray
    places0: np.ndarray
    enrol: np.ndarray
    alpha: float
    beta: float
    kappa: float
    tau: float
    front_load: np.ndarray
    rank: np.ndarray
    labour_start: np.ndarray  # (4 qualifications, 3 routes, 4 statuses)
    labour_find: np.ndarray   # (4,) monthly job-finding chance
    labour_sep: float         # monthly job-loss chance
    outcome: dict             # simlib.model.outcomes.outcome_params()


def draw_inputs() -> Draw:
    """The :class:`Draw` of the parameter values in force (``data/`` or an override)."""
    from simlib.model.outcomes import outcome_params

    burn = Timeline(BURN_IN_YEARS)
    rates = {**base_rates(burn), **month_scalars(burn)}
    rates["cohort_index"] = np.ones(burn.months)
    enrol = np.array([param("enrolment_arbeidsmarkt_grade_2_3") + param("enrolment_year_7"),
                      param("enrolment_dubbele_finaliteit_grade_2_3")])
    assert tuple(dict(CELLS.axes)["finality"]) == ("arbeidsmarkt", "dubbel")
    start, find, sep = labour_start_tables()
    return Draw(burn=rates, cohort=unit_cohort(),
                places0=places_today(), enrol=enrol,
                alpha=float(param("matching_elasticity_searchers")),
                beta=float(param("matching_elasticity_vacancies")),
                kappa=float(param("firm_inactivation_per_termination")),
                tau=float(param("firm_adjustment_months")), front_load=front_load(),
                rank=rank_weights(), labour_start=start, labour_find=find, labour_sep=sep,
                outcome=outcome_params())


def unit_cohort() -> np.ndarray:
    """A unit cohort entering year 3 (non-dual, provider school), shape (C, I), sums to 1."""
    fin = cell("finality", {"arbeidsmarkt": param("enrolment_arbeidsmarkt_grade_2_3"),
                            "dubbel": param("enrolment_dubbele_finaliteit_grade_2_3")})
    f = CELLS.coord("finality")
    by_cell = (cell("region", param("region_share_of_learners"))
               * finality_sector("sector_share_of_learners") * fin)
    by_cell /= by_cell.sum()
    shares = np.zeros((CELLS.size, INNER.size))
    first = INNER.coord("year") == 0
    ready = param("readiness_share")
    for k, name in enumerate(dict(CELLS.axes)["finality"]):
        behind = inner("behind", param(f"behind_share_{name}"))
        ses_share = param("indicator_pupil_share")[name]
        ses = np.where(INNER.coord("ses") == 1, ses_share, 1 - ses_share)
        rdy = np.where(INNER.coord("ses") == 1, inner("readiness", ready_table(ready, "yes")),
                       inner("readiness", ready_table(ready, "no")))
        vec = np.where(first, behind * ses * rdy, 0.0)
        shares[f == k] = vec[None, :]
    shares *= by_cell[:, None]
    return shares / shares.sum()


def ready_table(table, ses: str) -> dict[str, float]:
    """Readiness shares for indicator pupils (``yes``) or others (``no``)."""
    return {r: table[f"{r}_{ses}"] for r in ("low", "medium", "high")}


def places_today() -> np.ndarray:
    """Active places per cell today, shape (C,)."""
    total = param("active_places_total")
    fin = cell("finality", param("places_share_by_finality"))
    share = (cell("region", param("region_share_of_places"))
             * finality_sector("sector_share_of_places") * fin)
    return total * share / share.sum()


def front_load() -> np.ndarray:
    """(KD,) relative termination hazard by contract month (months 0-5 and 6+)."""
    table = param("termination_front_load")
    return np.array([table[str(m)] for m in range(K.KD)], float)


def rank_weights() -> np.ndarray:
    """(3,) employers' rank weight of a searcher by readiness (low, medium, high)."""
    table = param("placement_rank_weight")
    return np.array([table[r] for r in ("low", "medium", "high")], float)


def params_key() -> tuple:
    """The parameter values in force, hashable (the key of the cached start state)."""
    return tuple(sorted((k, p.value if isinstance(p.value, float) else tuple(p.value.items()))
                        for k, p in parameters().items()))
