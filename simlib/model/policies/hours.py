"""Workplace hours: a minimum in the dubbele finaliteit and a gradual build-up.

A DF minimum of ``h`` hours per week: contracts of 20 h or more are OAO, so at ``h >= 20``
every DF placement is an OAO (paid); below 20 the DF OAO share rises linearly from today's
(at 8 h) to 1 (at 20 h). More hours cost firms time: DF places fall by
``hours_supply_elasticity`` per relative increase of the minimum above 8 h, and learners not
yet ready terminate more (``hours_termination_low_readiness`` per relative increase).
A gradual build-up of workplace hours lowers terminations of less-ready learners
(``buildup_termination_effect``) at a small cost in places (``buildup_supply_effect``).
All effects are assumptions (no Flemish evidence).
"""

import numpy as np

from simlib.inputs.parameters import param
from simlib.model.policies._util import monthly, on
from simlib.model.rates import inner

LEVERS = ("df_min_hours_per_week", "workplace_hours_buildup")
RATES = ("oao_share", "places_factor", "termination_hazard")


def apply(rates, lv, ctx):
    hours = lv["df_min_hours_per_week"]
    today = lv.today("df_min_hours_per_week")
    rise = np.clip((hours - today) / (20.0 - today), 0.0, 1.0)        # (T,)
    df = ctx.cell_finality == 1                                         # (C,)
    oao_today = np.asarray(ctx.oao_share_cells)
    oao = np.where(df[None, :], oao_today + (1 - oao_today) * rise[:, None], oao_today)
    rel = (hours - today) / today                                       # relative increase
    supply = np.where(df[None, :], (1 + rel[:, None]) ** (-param("hours_supply_elasticity")),
                      1.0)
    low = inner("readiness", {"low": 1.0, "medium": 0.5, "high": 0.0})
    # DF hours x readiness cannot be a product of a cell and an inner factor: DF cells get
    # the effect at the mean weight of readiness (0.5), a simplification
    term_tc = np.where(df[None, :], 1 + param("hours_termination_low_readiness")
                       * rel[:, None] * 0.5, 1.0)
    buildup = on(lv, "workplace_hours_buildup")
    term_ti = 1 - buildup[:, None] * param("buildup_termination_effect") * low[None, :]
    supply = supply * monthly(1 - buildup * param("buildup_supply_effect"))
    return {
        "oao_share": rates["oao_share"].scaled(tc=oao / oao_today[None, :]),
        "places_factor": rates["places_factor"].scaled(tc=supply),
        "termination_hazard": rates["termination_hazard"].scaled(tc=term_tc, ti=term_ti),
    }
