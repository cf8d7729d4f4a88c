"""A shock to placement supply (research option: the business cycle).

Multiplies active places by the lever's factor. The apprenticeship market is pro-cyclical
but moderately so (Lüthi & Wolter 2020).
"""

from simlib.model.policies._util import monthly

LEVERS = ("placement_supply_factor",)
RATES = ("places_factor",)


def apply(rates, lv, ctx):
    return {"places_factor": rates["places_factor"].scaled(
        tc=monthly(lv["placement_supply_factor"]))}
