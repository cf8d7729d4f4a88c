"""Small helpers shared by the policy modules."""

import numpy as np

from simlib.inputs.parameters import param


def monthly(values) -> np.ndarray:
    """Lever values over months as a (T, 1) factor for ``Rate.scaled``."""
    return np.asarray(values, float).reshape(-1, 1)


def on(lv, lever_id: str) -> np.ndarray:
    """A bool lever over months as 0/1 floats, shape (T,)."""
    return np.asarray(lv[lever_id], bool).astype(float)


def switch_factor(lv, lever_id: str, effect: str) -> np.ndarray:
    """(T, 1) factor ``1 + param(effect)`` in months the bool lever is on, else 1."""
    return monthly(1.0 + on(lv, lever_id) * param(effect))


def years_since_start(ctx) -> np.ndarray:
    """Years since September 2025 at each month, shape (T,)."""
    return np.arange(ctx.months) / 12.0
