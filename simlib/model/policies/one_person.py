"""A pragmatic alternative for one-person businesses under the federal welfare rules.

One-person businesses that stopped offering places come back: places rise by
``one_person_supply_effect`` (an assumption: their share of recognised firms is not known).
"""

from simlib.model.policies._util import switch_factor

LEVERS = ("one_person_business_alternative",)
RATES = ("places_factor",)


def apply(rates, lv, ctx):
    factor = switch_factor(lv, "one_person_business_alternative", "one_person_supply_effect")
    return {"places_factor": rates["places_factor"].scaled(tc=factor)}
