"""The table of issue 15 ("Instant"), measured: each figure, what is asked, the aim, the
value measured here and the command that measured it.

Usage (from the repository root)::

    .venv/bin/python benchmarks/table.py                 # every figure (about 5 minutes)
    .venv/bin/python benchmarks/table.py --only run --only sweep_cli
    .venv/bin/python benchmarks/table.py --quick         # fewer repeats, rougher figures

Each figure comes from one of the benchmarks beside this file, run as a subprocess exactly
as its command line says (printed in the table, so any figure can be measured again alone);
this script only reads the figure from that benchmark's output. The benchmarks run one after
the other, never together (two cores: they would compete). The load average is printed
before and after: above the CPU count, other programs competed and the figures are high.

A benchmark is not a test: the exit code is 0 whatever the timings (2 for a bad flag);
a figure whose benchmark failed or is missing is shown as such, with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Figure:
    """One row of the issue's table: ``read(output, json_path)`` returns the measured value
    (in ``unit``) from the benchmark's output, or None."""

    key: str
    what: str
    asked: float
    aim: float | None
    unit: str
    args: tuple[str, ...]          # the benchmark's command line after the interpreter
    quick: tuple[str, ...]         # the same with fewer repeats
    read: Callable[[str, Path], float | None]
    json: bool = False             # the command takes --json PATH


def _match(pattern: str, scale: float = 1.0) -> Callable[[str, Path], float | None]:
    def read(out: str, _json: Path) -> float | None:
        m = re.search(pattern, out)
        return None if m is None else float(m.group(1)) * scale
    return read


def _run_ratio(_out: str, path: Path) -> float | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return float(doc["scenarios"]["baseline"]["references"]["issue"]["run_ratio"])
    except (OSError, KeyError, ValueError):
        return None


_CHAIN = r"lever change -> chart redrawn\s+median\s+[\d.]+ ms\s+p95\s+([\d.]+) ms"
FIGURES = (
    Figure("run", "baseline 10-year run vs the dense reference (720 strata x 16 states, "
           "120 steps), same process", 1.5, 0.7, "x",
           ("benchmarks/run_speed.py", "--only", "baseline", "--repeat", "15"),
           ("benchmarks/run_speed.py", "--only", "baseline", "--repeat", "5"),
           _run_ratio, json=True),
    Figure("scenario_app", "lever change -> redrawn chart, scenario app, p95", 100, 50, "ms",
           ("benchmarks/latency.py", "--repeat", "20"), ("benchmarks/latency.py", "--repeat", "6"),
           _match(_CHAIN)),
    Figure("theme_app", "same in a policy notebook app (grid + detail chart), p95", 150, 100,
           "ms", ("benchmarks/latency.py", "--theme", "04_zoekperiode_en_garantie",
                  "--repeat", "20"),
           ("benchmarks/latency.py", "--theme", "04_zoekperiode_en_garantie", "--repeat", "6"),
           _match(_CHAIN)),
    Figure("dashboard_key", "dashboard: key press -> chart changed, median", 300, 150, "ms",
           ("benchmarks/dashboard_latency.py", "--loads", "3", "--presses", "10"),
           ("benchmarks/dashboard_latency.py", "--loads", "1", "--presses", "4"),
           _match(r"key press -> redrawn chart:\s+median\s+([\d.]+) ms")),
    Figure("dashboard_load", "dashboard: page load -> first chart, median", 3, 1.5, "s",
           ("benchmarks/dashboard_latency.py", "--loads", "3", "--presses", "10"),
           ("benchmarks/dashboard_latency.py", "--loads", "1", "--presses", "4"),
           _match(r"page load -> first chart:\s+median\s+([\d.]+) s")),
    Figure("export", "export of one chart's files (PNG, SVG, PDF, CSV, TOML), median", 1, None,
           "s", ("benchmarks/export_speed.py",), ("benchmarks/export_speed.py", "--repeat", "3"),
           _match(r"export_files \(all five\)\s+median\s+([\d.]+) ms", 1e-3)),
    Figure("sweep_cli", "1,000-draw sweep from the CLI, whole process, median", 4, 2, "s",
           ("benchmarks/sweep_speed.py", "--draws", "1000", "--repeat", "3",
            "--skip-sensitivity", "--skip-notebook"),
           ("benchmarks/sweep_speed.py", "--draws", "1000", "--repeat", "1",
            "--skip-sensitivity", "--skip-notebook"),
           _match(r"CLI: .*?\(whole process\): median ([\d.]+) s")),
    Figure("sweep_notebook", "same from a notebook kernel (first sweep, workers started)", 6,
           None, "s", ("benchmarks/sweep_speed.py", "--draws", "1000", "--repeat", "3",
                       "--skip-sensitivity", "--skip-cli"),
           ("benchmarks/sweep_speed.py", "--draws", "1000", "--repeat", "1",
            "--skip-sensitivity", "--skip-cli"),
           _match(r"first in the kernel ([\d.]+) s")),
)


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


def measure(fig: Figure, quick: bool, cache: dict) -> tuple[float | None, str, str]:
    """(value, command shown, reason if no value). Benchmarks shared by two figures run
    once (``cache``: command -> output)."""
    args = fig.quick if quick else fig.args
    shown = " ".join((".venv/bin/python", *args))
    if not (ROOT / args[0]).is_file():
        return None, shown, f"{args[0]} does not exist in this tree"
    with tempfile.TemporaryDirectory() as tmp:
        json_path = Path(tmp) / "figures.json"
        if args not in cache:
            cmd = [sys.executable, *args, *(("--json", str(json_path)) if fig.json else ())]
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                                  env={**os.environ, "MPLBACKEND": "Agg"})
            cache[args] = done.stdout + done.stderr
            if done.returncode != 0:
                return None, shown, f"exit {done.returncode}: {cache[args].strip()[-200:]}"
        value = fig.read(cache[args], json_path)
    return value, shown, "" if value is not None else "figure not found in its output"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", choices=[f.key for f in FIGURES],
                        help="measure only this figure (repeat the flag for several)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    chosen = [f for f in FIGURES if not args.only or f.key in args.only]
    print(f"issue 15's table; cpus {os.cpu_count()}, load average before {_load()}\n")
    rows, cache = [], {}
    for fig in chosen:
        value, shown, reason = measure(fig, args.quick, cache)
        if value is None:
            verdict, text = reason, "—"
        else:
            verdict = ("meets the aim" if fig.aim is not None and value <= fig.aim else
                       "meets the ask" if value <= fig.asked else "misses the ask")
            text = f"{value:.2f} {fig.unit}" if fig.unit in ("x", "s") else f"{value:.0f} {fig.unit}"
        aim = f"{fig.aim:g} {fig.unit}" if fig.aim is not None else ""
        rows.append((fig.what, f"<= {fig.asked:g} {fig.unit}", aim, text, verdict, f"`{shown}`"))
    head = ("figure", "asked", "aim", "measured", "verdict", "command")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nload average after {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
