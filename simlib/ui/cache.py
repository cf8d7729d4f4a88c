"""The apps' memory: model runs and uncertainty sweeps remembered per setting, and the
uncertainty bands a chart draws.

Going back to an earlier lever setting is instant: :func:`run_cached` keeps the last
:data:`CACHE_SIZE` runs (``RUNS["count"]`` counts the real ones), :func:`bands_cached` the
last sweeps per scenario, indicator, group, years, draws and seed. :class:`Bands` draws the
50% and 90% bands on the charts that take them (:data:`BAND_KINDS`). Widget-free.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from simlib.analysis import uncertainty as U
from simlib.inputs import scenario as _scenarios
from simlib.model import simulation as _simulation
from simlib.model.structure import HORIZON_YEARS
from simlib.report import uncertainty_plots as UP

__all__ = ["Bands", "bands_cached", "baseline", "run_cached", "clear_cache", "RUNS",
           "CACHE_SIZE", "BAND_DRAWS", "BAND_SEED", "BAND_KINDS"]

CACHE_SIZE = 32
#: The uncertainty bands of the apps: parameter draws offered first, and the seed.
BAND_DRAWS = 50
BAND_SEED = 0
#: Charts that can show uncertainty bands.
BAND_KINDS = ("trend", "difference")


# --- running, with a cache -----------------------------------------------------------------

_CACHE: OrderedDict = OrderedDict()
RUNS = {"count": 0}


def _key(scenario, years: int, extra_modules: Sequence = ()) -> tuple:
    changed = scenario.changed()
    # the module objects themselves (not their names): a module redefined in a notebook
    # under the same name is a new module and must run again
    return (years, scenario.name, scenario.label_nl, scenario.label_en,
            tuple(sorted((k, tuple(v.items())) for k, v in changed.items())),
            tuple(extra_modules))


def run_cached(scenario, years: int = HORIZON_YEARS, extra_modules: Sequence = ()):
    """``simlib.run(scenario, years)``, remembered for the last :data:`CACHE_SIZE` settings
    (keyed by the scenario's name, labels and lever schedules, and the extra policy modules
    given). ``RUNS["count"]`` counts the real runs."""
    key = _key(scenario, years, extra_modules)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    if extra_modules:
        result = _simulation.run(scenario, years=years, extra_modules=tuple(extra_modules))
    else:
        result = _simulation.run(scenario, years=years)
    _ = result.indicators  # computed once, here, not at every redraw
    RUNS["count"] += 1
    _CACHE[key] = result
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


def clear_cache() -> None:
    """Forget every cached run and every cached sweep of :func:`bands_cached`, and the
    engine's reference runs (:mod:`simlib.model.engine.resume`): the next run computes all
    its months."""
    from simlib.model.engine import resume

    _CACHE.clear()
    _SWEEPS.clear()
    resume.forget()


# --- uncertainty bands, with a cache -------------------------------------------------------

_SWEEPS: OrderedDict = OrderedDict()


@dataclass(frozen=True)
class Bands:
    """The uncertainty bands of the scenarios a chart shows, from one set of paired draws.

    ``table``: :func:`simlib.analysis.uncertainty.bands` of every scenario (columns scenario,
    indicator, group, school_year, p5, p25, p50, p75, p95, draws, unit); ``difference``: the
    bands of the last scenario minus the first (same columns), None with one scenario;
    ``meta``: the sweep's ``meta`` (draws, seed, parameters; ``scenarios`` in chart order).
    """

    table: pd.DataFrame
    difference: pd.DataFrame | None
    meta: dict
    indicator: str
    group: str

    def draw(self, axes, kinds: Sequence[str], table: pd.DataFrame | None, lang: str,
             scenarios: Sequence[str]) -> tuple[pd.DataFrame | None, str | None]:
        """Add the bands to the charts of ``kinds`` on ``axes`` (those of
        :data:`BAND_KINDS`; ``scenarios``: the names of a trend's lines, in order). Returns
        the chart's table with the band columns (the difference table's prefixed
        ``difference_``) and the footnote saying what the bands are (None if no chart took
        bands)."""
        opts = {"indicator": self.indicator, "group": self.group}
        drawn = []
        for ax, kind in zip(axes, kinds, strict=True):
            if kind == "trend":
                UP.trend_bands(self.table, ax, lang, scenarios=scenarios, **opts)
            elif kind == "difference" and self.difference is not None:
                UP.difference_bands(self.difference, ax, lang, **opts)
            else:
                continue
            drawn.append(kind)
        if not drawn:
            return table, None
        if table is None:
            pass
        elif "difference" in kinds:  # the chart's table is the difference's (Chart.redraw)
            if "difference" in drawn:
                table = UP.with_bands(table, self.difference,
                                      ["indicator", "group", "school_year"],
                                      prefix="difference_")
        elif kinds[0] == "trend":
            table = UP.with_bands(table, self.table,
                                  ["scenario", "indicator", "group", "school_year"])
        note = UP.band_note(self.meta, lang, kinds=drawn, paired=len(self.meta["scenarios"]) > 1)
        return table, note


def _band_resolution(group: str) -> str:
    """The sweep resolution for bands of ``group``: the sweep's default
    (:data:`simlib.analysis.uncertainty.RESOLUTION`) unless that merges the group's axis, else the
    coarsest that keeps it (a region needs the full model)."""
    from simlib.model.engine import RESOLUTIONS

    axis = group.partition("=")[0]
    order = [U.RESOLUTION, *sorted(RESOLUTIONS, key=lambda r: -len(RESOLUTIONS[r]))]
    return next(r for r in order if axis not in RESOLUTIONS[r])


def bands_cached(scenarios: Sequence, indicator: str, group: str = "all", years: int = HORIZON_YEARS,
                 draws: int = BAND_DRAWS, seed: int = BAND_SEED,
                 progress: Callable[[int, int], None] | None = None,
                 source: str = "ensemble") -> Bands:
    """:class:`Bands` of ``scenarios`` (Scenario objects, in chart order) for one indicator
    and group: :func:`simlib.analysis.uncertainty.sweep` of those not swept before, remembered per
    scenario (its name, labels and lever schedules), indicator, group, years, draws and seed
    for the last :data:`CACHE_SIZE` of them. ``progress(done, total)`` follows the sweep.
    ``source``: ``"ensemble"`` (members of the calibrated ensemble, the default) or
    ``"prior"`` (parameters from their priors, not calibrated; the footnote says which).
    The sweep runs at its default resolution, or a finer one where that merges the group's
    axis (``meta["collapsed_axes"]`` says which axes were merged).

    A scenario swept alone gets the same draws as in a sweep with others (the draws depend on
    the seed and the chunk only), so bands of scenarios swept at different times stay paired.
    """
    keys = {_key(sc, years): sc for sc in scenarios}  # the same scenario twice: once
    names = [sc.name for sc in keys.values()]
    if len(set(names)) != len(names):
        raise ValueError(f"scenarios must have distinct names; got {names}")
    wanted = {k: (k, indicator, group, draws, seed, source) for k in keys}
    missing = [sc for k, sc in keys.items() if wanted[k] not in _SWEEPS]
    if missing:
        sw = U.sweep(missing, draws=draws, seed=seed, years=years, indicators=[indicator],
                     groups=[group], resolution=_band_resolution(group), progress=progress,
                     source=source)
        for sc in missing:
            rows = sw.indicators[sw.indicators["scenario"] == sc.name]
            _SWEEPS[wanted[_key(sc, years)]] = U.Sweep(sw.draws, rows, sw.meta)
    parts = [_SWEEPS[wanted[k]] for k in keys]
    for key in wanted.values():
        _SWEEPS.move_to_end(key)
    while len(_SWEEPS) > CACHE_SIZE:
        _SWEEPS.popitem(last=False)
    sw = U.Sweep(parts[0].draws, pd.concat([p.indicators for p in parts], ignore_index=True),
                 {**parts[0].meta, "scenarios": names})
    difference = sw.difference(names[0], names[-1]) if len(names) > 1 else None
    return Bands(sw.bands(), difference, sw.meta, indicator, group)


def baseline(years: int = HORIZON_YEARS):
    """The baseline (``scenarios/baseline.toml``) over ``years`` school years, cached."""
    return run_cached(_scenarios.load_scenario("baseline"), years)
