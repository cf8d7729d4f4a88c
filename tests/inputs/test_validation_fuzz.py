"""Fuzz the scenario validator with a fixed seed: every file gets a verdict, never a traceback.

More than 5,000 files are generated from the real files of ``scenarios/``: mutations whose
verdict the generator knows (valid: in-range values, CRLF line ends, a leading BOM, comments,
levers added or dropped, a padding to exactly the size limit; invalid: unknown levers and
keys, values out of range or of the wrong type, integers beyond 64 bits or of thousands of
digits, bad dates, names with a newline, lone carriage returns, NUL bytes, bytes that are not
UTF-8, nesting thousands deep, dotted keys of thousands of parts, too many keys, files over the size limit, duplicate keys) and
random byte edits whose verdict nobody knows. Each file goes through

- :func:`simlib.load_scenario` (the file on disk),
- :func:`simlib.ui.upload.read_upload` (its bytes, as the dashboard gets them), and
- ``simlib.cli.main(["validate", ...])`` in batches of one to eight files,

and the test asserts: no exception but :class:`~simlib.ScenarioError` and no exit code but 0
and 2; no file known to be invalid accepted (nor one known to be valid refused); every
problem line in the ``<path>: <key>: <problem>; expected <allowed>`` form, naming the file,
at most :data:`~simlib.inputs.scenario.MAX_PROBLEMS` + 1 of them; the same verdict and the same
lines (the file name aside) from the file and from the upload; and the CLI's output for a
batch equal to the verdicts of its files, file by file. Chains of bases (long, cyclic) and
devices and FIFOs run through the validator of files only. Parse only: the model never runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import io
import os
import random
import re
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

import simlib
from simlib import ScenarioError, load_scenario
from simlib import cli as simlib_cli
from simlib.ui import upload

S = importlib.import_module("simlib.inputs.scenario")
ROOT = Path(__file__).resolve().parents[2]
SEED = 20260107
N_FILES = 5_200
LINE = re.compile(r"^(?P<path>.+?): (?P<key>\S+): (?P<problem>.+?); expected .+$")
LEVERS = {lv.id: lv for lv in simlib.levers()}
REAL = {p.stem: (p.read_bytes(), tomllib.loads(p.read_text(encoding="utf-8")))
        for p in sorted((ROOT / "scenarios").glob("*.toml"))}
TOP = ("label_nl", "label_en", "description_nl", "description_en")
#: Bytes a random edit puts in: TOML's syntax, line ends, control bytes, bits of UTF-8.
SPICE = [b'"', b"'", b"[", b"]", b"{", b"}", b"=", b"#", b"\\", b"\n", b"\r", b"\r\n", b"\t",
         b" ", b".", b",", b"0", b"9", b"-", b"+", b"e", b"_", b"\x00", b"\x7f", b"\x1b",
         b"\xc3\xa9", b"\xe2\x80\xa8", b"\xef\xbb\xbf", b"\xff", b"\xc3", b"nan", b"inf",
         b"true", b"1979-05-27", b"07:32:00", b'"""', b"'''", b"[[", b"]]", b"9" * 30]


@dataclass
class Case:
    stem: str
    data: bytes
    expect: str  # "valid", "invalid" or "unknown"
    kind: str


# --- the generator -------------------------------------------------------------------------


def in_range(lv, rng: random.Random):
    if lv.kind == "bool":
        return rng.random() < 0.5
    if lv.kind == "choice":
        return rng.choice(lv.choices)
    if lv.kind == "int":
        return rng.randint(int(lv.min), int(lv.max))
    return min(max(lv.min + (lv.max - lv.min) * rng.random(), lv.min), lv.max)


def out_of_range(lv, rng: random.Random):
    span = (lv.max - lv.min) or 1
    step = rng.choice([1, span, 10 ** rng.randint(2, 17)])
    value = lv.max + step if rng.random() < 0.5 else lv.min - step
    if lv.kind == "int":
        return int(value)
    return rng.choice([float(value), float("inf"), float("-inf"), float("nan"), 1e308])


def wrong_type(lv, rng: random.Random):
    options = {"bool": [1, 0, "true", 1.0, [True], dt.date(2027, 9, 1)],
               "choice": [1, True, 2.5, ["x"], "no_such_choice_" + str(rng.randint(0, 99))],
               "int": ["30", 30.5, 30.0, True, [30], dt.date(2027, 9, 1), dt.time(7, 30)],
               "float": ["1.5", True, [1.5], dt.datetime(2027, 9, 1, 8, 0)]}[lv.kind]
    return rng.choice(options)


def typo(word: str, rng: random.Random, taken) -> str:
    while True:
        i = rng.randrange(len(word))
        op = rng.randrange(3)
        new = (word[:i] + word[i + 1:] if op == 0 else
               word[:i] + rng.choice("abcxyz_0") + word[i:] if op == 1 else
               word[:i] + word[i + 1:i + 2] + word[i:i + 1] + word[i + 2:])
        if new and new not in taken and re.fullmatch(r"[A-Za-z0-9_-]+", new):
            return new


def dump(doc: dict) -> bytes:
    return tomli_w.dumps(doc).encode("utf-8")


def placeholder(doc: dict, rng: random.Random) -> tuple[dict, str]:
    """``doc`` with one lever value replaced by a unique integer (to be swapped for text)."""
    doc = dict(doc)
    doc["levers"] = dict(doc.get("levers", {}))
    mark = str(rng.randint(10**14, 10**15 - 1))
    doc["levers"][rng.choice(list(LEVERS))] = int(mark)
    return doc, mark


def lines_of(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def mutate(source: str, rng: random.Random) -> tuple[bytes, str, str]:
    """One mutant of the real file ``source``: (bytes, expectation, kind)."""
    raw, doc = REAL[source]
    doc = {k: (dict(v) if isinstance(v, dict) else v) for k, v in doc.items()}
    levers = doc.setdefault("levers", {})
    kind = rng.choices(KINDS, WEIGHTS)[0]
    lever_id = rng.choice(list(LEVERS))
    lv = LEVERS[lever_id]
    date = f"{rng.randint(2026, 2034)}-{rng.randint(1, 12):02d}-01"
    if kind == "identity":
        return raw, "valid", kind
    if kind == "in_range":
        levers[lever_id] = in_range(lv, rng) if rng.random() < 0.5 else {date: in_range(lv, rng)}
        return dump(doc), "valid", kind
    if kind == "in_range_all":
        for lid, one in LEVERS.items():
            levers[lid] = in_range(one, rng)
        return dump(doc), "valid", kind
    if kind == "drop_lever" and levers:
        del levers[rng.choice(list(levers))]
        return dump(doc), "valid", kind
    if kind == "labels":
        key = rng.choice(TOP)
        doc[key] = "".join(rng.choice(["a", "é", "\u2028", "\U0001F600", "\x01", "\\", '"',
                                       "\n", "'''", "[", "#", "\u202e", "\ufeff"])
                           for _ in range(rng.randint(0, 40)))
        return dump(doc), "valid", kind
    if kind == "name_ok":
        doc["name"] = rng.choice("abcXYZ019") + "".join(
            rng.choice("abc_-.09") for _ in range(rng.randint(0, 60)))
        return dump(doc), "valid", kind
    if kind == "base_real":
        doc["base"] = rng.choice([n for n in REAL if n != source] or ["baseline"])
        return dump(doc), "valid", kind
    if kind == "crlf":
        return raw.replace(b"\n", b"\r\n"), "valid", kind
    if kind == "bom":
        return b"\xef\xbb\xbf" + raw, "valid", kind
    if kind == "comments":
        parts = lines_of(raw)
        for _ in range(rng.randint(1, 5)):
            parts.insert(rng.randint(0, len(parts) - 1), rng.choice(
                [b"", b"# a comment [[{", b"   ", b"\t# x = 1", "# één".encode()]))
        return b"\n".join(parts), "valid", kind
    if kind == "pad_to_limit":
        pad = S.MAX_FILE_BYTES - len(raw) - 3
        return raw + b"\n# " + b"x" * pad, "valid", kind
    # --- known invalid ---
    if kind == "unknown_lever":
        levers[typo(lever_id, rng, LEVERS)] = in_range(lv, rng)
        return dump(doc), "invalid", kind
    if kind == "unknown_top":
        doc[typo(rng.choice(S.TOP_KEYS), rng, S.TOP_KEYS)] = "x"
        return dump(doc), "invalid", kind
    if kind == "out_of_range" and lv.kind in ("int", "float"):
        value = out_of_range(lv, rng)
        levers[lever_id] = value if rng.random() < 0.5 else {date: value}
        return dump(doc), "invalid", kind
    if kind == "wrong_type":
        value = wrong_type(lv, rng)
        levers[lever_id] = value if rng.random() < 0.7 else {date: value}
        return dump(doc), "invalid", kind
    if kind == "beyond_64_bits":
        value = rng.choice([2**63, -(2**63) - 1, -(10**400), 10 ** rng.randint(19, 4000)])
        levers[lever_id] = value if rng.random() < 0.7 else {date: value}
        return dump(doc), "invalid", kind
    if kind == "many_digits":
        doc, mark = placeholder(doc, rng)
        digits = rng.choice("123456789") + "".join(rng.choice("0123456789")
                                                   for _ in range(rng.randint(4300, 6000)))
        return dump(doc).replace(mark.encode(), (rng.choice(["", "-", "+"]) + digits).encode()
                                 ), "invalid", kind
    if kind == "bad_date":
        bad = rng.choice([f"{date[:8]}15", f"{date[:5]}13-01", "september", "2027-09",
                          "2027-02-30", "0000-01-01", "2027-9-01", "2027-09-01T00:00"])
        levers[lever_id] = {bad: in_range(lv, rng)}
        return dump(doc), "invalid", kind
    if kind == "empty_dated":
        levers[lever_id] = {}
        return dump(doc), "invalid", kind
    if kind == "bad_name":
        doc["name"] = rng.choice(["ok\n", "a\nb", "a b", "", ".hidden", "a/b", "x" * 101,
                                  "é", "-lead", "tab\t", "x\u2028y"])
        return dump(doc), "invalid", kind
    if kind == "bad_base":
        doc["base"] = rng.choice(["baselin", "baseline\n", "../scenarios/baseline", "/etc/passwd",
                                  "a b", "b" * 5000, "", "no_such_scenario"])
        return dump(doc), "invalid", kind
    if kind == "levers_not_table":
        text = dump({k: v for k, v in doc.items() if k != "levers"})
        return text + rng.choice([b"levers = 3\n", b"[[levers]]\nx = 1\n", b'levers = "x"\n',
                                  b"levers = [1, 2]\n"]), "invalid", kind
    if kind == "top_wrong_type":
        doc[rng.choice(TOP + ("name", "base"))] = rng.choice([3, True, 1.5, [1], {"a": 1}])
        return dump(doc), "invalid", kind
    if kind == "lone_cr":
        if rng.random() < 0.5:
            return raw.replace(b"\n", b"\r"), "invalid", kind
        # a line end not followed by another (there a CR would make a CRLF, which is fine)
        positions = [i for i, c in enumerate(raw) if c == 10 and raw[i + 1:i + 2] != b"\n"]
        i = rng.choice(positions)
        return raw[:i] + b"\r" + raw[i + 1:], "invalid", kind
    if kind == "nul":
        i = rng.randint(0, len(raw))
        return raw[:i] + b"\x00" + raw[i:], "invalid", kind
    if kind == "not_utf8":
        i = rng.randint(0, len(raw))
        return raw[:i] + rng.choice([b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88"]
                                    ) + raw[i:], "invalid", kind
    if kind == "bom_line_start":
        starts = [0] + [i + 1 for i, c in enumerate(raw) if c == 10 and i + 1 < len(raw)]
        i = rng.choice(starts[1:] or [0])
        extra = b"\xef\xbb\xbf" * (2 if i == 0 else 1)
        return raw[:i] + extra + raw[i:], "invalid", kind
    if kind == "dup_key":
        parts = lines_of(raw)
        pairs = [k for k, line in enumerate(parts) if b" = " in line and not line.startswith(b"#")]
        if pairs:
            k = rng.choice(pairs)
            parts.insert(k + 1, parts[k])
            return b"\n".join(parts), "invalid", kind
    if kind == "deep":
        depth = rng.choice([S.MAX_DEPTH + 1, S.MAX_DEPTH + 2, 200, rng.randint(1000, 20000)])
        doc, mark = placeholder(doc, rng)
        value = ("[" * depth + "1" + "]" * depth if rng.random() < 0.5
                 else "{a = " * depth + "1" + "}" * depth)
        return dump(doc).replace(mark.encode(), value.encode()), "invalid", kind
    if kind == "deep_dotted":  # as a table header, or a key (its parser work is quadratic)
        depth = rng.choice([1, S.MAX_DEPTH, rng.randint(S.MAX_DEPTH, 50_000)])
        key = b".".join(rng.choice([b"a", b'"b"', b"'c'", b"d . e"]) for _ in range(depth))
        return raw + rng.choice([b"\n[levers." + key + b"]\nx = 1\n", b"\n" + key + b" = 1\n"]
                                ), "invalid", kind
    if kind == "too_large":
        pad = S.MAX_FILE_BYTES - len(raw) + rng.choice([1, 2, 1000, 50_000])
        return raw + b"\n#" + b"x" * pad, "invalid", kind
    if kind == "many_keys":
        n = rng.choice([rng.randint(1, 60), rng.randint(S.MAX_PROBLEMS, 600),
                        S.MAX_KEYS + rng.randint(1, 500)])
        for i in range(n):
            levers[f"no_such_lever_{i}"] = 1
        return dump(doc), "invalid", kind
    # --- random edits: nobody knows ---
    data = raw
    for _ in range(rng.randint(1, 4)):
        i = rng.randint(0, len(data))
        op = rng.randrange(6)
        if op == 0:
            data = data[:i] + data[i + 1:]
        elif op == 1:
            data = data[:i] + rng.choice(SPICE) + data[i:]
        elif op == 2:
            data = data[:i] + rng.choice(SPICE) + data[i + 1:]
        elif op == 3:
            data = data[:i]
        else:
            parts = lines_of(data)
            k, m = rng.randrange(len(parts)), rng.randrange(len(parts))
            if op == 4:
                parts.insert(m, parts[k])
            else:
                parts[k], parts[m] = parts[m], parts[k]
            data = b"\n".join(parts)
    return data, "unknown", "random"


KINDS, WEIGHTS = zip(*[
    ("identity", 1), ("in_range", 8), ("in_range_all", 2), ("drop_lever", 2), ("labels", 3),
    ("name_ok", 2), ("base_real", 2), ("crlf", 2), ("bom", 2), ("comments", 3),
    ("pad_to_limit", 0.3),
    ("unknown_lever", 4), ("unknown_top", 2), ("out_of_range", 5), ("wrong_type", 5),
    ("beyond_64_bits", 3), ("many_digits", 1), ("bad_date", 3), ("empty_dated", 1),
    ("bad_name", 2), ("bad_base", 2), ("levers_not_table", 1), ("top_wrong_type", 2),
    ("lone_cr", 3), ("nul", 2), ("not_utf8", 2), ("bom_line_start", 1), ("dup_key", 2),
    ("deep", 2), ("deep_dotted", 1), ("too_large", 0.3), ("many_keys", 1), ("random", 30),
], strict=True)


def generate(n: int, rng: random.Random) -> list[Case]:
    cases = []
    sources = list(REAL)
    while len(cases) < n:
        source = rng.choice(sources)
        data, expect, kind = mutate(source, rng)
        cases.append(Case(f"m{len(cases):05d}_{source}", data, expect, kind))
    return cases


# --- running one file through every path ---------------------------------------------------


def verdict(call) -> list[str] | None:
    """None if ``call()`` accepts, else the problem lines of its ScenarioError (any other
    exception fails the test: it would be a traceback)."""
    try:
        call()
    except ScenarioError as exc:
        lines = str(exc).splitlines()
        assert lines, "a refusal says why"
        return lines
    return None


def check_lines(lines: list[str], shown: set[str], what: str) -> None:
    assert len(lines) <= S.MAX_PROBLEMS + 1, (what, len(lines))
    for line in lines:
        m = LINE.match(line)
        assert m, (what, line)
        assert m["path"] in shown, (what, line)


def run_batch(paths: list[Path]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = simlib_cli.main(["validate", *map(str, paths)])
    return code, out.getvalue(), err.getvalue()


def test_fuzz_every_file_gets_one_verdict_on_every_path(tmp_path):
    start = time.monotonic()
    rng = random.Random(SEED)
    cases = generate(N_FILES, rng)
    tally = {"files": 0, "refused": 0, "accepted": 0, "batches": 0}
    wrong: list[str] = []
    verdicts: dict[Path, list[str] | None] = {}
    for i, case in enumerate(cases):
        folder = tmp_path / f"{i:05d}"  # alone in its folder: nothing beside it to find
        folder.mkdir()
        path = folder / f"{case.stem}.toml"
        path.write_bytes(case.data)
        on_disk = verdict(lambda path=path: load_scenario(path))
        uploaded = verdict(lambda case=case: upload.read_upload(case.data, f"{case.stem}.toml"))
        tally["files"] += 1
        tally["refused" if on_disk else "accepted"] += 1
        if on_disk is not None:
            check_lines(on_disk, {str(path)}, case.kind)
        if uploaded is not None:
            check_lines(uploaded, {f"{case.stem}.toml"}, case.kind)
        shown = None if on_disk is None else [line.replace(str(path), f"{case.stem}.toml", 1)
                                              for line in on_disk]
        if shown != uploaded:
            wrong.append(f"{case.kind} {case.stem}: file {on_disk} != upload {uploaded}")
        if case.expect == "invalid" and on_disk is None:
            wrong.append(f"{case.kind} {case.stem}: invalid file accepted: {case.data[:300]!r}")
        if case.expect == "valid" and on_disk is not None:
            wrong.append(f"{case.kind} {case.stem}: valid file refused: {on_disk[:3]}")
        verdicts[path] = on_disk
    assert not wrong, "\n".join(wrong[:20]) + f"\n({len(wrong)} in all)"

    paths = list(verdicts)
    while paths:  # the CLI, several files a call: each answered as on its own
        size = rng.randint(1, 8)
        batch, paths = paths[:size], paths[size:]
        code, out, err = run_batch(batch)
        tally["batches"] += 1
        refused = [p for p in batch if verdicts[p] is not None]
        assert code == (2 if refused else 0), (code, err[-2000:])
        assert out.splitlines() == [f"OK {p}" for p in batch if verdicts[p] is None]
        assert err.splitlines() == [line for p in refused for line in verdicts[p]]
    elapsed = time.monotonic() - start
    kinds = {}
    for case in cases:
        kinds[case.expect] = kinds.get(case.expect, 0) + 1
    print(f"\nfuzz: {tally} by expectation {kinds}; {elapsed:.1f} s")
    assert tally["files"] >= 5_000


def test_fuzz_chains_of_bases(tmp_path):
    """Chains through ``base`` beside each other: long ones refused with one line, cycles
    refused, chains within the limit valid; each answered through the CLI too."""
    rng = random.Random(SEED + 1)
    for k in range(60):
        folder = tmp_path / f"c{k:02d}"
        folder.mkdir()
        n = rng.choice([2, 5, S.MAX_BASE_CHAIN - 1, S.MAX_BASE_CHAIN, S.MAX_BASE_CHAIN + 1,
                        rng.randint(S.MAX_BASE_CHAIN + 2, 300)])
        cyclic = rng.random() < 0.3
        for i in range(n):
            target = f"s{i + 1}" if i + 1 < n else ("s0" if cyclic else None)
            text = (f'base = "{target}"\n' if target else "") + \
                f"[levers]\nsearch_window_days = {rng.randint(10, 60)}\n"
            (folder / f"s{i}.toml").write_text(text, encoding="utf-8")
        first = folder / "s0.toml"
        lines = verdict(lambda first=first: load_scenario(first))
        files = n + (0 if cyclic else 1)  # baseline ends a chain that is not a cycle
        if cyclic or files > S.MAX_BASE_CHAIN:
            assert lines, (n, cyclic)
            check_lines(lines, {str(p) for p in folder.iterdir()}, "chain")
            assert len(lines) == 1 and LINE.match(lines[0])["key"] == "base", lines
        else:
            assert lines is None, (n, lines)
        code, out, err = run_batch([first, first])
        assert code == (2 if lines else 0)
        assert err.splitlines() == (lines or []) * 2


def test_fuzz_files_that_are_not_files(tmp_path):
    """Devices and a FIFO among scenario files in one ``validate``: each refused in one line
    naming it, the others answered. In a subprocess with a memory cap and a timeout, so a
    reader that would read /dev/zero to its end, or wait on a FIFO, fails instead of
    exhausting the machine."""
    good = tmp_path / "good.toml"
    good.write_bytes(REAL["hogere_premie"][0])
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers]\nsearch_window_days = -" + "1" + "0" * 400 + "\n", encoding="utf-8")
    others = [d for d in ("/dev/zero", "/dev/urandom", "/dev/null") if os.path.exists(d)]
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.toml"
        os.mkfifo(fifo)
        others.append(str(fifo))
    files = [str(good), *others, str(bad), str(tmp_path), str(good)]
    capped = ("import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, "
              "(3 << 30, 3 << 30)); sys.argv[0] = 'simlib'; "
              "runpy.run_module('simlib', run_name='__main__', alter_sys=True)")
    done = subprocess.run([sys.executable, "-c", capped, "validate", *files], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stdout.splitlines() == [f"OK {good}", f"OK {good}"]
    lines = done.stderr.splitlines()
    refused = [*others, str(bad), str(tmp_path)]
    assert [LINE.match(line)["path"] for line in lines] == refused, lines
    assert "Traceback" not in done.stderr
