"""Sensitivity: which assumptions drive an indicator (Morris screening, Sobol indices, tornado).

The uncertain parameters are those of :func:`simlib.analysis.uncertainty.priors`. Every method works in
*quantile space*: a sample is one quantile in [0, 1] per parameter, turned into a value by the
parameter's prior (so uniform, triangular and table parameters are treated alike, and the
ranges of ``data/`` are the bounds). Morris and Sobol are SALib's (``SALib.sample.morris`` /
``SALib.analyze.morris`` and ``SALib.sample.sobol`` / ``SALib.analyze.sobol``); they take any
function of a ``(n, k)`` sample matrix, so they are tested on the Ishigami function with its
known indices.

The model function runs every sample through the batch engine at the sweep's collapsed
resolution (see the simplifications in :mod:`simlib.analysis.uncertainty`: no recalibration per draw,
regions and sectors merged into one market per finality by default), a few milliseconds per
sample; :func:`screen_then_sobol` is the whole design of the issue (Morris over every
uncertain parameter, Sobol on the ten that matter most).

**Level or effect.** Every model design (:func:`model_function`, :func:`tornado_table`,
:func:`screen_then_sobol`) takes ``base``: ``None`` analyses the *level* of the indicator in
``scenario``; a scenario name analyses the *effect of the policy*,
``indicator(scenario) - indicator(base)``, with both scenarios run on the same parameter
values in one batch (paired, one burn-in for both). At the level of the baseline a
policy-effect parameter shows no swing (its lever is at today's value, so the parameter is
never read); in the effect of a scenario that moves the lever it does.

**One reference value.** The tornado's centre is the *point run*: the scenario as the apps
run it (:func:`simlib.run`, every parameter at its value in ``data/``, the calibrated ones
included, the full model), or the difference of the two point runs for an effect: the same
number the scenario apps show. The swings are computed at the sweep's resolution and drawn
around that centre (a simplification: at the collapsed resolution the centre run differs
from the full model by a few per cent, see :mod:`simlib.analysis.uncertainty`; the table keeps
both, ``base`` and ``point``).

**Reproducible.** The same seed gives the same Morris and Sobol tables, seed 0 included:
SALib's Sobol analysis treats a seed of 0 as no seed (``if seed:``) and then draws its
bootstrap resamples (the confidence intervals) from NumPy's global generator, so
:func:`sobol` hands it a generator seeded with ``seed`` instead of the integer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from simlib.analysis.uncertainty import RESOLUTION, Prior, evaluate, in_runs, priors, values
from simlib.inputs.scenario import Scenario
from simlib.model.structure import FOCUS_SCHOOL_YEAR, HORIZON_YEARS

__all__ = ["morris", "sobol", "ishigami", "ISHIGAMI_INDICES", "model_function", "tornado_table",
           "screen_then_sobol", "drivers", "point_value"]

Func = Callable[[np.ndarray], np.ndarray]


def _problem(names: Sequence[str], bounds: Sequence[Sequence[float]] | None = None) -> dict:
    return {"num_vars": len(names), "names": list(names),
            "bounds": [list(b) for b in bounds] if bounds is not None
            else [[0.0, 1.0]] * len(names)}


def morris(func: Func, names: Sequence[str], *, trajectories: int = 10, levels: int = 4,
           seed: int = 0, bounds=None) -> pd.DataFrame:
    """Morris elementary effects of ``func`` (a function of an ``(n, k)`` sample): one row
    per input with ``mu_star`` (mean absolute effect), ``sigma`` (spread: interactions or
    nonlinearity) and ``mu_star_conf``, ranked by ``mu_star``. ``trajectories * (k + 1)``
    evaluations."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    problem = _problem(names, bounds)
    X = sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    Y = np.asarray(func(X), float)
    res = analyze.analyze(problem, X, Y, num_levels=levels, seed=seed)
    df = pd.DataFrame({"parameter": list(names), "mu_star": res["mu_star"],
                       "sigma": res["sigma"], "mu_star_conf": res["mu_star_conf"]})
    return df.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)


def sobol(func: Func, names: Sequence[str], *, n: int = 1024, seed: int = 0,
          bounds=None) -> pd.DataFrame:
    """First-order (``S1``) and total (``ST``) Sobol indices of ``func`` with their 95%
    confidence half-widths, ranked by ``ST``. ``n * (k + 2)`` evaluations (Saltelli's scheme
    without second-order terms; ``n`` a power of 2)."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = _problem(names, bounds)
    X = sample.sample(problem, n, calc_second_order=False, seed=seed)
    Y = np.asarray(func(X), float)
    # a generator, not the integer: SALib takes a seed of 0 for "no seed" (``if seed:``) and
    # would draw the bootstrap from NumPy's global generator (for seed >= 1 the same stream)
    res = analyze.analyze(problem, Y, calc_second_order=False,
                          seed=np.random.default_rng(seed))
    df = pd.DataFrame({"parameter": list(names), "S1": res["S1"], "S1_conf": res["S1_conf"],
                       "ST": res["ST"], "ST_conf": res["ST_conf"]})
    return df.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


#: Analytic Sobol indices of the Ishigami function (a = 7, b = 0.1) on [-pi, pi]^3.
ISHIGAMI_INDICES = {"S1": (0.3139, 0.4424, 0.0), "ST": (0.5576, 0.4424, 0.2437)}


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami test function of an ``(n, 3)`` sample on [-pi, pi]^3."""
    X = np.asarray(X, float)
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


ScenarioLike = str | Scenario


def _loaded(scenario: ScenarioLike, base: ScenarioLike | None) -> list[Scenario]:
    """The scenarios a design runs: ``[scenario]`` for a level, ``[scenario, base]`` for an
    effect; ``[scenario]`` too where ``base`` is ``scenario`` itself (same name: its effect
    against itself is zero, one run is enough)."""
    from simlib.inputs.scenario import load_scenario

    out = [s if isinstance(s, Scenario) else load_scenario(s)
           for s in ([scenario] if base is None else [scenario, base])]
    if len(out) == 2 and out[0].name == out[1].name:
        return out[:1]
    return out


def model_function(scenario: ScenarioLike = "baseline",
                   indicator: str = "dual_contract_learners",
                   school_year: str = FOCUS_SCHOOL_YEAR, *, base: ScenarioLike | None = None,
                   group: str = "all", years: int = HORIZON_YEARS,
                   prior_list: Sequence[Prior] | None = None, resolution: str = RESOLUTION,
                   scheduler: str | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Func:
    """A function of an ``(n, k)`` quantile sample (one column per prior, in order) that
    runs the model for every row (through the batch engine, :func:`simlib.analysis.uncertainty.evaluate`,
    at ``resolution``) and returns ``indicator`` for ``group`` in ``school_year`` (NaN where
    it is undefined); with ``base``, the effect ``indicator(scenario) - indicator(base)``
    of each row, both scenarios on that row's values (NaN where either is undefined).
    ``progress(runs done, runs)``, a run being one scenario for one row."""
    plist = tuple(prior_list) if prior_list is not None else priors()
    loaded = _loaded(scenario, base)

    def func(U: np.ndarray) -> np.ndarray:
        U = np.atleast_2d(np.asarray(U, float))
        rows = [values(plist, u) for u in U]
        return _indicator(rows, loaded, base is not None, indicator, school_year, group,
                          years, resolution, scheduler, progress)

    return func


def _indicator(rows, loaded: list[Scenario], effect: bool, indicator, school_year, group,
               years, resolution, scheduler, progress) -> np.ndarray:
    """``indicator`` in ``school_year`` for each parameter set of ``rows``, shape (len(rows),):
    of ``loaded[0]``, or with ``effect`` that of ``loaded[0]`` minus that of ``loaded[-1]``
    (the same scenario twice: zero where it is defined)."""
    table = evaluate(loaded, rows, years=years, indicators=[indicator], groups=[group],
                     resolution=resolution, scheduler=scheduler,
                     progress=in_runs(progress, len(rows), len(loaded)) if progress else None)
    table = table[table["school_year"] == school_year]
    ys = []
    for sc in loaded:
        part = table[table["scenario"] == sc.name]
        if part.empty and rows:
            raise ValueError(f"no value of {indicator!r} for {group!r} in {school_year!r} "
                             f"within {years} years ({sc.name})")
        out = np.full(len(rows), np.nan)
        out[part["draw"].to_numpy()] = part["value"].to_numpy()
        ys.append(out)
    return ys[0] - ys[-1] if effect else ys[0]


def point_value(scenario: ScenarioLike = "baseline", indicator: str = "dual_contract_learners",
                school_year: str = FOCUS_SCHOOL_YEAR, *, base: ScenarioLike | None = None,
                group: str = "all", years: int = HORIZON_YEARS) -> dict[str, float]:
    """The point run's value: ``indicator`` for ``group`` in ``school_year`` of
    :func:`simlib.run` (the full model, every parameter at its value in ``data/``: what the
    scenario apps show). Returns ``{"point": value}``, or for an effect against ``base``
    ``{"point": variant - base, "point_variant": ..., "point_base": ...}``; NaN where the
    indicator has no value."""
    from simlib.model.simulation import run

    def one(sc: Scenario) -> float:
        try:
            return run(sc, years).value(indicator, school_year, group)
        except KeyError:
            return float("nan")

    loaded = _loaded(scenario, base)
    variant = one(loaded[0])
    if base is None:
        return {"point": variant}
    reference = one(loaded[-1]) if len(loaded) > 1 else variant
    return {"point": variant - reference, "point_variant": variant, "point_base": reference}


def tornado_table(scenario: ScenarioLike = "baseline", indicator: str = "dual_contract_learners",
                  school_year: str = FOCUS_SCHOOL_YEAR, *, base: ScenarioLike | None = None,
                  group: str = "all", years: int = HORIZON_YEARS,
                  prior_list: Sequence[Prior] | None = None, resolution: str = RESOLUTION,
                  scheduler: str | None = None,
                  progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """One parameter at a time at the low and the high end of its range (the others at their
    value): the indicator (with ``base``: the effect against ``base``, both scenarios on the
    same values) at each end, and the swing, ranked by swing (``2 k + 1`` runs per scenario
    in one batch; ``progress(runs done, runs)``).

    Columns: ``parameter``, ``low``, ``high``, ``base`` (every parameter at its value, at
    ``resolution``: the run the swings are measured from), ``swing``, and the point run
    (:func:`point_value`: ``point``, for an effect also ``point_variant`` and ``point_base``),
    the tornado's centre. ``low - base`` and ``high - base`` are the bars."""
    plist = tuple(prior_list) if prior_list is not None else priors()
    rows = [{}] + [{p.name: p.ppf(u)} for p in plist for u in (0.0, 1.0)]
    loaded = _loaded(scenario, base)
    y = _indicator(rows, loaded, base is not None, indicator, school_year, group, years,
                   resolution, scheduler, progress)
    ends = y[1:].reshape(len(plist), 2)
    df = pd.DataFrame({"parameter": [p.name for p in plist], "low": ends[:, 0],
                       "high": ends[:, 1], "base": y[0], "swing": np.abs(ends[:, 1] - ends[:, 0])})
    for col, v in point_value(loaded[0], indicator, school_year, group=group, years=years,
                              base=None if base is None else loaded[-1]).items():
        df[col] = v
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def screen_then_sobol(scenario: ScenarioLike = "baseline",
                      indicator: str = "dual_contract_learners",
                      school_year: str = FOCUS_SCHOOL_YEAR, *, base: ScenarioLike | None = None,
                      group: str = "all", years: int = HORIZON_YEARS,
                      trajectories: int = 10, levels: int = 4, top: int = 10, n: int = 1024,
                      seed: int = 0, prior_list: Sequence[Prior] | None = None,
                      resolution: str = RESOLUTION, scheduler: str | None = None,
                      progress: Callable[[int, int], None] | None = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Morris over every uncertain parameter (``trajectories * (k + 1)`` samples), then Sobol
    first and total order on the ``top`` parameters with the largest ``mu_star``
    (``n * (top + 2)`` samples; the other parameters at their value), of the level or, with
    ``base``, of the effect against ``base`` (each sample runs both scenarios). Returns
    (Morris table, Sobol table); the same ``seed`` gives the same tables.
    ``progress(runs done, runs)`` over both stages."""
    plist = tuple(prior_list) if prior_list is not None else priors()
    top = min(top, len(plist))
    per = len(_loaded(scenario, base))
    runs = (per * trajectories * (len(plist) + 1), per * n * (top + 2))
    offset = [0]

    def tick(done: int, total: int) -> None:
        if progress:
            progress(offset[0] + done, sum(runs))

    common = dict(base=base, group=group, years=years, resolution=resolution,
                  scheduler=scheduler, progress=tick)
    f = model_function(scenario, indicator, school_year, prior_list=plist, **common)
    screen = morris(f, [p.name for p in plist], trajectories=trajectories, levels=levels,
                    seed=seed)
    offset[0] = runs[0]
    chosen = list(screen["parameter"][:top])
    by_name = {p.name: p for p in plist}
    g = model_function(scenario, indicator, school_year,
                       prior_list=[by_name[c] for c in chosen], **common)
    return screen, sobol(g, chosen, n=n, seed=seed)


def drivers(screen: pd.DataFrame, sobol_table: pd.DataFrame | None = None,
            lang: str = "nl") -> pd.DataFrame:
    """The ranked table of the assumptions that drive an indicator: the Morris screen (or a
    tornado table) with each parameter's label, unit, range, source or estimate, confidence
    and, where computed, its Sobol indices."""
    from simlib.inputs.glossary import label
    from simlib.inputs.parameters import parameters

    params = parameters()
    key = "mu_star" if "mu_star" in screen else "swing"
    df = screen.copy()
    df["rank"] = np.arange(1, len(df) + 1)
    df["label"] = [label("parameters", n, lang) for n in df["parameter"]]
    df["unit"] = [params[n].unit for n in df["parameter"]]
    df["range"] = [f"{params[n].range[0]:g}–{params[n].range[1]:g}" for n in df["parameter"]]
    df["confidence"] = [params[n].confidence for n in df["parameter"]]
    df["provenance"] = [params[n].provenance for n in df["parameter"]]
    if sobol_table is not None:
        df = df.merge(sobol_table[["parameter", "S1", "ST"]], on="parameter", how="left")
    cols = ["rank", "label", "parameter", key] + [c for c in ("sigma", "S1", "ST") if c in df] + \
        ["unit", "range", "confidence", "provenance"]
    return df[cols]
