"""Floor 2: the model (structure, rates, policies, kernel, engine, outcomes, runs).

The model's structure (:mod:`simlib.model.structure`: strata, states, the timeline) is also
importable from here, where it lived before the floors (``from simlib.model import CELLS``).
"""

from simlib.model.structure import *  # noqa: F403
from simlib.model.structure import __all__  # noqa: F401
