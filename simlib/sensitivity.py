"""Sensitivity: which assumptions drive an indicator (Morris screening, Sobol indices, tornado).

The uncertain parameters are those of :func:`simlib.uncertainty.priors`. Every method works in
*quantile space*: a sample is one quantile in [0, 1] per parameter, turned into a value by the
parameter's prior (so uniform, triangular and table parameters are treated alike, and the
ranges of ``data/`` are the bounds). Morris and Sobol are SALib's (``SALib.sample.morris`` /
``SALib.analyze.morris`` and ``SALib.sample.sobol`` / ``SALib.analyze.sobol``); they take any
function of a ``(n, k)`` sample matrix, so they are tested on the Ishigami function with its
known indices.

The model function runs the engine once per sample (see the simplifications in
:mod:`simlib.uncertainty`: no recalibration per draw, no collapsed axes, not yet the batch
engine), so a Morris screen of all parameters takes minutes and a Sobol analysis with 1,024
base samples is out of reach today; the notebook keeps the sample sizes small and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from simlib.uncertainty import Prior, priors, values

__all__ = ["morris", "sobol", "ishigami", "ISHIGAMI_INDICES", "model_function", "tornado_table",
           "drivers"]

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
                   school_year: str = "2030-31", *, group: str = "all", years: int = 10,
                   prior_list: Sequence[Prior] | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Func:
    """A function of an ``(n, k)`` quantile sample (one column per prior, in order) that
    runs the model for each row and returns ``indicator`` for ``group`` in ``school_year``."""
    from simlib.parameters import overridden
    from simlib.scenario import load_scenario
    from simlib.simulation import run

    sc = load_scenario(scenario)
    plist = tuple(prior_list) if prior_list is not None else priors()

    def func(U: np.ndarray) -> np.ndarray:
        U = np.atleast_2d(np.asarray(U, float))
        out = np.empty(len(U))
        for row, u in enumerate(U):
            with overridden(values(plist, u)):
                out[row] = run(sc, years=years).value(indicator, school_year, group)
            if progress:
                progress(row + 1, len(U))
        return out

    return func


def tornado_table(scenario: str = "baseline", indicator: str = "dual_contract_learners",
                  school_year: str = "2030-31", *, group: str = "all", years: int = 10,
                  prior_list: Sequence[Prior] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """One parameter at a time at the low and the high end of its range (the others at their
    value): the indicator at each end, and the swing, ranked by swing (``2 k + 1`` runs;
    ``progress(runs done, 2 k + 1)``)."""
    from simlib.parameters import overridden
    from simlib.scenario import load_scenario
    from simlib.simulation import run

    sc = load_scenario(scenario)
    plist = tuple(prior_list) if prior_list is not None else priors()
    base = run(sc, years=years).value(indicator, school_year, group)
    total = 2 * len(plist) + 1
    if progress:
        progress(1, total)
    rows = []
    for n, p in enumerate(plist):
        ends = []
        for u in (0.0, 1.0):
            with overridden({p.name: p.ppf(u)}):
                ends.append(run(sc, years=years).value(indicator, school_year, group))
        rows.append({"parameter": p.name, "low": ends[0], "high": ends[1], "base": base,
                     "swing": abs(ends[1] - ends[0])})
        if progress:
            progress(2 * n + 3, total)
    df = pd.DataFrame(rows)
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def drivers(screen: pd.DataFrame, sobol_table: pd.DataFrame | None = None,
            lang: str = "nl") -> pd.DataFrame:
    """The ranked table of the assumptions that drive an indicator: the Morris screen (or a
    tornado table) with each parameter's label, unit, range, source or estimate, confidence
    and, where computed, its Sobol indices."""
    from simlib.parameters import parameters

    params = parameters()
    key = "mu_star" if "mu_star" in screen else "swing"
    df = screen.copy()
    df["rank"] = np.arange(1, len(df) + 1)
    df["unit"] = [params[n].unit for n in df["parameter"]]
    df["range"] = [f"{params[n].range[0]:g}–{params[n].range[1]:g}" for n in df["parameter"]]
    df["confidence"] = [params[n].confidence for n in df["parameter"]]
    df["provenance"] = [params[n].provenance for n in df["parameter"]]
    if sobol_table is not None:
        df = df.merge(sobol_table[["parameter", "S1", "ST"]], on="parameter", how="left")
    cols = ["rank", "parameter", key] + [c for c in ("sigma", "S1", "ST") if c in df] + \
        ["unit", "range", "confidence", "provenance"]
    return df[cols]
