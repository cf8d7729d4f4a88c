"""How fast are an uncertainty sweep and a Morris + Sobol analysis?

Usage (from the repository root)::

    .venv/bin/python benchmarks/sweep_speed.py                   # both goals, 3 repeats
    .venv/bin/python benchmarks/sweep_speed.py --draws 1000 --repeat 5 --skip-sensitivity

Printed (medians over ``--repeat`` runs, with min and max):

- the wall time of ``python -m simlib sweep baseline --draws N --out TMP`` (10 school years,
  the default resolution, the default ``--scheduler auto``: worker processes where the system
  can fork; ``--scheduler threads`` to measure one process) as a subprocess, imports and the
  CSV files included (the issue's measure; goal: 1,000 draws under 8 s), and the milliseconds
  per draw it implies;
- the wall time, in-process, of :func:`simlib.analysis.sensitivity.screen_then_sobol` on the baseline's
  dual contract learners in 2030-31: Morris over every uncertain parameter (``--trajectories``,
  default 4) then Sobol with ``--sobol-n`` base samples (default 1,024) on the ten parameters
  that matter most (goal: under 2 minutes), after one small warm-up.

The load average is printed before and after: on a busy machine the figures overstate the
time. A benchmark is not a test: the exit code is 0 whatever the timings, 2 for a bad flag.
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

SWEEP_GOAL_S = 8.0
SENSITIVITY_GOAL_S = 120.0


def _summary(xs: list[float]) -> str:
    return f"median {statistics.median(xs):.1f} s (min {min(xs):.1f}, max {max(xs):.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--trajectories", type=int, default=4)
    parser.add_argument("--sobol-n", type=int, default=1024)
    parser.add_argument("--skip-sensitivity", action="store_true")
    parser.add_argument("--scheduler", default="auto",
                        help="the sweep's --scheduler (default auto)")
    args = parser.parse_args(argv)
    if min(args.draws, args.repeat, args.trajectories, args.sobol_n) < 1:
        parser.error("--draws, --repeat, --trajectories and --sobol-n must be at least 1")
    print(f"cpus {os.cpu_count()}, load average before {os.getloadavg()[0]:.2f}")

    walls = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "simlib", "sweep", "baseline", "--draws",
                            str(args.draws), "--scheduler", args.scheduler,
                            "--out", str(Path(tmp) / "out")], check=True,
                           cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t0)
    wall = statistics.median(walls)
    print(f"sweep of {args.draws} draws, 10 years, --scheduler {args.scheduler} (subprocess, "
          "imports included): "
          f"{_summary(walls)} over {args.repeat} runs; {wall / args.draws * 1000:.1f} ms per "
          f"draw (goal for 1,000 draws: under {SWEEP_GOAL_S:g} s)")

    if not args.skip_sensitivity:
        from simlib.analysis.sensitivity import screen_then_sobol
        from simlib.analysis.uncertainty import priors

        k = len(priors())
        screen_then_sobol(years=10, trajectories=1, top=2, n=2)  # warm-up
        runs = args.trajectories * (k + 1) + args.sobol_n * (10 + 2)
        times = []
        for rep in range(args.repeat):
            t0 = time.perf_counter()
            screen_then_sobol(years=10, trajectories=args.trajectories, top=10,
                              n=args.sobol_n, seed=rep)
            times.append(time.perf_counter() - t0)
        s = statistics.median(times)
        print(f"Morris ({k} parameters, {args.trajectories} trajectories) + Sobol "
              f"({args.sobol_n} base samples, 10 parameters) = {runs} runs: {_summary(times)}"
              f"; {s / runs * 1000:.1f} ms per run (goal under {SENSITIVITY_GOAL_S:g} s)")
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
