"""Uniform screening: how well the judgement 'work-ready' matches latent readiness.

At ``low`` quality (today) the chance to be judged ready is the same at every readiness (the
calibrated share); ``medium`` and ``high`` use the tables ``screening_ready_prob_medium`` and
``screening_ready_prob_high`` by readiness: fewer unready learners start dual (fewer
terminations later, through their readiness), fewer ready ones wait in the Aanloopfase.
Screening costs ``screening_cost_eur_per_learner`` times a quality multiplier per entrant.
"""

import numpy as np

from simlib.inputs.parameters import param
from simlib.model.rates import inner

LEVERS = ("screening_quality",)
RATES = ("screen_ready_prob", "cost_screening_eur_per_entrant")


def apply(rates, lv, ctx):
    quality = np.asarray(lv["screening_quality"], object)
    base = rates["screen_ready_prob"]
    low = np.broadcast_to(base.tc * base.ti, (1, 1))[0, 0]
    ti = np.empty((ctx.months, len(ctx.inner_year)))
    for level in ("low", "medium", "high"):
        vec = np.full(len(ctx.inner_year), low) if level == "low" else inner(
            "readiness", param(f"screening_ready_prob_{level}"))
        ti[quality == level] = vec
    mult = param("screening_cost_multiplier")
    cost = np.array([mult[q] for q in quality]) * param("screening_cost_eur_per_learner")
    return {"screen_ready_prob": type(base)(np.ones((1, 1)), ti),
            "cost_screening_eur_per_entrant": cost}
