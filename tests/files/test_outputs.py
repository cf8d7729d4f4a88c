"""Result folders are complete or absent (``simlib.files.outputs``).

``run``, ``compare`` and ``sweep`` write their files into a temporary folder beside the
target, ``meta.json`` last (with the rows, bytes and SHA-256 of every other file), and rename
it into place; a folder without a valid ``meta.json`` is an incomplete result, and ``--out``
says so. Ctrl-C prints one line, exits 130 and leaves no partial folder. The public writers
(:meth:`simlib.Result.to_csv`, :func:`simlib.report.export.write_csv`) never overwrite without
``overwrite=True``.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import simlib
from simlib.cli import main
from simlib.files import outputs

ROOT = Path(__file__).resolve().parents[2]
RESULT_FILES = ("indicators.csv", "stocks.csv", "meta.json")


@pytest.fixture(scope="module")
def result():
    return simlib.run("baseline", years=1)


def _frames() -> dict:
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    return {"one.csv": outputs.table(df, index=False), "two.csv": outputs.table(df.head(2))}


def test_meta_json_comes_last_and_records_every_file(tmp_path):
    out = tmp_path / "res"
    paths = outputs.write_folder(out, _frames(), {"what": "test"})
    assert [p.name for p in paths] == ["one.csv", "two.csv", "meta.json"]
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["what"] == "test"
    assert meta["files"]["one.csv"]["rows"] == 3 and meta["files"]["two.csv"]["rows"] == 2
    for name in ("one.csv", "two.csv"):
        data = (out / name).read_bytes()
        assert meta["files"][name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert meta["files"][name]["bytes"] == len(data)
    assert outputs.incomplete(out, ("one.csv", "two.csv", "meta.json")) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"], "no temporary folder left"


@pytest.mark.parametrize("damage", ["truncate", "no-meta", "bad-json", "old-meta", "missing"])
def test_a_damaged_folder_is_incomplete(tmp_path, damage):
    out = tmp_path / "res"
    outputs.write_folder(out, _frames(), {})
    if damage == "truncate":
        data = (out / "one.csv").read_bytes()
        (out / "one.csv").write_bytes(data[:-3])
    elif damage == "no-meta":
        (out / "meta.json").unlink()
    elif damage == "bad-json":
        (out / "meta.json").write_text("{", encoding="utf-8")
    elif damage == "old-meta":
        (out / "meta.json").write_text('{"scenario": "baseline"}', encoding="utf-8")
    else:
        (out / "two.csv").unlink()
    reason = outputs.incomplete(out, ("one.csv", "two.csv", "meta.json"))
    assert reason, damage


def test_an_error_while_writing_leaves_nothing(tmp_path):
    out = tmp_path / "new" / "deeper" / "res"

    def broken(path: Path) -> int:
        path.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        outputs.write_folder(out, {**_frames(), "three.csv": broken}, {})
    assert list(tmp_path.iterdir()) == [], "no partial folder, no parents left behind"


def test_an_error_while_writing_into_an_existing_folder_keeps_it(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")

    def broken(path: Path) -> int:
        raise OSError("disk full")

    with pytest.raises(OSError):
        outputs.write_folder(out, {"one.csv": broken}, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_writing_beside_other_files_keeps_them(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    outputs.write_folder(out, _frames(), {})
    assert sorted(p.name for p in out.iterdir()) == ["meta.json", "notes.txt", "one.csv",
                                                     "two.csv"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_never_overwritten_without_the_flag(tmp_path):
    out = tmp_path / "res"
    outputs.write_folder(out, _frames(), {"n": 1})
    before = (out / "meta.json").read_bytes()
    with pytest.raises(FileExistsError, match="overwrite"):
        outputs.write_folder(out, _frames(), {"n": 2})
    assert (out / "meta.json").read_bytes() == before
    outputs.write_folder(out, _frames(), {"n": 2}, overwrite=True)
    assert json.loads((out / "meta.json").read_text(encoding="utf-8"))["n"] == 2


def test_result_to_csv_refuses_to_overwrite(result, tmp_path):
    paths = result.to_csv(tmp_path / "r")
    assert [p.name for p in paths] == list(RESULT_FILES)
    before = {p.name: p.read_bytes() for p in paths}
    with pytest.raises(FileExistsError):
        result.to_csv(tmp_path / "r")
    assert {p.name: p.read_bytes() for p in paths} == before
    result.to_csv(tmp_path / "r", overwrite=True)
    meta = json.loads((tmp_path / "r" / "meta.json").read_text(encoding="utf-8"))
    assert meta["scenario"] == "baseline" and set(meta["files"]) == {"indicators.csv",
                                                                       "stocks.csv"}


def test_the_csv_files_are_what_pandas_wrote(result, tmp_path):
    result.to_csv(tmp_path / "r")
    expected = result.indicators.to_csv(index=False, lineterminator="\n")
    assert (tmp_path / "r" / "indicators.csv").read_text(encoding="utf-8") == expected


def test_out_reports_an_incomplete_result(capsys, tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    (out / "indicators.csv").write_text("school_year,indicator\n2025-26,x\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["run", "baseline", "--years", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "incomplete" in err and "--force" in err and "Traceback" not in err
    assert main(["run", "baseline", "--years", "1", "--out", str(out), "--force"]) == 0
    assert outputs.incomplete(out, RESULT_FILES) is None


# --- Ctrl-C in a real process --------------------------------------------------------------


def _partials(parent: Path, name: str) -> list[Path]:
    return [p for p in parent.iterdir() if p.name.startswith(f".{name}.")]


def _interrupt_during_write(tmp_path: Path, files_before_signal: int) -> tuple[int, str, Path]:
    """Start ``python -m simlib run`` with a slow writer, send SIGINT once the temporary
    folder holds ``files_before_signal`` files; return (exit code, stderr, --out)."""
    out = tmp_path / "res"
    env = dict(os.environ, **{outputs.DELAY_ENV: "0.6"})
    proc = subprocess.Popen([sys.executable, "-m", "simlib", "run", "baseline", "--years", "1",
                             "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            partial = _partials(tmp_path, "res")
            if partial and len(list(partial[0].iterdir())) >= files_before_signal:
                proc.send_signal(signal.SIGINT)
                break
            time.sleep(0.02)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err, out


@pytest.mark.parametrize("files_before_signal", [1, 2])
def test_ctrl_c_while_writing_leaves_no_partial_folder(tmp_path, files_before_signal):
    code, err, out = _interrupt_during_write(tmp_path, files_before_signal)
    assert code == 130, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert not out.exists() or outputs.incomplete(out, RESULT_FILES) is None
    assert not out.exists(), "interrupted before meta.json: nothing at the final name"
    assert _partials(tmp_path, "res") == []


def test_a_write_that_is_not_interrupted_is_complete(tmp_path):
    out = tmp_path / "res"
    env = dict(os.environ, **{outputs.DELAY_ENV: "0.05"})
    done = subprocess.run([sys.executable, "-m", "simlib", "run", "baseline", "--years", "1",
                           "--out", str(out)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert outputs.incomplete(out, RESULT_FILES) is None
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    rows = len(pd.read_csv(out / "indicators.csv"))
    assert meta["files"]["indicators.csv"]["rows"] == rows


def test_ctrl_c_stops_a_process_sweep_within_seconds(tmp_path):
    """A sweep on local worker processes stops within a few seconds of Ctrl-C (the terminal
    sends SIGINT to the whole process group), exits 130 and leaves no workers behind."""
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "sweep"
    proc = subprocess.Popen([sys.executable, "-m", "simlib", "sweep", "baseline", "--draws",
                             "3000", "--years", "3", "--scheduler", "processes", "--out",
                             str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    seen = bytearray()
    started = threading.Event()

    def read() -> None:
        while chunk := proc.stderr.read1(256):
            seen.extend(chunk)
            if b"chunks 2/" in seen:
                started.set()
        started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert started.wait(180), "the sweep never reported a chunk"
        assert proc.poll() is None, bytes(seen)
        workers = psutil.Process(proc.pid).children(recursive=True)
        assert workers, "a process sweep has worker processes"
        t0 = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=60)
        elapsed = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    reader.join(5)
    assert code == 130, bytes(seen)[-2000:]
    assert elapsed < 5, f"stopped {elapsed:.1f} s after Ctrl-C"
    last = bytes(seen).decode().replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("interrupted"), bytes(seen)[-2000:]
    assert "Traceback" not in bytes(seen).decode()
    gone, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive, "worker processes left running"
    assert not out.exists() and _partials(tmp_path, "sweep") == []
