"""The wheel's one build step: the files the package reads ship inside it.

The data (``data/``), the scenarios (``scenarios/``), the notebooks (``notebooks/*.ipynb``)
and the dashboard's template (``dashboard/``) live beside the package in the working copy,
where they are edited and reviewed. A wheel carries copies of them inside the package, in
``simlib/_resources/``, where :mod:`simlib.files.resources` finds them once installed.
Everything else (name, dependencies, the version from the git tags) is in pyproject.toml.

Why setuptools with this step rather than hatchling's ``force-include``: setuptools-scm
writes the commit into the wheel's ``simlib/_version.py`` (hatch-vcs writes the version
only, and into the source tree), and the footnotes and ``meta.json`` need that commit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: The folders shipped in ``simlib/_resources/``, with the files of each (glob patterns).
SHIPPED = {"data": ("**/*",), "scenarios": ("*.toml",), "notebooks": ("*.ipynb",),
           "dashboard": ("**/*",)}
#: Never shipped: caches and checkpoints (and hidden files, see ``_shipped``).
SKIPPED = ("__pycache__", ".ipynb_checkpoints")


def _shipped(rel: Path) -> bool:
    return not any(part.startswith(".") or part in SKIPPED for part in rel.parts) \
        and rel.suffix != ".pyc"


def shipped_files(root: Path = ROOT) -> list[Path]:
    """The files the wheel ships, relative to ``root``; a missing folder is an error (a
    wheel without it would install and then not run)."""
    found: set[Path] = set()
    for folder, patterns in SHIPPED.items():
        if not (root / folder).is_dir():
            raise FileNotFoundError(f"{root / folder}: missing; the wheel must ship it")
        for pattern in patterns:
            found |= {p.relative_to(root) for p in (root / folder).glob(pattern)
                      if p.is_file() and _shipped(p.relative_to(root))}
    return sorted(found)


class BuildPyWithResources(build_py):
    """``build_py`` that also copies :func:`shipped_files` into ``simlib/_resources/`` of
    the build (an editable install reads them from the working copy instead)."""

    def run(self) -> None:
        super().run()
        self._resources: list[str] = []
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "simlib" / "_resources"
        for rel in shipped_files():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / rel, target / rel)
            self._resources.append(str(target / rel))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), *getattr(self, "_resources", [])]


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildPyWithResources})
