"""Mobility support: insurance and travel between workplaces (action 10).

Learners reach places farther away: the placement hazard rises by ``mobility_matching_effect``
and firms with several sites offer more places (``mobility_supply_effect``). Assumptions; the
model has no travel-time geography.
"""

from simlib.model.policies._util import switch_factor

LEVERS = ("mobility_support",)
RATES = ("placement_hazard", "places_factor")


def apply(rates, lv, ctx):
    return {
        "placement_hazard": rates["placement_hazard"].scaled(
            tc=switch_factor(lv, "mobility_support", "mobility_matching_effect")),
        "places_factor": rates["places_factor"].scaled(
            tc=switch_factor(lv, "mobility_support", "mobility_supply_effect")),
    }
