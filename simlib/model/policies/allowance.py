"""Allowance (leervergoeding): amounts per tier and a graded allowance below 20 h.

Tier amounts are paid by the employer to OAO learners (tier by year: years 3-4 tier 1, year 5
tier 2, years 6-7 tier 3 — a simplification of 'the learner's completed level'). A higher
allowance raises dual take-up (``take_up_elasticity_allowance``, stronger for indicator
pupils by ``take_up_indicator_pupil_multiplier``), keeps learners in their contract
(``termination_elasticity_pay``), and raises the employer's net cost, which lowers placement
supply with the same semi-elasticity as the premium (a euro of cost weighs like a euro of
premium). ``allowance_below_20h``: ``pro_rata`` pays SOA learners the tier amount times
their hours / 20 (``soa_mean_hours_per_week``), ``graded_schedule`` half the tier amount;
SOA learners then gain income (take-up and retention rise where SOA is common) and firms
pay more (supply falls there).
"""

import numpy as np

from simlib.inputs.parameters import param
from simlib.model.rates import inner

LEVERS = ("allowance_tier_1_eur_per_month", "allowance_tier_2_eur_per_month",
          "allowance_tier_3_eur_per_month", "allowance_below_20h")
RATES = ("route_dual_share", "termination_hazard", "places_factor",
         "cost_allowance_tier_1_eur_per_month", "cost_allowance_tier_2_eur_per_month",
         "cost_allowance_tier_3_eur_per_month", "cost_soa_pay_share")

TIERS = ("allowance_tier_1_eur_per_month", "allowance_tier_2_eur_per_month",
         "allowance_tier_3_eur_per_month")


def soa_pay_share(choice) -> np.ndarray:
    """Share of the tier amount an SOA learner receives, per month."""
    pro_rata = param("soa_mean_hours_per_week") / 20.0
    table = {"none": 0.0, "pro_rata": pro_rata, "graded_schedule": 0.5}
    return np.array([table[c] for c in np.asarray(choice, object)], float)


def apply(rates, lv, ctx):
    amounts = np.stack([lv[k] for k in TIERS])            # (3, T)
    today = np.array([lv.today(k) for k in TIERS])[:, None]
    tier = np.array([0, 0, 1, 2, 2])[ctx.inner_year]      # (I,)
    rel = (amounts / today)[tier].T                       # (T, I) relative allowance
    soa_pay = soa_pay_share(lv["allowance_below_20h"])    # (T,)
    oao = np.asarray(ctx.oao_share_cells)                 # (C,)
    # income relative to today: OAO part scales with the amount, SOA part gains soa_pay
    income_tc = oao[None, :] + (1 - oao[None, :]) * soa_pay[:, None] / np.maximum(
        oao[None, :], 0.05)
    eps = param("take_up_elasticity_allowance")
    ses_mult = inner("ses", {"no": 1.0, "yes": param("take_up_indicator_pupil_multiplier")})
    take_ti = rel ** (eps * ses_mult[None, :])
    take_tc = income_tc ** eps / (oao[None, :] ** eps)
    eps_t = param("termination_elasticity_pay")
    term_ti = np.maximum(rel, 0.1) ** (-eps_t)  # bounded: no allowance is not infinite risk
    term_tc = (1 + (1 - oao[None, :]) * soa_pay[:, None]) ** (-eps_t)
    mean_today = float(today.mean())
    extra_cost = 12 * (amounts.mean(axis=0) - mean_today)[:, None] * oao[None, :] \
        + 12 * soa_pay[:, None] * mean_today * (1 - oao[None, :])
    semi = param("supply_elasticity_subsidy") / ctx.premium_today_cells[None, :]
    supply = np.exp(-semi * extra_cost)
    return {
        "route_dual_share": rates["route_dual_share"].scaled(tc=take_tc, ti=take_ti),
        "termination_hazard": rates["termination_hazard"].scaled(tc=term_tc, ti=term_ti),
        "places_factor": rates["places_factor"].scaled(tc=supply),
        **{f"cost_{k}": lv[k] for k in TIERS},
        "cost_soa_pay_share": soa_pay,
    }
