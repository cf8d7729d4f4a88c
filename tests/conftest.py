"""Shared pytest configuration for the simlib tests.

The ``simlib`` hypothesis profile keeps property tests reproducible (derandomized) and fast
enough for the whole suite to run in seconds.
"""

from __future__ import annotations

import os

from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")  # charts render headless in tests

settings.register_profile("simlib", derandomize=True, deadline=None, max_examples=50)
settings.load_profile("simlib")


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    """Every pyplot figure a test opened is closed after it (no figure piles up)."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def cli(capsys):
    """``cli(*argv)``: run ``python -m simlib`` in-process (:func:`simlib.cli.main`); returns
    (exit code, stdout, stderr)."""
    from simlib.cli import main

    def run(*argv) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
