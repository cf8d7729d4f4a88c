"""What the indicators are computed from: a batch's records by group, and the derived stocks,
flows and costs the indicators' formulas name (:mod:`simlib.model.outcomes`).

Each quantity is computed on first use (a ``cached_property``), so a table of a few
indicators computes only what those need. Shapes: ``(D, T, G)`` per month (draws, months,
groups), ``(D, years, G)`` per school year.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np

from simlib.model import kernel as K
from simlib.model.groups import by_group, group_masks

__all__ = ["Quantities", "FEBRUARY", "Q", "CELL_GROUP_PREFIXES"]

FEBRUARY = 5  # month index within the school year (September = 0)
Q = {name: i for i, name in enumerate(K.RECORDED)}
#: Groups that are market cells (region, sector, finality); market indicators exist only there.
CELL_GROUP_PREFIXES = ("all", "finality=", "region=", "sector=")


class Quantities:
    """The quantities of one batch for the groups ``groups`` (default all) that the batch has.

    ``q(name)`` is a recorded quantity (:data:`simlib.model.kernel.RECORDED`) summed per
    group and month; :meth:`feb`, :meth:`end`, :meth:`year_sum` read a monthly array on 1
    February, at the end of the school year, or summed over it; :meth:`ratio` is a share that
    is NaN where its denominator is (nearly) zero. Costs are EUR per month.
    """

    def __init__(self, batch, groups: Sequence[str] | None = None):
        self.batch = batch
        self.D, self.T = batch.raw.shape[:2]
        self.n_years = self.T // 12
        names, masks = group_masks(batch.cells)
        assert names == batch.groups
        self.keep = [g for g, n in enumerate(names) if groups is None or n in groups]
        self.names = tuple(names[g] for g in self.keep)
        self.masks = masks[self.keep]
        self.P = batch.outcome

    # --- reading ------------------------------------------------------------------------------
    @cached_property
    def R(self) -> np.ndarray:
        """(D, T, G, Q) the records per group: the batch's own sums where it has them."""
        grouped = getattr(self.batch, "grouped", None)
        if grouped is not None:
            return grouped[:, :, self.keep]
        return by_group(self.batch.raw, self.masks, self.batch.weights)

    def q(self, name: str) -> np.ndarray:
        return self.R[..., Q[name]]

    def feb(self, x):
        return x.reshape(self.D, self.n_years, 12, -1)[:, :, FEBRUARY]

    def end(self, x):
        return x.reshape(self.D, self.n_years, 12, -1)[:, :, -1]

    def year_sum(self, x):
        return x.reshape(self.D, self.n_years, 12, -1).sum(axis=2)

    @staticmethod
    def ratio(a, b):
        return np.divide(a, b, out=np.full_like(a, np.nan), where=b > 1e-9)

    def per_month(self, name: str) -> np.ndarray:
        return np.stack([np.broadcast_to(np.asarray(r[name], float), (self.T,))
                         for r in self.batch.rates]).reshape(self.D, self.T, 1)

    def per_draw(self, name: str, k: int | None = None) -> np.ndarray:
        x = self.P[name] if k is None else self.P[name][:, k]
        return x.reshape(self.D, 1, 1)

    # --- stocks and exits ---------------------------------------------------------------------
    @cached_property
    def oao(self):
        return self.q("dual_oao") + self.q("guaranteed")

    @cached_property
    def soa(self):
        return self.q("dual_soa")

    @cached_property
    def school(self):
        return sum(self.q(n) for n in ("non_dual", "searching", "dual_oao", "dual_soa",
                                       "guaranteed", "aanloopfase", "groeifase"))

    @cached_property
    def by_route(self):
        """Leavers by qualification x route (non-dual, dual, Aanloopfase/Groeifase)."""
        G = len(self.names)
        return self.R[..., K.Q_LEAVE:K.Q_LEAVE + 12].reshape(self.D, self.T, G, 4, 3)

    @cached_property
    def leave(self):
        return self.by_route.sum(axis=4)  # by qualification

    @cached_property
    def unq_official(self):
        return self.leave[..., 2] + self.leave[..., 3]

    @cached_property
    def labour12(self):
        return self.batch.exited_12[..., self.keep]

    # --- costs (EUR per month) ----------------------------------------------------------------
    @cached_property
    def allowance_oao(self):
        return sum(self.q(f"oao_tier_{k}")
                   * self.per_month(f"cost_allowance_tier_{k}_eur_per_month") for k in (1, 2, 3))

    @cached_property
    def mean_tier(self):
        return sum(self.per_month(f"cost_allowance_tier_{k}_eur_per_month")
                   for k in (1, 2, 3)) / 3

    @cached_property
    def soa_pay(self):
        return self.soa * self.per_month("cost_soa_pay_share") * self.mean_tier

    @cached_property
    def premiums(self):
        return (self.q("dual_oao") * self.per_month("cost_premium_paid_eur_per_year")
                + self.soa * self.per_month("cost_premium_unpaid_eur_per_year")) / 12.0

    @cached_property
    def learner_premium(self):
        return (self.oao + self.soa) * self.per_month("cost_learner_premium_eur_per_year") / 12.0

    @cached_property
    def policy(self):
        pm, q = self.per_month, self.q
        return (self.premiums + self.learner_premium
                + (self.oao + self.soa) * pm("cost_coaching_eur_per_learner_month")
                + q("route_entries") * pm("cost_screening_eur_per_entrant")
                + q("searching") * pm("cost_search_support_eur_per_searcher_month")
                + q("guaranteed") * pm("cost_guarantee_eur_per_place_month")
                + q("groeifase") * pm("cost_groeifase_eur_per_place_month"))

    @cached_property
    def school_cost(self):
        q, pd_ = self.q, self.per_draw
        return (q("non_dual") * pd_("school_cost", 0)
                + (q("searching") + q("dual_oao") + self.soa) * pd_("school_cost", 1)
                + q("aanloopfase") * pd_("school_cost", 2)) / 12.0

    @cached_property
    def employer(self):
        q, pd_ = self.q, self.per_draw
        return (self.allowance_oao - q("guaranteed") * self.mean_tier + self.soa_pay
                + (q("dual_oao") + self.soa) * pd_("mentor_cost") / 12.0
                - q("dual_oao") * pd_("productive", 0) / 12.0
                - self.soa * pd_("productive", 1) / 12.0
                - self.premiums)

    # --- the market (cell groups only) --------------------------------------------------------
    @cached_property
    def market(self) -> tuple[np.ndarray, np.ndarray]:
        """Active places and placement demand (searchers + filled places) per group,
        (D, T, G); NaN for groups that are not market cells."""
        batch, names = self.batch, self.names
        cells = batch.cells
        # the three stocks by provider, summed per cell (as the market_cells grid is)
        cols = [Q["searching"], Q["dual_oao"], Q["dual_soa"]]
        R = batch.by_provider(cols).sum(axis=(3, 4))
        demand_c = R[..., 0] + R[..., 1] + R[..., 2]  # (D, T, C)
        out_p = np.full((self.D, self.T, len(names)), np.nan)
        out_d = np.full((self.D, self.T, len(names)), np.nan)
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
