"""The Groeifase: an alternative trajectory with capacity, intake rules and a springboard.

Closed today. When open: Aanloopfase learners enter from ``groeifase_intake_after_months``
(and, by intake rule, learners after a termination, or also searchers whose window ended:
'broad', the diversion SERV warns against) while the Flanders-wide capacity has room (else
they wait: the waiting list). Each month a share returns to dual (searching) or the
Aanloopfase (the springboard); at the maximum duration the trajectory ends with a partial
qualification (at the Aanloopfase's partial share) or back in the non-dual variant. A welfare
component halves the unqualified-exit hazard (``groeifase_welfare_effect``). A place costs
``groeifase_cost_eur_per_place_year``.
"""

import numpy as np

from simlib.inputs.parameters import param
from simlib.model.policies._util import monthly, on
from simlib.model.rates import Rate

LEVERS = ("groeifase_open", "groeifase_capacity", "groeifase_intake_after_months",
          "groeifase_intake_rule", "groeifase_max_duration_months",
          "groeifase_springboard_share_per_month", "groeifase_welfare_component")
RATES = ("groeifase_open", "groeifase_capacity", "groeifase_intake_months",
         "groeifase_max_months", "groeifase_rule", "groeifase_springboard_hazard",
         "leave_hazard_groeifase", "cost_groeifase_eur_per_place_month")
RULE = {"aanloopfase_only": 0.0, "also_after_termination": 1.0, "broad": 2.0}


def apply(rates, lv, ctx):
    open_ = on(lv, "groeifase_open")
    share = np.clip(lv["groeifase_springboard_share_per_month"], 0.0, 0.999)
    welfare = on(lv, "groeifase_welfare_component") * open_
    return {
        "groeifase_open": open_,
        "groeifase_capacity": lv["groeifase_capacity"] * open_,
        "groeifase_intake_months": lv["groeifase_intake_after_months"],
        "groeifase_max_months": lv["groeifase_max_duration_months"],
        "groeifase_rule": np.array([RULE[v] for v in np.asarray(lv["groeifase_intake_rule"],
                                                                object)]),
        "groeifase_springboard_hazard": Rate.by_month(-np.log1p(-share)),
        "leave_hazard_groeifase": rates["leave_hazard_groeifase"].scaled(
            tc=monthly(1 - welfare * param("groeifase_welfare_effect"))),
        "cost_groeifase_eur_per_place_month":
            np.full(ctx.months, param("groeifase_cost_eur_per_place_year") / 12.0),
    }
