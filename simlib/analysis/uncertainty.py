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
kernel call per stage, one indicator table. Chunks run in threads in this process (the kernel
releases the GIL; the default), in forked worker processes (:data:`PROCESSES`; the command
line's default) or on a Dask cluster. What stays a Python loop over the draws of a chunk is
the *preparation*: reading each draw's parameter values into rates through the policy modules
(scalar Python code, about 4 ms a draw against 4 ms of kernel; in threads it holds the GIL,
which is why worker processes are faster on two cores).

Simplifications (say so wherever the bands are shown):

- **Collapsed resolution.** By default (:data:`RESOLUTION` = ``"finality"``) regions and
  sectors are merged: one placement market per finality, each merged cell's rates the mean of
  its cells' rates weighted by their new learners (:func:`simlib.model.engine._collapse`). Results
  by region and sector do not exist there, and the baseline's headline indicators differ from
  the full model by a few per cent (dual contract learners +2%, placements +2.5% in 2030-31;
  tested under 5%). ``resolution="sector"`` (regions merged, under 0.5%) and ``"full"`` are
  slower. A sweep whose ranges are all zero equals the cohort run at the same resolution
  (``simlib.run(..., resolution=...)``).
- **No recalibration per draw.** Each draw replaces the parameter values of ``data/`` (the
  calibrated ones included) and reruns the burn-in; the bands show the spread of the
  assumptions, not the uncertainty of the calibration fit. A draw of a calibrated parameter
  therefore also moves the baseline away from its calibration targets.
- **A table parameter moves as one piece**: one draw ``u`` per table; every entry moves from
  its value towards the low end of the range (``u < 0.5``) or the high end (``u > 0.5``) by the
  same share of the distance, so the table keeps its order.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from simlib.inputs.scenario import Scenario
from simlib.model.structure import HORIZON_YEARS

__all__ = ["Prior", "priors", "unit_draws", "values", "Sweep", "sweep", "evaluate", "bands",
           "QUANTILES", "CHUNK_SIZE", "RESOLUTION", "INDICATOR_COLUMNS"]

#: Draws per chunk (part of the result's identity: another chunk size gives other draws).
CHUNK_SIZE = 16
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
    else:  # the chunk's draws, rebuilt from the seed and the chunk number
        prior_list = tuple(Prior(**p) for p in task["priors"])
        children = np.random.SeedSequence(task["seed"]).spawn(task["n_chunks"])
        u = _chunk_draws(children[task["chunk"]], task["size"], len(prior_list))
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
    frames = []
    for sc, sc_rates in zip(scenarios, rates, strict=True):
        batch = simulate_batch(begin, sc_rates, timeline)
        table = indicator_table(batch, task["indicators"] or None, task["groups"])
        table["draw"] += task["first"]
        frames.append(table.assign(scenario=sc.name))
    return pd.concat(frames, ignore_index=True)[list(INDICATOR_COLUMNS)]


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


#: ``scheduler`` value for local worker processes (see :func:`sweep`).
PROCESSES = "processes"

#: The chunk tasks of a sweep on local worker processes: forked children read them from here
#: (inherited memory), so a task (its Scenario objects) need not be pickled.
_FORKED_TASKS: list[dict] | None = None


def _forked_chunk(j: int) -> pd.DataFrame:
    return _evaluate_chunk(_FORKED_TASKS[j])


# --- stopping and connecting (Ctrl-C, Dask) ------------------------------------------------

#: Seconds to wait for a Dask scheduler to answer before :class:`SchedulerUnreachable`.
CONNECT_TIMEOUT = 5


class SchedulerUnreachable(ConnectionError):
    """No Dask scheduler answered at ``address`` within :data:`CONNECT_TIMEOUT` seconds (or
    what answered is not one); ``reason`` says what happened."""

    def __init__(self, address: str, reason: str):
        self.address, self.reason = address, reason
        super().__init__(f"{address}: cannot connect to a Dask scheduler ({reason})")


def _connect(address: str):
    """A ``dask.distributed.Client`` of the scheduler at ``address``, or
    :class:`SchedulerUnreachable` within about :data:`CONNECT_TIMEOUT` seconds (also when
    Dask, an optional extra, is not installed: only sweeps on a cluster need it)."""
    import contextlib

    try:
        from dask.distributed import Client
    except ImportError:
        raise SchedulerUnreachable(address, "Dask is not installed; install it with pip "
                                   "install 'duaal-leren-simulator[dask]'") from None

    client = Client.__new__(Client)  # kept, to be closed at once if connecting fails
    try:
        client.__init__(address, timeout=CONNECT_TIMEOUT)
    except Exception as exc:
        with contextlib.suppress(Exception):
            client.close(timeout=1)
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise SchedulerUnreachable(address, reason) from None
    return client


#: In a worker process: Ctrl-C has come (no chunk starts any more) / a chunk is running
#: (Ctrl-C stops it at once, within the chunk's own code only, never while the pool sends a
#: result: that would leave the result pipe half-written).
_STOPPING = False
_IN_CHUNK = False


def _worker_ctrl_c(signum, frame) -> None:
    global _STOPPING, _IN_CHUNK
    _STOPPING = True
    if _IN_CHUNK:
        _IN_CHUNK = False  # at most once a chunk, and never once it has returned
        raise KeyboardInterrupt


def _worker_start() -> None:
    """Initializer of a worker process: Ctrl-C ends its chunk and skips the rest."""
    import signal

    signal.signal(signal.SIGINT, _worker_ctrl_c)


def _stoppable_chunk(j: int) -> pd.DataFrame:
    """:func:`_forked_chunk` in a worker that Ctrl-C stops between and within chunks."""
    global _IN_CHUNK
    try:
        _IN_CHUNK = True
        if _STOPPING:
            raise KeyboardInterrupt
        return _forked_chunk(j)
    finally:
        _IN_CHUNK = False


def _stop_workers(pool) -> None:
    """Stop a process pool now: pass Ctrl-C on to the workers (a terminal sends it to them
    too; ``kill -INT`` only to this process), drop the chunks not yet started and wait for the
    workers to exit. In one call: a second ``shutdown`` (the ``with`` block's) would undo
    ``cancel_futures`` before the pool acts on it. Not terminated: a worker killed while it
    sends a result leaves the result pipe half-written and the pool waiting forever."""
    import contextlib
    import signal

    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            os.kill(proc.pid, signal.SIGINT)
    pool.shutdown(wait=True, cancel_futures=True)


# --- end stopping and connecting -----------------------------------------------------------


def processes_available() -> bool:
    """Whether local worker processes can run a sweep here: the ``fork`` start method exists
    (Linux, macOS) and this process runs no other Python thread (forking a process with
    threads, e.g. a Jupyter kernel, can deadlock)."""
    import multiprocessing as mp
    import threading

    return "fork" in mp.get_all_start_methods() and threading.active_count() == 1


def _execute(tasks: list[dict], scheduler: str | None, threads: int | None,
             progress: Callable[[int, int], None] | None) -> pd.DataFrame:
    """Run the chunk ``tasks`` in this process (threads), in local worker processes or on a
    Dask cluster, in order."""
    results: list[pd.DataFrame | None] = [None] * len(tasks)

    def collect(done_in_order) -> None:
        """Store each chunk's table (``(j, table)`` as they finish) and report progress."""
        for done, (j, table) in enumerate(done_in_order, start=1):
            results[j] = table
            if progress:
                progress(done, len(tasks))

    workers = max(1, min(threads or os.cpu_count() or 1, len(tasks)))
    if scheduler == PROCESSES:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        if not processes_available():
            raise RuntimeError("local worker processes need the fork start method and a "
                               "process without other threads; use scheduler=None (threads)")
        global _FORKED_TASKS
        _FORKED_TASKS = tasks
        try:
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"),
                                     initializer=_worker_start) as pool:
                futures = {pool.submit(_stoppable_chunk, j): j for j in range(len(tasks))}
                try:
                    collect((futures[f], f.result()) for f in as_completed(futures))
                except BaseException:  # Ctrl-C or a failed chunk: stop now, not after all
                    _stop_workers(pool)
                    raise
        finally:
            _FORKED_TASKS = None
    elif scheduler is None:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        from threadpoolctl import threadpool_limits

        # a task carries the parameter overrides in force here (_shared), as everywhere
        with threadpool_limits(limits=1, user_api="blas"), \
                ThreadPoolExecutor(workers, thread_name_prefix="simlib-sweep") as pool:
            futures = {pool.submit(_evaluate, task): j for j, task in enumerate(tasks)}
            try:
                collect((futures[f], f.result()) for f in as_completed(futures))
            except BaseException:  # Ctrl-C or a failed chunk: only running chunks finish
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    else:
        from dask.distributed import as_completed

        with _connect(scheduler) as client:
            futures = client.map(_evaluate_chunk, tasks, pure=False)
            index = {f.key: j for j, f in enumerate(futures)}
            collect((index[f.key], f.result()) for f in as_completed(futures))
    return pd.concat(results, ignore_index=True)


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
    chunks = _chunks(len(rows), chunk_size)
    shared = _shared(loaded, years, resolution, indicators, groups)
    tasks = [{**shared, "first": j * chunk_size,
              "rows": rows[j * chunk_size:j * chunk_size + size]} for j, size in chunks]
    return _execute(tasks, scheduler, threads, progress)


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
    return {"scenarios": scenarios, "years": years, "resolution": resolution,
            "indicators": list(indicators) if indicators else [], "groups": list(groups),
            "rows": None, "overrides": overrides}


def sweep(scenarios: str | Scenario | Sequence[str | Scenario] = "baseline",
          draws: int = 100, *, seed: int = 0, years: int = HORIZON_YEARS,
          parameters: Sequence[str] | None = None, prior_list: Sequence[Prior] | None = None,
          indicators: Sequence[str] | None = None, groups: Sequence[str] = ("all",),
          chunk_size: int = CHUNK_SIZE, resolution: str = RESOLUTION,
          scheduler: str | None = None, threads: int | None = None,
          progress: Callable[[int, int], None] | None = None) -> Sweep:
    """Run ``scenarios`` (names, paths or :class:`~simlib.inputs.scenario.Scenario` objects with
    distinct names) for ``draws`` parameter draws (paired across scenarios) through the batch
    engine at ``resolution`` (:data:`simlib.model.engine.RESOLUTIONS`; default: one placement
    market per finality).

    ``scheduler``: a Dask scheduler address (``tcp://127.0.0.1:8786``) to send the chunks to
    (``dask.distributed.Client``); ``None`` runs them in this process, in ``threads`` threads
    (default: one per core; the kernel releases the GIL, so one thread's simulation overlaps
    another's Python preparation); :data:`PROCESSES` runs them in ``threads`` forked local
    worker processes (faster on two cores: the Python preparation of the draws runs in
    parallel too; for scripts and the command line, not a notebook, see
    :func:`processes_available`). ``progress(done, total)`` is called after each chunk. The
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
    loaded = _checked(scenarios, years, indicators, groups, resolution)
    names = [s.name for s in loaded]
    plist = tuple(prior_list) if prior_list is not None else priors(parameters)
    chunks = _chunks(draws, chunk_size)
    shared = {**_shared(loaded, years, resolution, indicators, groups), "seed": seed,
              "n_chunks": len(chunks), "priors": [_plain(p) for p in plist]}
    tasks = [{**shared, "first": j * chunk_size, "chunk": j, "size": size}
             for j, size in chunks]
    table = _execute(tasks, scheduler, threads, progress)
    u = unit_draws(seed, draws, len(plist), chunk_size)
    cols = {}
    for k, p in enumerate(plist):
        cols[p.name] = u[:, k] if p.is_table else [p.ppf(x) for x in u[:, k]]
    draws_df = pd.DataFrame(cols, index=pd.RangeIndex(draws, name="draw"))
    meta = {"simlib_version": __version__, "simlib_commit": commit(), "data_hash": data_hash(),
            "calibration": calibration_used(), "scenarios": names,
            "draws": draws, "seed": seed, "chunk_size": chunk_size, "years": years,
            "groups": list(groups), "parameters": [p.name for p in plist],
            "priors": {p.name: {"distribution": p.distribution, "range": [p.low, p.high]}
                       for p in plist},
            "recalibrated_per_draw": False, "resolution": resolution,
            "collapsed_axes": list(RESOLUTIONS[resolution]),
            "scheduler": {None: "in-process", PROCESSES: "processes"}.get(scheduler, "dask"),
            "quantiles": list(QUANTILES), "reproducibility": REPRODUCIBILITY}
    return Sweep(draws_df, table, meta)
