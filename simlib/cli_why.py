"""The commands that say why a result moves and what to send: ``explain`` (a difference
split over levers or channels, :mod:`simlib.analysis.explain`), ``seek`` (which lever value
reaches a target, :mod:`simlib.analysis.seek`) and ``report`` (the policy-note bundle,
:mod:`simlib.report.bundle`); :func:`add_commands` registers them on
:func:`simlib.cli.build_parser`'s subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

from simlib.cli_common import UserError, check_out, choice, write_outputs
from simlib.files.version import model_label

__all__ = ["EXPLAIN_FILES", "add_commands"]

def _cmd_seek(args) -> int:
    """``seek`` (:mod:`simlib.analysis.seek`); a target out of reach is an answer: exit 0."""
    from simlib.analysis import seek as S
    from simlib.report.seek_text import seek_text

    try:
        q, out = S.question_of(args), check_out(args.out, args.force, S.SEEK_FILES)
    except S.SeekError as exc:
        raise UserError(str(exc)) from None
    a = S.seek(q, progress=S.progress_line)
    print(seek_text(a, args.lang))
    return write_outputs(out, lambda folder: S.write(folder, a, overwrite=args.force))


#: The files ``explain`` writes; ``--out`` holding any of them is refused without ``--force``.
EXPLAIN_FILES = ("contributions.csv", "meta.json")


def _cmd_explain(args) -> int:
    """``python -m simlib explain SCENARIO --indicator ID --school-year SY [--base B]
    [--group G] --out DIR [--force] [--lang nl|en]``: the difference of ``SCENARIO`` from
    ``B`` split over the levers it changes (:mod:`simlib.analysis.explain`), printed as a
    table and written as ``contributions.csv`` (columns lever, contribution, unit) with
    ``meta.json``. Every input is checked before a run."""
    from simlib.analysis import explain as E
    from simlib.files.outputs import table, write_folder
    from simlib.inputs.scenario import load_scenario
    from simlib.model.groups import group_masks
    from simlib.model.outcomes import INDICATORS
    from simlib.model.simulation import MAX_YEARS
    from simlib.model.structure import Timeline
    from simlib.report.contributions import explanation_text

    choice(args.indicator, [ind.id for ind in INDICATORS], "--indicator", "an indicator")
    choice(args.school_year, list(dict.fromkeys(Timeline(MAX_YEARS).school_year())),
            "--school-year", "a simulated school year")
    choice(args.group, ["all", *group_masks()[0]], "--group", "a group")
    if args.permutations < 2:
        raise UserError(f"--permutations: {args.permutations} out of range; expected at "
                        "least 2")
    out = check_out(args.out, args.force, EXPLAIN_FILES)
    variant, base = load_scenario(args.scenario), load_scenario(args.base)
    if not E.changed_levers(variant, base):
        raise UserError(f"{args.scenario}: {variant.name!r} and {base.name!r} set every "
                        "lever alike over the simulated years: nothing to split; expected "
                        "a scenario that changes a lever against --base")

    def progress(done: int, total: int) -> None:
        print(f"\rruns {done}/{total}", end="" if done < total else "\n", file=sys.stderr,
              flush=True)

    ex = E.contributions(variant, args.indicator, args.school_year, base=base,
                         group=args.group, by=args.by, permutations=args.permutations,
                         seed=args.seed, progress=progress)
    print(explanation_text(ex, args.lang))
    meta = {"scenario": ex.scenario, "base": ex.base, "indicator": ex.indicator,
            "group": ex.group, "school_year": ex.school_year, "unit": ex.unit,
            "base_value": ex.base_value, "value": ex.value, "difference": ex.difference,
            "method": ex.method, "runs": ex.runs, "permutations": ex.permutations,
            "seed": ex.seed, "by": ex.by,
            "std_error": dict(zip(ex.table[ex.by], ex.table.std_error, strict=True)),
            "model": model_label(),
            "contribution": "Shapley value: the lever's marginal effect averaged over the "
                            "orders in which the changed levers can be switched on; the "
                            "contributions add up to the difference (value - base_value)"}

    def write(folder: Path) -> list[Path]:
        columns = [ex.by, *E.COLUMNS[1:]]  # lever (or channel), contribution, unit
        files = {"contributions.csv": table(ex.table[columns], index=False,
                                            lineterminator="\n", encoding="utf-8")}
        return write_folder(folder, files, meta, overwrite=args.force)

    return write_outputs(out, write)


def _cmd_report(args) -> int:
    """``python -m simlib report SCENARIO [--base B] [--school-year SY] [--lang nl|en] --out
    DIR [--force]``: the policy-note bundle (:data:`simlib.report.bundle.FILES`), written
    complete or not at all; every input is checked before a run (a bad scenario or school
    year exits 2 with the nearest name)."""
    from simlib.report import bundle as B

    out = check_out(args.out, args.force, B.FILES)
    note = B.build(args.scenario, args.base, args.school_year, args.lang, progress=True)
    return write_outputs(out, lambda folder: B.write(folder, note, overwrite=args.force))


def add_commands(sub) -> None:
    """Register ``seek``, ``explain`` and ``report`` on ``sub`` (the subcommands of the
    CLI's parser)."""
    from simlib.analysis.seek import HELP, arguments

    arguments(sub.add_parser("seek", help=HELP)).set_defaults(func=_cmd_seek)

    p = sub.add_parser("explain", help="split a scenario's difference from its base over "
                       "the levers it changes (Shapley values) and write contributions.csv")
    p.add_argument("scenario", help="a scenario file, or the name of one in scenarios/")
    p.add_argument("--indicator", required=True, help="an indicator id, e.g. "
                   "dual_contract_learners")
    p.add_argument("--school-year", required=True, help="e.g. 2030-31")
    p.add_argument("--base", default="baseline", help="the scenario compared with "
                   "(default baseline)")
    p.add_argument("--group", default="all", help="all (default) or axis=label, e.g. "
                   "finality=arbeidsmarkt")
    p.add_argument("--by", choices=("lever", "channel"), default="lever",
                   help="split over the changed levers (default) or over the model's channels "
                   "(take-up, places, search and placement, terminations, guaranteed places, "
                   "Groeifase, qualification, costs)")
    p.add_argument("--permutations", type=int, default=48, help="random orders of the "
                   "levers when there are more than 10 (sampled Shapley values; default 48)")
    p.add_argument("--seed", type=int, default=0, help="seed of those orders (default 0)")
    p.add_argument("--lang", choices=("nl", "en"), default="nl")
    p.add_argument("--out", required=True, help="folder to write contributions.csv into")
    p.add_argument("--force", action="store_true", help="overwrite results already in --out")
    p.set_defaults(func=_cmd_explain)

    p = sub.add_parser("report", help="write a policy note: report.html, report.pdf, "
                       "tabellen.xlsx, scenario.toml, meta.json")
    p.add_argument("scenario", help="a scenario file, or the name of one in scenarios/")
    p.add_argument("--base", default="baseline", help="the scenario compared with "
                   "(default baseline)")
    p.add_argument("--school-year", default="2030-31", help="of the tables and the splits "
                   "(default 2030-31)")
    p.add_argument("--lang", choices=("nl", "en"), default="nl")
    p.add_argument("--out", required=True, help="folder to write the bundle into")
    p.add_argument("--force", action="store_true", help="overwrite a bundle already in --out")
    p.set_defaults(func=_cmd_report)
