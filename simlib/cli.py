"""Command line: ``python -m simlib run|validate|compare|calibrate|sweep|levers``.

Exit codes for every command: 0 success, 2 a user error (bad scenario, bad flag, ``--out``
refused), 1 an internal error. A user error prints a message, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from simlib import __version__

__all__ = ["main", "UserError"]

RESULT_FILES = ("indicators.csv", "stocks.csv", "meta.json")


class UserError(Exception):
    """A mistake in the command's input, reported without a traceback (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own exit code is 2 as well; keep its usage line
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _check_out(out: Path, force: bool, names: tuple[str, ...] = RESULT_FILES) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: --out: is a file; expected a folder (new, or with --force)")
    clash = [n for n in names if (out / n).exists()]
    if clash and not force:
        raise UserError(f"{out}: --out: already holds results ({', '.join(clash)}); "
                        "expected a new or empty folder, or --force to overwrite them")
    existing = next(p for p in (out, *out.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise UserError(f"{out}: --out: cannot be created ({existing} is not a writable "
                        "folder); expected a folder path that can be written")


def _cmd_run(args) -> int:
    from simlib.scenario import load_scenario
    from simlib.simulation import MAX_YEARS, run

    if not 1 <= args.years <= MAX_YEARS:
        raise UserError(f"--years: {args.years} out of range; expected 1 to {MAX_YEARS}")
    out = Path(args.out)
    _check_out(out, args.force)
    sc = load_scenario(args.scenario)
    result = run(sc, years=args.years)
    return write_outputs(out, result.to_csv)


def write_outputs(out: Path, write) -> int:
    """Call ``write(out)`` (which returns the paths written), print the paths; exit code 0.

    An OS error (a folder that cannot be written) is a user error.
    """
    try:
        paths = write(out)
    except OSError as exc:
        raise UserError(f"{out}: --out: cannot be written ({exc}); expected a writable folder"
                        ) from None
    for path in paths:
        print(path)
    return 0


def _cmd_validate(args) -> int:
    from simlib.scenario import ScenarioError, load_scenario

    failed = False
    for file in args.files:
        try:
            load_scenario(file)
        except ScenarioError as exc:
            failed = True
            print(str(exc), file=sys.stderr)
        else:
            print(f"OK {file}")
    return 2 if failed else 0


def lever_table(lang: str = "nl") -> str:
    """The lever registry as a plain-text table in ``lang``."""
    from simlib.glossary import label
    from simlib.levers import levers

    def rng(lv) -> str:
        if lv.kind == "choice":
            return "|".join(lv.choices)
        if lv.kind == "bool":
            return "true|false"
        return f"{lv.min:g}–{lv.max:g}"

    head = ["id", "label", "unit", "default", "range", "status", "evidence"]
    rows = [[lv.id, lv.label(lang), label("units", lv.unit, lang), str(lv.default).lower()
             if isinstance(lv.default, bool) else f"{lv.default:g}"
             if isinstance(lv.default, int | float) else lv.default, rng(lv),
             label("status", lv.status, lang), lv.evidence_grade] for lv in levers()]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [head, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


def _cmd_levers(args) -> int:
    print(lever_table(args.lang))
    return 0


def _cmd_compare(args) -> int:
    from simlib.compare import command

    return command(args)


def _cmd_calibrate(args) -> int:
    from simlib.calibration import command

    return command(args)


SWEEP_FILES = ("draws.csv", "indicators.csv", "bands.csv", "meta.json")


def _cmd_sweep(args) -> int:
    import json

    from simlib.scenario import load_scenario
    from simlib.simulation import MAX_YEARS
    from simlib.uncertainty import PROCESSES, processes_available, sweep

    if args.draws < 1:
        raise UserError(f"--draws: {args.draws} out of range; expected at least 1")
    if not 1 <= args.years <= MAX_YEARS:
        raise UserError(f"--years: {args.years} out of range; expected 1 to {MAX_YEARS}")
    if args.seed < 0:
        raise UserError(f"--seed: {args.seed} out of range; expected an integer >= 0")
    out = Path(args.out)
    _check_out(out, args.force, SWEEP_FILES)
    load_scenario(args.scenario)  # a bad scenario is refused before anything runs

    def progress(done: int, total: int) -> None:
        print(f"\rchunks {done}/{total}", end="" if done < total else "\n", file=sys.stderr,
              flush=True)

    scheduler = {"auto": PROCESSES if processes_available() else None, "threads": None
                 }.get(args.scheduler, args.scheduler)
    result = sweep(args.scenario, args.draws, seed=args.seed, years=args.years,
                   resolution=args.resolution, scheduler=scheduler, progress=progress)

    def write(folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / n for n in SWEEP_FILES]
        result.draws.to_csv(paths[0])
        result.indicators.to_csv(paths[1], index=False)
        result.bands().to_csv(paths[2], index=False)
        paths[3].write_text(json.dumps(result.meta, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
        return paths

    return write_outputs(out, write)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m simlib",
                     description="Duaal Leren scenario simulator (simlib).")
    parser.add_argument("--version", action="version", version=f"simlib {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="run a scenario and write indicators.csv, stocks.csv, "
                       "meta.json")
    p.add_argument("scenario", help="a scenario file, or the name of one in scenarios/")
    p.add_argument("--out", required=True, help="folder to write the results into")
    p.add_argument("--years", type=int, default=10, help="school years to simulate (default 10)")
    p.add_argument("--force", action="store_true", help="overwrite results already in --out")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("validate", help="validate scenario files (OK <path> per valid file)")
    p.add_argument("files", nargs="+", help="scenario files or names")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("compare", help="compare two scenarios and write comparison.csv")
    p.add_argument("a", help="first scenario (file or name in scenarios/), e.g. baseline")
    p.add_argument("b", help="second scenario (file or name in scenarios/)")
    p.add_argument("--out", required=True, help="folder to write comparison.csv into")
    p.add_argument("--years", type=int, default=10, help="school years to simulate (default 10)")
    p.add_argument("--force", action="store_true", help="overwrite a comparison already in --out")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("calibrate", help="fit the free parameters to the calibration targets and "
                       "print target, model value and relative error per target")
    p.add_argument("--write", action="store_true",
                   help="store the fitted values with the date and the fit in data/calibration.toml")
    p.add_argument("--maxiter", type=int, default=200, help="optimizer iterations (default 200)")
    p.set_defaults(func=_cmd_calibrate)

    p = sub.add_parser("sweep", help="run a scenario for N draws of the uncertain parameters "
                       "and write draws.csv, indicators.csv, bands.csv, meta.json")
    p.add_argument("scenario", help="a scenario file, or the name of one in scenarios/")
    p.add_argument("--draws", type=int, required=True, help="number of parameter draws")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    p.add_argument("--scheduler", default="auto",
                   help="where the draws run: a Dask scheduler address (e.g. "
                   "tcp://127.0.0.1:8786), 'processes' (worker processes on this machine), "
                   "'threads' (threads in this process) or 'auto' (default: processes where "
                   "the system can fork, else threads)")
    p.add_argument("--years", type=int, default=10, help="school years to simulate (default 10)")
    p.add_argument("--resolution", choices=("finality", "sector", "full"), default="finality",
                   help="market cells of the batch engine: finality (default: regions and "
                   "sectors merged, fastest), sector (regions merged) or full")
    p.add_argument("--out", required=True, help="folder to write the results into")
    p.add_argument("--force", action="store_true", help="overwrite results already in --out")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser("levers", help="print the lever registry as a table")
    p.add_argument("--lang", choices=("nl", "en"), default="nl")
    p.set_defaults(func=_cmd_levers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    from simlib.scenario import ScenarioError

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
    except Exception:  # an internal error: the traceback helps whoever fixes it
        traceback.print_exc()
        print("internal error: please report it with the command you ran", file=sys.stderr)
        return 1
