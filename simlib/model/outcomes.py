"""Outcomes: indicators per school year and group, with units and direction.

Each indicator is declared once in ``INDICATORS``: its id, unit, direction (+1 when more is
better, -1 when less is better, 0 when neither), whether it exists for market cells only, and
its formula over the batch's quantities (:mod:`simlib.model.quantities`); its labels are in
the glossary. Stocks are
read on 1 February (the official count date of Onderwijs Vlaanderen) unless the id says
otherwise; flows are summed over the school year (September to August). Groups: ``all``,
``finality=``, ``region=``, ``sector=``, ``ses=`` (indicator pupils) and ``provider=``.
Market indicators (places, demand) exist only for ``all`` and the cell groups (finality,
region, sector). A ratio whose denominator is zero (a share of nothing, e.g. Groeifase shares
while it is closed, or employment 12 months after exit in the first school year) has no row.

Unqualified outflow follows the official Flemish definition of *ongekwalificeerde
uitstroom*: leaving secondary education without a diploma of secondary education, without
a studiegetuigschrift of the second year of the third grade BSO and without a
beroepskwalificatie. In the model it counts the exits ``unqualified`` and
``partial_qualification`` (a deelkwalificatie is not a qualification in that definition);
``qualified_education`` and ``qualified_professional`` are qualified. See data/README.md.

Dual and non-dual leavers are different learners (selection): comparisons of their
outcomes are not effects of the route.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.inputs.parameters import param
from simlib.model.quantities import CELL_GROUP_PREFIXES, FEBRUARY, Q, Quantities
from simlib.model.structure import CELLS, QUALIFICATIONS

__all__ = ["Indicator", "INDICATORS", "INDICATOR_BY_ID", "PARTS", "indicator_table",
           "outcome_params", "CELL_GROUP_PREFIXES", "market_cells", "MARKET_COLUMNS"]


@dataclass(frozen=True)
class Indicator:
    """One indicator: ``formula(x)`` gives its values (D draws, school years, groups) from the
    quantities ``x`` of a batch; ``market``: it exists for the market-cell groups only."""

    id: str
    unit: str
    direction: int
    formula: Callable[[Quantities], np.ndarray]
    market: bool = False


def _share_eligible(x: Quantities):
    # OAO learners (and guaranteed places) are paid; SOA learners only under a graded
    # allowance below 20 h (cost_soa_pay_share > 0 in that month)
    return x.ratio(x.feb(x.oao + x.soa * (x.per_month("cost_soa_pay_share") > 0)),
                   x.feb(x.oao + x.soa))


def _route_unqualified(x: Quantities, route: int):
    """Leavers of a route (1 dual: searching, contracts, guaranteed places; 2 Aanloopfase and
    Groeifase) without a full qualification, as a share of that route's leavers (selection:
    different learners, not a route effect)."""
    r = x.by_route
    return x.ratio(x.year_sum(r[..., 2, route] + r[..., 3, route]),
                   x.year_sum(r[..., :, route].sum(-1)))


def _further_study(x: Quantities):
    study = x.P["further_study"].reshape(x.D, 1, 1, 4)
    return x.ratio(x.year_sum((x.leave * study).sum(-1)), x.year_sum(x.leave.sum(-1)))


_I = Indicator
INDICATORS = (
    _I("learners_in_model", "learners", 0, lambda x: x.feb(x.school)),
    _I("dual_contract_learners", "learners", +1, lambda x: x.feb(x.oao + x.soa)),
    _I("dual_oao_learners", "learners", +1, lambda x: x.feb(x.oao)),
    _I("dual_soa_learners", "learners", 0, lambda x: x.feb(x.soa)),
    _I("allowance_eligible_share", "share", 0, _share_eligible),
    _I("guaranteed_place_learners", "learners", 0, lambda x: x.feb(x.q("guaranteed"))),
    _I("searching_learners", "learners", -1, lambda x: x.feb(x.q("searching"))),
    _I("aanloopfase_learners", "learners", 0, lambda x: x.feb(x.q("aanloopfase"))),
    _I("groeifase_learners", "learners", 0, lambda x: x.feb(x.q("groeifase"))),
    _I("non_dual_learners", "learners", 0, lambda x: x.feb(x.q("non_dual"))),
    _I("work_ready_without_place", "learners", -1, lambda x: x.feb(x.q("ready_without_place"))),
    _I("groeifase_waiting_list", "learners", -1, lambda x: x.feb(x.q("groeifase_waiting"))),
    _I("behind_share", "share", -1, lambda x: x.ratio(x.feb(x.q("behind")), x.feb(x.school))),
    _I("dual_inflow", "learners_per_school_year", +1,
       lambda x: x.year_sum(x.q("route_entries"))),
    _I("screened_into_aanloopfase", "learners_per_school_year", 0,
       lambda x: x.year_sum(x.q("screened_out"))),
    _I("placements", "contracts_per_school_year", +1, lambda x: x.year_sum(x.q("placed"))),
    _I("placement_share", "share", +1,
       lambda x: x.ratio(x.year_sum(x.q("placed")), x.year_sum(x.q("placed") + x.q("failed")))),
    _I("mean_school_days_to_placement", "school_days", -1,
       lambda x: x.ratio(x.year_sum(x.q("placed_days")), x.year_sum(x.q("placed")))),
    _I("terminations", "contracts_per_school_year", -1,
       lambda x: x.year_sum(x.q("terminated"))),
    _I("termination_rate", "per_contract_year", -1,
       lambda x: x.ratio(x.year_sum(x.q("terminated")),
                         x.year_sum(x.q("dual_oao") + x.soa) / 12.0)),
    _I("terminations_first_3_months_share", "share", 0,
       lambda x: x.ratio(x.year_sum(x.q("terminated_early")), x.year_sum(x.q("terminated")))),
    _I("refused_contracts", "contracts_per_school_year", -1,
       lambda x: x.year_sum(x.q("refused"))),
    _I("returns_to_non_dual", "learners_per_school_year", 0,
       lambda x: x.year_sum(x.q("returned_non_dual"))),
    _I("groeifase_intake", "learners_per_school_year", 0,
       lambda x: x.year_sum(x.q("groeifase_intake"))),
    _I("groeifase_springboard", "learners_per_school_year", +1,
       lambda x: x.year_sum(x.q("groeifase_springboard"))),
    _I("groeifase_12_months_share", "share", -1,
       lambda x: x.ratio(x.end(x.q("groeifase_12")), x.end(x.q("groeifase")))),
    _I("groeifase_24_months_share", "share", -1,
       lambda x: x.ratio(x.end(x.q("groeifase_24")), x.end(x.q("groeifase")))),
    _I("outflow_qualified_education", "learners_per_school_year", +1,
       lambda x: x.year_sum(x.leave[..., 0])),
    _I("outflow_qualified_professional", "learners_per_school_year", +1,
       lambda x: x.year_sum(x.leave[..., 1])),
    _I("outflow_partial_qualification", "learners_per_school_year", 0,
       lambda x: x.year_sum(x.leave[..., 2])),
    _I("outflow_unqualified", "learners_per_school_year", -1,
       lambda x: x.year_sum(x.leave[..., 3])),
    _I("qualified_outflow", "learners_per_school_year", +1,
       lambda x: x.year_sum(x.leave[..., 0] + x.leave[..., 1])),
    _I("unqualified_outflow", "learners_per_school_year", -1,
       lambda x: x.year_sum(x.unq_official)),
    _I("unqualified_outflow_share", "share", -1,
       lambda x: x.ratio(x.year_sum(x.unq_official), x.year_sum(x.leave.sum(-1)))),
    _I("unqualified_outflow_share_dual_route", "share", -1, lambda x: _route_unqualified(x, 1)),
    _I("unqualified_outflow_share_aanloop_route", "share", -1,
       lambda x: _route_unqualified(x, 2)),
    _I("further_study_share_of_leavers", "share", +1, _further_study),
    _I("employed_12_months_share", "share", +1,
       lambda x: x.ratio(x.year_sum(x.batch.employed_12[..., x.keep]), x.year_sum(x.labour12))),
    _I("job_seeking_12_months_share", "share", -1,
       lambda x: x.ratio(x.year_sum(x.batch.seeking_12[..., x.keep]), x.year_sum(x.labour12))),
    _I("active_places", "places", +1, lambda x: x.feb(x.market[0]), market=True),
    _I("placement_demand", "learners", 0, lambda x: x.feb(x.market[1]), market=True),
    _I("placement_gap", "places", -1, lambda x: x.feb(x.market[1] - x.market[0]), market=True),
    _I("public_cost_dual_policy", "eur_per_school_year", -1, lambda x: x.year_sum(x.policy)),
    _I("school_cost", "eur_per_school_year", 0, lambda x: x.year_sum(x.school_cost)),
    _I("public_cost", "eur_per_school_year", -1,
       lambda x: x.year_sum(x.policy + x.school_cost)),
    _I("employer_net_cost", "eur_per_school_year", 0, lambda x: x.year_sum(x.employer)),
    _I("learner_income", "eur_per_school_year", +1,
       lambda x: x.year_sum(x.allowance_oao + x.soa_pay + x.learner_premium)),
)
INDICATOR_BY_ID = {ind.id: ind for ind in INDICATORS}
#: Indicators that are the sum of others, which every text shows beside them: the official
#: unqualified outflow is leaving without any qualification plus leaving with only a partial
#: one (see the module docstring).
PARTS: dict[str, tuple[str, ...]] = {
    "unqualified_outflow": ("outflow_unqualified", "outflow_partial_qualification"),
}


def outcome_params() -> dict[str, np.ndarray]:
    """The parameters of ``data/`` the indicators read (per draw in a batch)."""
    school = param("school_cost_eur_per_learner_year")
    productive = param("productive_value_eur_per_learner_year")
    return {
        "further_study": np.array([param("exit_further_study_share")[k] for k in QUALIFICATIONS]),
        "school_cost": np.array([school["non_dual"], school["dual"], school["aanloopfase"]]),
        "productive": np.array([productive["oao"], productive["soa"]]),
        "mentor_cost": np.array(param("mentor_cost_eur_per_learner_year"), float),
    }


def indicator_table(batch, ids: Sequence[str] | None = None,
                    groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Indicators ``ids`` (default all) for ``groups`` (default all) of every draw of a batch
    (:class:`simlib.model.engine.Batch`): columns draw, school_year, indicator, group, value,
    unit. Only the quantities the chosen indicators need are computed."""
    x = Quantities(batch, groups)
    n_years, names, D = x.n_years, x.names, batch.draws
    G = len(names)
    chosen = INDICATORS if ids is None else [INDICATOR_BY_ID[i] for i in ids]
    years = batch.timeline.school_year()[::12]
    cell_group = np.array([n.startswith(CELL_GROUP_PREFIXES) for n in names])
    group_names = np.array(names, dtype=object)
    # the draw, school-year and group columns of one indicator's block, per kept-group mask
    blocks: dict[bool, tuple] = {}
    for market in (False, True):
        keep = cell_group if market else np.ones(G, bool)
        k = int(keep.sum())
        blocks[market] = (keep, np.repeat(np.arange(D), n_years * k),
                          np.tile(np.repeat(years, k), D), np.tile(group_names[keep], D * n_years))
    parts = [blocks[ind.market] for ind in chosen]
    lengths = [len(p[1]) for p in parts]
    cols = {
        "draw": np.concatenate([p[1] for p in parts]),
        "school_year": np.concatenate([p[2] for p in parts]),
        "indicator": np.repeat(np.array([ind.id for ind in chosen], dtype=object), lengths),
        "group": np.concatenate([p[3] for p in parts]),
        # (D, years, kept groups) per indicator
        "value": np.concatenate([ind.formula(x)[:, :, p[0]].reshape(-1)
                                 for ind, p in zip(chosen, parts, strict=True)]),
        "unit": np.repeat(np.array([ind.unit for ind in chosen], dtype=object), lengths),
    }
    out = pd.DataFrame(cols)
    # a share of nothing is undefined (e.g. the Groeifase while it is closed): no row
    return out[np.isfinite(out["value"])].reset_index(drop=True)


#: The columns of :func:`market_cells`.
MARKET_COLUMNS = ("school_year", "region", "sector", "active_places", "placement_demand",
                  "searching_learners", "placement_gap")


def market_cells(result_or_trajectory) -> pd.DataFrame:
    """Placement demand against supply per region x sector (both finalities together), on
    1 February of every school year (the count date of the other stocks).

    Columns :data:`MARKET_COLUMNS`: ``active_places`` (places), ``placement_demand``
    (learners searching or in a contract), ``searching_learners`` (learners) and
    ``placement_gap = placement_demand - active_places`` (places: more learners than places
    where positive, open places left where negative), one row per school year x region x
    sector. The region and sector groups of the indicators are the margins of this grid.
    """
    tr = getattr(result_or_trajectory, "trajectory", result_or_trajectory)
    n_years = tr.timeline.months // 12
    R = tr.rec.sum(axis=(2, 3))  # (T, C, Q)
    searching = R[:, :, Q["searching"]]
    demand = searching + R[:, :, Q["dual_oao"]] + R[:, :, Q["dual_soa"]]
    places = np.asarray(tr.places, float)

    def feb_grid(x):  # (T, C) -> (years, region, sector), summed over finality
        shape = dict(CELLS.axes)
        out = np.zeros((n_years, len(shape["region"]), len(shape["sector"])))
        region, sector = CELLS.coord("region"), CELLS.coord("sector")
        feb = x.reshape(n_years, 12, -1)[:, FEBRUARY]
        np.add.at(out, (slice(None), region, sector), feb)
        return out

    grids = {"active_places": feb_grid(places), "placement_demand": feb_grid(demand),
             "searching_learners": feb_grid(searching)}
    grids["placement_gap"] = grids["placement_demand"] - grids["active_places"]
    axes = dict(CELLS.axes)
    years = tr.timeline.school_year()[::12]
    idx = pd.MultiIndex.from_product([years, axes["region"], axes["sector"]],
                                     names=["school_year", "region", "sector"])
    frame = pd.DataFrame({k: v.reshape(-1) for k, v in grids.items()}, index=idx)
    return frame.reset_index()[list(MARKET_COLUMNS)]
