"""Network building by sector funds and schools: extra growth of active places per year.

Places grow by the lever's share per year on top of today's (compounded monthly from the
month the lever is set). The trend itself is in the baseline (flat: no series found).
"""

import numpy as np

from simlib.model.policies._util import monthly

LEVERS = ("network_building_growth_share_per_year",)
RATES = ("places_factor",)


def apply(rates, lv, ctx):
    monthly_growth = (1 + lv["network_building_growth_share_per_year"]) ** (1 / 12)
    factor = np.cumprod(monthly_growth) / monthly_growth[0]
    return {"places_factor": rates["places_factor"].scaled(tc=monthly(factor))}
