"""Calibration: fit the free parameters to the targets in ``data/`` (DESIGN.md §3.7).

- **Targets** are entries with ``target = true`` (``data/baseline.toml``). Each names the
  model value it is compared with: an ``indicator`` for a ``group`` in a ``school_year``,
  or the ratio of two groups (``denominator_group``), and a relative ``tolerance`` with the
  reason for it (``tolerance_note``). A target whose group the engine does not produce
  (e.g. ``provider=syntra`` before the strata have a provider axis) is reported as *not
  available at this resolution* and left out of the fit: it is never approximated.
- **Free parameters** are entries with ``calibrated = true``, bounded by their ``range``
  (a table parameter contributes one free value per label). The fit starts from their
  values in the data files (the reasoned estimates), not from an earlier calibration, so
  that it depends only on the data and the engine: with more free values than targets
  the solution is not unique, and the solver stays near its start.
- **Objective**: the sum over available targets of ``((model - target) / target / tolerance)²``.
  A weighted residual of 1 is a target exactly at its tolerance, so the cost says how many
  tolerances the model is away, and targets with wide uncertainty (an estimate) pull less
  than firm ones.
- **Method**: :func:`scipy.optimize.least_squares` with ``dogbox`` (a dogleg trust region
  on the box of the parameter bounds), on each parameter rescaled to [0, 1] over its range.
  The cohort engine computes expected flows (no Monte Carlo noise), so the residuals are
  smooth, deterministic functions of a handful of parameters: a Gauss-Newton-type method
  that uses the residual structure and finite-difference Jacobians needs few model runs
  and respects bounds natively, where Nelder-Mead would need hundreds of runs and L-BFGS-B
  on the summed cost would discard the per-target structure. ``dogbox`` suits a few
  variables with bounds: on the foundation engine it fitted in 4 iterations (27 runs) where
  ``trf``, whose scaling shrinks steps near a bound, zigzagged for 27 (165 runs). The
  rescaling gives parameters of very different sizes (0.005 and 0.06) comparable steps.
  The Jacobian at the start is computed once and used both to screen unreachable targets
  and for the first step.
- **Unreachable targets**: a target outside its tolerance at the start is run once at the
  ends of the parameter ranges that, by the derivatives at the start, move it towards its
  value. If it is still outside tolerance there, on the same side, it is left out of the
  joint fit and reported as unreachable, with how close it got (if it crossed its value it
  is reachable, by continuity). Otherwise the squared loss would trade targets the
  free parameters do reach for a small gain on one they cannot (with the foundation
  engine the early-leaving shares pulled the arbeidsmarkt share out of tolerance and two
  parameters onto their bounds). For a response that is not monotone over the ranges this
  screen is a heuristic: ``fit(drop_unreachable=False)`` fits every target.
- Each evaluation runs the baseline scenario (for as many school years as the latest
  target needs) under :func:`simlib.inputs.parameters.overridden`; the engine keys its start state
  on the parameter values, so the start state is recomputed for every trial.

``python -m simlib calibrate [--write] [--maxiter N]`` runs :func:`fit` and prints target,
model value before and after, relative error and tolerance per target; ``--write`` stores
the fitted values, with the date and the fit, in ``data/calibration.toml``, which
:mod:`simlib.inputs.parameters` overlays on the calibrated parameters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np

from simlib.inputs.parameters import (
    DataError,
    Parameter,
    TargetSpec,
    overridden,
    parameters,
)
from simlib.model.structure import START

__all__ = ["Target", "TargetFit", "FreeValue", "Fit", "targets", "model_values", "fit", "METHOD"]

METHOD = ("scipy.optimize.least_squares (dogbox, bounds = parameter ranges, parameters scaled "
          "to [0, 1], 2-point finite differences); cost = sum of (relative error / tolerance)^2, "
          "plus a weak pull (weight 0.1) towards the data files' values")
#: Significant digits kept for fitted values (the stored values are the ones evaluated).
DIGITS = 6
NOT_AVAILABLE = "not available at this resolution"


@dataclass(frozen=True)
class Target(TargetSpec):
    """A calibration target: its figure from ``data/`` and what it is compared with in the
    model (the :class:`~simlib.inputs.parameters.TargetSpec` fields)."""

    name: str
    value: float
    unit: str
    provenance: str
    available: bool = True
    reason: str | None = None  #: why the target is not available, if it is not

    @property
    def description(self) -> str:
        what = f"{self.indicator}[{self.group}]"
        if self.denominator_group:
            what += f" / {self.indicator}[{self.denominator_group}]"
        return f"{what}, {self.school_year}"


@dataclass(frozen=True)
class TargetFit:
    """One target after the fit: model value before and after, relative error after."""

    name: str
    target: float
    before: float
    model: float
    tolerance: float
    fitted: bool = True        #: False if left out of the joint fit (unreachable)
    note: str | None = None    #: why it was left out

    @property
    def relative_error(self) -> float:
        return (self.model - self.target) / self.target

    @property
    def relative_error_before(self) -> float:
        return (self.before - self.target) / self.target

    @property
    def within_tolerance(self) -> bool:
        return abs(self.relative_error) <= self.tolerance


@dataclass(frozen=True)
class FreeValue:
    """One free value: a calibrated parameter, or one label of a calibrated table.

    ``start`` is the value in the data file (where the fit starts), ``before`` the value in
    use before the fit (with ``data/calibration.toml``), ``after`` the fitted value.
    """

    name: str
    label: str | None
    start: float
    before: float
    after: float
    low: float
    high: float

    @property
    def key(self) -> str:
        return self.name if self.label is None else f"{self.name}[{self.label}]"

    @property
    def at_bound(self) -> bool:
        span = self.high - self.low
        return min(self.after - self.low, self.high - self.after) <= 1e-6 * span


@dataclass(frozen=True)
class Fit:
    """The result of :func:`fit`."""

    values: dict[str, float | dict[str, float]]  #: fitted values, as for ``overridden``
    free: list[FreeValue]
    targets: list[TargetFit]
    skipped: list[Target]        #: targets not available at this resolution
    cost: float                  #: sum of (relative error / tolerance)² over fitted targets
    cost_before: float
    iterations: int              #: Jacobians computed (one per solver iteration)
    evaluations: int             #: model runs, finite differences included
    success: bool
    message: str
    seconds: float
    years: int                   #: school years simulated per evaluation
    method: str = METHOD

    @property
    def all_within_tolerance(self) -> bool:
        return all(t.within_tolerance for t in self.targets)


# --- targets ---------------------------------------------------------------------------------

def _years_for(school_years: Iterable[str]) -> int:
    """School years to simulate so that every one of ``school_years`` is included."""
    school_years = list(school_years)
    idx = [int(y[:4]) - START.year for y in school_years]
    bad = [y for y, i in zip(school_years, idx, strict=True) if i < 0]
    if bad:
        raise DataError(f"calibration targets before the model's first school year "
                        f"{START.year}-{(START.year + 1) % 100:02d}: {bad}")
    return max(idx, default=0) + 1


def _target_params() -> list[Parameter]:
    out = []
    for p in parameters().values():
        if not p.target:
            continue
        if p.target_spec is None:  # the loader requires it; guard against an old loader
            raise DataError(f"data/{p.file}: [{p.name}]: a target needs indicator, school_year, "
                            "tolerance and tolerance_note")
        if isinstance(p.value, Mapping) or p.value == 0:
            raise DataError(f"data/{p.file}: [{p.name}]: a calibration target must be a "
                            "non-zero number")
        out.append(p)
    return out


def _baseline(years: int):
    from simlib.model.simulation import run

    return run("baseline", years=years)


def targets(result=None) -> list[Target]:
    """All calibration targets, each marked available or not at the engine's resolution.

    ``result`` is a baseline :class:`simlib.Result` to read the produced indicators and
    groups from (one is run if not given). A target is *not available* when the engine
    produces no groups on its axis (e.g. ``provider``); an unknown indicator, or an unknown
    label on an axis the engine does produce, is a :class:`DataError` (a typo, not a limit
    of the model).
    """
    params = _target_params()
    if result is None:
        result = _baseline(_years_for(p.target_spec.school_year for p in params))
    df = result.indicators
    indicators = set(df.indicator.unique())
    groups = set(df.group.unique())
    years = set(df.school_year.unique())
    axes = {g.split("=", 1)[0] for g in groups if "=" in g}
    out = []
    for p in params:
        spec = p.target_spec
        where = f"data/{p.file}: [{p.name}]"
        if spec.indicator not in indicators:
            raise DataError(f"{where}: indicator {spec.indicator!r} is not produced by the "
                            f"model; expected one of {sorted(indicators)}")
        if spec.school_year not in years:
            raise ValueError(f"{where}: the result does not include {spec.school_year}; "
                             f"run at least {_years_for([spec.school_year])} school years")
        reason = None
        for g in (spec.group, spec.denominator_group):
            if g is None or g in groups:
                continue
            axis = g.split("=", 1)[0]
            if axis in axes:
                labels = sorted(x for x in groups if x.startswith(axis + "="))
                raise DataError(f"{where}: group {g!r} is not produced; expected one of "
                                f"{labels}")
            reason = (f"{NOT_AVAILABLE}: the engine produces no {g} group (its group "
                      f"axes: {', '.join(sorted(axes))})")
        out.append(Target(**asdict(spec), name=p.name, value=float(p.value), unit=p.unit,
                          provenance=p.provenance, available=reason is None, reason=reason))
    return out


def _value(result, t: Target) -> float:
    num = result.value(t.indicator, t.school_year, t.group)
    if t.denominator_group is None:
        return num
    den = result.value(t.indicator, t.school_year, t.denominator_group)
    return num / den if den else math.nan


def model_values(result, targets_: list[Target] | None = None) -> dict[str, float]:
    """The model's value for each available target, by target name."""
    ts = targets(result) if targets_ is None else targets_
    return {t.name: _value(result, t) for t in ts if t.available}


# --- free parameters -------------------------------------------------------------------------

def _free_values(names: Iterable[str] | None
                 ) -> list[tuple[str, str | None, float, float, float, float]]:
    """(name, label, value in the data file, current value, low, high) per free value."""
    params = parameters()
    if names is None:
        chosen = [p for p in params.values() if p.calibrated]
    else:
        unknown = [n for n in names if n not in params]
        if unknown:
            raise DataError(f"no parameters {unknown} in data/")
        chosen = [params[n] for n in names]
    out = []
    for p in chosen:
        if p.range is None:
            raise DataError(f"data/{p.file}: [{p.name}]: a free parameter needs a range")
        lo, hi = p.range
        start = p.file_value if p.file_value is not None else p.value
        if isinstance(p.value, Mapping):
            out += [(p.name, label, start[label], v, lo, hi) for label, v in p.value.items()]
        else:
            out.append((p.name, None, start, p.value, lo, hi))
    if not out:
        raise DataError("no free parameters: mark some with calibrated = true in data/")
    return out


def _as_values(free, x: np.ndarray) -> dict[str, float | dict[str, float]]:
    values: dict[str, float | dict[str, float]] = {}
    for (name, label, *_), v in zip(free, x, strict=True):
        if label is None:
            values[name] = float(v)
        else:
            values.setdefault(name, {})[label] = float(v)
    return values


def _round(v: float, lo: float, hi: float) -> float:
    r = float(f"{v:.{DIGITS}g}")
    return min(max(r, lo), hi)


# --- the fit ---------------------------------------------------------------------------------

#: Weight of a weak pull towards the data files' values (in the scaled [0, 1] space; a target
#: at its tolerance weighs 1). There are more free values than targets, so many fits are
#: equally good: the pull picks the one nearest the documented starting values, which makes
#: the fit unique and stops it wandering to the ends of the ranges.
PRIOR_WEIGHT = 0.1

#: least_squares settings, in the scaled space and in units of tolerance: a step of 1e-4 of
#: each range (``xtol``) or a relative gain of 0.1% of the cost (``ftol``) changes no target
#: by more than a small fraction of its tolerance, so the solver stops there instead of
#: wandering along directions the targets do not pin down (more free values than targets):
#: on the new engine ftol 1e-8 took 28 iterations for the same cost as 13 with 1e-3.
_SOLVER = {"method": "dogbox", "x_scale": 1.0, "ftol": 1e-3, "xtol": 1e-4, "gtol": 1e-8}
#: Finite-difference step in the scaled space (a millionth of each range).
STEP = 1e-6
#: The fit stops once every fitted target is within this fraction of its tolerance (1% of
#: a 5% tolerance is 0.05% of the target): closer is noise next to the targets' uncertainty.
CLOSE_ENOUGH = 0.01


class _CloseEnough(Exception):
    def __init__(self, v: np.ndarray):
        super().__init__()
        self.v = np.array(v, copy=True)


def _forget_start_states() -> None:
    """Drop the engine's caches keyed on parameter values: every trial of a fit adds one.

    Any ``functools`` cache in :mod:`simlib.model.engine` holding more than a few entries is
    cleared (the start state, keyed on ``parameters()``, is recomputed anyway for new values).
    """
    from simlib.model import engine

    for obj in list(vars(engine).values()):
        info = getattr(obj, "cache_info", None)
        if info is not None and hasattr(obj, "cache_clear") and info().currsize > 4:
            obj.cache_clear()


class _Problem:
    """The fit as a least-squares problem in the scaled space ``v`` in [0, 1] of the movable
    free parameters: the model's weighted residuals ``(model - target) / target /
    tolerance``, cached at the last point asked (least_squares asks the Jacobian where it just
    evaluated), and their finite-difference Jacobian, stepping inward at a bound."""

    def __init__(self, spec, available, scenario, years: int):
        self.spec, self.available, self.scenario, self.years = spec, available, scenario, years
        self.lo = np.array([f[4] for f in spec])
        self.hi = np.array([f[5] for f in spec])
        self.span = np.where(self.hi > self.lo, self.hi - self.lo, 1.0)
        self.movable = self.hi > self.lo  # a zero-width range leaves nothing to fit
        self.x0 = np.array([f[2] for f in spec])  # the data files' values: the fit does not
        self.x_now = np.array([f[3] for f in spec])  # depend on an earlier calibration.toml
        self.u0 = np.clip((self.x0 - self.lo) / self.span, 0.0, 1.0)
        self.v0 = self.u0[self.movable]
        self.goal = np.array([t.value for t in available])
        self.tol = np.array([t.tolerance for t in available])
        self.runs = 0
        self._last: list = [None, None]
        self._start_jac: list[np.ndarray] = []

    def weighted(self, x: np.ndarray) -> np.ndarray:
        """(model - target) / target / tolerance for every available target at ``x``."""
        from simlib.model.simulation import run

        self.runs += 1
        with overridden(_as_values(self.spec, x)):
            vals = model_values(run(self.scenario, years=self.years), self.available)
        _forget_start_states()
        m = np.array([vals[t.name] for t in self.available])
        r = (m - self.goal) / self.goal / self.tol
        if not np.all(np.isfinite(r)):
            bad = [t.name for t, v in zip(self.available, r, strict=True) if not np.isfinite(v)]
            raise RuntimeError(f"the model gives no finite value for targets {bad}")
        return r

    def x_of(self, v: np.ndarray) -> np.ndarray:
        u = self.u0.copy()
        u[self.movable] = np.clip(v, 0.0, 1.0)
        return self.lo + u * self.span

    def at(self, v: np.ndarray) -> np.ndarray:
        if self._last[0] is None or not np.array_equal(self._last[0], v):
            self._last[:] = [np.array(v, copy=True), self.weighted(self.x_of(v))]
        return self._last[1]

    def remember(self, v: np.ndarray, r: np.ndarray) -> None:
        self._last[:] = [np.array(v, copy=True), r]

    def jacobian(self, v: np.ndarray) -> np.ndarray:
        r = self.at(v)
        J = np.empty((len(self.available), v.size))
        for j in range(v.size):
            h = STEP if v[j] + STEP <= 1.0 else -STEP
            w = v.copy()
            w[j] += h
            J[:, j] = (self.weighted(self.x_of(w)) - r) / h
        return J

    def jac0(self) -> np.ndarray:
        """The Jacobian at the start, computed once, when first needed."""
        if not self._start_jac:
            self._start_jac.append(self.jacobian(self.v0))
        return self._start_jac[0]

    def unreachable(self, r0: np.ndarray) -> dict[str, str]:
        """Targets outside their tolerance at the start that stay outside it at the ends of
        the ranges that, by the local derivatives, move them towards their value."""
        out = {}
        for i in np.flatnonzero(np.abs(r0) > 1):
            push = -np.sign(r0[i]) * self.jac0()[i]
            corner = np.where(push > 0, 1.0, np.where(push < 0, 0.0, self.v0))
            r_end = self.weighted(self.x_of(corner))[i]
            if np.sign(r_end) == np.sign(r0[i]) and abs(r_end) > 1:
                t = self.available[i]
                out[t.name] = (
                    f"outside the reach of the free parameters: at the ends of their ranges "
                    f"that move it towards the target it is still {r_end * t.tolerance:+.1%} "
                    f"off (from {r0[i] * t.tolerance:+.1%} at the data files' values; "
                    f"tolerance {t.tolerance:.0%}); "
                    "left out of the joint fit. Parameters acting on it need calibrated = true")
        return out

    def solve(self, fitted: np.ndarray, maxiter: int) -> tuple[np.ndarray, bool, str, int]:
        """least_squares over the fitted targets with a weak pull to the start (PRIOR_WEIGHT);
        stops early once every fitted target is within CLOSE_ENOUGH of its tolerance."""
        from scipy.optimize import least_squares

        v0, jacobians = self.v0, [0]

        def fun(v: np.ndarray) -> np.ndarray:
            r = self.at(v)[fitted]
            if np.max(np.abs(r)) <= CLOSE_ENOUGH:
                raise _CloseEnough(v)
            return np.concatenate([r, PRIOR_WEIGHT * (v - v0)])

        def jac(v: np.ndarray) -> np.ndarray:
            jacobians[0] += 1
            J = (self.jac0() if np.array_equal(v, v0) else self.jacobian(v))[fitted]
            return np.vstack([J, PRIOR_WEIGHT * np.eye(v.size)])

        if not (v0.size and fitted.any()):
            return self.x0, True, "nothing to fit", 0
        try:
            res = least_squares(fun, v0, bounds=(0.0, 1.0), max_nfev=maxiter, jac=jac,
                                **_SOLVER)
            return self.x_of(res.x), bool(res.success), str(res.message), jacobians[0]
        except _CloseEnough as done:
            return (self.x_of(done.v), True, f"stopped: every fitted target is within "
                    f"{CLOSE_ENOUGH:.0%} of its tolerance", jacobians[0])


def fit(maxiter: int = 200, free: Iterable[str] | None = None,
        drop_unreachable: bool = True) -> Fit:
    """Fit the free parameters to the available targets; see the module docstring.

    ``maxiter`` bounds the optimizer's function evaluations (``max_nfev``; finite-difference
    runs come on top). ``free`` names the free parameters (default: every ``calibrated =
    true`` parameter; other names are for exploration only, calibration.toml accepts only
    calibrated ones). The fit starts from the values in the data files, not from an earlier
    ``calibration.toml``, so its result depends only on the data and the engine; "before"
    is the model with the values in use. With ``drop_unreachable``, a target outside its
    tolerance at the start that stays outside it at the ends of the ranges that move it
    towards its value is left out of the joint fit (and reported as unreachable). The fitted
    values are rounded to ``DIGITS`` significant digits, and the reported model values are
    those of the rounded values.
    """
    from simlib.inputs.scenario import load_scenario

    if isinstance(maxiter, bool) or not isinstance(maxiter, int) or maxiter < 1:
        raise ValueError(f"maxiter must be a positive integer, not {maxiter!r}")
    started = time.perf_counter()
    all_targets = targets()
    available = [t for t in all_targets if t.available]
    if not available:
        raise DataError("no calibration target is available at the engine's resolution")
    spec = _free_values(free)
    pb = _Problem(spec, available, load_scenario("baseline"),
                  _years_for(t.school_year for t in available))
    r_now = pb.weighted(pb.x_now)
    r0 = r_now if np.array_equal(pb.x0, pb.x_now) else pb.weighted(pb.x0)
    pb.remember(pb.v0, r0)
    unreachable = pb.unreachable(r0) if drop_unreachable and pb.v0.size else {}
    fitted = np.array([t.name not in unreachable for t in available])
    x_best, success, message, jacobians = pb.solve(fitted, maxiter)
    x_best = np.array([_round(v, a, b) for v, a, b in zip(x_best, pb.lo, pb.hi, strict=True)])
    r1 = pb.weighted(x_best)
    before, after = (pb.goal * (1 + r * pb.tol) for r in (r_now, r1))
    return Fit(
        values=_as_values(spec, x_best),
        free=[FreeValue(name, label, float(s), float(b), float(a), float(lo_), float(hi_))
              for (name, label, s, b, lo_, hi_), a in zip(spec, x_best, strict=True)],
        targets=[TargetFit(t.name, t.value, float(b), float(a), t.tolerance,
                           fitted=t.name not in unreachable, note=unreachable.get(t.name))
                 for t, b, a in zip(available, before, after, strict=True)],
        skipped=[t for t in all_targets if not t.available],
        cost=float(np.sum(r1[fitted] ** 2)),
        cost_before=float(np.sum(r_now[fitted] ** 2)),
        iterations=jacobians,
        evaluations=pb.runs,
        success=success,
        message=message,
        seconds=time.perf_counter() - started,
        years=pb.years,
    )
