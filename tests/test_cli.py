"""Black-box tests of the command line: ``python -m simlib run|validate|levers``.

Most tests call :func:`simlib.cli.main` in-process (it returns the exit code); one test runs
the real entry point in a subprocess. The contract: exit 0 on success, 2 on any user error
(bad scenario, bad flag, ``--out`` refused) with a message and no traceback, 1 on an internal
error; ``validate`` prints ``OK <path>`` per valid file on stdout and one
``<path>: <key>: <problem>; expected <allowed>[; did you mean <lever>?]`` line per problem on
stderr; ``run`` writes indicators.csv, stocks.csv and meta.json and refuses to overwrite them
without ``--force``.
"""

from __future__ import annotations

import csv
import json
import platform
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import simlib
import simlib.model.simulation
from simlib.cli import main
from simlib.model.structure import STATES

ROOT = Path(__file__).resolve().parent.parent
BASELINE_FILE = ROOT / "scenarios" / "baseline.toml"
RESULT_FILES = ("indicators.csv", "stocks.csv", "meta.json")

LEVERS = simlib.levers()
WINDOW = "search_window_days"  # int 10..60
COACHING = "coaching_visits_per_month"  # float 0..4
BOOL = next(lv for lv in LEVERS if lv.kind == "bool")

PROBLEM_LINE = re.compile(r"^(?P<path>.+?): (?P<key>\S+): (?P<problem>.+?); expected .+$")


def write(folder: Path, filename: str, text: str) -> Path:
    path = folder / filename
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``main(argv)``; return (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def good(tmp_path) -> Path:
    return write(tmp_path, "good.toml", f"""
        label_nl = "Langere zoekperiode"
        label_en = "Longer search window"
        [levers]
        {WINDOW} = 30
        [levers.{COACHING}]
        "2027-09-01" = 2.0
        """)


@pytest.fixture
def bad(tmp_path) -> Path:
    """A scenario file with exactly three problems."""
    return write(tmp_path, "bad.toml", f"""
        [levers]
        search_windw_days = 30
        {WINDOW} = 5
        {BOOL.id} = 1
        """)


# --- validate ------------------------------------------------------------------------------


def test_validate_good_files(capsys, good):
    code, out, err = cli(capsys, "validate", good, BASELINE_FILE, "baseline")
    assert code == 0
    assert out.splitlines() == [f"OK {good}", f"OK {BASELINE_FILE}", "OK baseline"]
    assert err == ""


def test_validate_bad_file_prints_one_line_per_problem(capsys, bad):
    code, out, err = cli(capsys, "validate", bad)
    assert code == 2
    assert "OK" not in out
    lines = err.splitlines()
    assert len(lines) == 3, err
    for line in lines:
        match = PROBLEM_LINE.match(line)
        assert match, line
        assert match["path"] == str(bad)
    assert [PROBLEM_LINE.match(line)["key"] for line in lines] == [
        "levers.search_windw_days", f"levers.{WINDOW}", f"levers.{BOOL.id}"]
    assert lines[0].endswith(f"; did you mean {WINDOW}?")
    assert "Traceback" not in err


def test_validate_mixed_good_and_bad(capsys, good, bad):
    code, out, err = cli(capsys, "validate", good, bad)
    assert code == 2
    assert out.splitlines() == [f"OK {good}"]
    assert len(err.splitlines()) == 3
    assert all(line.startswith(f"{bad}: ") for line in err.splitlines())


def test_validate_reports_every_bad_file(capsys, tmp_path, bad):
    other = write(tmp_path, "other.toml", 'base = "baselin"\n')
    malformed = write(tmp_path, "malformed.toml", "[levers\n")
    code, out, err = cli(capsys, "validate", bad, other, malformed)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 5, err
    assert all(PROBLEM_LINE.match(line) for line in lines), err
    assert lines[3].startswith(f"{other}: base: ")
    assert lines[3].endswith("; did you mean baseline?")
    assert lines[4].startswith(f"{malformed}: ")


def test_validate_missing_file(capsys, tmp_path):
    missing = tmp_path / "missing.toml"
    code, out, err = cli(capsys, "validate", missing)
    assert code == 2
    assert out == ""
    assert err.startswith(f"{missing}: ")
    assert "Traceback" not in err


def test_validate_needs_a_file(capsys):
    code, _, err = cli(capsys, "validate")
    assert code == 2
    assert "Traceback" not in err


# --- run -----------------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in RESULT_FILES}


def test_run_round_trip(capsys, tmp_path, good):
    out_dir = tmp_path / "out"
    code, _, err = cli(capsys, "run", good, "--out", out_dir, "--years", "2")
    assert code == 0, err
    for name in RESULT_FILES:
        assert (out_dir / name).is_file(), name

    with (out_dir / "indicators.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["school_year", "indicator", "group", "value", "unit"]
    assert len(rows) > 1
    assert len({row[0] for row in rows[1:]}) == 2  # two school years
    for row in rows[1:]:
        float(row[3])

    with (out_dir / "stocks.csv").open(newline="", encoding="utf-8") as f:
        stocks = list(csv.reader(f))
    assert stocks[0] == ["month", *STATES]
    assert len(stocks) - 1 == 24  # two school years of months
    assert all(re.fullmatch(r"\d{4}-\d{2}-01", row[0]) for row in stocks[1:])

    meta = json.loads((out_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["scenario"] == "good"
    assert set(meta["levers"]) == {lv.id for lv in LEVERS}
    assert list(meta["levers"][WINDOW].values()) == [30]
    assert meta["levers"][COACHING]["2027-09-01"] == 2.0
    assert meta["simlib_version"] == simlib.__version__
    assert re.fullmatch(r"[0-9a-f]{64}", meta["data_sha256"])
    assert meta["python"] == platform.python_version()
    assert meta["numpy"] == np.__version__


def test_run_refuses_existing_results_unless_forced(capsys, tmp_path):
    out_dir = tmp_path / "out"
    code, _, err = cli(capsys, "run", "baseline", "--out", out_dir, "--years", "1")
    assert code == 0, err
    before = _snapshot(out_dir)

    code, _, err = cli(capsys, "run", "baseline", "--out", out_dir, "--years", "2")
    assert code == 2
    assert "--force" in err
    assert "Traceback" not in err
    assert _snapshot(out_dir) == before

    code, _, err = cli(capsys, "run", "baseline", "--out", out_dir, "--years", "2", "--force")
    assert code == 0, err
    meta = json.loads((out_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["years"] == 2
    assert meta["data_sha256"] == json.loads(before["meta.json"])["data_sha256"]


def test_run_refuses_a_folder_holding_one_result_file(capsys, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "stocks.csv").write_text("keep me\n", encoding="utf-8")
    code, _, err = cli(capsys, "run", "baseline", "--out", out_dir, "--years", "1")
    assert code == 2
    assert "--force" in err
    assert (out_dir / "stocks.csv").read_text(encoding="utf-8") == "keep me\n"
    assert not (out_dir / "meta.json").exists()


def test_run_into_existing_empty_folder(capsys, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _, err = cli(capsys, "run", "baseline", "--out", out_dir, "--years", "1")
    assert code == 0, err
    assert all((out_dir / name).is_file() for name in RESULT_FILES)


# --- user errors: exit 2, no traceback -----------------------------------------------------


USER_ERRORS = [
    "unknown-scenario-name", "bad-scenario-file", "missing-scenario-file", "years-0",
    "years-negative", "years-too-many", "years-x", "missing-out", "missing-scenario",
    "unknown-subcommand", "no-subcommand", "unknown-flag", "out-is-a-file",
    "out-is-a-file-forced", "levers-lang-fr",
]


def _user_error_cases(tmp_path: Path) -> dict[str, list[str]]:
    out = str(tmp_path / "out")
    bad = write(tmp_path, "bad_scenario.toml", f"[levers]\n{WINDOW} = 5\n")
    a_file = write(tmp_path, "a_file.txt", "not a folder\n")
    return {
        "unknown-scenario-name": ["run", "no_such_scenario", "--out", out, "--years", "1"],
        "bad-scenario-file": ["run", str(bad), "--out", out, "--years", "1"],
        "missing-scenario-file": ["run", str(tmp_path / "nope.toml"), "--out", out],
        "years-0": ["run", "baseline", "--out", out, "--years", "0"],
        "years-negative": ["run", "baseline", "--out", out, "--years", "-1"],
        "years-too-many": ["run", "baseline", "--out", out, "--years", "1000"],
        "years-x": ["run", "baseline", "--out", out, "--years", "x"],
        "missing-out": ["run", "baseline", "--years", "1"],
        "missing-scenario": ["run", "--out", out],
        "unknown-subcommand": ["frobnicate"],
        "no-subcommand": [],
        "unknown-flag": ["levers", "--colour"],
        "out-is-a-file": ["run", "baseline", "--out", str(a_file), "--years", "1"],
        "out-is-a-file-forced": ["run", "baseline", "--out", str(a_file), "--years", "1",
                                 "--force"],
        "levers-lang-fr": ["levers", "--lang", "fr"],
    }


def test_user_error_cases_are_all_listed(tmp_path):
    assert list(_user_error_cases(tmp_path)) == USER_ERRORS


@pytest.mark.parametrize("case", USER_ERRORS)
def test_user_error_exits_2_without_traceback(capsys, tmp_path, case):
    argv = _user_error_cases(tmp_path)[case]
    code, _, err = cli(capsys, *argv)
    assert code == 2, err
    assert err.strip(), "a user error must say what is wrong"
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists(), "nothing is written for a user error"


def test_bad_scenario_in_run_prints_problem_lines(capsys, tmp_path):
    bad = write(tmp_path, "bad.toml", f"[levers]\n{WINDOW} = 5\nsearch_windw_days = 1\n")
    code, _, err = cli(capsys, "run", bad, "--out", tmp_path / "out", "--years", "1")
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert all(PROBLEM_LINE.match(line) for line in lines), err


def test_unknown_scenario_name_suggests_the_nearest(capsys, tmp_path):
    code, _, err = cli(capsys, "run", "baselien", "--out", tmp_path / "out", "--years", "1")
    assert code == 2
    assert "did you mean baseline?" in err


def test_out_below_a_file_is_a_user_error(capsys, tmp_path):
    a_file = write(tmp_path, "a_file.txt", "not a folder\n")
    code, _, err = cli(capsys, "run", "baseline", "--out", a_file / "sub", "--years", "1")
    assert code == 2
    assert "Traceback" not in err


# --- internal errors: exit 1 ---------------------------------------------------------------


def test_internal_error_exits_1(capsys, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(simlib.model.simulation, "run", boom)
    monkeypatch.setattr(simlib, "run", boom)
    code, _, err = cli(capsys, "run", "baseline", "--out", tmp_path / "out", "--years", "1")
    assert code == 1
    assert "internal error" in err
    assert not any((tmp_path / "out" / name).exists() for name in RESULT_FILES)


# --- levers --------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, lang", [(["levers"], "nl"), (["levers", "--lang", "nl"], "nl"),
                                        (["levers", "--lang", "en"], "en")])
def test_levers_table(capsys, argv, lang):
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    lines = out.rstrip("\n").splitlines()
    rows = {lv.id: [line for line in lines if line.split(" ")[0] == lv.id] for lv in LEVERS}
    assert all(len(found) == 1 for found in rows.values()), rows
    others = [line for line in lines if line.split(" ")[0] not in rows]
    assert lines[0] in others, "the first line is a header"
    # a header, a rule under it, and after a blank line how to write values in a file
    assert len(others) == 4 and others[2] == "" and "TOML" in others[3], others
    assert len(lines) == len(LEVERS) + 4
    for lv in LEVERS:
        assert lv.label(lang) in rows[lv.id][0], (lv.id, lang)
    allowance = rows["allowance_tier_1_eur_per_month"][0]  # the number rule of the language
    assert ("612,50" if lang == "nl" else "612.50") in allowance


def test_levers_nl_and_en_labels(capsys):
    _, nl, _ = cli(capsys, "levers")
    _, en, _ = cli(capsys, "levers", "--lang", "en")
    distinct = [lv for lv in LEVERS if lv.label_en not in nl and lv.label_nl not in en]
    assert distinct, "some lever's labels must tell the languages apart"
    for lv in distinct:
        assert lv.label_nl in nl and lv.label_en in en


# --- --version and the real entry point ----------------------------------------------------


def test_version(capsys):
    code, out, err = cli(capsys, "--version")
    assert code == 0
    assert simlib.__version__ in out + err
    assert "Traceback" not in err


def test_entry_point_exit_codes(tmp_path):
    bad = write(tmp_path, "bad.toml", f"[levers]\n{WINDOW} = 5\n")

    def run(*argv):
        return subprocess.run([sys.executable, "-m", "simlib", *map(str, argv)],
                              capture_output=True, text=True, cwd=tmp_path, timeout=60)

    ok = run("validate", BASELINE_FILE)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"OK {BASELINE_FILE}"

    refused = run("validate", bad)
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"{bad}: levers.{WINDOW}: ")


# --- --out, --scheduler, memory: user errors before anything runs --------------------------


@pytest.mark.parametrize("command", [["run", "baseline"], ["compare", "baseline", "baseline"],
                                     ["sweep", "baseline", "--draws", "1"]])
@pytest.mark.parametrize("out", ["", " "])
def test_an_empty_out_is_a_user_error(capsys, tmp_path, monkeypatch, command, out):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, *command, "--out", out, "--years", "1")
    assert code == 2, err
    assert "--out" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "nothing is written into the current folder"


@pytest.mark.parametrize("value, nearest", [("bogus", None), ("thread", "threads"),
                                            ("proccesses", "processes"), ("tcp:/host", None),
                                            ("http://127.0.0.1:8786", None), ("tcp://", None)])
def test_an_unknown_scheduler_is_a_user_error_naming_the_allowed_values(capsys, tmp_path, value,
                                                                        nearest):
    out = tmp_path / "out"
    code, _, err = cli(capsys, "sweep", "baseline", "--draws", "1", "--scheduler", value,
                       "--out", out)
    assert code == 2, err
    [line] = err.splitlines()
    assert line.startswith("--scheduler: ") and "Traceback" not in err
    for allowed in ("auto", "threads", "processes", "tcp://"):
        assert allowed in line, line
    if nearest:
        assert line.endswith(f"did you mean {nearest}?"), line
    assert not out.exists()


def test_an_unreachable_dask_scheduler_is_a_user_error_within_seconds(tmp_path):
    import socket
    import time

    with socket.socket() as s:  # a free local port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    out = tmp_path / "out"
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "simlib", "sweep", "baseline", "--draws", "1",
                           "--years", "1", "--scheduler", address, "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    elapsed = time.monotonic() - start
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"{address}: --scheduler: "), lines
    assert "Traceback" not in done.stderr
    assert elapsed < 10 + 5, f"{elapsed:.1f} s (interpreter start included)"
    assert not out.exists()


def test_a_sweep_beyond_the_memory_of_this_machine_is_refused_before_it_starts(capsys, tmp_path):
    import time

    out = tmp_path / "out"
    start = time.monotonic()
    code, _, err = cli(capsys, "sweep", "baseline", "--draws", "1000000000", "--out", out)
    assert code == 2, err
    [line] = err.splitlines()
    assert line.startswith("--draws: 1,000,000,000 draws"), line
    assert "MB" in line and "available" in line and "Traceback" not in err
    assert time.monotonic() - start < 5
    assert not out.exists()


def test_the_memory_check_uses_what_is_available(capsys, tmp_path, monkeypatch):
    import simlib.cli as C

    monkeypatch.setattr(C, "available_memory_mb", lambda: 1_000.0)
    need = C.sweep_memory_mb(10_000, 10)
    assert need > 1_000
    code, _, err = cli(capsys, "sweep", "baseline", "--draws", "10000", "--out", tmp_path / "o")
    assert code == 2 and f"{need:,.0f} MB" in err and "1,000 MB available" in err, err
    assert C.sweep_memory_mb(1, 1) < C.sweep_memory_mb(2, 1) < C.sweep_memory_mb(2, 2)
    assert C.available_memory_mb() is None or C.available_memory_mb() > 0
