"""Premiums: the employer premium (premie kwalificerend werkplekleren) and the leerlingenpremie.

Employer premium: the paid-learner amount applies to OAO places, the unpaid one to SOA places
(weighted by each cell's OAO share), only for the first ``employer_premium_max_years`` years
of a trajectory (see :func:`eligible_share`), indexed yearly from
September 2025 by the indexation lever. Placement supply responds to the premium through the
employer's net cost with semi-elasticity ``supply_elasticity_subsidy / premium_today``: at
today's amounts the elasticity of places with respect to the premium is
``supply_elasticity_subsidy`` (0-0.3, mainly on whether firms train at all).
Learner premium: dual take-up responds to the learner's yearly income (allowance plus
premium) with ``take_up_elasticity_allowance``.
Simplifications: the other eligibility rules (at least 4 months, a mentor, level <= 4, >= 50%
on the workplace) are taken as met; premiums are spread evenly over the months in dual.
"""

import numpy as np

from simlib.inputs.parameters import param
from simlib.model.policies._util import monthly, years_since_start

LEVERS = ("employer_premium_paid_eur_per_year", "employer_premium_unpaid_eur_per_year",
          "employer_premium_max_years", "employer_premium_indexation_share_per_year",
          "learner_premium_eur_per_year")
RATES = ("places_factor", "route_dual_share", "cost_premium_paid_eur_per_year",
         "cost_premium_unpaid_eur_per_year", "cost_learner_premium_eur_per_year")


def eligible_share(years):
    """Share of dual learner-years that carry a premium when at most ``years`` are paid.

    With trajectory lengths spread exponentially around ``dual_trajectory_years`` (mean
    ``m``), ``E[min(D, y)] / E[D] = 1 - exp(-y / m)`` (a simplification).
    """
    return -np.expm1(-np.asarray(years, float) / param("dual_trajectory_years"))


def _effective(lv, paid, unpaid, years, ctx):
    oao = np.asarray(ctx.oao_share_cells)  # (C,)
    eligible = eligible_share(years)
    return (oao[None, :] * paid[:, None] + (1 - oao[None, :]) * unpaid[:, None]) \
        * eligible[:, None]


def apply(rates, lv, ctx):
    index = (1 + lv["employer_premium_indexation_share_per_year"]) ** np.floor(
        years_since_start(ctx))
    paid = lv["employer_premium_paid_eur_per_year"] * index
    unpaid = lv["employer_premium_unpaid_eur_per_year"] * index
    years = lv["employer_premium_max_years"]
    ones = np.ones(ctx.months)
    effective = _effective(lv, paid, unpaid, years, ctx)
    today = _effective(lv, lv.today("employer_premium_paid_eur_per_year") * ones,
                       lv.today("employer_premium_unpaid_eur_per_year") * ones,
                       lv.today("employer_premium_max_years") * ones, ctx)
    semi = param("supply_elasticity_subsidy") / today
    supply = np.exp(semi * (effective - today))
    learner = lv["learner_premium_eur_per_year"]
    income0 = 12 * lv.today("allowance_tier_1_eur_per_month") + lv.today(
        "learner_premium_eur_per_year")
    take_up = (1 + (learner - lv.today("learner_premium_eur_per_year")) / income0) ** param(
        "take_up_elasticity_allowance")
    return {
        "places_factor": rates["places_factor"].scaled(tc=supply),
        "route_dual_share": rates["route_dual_share"].scaled(tc=monthly(take_up)),
        "cost_premium_paid_eur_per_year": paid * eligible_share(years),
        "cost_premium_unpaid_eur_per_year": unpaid * eligible_share(years),
        "cost_learner_premium_eur_per_year": learner * eligible_share(3),
    }
