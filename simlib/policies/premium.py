"""Employer premium (premie kwalificerend werkplekleren) and placement supply.

The premium lowers the employer's net cost of a place. Supply of places responds with a
constant elasticity to net cost, set so that its elasticity with respect to the premium at
today's amounts equals ``supply_elasticity_subsidy`` (data/behaviour.toml; 0-0.3, acting
mainly on whether firms train at all). The paid-learner premium applies to OAO places, the
unpaid one to SOA places, weighted by each stratum's OAO share.

Simplifications: the eligibility rules (at least 4 months, a mentor, level <= 4, >= 50% on
the workplace) and the cap of three premiums per learner are not modelled; the premium is
paid per learner-year in dual. Net cost is kept above 10% of today's to keep the elasticity
finite.
"""

import numpy as np

from simlib.parameters import param

LEVERS = ("employer_premium_paid_eur_per_year", "employer_premium_unpaid_eur_per_year")
RATES = ("placement_supply", "employer_net_cost_eur_per_year", "premium_paid_eur_per_year",
         "premium_unpaid_eur_per_year")


def apply(rates, lv, ctx):
    paid = lv["employer_premium_paid_eur_per_year"][:, None]
    unpaid = lv["employer_premium_unpaid_eur_per_year"][:, None]
    paid0 = lv.today("employer_premium_paid_eur_per_year")
    unpaid0 = lv.today("employer_premium_unpaid_eur_per_year")
    oao = rates["oao_share"]
    premium = oao * paid + (1 - oao) * unpaid
    premium0 = oao * paid0 + (1 - oao) * unpaid0
    net0 = rates["employer_net_cost_eur_per_year"]
    net = np.maximum(net0 - (premium - premium0), 0.1 * net0)
    elasticity = param("supply_elasticity_subsidy") * net0 / premium0
    supply = rates["placement_supply"] * (net / net0) ** (-elasticity)
    return {
        "placement_supply": supply,
        "employer_net_cost_eur_per_year": net,
        "premium_paid_eur_per_year": paid,
        "premium_unpaid_eur_per_year": unpaid,
    }
