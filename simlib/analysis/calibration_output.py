"""The calibration's output: the fit as text, ``calibration.toml``, ``python -m simlib calibrate``."""

from __future__ import annotations

import datetime as _dt
import math
import sys
from pathlib import Path

from simlib.analysis.calibration import NOT_AVAILABLE, Fit, TargetFit, fit
from simlib.inputs.parameters import DataError, calibration_home, reload

__all__ = ["report", "write", "command"]


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "nan"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.4g}"


def _table(head: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(r: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()

    return [line(head), line(["-" * w for w in widths]), *map(line, rows)]


def report(f: Fit) -> str:
    """The fit as plain text: one row per target, then the free parameters."""
    def verdict(t: TargetFit) -> str:
        ok = "OK" if t.within_tolerance else "NOT OK"
        return ok if t.fitted else f"{ok} (unreachable, not fitted)"

    rows = [[t.name, _fmt(t.target), _fmt(t.before), _fmt(t.model), f"{t.relative_error:+.1%}",
             f"{t.tolerance:.0%}", verdict(t)] for t in f.targets]
    rows += [[t.name, _fmt(t.value), "n/a", "n/a", "", f"{t.tolerance:.0%}",
              f"n/a ({NOT_AVAILABLE})"] for t in f.skipped]
    lines = [f"Calibration of {len(f.free)} free values to {len(f.targets)} targets "
             f"({len(f.skipped)} not available), baseline over {f.years} school year(s)", ""]
    lines += _table(["target", "target", "model before", "model after", "rel. error",
                     "tolerance", "fit"], rows, right={1, 2, 3, 4, 5})
    for t in f.targets:
        if t.note:
            lines.append(f"  {t.name}: {t.note}")
    for t in f.skipped:
        lines.append(f"  {t.name}: {t.reason}")
    lines.append("")
    prows = [[v.key, f"{v.start:.6g}", f"{v.before:.6g}", f"{v.after:.6g}",
              f"[{v.low:g}, {v.high:g}]", "at bound" if v.at_bound else ""] for v in f.free]
    lines += _table(["free parameter", "data file (start)", "before", "after", "range", ""],
                    prows, right={1, 2, 3})
    lines += ["",
              f"cost (sum of (relative error / tolerance)^2 over the fitted targets): "
              f"{f.cost_before:.4g} before, {f.cost:.4g} after",
              f"{f.iterations} iterations, {f.evaluations} model runs, {f.seconds:.1f} s; "
              f"success: {f.success} ({f.message})",
              f"method: {f.method}"]
    bad = [t.name for t in f.targets if not t.within_tolerance]
    if bad:
        lines.append(f"NOT OK: {len(bad)} target(s) outside tolerance after the fit: "
                     f"{', '.join(bad)}")
    else:
        lines.append(f"all {len(f.targets)} available targets within tolerance")
    return "\n".join(lines)


def write(f: Fit, path: Path | None = None, command: str | None = None) -> Path:
    """Store ``f`` (``[fit]``, ``[values]``) in ``path`` (default: ``calibration_home()``)."""
    import tomli_w

    path = Path(path) if path is not None else calibration_home()
    doc = {
        "fit": {
            "date": _dt.date.today().isoformat(),
            "command": command or "python -m simlib calibrate --write",
            "method": f.method,
            "cost": f.cost,
            "cost_before": f.cost_before,
            "success": f.success,
            "message": f.message,
            "iterations": f.iterations,
            "model_runs": f.evaluations,
            "seconds": round(f.seconds, 2),
            "school_years_simulated": f.years,
            "targets": {t.name: {"target": t.target, "model": t.model,
                                 "relative_error": t.relative_error, "tolerance": t.tolerance,
                                 "within_tolerance": t.within_tolerance, "fitted": t.fitted,
                                 **({"note": t.note} if t.note else {})}
                        for t in f.targets},
            "not_available": {t.name: t.reason for t in f.skipped},
        },
        "values": f.values,
    }
    head = ("# Fitted values of the calibrated parameters (calibrated = true in data/*.toml),\n"
            "# written by `python -m simlib calibrate --write`; do not edit by hand, re-run it.\n"
            "# simlib.inputs.parameters overlays [values] on those parameters; [fit] records the fit.\n"
            "# Licence: CC BY 4.0 (see SOURCES.md).\n\n")
    path.write_text(head + tomli_w.dumps(doc), encoding="utf-8")
    return path


def command(args) -> int:
    """``python -m simlib calibrate [--write] [--maxiter N]``: 0 if the fit ran, 2 on errors."""
    maxiter = getattr(args, "maxiter", 200)
    if isinstance(maxiter, bool) or not isinstance(maxiter, int) or maxiter < 1:
        print(f"--maxiter: {maxiter!r}; expected a positive integer", file=sys.stderr)
        return 2
    try:
        f = fit(maxiter=maxiter)
    except DataError as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return 2
    print(report(f))
    if getattr(args, "write", False):
        cmd = f"python -m simlib calibrate --write --maxiter {maxiter}"
        try:
            path = write(f, command=cmd)
        except OSError as exc:
            print(f"calibrate: cannot write {calibration_home()} ({exc})", file=sys.stderr)
            return 2
        reload()
        print(f"wrote {path}")
    return 0
