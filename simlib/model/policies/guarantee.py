"""Guaranteed places (Ausbildungsgarantie): a training place for searchers whose window ends.

While on, searchers whose window ends without a place take a guaranteed place as long as
the Flanders-wide capacity has room (rationed with last month's demand); from there they
move to a firm at the yearly transfer share (Austria's ÜBA: 50-60% later move to firms),
scaled by the share of the cell's open places that searchers leave open (so transfers do not
displace searchers; a simplification of firms' choices).
A guaranteed place costs its yearly cost per occupied place. Guaranteed learners are counted
in ``dual_oao`` (they train with a contract) and separately as ``guaranteed_place_learners``.
"""

import numpy as np

from simlib.model.policies._util import on
from simlib.model.rates import Rate

LEVERS = ("guaranteed_places", "guaranteed_places_capacity",
          "guaranteed_place_cost_eur_per_year", "guaranteed_place_transfer_share_per_year")
RATES = ("guarantee_on", "guarantee_capacity", "guarantee_transfer_hazard",
         "cost_guarantee_eur_per_place_month")


def apply(rates, lv, ctx):
    share = np.clip(lv["guaranteed_place_transfer_share_per_year"], 0.0, 0.999)
    hazard = -np.log1p(-share) / 12.0
    return {
        "guarantee_on": on(lv, "guaranteed_places"),
        "guarantee_capacity": lv["guaranteed_places_capacity"] * on(lv, "guaranteed_places"),
        "guarantee_transfer_hazard": Rate.by_month(hazard),
        "cost_guarantee_eur_per_place_month": lv["guaranteed_place_cost_eur_per_year"] / 12.0,
    }
