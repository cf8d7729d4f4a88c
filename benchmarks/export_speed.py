"""Export speed: one chart's files (PNG, SVG, PDF, CSV, TOML), in process.

Usage (from the repository root)::

    .venv/bin/python benchmarks/export_speed.py              # 7 repeats
    .venv/bin/python benchmarks/export_speed.py --repeats 15 --years 10

Draws one trend chart of the baseline and one variant (as an app shows it), then times

- each figure format alone (``png`` at 300 dpi, ``svg``, ``pdf``), as the export saves it;
- the whole export as the dashboard's button makes it
  (:func:`simlib.report.downloads.export_files`: the five kinds of file in a temporary
  folder, read back) and the download links (:func:`simlib.report.downloads.links_html`).

Prints the median and p95 of each, the command line and the load average before and after.
A benchmark is not a test: the exit code is 0 whatever the timings (2 for a bad flag).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _line(name: str, seconds: list[float]) -> str:
    ms = [1000 * s for s in seconds]
    return (f"{name:<24} median {statistics.median(ms):7.0f} ms   p95 {_p95(ms):7.0f} ms   "
            f"(n={len(ms)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="repeats of each timing (7)")
    parser.add_argument("--years", type=int, default=10, help="years simulated (10)")
    args = parser.parse_args(argv)  # exits 2 for a bad flag
    if args.repeats < 1 or args.years < 1:
        parser.error("--repeats and --years must be at least 1")
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    print(f"cpus {os.cpu_count()}, load average {[round(x, 2) for x in os.getloadavg()]}")

    import matplotlib

    matplotlib.use("Agg")
    import simlib
    from simlib import ui
    from simlib.report import downloads, export
    from simlib.report.plots import set_footnote

    results = [ui.baseline(args.years), ui.run_cached(simlib.scenario(
        name="variant", search_window_days=30, screening_quality="high"), args.years)]
    chart = ui.Chart(("trend",), results, indicator="dual_contract_learners")
    day = dt.date(2025, 10, 1)
    set_footnote(chart.figure, export.footnote(results, "nl", day))
    timings: dict[str, list[float]] = {fmt: [] for fmt in export.FIGURE_FORMATS}
    timings["export_files (all five)"] = []
    timings["links_html"] = []
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="simlib-bench-") as tmp:
        for k in range(args.repeats + 1):  # the first round warms up (fonts, imports)
            for fmt in export.FIGURE_FORMATS:
                t0 = time.perf_counter()
                export._save_figure(chart.figure, Path(tmp) / f"x{k}.{fmt}", fmt, day,
                                    export.DPI)
                if k:
                    timings[fmt].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            files = downloads.export_files({"grafiek": (chart.figure, chart.table)}, results,
                                           date=day)
            t1 = time.perf_counter()
            downloads.links_html(files)
            if k:
                timings["export_files (all five)"].append(t1 - t0)
                timings["links_html"].append(time.perf_counter() - t1)
            sizes = {name: len(data) for name, data in files.items()}
    for name, seconds in timings.items():
        print(_line(name, seconds))
    print("files: " + ", ".join(f"{n} {s / 1000:.0f} kB" for n, s in sizes.items()))
    print(f"load average after: {[round(x, 2) for x in os.getloadavg()]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
