"""Parameters with provenance, loaded from the project's ``data/`` folder.

Every number in ``data/*.toml`` carries its value, unit, plausible range, a source (title,
year, where) or the reasoning of an estimate, and a confidence label. Tables (a value per
label of one axis) are TOML inline tables with an ``axis`` key. The loader is strict:
unknown keys, a missing unit or provenance, or a value outside its range are errors.

Three layers decide the value :func:`param` returns, last one wins:

1. the entry in ``data/<file>.toml`` (every ``*.toml`` except ``calibration.toml``);
2. the calibration's ``[values]`` (:func:`calibration_file`): ``data/calibration.toml``,
   written by ``python -m simlib calibrate --write``, or, from the installed package, the
   user's own ``calibration.toml`` (:func:`calibration_home`) read instead of the shipped
   one; it may name only ``calibrated = true`` parameters, within their range; such a
   parameter records the fit date in :attr:`Parameter.calibration`, and run metadata which
   file it was (:func:`calibration_used`);
3. :func:`overridden`, a context manager for calibration and uncertainty draws.

Calibration targets (``target = true``) also say what in the model they are compared with:
``indicator``, ``group``, ``denominator_group``, ``school_year``, ``tolerance`` and
``tolerance_note`` (see :class:`TargetSpec` and ``simlib.analysis.calibration``).

Uncertainty: every entry that is not a target is either uncertain -- a ``distribution``
(its prior over ``range``, drawn by ``simlib.analysis.uncertainty``) -- or ``fixed``, a
sentence of at least five words saying why it does not vary (a count, a legal amount, a
definition, a composition the one-piece table draw cannot move; see ``data/README.md``).
The loader refuses an entry with both, a short reason, and ``fixed`` on a calibrated
parameter (a calibrated parameter keeps a distribution: its prior). Calibration targets are
observations, not parameters: they carry neither (their ``range`` is the target's own
plausible span, their ``tolerance`` what the fit allows). That every non-target entry has
one of the two is checked by ``tests/inputs/test_priors_complete.py``, not here, so that a
scratch data folder of a test or a user may still hold bare entries.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import math
import numbers
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from simlib.files.resources import (
    _root,
    data_dir,
    project_root,
    scenarios_dir,
    user_dir,
    working_copy,
)

__all__ = [
    "Parameter",
    "TargetSpec",
    "DataError",
    "CALIBRATION_FILE",
    "calibration_home",
    "calibration_file",
    "calibration_used",
    "PARAMETER_FILES",  # noqa: F822 -- served by the module __getattr__ (always current)
    "parameter_files",
    "project_root",
    "data_dir",
    "scenarios_dir",
    "parameters",
    "param",
    "overridden",
    "active_overrides",
    "reload",
    "school_days_by_month",
    "data_hash",
]

CONFIDENCE = ("high", "medium", "low", "very_low")
DISTRIBUTIONS = ("uniform", "triangular")
#: Keys that describe a calibration target (only on entries with ``target = true``).
TARGET_KEYS = frozenset(("indicator", "group", "denominator_group", "school_year", "tolerance",
                         "tolerance_note"))
_KEYS = frozenset(
    ("value", "axis", "unit", "range", "distribution", "source", "estimate", "confidence",
     "calibrated", "target", "url", "fixed")
) | TARGET_KEYS
#: The file written by ``python -m simlib calibrate --write``; an overlay, not a parameter file.
CALIBRATION_FILE = "calibration.toml"
_GROUP = re.compile(r"^(all|[a-z_]+=[A-Za-z0-9_.-]+)$")
_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


class DataError(ValueError):
    """A file in ``data/`` is malformed or lacks provenance."""


def _data_root(env: str | None) -> str:
    """The data folder for the value ``env`` of ``SIMLIB_HOME`` (cached: a hot path)."""
    return _data_root_cached(env)


@lru_cache(maxsize=16)
def _data_root_cached(env: str | None) -> str:
    return str(_root(env) / "data")


def parameter_files(root: str | Path | None = None) -> tuple[str, ...]:
    """Names of the parameter files: every ``*.toml`` in ``data/`` but ``calibration.toml``, sorted."""
    folder = Path(root) if root is not None else data_dir()
    return tuple(sorted(p.name for p in folder.glob("*.toml") if p.name != CALIBRATION_FILE))


def __getattr__(name: str) -> Any:
    # PARAMETER_FILES is looked up afresh, so a file added to data/ is picked up.
    if name == "PARAMETER_FILES":
        return parameter_files()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class TargetSpec:
    """What a calibration target is compared with in the model.

    The model value is ``indicator`` for ``group`` in ``school_year``; with a
    ``denominator_group`` it is the ratio indicator[group] / indicator[denominator_group]
    (e.g. the share of dual learners in a finality). ``tolerance`` is relative:
    ``|model - target| <= tolerance * target``; ``tolerance_note`` says why.
    """

    indicator: str
    group: str
    denominator_group: str | None
    school_year: str
    tolerance: float
    tolerance_note: str


@dataclass(frozen=True)
class Parameter:
    """One figure from ``data/``: a scalar ``value`` or a mapping label -> value over ``axis``.

    ``fixed`` is the reason an entry does not vary in uncertainty runs (None for an
    uncertain entry, which has a ``distribution``, and for a calibration target).
    ``calibration`` is the date of the fit (``data/calibration.toml``) when the value comes
    from calibration rather than from the data file, and ``file_value`` is then the value
    in the data file (the reasoned starting value of the fit); ``overridden`` is true inside
    :func:`overridden`. ``target_spec`` is set on calibration targets.
    """

    name: str
    file: str
    value: float | MappingProxyType
    axis: str | None
    unit: str
    range: tuple[float, float] | None
    distribution: str | None
    source: str | None
    estimate: str | None
    confidence: str
    calibrated: bool
    target: bool
    target_spec: TargetSpec | None = None
    calibration: str | None = None
    file_value: float | MappingProxyType | None = None
    overridden: bool = False
    fixed: str | None = None

    @property
    def provenance(self) -> str:
        """The source, or ``"estimate: <reasoning>"``; says so when the value is fitted."""
        text = self.source if self.source else f"estimate: {self.estimate}"
        if self.calibration:
            text += f" [value calibrated to the targets, fit of {self.calibration}, " \
                    f"data/{CALIBRATION_FILE}]"
        if self.overridden:
            text += " [value overridden for this run]"
        return text


def _number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _target_spec(where: str, raw: dict) -> TargetSpec | None:
    present = sorted(TARGET_KEYS & set(raw))
    if not raw.get("target"):
        if present:
            raise DataError(f"{where}: {present} only allowed on a calibration target "
                            "(target = true)")
        return None
    missing = [k for k in ("indicator", "school_year", "tolerance", "tolerance_note")
               if k not in raw]
    if missing:
        raise DataError(f"{where}: a calibration target needs {missing}; expected indicator, "
                        "school_year (e.g. \"2025-26\"), tolerance (relative) and "
                        "tolerance_note (why)")
    indicator = raw["indicator"]
    if not (isinstance(indicator, str) and re.fullmatch(r"[a-z][a-z0-9_]*", indicator)):
        raise DataError(f"{where}: indicator must be an indicator id, not {indicator!r}")
    groups = {}
    for key, default in (("group", "all"), ("denominator_group", None)):
        g = raw.get(key, default)
        if g is not None and not (isinstance(g, str) and _GROUP.fullmatch(g)):
            raise DataError(f"{where}: {key} must be \"all\" or \"axis=label\", not {g!r}")
        groups[key] = g
    if groups["denominator_group"] == groups["group"]:
        raise DataError(f"{where}: denominator_group equals group (the ratio would be 1)")
    year = raw["school_year"]
    m = _SCHOOL_YEAR.fullmatch(year) if isinstance(year, str) else None
    if not m or (int(m[1]) + 1) % 100 != int(m[2]):
        raise DataError(f"{where}: school_year must look like \"2025-26\", not {year!r}")
    tol = raw["tolerance"]
    if not _number(tol) or not 0 < tol <= 1:
        raise DataError(f"{where}: tolerance must be a relative number in (0, 1], not {tol!r}")
    note = raw["tolerance_note"]
    if not isinstance(note, str) or len(note.split()) < 5:
        raise DataError(f"{where}: tolerance_note must say why the tolerance is what it is")
    return TargetSpec(indicator=indicator, group=groups["group"],
                      denominator_group=groups["denominator_group"], school_year=year,
                      tolerance=float(tol), tolerance_note=note)


def _build(file: str, name: str, raw: Any) -> Parameter:
    where = f"data/{file}: [{name}]"
    if not isinstance(raw, dict):
        raise DataError(f"{where}: must be a table")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise DataError(f"{where}: unknown keys {unknown}; allowed {sorted(_KEYS)}")
    for key in ("value", "unit", "confidence"):
        if key not in raw:
            raise DataError(f"{where}: missing {key}")
    if bool(raw.get("source")) == bool(raw.get("estimate")):
        raise DataError(f"{where}: needs exactly one of source or estimate (with its reasoning)")
    if raw["confidence"] not in CONFIDENCE:
        raise DataError(f"{where}: confidence must be one of {CONFIDENCE}")
    dist = raw.get("distribution")
    if dist is not None and dist not in DISTRIBUTIONS:
        raise DataError(f"{where}: distribution must be one of {DISTRIBUTIONS}")
    fixed = _fixed_reason(where, raw)
    value = raw["value"]
    if isinstance(value, dict):
        if not raw.get("axis"):
            raise DataError(f"{where}: a table value needs an axis")
        if not value or not all(_number(v) for v in value.values()):
            raise DataError(f"{where}: table values must be numbers")
        values = [float(v) for v in value.values()]
        value = MappingProxyType({str(k): float(v) for k, v in value.items()})
    elif _number(value):
        value = float(value)
        values = [value]
    else:
        raise DataError(f"{where}: value must be a number or a table of numbers")
    rng = raw.get("range")
    if rng is not None:
        if not (isinstance(rng, list) and len(rng) == 2 and all(_number(v) for v in rng)):
            raise DataError(f"{where}: range must be [low, high]")
        lo, hi = float(rng[0]), float(rng[1])
        if lo > hi or any(v < lo or v > hi for v in values):
            raise DataError(f"{where}: value outside its range [{lo}, {hi}]")
        rng = (lo, hi)
    elif dist is not None or raw.get("calibrated"):
        raise DataError(f"{where}: an uncertain or calibrated parameter needs a range")
    return Parameter(
        name=name,
        file=file,
        value=value,
        axis=raw.get("axis"),
        unit=raw["unit"],
        range=rng,
        distribution=dist,
        source=raw.get("source"),
        estimate=raw.get("estimate"),
        confidence=raw["confidence"],
        calibrated=bool(raw.get("calibrated", False)),
        target=bool(raw.get("target", False)),
        target_spec=_target_spec(where, raw),
        fixed=fixed,
    )


def _fixed_reason(where: str, raw: dict) -> str | None:
    """The entry's ``fixed`` reason, checked: a sentence (five words or more), never with a
    ``distribution``, on a calibrated parameter or on a calibration target."""
    if raw.get("target") and ("fixed" in raw or "distribution" in raw):
        raise DataError(f"{where}: a calibration target is an observation, not a parameter: "
                        "it takes neither fixed nor distribution")
    if "fixed" not in raw:
        return None
    reason = raw["fixed"]
    if not isinstance(reason, str) or len(reason.split()) < 5:
        raise DataError(f"{where}: fixed must say why the entry does not vary (a sentence of "
                        f"at least five words: a count, a legal amount, a definition...), "
                        f"not {reason!r}")
    if "distribution" in raw:
        raise DataError(f"{where}: both fixed and distribution; an entry is either uncertain "
                        "(distribution over its range) or fixed (with its reason)")
    if raw.get("calibrated"):
        raise DataError(f"{where}: a calibrated parameter cannot be fixed; it keeps a "
                        "distribution (its prior over the range it is fitted in)")
    return reason


def _new_value(p: Parameter, value: Any, where: str) -> float | MappingProxyType:
    """``value`` checked against ``p`` (type, labels, range); a table may name some labels."""
    lo, hi = p.range if p.range is not None else (-math.inf, math.inf)

    def check(x: Any, label: str = "") -> float:
        if not _number(x) or not math.isfinite(float(x)):
            raise DataError(f"{where}: {p.name}{label} must be a finite number, not {x!r}")
        if not lo <= float(x) <= hi:
            raise DataError(f"{where}: {p.name}{label} = {float(x):g} is outside its range "
                            f"[{lo:g}, {hi:g}]")
        return float(x)

    if isinstance(p.value, Mapping):
        if not isinstance(value, Mapping):
            raise DataError(f"{where}: {p.name} is a table over {p.axis}; expected a table "
                            f"with labels from {list(p.value)}")
        unknown = sorted(set(map(str, value)) - set(p.value))
        if unknown:
            raise DataError(f"{where}: {p.name} has no labels {unknown}; expected labels from "
                            f"{list(p.value)}")
        new = dict(p.value)
        new.update({str(k): check(v, f"[{k}]") for k, v in value.items()})
        return MappingProxyType(new)
    if isinstance(value, Mapping):
        raise DataError(f"{where}: {p.name} is a single number, not a table")
    return check(value)


def _read_toml(path: Path, file: str) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"data/{file}: {exc}") from None


def calibration_home() -> Path:
    """Where ``calibrate --write`` stores a fit: ``data/calibration.toml`` in a working copy,
    else the user's own ``calibration.toml`` (:func:`~simlib.files.resources.user_dir`,
    created), never the installed package (replaced whole by the next install)."""
    if working_copy():
        return data_dir() / CALIBRATION_FILE
    return user_dir("data") / CALIBRATION_FILE


@lru_cache(maxsize=16)
def _calibration_for(root: str) -> Path | None:
    """The calibration overlaid on the data folder ``root`` (cached until :func:`reload`):
    from the installed package the user's own one if there is one, else the shipped one."""
    shipped = Path(root) / CALIBRATION_FILE
    if not working_copy(Path(root).parent):
        personal = user_dir("data", create=False) / CALIBRATION_FILE
        if personal.is_file():
            return personal
    return shipped if shipped.exists() else None


def calibration_file() -> Path | None:
    """The calibration file the parameters carry now (layer 2 of the module docstring), or
    None if there is none."""
    return _calibration_for(_data_root(os.environ.get("SIMLIB_HOME")))


def calibration_used() -> dict | None:
    """Which calibration the parameters carry, for run metadata: ``{"file": path,
    "personal": whether it is the user's own, "sha256": of its bytes}``; None without one."""
    path = calibration_file()
    if path is None:
        return None
    return {"file": str(path), "personal": path.parent != data_dir(),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def _fit_date(fit: Any, where: str) -> str:
    where = f"{where}: [fit]"
    if not isinstance(fit, dict) or "date" not in fit:
        raise DataError(f"{where}: needs a date (ISO, the day of the fit)")
    date = fit["date"]
    if isinstance(date, _dt.date):
        return date.isoformat()
    try:
        return _dt.date.fromisoformat(str(date)).isoformat()
    except ValueError:
        raise DataError(f"{where}: date must be an ISO date like 2026-01-31, not {date!r}"
                        ) from None


def _apply_calibration(root: str, params: dict[str, Parameter]) -> None:
    path = _calibration_for(root)
    if path is None:
        return
    where = f"data/{path.name}" if path.parent == Path(root) else str(path)  # messages
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{where}: {exc}") from None
    unknown = sorted(set(raw) - {"fit", "values"})
    if unknown:
        raise DataError(f"{where}: unknown tables {unknown}; expected [fit] and [values]")
    date = _fit_date(raw.get("fit"), where)
    values = raw.get("values", {})
    if not isinstance(values, dict):
        raise DataError(f"{where}: [values] must be a table of parameter = value")
    for name, value in values.items():
        p = params.get(name)
        if p is None:
            raise DataError(f"{where}: [values] names {name!r}, which is not a parameter in "
                            "data/")
        if not p.calibrated:
            raise DataError(f"{where}: [values] names {name!r}, which is not calibrated = true "
                            f"in data/{p.file}")
        params[name] = replace(p, value=_new_value(p, value, f"{where}: [values]"),
                               calibration=date, file_value=p.value)


@cache
def _load(root: str) -> MappingProxyType:
    out: dict[str, Parameter] = {}
    for file in parameter_files(root):
        raw = _read_toml(Path(root) / file, file)
        for name, entry in raw.items():
            if name in out:
                raise DataError(f"data/{file}: [{name}] is also declared in {out[name].file}")
            out[name] = _build(file, name, entry)
    _apply_calibration(root, out)
    return MappingProxyType(out)


#: Active overrides: (data folder, parameters with the overrides applied), or None.
_ACTIVE: ContextVar[tuple[str, MappingProxyType] | None] = ContextVar("simlib_overrides",
                                                                     default=None)


def parameters() -> MappingProxyType:
    """All parameters by name (read once per data folder), with any active overrides."""
    root = _data_root(os.environ.get("SIMLIB_HOME"))  # data_dir(), without Path work (hot path)
    active = _ACTIVE.get()
    if active is not None and active[0] == root:
        return active[1]
    return _load(root)


def param(name: str) -> float | MappingProxyType:
    """The value of parameter ``name``."""
    try:
        return parameters()[name].value
    except KeyError:
        raise KeyError(f"no parameter {name!r} in data/") from None


@contextmanager
def overridden(values: Mapping[str, float | Mapping[str, float]]) -> Iterator[MappingProxyType]:
    """Temporarily replace parameter values: ``with overridden({"x": 0.1}): run(...)``.

    Inside the block :func:`param` and :func:`parameters` return the new values (a table
    parameter may be given some of its labels; the others keep their value), and so does
    every cache keyed on them (the engine keys its start state on ``parameters()``). Names
    must exist and values lie within the parameter's range (``DataError`` otherwise,
    checked before anything changes). Blocks nest; leaving one restores what was before.
    The overrides live in a context variable: they apply to this thread (and asyncio task)
    only.
    """
    base = parameters()
    new = dict(base)
    problems = []
    for name, value in values.items():
        p = base.get(name)
        if p is None:
            import difflib

            near = difflib.get_close_matches(name, list(base), n=1)
            problems.append(f"no parameter {name!r} in data/"
                            + (f"; did you mean {near[0]!r}?" if near else ""))
            continue
        try:
            new[name] = replace(p, value=_new_value(p, value, "overridden"), overridden=True)
        except DataError as exc:
            problems.append(str(exc))
    if problems:
        raise DataError("; ".join(problems))
    token = _ACTIVE.set((str(data_dir()), MappingProxyType(new)))
    try:
        yield _ACTIVE.get()[1]
    finally:
        _ACTIVE.reset(token)


def active_overrides() -> dict[str, float | MappingProxyType]:
    """The values overridden by :func:`overridden` blocks now active (for run metadata)."""
    return {k: p.value for k, p in parameters().items() if p.overridden}


def reload() -> None:
    """Forget the files read so far (after ``data/`` or a calibration changed, e.g. after
    ``calibrate --write``)."""
    _load.cache_clear()
    _calibration_for.cache_clear()
    _calendar.cache_clear()


@cache
def _calendar(root: str) -> tuple[int, ...]:
    rows = [r for r in (Path(root) / "calendar.csv").read_text(encoding="utf-8").splitlines()
            if r and not r.startswith("#")]
    days = {int(r["month"]): int(r["school_days"]) for r in csv.DictReader(rows)}
    if sorted(days) != list(range(1, 13)):
        raise DataError("data/calendar.csv: needs one row per calendar month 1-12")
    return tuple(days[m] for m in range(1, 13))


def school_days_by_month() -> tuple[int, ...]:
    """School days (opleidingsdagen) in calendar months January..December."""
    return _calendar(str(data_dir()))


def data_hash() -> str:
    """SHA-256 over every file in ``data/`` (names and bytes), for run metadata."""
    digest = hashlib.sha256()
    for path in sorted(p for p in data_dir().rglob("*") if p.is_file()):
        digest.update(path.relative_to(data_dir()).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
