"""How fast is an uncertainty sweep, and what would Morris + Sobol cost?

Usage (from the repository root)::

    .venv/bin/python benchmarks/sweep_speed.py                  # 20 draws, 3 repeats
    .venv/bin/python benchmarks/sweep_speed.py --draws 50 --repeat 5

Printed:

- the wall time of ``python -m simlib sweep baseline --draws N --out TMP`` as a subprocess,
  imports included (the issue's measure), median of ``--repeat`` runs, and the seconds per
  draw it implies;
- the in-process seconds per model run of the sensitivity model function (one run with the
  burn-in per sample), median of ``--repeat`` samples;
- from that figure, the *projected* wall time of the issue's two goals: a sweep of 1,000 draws
  (goal: under 8 s) and Morris over every uncertain parameter (4 trajectories) plus Sobol with
  1,024 base samples on ten parameters (goal: under 2 minutes). These are projections from the
  measured time per run, not runs: they would take hours today.

A benchmark is not a test: the exit code is 0 whatever the timings, 2 for a bad flag.
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.draws < 1 or args.repeat < 1:
        parser.error("--draws and --repeat must be at least 1")

    walls = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "simlib", "sweep", "baseline", "--draws",
                            str(args.draws), "--out", str(Path(tmp) / "out")], check=True,
                           cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t0)
    wall = statistics.median(walls)
    print(f"sweep of {args.draws} draws (subprocess, imports included): median {wall:.1f} s "
          f"over {args.repeat} runs ({wall / args.draws:.2f} s per draw)")

    import numpy as np

    from simlib.sensitivity import model_function
    from simlib.uncertainty import priors

    plist = priors()
    f = model_function("baseline", prior_list=plist)
    f(np.full((1, len(plist)), 0.5))  # warm-up: kernel loaded
    rng = np.random.default_rng(0)
    per_run = []
    for _ in range(args.repeat):
        u = rng.random((1, len(plist)))
        t0 = time.perf_counter()
        f(u)
        per_run.append(time.perf_counter() - t0)
    s = statistics.median(per_run)
    k = len(plist)
    sweep_1000 = 1000 * s
    sens_runs = 4 * (k + 1) + 1024 * (10 + 2)
    print(f"one model run with the burn-in (in-process): median {s:.3f} s over {args.repeat}")
    print(f"projected: sweep of 1,000 draws {sweep_1000:.0f} s (goal under {SWEEP_GOAL_S:g} s)")
    print(f"projected: Morris ({k} parameters, 4 trajectories) + Sobol (1,024 base samples, "
          f"10 parameters) = {sens_runs} runs, {sens_runs * s / 60:.0f} min "
          f"(goal under {SENSITIVITY_GOAL_S / 60:g} min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
