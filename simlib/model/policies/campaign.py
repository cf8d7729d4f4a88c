"""Communication campaign on the image of dual learning (actions 18bis-18/2).

Raises dual take-up by ``campaign_take_up_effect`` — an assumption, labelled so: a large
campaign showed no significant effect in the VIONA study, so the central value is small.
"""

from simlib.model.policies._util import switch_factor

LEVERS = ("image_campaign",)
RATES = ("route_dual_share",)


def apply(rates, lv, ctx):
    factor = switch_factor(lv, "image_campaign", "campaign_take_up_effect")
    return {"route_dual_share": rates["route_dual_share"].scaled(tc=factor)}
