"""What every command of :mod:`simlib.cli` shares: the user error (exit 2), the argument
parser that keeps argparse's usage line, the checks of ``--out`` and of a choice, and the
writing of results (complete or not at all, :mod:`simlib.files.outputs`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["RESULT_FILES", "UserError", "check_out", "choice", "write_outputs"]

RESULT_FILES = ("indicators.csv", "stocks.csv", "meta.json")


class UserError(Exception):
    """A mistake in the command's input, reported without a traceback (exit code 2)."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own exit code is 2 as well; keep its usage line
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _out_folder(text: str | Path) -> Path:
    """The ``--out`` folder; an empty or blank one (the current folder) is refused."""
    if not str(text).strip():
        raise UserError(f"{str(text)!r}: --out: empty; expected a folder path (new, or "
                        "empty, or holding results with --force)")
    return Path(text)


def check_out(out: str | Path, force: bool, names: tuple[str, ...] = RESULT_FILES) -> Path:
    """Refuse an ``--out`` that cannot take the result files ``names``; returns the folder.

    A folder holding any of them is refused without ``--force``, and said to hold an
    incomplete result if its ``meta.json`` does not vouch for its files
    (:func:`simlib.files.outputs.incomplete`).
    """
    from simlib.files.outputs import incomplete

    out = _out_folder(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: --out: is a file; expected a folder (new, or with --force)")
    clash = [n for n in names if (out / n).exists()]
    if clash and not force:
        reason = incomplete(out, names)
        if reason:
            raise UserError(f"{out}: --out: holds an incomplete result ({', '.join(clash)}; "
                            f"{reason}: e.g. a run that was interrupted); expected a new or "
                            "empty folder, or --force to replace it")
        raise UserError(f"{out}: --out: already holds results ({', '.join(clash)}); "
                        "expected a new or empty folder, or --force to overwrite them")
    existing = next(p for p in (out, *out.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise UserError(f"{out}: --out: cannot be created ({existing} is not a writable "
                        "folder); expected a folder path that can be written")
    return out


def write_outputs(out: Path, write) -> int:
    """Call ``write(out)`` (which returns the paths written, e.g. through
    :func:`simlib.files.outputs.write_folder`), print the paths; exit code 0.

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


def choice(value: str, options: list[str], flag: str, what: str) -> str:
    """``value`` if it is one of ``options``, else a :class:`UserError` naming the flag,
    the nearest option and where to find them all."""
    if value in options:
        return value
    from simlib.inputs.scenario import nearest

    near = nearest(value, options, cutoff=0.5)
    hint = f"; did you mean {near!r}?" if near else ""
    shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
    raise UserError(f"{value!r}: {flag}: not {what}{hint} Expected one of {shown}")



