"""The reader of a scenario file's bytes, and what a problem with one is.

One reader for a file named on the command line and for an upload, so both get the same
verdict (see :mod:`simlib.inputs.scenario`): only a regular file is read, and at most
:data:`MAX_FILE_BYTES` + 1 bytes of it; the bytes must be UTF-8 (one leading byte-order mark
is ignored); the text is TOML with TOML's own rules; then, before any per-key work, the
limits below. Each refusal is a :class:`Problem` naming the file.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Problem", "ScenarioError", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_KEYS",
           "MAX_BASE_CHAIN", "MAX_NAME_LENGTH", "MAX_PROBLEMS", "INT_MIN", "INT_MAX"]

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


def _int_text(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:20]}… ({len(text.lstrip('-')):,} digits)"


_INT_EXPECTED = f"an integer from {INT_MIN} to {INT_MAX} (TOML's integers are 64-bit)"


_DEPTH_EXPECTED = (f"at most {MAX_DEPTH} levels of tables, arrays and inline tables inside each "
                   "other (a scenario file needs 3)")


def _beyond_64_bits(value: Any) -> str | None:
    """Why an integer given in code (``scenario(x=10**400)``) is refused; a file's integers
    are checked when it is read."""
    if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
        return f"integer outside the 64-bit range ({value.bit_length()} bits)"
    return None


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
