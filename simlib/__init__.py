"""simlib — the Duaal Leren scenario simulator.

Public API (small and stable; notebooks, tests and outside scripts use only this):

- :func:`levers` — the lever registry (one :class:`Lever` per policy option).
- :func:`load_scenario`, :func:`scenario` — validated, immutable :class:`Scenario` objects.
- :func:`run` — simulate a scenario, returning a :class:`Result`.
"""

__version__ = "0.1.0"

from simlib.levers import Lever, levers  # noqa: E402
from simlib.scenario import Scenario, ScenarioError, load_scenario, scenario  # noqa: E402
from simlib.simulation import Result, run  # noqa: E402

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
