"""Conditional recognition of firms: places sooner, but some firms are later refused.

While on, active places rise by ``conditional_recognition_supply_effect`` (firms start before
their recognition is final); a share of new contracts (the refusal share) ends in the first
three months because the firm is refused, spread as a monthly hazard over those months.
Refused learners search again (the window restarts). Assumptions.
"""

import numpy as np

from simlib.inputs.parameters import param
from simlib.model.policies._util import monthly, on
from simlib.model.rates import Rate

LEVERS = ("conditional_recognition", "conditional_recognition_refusal_share")
RATES = ("places_factor", "refusal_hazard")


def apply(rates, lv, ctx):
    switch = on(lv, "conditional_recognition")
    supply = monthly(1 + switch * param("conditional_recognition_supply_effect"))
    share = np.clip(lv["conditional_recognition_refusal_share"] * switch, 0.0, 0.999)
    hazard = -np.log1p(-share) / 3.0
    return {"places_factor": rates["places_factor"].scaled(tc=supply),
            "refusal_hazard": Rate.by_month(hazard) if np.any(hazard)
            else rates["refusal_hazard"]}
