"""Coaching: workplace visits by the learner's coach (trajectbegeleider) lower terminations.

The termination hazard is scaled by ``f(c) / f(c_today)`` with
``f(c) = 1 - E * (1 - exp(-k c))``: ``E`` is the maximum relative reduction
(``coaching_max_effect``, -40% in a randomised Dutch mbo trial) and ``k`` is set so that
``coaching_visits_for_90pct_effect`` visits a month reach 90% of it (diminishing returns,
an assumption). Each visit costs ``coaching_cost_eur_per_visit``.
"""

import numpy as np

from simlib.inputs.parameters import param
from simlib.model.policies._util import monthly

LEVERS = ("coaching_visits_per_month",)
RATES = ("termination_hazard", "cost_coaching_eur_per_learner_month")


def effect(visits):
    """Relative termination hazard at ``visits`` per learner per month (1 at zero visits)."""
    k = np.log(10.0) / param("coaching_visits_for_90pct_effect")
    return 1.0 - param("coaching_max_effect") * (1.0 - np.exp(-k * np.asarray(visits)))


def apply(rates, lv, ctx):
    visits = lv["coaching_visits_per_month"]
    ratio = effect(visits) / effect(lv.today("coaching_visits_per_month"))
    return {
        "termination_hazard": rates["termination_hazard"].scaled(ti=monthly(ratio)),
        "cost_coaching_eur_per_learner_month": visits * param("coaching_cost_eur_per_visit"),
    }
