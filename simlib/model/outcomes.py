"""Outcomes: indicators per school year and group, with units and direction.

Each indicator is declared once in ``INDICATORS`` (id, unit, direction: +1 when more is
better, -1 when less is better, 0 when neither) with its labels in the glossary. Stocks are
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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.inputs.parameters import param
from simlib.model import kernel as K
from simlib.model.groups import by_group, group_masks
from simlib.model.structure import CELLS, QUALIFICATIONS

__all__ = ["Indicator", "INDICATORS", "PARTS", "indicator_table",
           "outcome_params", "CELL_GROUP_PREFIXES"]


@dataclass(frozen=True)
class Indicator:
    id: str
    unit: str
    direction: int


INDICATORS = (
    Indicator("learners_in_model", "learners", 0),
    Indicator("dual_contract_learners", "learners", +1),
    Indicator("dual_oao_learners", "learners", +1),
    Indicator("dual_soa_learners", "learners", 0),
    Indicator("allowance_eligible_share", "share", 0),
    Indicator("guaranteed_place_learners", "learners", 0),
    Indicator("searching_learners", "learners", -1),
    Indicator("aanloopfase_learners", "learners", 0),
    Indicator("groeifase_learners", "learners", 0),
    Indicator("non_dual_learners", "learners", 0),
    Indicator("work_ready_without_place", "learners", -1),
    Indicator("groeifase_waiting_list", "learners", -1),
    Indicator("behind_share", "share", -1),
    Indicator("dual_inflow", "learners_per_school_year", +1),
    Indicator("screened_into_aanloopfase", "learners_per_school_year", 0),
    Indicator("placements", "contracts_per_school_year", +1),
    Indicator("placement_share", "share", +1),
    Indicator("mean_school_days_to_placement", "school_days", -1),
    Indicator("terminations", "contracts_per_school_year", -1),
    Indicator("termination_rate", "per_contract_year", -1),
    Indicator("terminations_first_3_months_share", "share", 0),
    Indicator("refused_contracts", "contracts_per_school_year", -1),
    Indicator("returns_to_non_dual", "learners_per_school_year", 0),
    Indicator("groeifase_intake", "learners_per_school_year", 0),
    Indicator("groeifase_springboard", "learners_per_school_year", +1),
    Indicator("groeifase_12_months_share", "share", -1),
    Indicator("groeifase_24_months_share", "share", -1),
    Indicator("outflow_qualified_education", "learners_per_school_year", +1),
    Indicator("outflow_qualified_professional", "learners_per_school_year", +1),
    Indicator("outflow_partial_qualification", "learners_per_school_year", 0),
    Indicator("outflow_unqualified", "learners_per_school_year", -1),
    Indicator("qualified_outflow", "learners_per_school_year", +1),
    Indicator("unqualified_outflow", "learners_per_school_year", -1),
    Indicator("unqualified_outflow_share", "share", -1),
    Indicator("unqualified_outflow_share_dual_route", "share", -1),
    Indicator("unqualified_outflow_share_aanloop_route", "share", -1),
    Indicator("further_study_share_of_leavers", "share", +1),
    Indicator("employed_12_months_share", "share", +1),
    Indicator("job_seeking_12_months_share", "share", -1),
    Indicator("active_places", "places", +1),
    Indicator("placement_demand", "learners", 0),
    Indicator("placement_gap", "places", -1),
    Indicator("public_cost_dual_policy", "eur_per_school_year", -1),
    Indicator("school_cost", "eur_per_school_year", 0),
    Indicator("public_cost", "eur_per_school_year", -1),
    Indicator("employer_net_cost", "eur_per_school_year", 0),
    Indicator("learner_income", "eur_per_school_year", +1),
)
INDICATOR_BY_ID = {ind.id: ind for ind in INDICATORS}
#: Indicators that are the sum of others, which every text shows beside them: the official
#: unqualified outflow is leaving without any qualification plus leaving with only a partial
#: one (see the module docstring).
PARTS: dict[str, tuple[str, ...]] = {
    "unqualified_outflow": ("outflow_unqualified", "outflow_partial_qualification"),
}
#: Groups that are market cells (region, sector, finality); market indicators exist only there.
CELL_GROUP_PREFIXES = ("all", "finality=", "region=", "sector=")
MARKET = ("active_places", "placement_demand", "placement_gap")

FEBRUARY = 5  # month index within the school year (September = 0)
Q = {name: i for i, name in enumerate(K.RECORDED)}


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
    """Indicators ``ids`` (default all) for ``groups`` (default all) of every draw of a batch:
    columns draw, school_year, indicator, group, value, unit."""
    n_years = batch.timeline.months // 12
    values, names = _values(batch, groups)
    G = len(names)
    chosen = INDICATORS if ids is None else [INDICATOR_BY_ID[i] for i in ids]
    years = batch.timeline.school_year()[::12]
    cell_group = np.array([n.startswith(CELL_GROUP_PREFIXES) for n in names])
    D = batch.draws
    group_names = np.array(names, dtype=object)
    # the draw, school-year and group columns of one indicator's block, per kept-group mask
    blocks: dict[bool, tuple] = {}
    for market in (False, True):
        keep = cell_group if market else np.ones(G, bool)
        k = int(keep.sum())
        blocks[market] = (keep, np.repeat(np.arange(D), n_years * k),
                          np.tile(np.repeat(years, k), D), np.tile(group_names[keep], D * n_years))
    parts = [blocks[ind.id in MARKET] for ind in chosen]
    lengths = [len(p[1]) for p in parts]
    cols = {
        "draw": np.concatenate([p[1] for p in parts]),
        "school_year": np.concatenate([p[2] for p in parts]),
        "indicator": np.repeat(np.array([ind.id for ind in chosen], dtype=object), lengths),
        "group": np.concatenate([p[3] for p in parts]),
        # (D, years, kept groups) per indicator
        "value": np.concatenate([values[ind.id][:, :, p[0]].reshape(-1)
                                 for ind, p in zip(chosen, parts, strict=True)]),
        "unit": np.repeat(np.array([ind.unit for ind in chosen], dtype=object), lengths),
    }
    out = pd.DataFrame(cols)
    # a share of nothing is undefined (e.g. the Groeifase while it is closed): no row
    return out[np.isfinite(out["value"])].reset_index(drop=True)


def _values(batch, groups: Sequence[str] | None = None
            ) -> tuple[dict[str, np.ndarray], tuple[str, ...]]:
    """Every indicator per draw, school year and group (D, years, G), and the group names
    (those of ``groups`` that the batch has, in the batch's order; default all)."""
    D, T = batch.rec.shape[:2]
    n_years = T // 12
    names, masks = group_masks(batch.cells)
    assert names == batch.groups
    keep = [g for g, n in enumerate(names) if groups is None or n in groups]
    names, masks = tuple(names[g] for g in keep), masks[keep]
    G = len(names)
    R = by_group(batch.rec, masks)  # (D, T, G, Q)
    P = batch.outcome

    def q(name):
        return R[..., Q[name]]

    def feb(x):
        return x.reshape(D, n_years, 12, -1)[:, :, FEBRUARY]

    def end(x):
        return x.reshape(D, n_years, 12, -1)[:, :, -1]

    def year_sum(x):
        return x.reshape(D, n_years, 12, -1).sum(axis=2)

    def ratio(a, b):
        return np.divide(a, b, out=np.full_like(a, np.nan), where=b > 1e-9)

    def per_month(name):
        return np.stack([np.broadcast_to(np.asarray(r[name], float), (T,)) for r in batch.rates]
                        ).reshape(D, T, 1)

    def per_draw(name, k=None):
        x = P[name] if k is None else P[name][:, k]
        return x.reshape(D, 1, 1)

    oao = q("dual_oao") + q("guaranteed")
    soa = q("dual_soa")
    school = sum(q(n) for n in ("non_dual", "searching", "dual_oao", "dual_soa", "guaranteed",
                                "aanloopfase", "groeifase"))
    by_route = R[..., K.Q_LEAVE:K.Q_LEAVE + 12].reshape(D, T, G, 4, 3)  # qualification x route
    leave = by_route.sum(axis=4)  # by qualification
    unq_official = leave[..., 2] + leave[..., 3]
    study = P["further_study"].reshape(D, 1, 1, 4)
    labour12 = batch.exited_12[..., keep]
    # costs (EUR per month)
    tiers = [q(f"oao_tier_{k}") * per_month(f"cost_allowance_tier_{k}_eur_per_month")
             for k in (1, 2, 3)]
    allowance_oao = sum(tiers)
    mean_tier = sum(per_month(f"cost_allowance_tier_{k}_eur_per_month") for k in (1, 2, 3)) / 3
    soa_pay = soa * per_month("cost_soa_pay_share") * mean_tier
    premiums = (q("dual_oao") * per_month("cost_premium_paid_eur_per_year")
                + soa * per_month("cost_premium_unpaid_eur_per_year")) / 12.0
    learner_premium = (oao + soa) * per_month("cost_learner_premium_eur_per_year") / 12.0
    policy = (premiums + learner_premium
              + (oao + soa) * per_month("cost_coaching_eur_per_learner_month")
              + q("route_entries") * per_month("cost_screening_eur_per_entrant")
              + q("searching") * per_month("cost_search_support_eur_per_searcher_month")
              + q("guaranteed") * per_month("cost_guarantee_eur_per_place_month")
              + q("groeifase") * per_month("cost_groeifase_eur_per_place_month"))
    school_cost = (q("non_dual") * per_draw("school_cost", 0)
                   + (q("searching") + q("dual_oao") + soa) * per_draw("school_cost", 1)
                   + q("aanloopfase") * per_draw("school_cost", 2)) / 12.0
    employer = (allowance_oao - q("guaranteed") * mean_tier + soa_pay
                + (q("dual_oao") + soa) * per_draw("mentor_cost") / 12.0
                - q("dual_oao") * per_draw("productive", 0) / 12.0
                - soa * per_draw("productive", 1) / 12.0
                - premiums)

    places = _cell_groups(batch, names)
    values = {
        "learners_in_model": feb(school),
        "dual_contract_learners": feb(oao + soa),
        "dual_oao_learners": feb(oao),
        "dual_soa_learners": feb(soa),
        # OAO learners (and guaranteed places) are paid; SOA learners only under a graded
        # allowance below 20 h (cost_soa_pay_share > 0 in that month)
        "allowance_eligible_share": ratio(feb(oao + soa * (per_month("cost_soa_pay_share") > 0)),
                                          feb(oao + soa)),
        "guaranteed_place_learners": feb(q("guaranteed")),
        "searching_learners": feb(q("searching")),
        "aanloopfase_learners": feb(q("aanloopfase")),
        "groeifase_learners": feb(q("groeifase")),
        "non_dual_learners": feb(q("non_dual")),
        "work_ready_without_place": feb(q("ready_without_place")),
        "groeifase_waiting_list": feb(q("groeifase_waiting")),
        "behind_share": ratio(feb(q("behind")), feb(school)),
        "dual_inflow": year_sum(q("route_entries")),
        "screened_into_aanloopfase": year_sum(q("screened_out")),
        "placements": year_sum(q("placed")),
        "placement_share": ratio(year_sum(q("placed")), year_sum(q("placed") + q("failed"))),
        "mean_school_days_to_placement": ratio(year_sum(q("placed_days")),
                                               year_sum(q("placed"))),
        "terminations": year_sum(q("terminated")),
        "termination_rate": ratio(year_sum(q("terminated")), year_sum(q("dual_oao") + soa)
                                  / 12.0),
        "terminations_first_3_months_share": ratio(year_sum(q("terminated_early")),
                                                   year_sum(q("terminated"))),
        "refused_contracts": year_sum(q("refused")),
        "returns_to_non_dual": year_sum(q("returned_non_dual")),
        "groeifase_intake": year_sum(q("groeifase_intake")),
        "groeifase_springboard": year_sum(q("groeifase_springboard")),
        "groeifase_12_months_share": ratio(end(q("groeifase_12")), end(q("groeifase"))),
        "groeifase_24_months_share": ratio(end(q("groeifase_24")), end(q("groeifase"))),
        "outflow_qualified_education": year_sum(leave[..., 0]),
        "outflow_qualified_professional": year_sum(leave[..., 1]),
        "outflow_partial_qualification": year_sum(leave[..., 2]),
        "outflow_unqualified": year_sum(leave[..., 3]),
        "qualified_outflow": year_sum(leave[..., 0] + leave[..., 1]),
        "unqualified_outflow": year_sum(unq_official),
        "unqualified_outflow_share": ratio(year_sum(unq_official), year_sum(leave.sum(-1))),
        # by route: leavers from the dual route (searching, contracts, guaranteed places) and
        # from the Aanloopfase and Groeifase (selection: different learners, not a route effect)
        "unqualified_outflow_share_dual_route": ratio(
            year_sum(by_route[..., 2, 1] + by_route[..., 3, 1]),
            year_sum(by_route[..., :, 1].sum(-1))),
        "unqualified_outflow_share_aanloop_route": ratio(
            year_sum(by_route[..., 2, 2] + by_route[..., 3, 2]),
            year_sum(by_route[..., :, 2].sum(-1))),
        "further_study_share_of_leavers": ratio(year_sum((leave * study).sum(-1)),
                                                year_sum(leave.sum(-1))),
        "employed_12_months_share": ratio(year_sum(batch.employed_12[..., keep]),
                                          year_sum(labour12)),
        "job_seeking_12_months_share": ratio(year_sum(batch.seeking_12[..., keep]),
                                             year_sum(labour12)),
        "active_places": feb(places[0]),
        "placement_demand": feb(places[1]),
        "placement_gap": feb(places[1] - places[0]),
        "public_cost_dual_policy": year_sum(policy),
        "school_cost": year_sum(school_cost),
        "public_cost": year_sum(policy + school_cost),
        "employer_net_cost": year_sum(employer),
        "learner_income": year_sum(allowance_oao + soa_pay + learner_premium),
    }
    return values, names


def _cell_groups(batch, names) -> tuple[np.ndarray, np.ndarray]:
    """Active places and placement demand (searchers + filled places) per group, (D, T, G)."""
    D, T = batch.rec.shape[:2]
    cells = batch.cells
    R = batch.rec.sum(axis=(3, 4))  # (D, T, C, Q)
    demand_c = R[..., Q["searching"]] + R[..., Q["dual_oao"]] + R[..., Q["dual_soa"]]
    out_p = np.full((D, T, len(names)), np.nan)
    out_d = np.full((D, T, len(names)), np.nan)
    for g, name in enumerate(names):
        if name == "all":
            mask = np.ones(cells.size, bool)
        elif name.startswith(CELL_GROUP_PREFIXES[1:]):
            axis, label = name.split("=")
            mask = cells.coord(axis) == dict(cells.axes)[axis].index(label)
        else:
            continue
        out_p[..., g] = batch.places[..., mask].sum(axis=-1)
        out_d[..., g] = demand_c[..., mask].sum(axis=-1)
    return out_p, out_d


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
