"""simlib — the Duaal Leren scenario simulator.

Public API (small and stable; notebooks, tests and outside scripts use only this):

- :func:`levers` — the lever registry (one :class:`Lever` per policy option).
- :func:`load_scenario`, :func:`scenario` — validated, immutable :class:`Scenario` objects.
- :func:`run` — simulate a scenario, returning a :class:`Result`.
"""

from simlib import _moved
from simlib.files.version import __version__  # noqa: E402
from simlib.inputs.levers import Lever, levers  # noqa: E402
from simlib.inputs.scenario import Scenario, ScenarioError, load_scenario, scenario  # noqa: E402
from simlib.model.simulation import Result, run  # noqa: E402

_moved.install()  # old import paths (simlib.plots, simlib.engine, ...) for one more release

__all__ = [
    "__version__",
    "Lever",
    "levers",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario",
    "run",
    "Result",
]
