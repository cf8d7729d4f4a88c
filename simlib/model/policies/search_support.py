"""Search support guarantee: help to find a place at entry or transfer into dual.

Raises every searcher's placement hazard by ``search_support_effect`` (an assumption: no
evaluation of such a guarantee was found) and costs ``search_support_cost_eur_per_searcher``
per searcher per month.
"""

from simlib.inputs.parameters import param
from simlib.model.policies._util import monthly, on

LEVERS = ("search_support_guarantee",)
RATES = ("placement_hazard", "cost_search_support_eur_per_searcher_month")


def apply(rates, lv, ctx):
    switch = on(lv, "search_support_guarantee")
    factor = monthly(1 + switch * param("search_support_effect"))
    return {"placement_hazard": rates["placement_hazard"].scaled(tc=factor),
            "cost_search_support_eur_per_searcher_month":
                switch * param("search_support_cost_eur_per_searcher_month")}
