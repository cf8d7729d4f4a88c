"""Programmatie: more dual offer, spread evenly or where places exist (actions 12-13).

Extra offer ``g`` (a share of today's) raises dual take-up in a cell by
``1 + offer_take_up_elasticity * g * w_c``: ``w_c = 1`` for ``uniform`` growth; for
``where_places_exist`` ``w_c`` is the cell's places-to-learners ratio relative to the mean
(weights averaging 1 over learners), so new offer goes where firms can take learners.
"""

import numpy as np

from simlib.inputs.parameters import param

LEVERS = ("dual_offer_growth_share", "dual_offer_targeting")
RATES = ("route_dual_share",)


def apply(rates, lv, ctx):
    growth = lv["dual_offer_growth_share"][:, None]
    targeted = (np.asarray(lv["dual_offer_targeting"], object) == "where_places_exist")
    weight = np.where(targeted[:, None], ctx.tightness[None, :], 1.0)
    factor = 1 + param("offer_take_up_elasticity") * growth * weight
    return {"route_dual_share": rates["route_dual_share"].scaled(tc=factor)}
