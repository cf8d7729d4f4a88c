"""Command line: ``python -m simlib run|validate|compare|calibrate|sweep|seek|explain|
report|levers``, installed as the command ``duaal-leren`` (``pyproject.toml``,
``[project.scripts]``).

Exit codes for every command: 0 success, 2 a user error (bad scenario, bad flag, ``--out``
refused), 1 an internal error, 130 stopped by Ctrl-C. A user error prints a message, never a
traceback. Results are written complete or not at all (:mod:`simlib.files.outputs`).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import traceback
from pathlib import Path

from simlib.cli_common import Parser as _Parser
from simlib.cli_common import UserError, write_outputs
from simlib.cli_common import check_out as _check_out
from simlib.cli_why import add_commands
from simlib.files.version import model_label
from simlib.model.structure import HORIZON_YEARS

__all__ = ["main", "UserError"]

def _cmd_run(args) -> int:
    from simlib.inputs.scenario import load_scenario
    from simlib.model.simulation import MAX_YEARS, run

    if not 1 <= args.years <= MAX_YEARS:
        raise UserError(f"--years: {args.years} out of range; expected 1 to {MAX_YEARS}")
    out = _check_out(args.out, args.force)
    sc = load_scenario(args.scenario)
    result = run(sc, years=args.years)
    return write_outputs(out, lambda folder: result.to_csv(folder, overwrite=args.force))


def _cmd_validate(args) -> int:
    """Every file gets its own verdict, whatever happens to another: ``OK <path>``, its
    problem lines, or (a bug of ours) its traceback and an internal-error line. Exit 2 if a
    file was refused, 1 if one met an internal error, else 0."""
    from simlib.inputs.scenario import ScenarioError, load_scenario

    refused = broken = False
    for file in args.files:
        try:
            load_scenario(file)
        except ScenarioError as exc:
            refused = True
            print(str(exc), file=sys.stderr, flush=True)
        except Exception as exc:  # an internal error: report it, answer the other files
            broken = True
            traceback.print_exc()
            print(f"{file}: validate: internal error ({type(exc).__name__}); expected a "
                  "verdict: please report it with the file", file=sys.stderr, flush=True)
        else:
            print(f"OK {file}", flush=True)
    return 1 if broken else 2 if refused else 0


def lever_table(lang: str = "nl") -> str:
    """The lever registry as a plain-text table in ``lang``, values by the number rule
    (:mod:`simlib.report.numbers`: ``612,50`` and ``25 %`` in Dutch), with a line on how to write
    them in a scenario file."""
    from simlib.inputs.glossary import label, texts
    from simlib.inputs.levers import levers
    from simlib.report import numbers as N
    from simlib.report.describe import choice_label, format_value

    words = texts("cli")[lang]

    def value(lv, v) -> str:
        if lv.kind == "bool":
            return str(v).lower()  # what a scenario file says
        if lv.kind == "choice":
            return f"{v} ({choice_label(lv, v, lang)})"
        return format_value(lv, v, lang, unit=False)

    def rng(lv) -> str:
        if lv.kind == "choice":
            return "|".join(lv.choices)
        if lv.kind == "bool":
            return "true|false"
        return f"{format_value(lv, lv.min, lang, unit=False)}–" \
               f"{format_value(lv, lv.max, lang, unit=False)}"

    head = [words[k] for k in ("id", "label", "unit", "default", "range", "status",
                               "evidence")]
    rows = [[lv.id, lv.label(lang), N.unit_words(lv.unit, lang), value(lv, lv.default),
             rng(lv), label("status", lv.status, lang), lv.evidence_grade] for lv in levers()]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [head, ["-" * w for w in widths], *rows]]
    return "\n".join([*lines, "", words["how_to_write"]])


def _cmd_levers(args) -> int:
    if args.markdown:
        from simlib.report.docs import levers_markdown

        sys.stdout.write(levers_markdown())
        return 0
    print(lever_table(args.lang))
    return 0


def _cmd_compare(args) -> int:
    """``python -m simlib compare A B --out DIR [--years N] [--force]``; returns the exit code.

    Checks ``--years`` and ``--out`` (refused if it already holds ``comparison.csv`` or
    ``meta.json``, unless ``--force``), loads and runs both scenarios, then writes
    ``comparison.csv`` (UTF-8, ``\\n`` line endings, no index; a NaN is an empty field) and
    ``meta.json`` (each run's :meth:`simlib.Result.meta` under ``"a"`` and ``"b"``, and the
    rows and SHA-256 of ``comparison.csv`` under ``"files"``), complete or not at all
    (:func:`simlib.files.outputs.write_folder`), and prints the paths. Nothing is written on a user
    error.
    """
    from simlib.analysis.compare import COMPARE_FILES, compare
    from simlib.files.outputs import table as csv_table
    from simlib.files.outputs import write_folder
    from simlib.inputs.scenario import load_scenario
    from simlib.model.simulation import MAX_YEARS, run

    if not 1 <= args.years <= MAX_YEARS:
        raise UserError(f"--years: {args.years} out of range; expected 1 to {MAX_YEARS}")
    out = _check_out(args.out, args.force, COMPARE_FILES)
    sc_a = load_scenario(args.a)
    sc_b = load_scenario(args.b)
    ra = run(sc_a, years=args.years)
    rb = run(sc_b, years=args.years)
    table = compare(ra, rb)
    meta = {
        "a": ra.meta(),
        "b": rb.meta(),
        "years": args.years,
        "difference": "b - a",
        "relative_difference": "(b - a) / |a|; empty (NaN) where a == 0 or a value is missing",
    }

    def write(folder: Path) -> list[Path]:
        files = {"comparison.csv": csv_table(table, index=False, lineterminator="\n",
                                             encoding="utf-8")}
        return write_folder(folder, files, meta, overwrite=args.force)

    return write_outputs(out, write)


def _cmd_calibrate(args) -> int:
    """``calibrate``: the point calibration, or with ``--ensemble N`` / ``--report`` the
    calibrated ensemble and its coverage report (:mod:`simlib.analysis.ensemble_output`)."""
    from simlib.analysis import ensemble_output

    if args.ensemble is None and not args.report:
        extra = [flag for flag, given in (("--seed", args.seed is not None),
                                          ("--steps", args.steps is not None),
                                          ("--hold-out", bool(args.hold_out)),
                                          ("--out", args.out is not None)) if given]
        if extra:
            raise UserError(f"{', '.join(extra)}: only with --ensemble N or --report; "
                            "expected e.g. calibrate --ensemble 400 --seed 1 --report")
        from simlib.analysis.calibration_output import command

        return command(args)
    out = (_check_out(args.out, args.force, ensemble_output.COVERAGE_FILES)
           if args.out is not None else None)
    return ensemble_output.command(args, out)


SWEEP_FILES = ("draws.csv", "indicators.csv", "bands.csv", "meta.json")

#: ``--scheduler`` words; anything else must be a Dask scheduler address.
SCHEDULERS = ("auto", "threads", "processes")
#: Address schemes of Dask's communication layer (``distributed.comm.registry``).
DASK_SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")


def _scheduler(text: str) -> str:
    """``--scheduler`` checked: one of :data:`SCHEDULERS` or ``SCHEME://HOST[:PORT]``."""
    match = re.fullmatch(r"([a-z]+)://([^\s/]+)/?", text)
    if text in SCHEDULERS or (match and match[1] in DASK_SCHEMES):
        return text
    near = difflib.get_close_matches(text[:40], SCHEDULERS, n=1, cutoff=0.6)
    raise UserError(f"--scheduler: {text!r} is not a scheduler; expected auto, threads, "
                    "processes or a Dask scheduler address (tcp://HOST:PORT, or "
                    "tls://HOST:PORT with certificates)"
                    + (f"; did you mean {near[0]}?" if near else ""))


# The memory a sweep needs, measured with `python -m simlib sweep baseline --scheduler
# processes` (peak proportional set size of the command and its workers, sampled every
# 0.1 s with psutil): 356, 382 and 501 MB for 64, 512 and 2,048 draws of 10 school years;
# the command alone 112, 158 and 376 MB, and 106 and 166 MB for 64 and 2,048 draws of 2
# school years. The command holds every draw's indicator rows (rows per draw grow with the
# school years) and peaks after the workers end, while the bands and CSV files are made:
# 0.14 MB a draw at 10 years, 0.03 at 2. Hence a fixed 400 MB (the workers and the model)
# plus 0.015 MB per draw and school year: 707 and 461 MB for the 2,048 draws measured at 10
# and 2 years (501 and 365 MB), a margin of about a third.
SWEEP_BASE_MB = 400.0
SWEEP_MB_PER_DRAW_YEAR = 0.015


def sweep_memory_mb(draws: int, years: int, scenarios: int = 1) -> float:
    """Estimated peak memory (MB) of a command-line sweep (see the measurement above)."""
    return SWEEP_BASE_MB + SWEEP_MB_PER_DRAW_YEAR * draws * max(years, 1) * scenarios


def available_memory_mb() -> float | None:
    """Memory this process can still use (MB): ``MemAvailable`` of ``/proc/meminfo`` (else
    psutil, else ``os.sysconf``), capped by a cgroup (v2) memory limit; None if unknown."""
    found: list[float] = []
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            found += [int(line.split()[1]) / 1024 for line in f
                      if line.startswith("MemAvailable:")]
    except (OSError, ValueError, IndexError):
        pass
    if not found:
        try:
            import psutil

            found.append(psutil.virtual_memory().available / 2**20)
        except Exception:  # psutil missing or unsupported here
            try:
                found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20)
            except (ValueError, OSError, AttributeError):
                pass
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as f:
            limit = f.read().strip()
        with open("/sys/fs/cgroup/memory.current", encoding="ascii") as f:
            used = int(f.read().strip())
        if limit != "max":
            found.append((int(limit) - used) / 2**20)
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def _check_sweep_memory(draws: int, years: int) -> None:
    need = sweep_memory_mb(draws, years)
    have = available_memory_mb()
    if have is not None and need > have:
        most = max(0, int((have - SWEEP_BASE_MB) / (SWEEP_MB_PER_DRAW_YEAR * max(years, 1))))
        raise UserError(f"--draws: {draws:,} draws of {years} school years need about "
                        f"{need:,.0f} MB (estimated: {SWEEP_BASE_MB:,.0f} MB + "
                        f"{SWEEP_MB_PER_DRAW_YEAR} MB per draw and school year); this machine "
                        f"has {have:,.0f} MB available; expected at most {most:,} draws")


def _cmd_sweep(args) -> int:
    from simlib.analysis.ensemble import EnsembleError
    from simlib.analysis.uncertainty import (
        PROCESSES,
        SchedulerUnreachable,
        processes_available,
        sweep,
    )
    from simlib.files.outputs import plain_table, table, write_folder
    from simlib.inputs.scenario import load_scenario
    from simlib.model.simulation import MAX_YEARS

    if args.draws < 1:
        raise UserError(f"--draws: {args.draws} out of range; expected at least 1")
    if not 1 <= args.years <= MAX_YEARS:
        raise UserError(f"--years: {args.years} out of range; expected 1 to {MAX_YEARS}")
    if args.seed < 0:
        raise UserError(f"--seed: {args.seed} out of range; expected an integer >= 0")
    given = _scheduler(args.scheduler)
    _check_sweep_memory(args.draws, args.years)
    out = _check_out(args.out, args.force, SWEEP_FILES)
    load_scenario(args.scenario)  # a bad scenario is refused before anything runs

    line_open = []  # a progress line without its line end yet

    def progress(done: int, total: int) -> None:
        line_open[:] = [True] if done < total else []
        print(f"\rchunks {done}/{total}", end="" if done < total else "\n", file=sys.stderr,
              flush=True)

    scheduler = {"auto": PROCESSES if processes_available() else None, "threads": None
                 }.get(given, given)
    source = "prior" if args.prior_only else args.source
    if args.prior_only and args.source not in (None, "prior"):
        raise UserError("--prior-only with --source ensemble: expected one of them")
    source = source or "ensemble"
    try:
        result = sweep(args.scenario, args.draws, seed=args.seed, years=args.years,
                       resolution=args.resolution, scheduler=scheduler, progress=progress,
                       source=source)
    except EnsembleError as exc:
        raise UserError(f"sweep: {exc}") from None
    except KeyboardInterrupt:
        if line_open:
            print(file=sys.stderr)  # Ctrl-C's line on a line of its own
        raise
    except SchedulerUnreachable as exc:
        raise UserError(f"{exc.address}: --scheduler: cannot connect to the Dask scheduler "
                        f"({exc.reason}); expected the address of a running scheduler you "
                        "control, e.g. tcp://127.0.0.1:8786") from None

    print(f"bands: {result.meta['band_includes']['en']}", file=sys.stderr, flush=True)

    def write(folder: Path) -> list[Path]:
        files = {"draws.csv": table(result.draws),
                 "indicators.csv": plain_table(result.indicators),
                 "bands.csv": table(result.bands(), index=False)}
        return write_folder(folder, files, result.meta, overwrite=args.force)

    return write_outputs(out, write)

#: The installed command (``duaal-leren.exe`` on Windows).
COMMAND = "duaal-leren"


def build_parser() -> argparse.ArgumentParser:
    prog = COMMAND if Path(sys.argv[0]).stem == COMMAND else "python -m simlib"
    parser = _Parser(prog=prog, description="Duaal Leren scenario simulator (simlib).")
    parser.add_argument("--version", action="version", version=model_label())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="run a scenario and write indicators.csv, stocks.csv, "
                       "meta.json")
    p.add_argument("scenario", help="a scenario file, or the name of one in scenarios/")
    p.add_argument("--out", required=True, help="folder to write the results into")
    p.add_argument("--years", type=int, default=HORIZON_YEARS,
                   help=f"school years to simulate (default {HORIZON_YEARS})")
    p.add_argument("--force", action="store_true", help="overwrite results already in --out")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("validate", help="validate scenario files (OK <path> per valid file)")
    p.add_argument("files", nargs="+", help="scenario files or names")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("compare", help="compare two scenarios and write comparison.csv")
    p.add_argument("a", help="first scenario (file or name in scenarios/), e.g. baseline")
    p.add_argument("b", help="second scenario (file or name in scenarios/)")
    p.add_argument("--out", required=True, help="folder to write comparison.csv into")
    p.add_argument("--years", type=int, default=HORIZON_YEARS,
                   help=f"school years to simulate (default {HORIZON_YEARS})")
    p.add_argument("--force", action="store_true", help="overwrite a comparison already in --out")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("calibrate", help="fit the free parameters to the calibration targets and "
                       "print target, model value and relative error per target")
    p.add_argument("--write", action="store_true",
                   help="store the fitted values with the date and the fit in "
                   "data/calibration.toml (from the installed package: the user's own "
                   "calibration.toml, read instead of the shipped one)")
    p.add_argument("--maxiter", type=int, default=200, help="optimizer iterations (default 200)")
    p.add_argument("--ensemble", type=int, metavar="N",
                   help="instead of the point fit: a calibrated ensemble of N members (MCMC "
                   "over every uncertain parameter; with --write stored in data/ensemble.csv "
                   "and data/ensemble.json); prints its coverage of the targets")
    p.add_argument("--seed", type=int, help="seed of the ensemble (default 0)")
    p.add_argument("--steps", type=int, help="steps of the ensemble's chain (default: "
                   "simlib.analysis.ensemble_fit.STEPS)")
    p.add_argument("--report", action="store_true",
                   help="the coverage table of the stored ensemble (or of the one just "
                   "fitted with --ensemble): each target against the members' 50%% and 90%% "
                   "bands")
    p.add_argument("--hold-out", action="append", metavar="TARGET",
                   help="held-back check: fit without TARGET (repeatable; 'all' for each) "
                   "and say whether the bands cover it")
    p.add_argument("--out", help="folder to write coverage.csv (and held_back.csv) into")
    p.add_argument("--force", action="store_true", help="overwrite a report already in --out")
    p.set_defaults(func=_cmd_calibrate)

    p = sub.add_parser("sweep", help="run a scenario for N draws of the uncertain parameters "
                       "and write draws.csv, indicators.csv, bands.csv, meta.json")
    p.add_argument("scenario", help="a scenario file, or the name of one in scenarios/")
    p.add_argument("--draws", type=int, required=True, help="number of parameter draws")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    p.add_argument("--scheduler", default="auto",
                   help="where the draws run: a Dask scheduler address (e.g. "
                   "tcp://127.0.0.1:8786), 'processes' (worker processes on this machine), "
                   "'threads' (threads in this process) or 'auto' (default: worker processes, "
                   "forked where the system can fork, else started afresh; threads if "
                   "neither can run)")
    p.add_argument("--years", type=int, default=HORIZON_YEARS,
                   help=f"school years to simulate (default {HORIZON_YEARS})")
    p.add_argument("--resolution", choices=("finality", "sector", "full"), default="finality",
                   help="market cells of the batch engine: finality (default: regions and "
                   "sectors merged, fastest), sector (regions merged) or full")
    p.add_argument("--source", choices=("ensemble", "prior"),
                   help="where the draws come from: ensemble (default: members of the "
                   "calibrated ensemble in data/ensemble.csv) or prior (every parameter "
                   "drawn from its prior, not calibrated)")
    p.add_argument("--prior-only", action="store_true", help="the same as --source prior")
    p.add_argument("--out", required=True, help="folder to write the results into")
    p.add_argument("--force", action="store_true", help="overwrite results already in --out")
    p.set_defaults(func=_cmd_sweep)

    add_commands(sub)  # seek, explain, report (simlib.cli_why)

    p = sub.add_parser("levers", help="print the lever registry as a table")
    p.add_argument("--lang", choices=("nl", "en"), default="nl")
    p.add_argument("--markdown", action="store_true",
                   help="print docs/levers.md (the registry as a Markdown page) instead")
    p.set_defaults(func=_cmd_levers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    from simlib.inputs.scenario import ScenarioError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad flag (code 2)
        return int(exc.code or 0)
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:  # Ctrl-C: outputs are complete or absent (simlib.files.outputs)
        print("interrupted (Ctrl-C): stopped; no partial results were left", file=sys.stderr)
        return 130
    except Exception:  # an internal error: the traceback helps whoever fixes it
        traceback.print_exc()
        print("internal error: please report it with the command you ran", file=sys.stderr)
        return 1
