"""The model's version and the commit it was built from (in every meta.json and footnote).

- :func:`version`: the one setuptools-scm derives from the git tags (``v0.2.0`` and the
  commits since) and writes into ``simlib/_version.py`` when the wheel is built or the
  working copy is installed (``make``, ``pip install -e .``); else the version of the
  installed distribution, if it is this copy of the package; else ``0+unknown`` (a copy
  run from its folder, never installed).
- :func:`commit`: in a git working copy the commit checked out now (``git rev-parse HEAD``,
  ``+dirty`` with uncommitted changes); in an installed wheel the one setuptools-scm
  recorded at build time; else ``unknown``.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path

from simlib.files.resources import APP_NAME

__all__ = ["__version__", "version", "commit", "short_commit", "model_label", "UNKNOWN"]

#: The commit when neither git nor the build can tell it.
UNKNOWN = "unknown"
#: The distribution's name until version 0.2 (taken on PyPI by an unrelated project).
_OLD_NAME = "simlib"
_HERE = Path(__file__).resolve()
_PACKAGE_PARENT = _HERE.parents[2]


def _installs_this_copy(dist) -> bool:
    """Whether the installed distribution ``dist`` is this copy of the package (and not,
    say, another checkout installed in the same environment)."""
    try:
        if Path(str(dist.locate_file("simlib/files/version.py"))).resolve() == _HERE:
            return True
        url = json.loads(dist.read_text("direct_url.json") or "{}")
    except (OSError, ValueError):
        return False
    return bool(url.get("dir_info", {}).get("editable")) and \
        url.get("url") == _PACKAGE_PARENT.as_uri()


def version() -> str:
    """The version (see the module docstring)."""
    try:
        from simlib._version import version as v  # written at build / editable install
        return v
    except ImportError:
        pass
    from importlib import metadata

    for name in (APP_NAME, _OLD_NAME):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if _installs_this_copy(dist):
            return dist.version
    return "0+unknown"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=_PACKAGE_PARENT, capture_output=True, text=True,
                          timeout=5, check=True).stdout.strip()


@cache
def commit() -> str:
    """The commit (see the module docstring): 40 hex digits in a working copy, with
    ``+dirty`` for local changes; in a wheel the abbreviated hash setuptools-scm recorded,
    with ``+dirty`` if the wheel was built from a changed tree (its version then carries
    the date, ``+g<hash>.d<date>``)."""
    if (_PACKAGE_PARENT / ".git").exists():
        try:
            sha = _git("rev-parse", "HEAD")
            dirty = _git("status", "--porcelain", "--untracked-files=no")
            return sha + ("+dirty" if dirty else "")
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        from simlib._version import __commit_id__ as cid  # setuptools-scm >= 9
    except ImportError:
        return UNKNOWN
    if not cid:
        return UNKNOWN
    dirty = re.search(r"\+(.*\.)?d\d{8}$", version())  # setuptools-scm's "node-and-date"
    return str(cid).removeprefix("g") + ("+dirty" if dirty else "")


def short_commit() -> str:
    """:func:`commit` abbreviated to 7 hex digits (``+dirty`` kept), as in footnotes."""
    sha, plus, dirty = commit().partition("+")
    return sha if sha == UNKNOWN else sha[:7] + plus + dirty


def model_label() -> str:
    """``simlib 0.2.0 (1a2b3c4)``: the model's name, version and commit, as footnotes and
    ``--version`` show it (without the commit when it is unknown)."""
    short = short_commit()
    return f"simlib {__version__}" + ("" if short == UNKNOWN else f" ({short})")


__version__ = version()
