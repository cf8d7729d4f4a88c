"""Where the project's files are: the working copy, the installed package, the user's folders.

The data (``data/``), the scenarios (``scenarios/``), the notebooks (``notebooks/``) and the
dashboard's template (``dashboard/``) are read from, in this order:

1. ``SIMLIB_HOME``, if set: a working copy (a folder holding ``data/`` and ``scenarios/``);
2. the working copy the package sits in (the folder above ``simlib/``, as after ``make``);
3. the copies shipped inside the installed package (``simlib/_resources/``, put there by the
   wheel's build; see ``pyproject.toml``), read with :mod:`importlib.resources`.

What a user writes (saved scenarios, exports, a personal calibration) goes where the user
says, or to the per-user folders of :func:`user_dir` (platformdirs), never into the package.
"""

from __future__ import annotations

import os
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["project_root", "data_dir", "scenarios_dir", "notebooks_dir", "dashboard_dir",
           "user_dir", "working_copy", "APP_NAME"]

#: The distribution's name, also the name of the user's folders.
APP_NAME = "duaal-leren-simulator"
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]
#: The folders a working copy (and the package's shipped copy) holds.
_FOLDERS = ("data", "scenarios")


def _is_project(folder: Path) -> bool:
    return all((folder / name).is_dir() for name in _FOLDERS)


@cache
def _shipped() -> Path:
    """The copies inside the installed package (``simlib/_resources``)."""
    return Path(str(resources.files("simlib").joinpath("_resources")))


@lru_cache(maxsize=16)
def _root(env: str | None) -> Path:
    if env:
        return Path(env)
    if _is_project(_PACKAGE_PARENT):
        return _PACKAGE_PARENT
    return _shipped()


def project_root() -> Path:
    """The folder holding ``data/``, ``scenarios/``, ``notebooks/`` and ``dashboard/`` (see
    the module docstring: ``SIMLIB_HOME``, the working copy, or the installed package)."""
    return _root(os.environ.get("SIMLIB_HOME"))


def working_copy() -> bool:
    """Whether the files are a working copy one may edit (not the installed package's)."""
    return project_root() != _shipped()


def data_dir() -> Path:
    return project_root() / "data"


def scenarios_dir() -> Path:
    return project_root() / "scenarios"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def dashboard_dir() -> Path:
    return project_root() / "dashboard"


def user_dir(kind: str = "data") -> Path:
    """The user's own folder of ``kind`` (``data``: a personal calibration, saved
    scenarios; ``documents``: exports), created on first use."""
    import platformdirs

    if kind == "data":
        folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    elif kind == "documents":
        folder = Path(platformdirs.user_documents_dir()) / APP_NAME
    else:
        raise ValueError(f"kind must be 'data' or 'documents', not {kind!r}")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
