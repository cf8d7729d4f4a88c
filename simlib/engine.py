"""The cohort engine: expected monthly learner flows, vectorised over strata.

Each month, in this order:

1. **Inflow** (September): a new cohort enters year 3 in the non-dual variant, scaled with the
   population aged 12-17.
2. **Route choice** (September and October, until the entry deadline): a share of non-dual
   learners enters dual; screening sends those judged not work-ready to the aanloopfase,
   the others start searching.
3. **Within the month**, from the stocks after steps 1-2, with competing risks: searchers
   find a place (daily hazard over the school days left in their window) or fail when the
   window ends; contracts end early (terminations); aanloopfase learners become work-ready,
   move to non-dual or leave; learners past compulsory schooling (18) may leave.
4. **Labour market**: leavers enter a labour-market status; job seekers find work and
   workers lose it at monthly hazards.
5. **Year end** (end of August): learners in school states advance a year or repeat it
   (falling a year behind); final-year learners qualify (some go on to a 7th year), repeat,
   or leave with a partial or no qualification. Their exit counts in the ending school year.

Learners are conserved: every outflow is taken from a stock and added to another, and all
shares are probabilities, so each month's total equals the previous total plus the inflow.
Rows of every implied transition matrix sum to 1 (tests/test_engine.py checks both).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from simlib.levers import levers
from simlib.model import (
    QUALIFICATIONS,
    SEARCH_BIN_DAYS,
    STATES,
    STRATA,
    Strata,
    Timeline,
)
from simlib.parameters import param, parameters
from simlib.rates import base_rates

__all__ = ["LeverValues", "simulate", "Trajectory", "BURN_IN_YEARS"]

#: Years of constant today's rules run before September 2025 to give a consistent start.
BURN_IN_YEARS = 8
#: Largest search window a lever can set (window + extension), in school days.
MAX_WINDOW_DAYS = 120
K = MAX_WINDOW_DAYS // SEARCH_BIN_DAYS
Q_EDU, Q_PROF, Q_PART, Q_UNQ = range(4)


class LeverValues:
    """Lever values per simulated month: ``lv[lever_id]`` is an array of shape (T,).

    A lever whose ``parent`` lever is off in a month takes its default in that month.
    """

    def __init__(self, schedules: dict[str, dict[str, object]], timeline: Timeline):
        self._registry = {lv.id: lv for lv in levers()}
        iso = np.array(timeline.iso())
        self._values: dict[str, np.ndarray] = {}
        for lever_id, schedule in schedules.items():
            dates = np.array(list(schedule))
            idx = np.clip(np.searchsorted(dates, iso, side="right") - 1, 0, None)
            vals = np.array(list(schedule.values()), dtype=object)[idx]
            kind = self._registry[lever_id].kind
            dtype = {"bool": bool, "int": float, "float": float}.get(kind, object)
            self._values[lever_id] = vals.astype(dtype)
        for lever_id, lever in self._registry.items():
            if lever.parent is not None and lever_id in self._values:
                on = self._values[lever.parent].astype(bool)
                self._values[lever_id] = np.where(on, self._values[lever_id],
                                                  self._values[lever_id].dtype.type(lever.default)
                                                  if lever.kind != "choice" else lever.default)

    def __getitem__(self, lever_id: str) -> np.ndarray:
        return self._values[lever_id]

    def today(self, lever_id: str):
        """Today's value of ``lever_id`` (its registry default)."""
        return self._registry[lever_id].default


@dataclass
class Trajectory:
    """Raw engine output, per month and stratum (see :class:`simlib.result.Result`)."""

    timeline: Timeline
    strata: Strata
    stocks: np.ndarray      # (T, S, len(STATES)) learners at the end of each month
    inflow: np.ndarray      # (T, S) new learners entering in the month
    flows: dict[str, np.ndarray]  # name -> (T, S) or (T, S, 4) learners per month
    rates: dict[str, np.ndarray]


def _row(rate: np.ndarray, t: int, size: int) -> np.ndarray:
    """Row ``t`` of a (1|T, 1|S) rate as an array of shape (S,)."""
    r = rate[t if rate.shape[0] > 1 else 0]
    return np.broadcast_to(r, (size,)) if r.shape[0] == 1 else r


def _compete(*hazards: np.ndarray) -> list[np.ndarray]:
    """Probabilities of each competing event within a month from monthly hazards."""
    total = sum(hazards)
    p_any = -np.expm1(-total)
    safe = np.where(total > 0, total, 1.0)
    return [np.where(total > 0, h / safe, 0.0) * p_any for h in hazards]


class _Stocks:
    """Mutable stocks of one run: school states per stratum, search tunnel, exits."""

    def __init__(self, size: int):
        self.non_dual = np.zeros(size)
        self.search = np.zeros((size, K))
        self.oao = np.zeros(size)
        self.soa = np.zeros(size)
        self.aanloop = np.zeros(size)
        self.groei = np.zeros(size)
        self.exits = np.zeros((size, 4, 4))  # qualification x labour status

    def school_total(self) -> np.ndarray:
        return (self.non_dual + self.search.sum(1) + self.oao + self.soa + self.aanloop
                + self.groei)

    def snapshot(self) -> np.ndarray:
        return np.concatenate([
            np.stack([self.non_dual, self.search.sum(1), self.oao, self.soa, self.aanloop,
                      self.groei], axis=1),
            self.exits.reshape(len(self.non_dual), 16)], axis=1)


def _year_end(st: _Stocks, rates: dict, t: int, strata: Strata) -> np.ndarray:
    """Apply year-end progression in place; return leavers by qualification, shape (S, 4)."""
    shape = strata.shape  # finality, year, behind, ses
    S = strata.size
    leavers = np.zeros((S, 4))
    lv = leavers.reshape(*shape, 4)

    def row(name):
        return _row(rates[name], t, S).reshape(shape)

    year7 = row("year_7_share")
    leave = row("final_fail_leave_share")
    partial = row("partial_share_of_leavers")
    prof = row("professional_only_share_dual")

    def progress(x: np.ndarray, route: str) -> np.ndarray:
        """Move one school state's stock (shape (*shape, ...)) across the year end."""
        extra = x.shape[len(shape):]
        p = row(f"progression_{route}").reshape(shape + (1,) * len(extra))
        g = row(f"graduation_{route}").reshape(shape + (1,) * len(extra))
        y7 = year7.reshape(p.shape)
        fail_leave = leave.reshape(p.shape)
        new = np.zeros_like(x)
        for y in range(3):  # years 3, 4, 5
            new[:, y + 1] += x[:, y] * p[:, y]
            rep = x[:, y] * (1 - p[:, y])
            new[:, y, 1:] += rep[:, :-1]
            new[:, y, -1] += rep[:, -1]
        x6 = x[:, 3]
        grads = x6 * g[:, 3]
        new[:, 4] += grads * y7[:, 3]
        qualified = grads * (1 - y7[:, 3])
        failed = x6 * (1 - g[:, 3])
        leaving = failed * fail_leave[:, 3]
        rep = failed - leaving
        new[:, 3, 1:] += rep[:, :-1]
        new[:, 3, -1] += rep[:, -1]
        if extra:  # sum the tunnel axis away: leavers are counted per stratum
            axes = tuple(range(3, 3 + len(extra)))
            qualified, leaving, final7 = (a.sum(axis=axes) for a in (qualified, leaving, x[:, 4]))
        else:
            final7 = x[:, 4]
        return new, qualified, leaving, final7  # the 7th year ends the route

    for name, route in (("non_dual", "non_dual"), ("search", "dual"), ("oao", "dual"),
                        ("soa", "dual"), ("aanloop", "aanloopfase"), ("groei", "aanloopfase")):
        x = getattr(st, name)
        full = x.reshape(shape + x.shape[1:])
        new, q, left, q7 = progress(full, route)
        setattr(st, name, new.reshape(x.shape))
        p_prof = prof[:, 3] if route == "dual" else 0.0
        lv[:, 3, ..., Q_EDU] += q * (1 - p_prof)
        lv[:, 3, ..., Q_PROF] += q * p_prof
        lv[:, 4, ..., Q_EDU] += q7
        lv[:, 3, ..., Q_PART] += left * partial[:, 3]
        lv[:, 3, ..., Q_UNQ] += left * (1 - partial[:, 3])
    return leavers


def _labour_split(rates: dict, t: int) -> np.ndarray:
    """Labour-status split of new leavers, shape (4 qualifications, 4 statuses)."""
    study = _row(rates["exit_further_study_share_by_qualification"], t, 4)
    employed = _row(rates["exit_employed_share_by_qualification"], t, 4)
    inactive = _row(rates["exit_inactive_share_by_qualification"], t, 4)
    seeking = 1.0 - study - employed - inactive
    return np.stack([employed, seeking, study, inactive], axis=1)


def _simulate(rates: dict, timeline: Timeline, strata: Strata, st: _Stocks,
              inflow_per_year: np.ndarray, record: bool) -> dict:
    """Run the monthly loop in place on ``st``; return recorded arrays if ``record``."""
    T, S = timeline.months, strata.size
    cal = timeline.calendar_month()
    year_axis = strata.coord("year")
    bins_used = np.arange(K) * SEARCH_BIN_DAYS
    beta = param("matching_elasticity_vacancies")
    out = {}
    if record:
        out = {"stocks": np.zeros((T, S, len(STATES))), "inflow": np.zeros((T, S))}
        for name in ("route_entries", "to_aanloopfase", "placed", "failed", "terminated",
                     "aanloop_ready"):
            out[name] = np.zeros((T, S))
        out["leavers"] = np.zeros((T, S, 4))

    for t in range(T):
        leavers = np.zeros((S, 4))
        r = {name: _row(rate, t, S) for name, rate in rates.items()
             if not name.endswith("_by_qualification")}
        if cal[t] == 9:
            new = inflow_per_year * r["cohort_index"]
            st.non_dual += new
            if record:
                out["inflow"][t] = new

        # 3. route choice (September, and October while the deadline allows)
        share = r["route_dual_share"]
        oct_share = r["route_october_share"]
        if cal[t] == 9:
            p_entry = share * (1 - oct_share)
        elif cal[t] == 10:
            p_entry = share * oct_share / np.maximum(1 - share * (1 - oct_share), 1e-12)
        else:
            p_entry = np.zeros(S)
        p_entry = np.where(year_axis < 4, p_entry, 0.0)  # no new dual entries in the 7th year
        entries = st.non_dual * p_entry
        not_ready = entries * r["screening_not_ready_share"]
        st.non_dual -= entries
        st.aanloop += not_ready
        st.search[:, 0] += entries - not_ready

        # 4. within the month (all from the stocks at this point)
        adult = r["adult_share"]
        days = r["school_days"][0]
        window = r["search_window_days"]
        lam = r["placement_hazard"] * r["placement_supply"] ** beta
        # searching: days left in the window this month, per bin
        avail = np.clip(window[:, None] - bins_used[None, :], 0, days)
        p_place = -np.expm1(-lam[:, None] * avail)
        placed_k = st.search * p_place
        rest = st.search - placed_k
        expire = (bins_used[None, :] + days >= window[:, None]) if days > 0 else np.zeros((S, K),
                                                                                           bool)
        failed = (rest * expire).sum(1)
        stay = rest * ~expire
        shift = int(days // SEARCH_BIN_DAYS)
        new_search = np.zeros_like(st.search)
        if shift:
            new_search[:, shift:] = stay[:, :-shift]
            assert not stay[:, -shift:].any(), "search tunnel overflow"
        else:
            new_search = stay
        placed = placed_k.sum(1)

        # dual: terminations and (past 18) leaving
        p_term_oao, p_leave_oao = _compete(r["termination_hazard"], adult * r["leave_hazard_dual"])
        term = st.oao * p_term_oao + st.soa * p_term_oao
        leave_dual = st.oao * p_leave_oao + st.soa * p_leave_oao
        # aanloopfase
        p_ready, p_nd, p_leave_a = _compete(r["aanloop_ready_hazard"],
                                            r["aanloop_non_dual_hazard"],
                                            adult * r["aanloop_leave_hazard"])
        ready = st.aanloop * p_ready
        a_to_nd = st.aanloop * p_nd
        a_leave = st.aanloop * p_leave_a
        # non-dual: leaving past 18
        nd_leave = st.non_dual * -np.expm1(-adult * r["leave_hazard_non_dual"])

        # apply
        f_unq = failed * r["search_fail_to_unqualified"] * adult
        t_unq = term * r["termination_to_unqualified"] * adult
        oao_share = r["oao_share"]
        st.search = new_search
        st.search[:, 0] += term * r["termination_to_searching"] + ready
        st.oao = st.oao * (1 - p_term_oao - p_leave_oao) + placed * oao_share
        st.soa = st.soa * (1 - p_term_oao - p_leave_oao) + placed * (1 - oao_share)
        st.aanloop += (failed * r["search_fail_to_aanloopfase"]
                       + term * r["termination_to_aanloopfase"] - ready - a_to_nd - a_leave)
        st.non_dual += (a_to_nd + failed * r["search_fail_to_non_dual"]
                        + failed * r["search_fail_to_unqualified"] - f_unq
                        + term * r["termination_to_non_dual"]
                        + term * r["termination_to_unqualified"] - t_unq - nd_leave)
        early = f_unq + t_unq + leave_dual + a_leave + nd_leave
        partial = r["partial_share_of_leavers"]
        leavers[:, Q_PART] += early * partial
        leavers[:, Q_UNQ] += early * (1 - partial)

        # 5. labour market: existing leavers move, then this month's leavers enter
        find = -np.expm1(-_row(rates["job_finding_hazard_by_qualification"], t, 4))
        sep = -np.expm1(-r["job_separation_hazard"][0])
        ex = st.exits
        hired = ex[:, :, 1] * find[None, :]
        lost = ex[:, :, 0] * sep
        ex[:, :, 0] += hired - lost
        ex[:, :, 1] += lost - hired
        ex += leavers[:, :, None] * _labour_split(rates, t)[None, :, :]
        if cal[t] == 8:  # the school year ends: its leavers count in this school year
            year_end = _year_end(st, rates, t, strata)
            ex += year_end[:, :, None] * _labour_split(rates, t)[None, :, :]
            leavers += year_end

        if record:
            out["stocks"][t] = st.snapshot()
            out["route_entries"][t] = entries
            out["to_aanloopfase"][t] = not_ready
            out["placed"][t] = placed
            out["failed"][t] = failed
            out["terminated"][t] = term
            out["aanloop_ready"][t] = ready
            out["leavers"][t] = leavers
    return out


def _enrolment() -> dict[str, float]:
    return {
        "arbeidsmarkt": param("enrolment_arbeidsmarkt_grade_2_3") + param("enrolment_year_7"),
        "dubbel": param("enrolment_dubbele_finaliteit_grade_2_3"),
    }


def _cohort_shares(strata: Strata) -> np.ndarray:
    """Composition of a unit cohort entering year 3, per stratum (sums to 1 per finality)."""
    fin = strata.coord("finality")
    labels = dict(strata.axes)["finality"]
    behind = np.zeros(strata.size)
    for i, f in enumerate(labels):
        table = param(f"behind_share_{f}")
        behind = np.where(fin == i, strata.along("behind", dict(table)), behind)
    ses_share = param("indicator_pupil_share")
    ses = np.where(strata.coord("ses") == 1,
                   strata.along("finality", dict(ses_share)),
                   1 - strata.along("finality", dict(ses_share)))
    return np.where(strata.coord("year") == 0, behind * ses, 0.0)


def _params_key() -> tuple:
    return tuple(sorted((k, p.value if isinstance(p.value, float) else tuple(p.value.items()))
                        for k, p in parameters().items()))


@cache
def _initial_state(key: tuple, strata: Strata) -> tuple[np.ndarray, ...]:
    """Stocks in September 2025 and the yearly inflow per stratum, at today's rules.

    A burn-in of ``BURN_IN_YEARS`` with a constant unit cohort gives each finality's
    composition over years, routes and states; it is then scaled so that each finality's
    school total equals its enrolment (Onderwijs Vlaanderen, 1 February 2026). The yearly
    inflow is scaled by the same factor, so the baseline is near its steady state at the
    start. Leavers of the burn-in are not carried over (the model counts leavers from
    September 2025 on).
    """
    burn = Timeline(BURN_IN_YEARS)
    rates = base_rates(burn, strata)
    rates["cohort_index"] = np.ones((1, 1))
    # keep the age rules of each calendar month but no trend
    unit = _cohort_shares(strata)
    st = _Stocks(strata.size)
    _simulate(rates, burn, strata, st, unit, record=False)
    # the state after the last burn-in year end; scaled to enrolment with the new cohort in
    totals = st.school_total() + unit
    fin = strata.coord("finality")
    scale = np.zeros(strata.size)
    for i, f in enumerate(dict(strata.axes)["finality"]):
        scale[fin == i] = _enrolment()[f] / totals[fin == i].sum()
    state = (st.non_dual * scale, st.search * scale[:, None], st.oao * scale, st.soa * scale,
             st.aanloop * scale, st.groei * scale)
    return (*state, unit * scale)


def simulate(rates: dict, timeline: Timeline, strata: Strata = STRATA) -> Trajectory:
    """Run the cohort engine with ``rates`` over ``timeline`` from the September 2025 state."""
    non_dual, search, oao, soa, aanloop, groei, inflow = _initial_state(_params_key(), strata)
    st = _Stocks(strata.size)
    st.non_dual, st.search, st.oao = non_dual.copy(), search.copy(), oao.copy()
    st.soa, st.aanloop, st.groei = soa.copy(), aanloop.copy(), groei.copy()
    out = _simulate(rates, timeline, strata, st, inflow, record=True)
    stocks = out.pop("stocks")
    flow_in = out.pop("inflow")
    return Trajectory(timeline=timeline, strata=strata, stocks=stocks, inflow=flow_in,
                      flows=out, rates=rates)


QUALIFICATION_INDEX = {q: i for i, q in enumerate(QUALIFICATIONS)}
