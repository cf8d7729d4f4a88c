"""Where the project's files are: the working copy, the installed package, the user's folders.

The data (``data/``), the scenarios (``scenarios/``), the notebooks (``notebooks/``) and the
dashboard's template (``dashboard/``) are read from, in this order:

1. ``SIMLIB_HOME``, if set: a working copy (a folder holding ``data/`` and ``scenarios/``);
2. the working copy the package sits in (the folder above ``simlib/``, as after ``make``);
3. the copies shipped inside the installed package (``simlib/_resources/``, put there when
   the wheel is built: ``setup.py``), read with :mod:`importlib.resources`.

What a user writes (saved scenarios, exports, a personal calibration) goes where the user
says; unless told, in a working copy where it always went (beside the notebooks, into
``data/``), and from the installed package to the per-user folders of :func:`user_dir`
(platformdirs), never into the package (:func:`default_folder`).
"""

from __future__ import annotations

import os
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["project_root", "data_dir", "scenarios_dir", "notebooks_dir", "dashboard_dir",
           "user_dir", "default_folder", "working_copy", "APP_NAME", "SHIPPED"]

#: The distribution's name (``pip install duaal-leren-simulator``), also the name of the
#: user's folders.
APP_NAME = "duaal-leren-simulator"
#: The folder inside the package that holds the shipped copies.
SHIPPED = "_resources"
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]
#: The folders a working copy (and the package's shipped copy) holds.
_FOLDERS = ("data", "scenarios")


def _is_project(folder: Path) -> bool:
    return all((folder / name).is_dir() for name in _FOLDERS)


@cache
def _shipped() -> Path:
    """The copies inside the installed package (``simlib/_resources``)."""
    return Path(str(resources.files("simlib").joinpath(SHIPPED)))


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


def working_copy(root: str | os.PathLike | None = None) -> bool:
    """Whether ``root`` (default :func:`project_root`) is a working copy one may edit, not
    the copies shipped inside the installed package."""
    return Path(root if root is not None else project_root()) != _shipped()


def data_dir() -> Path:
    return project_root() / "data"


def scenarios_dir() -> Path:
    return project_root() / "scenarios"


def notebooks_dir() -> Path:
    """``notebooks/``: the notebooks JupyterLab opens and the dashboard serves."""
    return project_root() / "notebooks"


def dashboard_dir() -> Path:
    """``dashboard/``: the Voila settings (``voila.py``) and the ``simlib`` template."""
    return project_root() / "dashboard"


def user_dir(kind: str = "data", create: bool = True) -> Path:
    """The user's own folder of ``kind`` (``data``: a personal calibration, saved
    scenarios; ``documents``: exports), created on first use unless ``create`` is False.

    On Linux ``~/.local/share/duaal-leren-simulator`` and ``~/Documents/duaal-leren-simulator``
    (``XDG_DATA_HOME`` and the XDG documents folder move them); on Windows and macOS the
    system's own places for application data and documents (platformdirs).
    """
    import platformdirs

    if kind == "data":
        folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    elif kind == "documents":
        folder = Path(platformdirs.user_documents_dir()) / APP_NAME
    else:
        raise ValueError(f"kind must be 'data' or 'documents', not {kind!r}")
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_folder(name: str, kind: str = "documents") -> Path:
    """Where the user's files called ``name`` (``export``, ``mijn_scenarios``) go when the
    user names no folder: ``name`` in the current folder in a working copy (beside the
    notebooks, as it always was), else ``name`` in the user's folder of ``kind``
    (:func:`user_dir`; the package's own folder may not be writable, and is replaced
    whole by the next install)."""
    if working_copy():
        return Path(name)
    return user_dir(kind) / name
