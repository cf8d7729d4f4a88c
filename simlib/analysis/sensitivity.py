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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from simlib.analysis.uncertainty import RESOLUTION, Prior, evaluate, in_runs, priors, values
from simlib.model.structure import FOCUS_SCHOOL_YEAR, HORIZON_YEARS

__all__ = ["morris", "sobol", "ishigami", "ISHIGAMI_INDICES", "model_function", "tornado_table",
           "screen_then_sobol", "drivers"]

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
    res = analyze.analyze(problem, Y, calc_second_order=False, seed=seed)
    df = pd.DataFrame({"parameter": list(names), "S1": res["S1"], "S1_conf": res["S1_conf"],
                       "ST": res["ST"], "ST_conf": res["ST_conf"]})
    return df.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


#: Analytic Sobol indices of the Ishigami function (a = 7, b = 0.1) on [-pi, pi]^3.
ISHIGAMI_INDICES = {"S1": (0.3139, 0.4424, 0.0), "ST": (0.5576, 0.4424, 0.2437)}


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami test function of an ``(n, 3)`` sample on [-pi, pi]^3."""
    X = np.asarray(X, float)
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def model_function(scenario: str = "baseline", indicator: str = "dual_contract_learners",
                   school_year: str = FOCUS_SCHOOL_YEAR, *, group: str = "all", years: int = HORIZON_YEARS,
                   prior_list: Sequence[Prior] | None = None, resolution: str = RESOLUTION,
                   scheduler: str | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Func:
    """A function of an ``(n, k)`` quantile sample (one column per prior, in order) that
    runs the model for every row (through the batch engine, :func:`simlib.analysis.uncertainty.evaluate`,
    at ``resolution``) and returns ``indicator`` for ``group`` in ``school_year`` (NaN where
    it is undefined). ``progress(runs done, runs)``."""
    plist = tuple(prior_list) if prior_list is not None else priors()

    def func(U: np.ndarray) -> np.ndarray:
        U = np.atleast_2d(np.asarray(U, float))
        rows = [values(plist, u) for u in U]
        return _indicator(rows, scenario, indicator, school_year, group, years, resolution,
                          scheduler, progress)

    return func


def _indicator(rows, scenario, indicator, school_year, group, years, resolution, scheduler,
               progress) -> np.ndarray:
    """``indicator`` in ``school_year`` for each parameter set of ``rows``, shape (len(rows),)."""
    table = evaluate(scenario, rows, years=years, indicators=[indicator], groups=[group],
                     resolution=resolution, scheduler=scheduler,
                     progress=in_runs(progress, len(rows)) if progress else None)
    table = table[table["school_year"] == school_year]
    if table.empty and rows:
        raise ValueError(f"no value of {indicator!r} for {group!r} in {school_year!r} within "
                         f"{years} years")
    out = np.full(len(rows), np.nan)
    out[table["draw"].to_numpy()] = table["value"].to_numpy()
    return out


def tornado_table(scenario: str = "baseline", indicator: str = "dual_contract_learners",
                  school_year: str = FOCUS_SCHOOL_YEAR, *, group: str = "all", years: int = HORIZON_YEARS,
                  prior_list: Sequence[Prior] | None = None, resolution: str = RESOLUTION,
                  scheduler: str | None = None,
                  progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """One parameter at a time at the low and the high end of its range (the others at their
    value): the indicator at each end, and the swing, ranked by swing (``2 k + 1`` runs in
    one batch; ``progress(runs done, runs)``)."""
    plist = tuple(prior_list) if prior_list is not None else priors()
    rows = [{}] + [{p.name: p.ppf(u)} for p in plist for u in (0.0, 1.0)]
    y = _indicator(rows, scenario, indicator, school_year, group, years, resolution, scheduler,
                   progress)
    ends = y[1:].reshape(len(plist), 2)
    df = pd.DataFrame({"parameter": [p.name for p in plist], "low": ends[:, 0],
                       "high": ends[:, 1], "base": y[0], "swing": np.abs(ends[:, 1] - ends[:, 0])})
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def screen_then_sobol(scenario: str = "baseline", indicator: str = "dual_contract_learners",
                      school_year: str = FOCUS_SCHOOL_YEAR, *, group: str = "all", years: int = HORIZON_YEARS,
                      trajectories: int = 10, levels: int = 4, top: int = 10, n: int = 1024,
                      seed: int = 0, prior_list: Sequence[Prior] | None = None,
                      resolution: str = RESOLUTION, scheduler: str | None = None,
                      progress: Callable[[int, int], None] | None = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Morris over every uncertain parameter (``trajectories * (k + 1)`` runs), then Sobol
    first and total order on the ``top`` parameters with the largest ``mu_star``
    (``n * (top + 2)`` runs; the other parameters at their value). Returns (Morris table,
    Sobol table). ``progress(runs done, runs)`` over both stages."""
    plist = tuple(prior_list) if prior_list is not None else priors()
    top = min(top, len(plist))
    runs = (trajectories * (len(plist) + 1), n * (top + 2))
    offset = [0]

    def tick(done: int, total: int) -> None:
        if progress:
            progress(offset[0] + done, sum(runs))

    common = dict(group=group, years=years, resolution=resolution, scheduler=scheduler,
                  progress=tick)
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
