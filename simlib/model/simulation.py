"""Run a scenario: lever values -> policy modules -> rates -> engine -> Result."""

from __future__ import annotations

import platform
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.files.version import __version__, commit
from simlib.inputs.parameters import calibration_used, data_hash, param
from simlib.inputs.scenario import Scenario, load_scenario
from simlib.model.engine import Batch, LeverValues, Trajectory, simulate
from simlib.model.policies import MODULES
from simlib.model.rates import base_rates, month_scalars, today
from simlib.model.structure import CELLS, HORIZON_YEARS, INNER, STATES, Timeline

__all__ = ["run", "Result", "policy_rates", "module_name", "REPRODUCIBILITY"]

MAX_YEARS = 30
#: What the project promises about repeating a run or a sweep (written into every meta.json
#: and the README; tests/analysis/test_uncertainty.py checks exactly this). The compiled kernel
#: uses fast-math reassociation, so its order of summation depends on how it was compiled:
#: measured here, a process that compiles the kernel afresh and one that loads numba's cached
#: build differ by up to 1.4e-11 relative (a 3-scenario x 20-draw sweep and all 21 scenario
#: files, compared value by value). numpy may also sum in another order in
#: another process (memory alignment, another CPU or library build). So bits are promised
#: only within one process, and 1e-10 relative across processes.
REPRODUCIBILITY = {
    "same_process": "bit-identical: the same call with the same inputs, seed and data in one "
                    "process, whatever the number of threads or the order chunks finish in",
    "across_processes": "equal within a relative tolerance of 1e-10 (an absolute one of "
                        "1e-9 for values near zero): worker processes, a Dask cluster, "
                        "another machine or installation, a fresh compile of the kernel",
    "rtol": 1e-10,
    "atol": 1e-9,
}


@dataclass(frozen=True)
class Context:
    """Facts policy modules may need besides rates and lever values."""

    months: int
    calendar_month: np.ndarray      # (T,) 1-12
    oao_share_cells: np.ndarray     # (C,) today's OAO share of placements
    premium_today_cells: np.ndarray  # (C,) today's premium per learner-year, OAO/SOA weighted
    cell_finality: np.ndarray       # (C,) 0 arbeidsmarkt, 1 dubbel
    inner_year: np.ndarray          # (I,) 0 for year 3 ... 4 for year 7
    tightness: np.ndarray           # (C,) places per learner relative to the mean (mean 1)


def _context(timeline: Timeline, rates: dict) -> Context:
    now = today()
    oao = np.broadcast_to(rates["oao_share"].tc, (1, CELLS.size))[0].copy()
    premium = (oao * now["employer_premium_paid_eur_per_year"]
               + (1 - oao) * now["employer_premium_unpaid_eur_per_year"])
    tight = np.broadcast_to(rates["placement_hazard"].tc, (1, CELLS.size))[0]
    tight = tight / tight.mean()
    return Context(months=timeline.months, calendar_month=timeline.calendar_month(),
                   oao_share_cells=oao, premium_today_cells=premium,
                   cell_finality=CELLS.coord("finality"), inner_year=INNER.coord("year"),
                   tightness=tight)


def module_name(module) -> str:
    """The short name of a policy module (``simlib.model.policies.search`` -> ``search``)."""
    return module.__name__.rsplit(".", 1)[-1]


def policy_rates(scenario: Scenario, timeline: Timeline, disabled: Iterable[str] = (),
                 extra_modules: Sequence = (), lever_values: LeverValues | None = None) -> dict:
    """Base rates, monthly scalars and cost series changed by every module not ``disabled``.

    ``extra_modules`` are policy modules outside the registry (a researcher's, see
    :func:`simlib.analysis.checks.policy_module`), applied after the registered ones, in order.
    """
    disabled = set(disabled)
    modules = (*MODULES, *extra_modules)
    names = [module_name(m) for m in modules]
    if len(set(names)) != len(names):
        raise ValueError(f"policy module names must be distinct; got {names}")
    unknown = disabled - set(names)
    if unknown:
        raise ValueError(f"unknown policy modules {sorted(unknown)}; expected {names}")
    rates = {**base_rates(timeline), **month_scalars(timeline), **cost_series(timeline)}
    ctx = _context(timeline, rates)
    lv = lever_values if lever_values is not None else scenario_levers(scenario, timeline)
    registered = {id(m) for m in MODULES}
    for module, name in zip(modules, names, strict=True):
        if name in disabled:
            continue
        if id(module) in registered and module.LEVERS and lv.at_today(module.LEVERS):
            # a registered module with levers, all at today's value, changes nothing (each is
            # checked neutral, tests/model/test_policies.py): skip the work. A module without
            # levers always acts.
            continue
        changed = module.apply(rates, lv, ctx)
        stray = set(changed) - set(module.RATES)
        if stray:
            raise RuntimeError(f"policy module {name} changed undeclared rates {sorted(stray)}")
        unknown_rates = set(changed) - set(rates)
        if unknown_rates:
            raise RuntimeError(f"policy module {name} set unknown rates "
                               f"{sorted(unknown_rates)}; expected names of {sorted(rates)}")
        rates.update(changed)
    return rates


def scenario_levers(scenario: Scenario, timeline: Timeline) -> LeverValues:
    """The lever values of ``scenario`` per month of ``timeline`` (no parameter enters: a
    sweep makes them once per scenario and passes them to :func:`policy_rates`)."""
    return LeverValues({k: dict(v) for k, v in scenario.schedules.items()}, timeline)


def cost_series(timeline: Timeline) -> dict[str, np.ndarray]:
    """Cost amounts per month at today's rules (EUR; the lever registry's defaults), changed
    by the policy modules."""
    from simlib.model.policies.allowance import soa_pay_share
    from simlib.model.policies.premium import eligible_share

    now = today()
    T = timeline.months
    full = np.full
    paid_share = float(eligible_share(now["employer_premium_max_years"]))
    return {
        "cost_premium_paid_eur_per_year": full(
            T, now["employer_premium_paid_eur_per_year"] * paid_share),
        "cost_premium_unpaid_eur_per_year": full(
            T, now["employer_premium_unpaid_eur_per_year"] * paid_share),
        "cost_learner_premium_eur_per_year": full(
            T, now["learner_premium_eur_per_year"] * float(eligible_share(3))),
        "cost_coaching_eur_per_learner_month": full(
            T, now["coaching_visits_per_month"] * param("coaching_cost_eur_per_visit")),
        **{f"cost_allowance_tier_{k}_eur_per_month": full(
            T, now[f"allowance_tier_{k}_eur_per_month"]) for k in (1, 2, 3)},
        "cost_soa_pay_share": soa_pay_share(full(T, now["allowance_below_20h"], object)),
        "cost_screening_eur_per_entrant": full(
            T, param("screening_cost_multiplier")[now["screening_quality"]]
            * param("screening_cost_eur_per_learner")),
        "cost_search_support_eur_per_searcher_month": full(
            T, float(now["search_support_guarantee"])
            * param("search_support_cost_eur_per_searcher_month")),
        "cost_guarantee_eur_per_place_month": full(
            T, now["guaranteed_place_cost_eur_per_year"] / 12.0),
        "cost_groeifase_eur_per_place_month": full(
            T, param("groeifase_cost_eur_per_place_year") / 12.0),
    }


def run(scenario: Scenario | str = "baseline", years: int = HORIZON_YEARS, *,
        disabled_modules: Iterable[str] = (), extra_modules: Sequence = (),
        resolution: str = "full") -> Result:
    """Simulate ``scenario`` (a Scenario, or a name/path to load) over ``years`` school years.

    ``disabled_modules`` switches named policy modules off (their levers then act as today's
    rule), to isolate one lever's mechanism. ``extra_modules`` adds policy modules that are
    not registered in :data:`simlib.model.policies.MODULES` (a researcher's, see
    :func:`simlib.analysis.checks.policy_module`); the result records their names. ``resolution``
    (:data:`simlib.model.engine.RESOLUTIONS`) collapses market-cell axes, as uncertainty sweeps do:
    ``"finality"`` runs one placement market per finality (no region or sector results).

    What is reused: the start state (per parameter values and resolution) and, from the last
    few runs of this process with the same start, the months before the first month whose
    kernel inputs differ from theirs (back to September 2026, 2027 or 2028 where that is
    exact; :mod:`simlib.model.engine.resume`): a lever dated September 2027 leaves those
    months as they were, so only the later months are computed. The result equals a run of
    all months (tested within 1e-12; bit for bit as measured); ``result.trajectory.
    resumed_from`` says how many months were taken.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise ValueError(f"years must be an integer from 1 to {MAX_YEARS}, not {years!r}")
    timeline = Timeline(years)
    extra_modules = tuple(extra_modules)
    rates = policy_rates(scenario, timeline, disabled_modules, extra_modules)
    result = Result(scenario, simulate(rates, timeline, resolution))
    result.extra_modules = tuple(module_name(m) for m in extra_modules)
    return result


@lru_cache(maxsize=MAX_YEARS)
def _month_index(years: int) -> pd.DatetimeIndex:
    """The months of a run of ``years`` (first day of each month): one immutable index shared
    by the results of that length (parsing the dates took a fiftieth of a run)."""
    return pd.DatetimeIndex(Timeline(years).iso(), name="month")


class Result:
    """The outcome of one run.

    - ``stocks``: DataFrame, index ``month`` (first day of each month), columns ``state``
      (``simlib.model.structure.STATES``, mutually exclusive), learners at the end of each month.
      ``np.asarray(result.stocks).sum(axis=1)`` is the number of learners in the model.
    - ``inflow``: Series over ``month``, new learners entering, already in that month's stock:
      ``stocks.sum(1)[t] == stocks.sum(1)[0] + inflow[1:t+1].sum()``.
    - ``indicators``: DataFrame with columns ``school_year``, ``indicator``, ``group``,
      ``value``, ``unit`` (see :mod:`simlib.model.outcomes`).
    """

    def __init__(self, scenario: Scenario, trajectory: Trajectory):
        self.scenario = scenario
        self.trajectory = trajectory
        months = _month_index(trajectory.timeline.years).copy()  # its own name, if renamed
        self.stocks = pd.DataFrame(trajectory.stocks(), index=months,
                                   columns=pd.Index(STATES, name="state"))
        self.inflow = pd.Series(trajectory.inflow, index=months, name="inflow")
        #: names of policy modules outside the registry this run used (``run(extra_modules=)``)
        self.extra_modules: tuple[str, ...] = ()

    @property
    def years(self) -> int:
        return self.trajectory.timeline.years

    @cached_property
    def indicators(self) -> pd.DataFrame:
        from simlib.model.outcomes import indicator_table

        return indicator_table(Batch.of(self.trajectory)).drop(columns="draw")

    def value(self, indicator: str, school_year: str, group: str = "all") -> float:
        """One indicator value (``KeyError`` if there is no such row)."""
        df = self.indicators
        row = df[(df.indicator == indicator) & (df.school_year == school_year)
                 & (df.group == group)]
        if row.empty:
            raise KeyError(f"no value for {indicator!r}, {school_year!r}, {group!r}")
        return float(row.value.iloc[0])

    def meta(self) -> dict:
        """Run metadata: scenario, resolved levers, versions and commit, data hash, the
        calibration file used."""
        return {
            "scenario": self.scenario.name,
            "scenario_label_nl": self.scenario.label_nl,
            "scenario_label_en": self.scenario.label_en,
            "scenario_path": self.scenario.path,
            "base": self.scenario.base,
            "extra_policy_modules": list(self.extra_modules),
            "years": self.years,
            "resolution": self.trajectory.resolution,
            "levers": self.scenario.resolved(),
            "simlib_version": __version__,
            "simlib_commit": commit(),
            "data_sha256": data_hash(),
            "calibration": calibration_used(),
            "reproducibility": REPRODUCIBILITY,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
        }

    def to_csv(self, folder: str | Path, overwrite: bool = False) -> list[Path]:
        """Write ``indicators.csv``, ``stocks.csv`` and ``meta.json`` (:meth:`meta`, and under
        ``"files"`` the rows and SHA-256 of each CSV) into ``folder``, complete or not at all
        (:func:`simlib.files.outputs.write_folder`). Returns the paths written.

        Refuses (``FileExistsError``, nothing written) if ``folder`` already holds one of
        those files, unless ``overwrite``.
        """
        from simlib.files.outputs import table, write_folder

        stocks = self.stocks.copy()
        stocks.index = stocks.index.strftime("%Y-%m-%d")
        files = {"indicators.csv": table(self.indicators, index=False, lineterminator="\n"),
                 "stocks.csv": table(stocks, lineterminator="\n")}
        return write_folder(folder, files, self.meta(), overwrite=overwrite)

    def __repr__(self) -> str:
        return f"Result(scenario={self.scenario.name!r}, years={self.years})"
