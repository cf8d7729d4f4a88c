"""The calibrated ensemble: parameter sets from the priors that reproduce the targets.

:func:`fit` samples the posterior of every uncertain parameter of ``data/``
(:func:`simlib.analysis.uncertainty.priors`, the calibrated ones included) given the
calibration targets of 2025-26 (:func:`simlib.analysis.calibration.targets`):

- **Space**: the unit cube, one coordinate per prior (its quantile ``u``; the parameter is
  ``prior.ppf(u)``), so the prior is uniform there: the log-prior is 0 inside the cube and
  -inf outside it.
- **Likelihood**: Gaussian per target, sigma = tolerance x target, so a member exactly at
  every tolerance has log-likelihood -n/2; the tolerances (which say how firm each figure is)
  are the only noise model we have. A simplification: the targets are taken as independent.
- **Sampler**: emcee's ``EnsembleSampler`` with ``vectorize=True``: each step proposes a new
  position for every walker and the batch engine evaluates them as one computation
  (:func:`simlib.analysis.uncertainty.evaluate`, one school year, the sweep's resolution).
  Moves: differential evolution (80%) and its snooker variant (20%), emcee's moves for
  many dimensions (its default stretch move mixes slowly there; not compared here). Why
  MCMC and not ABC: none of 2,000 prior draws meets all targets, so rejection or the first ABC-SMC
  generations would waste nearly every evaluation.
- **Start and burn-in**: the walkers start in a small ball (:data:`START_SPREAD`) around
  the point calibration, which meets every target; the first half of the steps, in which
  the ensemble spreads out over the directions the targets leave free, is discarded.
- **Members**: that chain thinned by the integrated autocorrelation time and
  ``members`` of it drawn with the seed. ``effective_sample_size`` = kept samples / tau.

The fit runs at the sweep's resolution (:data:`simlib.analysis.uncertainty.RESOLUTION`:
regions and sectors merged) because sweeps evaluate members there; the point calibration
(``calibration.toml``) is fitted with the full cohort engine, a few per cent apart.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib.analysis import uncertainty as U
from simlib.analysis.calibration import Target, _years_for, targets

__all__ = ["EnsembleFit", "fit", "target_values", "coverage", "held_back", "provenance",
           "METHOD", "STEPS", "START_SPREAD"]

METHOD = ("emcee EnsembleSampler (vectorized; moves: DEMove 0.8, DESnookerMove 0.2) in the "
          "priors' unit cube (uniform prior there); log-likelihood sum of -0.5 * ((model - "
          "target) / (tolerance * target))^2 over the targets of 2025-26, batch engine at "
          "resolution {resolution}; walkers started in a ball of radius 0.02 around the point "
          "calibration; first half of the steps discarded, the rest thinned by the "
          "integrated autocorrelation time")
#: Steps of the chain by default (each: one batch evaluation of all walkers).
STEPS = 600


@dataclass
class EnsembleFit:
    """The result of :func:`fit`: ``u`` ``(members, parameters)`` in the unit cube, the
    targets' model values ``model`` ``(members, targets)``, and the chain's diagnostics."""

    prior_list: tuple
    targets: list[Target]
    u: np.ndarray
    model: np.ndarray
    seed: int
    walkers: int
    steps: int
    acceptance: float              #: mean acceptance fraction of the walkers
    tau: float                     #: largest integrated autocorrelation time (steps)
    tau_reliable: bool             #: chain longer than 50 tau (emcee's rule)
    effective_sample_size: float   #: kept samples / tau
    thin: int
    evaluations: int
    seconds: float
    resolution: str
    held_out: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.prior_list]


def target_values(table: pd.DataFrame, targets_: Sequence[Target], n: int) -> np.ndarray:
    """``(n, targets)`` model values of ``targets_`` from an indicator table of ``n`` draws
    (:data:`simlib.analysis.uncertainty.INDICATOR_COLUMNS`); NaN where a ratio's denominator
    is 0."""
    wide = table.pivot_table(index="draw", columns=["indicator", "group", "school_year"],
                             values="value", aggfunc="first").reindex(range(n))
    out = np.empty((n, len(targets_)))
    for j, t in enumerate(targets_):
        num = wide[(t.indicator, t.group, t.school_year)].to_numpy(float)
        if t.denominator_group is None:
            out[:, j] = num
        else:
            den = wide[(t.indicator, t.denominator_group, t.school_year)].to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                out[:, j] = np.where(den != 0, num / den, np.nan)
    return out


class _Posterior:
    """Log-posterior of many unit-cube points at once (one batch evaluation)."""

    def __init__(self, prior_list, fitted: list[Target], shown: list[Target], resolution: str,
                 threads: int | None):
        self.prior_list, self.fitted, self.shown = prior_list, fitted, shown
        self.resolution, self.threads = resolution, threads
        self.years = _years_for(t.school_year for t in shown)
        self.indicators = sorted({t.indicator for t in shown})
        self.groups = sorted({g for t in shown for g in (t.group, t.denominator_group) if g})
        index = {t.name: j for j, t in enumerate(shown)}
        self.cols = [index[t.name] for t in fitted]
        self.goal = np.array([t.value for t in fitted])
        self.sigma = np.array([t.tolerance * abs(t.value) for t in fitted])
        self.evaluations = 0

    def model(self, u: np.ndarray) -> np.ndarray:
        """``(len(u), shown targets)`` model values at the unit-cube points ``u``."""
        rows = [U.values(self.prior_list, x) for x in u]
        table = U.evaluate("baseline", rows, years=self.years, indicators=self.indicators,
                           groups=self.groups, resolution=self.resolution,
                           threads=self.threads)
        self.evaluations += len(rows)
        return target_values(table, self.shown, len(rows))

    def loglike(self, model: np.ndarray) -> np.ndarray:
        z = (model[:, self.cols] - self.goal) / self.sigma
        ll = -0.5 * np.sum(z * z, axis=1)
        return np.where(np.isfinite(ll), ll, -np.inf)

    def __call__(self, u: np.ndarray) -> np.ndarray:
        """The log-likelihood inside the unit cube, -inf outside."""
        u = np.atleast_2d(u)
        out = np.full(len(u), -np.inf)
        inside = np.all((u >= 0.0) & (u <= 1.0), axis=1)
        if inside.any():
            out[inside] = self.loglike(self.model(u[inside]))
        return out


#: The walkers start in a ball of this radius (in the unit cube) around the point
#: calibration (the values of ``data/`` with ``calibration.toml``), which meets every target:
#: from prior draws, even with a tempered burn-in (likelihood to the powers 0.003 ... 1), the
#: walkers had not found the region where all targets hold after 1,000 steps (measured: the
#: members' median aanloop-route unqualified share 0.68 against the target 0.375, which the
#: point meets). The first half of the steps lets the ensemble spread from there.
START_SPREAD = 0.02


def _point_u(prior_list) -> np.ndarray:
    """The point calibration's position in the unit cube: each prior's CDF at its value (a
    table at ``u = 0.5``, its values as they are)."""
    out = []
    for p in prior_list:
        if p.is_table or p.high <= p.low:
            out.append(0.5)
            continue
        v = min(max(float(p.value), p.low), p.high)
        # uniform: the CDF at v; triangular (its mode at the value): the CDF at the mode
        out.append((v - p.low) / (p.high - p.low))
    return np.array(out)


def _moves() -> list:
    import emcee

    return [(emcee.moves.DEMove(gamma0=DE_GAMMA), 0.8), (emcee.moves.DESnookerMove(), 0.2)]


#: The differential-evolution step, as a share of the difference of two walkers. emcee's
#: default 2.38 / sqrt(2 * parameters) (0.23 for 55) gave 2% acceptance over 1,000 steps from
#: prior draws; 0.08 from the point calibration's ball gave 57% and an autocorrelation time of
#: 33 steps (600 steps, 112 walkers; the default was not tried from that start).
DE_GAMMA = 0.08


def _available(hold_out: Sequence[str]) -> tuple[list[Target], list[Target]]:
    shown = [t for t in targets() if t.available]
    unknown = sorted(set(hold_out) - {t.name for t in shown})
    if unknown:
        raise ValueError(f"hold_out: {', '.join(unknown)} not an available target; expected "
                         f"some of {', '.join(t.name for t in shown)}")
    fitted = [t for t in shown if t.name not in hold_out]
    if not fitted:
        raise ValueError("hold_out: every target held out; expected at least one to fit")
    return fitted, shown


def _check(members: int, seed: int, steps: int, walkers: int | None, k: int) -> int:
    for name, v, low in (("members", members, 1), ("steps", steps, 2)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValueError(f"{name}: {v!r}; expected an integer of at least {low}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed: {seed!r}; expected an integer >= 0")
    least = 2 * k + 2
    w = walkers if walkers is not None else least + least % 2
    if isinstance(w, bool) or not isinstance(w, int) or w < least or w % 2:
        raise ValueError(f"walkers: {w!r}; expected an even integer of at least {least} "
                         f"(twice the {k} parameters, plus 2)")
    return w


def fit(members: int, *, seed: int = 0, steps: int = STEPS, walkers: int | None = None,
        hold_out: Sequence[str] = (), prior_list: Sequence | None = None,
        resolution: str = U.RESOLUTION, threads: int | None = None,
        progress: Callable[[int, int], None] | None = None) -> EnsembleFit:
    """Sample the calibrated ensemble (see the module docstring) and keep ``members`` of it.

    ``hold_out`` names targets left out of the likelihood (the held-back check; their model
    values are still computed). ``progress(done, steps)`` counts the steps (one batch
    evaluation of every walker each). Reproducible: the same arguments give the same members.
    """
    import emcee

    plist = tuple(prior_list) if prior_list is not None else U.priors()
    k = len(plist)
    w = _check(members, seed, steps, walkers, k)
    started = time.perf_counter()
    fitted, shown = _available(hold_out)
    post = _Posterior(plist, fitted, shown, resolution, threads)
    burn = steps // 2
    random = np.random.RandomState(seed)
    position = np.clip(_point_u(plist) + START_SPREAD * random.standard_normal((w, k)),
                       0.0, 1.0)
    sampler = emcee.EnsembleSampler(w, k, post, vectorize=True, moves=_moves())
    sampler.random_state = random.get_state()
    for done, _ in enumerate(sampler.sample(position, iterations=steps), start=1):
        if progress:
            progress(done, steps)
    chain = sampler.get_chain(discard=burn)  # (steps - burn, walkers, k)
    taus = emcee.autocorr.integrated_time(chain, quiet=True)
    # NaN for a parameter some walker never moved in; at least one step
    tau = max(1.0, float(np.nanmax(taus)) if np.isfinite(taus).any() else float(len(chain)))
    kept = len(chain) * w
    thin = max(1, min(math.ceil(tau), (len(chain) * w) // members))
    flat = chain[::thin].reshape(-1, k)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    pick = np.sort(rng.choice(len(flat), size=min(members, len(flat)), replace=False))
    u = flat[pick]
    return EnsembleFit(
        prior_list=plist, targets=shown, u=u, model=post.model(u), seed=seed, walkers=w,
        steps=steps, acceptance=float(np.mean(sampler.acceptance_fraction)), tau=tau,
        tau_reliable=bool(steps - burn >= 50 * tau), effective_sample_size=kept / tau,
        thin=thin, evaluations=post.evaluations, seconds=time.perf_counter() - started,
        resolution=resolution, held_out=list(hold_out))


def provenance(f: EnsembleFit, command: str) -> dict:
    """The provenance stored with the ensemble (``ensemble.json``)."""
    import datetime as dt

    from simlib.analysis.ensemble import data_files_hash
    from simlib.files.version import __version__, commit

    within = np.abs(f.model / np.array([t.value for t in f.targets]) - 1) <= \
        np.array([t.tolerance for t in f.targets])
    return {
        "date": dt.date.today().isoformat(), "seed": f.seed, "command": command,
        "method": METHOD.format(resolution=f.resolution),
        "targets": {t.name: {"target": t.value, "tolerance": t.tolerance,
                             "description": t.description,
                             "fitted": t.name not in f.held_out,
                             "share_of_members_within_tolerance": float(within[:, j].mean())}
                    for j, t in enumerate(f.targets)},
        "share_of_members_within_all_tolerances": float(within.all(axis=1).mean()),
        "walkers": f.walkers, "steps": f.steps, "burn_in_steps": f.steps // 2,
        "thin": f.thin, "acceptance_fraction": f.acceptance,
        "autocorrelation_time_steps": f.tau, "autocorrelation_time_reliable": f.tau_reliable,
        "effective_sample_size": f.effective_sample_size, "model_runs": f.evaluations,
        "seconds": round(f.seconds, 1), "resolution": f.resolution,
        "simlib_version": __version__, "simlib_commit": commit(),
        "data_hash": data_files_hash(), "calibration": _calibration(),
    }


def _calibration() -> dict | None:
    """The point calibration the walkers started from: its file name and SHA-256 (not the
    path, which is this machine's)."""
    from pathlib import Path

    from simlib.inputs.parameters import calibration_used

    used = calibration_used()
    return None if used is None else {"file": Path(used["file"]).name,
                                      "personal": used["personal"], "sha256": used["sha256"]}


def coverage(model: np.ndarray, targets_: Sequence[Target],
             point: np.ndarray | None = None) -> pd.DataFrame:
    """Per target: target, tolerance, the members' median, 50% and 90% bands, whether each
    band covers the target, the share of members within tolerance; with ``point`` (the
    point calibration's values at the same resolution) its value and its quantile among the
    members."""
    rows = []
    for j, t in enumerate(targets_):
        col = model[:, j][np.isfinite(model[:, j])]
        p5, p25, p50, p75, p95 = np.quantile(col, U.QUANTILES)
        row = {"target": t.name, "value": t.value, "tolerance": t.tolerance,
               "p5": p5, "p25": p25, "p50": p50, "p75": p75, "p95": p95,
               "covered_50": bool(p25 <= t.value <= p75),
               "covered_90": bool(p5 <= t.value <= p95),
               "within_tolerance_share": float(np.mean(np.abs(col / t.value - 1)
                                                       <= t.tolerance))}
        if point is not None:
            row["point"] = float(point[j])
            row["point_quantile"] = float(np.mean(col <= point[j]))
        rows.append(row)
    return pd.DataFrame(rows)


def held_back(name: str, members: int, *, seed: int = 0, steps: int = STEPS,
              progress: Callable[[int, int], None] | None = None) -> dict:
    """Fit without target ``name``; whether the ensemble's 50% and 90% bands cover it."""
    f = fit(members, seed=seed, steps=steps, hold_out=[name], progress=progress)
    j = [t.name for t in f.targets].index(name)
    row = coverage(f.model, f.targets).iloc[j].to_dict()
    return {**row, "held_back": True, "members": len(f.u), "steps": steps,
            "effective_sample_size": f.effective_sample_size}
