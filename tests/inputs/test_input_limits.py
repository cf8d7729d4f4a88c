"""Bad input that used to escape the validator: each is a user error naming the file and key.

The contract (README, "Scenarios from the command line"): a scenario file is read by one
reader of bytes, shared by ``python -m simlib validate`` and the upload
(:func:`simlib.ui.upload.read_upload`), so both give a file the same verdict and the same problem
text apart from the file name shown. The reader refuses, before any per-key work, a file
larger than :data:`~simlib.inputs.scenario.MAX_FILE_BYTES` (reading at most one byte more, and only
from a regular file), text that is not UTF-8, what TOML refuses (a lone carriage return
among them), nesting deeper than :data:`~simlib.inputs.scenario.MAX_DEPTH`, integers outside TOML's
64-bit range, more than :data:`~simlib.inputs.scenario.MAX_KEYS` keys and a chain of more than
:data:`~simlib.inputs.scenario.MAX_BASE_CHAIN` files. Every verdict is an exit code 0 or 2 and
lines ``<path>: <key>: <problem>; expected <allowed>``, never a traceback; at most
:data:`~simlib.inputs.scenario.MAX_PROBLEMS` problem lines, then one line counting the rest.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simlib import ScenarioError, load_scenario
from simlib import cli as simlib_cli
from simlib.ui import upload

S = importlib.import_module("simlib.inputs.scenario")  # the module (simlib.inputs.scenario is a function)
ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^(?P<path>.+?): (?P<key>\S+): (?P<problem>.+?); expected .+$")
WINDOW = "search_window_days"
COACHING = "coaching_visits_per_month"


def validate(capsys, *files) -> tuple[int, str, list[str]]:
    capsys.readouterr()
    code = simlib_cli.main(["validate", *map(str, files)])
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


def refused_lines(capsys, path: Path, key: str | None = None) -> list[str]:
    """``validate path`` refuses it (exit 2) with problem lines naming the file (and key)."""
    code, out, lines = validate(capsys, path)
    assert code == 2, (out, lines)
    assert "OK" not in out
    assert lines, "a refusal says why"
    for line in lines:
        m = LINE.match(line)
        assert m, line
        assert m["path"] == str(path), line
    assert "Traceback" not in "\n".join(lines)
    if key is not None:
        assert any(LINE.match(line)["key"] == key for line in lines), lines
    return lines


def upload_lines(data: bytes, name: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        upload.read_upload(data, f"{name}.toml")
    return str(info.value).splitlines()


def same_verdict(capsys, tmp_path: Path, data: bytes, name: str = "case") -> list[str] | None:
    """The verdict of ``validate`` and of the upload on the same bytes: None (accepted by
    both) or the problem lines with the file shown as ``NAME.toml`` (the same on both)."""
    folder = tmp_path / f"same-{name}"
    folder.mkdir()
    path = folder / f"{name}.toml"
    path.write_bytes(data)
    code, out, lines = validate(capsys, path)
    assert code in (0, 2), lines
    try:
        upload.read_upload(data, f"{name}.toml")
    except ScenarioError as exc:
        up = str(exc).splitlines()
    else:
        up = None
    if code == 0:
        assert up is None, up
        return None
    assert up is not None, lines
    assert [line.replace(str(path), f"{name}.toml") for line in lines] == up
    return up


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-" + "1" + "0" * 400, "1" + "0" * 19, "9223372036854775808",
                                   "0x" + "f" * 400])
def test_an_integer_beyond_64_bits_is_a_user_error(capsys, tmp_path, value):
    path = tmp_path / "big.toml"
    path.write_text(f"[levers]\n{COACHING} = {value}\n", encoding="utf-8")
    [line] = refused_lines(capsys, path, f"levers.{COACHING}")
    assert "64-bit" in line
    assert len(line) < 400, "the number is not printed whole"
    same_verdict(capsys, tmp_path, path.read_bytes())


def test_the_largest_64_bit_integer_is_read_and_checked_as_a_value(capsys, tmp_path):
    path = tmp_path / "edge.toml"
    path.write_text(f"[levers]\n{WINDOW} = 9223372036854775807\n", encoding="utf-8")
    [line] = refused_lines(capsys, path, f"levers.{WINDOW}")
    assert "out of range" in line  # the lever's range, not TOML's


def test_an_integer_of_more_than_4300_digits_is_a_user_error(capsys, tmp_path):
    path = tmp_path / "digits.toml"
    path.write_text(f"[levers]\n{WINDOW} = {'7' * 5000}\n", encoding="utf-8")
    [line] = refused_lines(capsys, path)
    assert "64-bit" in line and "line 2" in line
    same_verdict(capsys, tmp_path, path.read_bytes())


def test_a_long_float_is_a_float(tmp_path):
    path = tmp_path / "float.toml"
    path.write_text(f"[levers]\n{COACHING} = 1.{'0' * 5000}\n", encoding="utf-8")
    assert load_scenario(path).value(COACHING, "2030-01-01") == 1.0


def test_a_bad_local_time_is_malformed_toml(capsys, tmp_path):
    path = tmp_path / "time.toml"
    path.write_text(f"[levers]\n{WINDOW} = 25:00:00\n", encoding="utf-8")
    [line] = refused_lines(capsys, path, "toml")
    same_verdict(capsys, tmp_path, path.read_bytes())


# --- nesting, keys, chains -----------------------------------------------------------------


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a = ", "}")], ids=["arrays", "tables"])
def test_deep_nesting_is_refused_before_parsing(capsys, tmp_path, opener, closer):
    path = tmp_path / "deep.toml"
    path.write_text(f"[levers]\n{WINDOW} = {opener * 5000}1{closer * 5000}\n", encoding="utf-8")
    [line] = refused_lines(capsys, path, "toml")
    assert f"{S.MAX_DEPTH}" in line and "line 2" in line
    same_verdict(capsys, tmp_path, path.read_bytes())


def test_deep_dotted_tables_are_refused(capsys, tmp_path):
    path = tmp_path / "dotted.toml"
    path.write_text("[levers." + ".".join(["a"] * 3000) + "]\nx = 1\n", encoding="utf-8")
    [line] = refused_lines(capsys, path)
    assert f"{S.MAX_DEPTH}" in line
    same_verdict(capsys, tmp_path, path.read_bytes())


@pytest.mark.parametrize("template", ["{key} = 1\n", "[{key}]\nx = 1\n", "x = {{{key} = 1}}\n"],
                         ids=["pair", "header", "inline"])
def test_a_long_dotted_key_is_refused_before_parsing(capsys, tmp_path, template):
    """The parser's time and memory grow with the square of a dotted key's parts (100,000
    parts: gigabytes): a key of more than MAX_DEPTH parts is refused before it parses."""
    path = tmp_path / "dotted.toml"
    key = ".".join(["a", '"b"', "c"] * 2000)
    path.write_text(template.format(key=key), encoding="utf-8")
    start = time.monotonic()
    [line] = refused_lines(capsys, path, "toml")
    assert time.monotonic() - start < 1
    assert "dotted key" in line and f"{S.MAX_DEPTH}" in line
    same_verdict(capsys, tmp_path, path.read_bytes())


def test_a_dotted_key_within_the_limit_is_read(tmp_path):
    path = tmp_path / "dotted.toml"
    path.write_text('levers."search_window_days" = 30\n'
                    'label_nl = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g"\n',
                    encoding="utf-8")
    assert load_scenario(path).value(WINDOW, "2030-01-01") == 30


def test_brackets_in_strings_and_comments_are_not_nesting(tmp_path):
    deep = "[" * 100
    path = tmp_path / "strings.toml"
    path.write_text(f'label_nl = "{deep}"\nlabel_en = \'{deep}\'\n'
                    f'description_nl = """{deep}\n{deep}"""\n'
                    f"description_en = '''{deep}'''\n# {deep}\n[levers] # {deep}\n"
                    f"{WINDOW} = 30\n", encoding="utf-8")
    assert load_scenario(path).label_nl == deep


def test_too_many_keys_is_one_line_before_any_per_key_work(capsys, tmp_path, monkeypatch):
    calls = []
    real = S._check_lever_entry
    monkeypatch.setattr(S, "_check_lever_entry", lambda *a: calls.append(1) or real(*a))
    path = tmp_path / "keys.toml"
    path.write_text("[levers]\n" + "".join(f"k{i} = 1\n" for i in range(S.MAX_KEYS + 1)),
                    encoding="utf-8")
    [line] = refused_lines(capsys, path, "toml")
    assert f"{S.MAX_KEYS:,}" in line
    assert calls == []


def test_a_long_chain_of_bases_is_refused(capsys, tmp_path):
    n = S.MAX_BASE_CHAIN + 5
    for i in range(n):
        base = f'base = "c{i + 1}"\n' if i + 1 < n else ""
        (tmp_path / f"c{i}.toml").write_text(base + f"[levers]\n{WINDOW} = 30\n",
                                             encoding="utf-8")
    code, _, lines = validate(capsys, tmp_path / "c0.toml")
    assert code == 2
    assert len(lines) == 1 and LINE.match(lines[0]), lines
    assert LINE.match(lines[0])["key"] == "base"
    assert f"{S.MAX_BASE_CHAIN}" in lines[0]


def test_a_chain_within_the_limit_loads(tmp_path):
    n = S.MAX_BASE_CHAIN - 1  # and baseline at its end
    for i in range(n):
        base = f'base = "c{i + 1}"\n' if i + 1 < n else ""
        (tmp_path / f"c{i}.toml").write_text(base, encoding="utf-8")
    assert load_scenario(tmp_path / "c0.toml").name == "c0"


# --- line ends, BOM, names -----------------------------------------------------------------


def test_a_lone_carriage_return_is_refused_as_toml_does(capsys, tmp_path):
    data = f'label_nl = "x"\r[levers]\r{WINDOW} = 30\r'.encode()
    lines = same_verdict(capsys, tmp_path, data, "cr")
    assert lines and "toml" in lines[0].lower()


def test_crlf_line_ends_are_accepted(capsys, tmp_path):
    data = f'label_nl = "x"\r\n[levers]\r\n{WINDOW} = 30\r\n'.encode()
    assert same_verdict(capsys, tmp_path, data, "crlf") is None


def test_a_leading_bom_gets_the_same_verdict_on_both_paths(capsys, tmp_path):
    good = b"\xef\xbb\xbf" + f"[levers]\n{WINDOW} = 30\n".encode()
    assert same_verdict(capsys, tmp_path, good, "bom") is None
    twice = b"\xef\xbb\xbf" + good
    assert same_verdict(capsys, tmp_path, twice, "bom2")


@pytest.mark.parametrize("name", ["ok\n", "a\nb", "x" * 101, "a b", ""])
def test_an_invalid_name_is_refused(capsys, tmp_path, name):
    import json

    path = tmp_path / "named.toml"
    path.write_text(f"name = {json.dumps(name)}\n", encoding="utf-8")
    [line] = refused_lines(capsys, path, "name")
    same_verdict(capsys, tmp_path, path.read_bytes())


def test_a_base_name_with_a_newline_is_refused(capsys, tmp_path):
    path = tmp_path / "based.toml"
    path.write_text('base = "baseline\\n"\n', encoding="utf-8")
    refused_lines(capsys, path, "base")


def test_a_very_long_base_name_is_a_user_error(capsys, tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(f'base = "{"b" * 5000}"\n', encoding="utf-8")
    [line] = refused_lines(capsys, path, "base")
    assert len(line) < 1000


def test_a_very_long_scenario_name_argument_is_a_user_error(capsys):
    code, _, lines = validate(capsys, "x" * 5000)
    assert code == 2 and len(lines) == 1 and "Traceback" not in lines[0]


# --- files that are not scenario files -----------------------------------------------------


#: ``python -m simlib`` with at most 3 GB of address space, so a reader that reads /dev/zero
#: to its end fails the test instead of exhausting the machine (set in the child itself:
#: ``preexec_fn`` is not safe in a process with threads).
CAPPED = ["-c", "import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, "
          "(3 << 30, 3 << 30)); sys.argv[0] = 'simlib'; "
          "runpy.run_module('simlib', run_name='__main__', alter_sys=True)"]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_not_read(device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    done = subprocess.run([sys.executable, *CAPPED, "validate", device],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2, done.stderr[-2000:]
    [line] = done.stderr.splitlines()
    assert line.startswith(f"{device}: file: ") and "regular file" in line, line


def test_a_folder_is_refused(capsys, tmp_path):
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    [line] = refused_lines(capsys, folder, "file")


def test_a_fifo_is_refused_without_waiting(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    start = time.monotonic()
    done = subprocess.run([sys.executable, *CAPPED, "validate", str(fifo)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"{fifo}: file: ") and "regular file" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - start < 30


def test_a_huge_file_is_refused_unread(capsys, tmp_path, monkeypatch):
    path = tmp_path / "huge.toml"
    with open(path, "wb") as f:  # sparse: 10 GB that take no room
        f.truncate(10 * 1024**3)
    reads = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    [line] = refused_lines(capsys, path, "file")
    assert "too large" in line and f"{S.MAX_FILE_BYTES:,}" in line
    assert sum(reads) <= S.MAX_FILE_BYTES + 1


def test_a_file_just_over_the_limit_gets_the_same_verdict_on_both_paths(capsys, tmp_path):
    data = b"#" * (S.MAX_FILE_BYTES + 1)
    [line] = same_verdict(capsys, tmp_path, data, "over")
    assert "too large" in line
    assert same_verdict(capsys, tmp_path, b"#" * S.MAX_FILE_BYTES, "at") is None


def test_not_utf8_gets_the_same_verdict_on_both_paths(capsys, tmp_path):
    [line] = same_verdict(capsys, tmp_path, 'label_nl = "caf\xe9"\n'.encode("latin-1"), "l1")
    assert "UTF-8" in line


# --- several files: every file its own verdict ---------------------------------------------


def test_validate_answers_every_file_whatever_happens_to_another(capsys, tmp_path, monkeypatch):
    a = tmp_path / "a.toml"
    a.write_text(f"[levers]\n{WINDOW} = 30\n", encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(f"[levers]\n{WINDOW} = 31\n", encoding="utf-8")
    b = tmp_path / "b.toml"
    b.write_text(f"[levers]\n{WINDOW} = 32\n", encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(f"[levers]\n{WINDOW} = 3\n", encoding="utf-8")
    real = S._load

    def flaky(path, *args, **kwargs):
        if Path(path).name == "broken.toml":
            raise RuntimeError("boom")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(S, "_load", flaky)
    capsys.readouterr()
    code = simlib_cli.main(["validate", str(a), str(broken), str(b), str(bad)])
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"OK {a}", f"OK {b}"]
    assert any(line.startswith(f"{broken}: ") and "internal error" in line
               for line in err.splitlines()), err
    assert any(line.startswith(f"{bad}: levers.{WINDOW}: ") for line in err.splitlines()), err
    assert code == 1, "an internal error is reported as one (exit 1), after every verdict"


def test_validate_several_files_exit_codes(capsys, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(f"[levers]\n{WINDOW} = 30\n", encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(f"[levers]\n{WINDOW} = 3\n", encoding="utf-8")
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    assert validate(capsys, good, folder, good)[0] == 2
    assert validate(capsys, good, good)[0] == 0
    code, out, lines = validate(capsys, bad, folder, good)
    assert code == 2 and out.splitlines() == [f"OK {good}"]
    assert [line.split(": ")[0] for line in lines] == [str(bad), str(folder)]


# --- work per byte: bounded problems and suggestions ---------------------------------------


def test_many_unknown_keys_in_an_upload_are_answered_quickly_and_briefly():
    body = "".join(f"k{i:05d} = 1\n" for i in range(23_455))
    data = ("[levers]\n" + body).encode()[:S.MAX_FILE_BYTES]
    data = data[:data.rfind(b"\n") + 1]
    widget = upload.ScenarioUpload("en")
    start = time.monotonic()
    assert widget.load(data, "many.toml") is None
    assert time.monotonic() - start < 3
    assert len(widget.message.value) < 5_000
    assert f"{S.MAX_KEYS:,}" in widget.message.value


def test_problems_beyond_the_limit_are_counted_in_one_line(capsys, tmp_path):
    n = S.MAX_PROBLEMS + 480
    path = tmp_path / "typos.toml"
    path.write_text("[levers]\n" + "".join(f"search_window_dayz{i} = 30\n" for i in range(n)),
                    encoding="utf-8")
    start = time.monotonic()
    lines = refused_lines(capsys, path)
    assert time.monotonic() - start < 3
    assert len(lines) == S.MAX_PROBLEMS + 1
    assert "and 480 more problems" in lines[-1]
    assert lines[0].endswith(f"; did you mean {WINDOW}?")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert len(info.value.problems) == n, "the exception keeps every problem"
    widget = upload.ScenarioUpload("nl")
    widget.load(path.read_bytes(), "typos.toml")
    assert widget.message.value.count("<li>") == S.MAX_PROBLEMS + 1


def test_a_huge_unknown_key_gets_its_suggestion_quickly(capsys, tmp_path):
    path = tmp_path / "longkey.toml"
    path.write_text(f"[levers]\n{WINDOW}{'x' * 150_000} = 30\n", encoding="utf-8")
    start = time.monotonic()
    [line] = refused_lines(capsys, path)
    assert time.monotonic() - start < 3
    assert len(line) < 1_000


def test_limits_are_stated_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cli_section = readme.split("## Scenarios from the command line")[1].split("\n## ")[0]
    for value in (S.MAX_FILE_BYTES, S.MAX_DEPTH, S.MAX_KEYS, S.MAX_BASE_CHAIN,
                  S.MAX_PROBLEMS, S.MAX_NAME_LENGTH):
        assert f"{value:,}" in cli_section, value
    assert "64-bit" in cli_section and "BOM" in cli_section


ADVERSARIAL = {
    "one long word": "x" * 199_000,
    "long digits": "x = " + "1" * 150_000,
    "dotted chains just under the limit": ("a1." * (S.MAX_DEPTH - 1) + "b = 1\n") * 2_000,
    "brackets": "x = [" + "[], " * 49_000 + "]",
    "quotes": '"' * 199_000,
    "triple quotes": '"""' + '\\"' * 99_000,
    "literal quotes": "'''" + "''x" * 66_000,
    "backslashes": 'x = "' + "\\" * 199_000,
    "dots": "." * 199_000,
    "mixed": ("[a.'b'.\"c\"] # ]]]\n" + 'k = """[{"""' + "\n") * 5_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_a_file_at_the_size_limit_is_answered_in_about_linear_time(name):
    """The checks before parsing scan the text once (possessive patterns, look-behinds), and
    the parser only gets what they let through: any file within the size limit is answered
    within a second or so, whatever its shape."""
    data = ADVERSARIAL[name].encode()[:S.MAX_FILE_BYTES]
    start = time.monotonic()
    try:
        upload.read_upload(data, "adversarial.toml")
    except ScenarioError as exc:
        assert all(LINE.match(line) for line in str(exc).splitlines()), str(exc)
    assert time.monotonic() - start < 2, name
