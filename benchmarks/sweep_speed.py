"""How fast are an uncertainty sweep (from the command line and from a notebook kernel) and a
Morris + Sobol analysis?

Usage (from the repository root)::

    .venv/bin/python benchmarks/sweep_speed.py                   # every figure, 3 repeats
    .venv/bin/python benchmarks/sweep_speed.py --draws 1000 --repeat 5 --skip-sensitivity
    .venv/bin/python benchmarks/sweep_speed.py --skip-cli --skip-sensitivity   # the notebook

Printed (medians over ``--repeat`` runs, with min and max, and the 1-minute load average
before and after each figure: on a busy machine the figures overstate the time):

- **CLI**: the wall time of ``python -m simlib sweep baseline --draws N --out TMP`` (10
  school years, the default resolution and ``--scheduler auto``: forked worker processes on
  Linux and macOS) as a subprocess, imports and the CSV files included, and the
  milliseconds per draw it implies. Goal for 1,000 draws: at most 4 s (aim 2 s).
- **notebook**: a real Jupyter kernel (``ipykernel`` started with ``jupyter_client``, as
  JupyterLab starts one) imports ``simlib.analysis.uncertainty`` in one cell, then runs
  ``U.sweep("baseline", N, scheduler=U.PROCESSES)`` in another, as a notebook cell would;
  timed from the cell's execute request to its reply. A kernel runs threads, so the workers
  are loky's, started afresh: the *first* sweep of a kernel pays their start, each later one
  (``--repeat`` of them, median) reuses them (an app can start them ahead with
  ``U.start_workers()``, so its first sweep is a warm one). Also timed once: the same cell with
  ``scheduler=None`` (threads in the kernel, what ``sweep`` does by default). Goal for
  1,000 draws: at most 6 s.
- **sensitivity**: in-process, :func:`simlib.analysis.sensitivity.screen_then_sobol` on the
  baseline's dual contract learners in 2030-31: Morris over every uncertain parameter
  (``--trajectories``, default 4) then Sobol with ``--sobol-n`` base samples (default 1,024)
  on the ten parameters that matter most (goal: under 2 minutes), after one small warm-up.

A benchmark is not a test: the exit code is 0 whatever the timings, 2 for a bad flag.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLI_GOAL_S, CLI_AIM_S = 4.0, 2.0
NOTEBOOK_GOAL_S = 6.0
SENSITIVITY_GOAL_S = 120.0


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _summary(xs: list[float]) -> str:
    return f"median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"


def _env() -> dict[str, str]:
    """This process's environment with this checkout first on the import path (also for the
    kernel and its workers)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def cli(draws: int, repeat: int, scheduler: str) -> None:
    before = _load()
    walls = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "simlib", "sweep", "baseline", "--draws",
                            str(draws), "--scheduler", scheduler,
                            "--out", str(Path(tmp) / "out")], check=True, env=_env(),
                           cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t0)
    wall = statistics.median(walls)
    print(f"CLI: python -m simlib sweep baseline --draws {draws} --scheduler {scheduler} "
          f"(whole process): {_summary(walls)} over {repeat} runs; "
          f"{wall / draws * 1000:.2f} ms per draw; goal {CLI_GOAL_S:g} s, aim {CLI_AIM_S:g} s "
          f"(load {before} -> {_load()})")


def _cell(kc, code: str, timeout: float = 600.0) -> float:
    """Run ``code`` in the kernel as a notebook cell; its wall time (request to reply).
    A cell that fails raises RuntimeError with the kernel's traceback."""
    t0 = time.perf_counter()
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
    wall = time.perf_counter() - t0
    content = reply["content"]
    if content["status"] != "ok":
        raise RuntimeError("\n".join(content.get("traceback", [])) or str(content))
    return wall


def notebook(draws: int, repeat: int) -> None:
    from jupyter_client.manager import start_new_kernel

    before = _load()
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT), env=_env())
    try:
        imports = _cell(kc, "from simlib.analysis import uncertainty as U")
        code = f"sw = U.sweep('baseline', {draws}, scheduler=U.PROCESSES)"
        first = _cell(kc, code)
        warm = [_cell(kc, code) for _ in range(repeat)]
        _cell(kc, f"assert len(sw.draws) == {draws} and sw.meta['scheduler'] == 'processes'")
        threads = _cell(kc, f"sw = U.sweep('baseline', {draws})")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(f"notebook kernel: import cell {imports:.2f} s; sweep of {draws} draws, "
          f"scheduler=U.PROCESSES (loky workers): first in the kernel {first:.2f} s (the "
          f"workers start), then {_summary(warm)} over {repeat}; {min(first, *warm) / draws * 1000:.2f}"
          f" ms per draw at best; scheduler=None (threads) {threads:.2f} s; "
          f"goal {NOTEBOOK_GOAL_S:g} s (load {before} -> {_load()})")


def sensitivity(repeat: int, trajectories: int, sobol_n: int) -> None:
    from simlib.analysis.sensitivity import screen_then_sobol
    from simlib.analysis.uncertainty import priors

    before = _load()
    k = len(priors())
    screen_then_sobol(years=10, trajectories=1, top=2, n=2)  # warm-up
    runs = trajectories * (k + 1) + sobol_n * (10 + 2)
    times = []
    for rep in range(repeat):
        t0 = time.perf_counter()
        screen_then_sobol(years=10, trajectories=trajectories, top=10, n=sobol_n, seed=rep)
        times.append(time.perf_counter() - t0)
    s = statistics.median(times)
    print(f"Morris ({k} parameters, {trajectories} trajectories) + Sobol ({sobol_n} base "
          f"samples, 10 parameters) = {runs} runs: {_summary(times)}; "
          f"{s / runs * 1000:.1f} ms per run (goal under {SENSITIVITY_GOAL_S:g} s) "
          f"(load {before} -> {_load()})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--trajectories", type=int, default=4)
    parser.add_argument("--sobol-n", type=int, default=1024)
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--skip-notebook", action="store_true")
    parser.add_argument("--skip-sensitivity", action="store_true")
    parser.add_argument("--scheduler", default="auto",
                        help="the CLI sweep's --scheduler (default auto)")
    args = parser.parse_args(argv)
    if min(args.draws, args.repeat, args.trajectories, args.sobol_n) < 1:
        parser.error("--draws, --repeat, --trajectories and --sobol-n must be at least 1")
    print(f"cpus {os.cpu_count()}, load average {_load()}")
    if not args.skip_cli:
        cli(args.draws, args.repeat, args.scheduler)
    if not args.skip_notebook:
        notebook(args.draws, args.repeat)
    if not args.skip_sensitivity:
        sensitivity(args.repeat, args.trajectories, args.sobol_n)
    print(f"load average after {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
