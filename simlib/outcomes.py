"""Outcomes: indicators per school year and group, with units and direction.

Each indicator is declared once in ``INDICATORS`` (id, unit, direction: +1 when more is
better, -1 when less is better, 0 when neither) with its labels in the glossary. Stocks are
read on 1 February (the official count date of Onderwijs Vlaanderen); flows are summed over
the school year (September to August).

Unqualified outflow follows the official Flemish definition of *ongekwalificeerde
uitstroom*: leaving secondary education without a diploma of secondary education, without
a studiegetuigschrift of the second year of the third grade BSO and without a
beroepskwalificatie. In the model it counts the exits ``unqualified`` and
``partial_qualification`` (a deelkwalificatie is not a qualification in that definition);
``qualified_education`` and ``qualified_professional`` are qualified. See data/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.engine import Trajectory
from simlib.model import LABOUR_STATUSES, STATES, Strata

__all__ = ["Indicator", "INDICATORS", "indicators", "groups"]


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
    Indicator("searching_learners", "learners", -1),
    Indicator("aanloopfase_learners", "learners", 0),
    Indicator("groeifase_learners", "learners", 0),
    Indicator("non_dual_learners", "learners", 0),
    Indicator("dual_inflow", "learners_per_school_year", +1),
    Indicator("placements", "contracts_per_school_year", +1),
    Indicator("placement_share", "share", +1),
    Indicator("terminations", "contracts_per_school_year", -1),
    Indicator("termination_rate", "per_contract_year", -1),
    Indicator("outflow_qualified_education", "learners_per_school_year", +1),
    Indicator("outflow_qualified_professional", "learners_per_school_year", +1),
    Indicator("outflow_partial_qualification", "learners_per_school_year", 0),
    Indicator("outflow_unqualified", "learners_per_school_year", -1),
    Indicator("unqualified_outflow", "learners_per_school_year", -1),
    Indicator("unqualified_outflow_share", "share", -1),
    Indicator("employed_share_of_leavers", "share", +1),
    Indicator("public_cost", "eur_per_school_year", 0),
    Indicator("employer_net_cost", "eur_per_school_year", 0),
)
INDICATOR_BY_ID = {ind.id: ind for ind in INDICATORS}

FEBRUARY = 5  # month index within the school year (September = 0)


def groups(strata: Strata) -> dict[str, np.ndarray]:
    """Boolean masks over strata: ``all``, then ``axis=label`` for finality and ses."""
    out = {"all": np.ones(strata.size, bool)}
    for axis in ("finality", "ses"):
        coord = strata.coord(axis)
        for i, label in enumerate(dict(strata.axes)[axis]):
            out[f"{axis}={label}"] = coord == i
    return out


def _state(name: str) -> int:
    return STATES.index(name)


def indicators(tr: Trajectory) -> pd.DataFrame:
    """All indicators of a trajectory: columns school_year, indicator, group, value, unit."""
    T = tr.timeline.months
    n_years = T // 12
    masks = groups(tr.strata)
    gnames = list(masks)
    M = np.stack([masks[g] for g in gnames], axis=1).astype(float)  # (S, G)

    def by_group(x: np.ndarray) -> np.ndarray:
        """(T, S) -> (T, G)."""
        return x @ M

    def feb(x: np.ndarray) -> np.ndarray:
        return by_group(x).reshape(n_years, 12, -1)[:, FEBRUARY]

    def year_sum(x: np.ndarray) -> np.ndarray:
        return by_group(x).reshape(n_years, 12, -1).sum(axis=1)

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.divide(a, b, out=np.full_like(a, np.nan), where=b > 0)

    st = tr.stocks
    oao, soa = st[:, :, _state("dual_oao")], st[:, :, _state("dual_soa")]
    school = st[:, :, :6].sum(axis=2)
    flows = tr.flows
    leavers = flows["leavers"]  # (T, S, 4)
    placed, failed, term = flows["placed"], flows["failed"], flows["terminated"]
    contract_years = year_sum(oao + soa) / 12.0
    unq_official = leavers[:, :, 2] + leavers[:, :, 3]

    exits = st[:, :, 6:].reshape(T, -1, 4, len(LABOUR_STATUSES))
    employed_end = by_group(exits[:, :, :, 0].sum(2)).reshape(n_years, 12, -1)[:, -1]
    leavers_end = by_group(exits.sum((2, 3))).reshape(n_years, 12, -1)[:, -1]

    def rate_at(name: str) -> np.ndarray:
        """A rate broadcast to (T, S)."""
        return np.broadcast_to(tr.rates[name], st.shape[:2])

    premiums = (oao * rate_at("premium_paid_eur_per_year")
                + soa * rate_at("premium_unpaid_eur_per_year")) / 12.0
    coaching = (oao + soa) * rate_at("coaching_eur_per_learner_month")
    net_cost = (oao + soa) * rate_at("employer_net_cost_eur_per_year") / 12.0

    values = {
        "learners_in_model": feb(school),
        "dual_contract_learners": feb(oao + soa),
        "dual_oao_learners": feb(oao),
        "dual_soa_learners": feb(soa),
        "searching_learners": feb(st[:, :, _state("searching")]),
        "aanloopfase_learners": feb(st[:, :, _state("aanloopfase")]),
        "groeifase_learners": feb(st[:, :, _state("groeifase")]),
        "non_dual_learners": feb(st[:, :, _state("non_dual")]),
        "dual_inflow": year_sum(flows["route_entries"]),
        "placements": year_sum(placed),
        "placement_share": ratio(year_sum(placed), year_sum(placed + failed)),
        "terminations": year_sum(term),
        "termination_rate": ratio(year_sum(term), contract_years),
        "outflow_qualified_education": year_sum(leavers[:, :, 0]),
        "outflow_qualified_professional": year_sum(leavers[:, :, 1]),
        "outflow_partial_qualification": year_sum(leavers[:, :, 2]),
        "outflow_unqualified": year_sum(leavers[:, :, 3]),
        "unqualified_outflow": year_sum(unq_official),
        "unqualified_outflow_share": ratio(year_sum(unq_official), year_sum(leavers.sum(2))),
        "employed_share_of_leavers": ratio(employed_end, leavers_end),
        "public_cost": year_sum(premiums + coaching),
        "employer_net_cost": year_sum(net_cost),
    }
    years = tr.timeline.school_year()[::12]
    frames = []
    for ind in INDICATORS:
        arr = values[ind.id]
        frames.append(pd.DataFrame({
            "school_year": np.repeat(years, len(gnames)),
            "indicator": ind.id,
            "group": np.tile(gnames, n_years),
            "value": arr.reshape(-1),
            "unit": ind.unit,
        }))
    return pd.concat(frames, ignore_index=True)
