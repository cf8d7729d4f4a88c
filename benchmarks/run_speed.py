"""How fast is one run? Wall time of ``simlib.run`` per scenario, in-process.

Usage (from the repository root)::

    .venv/bin/python benchmarks/run_speed.py                 # every scenario, 15 runs each
    .venv/bin/python benchmarks/run_speed.py --repeat 50 --only baseline --json speed.json

For each scenario of ``scenarios/`` (the baseline first) it times ``--repeat`` runs of
``simlib.run(scenario, years=--years)`` after one untimed warm-up run, twice: the engine run
alone, and the run plus ``result.indicators`` (the indicators table is computed lazily, on
first access). Of the engine run it also reports the time spent in the compiled kernel
(``simlib.model.kernel.run_batch``, the month loop), the part that work on the kernel's
speed changes. The very first run of the process is reported separately as the cold run: it
includes a start-up step (loading or compiling the numba kernel, reading the parameters,
the burn-in of the initial state) that is cached for every later run. Scenarios are loaded
from their files before timing, so file reading and validation are not part of the figures.

Interleaved with the baseline's runs (same process, same machine conditions) it times two
dense references, each ``steps`` (one per month) of ``x = np.einsum('si,sij->sj', x, P)``
(every stratum ``s`` moves its vector of state values by its own transition matrix):

- the issue's reference: 120 steps of a 16-state transition over 720 strata;
- the same dense form at the model's size: the strata (cells x inner strata) and the state
  values per stratum (non-dual, search-window bins, contract bins OAO and SOA, guaranteed,
  Aanloopfase and Groeifase bins) of the state the engine hands the kernel in the baseline
  run, over the run's months.

It prints the ratio of the baseline's median run (and kernel) to each reference's median.

A benchmark is not a test: the exit code is 0 whatever the timings, 2 for a bad flag or an
unknown ``--only`` name, 1 for an internal error. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

TARGET_MS = 50.0
AIM_MS = 10.0


def machine() -> dict:
    import numpy as np
    import pandas as pd

    import simlib

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count()
    try:
        import numba

        jit = {"numba": numba.__version__, "numba_threads": numba.config.NUMBA_NUM_THREADS}
    except ImportError:  # the engine does not need it
        jit = {"numba": None, "numba_threads": None}
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "simlib": simlib.__version__,
        **jit,
        "load_average_start": load_average(),
    }


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages: other programs competing for the CPUs."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def stats(times_s: list[float]) -> dict:
    ms = [t * 1000.0 for t in times_s]
    return {"median_ms": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms),
            "n": len(ms), "runs_ms": ms}


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class KernelClock:
    """While active, sums the wall time of every call of the compiled kernel
    (``simlib.model.kernel.run_batch``, which the engine looks up at each call) and keeps
    the size of the last call's state (:attr:`size`)."""

    def __init__(self):
        from simlib.model import kernel

        self._kernel = kernel
        self._run_batch = kernel.run_batch
        self.seconds = 0.0
        self.size: dict | None = None

    def __enter__(self) -> KernelClock:
        def timed_batch(*args):
            self.size = state_size(args[0], args[1])
            start = time.perf_counter()
            try:
                return self._run_batch(*args)
            finally:
                self.seconds += time.perf_counter() - start

        self.seconds = 0.0
        self._kernel.run_batch = timed_batch
        return self

    def __exit__(self, *exc) -> None:
        self._kernel.run_batch = self._run_batch


def state_size(st, rt) -> dict:
    """The size of a kernel call's state: strata (cells x inner strata), state values per
    stratum (every state and duration bin), months."""
    _, cells, inner = st.nd.shape
    values = {"non_dual": 1, "search_bins": st.srch.shape[2], "oao_bins": st.oao.shape[2],
              "soa_bins": st.soa.shape[2], "guaranteed": 1, "aanloopfase_bins": st.aan.shape[2],
              "groeifase_bins": st.gro.shape[2]}
    return {"cells": cells, "inner_strata": inner, "strata": cells * inner,
            "states": sum(values.values()), "state_values": values,
            "months": rt.month.shape[2]}


#: The issue's dense reference: 120 steps of a 16-state transition over 720 strata.
ISSUE_REFERENCE = {"strata": 720, "states": 16, "steps": 120}


def dense_reference(strata: int, states: int, steps: int) -> Callable[[], object]:
    """A dense Markov step ``steps`` times, numpy: ``x = einsum('si,sij->sj', x, P)``, with a
    row-stochastic ``P`` per stratum (made once, outside the timing)."""
    import numpy as np

    rng = np.random.default_rng(0)
    P = rng.random((strata, states, states))
    P /= P.sum(axis=2, keepdims=True)
    x0 = rng.random((strata, states))

    def run():
        x = x0
        for _ in range(steps):
            x = np.einsum("si,sij->sj", x, P)
        return x

    return run


def bench_scenario(sc, years: int, repeat: int, references: bool = False) -> dict:
    """Time the runs of ``sc``; with ``references``, the dense references interleaved (see
    the module's docstring)."""
    import simlib
    from simlib.model.engine.resume import forget

    kernel = []
    size = {}

    def run_only():
        with KernelClock() as clock:
            simlib.run(sc, years=years)
        kernel.append(clock.seconds)
        size.update(clock.size or {})

    def run_and_indicators():
        simlib.run(sc, years=years).indicators  # noqa: B018 — the lazy table is the point

    run_and_indicators()  # warm-up (untimed)
    refs = {}
    if references:
        forget()
        run_only()  # the state's size for the reference at the model's size (untimed)
        kernel.clear()
        # steps: the run's months (the kernel may run them in segments, see resume)
        refs = {"issue": {**ISSUE_REFERENCE},
                "model_size": {"strata": size["strata"], "states": size["states"],
                               "steps": 12 * years}}
        for ref in refs.values():
            ref["fn"] = dense_reference(ref["strata"], ref["states"], ref["steps"])
            ref["fn"]()  # warm-up
            ref["times"] = []
    alone, with_table = [], []
    for _ in range(repeat):  # interleaved, so all figures see the same machine conditions
        # every timed run computes all its months: a run resumes from a recent run with the
        # same inputs (simlib.model.engine.resume), so the stored references go first
        forget()
        alone.append(timed(run_only))
        forget()
        with_table.append(timed(run_and_indicators))
        for ref in refs.values():
            ref["times"].append(timed(ref["fn"]))
    out = {"run": stats(alone), "kernel": stats(kernel), "run_indicators": stats(with_table)}
    if references:
        out["size"] = dict(size)
        out["references"] = {}
        for name, ref in refs.items():
            med = statistics.median(ref["times"]) * 1000.0
            out["references"][name] = {
                "strata": ref["strata"], "states": ref["states"], "steps": ref["steps"],
                **stats(ref["times"]),
                "run_ratio": out["run"]["median_ms"] / med,
                "kernel_ratio": out["kernel"]["median_ms"] / med}
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="benchmarks/run_speed.py",
        description="Wall time of simlib.run per scenario (median, min, max of N runs).")
    p.add_argument("--repeat", type=int, default=15, metavar="N",
                   help="timed runs per scenario and measurement (default 15)")
    p.add_argument("--years", type=int, default=10, help="school years per run (default 10)")
    p.add_argument("--only", metavar="NAME", action="append",
                   help="time only this scenario of scenarios/ (may be repeated)")
    p.add_argument("--json", metavar="PATH", type=Path, help="also write the figures as JSON")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error(f"--repeat: {args.repeat}; expected at least 1")
    from simlib.model.simulation import MAX_YEARS

    if not 1 <= args.years <= MAX_YEARS:
        p.error(f"--years: {args.years} out of range; expected 1 to {MAX_YEARS}")
    if args.only:
        from simlib.inputs.scenario import scenario_names

        unknown = [n for n in args.only if n not in scenario_names()]
        if unknown:
            p.error(f"--only: unknown scenario {', '.join(unknown)}; expected one of "
                    f"{', '.join(scenario_names())}")
    return args


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_references(name: str, f: dict) -> None:
    """The dense references timed with ``name``'s runs and the ratios of its medians."""
    size = f["size"]
    bins = ", ".join(f"{k} {v}" for k, v in size["state_values"].items())
    print()
    print(f"dense references, interleaved with the {name} runs "
          "(x = einsum('si,sij->sj', x, P) once a step):")
    print(f"  model's size: {size['cells']} cells x {size['inner_strata']} inner strata = "
          f"{size['strata']} strata x {size['states']} state values ({bins}), "
          f"{size['months']} months")
    rows = [["reference", "strata", "states", "steps", "median", "min", "max",
             "run / reference", "kernel / reference"]]
    for key, label in (("issue", "issue (asked <= 1.5x, aim <= 0.7x)"),
                       ("model_size", "same form at the model's size")):
        r = f["references"][key]
        rows.append([label, str(r["strata"]), str(r["states"]), str(r["steps"]),
                     *(f"{r[k]:.1f} ms" for k in ("median_ms", "min_ms", "max_ms")),
                     f"{r['run_ratio']:.2f}x", f"{r['kernel_ratio']:.2f}x"])
    print(table(rows))
    print(f"load average now (1, 5, 15 min): {load_average()}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    import simlib
    from simlib.inputs.scenario import scenario_names
    from simlib.model import structure as model
    from simlib.model.structure import Timeline

    names = scenario_names()
    names = ["baseline", *[n for n in names if n != "baseline"]] if "baseline" in names \
        else names
    if args.only:
        names = [n for n in names if n in args.only]
    scenarios = {n: simlib.load_scenario(n) for n in names}

    info = machine()
    print("simlib run speed")
    print(f"machine: {info['platform']}; {info['cpu_count']} CPUs "
          f"({info['cpus_usable']} usable); {info['processor'] or info['machine']}")
    print(f"python {info['python']} ({info['implementation']}), numpy {info['numpy']}, "
          f"pandas {info['pandas']}, numba {info['numba']} (the kernel runs on one core; "
          f"{info['numba_threads']} numba threads available), "
          f"simlib {info['simlib']}")
    print(f"load average at start (1, 5, 15 min): {info['load_average_start']}")
    months = Timeline(args.years).months
    strata = getattr(getattr(model, "STRATA", None), "size", None)
    print(f"runs: {args.years} school years ({months} months), {strata} strata "
          f"(default resolution); {args.repeat} timed runs per figure after 1 warm-up")
    print()

    # the first run of the process: includes the cached start-up step
    first = scenarios[names[0]]
    gc.collect()
    cold_run = timed(lambda: simlib.run(first, years=args.years))
    result = simlib.run(first, years=args.years)
    cold_ind = timed(lambda: result.indicators)
    cold = {"scenario": names[0], "run_ms": cold_run * 1000.0,
            "first_indicators_ms": cold_ind * 1000.0}
    print(f"cold first run ({names[0]}, includes the cached start-up step): "
          f"run {cold['run_ms']:.1f} ms, first indicators table {cold_ind * 1000.0:.1f} ms")
    print()

    ref = "baseline" if "baseline" in names else names[0]
    figures = {}
    for name in names:
        figures[name] = bench_scenario(scenarios[name], args.years, args.repeat,
                                       references=name == ref)

    head = ["scenario", "run median", "min", "max", "of which kernel", "run+indicators median",
            "min", "max"]
    rows = [head]
    for name, f in figures.items():
        r, ri = f["run"], f["run_indicators"]
        rows.append([name, *(f"{r[k]:.1f} ms" for k in ("median_ms", "min_ms", "max_ms")),
                     f"{f['kernel']['median_ms']:.1f} ms",
                     *(f"{ri[k]:.1f} ms" for k in ("median_ms", "min_ms", "max_ms"))])
    print(table(rows))
    print()
    info["load_average_end"] = load_average()
    print(f"load average at end (1, 5, 15 min): {info['load_average_end']} — a load above the "
          "CPU count means other programs competed for the CPUs and the figures are high")
    med = figures[ref]["run"]["median_ms"]
    verdict = ("meets the aim" if med < AIM_MS else "meets the target" if med < TARGET_MS
               else "misses the target")
    print(f"{ref}: median run {med:.1f} ms (kernel {figures[ref]['kernel']['median_ms']:.1f} ms), "
          "run+indicators "
          f"{figures[ref]['run_indicators']['median_ms']:.1f} ms — target < {TARGET_MS:g} ms "
          f"per run on the 2-core machine, aim {AIM_MS:g} ms: {verdict}")
    print_references(ref, figures[ref])

    if args.json:
        doc = {"machine": info,
               "settings": {"years": args.years, "months": months, "strata": strata,
                            "repeat": args.repeat, "warmup_runs": 1},
               "target_ms": TARGET_MS, "aim_ms": AIM_MS,
               "cold": cold, "scenarios": figures}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # an error, not a slow run: show where, exit 1
        import traceback

        traceback.print_exc()
        print("run_speed: error (see above); no figures", file=sys.stderr)
        sys.exit(1)
