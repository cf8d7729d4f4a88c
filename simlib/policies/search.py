"""Search window: the 20 + 20 school-day rule to find a workplace.

The window (``search_window_days`` + ``search_extension_days``) counts school days only: it
stops in July and August and restarts after a termination. The engine tracks days used in
5-day steps (a tunnel state), so the window rule is applied exactly at that resolution.
Simplification: every searcher takes the extension (in practice it is granted on request).
"""

from simlib.rates import per_month

LEVERS = ("search_window_days", "search_extension_days")
RATES = ("search_window_days",)


def apply(rates, lv, ctx):
    return {"search_window_days": per_month(lv["search_window_days"]
                                            + lv["search_extension_days"])}
