"""Study-choice guidance: dual as a full first choice in study orientation (OLB).

Raises dual take-up by ``guidance_take_up_effect`` (an assumption: a short information quiz
raised stated preference in the VIONA study; no effect size on behaviour is known).
"""

from simlib.model.policies._util import switch_factor

LEVERS = ("study_guidance_dual_first_choice",)
RATES = ("route_dual_share",)


def apply(rates, lv, ctx):
    factor = switch_factor(lv, "study_guidance_dual_first_choice", "guidance_take_up_effect")
    return {"route_dual_share": rates["route_dual_share"].scaled(tc=factor)}
