"""Floor 5: the widgets and apps (``from simlib import ui``; ``ui.ThemeApp(...)``)."""

from simlib.ui.apps import *  # noqa: F403
from simlib.ui.apps import __all__  # noqa: F401
