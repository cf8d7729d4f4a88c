"""Parameters with provenance, loaded from the project's ``data/`` folder.

Every number in ``data/*.toml`` carries its value, unit, plausible range, a source (title,
year, where) or the reasoning of an estimate, and a confidence label. Tables (a value per
label of one axis) are TOML inline tables with an ``axis`` key. The loader is strict:
unknown keys, a missing unit or provenance, or a value outside its range are errors.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "Parameter",
    "DataError",
    "project_root",
    "data_dir",
    "scenarios_dir",
    "parameters",
    "param",
    "school_days_by_month",
    "data_hash",
]

CONFIDENCE = ("high", "medium", "low", "very_low")
DISTRIBUTIONS = ("uniform", "triangular")
_KEYS = frozenset(
    ("value", "axis", "unit", "range", "distribution", "source", "estimate", "confidence",
     "calibrated", "target", "url")
)


class DataError(ValueError):
    """A file in ``data/`` is malformed or lacks provenance."""


def project_root() -> Path:
    """The project folder holding ``data/`` and ``scenarios/``.

    ``SIMLIB_HOME`` overrides it; otherwise it is the folder above the ``simlib`` package
    (the project is installed in editable mode by ``make``).
    """
    env = os.environ.get("SIMLIB_HOME")
    return Path(env) if env else Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """The ``data/`` folder."""
    return project_root() / "data"


def scenarios_dir() -> Path:
    """The ``scenarios/`` folder."""
    return project_root() / "scenarios"


@dataclass(frozen=True)
class Parameter:
    """One figure from ``data/``: a scalar ``value`` or a mapping label -> value over ``axis``."""

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

    @property
    def provenance(self) -> str:
        """The source, or ``"estimate: <reasoning>"``."""
        return self.source if self.source else f"estimate: {self.estimate}"


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


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
    )


PARAMETER_FILES = ("baseline.toml", "behaviour.toml")


@cache
def _load(root: str) -> MappingProxyType:
    out: dict[str, Parameter] = {}
    for file in PARAMETER_FILES:
        path = Path(root) / file
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataError(f"data/{file}: {exc}") from None
        for name, entry in raw.items():
            if name in out:
                raise DataError(f"data/{file}: [{name}] is also declared in {out[name].file}")
            out[name] = _build(file, name, entry)
    return MappingProxyType(out)


def parameters() -> MappingProxyType:
    """All parameters by name (read once per data folder)."""
    return _load(str(data_dir()))


def param(name: str) -> float | MappingProxyType:
    """The value of parameter ``name``."""
    try:
        return parameters()[name].value
    except KeyError:
        raise KeyError(f"no parameter {name!r} in data/") from None


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
