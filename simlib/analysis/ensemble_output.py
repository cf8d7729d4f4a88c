"""``python -m simlib calibrate --ensemble N [--seed S] [--steps K] [--write] [--report]
[--hold-out TARGET] [--out DIR]``: the calibrated ensemble and its coverage report.

- ``--ensemble N`` fits an ensemble of N members (:func:`simlib.analysis.ensemble_fit.fit`)
  and prints its diagnostics and coverage table; ``--write`` stores it in ``data/``
  (:mod:`simlib.analysis.ensemble`).
- ``--report`` without ``--ensemble`` reads the stored ensemble, runs its members once and
  prints the coverage table.
- The coverage table: per target, the target, its tolerance, the members' median, 50% and
  90% bands, whether each covers the target, the share of members within tolerance, and the
  point calibration (``calibration.toml``, run at the same resolution) with its quantile
  among the members.
- ``--hold-out TARGET`` (repeatable; ``all`` for every target): the held-back check, a fit
  without that target (of at most :data:`HELD_BACK_MEMBERS` members, same steps), and whether
  its bands cover the target left out.
- ``--out DIR`` writes ``coverage.csv`` (and ``held_back.csv``) with ``meta.json``.

Exit codes as for every command: 0 done, 2 a user error (a message, no traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.analysis import ensemble as E
from simlib.analysis import ensemble_fit as F
from simlib.analysis import uncertainty as U

__all__ = ["command", "coverage_text", "HELD_BACK_MEMBERS", "COVERAGE_FILES"]

#: Members of each held-back fit (a smaller ensemble suffices to read a band).
HELD_BACK_MEMBERS = 100
COVERAGE_FILES = ("coverage.csv", "held_back.csv", "meta.json")


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "nan"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def coverage_text(table: pd.DataFrame) -> str:
    """The coverage table as plain text, one row per target."""
    head = ["target", "value", "tol.", "median", "50% band", "90% band", "50%", "90%",
            "within tol."]
    has_point = "point" in table.columns
    if has_point:
        head += ["point", "point quantile"]
    rows = []
    for r in table.to_dict("records"):
        row = [r["target"], _fmt(r["value"]), f"{r['tolerance']:.0%}", _fmt(r["p50"]),
               f"{_fmt(r['p25'])}-{_fmt(r['p75'])}", f"{_fmt(r['p5'])}-{_fmt(r['p95'])}",
               "covers" if r["covered_50"] else "MISSES",
               "covers" if r["covered_90"] else "MISSES", f"{r['within_tolerance_share']:.0%}"]
        if has_point:
            row += [_fmt(r["point"]), f"{r['point_quantile']:.2f}"]
        rows.append(row)
    widths = [max(len(x[i]) for x in [head, *rows]) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in [head, ["-" * w for w in widths], *rows])


def _point(targets_) -> np.ndarray:
    """The point calibration's values of ``targets_`` at the ensemble's resolution."""
    post = F._Posterior(U.priors(), list(targets_), list(targets_), U.RESOLUTION, None)
    table = U.evaluate("baseline", [{}], years=post.years, indicators=post.indicators,
                       groups=post.groups)
    return F.target_values(table, targets_, 1)[0]


def _stored_model(ens: E.Ensemble):
    """The stored members' values of the available targets (one batch run)."""
    fitted, shown = F._available(())
    post = F._Posterior(U.priors(), fitted, shown, U.RESOLUTION, None)
    table = U.evaluate("baseline", ens.rows(U.priors()), years=post.years,
                       indicators=post.indicators, groups=post.groups)
    return F.target_values(table, shown, ens.size), shown


def _progress(label: str):
    def tick(done: int, total: int) -> None:
        print(f"\r{label} {done}/{total}", end="" if done < total else "\n",
              file=sys.stderr, flush=True)
    return tick


def _refuse(message: str) -> int:
    print(f"calibrate: {message}", file=sys.stderr)
    return 2


def _checked(args) -> str | None:
    """Why the arguments are refused, or None."""
    n, report = getattr(args, "ensemble", None), getattr(args, "report", False)
    seed, steps = getattr(args, "seed", None), getattr(args, "steps", None)
    if n is None:
        if not report:
            return None
        if getattr(args, "write", False):
            return ("--write with --report stores a new ensemble: give --ensemble N too "
                    "(--report alone reads the stored one)")
    elif n < 1:
        return f"--ensemble: {n}; expected a number of members of at least 1"
    if seed is not None and seed < 0:
        return f"--seed: {seed}; expected an integer >= 0"
    if steps is not None and steps < 2:
        return f"--steps: {steps}; expected at least 2"
    if getattr(args, "maxiter", None) not in (None, 200):
        return "--maxiter belongs to the point calibration; the ensemble takes --steps"
    return None


def command(args, out: Path | None = None) -> int:
    """Run ``calibrate --ensemble`` / ``--report``; returns the exit code. ``out``: the
    ``--out`` folder, already checked by the command line (:data:`COVERAGE_FILES`)."""
    from simlib.inputs.parameters import DataError

    why = _checked(args)
    if why:
        return _refuse(why)
    seed = args.seed if args.seed is not None else 0
    steps = args.steps if args.steps is not None else F.STEPS
    shown = [t.name for t in F._available(())[1]]
    hold = shown if "all" in (args.hold_out or []) else list(args.hold_out or [])
    unknown = sorted(set(hold) - set(shown))
    if unknown:
        return _refuse(f"--hold-out: {', '.join(unknown)} is not an available target; "
                       f"expected all or some of {', '.join(shown)}")
    try:
        if args.ensemble is not None:
            f = F.fit(args.ensemble, seed=seed, steps=steps, progress=_progress("steps"))
            print(_diagnostics(f))
            model, targets_ = f.model, f.targets
            if args.write:
                cmd = (f"python -m simlib calibrate --ensemble {args.ensemble} --seed {seed} "
                       f"--steps {steps} --write")
                paths = E.write(E.members_frame(f.prior_list, f.u), f.prior_list,
                                F.provenance(f, cmd))
                print("\n".join(map(str, paths)))
        else:
            ens = E.load(U.priors())
            print(f"{ens.path}: {ens.size} members of {ens.provenance.get('date')}")
            model, targets_ = _stored_model(ens)
    except (E.EnsembleError, DataError, ValueError) as exc:
        return _refuse(str(exc))
    table = F.coverage(model, targets_, _point(targets_))
    print("\nCoverage of the calibration targets of 2025-26 by the ensemble's members:")
    print(coverage_text(table))
    held = _held_back(hold, args, seed, steps)
    if out is not None:
        return _write(out, table, held, args.force)
    return 0


def _diagnostics(f: F.EnsembleFit) -> str:
    within = np.abs(f.model / np.array([t.value for t in f.targets]) - 1) <= \
        np.array([t.tolerance for t in f.targets])
    return "\n".join([
        f"ensemble of {len(f.u)} members from {f.walkers} walkers x {f.steps} steps "
        f"({f.evaluations:,} model runs, {f.seconds:.0f} s)",
        f"acceptance fraction {f.acceptance:.3f}; integrated autocorrelation time "
        f"{f.tau:.0f} steps{'' if f.tau_reliable else ' (chain shorter than 50 tau: a lower bound)'}"
        f"; effective sample size {f.effective_sample_size:.0f}; thinned by {f.thin}",
        f"members within every tolerance: {within.all(axis=1).mean():.0%}"])


def _held_back(hold: list[str], args, seed: int, steps: int) -> pd.DataFrame | None:
    if not hold:
        return None
    members = min(args.ensemble or HELD_BACK_MEMBERS, HELD_BACK_MEMBERS)
    rows = [F.held_back(name, members, seed=seed, steps=steps,
                        progress=_progress(f"held back {name}: steps")) for name in hold]
    table = pd.DataFrame(rows)
    print("\nHeld-back check: each target fitted without it; do the bands cover it?")
    print(coverage_text(table))
    return table


def _write(out: Path, table: pd.DataFrame, held: pd.DataFrame | None, force: bool) -> int:
    from simlib.files.outputs import table as csv_table
    from simlib.files.outputs import write_folder

    files = {"coverage.csv": csv_table(table, index=False, lineterminator="\n")}
    if held is not None:
        files["held_back.csv"] = csv_table(held, index=False, lineterminator="\n")
    meta = {"what": "coverage of the calibration targets by the calibrated ensemble",
            "quantiles": list(U.QUANTILES)}
    for path in write_folder(out, files, meta, overwrite=force):
        print(path)
    return 0
