"""Scenarios: validated, immutable lever settings, read from TOML diffs.

A scenario file is a diff against its base (``baseline`` unless it names another)::

    label_nl = "Langere zoekperiode voor een leerwerkplek"
    label_en = "Longer search window for a workplace"
    base = "baseline"                 # optional
    [levers]
    search_window_days = 30           # a scalar replaces the base's value from the start
    [levers.allowance_tier_1_eur_per_month]
    "2027-09-01" = 700.0              # dated values merge into the base's schedule

The root of every chain is ``scenarios/baseline.toml``, whose base is today's rules as the
lever registry declares them. Loading validates everything before anything runs and reports
every problem at once (:class:`ScenarioError`), each naming the file, the key, the problem,
the allowed values and, for an unknown name, the nearest valid one.

**One reader of the bytes.** A file named on the command line and an upload
(:func:`load_scenario_bytes`) go through the same reader, so they get the same verdict:
only a regular file is read, and at most :data:`MAX_FILE_BYTES` + 1 bytes of it; the bytes
must be UTF-8 (one leading UTF-8 byte-order mark is ignored, on both paths); the text is
TOML with TOML's own rules (a lone carriage return is not a line end); then, before any
per-key work, the limits below. Each refusal is a :class:`Problem` naming the file.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from simlib.inputs.levers import Lever, levers, parse_month
from simlib.inputs.parameters import scenarios_dir

__all__ = ["Scenario", "ScenarioError", "Problem", "load_scenario", "load_scenario_bytes",
           "load_scenario_text", "scenario", "scenario_names", "MAX_FILE_BYTES", "MAX_DEPTH",
           "MAX_KEYS", "MAX_BASE_CHAIN", "MAX_NAME_LENGTH", "MAX_PROBLEMS"]

TOP_KEYS = ("name", "label_nl", "label_en", "description_nl", "description_en", "base", "levers")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # matched whole (fullmatch)
ROOT = "baseline"

# --- limits of a scenario file (stated in the README, "Scenarios from the command line") ---
# Each is checked before any per-key work and refused as a user error naming the file.

#: Bytes in a scenario file or upload. The files of scenarios/ are 0.7-3 kB; a file with
#: every lever dated forty times stays under 100 kB.
MAX_FILE_BYTES = 200_000
#: Levels of tables, arrays and inline tables inside each other (a scenario needs 3:
#: the file, ``[levers]``, a dated lever). Checked before parsing, so deep nesting never
#: reaches the parser's recursion.
MAX_DEPTH = 32
#: Keys in all tables together (41 levers dated forty times is about 1,700).
MAX_KEYS = 2_000
#: Files in a chain of bases, the file itself and ``baseline`` included.
MAX_BASE_CHAIN = 16
#: Characters in a ``name`` or ``base`` (a file name; an upload's name is cut at 80).
MAX_NAME_LENGTH = 100
#: Problem lines reported per error; the rest are counted in one more line.
MAX_PROBLEMS = 20
#: TOML's integers are 64-bit signed: anything outside is refused, as the TOML spec asks.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
#: Python refuses to convert decimal integers of more digits than this (``sys.int_info``).
_INT_DIGITS = 4_300
#: Characters of a value, key or list of options shown in a problem line.
_SHOWN_CHARS = 300


@dataclass(frozen=True)
class Problem:
    """One validation problem: where, which key, what is wrong, what is allowed."""

    path: str
    key: str
    problem: str
    expected: str
    suggestion: str | None = None

    def __str__(self) -> str:
        key = self.key if self.key.isprintable() else repr(self.key)
        text = (f"{_shown_path(self.path)}: {_clip(key, counted=False)}: "
                f"{_clip(self.problem)}; expected {_clip(self.expected, 2 * _SHOWN_CHARS)}")
        return text + (f"; did you mean {_clip(self.suggestion)}?" if self.suggestion else "")


def _clip(text: str, limit: int = _SHOWN_CHARS, counted: bool = True) -> str:
    """``text`` on one printable line of at most about ``limit`` characters (a cut text ends
    in "…", and says how long it was if ``counted``)."""
    text = " ".join(str(text).split())
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…" + (f" ({len(text):,} characters)" if counted else "")


def _shown_path(path: str) -> str:
    """A path as a problem line shows it: as given, unless empty or not printable."""
    return path if path and path.isprintable() else repr(path)


class ScenarioError(ValueError):
    """A scenario is invalid. ``problems`` lists every problem found, in file order; the
    message (``str``) and :meth:`report` show the first :data:`MAX_PROBLEMS` and one line
    counting the rest."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.report()))

    def report(self, limit: int = MAX_PROBLEMS) -> list[Problem]:
        """The problems to show: the first ``limit``, then one counting the rest."""
        if len(self.problems) <= limit:
            return list(self.problems)
        rest = len(self.problems) - limit
        return [*self.problems[:limit],
                Problem(self.problems[0].path, "problems", f"… and {rest:,} more problems",
                        f"at most {limit} problems shown at a time; fix these and check again")]


@dataclass(frozen=True)
class Scenario:
    """A validated, immutable set of lever schedules.

    ``overrides`` is this scenario's own diff (lever id -> scalar or ``{ISO date: value}``);
    ``schedules`` holds the resolved schedule ``{ISO date: value}`` of every lever of the
    registry (base chain applied), oldest date first.
    """

    name: str
    label_nl: str
    label_en: str
    description_nl: str
    description_en: str
    base: str | None
    path: str | None
    overrides: Mapping[str, Any] = field(repr=False)
    schedules: Mapping[str, Mapping[str, Any]] = field(repr=False)

    def label(self, lang: str = "nl") -> str:
        """The label in ``lang`` ("nl" or "en")."""
        return self.label_nl if lang == "nl" else self.label_en

    def description(self, lang: str = "nl") -> str:
        """The description in ``lang`` ("nl" or "en")."""
        return self.description_nl if lang == "nl" else self.description_en

    def value(self, lever_id: str, date: str | _dt.date) -> Any:
        """The value of ``lever_id`` in force on ``date`` (the first value before its history)."""
        iso = date if isinstance(date, str) else date.isoformat()
        return _value_at(self.schedules[lever_id], iso)

    def values_at(self, date: str | _dt.date) -> dict[str, Any]:
        """Every lever's value in force on ``date``."""
        return {lever_id: self.value(lever_id, date) for lever_id in self.schedules}

    def resolved(self) -> dict[str, dict[str, Any]]:
        """Every lever's resolved schedule as plain dicts (for metadata and export)."""
        return {k: dict(v) for k, v in self.schedules.items()}

    def changed(self) -> dict[str, dict[str, Any]]:
        """The levers whose resolved schedule differs from today's rules."""
        today = {lv.id: dict(lv.schedule) for lv in levers()}
        return {k: dict(v) for k, v in self.schedules.items() if dict(v) != today[k]}

    def toml_dict(self) -> dict[str, Any]:
        """This scenario as a scenario-file dict over ``baseline`` (every change made explicit)."""
        out: dict[str, Any] = {"name": self.name}
        for key in ("label_nl", "label_en", "description_nl", "description_en"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        out["base"] = ROOT
        base = _root_schedules()
        levers_out: dict[str, Any] = {}
        for lever_id, schedule in self.changed().items():
            if dict(schedule) == dict(base[lever_id]):
                continue
            levers_out[lever_id] = _diff_schedule(dict(base[lever_id]), dict(schedule))
        out["levers"] = levers_out
        return out


def _value_at(schedule: Mapping[str, Any], iso: str) -> Any:
    """The value of a schedule on ISO date ``iso`` (its first value before its history)."""
    current = next(iter(schedule.values()))
    for start, val in schedule.items():
        if start > iso:
            break
        current = val
    return current


def _diff_schedule(base: dict[str, Any], new: dict[str, Any]) -> Any:
    """The scenario-file entry that turns schedule ``base`` into ``new`` when merged."""
    if len(new) == 1 and list(new) == list(base)[:1]:
        return next(iter(new.values()))
    dates = sorted(set(base) | set(new))
    return {d: _value_at(new, d) for d in dates if base.get(d) != _value_at(new, d)}


# --- validation ----------------------------------------------------------------------------


def _registry() -> dict[str, Lever]:
    return {lv.id: lv for lv in levers()}


def _nearest(word: str, options: list[str]) -> str | None:
    """The option closest to ``word``. The word is cut to a little over twice the longest
    option (the comparison's cost grows with the product of the lengths; so long a tail
    makes every option about equally far) and answers are cached, so a long or repeated
    word costs no more than a short one."""
    longest = max(map(len, options), default=0)
    return _nearest_cut(word[:2 * longest + 8], tuple(options))


@functools.lru_cache(maxsize=1024)
def _nearest_cut(word: str, options: tuple[str, ...]) -> str | None:
    best = difflib.get_close_matches(word, options, n=1, cutoff=0.0)
    return best[0] if best else None


def _suggest(word: str, options: list[str], problems: list[Problem]) -> str | None:
    """A "did you mean" only for problems that will be shown (the first MAX_PROBLEMS)."""
    return _nearest(word, options) if len(problems) < MAX_PROBLEMS else None


def _int_text(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:20]}… ({len(text.lstrip('-')):,} digits)"


_INT_EXPECTED = f"an integer from {INT_MIN} to {INT_MAX} (TOML's integers are 64-bit)"
_DEPTH_EXPECTED = (f"at most {MAX_DEPTH} levels of tables, arrays and inline tables inside each "
                   "other (a scenario file needs 3)")


def _check_lever_entry(path: str, lever_id: str, raw: Any, registry: dict[str, Lever],
                       problems: list[Problem]) -> Any:
    """Validate one ``[levers]`` entry; return the coerced value or schedule, or None."""
    key = f"levers.{lever_id}"
    if lever_id not in registry:
        problems.append(Problem(path, key, "unknown lever", "a lever id from `python -m simlib "
                                "levers`", _suggest(lever_id, list(registry), problems)))
        return None
    lever = registry[lever_id]
    if isinstance(raw, dict):
        if not raw:
            problems.append(Problem(path, key, "empty schedule",
                                    f"{{\"YYYY-MM-01\" = value}} with {lever.allowed()}"))
            return None
        out = {}
        for date, val in raw.items():
            try:
                parse_month(date)
            except ValueError as exc:
                problems.append(Problem(path, f'{key}."{date}"', f"bad date: {exc}",
                                        "an ISO date on the first of a month, e.g. \"2027-09-01\""))
                continue
            issue = _beyond_64_bits(val) or lever.check(val)
            if issue:
                problems.append(Problem(path, f'{key}."{date}"', issue, lever.allowed()))
                continue
            out[date] = lever.coerce(val)
        return dict(sorted(out.items())) if len(out) == len(raw) else None
    if isinstance(raw, _dt.date | _dt.datetime | _dt.time):
        problems.append(Problem(path, key, f"wrong type date ({raw})", lever.allowed()))
        return None
    issue = _beyond_64_bits(raw) or lever.check(raw)
    if issue:
        problems.append(Problem(path, key, issue, lever.allowed()))
        return None
    return lever.coerce(raw)


def _beyond_64_bits(value: Any) -> str | None:
    """Why an integer given in code (``scenario(x=10**400)``) is refused; a file's integers
    are checked when it is read."""
    if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
        return f"integer outside the 64-bit range ({value.bit_length()} bits)"
    return None


def _merge(base: Mapping[str, Mapping[str, Any]], overrides: Mapping[str, Any]
           ) -> dict[str, MappingProxyType]:
    out = {}
    for lever_id, schedule in base.items():
        new = dict(schedule)
        if lever_id in overrides:
            change = overrides[lever_id]
            if isinstance(change, Mapping):
                new.update(change)
                new = dict(sorted(new.items()))
            else:
                new = {next(iter(schedule)): change}
        out[lever_id] = MappingProxyType(new)
    return out


def _root_schedules() -> dict[str, MappingProxyType]:
    return {lv.id: lv.schedule for lv in levers()}


# --- reading: one reader of the bytes, for files and uploads --------------------------------

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _not_regular(shown: str, mode: int) -> Problem:
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return Problem(shown, "file", f"not a regular file ({kind})",
                   "a scenario TOML file (a regular file)")


def _too_large(shown: str, size: int | None) -> Problem:
    what = f"{size:,} bytes" if size is not None else f"more than {MAX_FILE_BYTES:,} bytes"
    return Problem(shown, "file", f"too large ({what})",
                   f"a scenario file of at most {MAX_FILE_BYTES:,} bytes")


def _unreadable(shown: str, exc: Exception) -> Problem:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return Problem(shown, "file", f"cannot be read ({reason})", "a readable scenario TOML file")


def _is_file(path: Path) -> bool:
    """``path.is_file()`` that answers False instead of raising (a name too long, a NUL)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _read_bytes(path: Path, shown: str, problems: list[Problem]) -> bytes | None:
    """The bytes of the regular file at ``path``, at most MAX_FILE_BYTES + 1 read: a folder,
    FIFO or device is refused before it is opened (a FIFO would block, /dev/zero never end)."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        problems.append(Problem(shown, "file", "not found", "an existing scenario TOML file"))
        return None
    except (OSError, ValueError) as exc:
        problems.append(_unreadable(shown, exc))
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.append(_not_regular(shown, info.st_mode))
        return None
    if info.st_size > MAX_FILE_BYTES:
        problems.append(_too_large(shown, info.st_size))
        return None
    chunks: list[bytes] = []
    try:  # non-blocking, and checked again once open: the path may have changed meanwhile
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                problems.append(_not_regular(shown, mode))
                return None
            size = 0
            while size <= MAX_FILE_BYTES:
                chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        problems.append(_unreadable(shown, exc))
        return None
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:  # grew since stat, or a file that reports no size
        problems.append(_too_large(shown, None))
        return None
    return data


#: What TOML's brackets, dots and digits mean nothing in: comments and the four kinds of
#: strings. Possessive, so a scan is linear in the text.
_SKIPPED = re.compile("|".join((
    r"#[^\n]*+",
    r'"""(?:[^"\\]|\\[\s\S]?|"(?!""))*+(?:"{3,5}|\Z)',
    r"'''(?:[^']|'(?!''))*+(?:'{3,5}|\Z)",
    r'"(?:[^"\\\n]|\\.)*+"?',
    r"'[^'\n]*+'?",
)))
_BRACKETS = re.compile(r"[\[\]{}]")
#: A key of more than MAX_DEPTH dotted parts (bare, or a string: NUL in the masked text);
#: the parser's work on a dotted key grows with the square of its parts. A match starts only
#: where a part starts (the look-behind), so a long word costs one pass, not one per letter.
_DOTTED = re.compile(rf"(?<![A-Za-z0-9_-])(?:[A-Za-z0-9_-]++|\0)"
                     rf"(?:[ \t]*+\.[ \t]*+(?:[A-Za-z0-9_-]++|\0)){{{MAX_DEPTH}}}")
_LONG_INT = re.compile(rf"(?<![\w.])[+-]?[0-9][0-9_]{{{_INT_DIGITS},}}(?![\w.])")


def _masked(text: str) -> str:
    """``text`` with every comment removed and every string replaced by a NUL, line ends
    kept (so line numbers stay right)."""
    def blank(match: re.Match) -> str:
        token = match.group()
        return ("\0" if token[0] in "\"'" else "") + "\n" * token.count("\n")

    return _SKIPPED.sub(blank, text)


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _too_deep(text: str) -> str | None:
    """Why ``text`` nests deeper than MAX_DEPTH, before the parser (whose work on it is
    recursive, or quadratic for dotted keys) sees it: brackets (arrays, inline tables, table
    headers) outside strings and comments, or a dotted key of too many parts. None if not."""
    masked = _masked(text)
    depth = 0
    for match in _BRACKETS.finditer(masked):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return (f"arrays or inline tables nested more than {MAX_DEPTH} deep (line "
                        f"{_line(masked, match.start())})")
        else:
            depth = max(depth - 1, 0)
    match = _DOTTED.search(masked)
    if match:
        return (f"a dotted key of more than {MAX_DEPTH} parts (line "
                f"{_line(masked, match.start())})")
    return None


def _long_integer_line(text: str) -> int | None:
    """The line of the first decimal integer Python cannot convert (more than 4,300 digits),
    outside strings and comments."""
    masked = _masked(text)
    match = _LONG_INT.search(masked)
    return _line(masked, match.start()) if match else None


def _check_structure(raw: dict, shown: str, problems: list[Problem]) -> bool:
    """Nesting depth, number of keys and 64-bit integers of a parsed file, walked without
    recursion, before any per-key work. Appends problems; True if there were none."""
    before = len(problems)
    keys = len(raw)
    stack = [(iter(raw.items()), "", 1)]
    while stack and keys <= MAX_KEYS:
        items, where, depth = stack[-1]
        for key, value in items:
            name = f"{where}[{key}]" if isinstance(key, int) else (
                f"{where}.{key}" if where else key)
            if isinstance(value, dict | list):
                if depth + 1 > MAX_DEPTH:
                    problems.append(Problem(shown, name, f"nested more than {MAX_DEPTH} levels "
                                            "deep", _DEPTH_EXPECTED))
                    return False
                keys += len(value) if isinstance(value, dict) else 0
                stack.append((iter(value.items() if isinstance(value, dict)
                                   else enumerate(value)), name, depth + 1))
                break
            if isinstance(value, int) and not isinstance(value, bool) and \
                    not INT_MIN <= value <= INT_MAX:
                problems.append(Problem(shown, name, f"integer {_int_text(value)} outside "
                                        "TOML's 64-bit range", _INT_EXPECTED))
        else:
            stack.pop()
    if keys > MAX_KEYS:
        problems.append(Problem(shown, "toml", f"more than {MAX_KEYS:,} keys",
                                f"at most {MAX_KEYS:,} keys (tables, levers and dates together)"))
    return len(problems) == before


def _parse_bytes(data: bytes, shown: str, problems: list[Problem]) -> dict[str, Any] | None:
    """The TOML document in ``data`` (a file's bytes or an upload), checked against the limits
    of a scenario file; None (and problems naming ``shown``) if it is refused."""
    if len(data) > MAX_FILE_BYTES:
        problems.append(_too_large(shown, len(data)))
        return None
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # one UTF-8 byte-order mark is ignored
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(shown, "file", f"not UTF-8 text ({exc.reason} at byte "
                                f"{exc.start + bom})", "a TOML file in UTF-8"))
        return None
    deep = _too_deep(text)
    if deep is not None:
        problems.append(Problem(shown, "toml", deep, _DEPTH_EXPECTED))
        return None
    try:
        raw = tomllib.loads(text)  # TOML's rules: LF or CRLF line ends, no lone CR
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(shown, "toml", f"malformed TOML ({exc})",
                                "valid TOML (https://toml.io)"))
        return None
    except RecursionError:  # not reached after _too_deep; kept as a user error all the same
        problems.append(Problem(shown, "toml", f"nested more than {MAX_DEPTH} deep",
                                _DEPTH_EXPECTED))
        return None
    except ValueError as exc:  # tomllib lets Python's int-string limit through
        line = _long_integer_line(text)
        problems.append(Problem(shown, "toml", f"an integer of more than {_INT_DIGITS:,} digits "
                                f"(line {line})", _INT_EXPECTED) if line is not None else
                        Problem(shown, "toml", f"malformed TOML ({exc})",
                                "valid TOML (https://toml.io)"))
        return None
    return raw if _check_structure(raw, shown, problems) else None


def _find_base(name: str, beside: Path | None) -> Path | None:
    candidates = ([beside / f"{name}.toml"] if beside is not None else []) + [
        scenarios_dir() / f"{name}.toml"]
    return next((p for p in candidates if _is_file(p)), None)


def _is_root(path: Path) -> bool:
    return path.resolve() == (scenarios_dir() / f"{ROOT}.toml").resolve()


def _valid_name(name: str) -> bool:
    return len(name) <= MAX_NAME_LENGTH and NAME_PATTERN.fullmatch(name) is not None


_NAME_EXPECTED = (f"letters, digits, '_', '-' or '.', starting with a letter or digit, at most "
                  f"{MAX_NAME_LENGTH} characters")


def _resolve_base(shown: str, path: Path | None, base_name: str, chain: tuple[Path, ...],
                  problems: list[Problem], base_beside: bool
                  ) -> Mapping[str, Mapping[str, Any]] | None:
    """The resolved schedules of ``base_name`` for the file at ``path`` (None: an upload, no
    file of its own), or None (problem)."""
    if not _valid_name(base_name):
        problems.append(Problem(shown, "base", f"invalid base {base_name!r}",
                                "the name of a scenario (no path), e.g. \"baseline\": "
                                + _NAME_EXPECTED))
        return None
    own = path.resolve() if path is not None else None
    beside = path.parent if base_beside and path is not None else None
    base_path = _find_base(base_name, beside)
    if base_path is None:
        options = sorted(set(scenario_names()) | (
            {p.stem for p in beside.glob("*.toml") if p.resolve() != own}
            if beside is not None else set()))
        problems.append(Problem(shown, "base", f"scenario {base_name!r} not found",
                                "a scenario beside the file or in scenarios/: "
                                + ", ".join(options), _suggest(base_name, options, problems)))
        return None
    here = (*chain, own) if own is not None else chain
    if base_path.resolve() in here:
        cycle = " -> ".join(p.stem for p in (*here, base_path.resolve()))
        problems.append(Problem(shown, "base", f"cyclic base ({cycle})",
                                "a chain of bases that ends at baseline"))
        return None
    if len(chain) + 2 > MAX_BASE_CHAIN:
        names = [p.stem for p in here]
        shown_chain = " -> ".join([*names[:2], "…", *names[-2:]] if len(names) > 5 else names)
        problems.append(Problem(shown, "base", f"base chain longer than {MAX_BASE_CHAIN} files "
                                f"({shown_chain} -> {base_name})",
                                f"a chain of at most {MAX_BASE_CHAIN} files ending at baseline"))
        return None
    base = _load(base_path, here, problems)
    return base.schedules if base is not None else None


def _load(path: Path, chain: tuple[Path, ...], problems: list[Problem],
          base_beside: bool = True, data: bytes | None = None,
          shown: str | None = None) -> Scenario | None:
    """Load ``path`` and its base chain; append problems (in file order); None if any.

    With ``data`` (an upload) the bytes are those of a file that exists nowhere: ``path``
    only gives its name, and nothing beside it is read.
    """
    shown = shown if shown is not None else str(path)
    before = len(problems)
    if data is None:
        content = _read_bytes(path, shown, problems)
        raw = _parse_bytes(content, shown, problems) if content is not None else None
    else:
        raw = _parse_bytes(data, shown, problems)
    if raw is None:
        return None
    own = path if data is None else None
    registry = _registry()
    root = own is not None and _is_root(own)
    meta: dict[str, str] = {}
    overrides: dict[str, Any] = {}
    base_schedules: Mapping[str, Mapping[str, Any]] | None = _root_schedules() if root else None
    for key, value in raw.items():  # in file order, so problems are reported in file order
        if key not in TOP_KEYS:
            problems.append(Problem(shown, key, "unknown key", "one of " + ", ".join(TOP_KEYS),
                                    _suggest(key, list(TOP_KEYS), problems)))
        elif key == "levers":
            if not isinstance(value, dict):
                problems.append(Problem(shown, "levers", "not a table",
                                        "[levers] with lever = value"))
                continue
            for lever_id, entry in value.items():
                checked = _check_lever_entry(shown, lever_id, entry, registry, problems)
                if checked is not None:
                    overrides[lever_id] = checked
        elif not isinstance(value, str):
            problems.append(Problem(shown, key, f"wrong type {type(value).__name__}",
                                    "a string"))
        elif key == "base" and root:
            problems.append(Problem(shown, "base", "the baseline has no base",
                                    "no base key (its base is today's rules)"))
        elif key == "base":
            meta[key] = value
            base_schedules = _resolve_base(shown, own, value, chain, problems, base_beside)
        else:
            meta[key] = value
    name = meta.get("name", path.stem)
    if "name" in meta and not _valid_name(name):
        problems.append(Problem(shown, "name", f"invalid name {name!r}", _NAME_EXPECTED))
    if not root and "base" not in raw:
        base_schedules = _resolve_base(shown, own, ROOT, chain, problems, base_beside)
    if len(problems) > before or base_schedules is None:
        return None
    return Scenario(
        name=name,
        label_nl=meta.get("label_nl", name),
        label_en=meta.get("label_en", name),
        description_nl=meta.get("description_nl", ""),
        description_en=meta.get("description_en", ""),
        base=None if root else meta.get("base", ROOT),
        path=shown,
        overrides=_frozen(overrides),
        schedules=MappingProxyType(_merge(base_schedules, overrides)),
    )


def _frozen(overrides: dict[str, Any]) -> MappingProxyType:
    return MappingProxyType({k: MappingProxyType(v) if isinstance(v, dict) else v
                             for k, v in overrides.items()})


def _resolve_name(path_or_name: str | Path) -> Path:
    text = str(path_or_name)
    if isinstance(path_or_name, Path) or text.endswith(".toml") or "/" in text or "\\" in text:
        return Path(path_or_name)
    return scenarios_dir() / f"{text}.toml"


def load_scenario(path_or_name: str | Path) -> Scenario:
    """Load and validate a scenario file, or a scenario of ``scenarios/`` by name.

    Raises :class:`ScenarioError` listing every problem of the file and its bases.
    """
    problems: list[Problem] = []
    path = _resolve_name(path_or_name)
    if not _is_file(path) and not str(path_or_name).endswith(".toml") and path.parent == \
            scenarios_dir():
        options = scenario_names()
        raise ScenarioError([Problem(str(path_or_name), "scenario", "not found",
                                     "a scenario file or one of: " + ", ".join(options),
                                     _nearest(str(path_or_name), options))])
    result = _load(path, (), problems)
    if problems or result is None:
        raise ScenarioError(problems)
    return result


def load_scenario_bytes(content: bytes, name: str = "upload") -> Scenario:
    """Validate a scenario file given as bytes (an upload) exactly as :func:`load_scenario`
    validates a file (the same reader, limits and messages), shown as ``NAME.toml``;
    ``base`` only from ``scenarios/``.

    Data only: the bytes never make the loader read a file outside ``scenarios/``.
    """
    problems: list[Problem] = []
    shown = f"{name}.toml"
    result = _load(Path(shown), (), problems, base_beside=False, data=bytes(content),
                   shown=shown)
    if problems or result is None:
        raise ScenarioError(problems)
    return result


def load_scenario_text(text: str, name: str = "upload") -> Scenario:
    """Validate scenario TOML given as text (its UTF-8 bytes, see :func:`load_scenario_bytes`).
    """
    return load_scenario_bytes(text.encode("utf-8", "surrogatepass"), name=name)


def scenario(base: str | Scenario = ROOT, *, name: str | None = None, label_nl: str | None = None,
             label_en: str | None = None, **overrides: Any) -> Scenario:
    """A scenario built in code: ``base`` (a name in ``scenarios/`` or a Scenario) plus overrides.

    Each override is ``lever_id=scalar`` (replaces the base's value from the start) or
    ``lever_id={"YYYY-MM-01": value}`` (merged into the base's schedule). Validated like a
    file; raises :class:`ScenarioError` with every problem.
    """
    base_sc = base if isinstance(base, Scenario) else load_scenario(base)
    where = "scenario()"
    problems: list[Problem] = []
    registry = _registry()
    checked: dict[str, Any] = {}
    for lever_id, value in overrides.items():
        entry = _check_lever_entry(where, lever_id, value, registry, problems)
        if entry is not None:
            checked[lever_id] = entry
    if problems:
        raise ScenarioError(problems)
    if name is None:
        parts = [f"{k}={v}" for k, v in sorted(overrides.items()) if not isinstance(v, dict)]
        parts += [f"{k}@{','.join(v)}" for k, v in sorted(overrides.items()) if isinstance(v, dict)]
        name = base_sc.name + (("+" + "+".join(parts)) if parts else "")
    return Scenario(
        name=name,
        label_nl=label_nl or (base_sc.label_nl if not overrides else name),
        label_en=label_en or (base_sc.label_en if not overrides else name),
        description_nl="",
        description_en="",
        base=base_sc.name,
        path=None,
        overrides=_frozen(checked),
        schedules=MappingProxyType(_merge(base_sc.schedules, checked)),
    )


def scenario_names() -> list[str]:
    """Names of the scenario files in ``scenarios/``."""
    return sorted(p.stem for p in scenarios_dir().glob("*.toml"))
