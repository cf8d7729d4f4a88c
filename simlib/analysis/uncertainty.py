"""Uncertainty: parameter draws from the priors in ``data/``, sweeps, and bands.

A *sweep* runs a scenario (or several, with the same draws: paired) for ``n`` draws of the
uncertain parameters of ``data/`` -- every parameter that declares a ``distribution`` -- and
keeps the indicators of the group ``all``. The draws are made per fixed-size chunk from
``numpy.random.SeedSequence(seed).spawn(n_chunks)``: chunk ``j`` depends only on the seed and
``j``, so the results are bitwise equal however the chunks are scheduled (in this process, in
local worker processes or on a Dask cluster, in any order).

Evaluation is the **batch engine** (:func:`simlib.model.engine.start`,
:func:`simlib.model.engine.simulate_batch`): the draws of a chunk run as one computation with a
leading draw axis -- one burn-in for all draws (shared by the scenarios of a paired sweep), one
kernel call per stage, one indicator table. A task runs up to :data:`TASK_DRAWS` draws (whole
chunks) as one batch; tasks run in threads in this process (the kernel releases the GIL; the
default), in local worker processes (:data:`PROCESSES`: forked where that is safe, else
loky's pool, so also in a notebook kernel and on Windows; the command line's default) or on a
Dask cluster (:mod:`simlib.analysis.sweep_pool`). What stays a Python loop over the draws of
a task is the *preparation*: reading each draw's parameter values into rates through the
policy modules (scalar Python code, about 1.5 ms a draw against 4.5 ms of kernel; in threads
it holds the GIL, which is why worker processes are faster on two cores).

Simplifications (say so wherever the bands are shown):

- **Collapsed resolution.** By default (:data:`RESOLUTION` = ``"finality"``) regions and
  sectors are merged: one placement market per finality, each merged cell's rates the mean of
  its cells' rates weighted by their new learners (:func:`simlib.model.engine._collapse`). Results
  by region and sector do not exist there, and the baseline's headline indicators differ from
  the full model by a few per cent (dual contract learners +2%, placements +2.5% in 2030-31;
  tested under 5%). ``resolution="sector"`` (regions merged, under 0.5%) and ``"full"`` are
  slower. A sweep whose ranges are all zero equals the cohort run at the same resolution
  (``simlib.run(..., resolution=...)``).
- **Draws from the calibrated ensemble by default** (``source="ensemble"``): each draw is a
  member of the ensemble stored in ``data/`` (:mod:`simlib.analysis.ensemble`), a parameter
  set that together with the others reproduces the calibration targets of 2025-26 within
  their tolerances, so the bands show the parameter uncertainty left after calibration.
  Members are resampled with replacement: more draws than members repeat members (the band
  cannot be finer than the ensemble). With ``source="prior"`` each draw replaces the
  parameter values of ``data/`` (the calibrated ones included) by a draw from the priors,
  with no recalibration: the bands then show the spread of the assumptions, and a draw of a
  calibrated parameter moves the baseline away from its calibration targets.
- **A table parameter moves as one piece**: one draw ``u`` per table; every entry moves from
  its value towards the low end of the range (``u < 0.5``) or the high end (``u > 0.5``) by the
  same share of the distance, so the table keeps its order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from simlib.analysis.ensemble import band_label
from simlib.analysis.sweep_pool import (
    CONNECT_TIMEOUT,
    PROCESSES,
    SchedulerUnreachable,
    execute,
    fork_available,
    processes_available,
)
from simlib.analysis.sweep_pool import start_workers as _start_workers  # wrapped below
from simlib.inputs.scenario import Scenario
from simlib.model.structure import HORIZON_YEARS

__all__ = ["Prior", "priors", "unit_draws", "values", "Sweep", "sweep", "evaluate", "bands",
           "QUANTILES", "CHUNK_SIZE", "RESOLUTION", "INDICATOR_COLUMNS", "PROCESSES",
           "processes_available", "fork_available", "SchedulerUnreachable", "CONNECT_TIMEOUT",
           "TASK_DRAWS", "start_workers", "SOURCES", "member_draws"]

#: Draws per chunk (part of the result's identity: another chunk size gives other draws).
CHUNK_SIZE = 16
#: The most draws one task runs as one batch (whole chunks): a batch of 64 shares its fixed
#: costs (stacking the rates, the indicator table, the BLAS limit) over more draws than one of
#: 16, about 1 ms a draw less; more gains little and makes fewer tasks to share out.
TASK_DRAWS = 64
#: At least this many tasks while chunks allow, so that two to four workers stay busy to the end.
MIN_TASKS = 8
#: The engine resolution of a sweep (see :data:`simlib.model.engine.RESOLUTIONS`).
RESOLUTION = "finality"
#: The quantiles of a band: 90% and 50% intervals around the median.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
BAND_COLUMNS = ("p5", "p25", "p50", "p75", "p95")


@dataclass(frozen=True)
class Prior:
    """The prior of one uncertain parameter: ``uniform`` on its range, or ``triangular`` on
    its range with the mode at its value (a table moves as one piece, see the module)."""

    name: str
    distribution: str
    low: float
    high: float
    value: float | MappingProxyType

    @property
    def is_table(self) -> bool:
        return not isinstance(self.value, float | int)

    def _scalar(self, u: float, mode: float) -> float:
        lo, hi = self.low, self.high
        if hi <= lo:
            return lo
        if self.distribution == "uniform":
            return lo + u * (hi - lo)
        c = (min(max(mode, lo), hi) - lo) / (hi - lo)  # triangular inverse CDF
        if u < c:
            return lo + math.sqrt(u * (hi - lo) * (mode - lo))
        return hi - math.sqrt((1.0 - u) * (hi - lo) * (hi - mode))

    def ppf(self, u: float) -> float | dict[str, float]:
        """The parameter value at quantile ``u`` (0..1) of the prior."""
        if not self.is_table:
            return self._scalar(u, float(self.value))
        shift = 2.0 * u - 1.0  # -1: the low end, +1: the high end
        out = {}
        for key, v in self.value.items():
            end = self.high if shift > 0 else self.low
            out[key] = float(min(max(v + abs(shift) * (end - v), self.low), self.high))
        return out

    def fixed(self) -> Prior:
        """The same parameter with a zero-width range at its value (scalars only)."""
        v = float(self.value) if not self.is_table else self.low
        return replace(self, low=v, high=v, value=self.value)


def priors(names: Sequence[str] | None = None) -> tuple[Prior, ...]:
    """The uncertain parameters of ``data/`` (those with a ``distribution``), by name."""
    from simlib.inputs.parameters import parameters

    params = parameters()
    chosen = sorted(n for n, p in params.items() if p.distribution and p.range)
    if names is not None:
        unknown = [n for n in names if n not in chosen]
        if unknown:
            raise ValueError(f"not an uncertain parameter of data/: {', '.join(unknown)}; "
                             f"expected one of {', '.join(chosen)}")
        chosen = list(names)
    out = []
    for n in chosen:
        p = params[n]
        out.append(Prior(n, p.distribution, float(p.range[0]), float(p.range[1]), p.value))
    return tuple(out)


def _chunks(n: int, chunk_size: int) -> list[tuple[int, int]]:
    return [(j, min(chunk_size, n - j * chunk_size)) for j in range(math.ceil(n / chunk_size))]


def _grouped(chunks: list, chunk_size: int) -> list[list]:
    """The chunks in consecutive groups, one task each: up to :data:`TASK_DRAWS` draws a task
    and at least :data:`MIN_TASKS` tasks where there are chunks enough, the last few one
    chunk a task. The grouping depends only on the number of chunks and their size, never on
    the workers, and a draw's result does not depend on the batch it runs in
    (:func:`simlib.model.kernel.run_batch`; the state's bins follow the scenario's levers,
    the same for every draw): the chunks stay the unit of the draws and of the progress."""
    most = max(1, TASK_DRAWS // chunk_size)
    per_task = max(1, min(most, math.ceil(len(chunks) / MIN_TASKS)))
    # the last chunks one a task, so that the workers finish at about the same time
    tail = min(len(chunks), 2 * per_task) if per_task > 1 else 0
    head = chunks[:len(chunks) - tail]
    return ([head[k:k + per_task] for k in range(0, len(head), per_task)]
            + [[c] for c in chunks[len(chunks) - tail:]])


def unit_draws(seed: int, n: int, k: int, chunk_size: int = CHUNK_SIZE) -> np.ndarray:
    """``(n, k)`` uniform draws in [0, 1), chunk ``j`` from ``SeedSequence(seed).spawn()[j]``."""
    children = np.random.SeedSequence(seed).spawn(max(1, math.ceil(n / chunk_size)))
    parts = [_chunk_draws(children[j], size, k) for j, size in _chunks(n, chunk_size)]
    return np.concatenate(parts) if parts else np.zeros((0, k))


def _chunk_draws(child: np.random.SeedSequence, size: int, k: int) -> np.ndarray:
    return np.random.Generator(np.random.PCG64(child)).random((size, k))


def values(prior_list: Sequence[Prior], u: Sequence[float]) -> dict:
    """Parameter values for one draw ``u`` (one quantile per prior), for ``overridden``."""
    return {p.name: p.ppf(float(x)) for p, x in zip(prior_list, u, strict=True)}


@dataclass
class Sweep:
    """The draws of a sweep and the indicators of each draw.

    ``draws``: one row per draw, one column per parameter (the values used; a table
    parameter by its quantile ``u``). ``indicators``: columns ``draw``, ``scenario``,
    ``indicator``, ``group``, ``school_year``, ``value``, ``unit``.
    """

    draws: pd.DataFrame
    indicators: pd.DataFrame
    meta: dict

    def bands(self, scenario: str | None = None) -> pd.DataFrame:
        return bands(self.indicators, scenario)

    def difference(self, a: str, b: str) -> pd.DataFrame:
        """Bands of ``b - a`` from paired draws (the same draw for both scenarios)."""
        df = self.indicators
        keys = ["draw", "indicator", "group", "school_year"]
        left = df[df["scenario"] == a].set_index(keys)
        right = df[df["scenario"] == b].set_index(keys)
        both = left[["value", "unit"]].join(right[["value"]].rename(columns={"value": "value_b"}),
                                            how="inner")
        both["value"] = both["value_b"] - both["value"]
        diff = both.reset_index()[keys + ["value", "unit"]]
        diff["scenario"] = f"{b} - {a}"
        return bands(diff)


def bands(indicators: pd.DataFrame, scenario: str | None = None) -> pd.DataFrame:
    """Median with 50% and 90% bands per (scenario, indicator, group, school_year)."""
    df = indicators if scenario is None else indicators[indicators["scenario"] == scenario]
    keys = ["scenario", "indicator", "group", "school_year"]
    grouped = df.groupby(keys, sort=False)["value"]
    q = grouped.quantile(list(QUANTILES)).unstack()
    q.columns = list(BAND_COLUMNS)
    out = q.reset_index()
    out["draws"] = grouped.count().to_numpy()
    units = df.drop_duplicates(keys).set_index(keys)["unit"]
    out["unit"] = units.reindex(pd.MultiIndex.from_frame(out[keys])).to_numpy()
    return out


def _plain(p: Prior) -> dict:
    """``p`` as plain data (picklable, for a Dask worker)."""
    value = dict(p.value) if p.is_table else float(p.value)
    return {"name": p.name, "distribution": p.distribution, "low": p.low, "high": p.high,
            "value": value}


def _evaluate_chunk(task: dict) -> pd.DataFrame:
    """Run every scenario of ``task`` for the draws of one chunk (runs anywhere: a Dask
    worker rebuilds the draws from the seed and the chunk number)."""
    from threadpoolctl import threadpool_limits

    # one BLAS thread everywhere: a sum split over threads may round differently, and a
    # chunk must give the same bits in this process and on a Dask worker
    with threadpool_limits(limits=1, user_api="blas"):
        return _evaluate(task)


def _evaluate(task: dict) -> pd.DataFrame:
    from simlib.inputs.parameters import overridden

    with overridden(task.get("overrides") or {}):
        return _evaluate_here(task)


def _evaluate_here(task: dict) -> pd.DataFrame:
    from simlib.inputs.parameters import overridden
    from simlib.model.engine import draw_inputs, simulate_batch, start
    from simlib.model.outcomes import indicator_table
    from simlib.model.simulation import policy_rates, scenario_levers
    from simlib.model.structure import Timeline

    if task["rows"] is not None:  # explicit parameter values (sensitivity designs)
        rows = task["rows"]
    else:  # the chunks' draws, rebuilt from the seed and the chunk numbers
        prior_list = tuple(Prior(**p) for p in task["priors"])
        children = np.random.SeedSequence(task["seed"]).spawn(task["n_chunks"])
        u = np.concatenate([_chunk_draws(children[j], size, len(prior_list))
                            for j, size in task["chunks"]])
        rows = [values(prior_list, x) for x in u]
    scenarios = task["scenarios"]
    timeline = Timeline(task["years"])
    inputs, rates = [], [[] for _ in scenarios]
    levers = [scenario_levers(sc, timeline) for sc in scenarios]
    for row in rows:  # preparation, per draw: the policy modules are scalar Python code
        with overridden(row):
            inputs.append(draw_inputs())
            for k, sc in enumerate(scenarios):
                rates[k].append(policy_rates(sc, timeline, lever_values=levers[k]))
    begin = start(inputs, task["resolution"])  # one burn-in for all draws and scenarios
    tables = []
    for sc, sc_rates in zip(scenarios, rates, strict=True):
        batch = simulate_batch(begin, sc_rates, timeline)
        table = indicator_table(batch, task["indicators"] or None, task["groups"])
        tables.append(table.assign(scenario=sc.name))
    return _in_chunk_order(tables, task.get("sizes") or [len(rows)], task["first"])


def _in_chunk_order(tables: list[pd.DataFrame], sizes: list[int], first: int) -> pd.DataFrame:
    """The rows of a task's tables (one per scenario, draws numbered from 0 in the task) as
    chunk by chunk would give them: per chunk (``sizes`` draws each), every scenario's rows of
    its draws in their order; draws numbered from ``first``. So the exports' rows come in the
    same order whatever the number of chunks a task runs."""
    bounds = np.cumsum([0, *sizes])
    draw = [t["draw"].to_numpy() for t in tables]
    parts = [t[(d >= lo) & (d < hi)] for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
             for t, d in zip(tables, draw, strict=True)]
    out = pd.concat(parts, ignore_index=True)[list(INDICATOR_COLUMNS)]
    out["draw"] += first
    return out


def start_workers(threads: int | None = None) -> list:
    """Start, without waiting, the worker processes of ``sweep(..., scheduler=PROCESSES)``
    where they are started afresh (a notebook kernel, Windows: about a second each, paid by
    the first sweep otherwise), each importing the model and loading its compiled kernel
    through a sweep of one draw and one school year. Returns the futures. An app that will
    sweep calls it when it is built (:func:`simlib.analysis.sweep_pool.start_workers`)."""
    return _start_workers(_warm_up, threads)


def _warm_up() -> int:
    """What a fresh worker does first: a sweep of one draw of one school year, here."""
    return len(sweep("baseline", 1, years=1, threads=1).draws)


#: The columns of :attr:`Sweep.indicators` and of :func:`evaluate`.
INDICATOR_COLUMNS = ("draw", "scenario", "indicator", "group", "school_year", "value", "unit")


def _checked(scenarios, years: int, indicators, groups, resolution: str) -> list[Scenario]:
    """The scenarios, loaded; every argument checked before anything runs."""
    from simlib.inputs.scenario import load_scenario
    from simlib.model.engine import RESOLUTIONS, cell_grid
    from simlib.model.groups import group_masks
    from simlib.model.outcomes import INDICATOR_BY_ID
    from simlib.model.simulation import MAX_YEARS

    given = [scenarios] if isinstance(scenarios, str | Scenario) else list(scenarios)
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in given]
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise ValueError(f"scenarios must have distinct names; got {names}")
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise ValueError(f"years must be an integer from 1 to {MAX_YEARS}, not {years!r}")
    cells, _ = cell_grid(resolution)
    bad = [i for i in indicators or () if i not in INDICATOR_BY_ID]
    if bad:
        raise ValueError(f"unknown indicators {bad}; expected ids of simlib.model.outcomes.INDICATORS")
    known = group_masks(cells)[0]
    bad = [g for g in groups if g not in known]
    if bad:
        raise ValueError(f"groups {bad} do not exist at resolution {resolution!r} (it collapses "
                         f"{', '.join(RESOLUTIONS[resolution]) or 'nothing'}); expected some of "
                         f"{', '.join(known)}")
    return loaded


def evaluate(scenarios: str | Scenario | Sequence[str | Scenario], rows: Sequence[dict], *,
             years: int = HORIZON_YEARS, indicators: Sequence[str] | None = None,
             groups: Sequence[str] = ("all",), chunk_size: int = CHUNK_SIZE,
             resolution: str = RESOLUTION, scheduler: str | None = None,
             threads: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Run ``scenarios`` with each of ``rows`` (parameter values, as for
    :func:`~simlib.inputs.parameters.overridden`; draw ``k`` is ``rows[k]``) through the batch
    engine, like :func:`sweep` (same chunks, threads and Dask option). Returns the indicators
    with the columns :data:`INDICATOR_COLUMNS`. Used by the sensitivity designs."""
    loaded = _checked(scenarios, years, indicators, groups, resolution)
    rows = [dict(r) for r in rows]
    if not rows:
        raise ValueError("rows: expected at least one set of parameter values")
    shared = _shared(loaded, years, resolution, indicators, groups)
    return _run_rows(shared, rows, chunk_size, scheduler, threads, progress)


def _run_rows(shared: dict, rows: list[dict], chunk_size: int, scheduler, threads,
              progress) -> pd.DataFrame:
    """Run explicit parameter values ``rows`` (draw ``k`` is ``rows[k]``) in the chunks and
    tasks of a sweep of ``len(rows)`` draws."""
    groups_of = _grouped(_chunks(len(rows), chunk_size), chunk_size)
    tasks = [{**shared, "first": g[0][0] * chunk_size,
              "rows": rows[g[0][0] * chunk_size:g[-1][0] * chunk_size + g[-1][1]],
              "sizes": [size for _, size in g]} for g in groups_of]
    return execute(tasks, _evaluate_chunk, _evaluate, scheduler, threads, progress,
                   [len(g) for g in groups_of])


def member_draws(seed: int, n: int, members: int, chunk_size: int = CHUNK_SIZE) -> np.ndarray:
    """``n`` ensemble members (indices ``0..members-1``, drawn with replacement), chunk ``j``
    from ``SeedSequence(seed).spawn()[j]`` like :func:`unit_draws`: reproducible, and a draw
    depends only on the seed and its chunk."""
    children = np.random.SeedSequence(seed).spawn(max(1, math.ceil(n / chunk_size)))
    parts = [np.random.Generator(np.random.PCG64(children[j])).integers(0, members, size)
             for j, size in _chunks(n, chunk_size)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=int)


def in_runs(progress: Callable[[int, int], None], draws: int, per_draw: int = 1,
            chunk_size: int = CHUNK_SIZE) -> Callable[[int, int], None]:
    """A chunk progress callback (``done, chunks``) that calls ``progress(runs done, runs)``
    for ``draws`` draws of ``per_draw`` runs each (for a progress bar counting runs)."""
    def tick(done: int, chunks: int) -> None:
        rows = draws if done == chunks else min(done * chunk_size, draws)
        progress(rows * per_draw, draws * per_draw)

    return tick


def _shared(scenarios, years, resolution, indicators, groups) -> dict:
    """What every chunk task of one call shares, with the parameter overrides in force here
    (a thread, a worker process or a Dask worker does not share this thread's context)."""
    from simlib.inputs.parameters import active_overrides

    overrides = {k: dict(v) if isinstance(v, Mapping) else v
                 for k, v in active_overrides().items()}
    # each indicator and group once: a repeat would give each draw's rows twice (and a
    # band of "400 draws" from 200)
    return {"scenarios": scenarios, "years": years, "resolution": resolution,
            "indicators": list(dict.fromkeys(indicators)) if indicators else [],
            "groups": list(dict.fromkeys(groups)),
            "rows": None, "overrides": overrides}


def sweep(scenarios: str | Scenario | Sequence[str | Scenario] = "baseline",
          draws: int = 100, *, seed: int = 0, years: int = HORIZON_YEARS,
          parameters: Sequence[str] | None = None, prior_list: Sequence[Prior] | None = None,
          indicators: Sequence[str] | None = None, groups: Sequence[str] = ("all",),
          chunk_size: int = CHUNK_SIZE, resolution: str = RESOLUTION,
          scheduler: str | None = None, threads: int | None = None,
          progress: Callable[[int, int], None] | None = None,
          source: str = "ensemble") -> Sweep:
    """Run ``scenarios`` (names, paths or :class:`~simlib.inputs.scenario.Scenario` objects with
    distinct names) for ``draws`` parameter draws (paired across scenarios) through the batch
    engine at ``resolution`` (:data:`simlib.model.engine.RESOLUTIONS`; default: one placement
    market per finality).

    ``source``: where the draws come from. ``"ensemble"`` (the default): members of the
    calibrated ensemble stored in ``data/`` (:mod:`simlib.analysis.ensemble`), resampled with
    replacement per chunk with the seed (:func:`member_draws`); the parameters of
    ``parameters`` / ``prior_list`` take the member's values (a prior of zero width keeps its
    fixed value), the others keep their values of ``data/``. Refused with
    :class:`~simlib.analysis.ensemble.EnsembleError` if the ensemble is missing or belongs to
    other priors. ``"prior"``: every parameter drawn from its prior, not calibrated (the
    bands then show the spread of the assumptions and contradict the calibration).
    ``meta["source"]`` and ``meta["band_includes"]`` (Dutch and English) say which.

    ``scheduler``: a Dask scheduler address (``tcp://127.0.0.1:8786``) to send the chunks to
    (``dask.distributed.Client``); ``None`` runs them in this process, in ``threads`` threads
    (default: one per core; the kernel releases the GIL, so one thread's simulation overlaps
    another's Python preparation); :data:`PROCESSES` runs them in ``threads`` local worker
    processes (faster on two cores: the Python preparation of the draws runs in parallel
    too): forked ones where this process can fork safely (a script, the command line), else
    loky's reusable pool (a notebook kernel, Windows; the first call starts the workers,
    about a second, unless :func:`start_workers` started them ahead), see
    :mod:`simlib.analysis.sweep_pool`. ``progress(done, total)`` counts
    the chunks done, called as each task (one or more chunks) finishes. The
    result is the same either way: bit for bit in this process, within the tolerance of
    :data:`simlib.model.simulation.REPRODUCIBILITY` in other processes (``meta["reproducibility"]``).
    """
    from simlib.files.version import __version__, commit
    from simlib.inputs.parameters import calibration_used, data_hash
    from simlib.model.engine import RESOLUTIONS
    from simlib.model.simulation import REPRODUCIBILITY

    if draws < 1:
        raise ValueError(f"draws: {draws}; expected at least 1")
    if chunk_size < 1:
        raise ValueError(f"chunk_size: {chunk_size}; expected at least 1")
    if source not in SOURCES:
        raise ValueError(f"source: {source!r}; expected one of {', '.join(SOURCES)}")
    loaded = _checked(scenarios, years, indicators, groups, resolution)
    names = [s.name for s in loaded]
    plist = tuple(prior_list) if prior_list is not None else priors(parameters)
    if source == "ensemble":
        table, draws_df, about = _from_ensemble(loaded, draws, seed, years, plist, indicators,
                                                groups, chunk_size, resolution, scheduler,
                                                threads, progress)
    else:
        table, draws_df = _from_priors(loaded, draws, seed, years, plist, indicators, groups,
                                       chunk_size, resolution, scheduler, threads, progress)
        about = {"source": "prior", "band_includes": {
            lang: band_label("prior", lang) for lang in ("nl", "en")}}
    meta = {**about, "simlib_version": __version__, "simlib_commit": commit(), "data_hash": data_hash(),
            "calibration": calibration_used(), "scenarios": names,
            "draws": draws, "seed": seed, "chunk_size": chunk_size, "years": years,
            "groups": list(groups), "parameters": [p.name for p in plist],
            "priors": {p.name: {"distribution": p.distribution, "range": [p.low, p.high]}
                       for p in plist},
            "recalibrated_per_draw": False, "calibrated_ensemble": source == "ensemble",
            "resolution": resolution,
            "collapsed_axes": list(RESOLUTIONS[resolution]),
            "scheduler": {None: "in-process", PROCESSES: "processes"}.get(scheduler, "dask"),
            "quantiles": list(QUANTILES), "reproducibility": REPRODUCIBILITY}
    return Sweep(draws_df, table, meta)


#: Where a sweep's draws come from (:func:`sweep`'s ``source``).
SOURCES = ("ensemble", "prior")


def _from_priors(loaded, draws, seed, years, plist, indicators, groups, chunk_size,
                 resolution, scheduler, threads, progress) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The indicators and draws of a sweep drawing every parameter from its prior."""
    chunks = _chunks(draws, chunk_size)
    shared = {**_shared(loaded, years, resolution, indicators, groups), "seed": seed,
              "n_chunks": len(chunks), "priors": [_plain(p) for p in plist]}
    groups_of = _grouped(chunks, chunk_size)
    tasks = [{**shared, "first": g[0][0] * chunk_size, "chunks": g,
              "sizes": [size for _, size in g]} for g in groups_of]
    table = execute(tasks, _evaluate_chunk, _evaluate, scheduler, threads, progress,
                    [len(g) for g in groups_of])
    u = unit_draws(seed, draws, len(plist), chunk_size)
    cols = {}
    for k, p in enumerate(plist):
        cols[p.name] = u[:, k] if p.is_table else [p.ppf(x) for x in u[:, k]]
    return table, pd.DataFrame(cols, index=pd.RangeIndex(draws, name="draw"))


def _from_ensemble(loaded, draws, seed, years, plist, indicators, groups, chunk_size,
                   resolution, scheduler, threads, progress) -> tuple:
    """The indicators, draws and source metadata of a sweep drawing ensemble members."""
    from simlib.analysis.ensemble import load

    ens = load(priors())  # refused unless it belongs to the current priors
    index = member_draws(seed, draws, ens.size, chunk_size)
    rows = ens.rows(plist, index)
    shared = _shared(loaded, years, resolution, indicators, groups)
    table = _run_rows(shared, rows, chunk_size, scheduler, threads, progress)
    cols = {}
    for p in plist:
        if p.is_table:
            cols[p.name] = (ens.members[p.name].to_numpy(float)[index] if p.high > p.low
                            else np.full(draws, 0.5))
        else:
            cols[p.name] = [row[p.name] for row in rows]
    draws_df = pd.DataFrame(cols, index=pd.RangeIndex(draws, name="draw"))
    prov = ens.provenance
    about = {"source": "ensemble",
             "band_includes": {lang: ens.label(lang) for lang in ("nl", "en")},
             "ensemble": {"file": str(ens.path), "date": prov.get("date"),
                          "members": ens.size, "seed": prov.get("seed"),
                          "effective_sample_size": prov.get("effective_sample_size"),
                          "sha256": prov.get("members_sha256")},
             "ensemble_members": [int(i) for i in index]}
    return table, draws_df, about
