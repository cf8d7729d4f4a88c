"""Mentor requirements: seniority in the trade, and a refresher course every few years.

Stricter requirements improve mentoring (terminations fall by ``mentor_termination_effect``)
but fewer firms qualify (places fall by ``mentor_supply_effect``), per level: ``seniority``
counts once, ``seniority_and_refresher`` twice. Assumptions (footnote 6 of the advice; no
effect sizes found).
"""

import numpy as np

from simlib.inputs.parameters import param
from simlib.model.policies._util import monthly

LEVERS = ("mentor_standard",)
RATES = ("termination_hazard", "places_factor")
LEVEL = {"today": 0.0, "seniority": 1.0, "seniority_and_refresher": 2.0}


def apply(rates, lv, ctx):
    level = np.array([LEVEL[v] for v in np.asarray(lv["mentor_standard"], object)])
    term = monthly((1 - param("mentor_termination_effect")) ** level)
    supply = monthly((1 - param("mentor_supply_effect")) ** level)
    return {"termination_hazard": rates["termination_hazard"].scaled(tc=term),
            "places_factor": rates["places_factor"].scaled(tc=supply)}
