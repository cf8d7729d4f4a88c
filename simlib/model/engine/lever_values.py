"""Lever values per simulated month, from a scenario's dated schedules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simlib.inputs.levers import levers
from simlib.model.structure import Timeline

__all__ = ["LeverValues"]


class LeverValues:
    """Lever values per simulated month: ``lv[lever_id]`` is an array of shape (T,).

    A lever whose ``parent`` lever is off in a month takes its default in that month.
    """

    def __init__(self, schedules: dict[str, dict[str, object]], timeline: Timeline):
        self._registry = {lv.id: lv for lv in levers()}
        self._at_today: dict[tuple[str, ...], bool] = {}
        iso = np.array(timeline.iso())
        self._values: dict[str, np.ndarray] = {}
        for lever_id, schedule in schedules.items():
            dates = np.array(list(schedule))
            idx = np.clip(np.searchsorted(dates, iso, side="right") - 1, 0, None)
            vals = np.array(list(schedule.values()), dtype=object)[idx]
            kind = self._registry[lever_id].kind
            dtype = {"bool": bool, "int": float, "float": float}.get(kind, object)
            self._values[lever_id] = vals.astype(dtype)
        for lever_id, lever in self._registry.items():
            if lever.parent is not None and lever_id in self._values:
                on = self._values[lever.parent].astype(bool)
                self._values[lever_id] = np.where(on, self._values[lever_id],
                                                  self._default_value(lever_id))

    def __getitem__(self, lever_id: str) -> np.ndarray:
        return self._values[lever_id]

    def today(self, lever_id: str):
        """Today's value of ``lever_id`` (its registry default)."""
        return self._registry[lever_id].default

    def at_today(self, lever_ids: Sequence[str]) -> bool:
        """Whether every lever of ``lever_ids`` is at today's value in every month."""
        key = tuple(lever_ids)
        cached = self._at_today.get(key)
        if cached is None:
            cached = self._at_today[key] = all(
                bool(np.all(self._values[k] == self._default_value(k))) for k in key)
        return cached

    def _default_value(self, lever_id: str):
        lever = self._registry[lever_id]
        return lever.default if lever.kind == "choice" else float(lever.default)

