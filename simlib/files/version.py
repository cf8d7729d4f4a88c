"""The model's version and the commit it was built from (in every meta.json and footnote)."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

__all__ = ["__version__", "version", "commit"]


def version() -> str:
    """The installed distribution's version (from the git tag at build time), or the
    version setuptools-scm writes into ``simlib/_version.py``; ``0+unknown`` otherwise."""
    try:
        from simlib._version import version as v  # written at build / editable install
        return v
    except ImportError:
        pass
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    for name in ("duaal-leren-simulator", "simlib"):  # the distribution's name, and its old one
        try:
            return dist_version(name)
        except PackageNotFoundError:
            continue
    return "0+unknown"  # not installed: a bare checkout on sys.path


@cache
def commit() -> str:
    """The commit of the working copy (``git rev-parse HEAD``, with ``+dirty`` for local
    changes), else the one recorded at build time, else ``unknown``."""
    here = Path(__file__).resolve().parents[2]
    if (here / ".git").exists():
        try:
            sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                                 text=True, timeout=5, check=True).stdout.strip()
            dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                   cwd=here, capture_output=True, text=True, timeout=5).stdout
            return sha + ("+dirty" if dirty.strip() else "")
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        from simlib._version import __commit_id__ as cid  # setuptools-scm >= 8.1

        if cid:
            return str(cid)
    except ImportError:
        pass
    return "unknown"


__version__ = version()
