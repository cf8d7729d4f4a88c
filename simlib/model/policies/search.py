"""Search window and entry deadline: the 20 + 20 school-day rule to find a workplace.

The window (``search_window_days`` + ``search_extension_days``,
:func:`simlib.model.rates.window_days`) counts school days only: it
stops in July and August and restarts after a termination. The engine tracks days used in
5-day steps (a tunnel state). A later entry deadline spreads route entries over more months
and adds late entrants (``late_entry_extra_share``, an assumption).
Simplification: every searcher takes the extension (in practice it is granted on request).
"""

import numpy as np

from simlib.inputs.parameters import param
from simlib.model.rates import window_days

LEVERS = ("search_window_days", "search_extension_days", "dual_entry_deadline")
RATES = ("window_days", "route_weight")


def apply(rates, lv, ctx):
    cal = ctx.calendar_month
    oct_share = param("route_october_share")
    deadline = np.asarray(lv["dual_entry_deadline"], object)
    extra = param("late_entry_extra_share")
    # September keeps today's weight; a later deadline spreads October's share (plus the
    # late entrants) over the months it opens
    weight = rates["route_weight"]
    dec = (deadline == "end_december") & np.isin(cal, (10, 11, 12))
    weight = np.where(dec, (oct_share + extra) / 3, weight)
    year = (deadline == "all_year") & np.isin(cal, (10, 11, 12, 1, 2, 3, 4, 5))
    weight = np.where(year, (oct_share + 2 * extra) / 8, weight)
    return {"window_days": window_days(lv["search_window_days"], lv["search_extension_days"]),
            "route_weight": weight}
