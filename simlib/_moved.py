"""Old import paths that keep working for one release: ``simlib.plots`` is now
``simlib.report.plots``, ``simlib.engine`` is ``simlib.model.engine``, and so on.

Importing an old path gives the module at its new place, with a ``DeprecationWarning`` that
names it. ``simlib.levers`` and ``simlib.scenario`` are left out: those names are the public
functions :func:`simlib.levers` and :func:`simlib.scenario` (use ``from simlib import
load_scenario``, or ``simlib.inputs.levers`` / ``simlib.inputs.scenario``). ``simlib.ui``
did not move (it is the package of the apps).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

__all__ = ["MOVED", "install"]

#: old module -> new module (removed in the release after the next)
MOVED = {
    "simlib.outputs": "simlib.files.outputs",
    "simlib.glossary": "simlib.inputs.glossary",
    "simlib.pages": "simlib.inputs.pages",
    "simlib.parameters": "simlib.inputs.parameters",
    "simlib.themes": "simlib.report.themes",
    "simlib.rates": "simlib.model.rates",
    "simlib.policies": "simlib.model.policies",
    "simlib.kernel": "simlib.model.kernel",
    "simlib.engine": "simlib.model.engine",
    "simlib.outcomes": "simlib.model.outcomes",
    "simlib.simulation": "simlib.model.simulation",
    "simlib.compare": "simlib.analysis.compare",
    "simlib.calibration": "simlib.analysis.calibration",
    "simlib.uncertainty": "simlib.analysis.uncertainty",
    "simlib.sensitivity": "simlib.analysis.sensitivity",
    "simlib.checks": "simlib.analysis.checks",
    "simlib.numbers": "simlib.report.numbers",
    "simlib.describe": "simlib.report.describe",
    "simlib.plots": "simlib.report.plots",
    "simlib.uncertainty_plots": "simlib.report.uncertainty_plots",
    "simlib.diagram": "simlib.report.diagram",
    "simlib.export": "simlib.report.export",
    "simlib.downloads": "simlib.report.downloads",
    "simlib.uncertainty_ui": "simlib.ui.uncertainty",
    "simlib.upload": "simlib.ui.upload",
    "simlib.dashboard": "simlib.ui.dashboard",
    "simlib.dashboard_app": "simlib.ui.dashboard_app",
}


class _Alias(importlib.abc.Loader):
    def __init__(self, new: str):
        self.new = new

    def create_module(self, spec):
        warnings.warn(f"{spec.name} has moved to {self.new}; the old name works until the "
                      "next release", DeprecationWarning, stacklevel=3)
        return importlib.import_module(self.new)

    def exec_module(self, module) -> None:
        pass  # the module at its new place is already executed


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname in MOVED:
            return importlib.util.spec_from_loader(fullname, _Alias(MOVED[fullname]))
        return None


def install() -> None:
    """Put the finder of old paths on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())  # before any finder that might find a stale file
