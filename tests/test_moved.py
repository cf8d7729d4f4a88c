"""Old import paths keep working for one release, with a warning that names the new one."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from simlib import _moved


@pytest.mark.parametrize("old", sorted(_moved.MOVED))
def test_an_old_path_gives_the_module_at_its_new_place_and_warns(old):
    script = ("import warnings, importlib\nwarnings.filterwarnings('error', '.*has moved to')\n"
              f"import simlib\ntry:\n    importlib.import_module({old!r})\n"
              f"except DeprecationWarning as w:\n    print('W', w)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("W ") and _moved.MOVED[old] in done.stdout


def test_the_old_module_is_the_new_one():
    with pytest.warns(DeprecationWarning, match="simlib.report.plots"):
        old = importlib.import_module("simlib.plots")
    assert old is importlib.import_module("simlib.report.plots")
    assert callable(old.trend)


def test_the_public_functions_keep_their_names():
    import simlib

    assert callable(simlib.levers) and callable(simlib.scenario)
    assert "simlib.levers" not in _moved.MOVED and "simlib.scenario" not in _moved.MOVED
