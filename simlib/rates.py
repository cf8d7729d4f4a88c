"""Base monthly rates per stratum, built from ``data/`` and today's lever values.

Every rate is a named array that broadcasts to (month, stratum): shape (1 or T, 1 or S).
Policy modules (``simlib.policies``) change named rates; the engine reads them. Base rates
use each lever's default (today's rule), so a policy module at today's values changes
nothing, and switching a module off leaves today's rule in place.
"""

from __future__ import annotations

import numpy as np

from simlib.levers import levers
from simlib.model import QUALIFICATIONS, STRATA, Strata, Timeline
from simlib.parameters import param, school_days_by_month

__all__ = ["base_rates", "const", "per_month", "per_stratum", "population_index", "adult_share"]


def const(value: float) -> np.ndarray:
    """A rate that is the same in every month and stratum, shape (1, 1)."""
    return np.full((1, 1), float(value))


def per_month(values) -> np.ndarray:
    """A rate that varies by month only, shape (T, 1)."""
    return np.asarray(values, dtype=float).reshape(-1, 1)


def per_stratum(values) -> np.ndarray:
    """A rate that varies by stratum only, shape (1, S)."""
    return np.asarray(values, dtype=float).reshape(1, -1)


def _by_qualification(name: str) -> np.ndarray:
    table = param(name)
    return np.array([[table[q] for q in QUALIFICATIONS]], dtype=float)


def population_index(timeline: Timeline) -> np.ndarray:
    """Persons aged 12-17 relative to 2025, per month (linear between published years)."""
    table = param("population_12_17")
    years = np.array(sorted(int(y) for y in table), dtype=float)
    values = np.array([table[str(int(y))] for y in years])
    cal = np.array([d.year + (d.month - 1) / 12 for d in timeline.dates()])
    return np.interp(cal, years, values) / table["2025"]


def adult_share(strata: Strata, timeline: Timeline) -> np.ndarray:
    """Share of each stratum past compulsory schooling, shape (T, S).

    A learner in year ``k`` who is ``b`` years behind turns ``11 + k + b`` in the calendar
    year the school year starts. Compulsory schooling ends at the 18th birthday or on 30 June
    of the calendar year of the 18th birthday, whichever comes first. Birthdays are taken
    as spread evenly over the year (a simplification: no birth-month axis).
    """
    year = np.array([int(v) for v in dict(strata.axes)["year"]])[strata.coord("year")]
    behind = np.array([int(v) for v in dict(strata.axes)["behind"]])[strata.coord("behind")]
    to_18 = 18 - (11 + year + behind)  # calendar years from the school year's start year
    month = timeline.calendar_month()[:, None]
    in_second_half = month <= 8
    turning = np.where(month <= 6, month / 12.0, 1.0)
    share = np.where(to_18[None, :] <= 0, 1.0, 0.0)
    share = np.where((to_18[None, :] == 1) & in_second_half, turning, share)
    return share


def base_rates(timeline: Timeline, strata: Strata = STRATA) -> dict[str, np.ndarray]:
    """All named rates at today's rules. See the module docstring for shapes."""
    today = {lv.id: lv.default for lv in levers()}
    days = np.array(school_days_by_month())[timeline.calendar_month() - 1]

    finality = {"arbeidsmarkt": param("route_dual_share_arbeidsmarkt"),
                "dubbel": param("route_dual_share_dubbele")}
    ses_ratio = strata.along("ses", {"no": 1.0, "yes": param("route_indicator_pupil_ratio")})
    route_share = strata.along("finality", finality) * ses_ratio

    oao = param("oao_share")
    progression = param("progression_share")
    graduation = param("graduation_share")
    leave = param("leave_hazard_adult")

    rates = {
        # time and people
        "school_days": per_month(days),
        "adult_share": adult_share(strata, timeline),
        "cohort_index": per_month(population_index(timeline)),
        # route choice and screening
        "route_dual_share": per_stratum(route_share),
        "route_october_share": const(param("route_october_share")),
        "entry_deadline_month": const(10.0),
        "screening_not_ready_share": const(param("screening_not_ready_share")),
        # placement
        "placement_hazard": const(param("placement_hazard_per_school_day")),
        "placement_supply": const(1.0),
        "search_window_days": const(today["search_window_days"] + today["search_extension_days"]),
        # in dual
        "oao_share": per_stratum(strata.along("finality", dict(oao))),
        "termination_hazard": const(param("termination_hazard_per_month")),
        # aanloopfase
        "aanloop_ready_hazard": const(param("aanloop_ready_hazard")),
        "aanloop_non_dual_hazard": const(param("aanloop_non_dual_hazard")),
        "aanloop_leave_hazard": const(param("aanloop_leave_hazard_adult")),
        # leaving early (past compulsory schooling only)
        "leave_hazard_non_dual": const(leave["non_dual"]),
        "leave_hazard_dual": const(leave["dual"]),
        # year end
        "progression_non_dual": const(progression["non_dual"]),
        "progression_dual": const(progression["dual"]),
        "progression_aanloopfase": const(progression["aanloopfase"]),
        "graduation_non_dual": const(graduation["non_dual"]),
        "graduation_dual": const(graduation["dual"]),
        "graduation_aanloopfase": const(graduation["aanloopfase"]),
        "final_fail_leave_share": const(param("final_fail_leave_share")),
        "professional_only_share_dual": const(param("professional_only_share_dual")),
        "year_7_share": per_stratum(strata.along("finality", dict(param("year_7_share")))),
        "partial_share_of_leavers": const(param("partial_share_of_failed_leavers")),
        # where learners go: failed searches and terminations (shares sum to 1)
        **{f"search_fail_to_{k}": const(v) for k, v in param("search_fail_split").items()},
        **{f"termination_to_{k}": const(v) for k, v in param("termination_split").items()},
        # labour market after exit: second axis is the qualification (QUALIFICATIONS order)
        **{f"{name}_by_qualification": _by_qualification(name)
           for name in ("exit_further_study_share", "exit_employed_share", "exit_inactive_share",
                        "job_finding_hazard")},
        "job_separation_hazard": const(param("job_separation_hazard")),
        # costs (EUR)
        "premium_paid_eur_per_year": const(today["employer_premium_paid_eur_per_year"]),
        "premium_unpaid_eur_per_year": const(today["employer_premium_unpaid_eur_per_year"]),
        "coaching_eur_per_learner_month": const(
            today["coaching_visits_per_month"] * param("coaching_cost_eur_per_visit")),
        "employer_net_cost_eur_per_year": const(param("employer_net_cost_eur_per_year")),
    }
    return rates
