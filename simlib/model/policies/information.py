"""Information on the Groeipakket impact of dual learning (suggested themes; actions 4-8).

Uncertainty about child benefit is an obstacle to entering dual (SERV): information raises
take-up by ``information_take_up_effect`` and lowers terminations by
``information_termination_effect`` (assumptions).
"""

from simlib.inputs.parameters import param
from simlib.model.policies._util import monthly, on

LEVERS = ("groeipakket_information",)
RATES = ("route_dual_share", "termination_hazard")


def apply(rates, lv, ctx):
    switch = on(lv, "groeipakket_information")
    take = monthly(1 + switch * param("information_take_up_effect"))
    term = monthly(1 - switch * param("information_termination_effect"))
    return {"route_dual_share": rates["route_dual_share"].scaled(tc=take),
            "termination_hazard": rates["termination_hazard"].scaled(tc=term)}
