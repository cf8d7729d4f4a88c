"""The lever registry: every policy option of the model, declared once in ``levers.toml``.

A lever is a policy option an analyst can move: its id, Dutch and English label and
description, unit, today's value (``default``) with its dated history (``schedule``), the
allowed range or choices, where the SERV advice discusses it, its status, who asks for it
and why, the earliest date it could apply, the grade of the evidence behind its effect and
the model rates it acts on. Sliders, scenario validation, the CLI table and the docs all
read this registry; nothing repeats a default, range or label.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = [
    "Lever",
    "RegistryError",
    "levers",
    "lever",
    "lever_ids",
    "KINDS",
    "STATUSES",
    "EVIDENCE_GRADES",
    "parse_month",
]

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
KINDS = ("bool", "int", "float", "choice")
STATUSES = ("in_force", "plan_study", "serv_suggestion", "research_option")
EVIDENCE_GRADES = ("A", "B", "C", "D")
#: A lever without a declared history has held its default since Duaal Leren started
#: (school year 2016-17, decree on alternerende opleidingen of 10 June 2016).
DUAL_START = "2016-09-01"

_REQUIRED = (
    "label_nl",
    "label_en",
    "description_nl",
    "description_en",
    "unit",
    "kind",
    "default",
    "passage",
    "status",
    "requested_by",
    "rationale",
    "earliest_date",
    "evidence_grade",
    "rates",
    "module",
    "theme",
)
_OPTIONAL = ("min", "max", "step", "choices", "schedule", "parent", "evidence_note", "effects")
_ALLOWED = frozenset(_REQUIRED + _OPTIONAL)
#: Keyword names of :func:`simlib.inputs.scenario` that no lever may take.
RESERVED_IDS = frozenset(("name", "base", "label_nl", "label_en", "description_nl",
                          "description_en", "levers"))


class RegistryError(ValueError):
    """The lever registry file is malformed (a programming error, not a user error)."""


def parse_month(text: str) -> _dt.date:
    """Parse an ISO date that must be the first of a month (``YYYY-MM-01``).

    Raises ``ValueError`` with a short reason otherwise.
    """
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError("not an ISO date YYYY-MM-DD")
    date = _dt.date.fromisoformat(text)
    if date.day != 1:
        raise ValueError("not the first of a month")
    return date


@dataclass(frozen=True)
class Lever:
    """One policy option.

    ``default`` is today's rule (the value in force at the start of the simulation), as a
    plain ``bool``, ``int``, ``float`` or ``str`` of the lever's ``kind``. ``schedule`` is the
    dated history ``{ISO date: value}``, oldest first; its last value equals ``default``.
    ``min``/``max``/``step`` are finite numbers for numeric kinds and ``None`` otherwise;
    ``choices`` lists the allowed values of a ``choice`` lever. ``parent`` names a ``bool``
    lever: while the parent is off this lever is ignored (never refused).
    """

    id: str
    label_nl: str
    label_en: str
    description_nl: str
    description_en: str
    unit: str
    kind: str
    default: bool | int | float | str
    min: int | float | None
    max: int | float | None
    step: int | float | None
    choices: tuple[str, ...] | None
    schedule: MappingProxyType = field(repr=False)
    passage: str
    status: str
    requested_by: str
    rationale: str
    earliest_date: str
    evidence_grade: str
    evidence_note: str
    rates: tuple[str, ...]
    module: str
    theme: str
    parent: str | None
    #: the declared sign of the lever's effect on named indicators, when moved from today's
    #: value to its test value (``+`` the indicator rises, ``-`` it falls): what DESIGN says
    #: must hold; one generic test checks every declaration (tests/model/test_policies.py)
    effects: MappingProxyType = field(default_factory=lambda: MappingProxyType({}),
                                      repr=False)

    def label(self, lang: str = "nl") -> str:
        """The label in ``lang`` ("nl" or "en")."""
        return self.label_nl if _lang(lang) == "nl" else self.label_en

    def description(self, lang: str = "nl") -> str:
        """The description in ``lang`` ("nl" or "en")."""
        return self.description_nl if _lang(lang) == "nl" else self.description_en

    def allowed(self) -> str:
        """A short human description of the allowed values, for error messages."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices or ())
        kind = "an integer" if self.kind == "int" else "a number"
        from simlib.inputs.glossary import label

        return f"{kind} from {_fmt(self.min)} to {_fmt(self.max)} ({label('units', self.unit, 'en')})"

    def check(self, value: Any) -> str | None:
        """Return why ``value`` is not valid for this lever, or ``None`` if it is."""
        if self.kind == "bool":
            return None if isinstance(value, bool) else f"wrong type {_typename(value)}"
        if self.kind == "choice":
            if not isinstance(value, str):
                return f"wrong type {_typename(value)}"
            return None if value in (self.choices or ()) else f"unknown choice {value!r}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"wrong type {_typename(value)}"
        if self.kind == "int" and not isinstance(value, int):
            return f"wrong type {_typename(value)}"
        if not math.isfinite(value):
            return f"value {value} is not finite"
        if value < self.min or value > self.max:
            return f"value {_fmt(value)} out of range"
        return None

    def coerce(self, value: Any) -> bool | int | float | str:
        """``value`` as the lever's plain Python type (an int for a float lever becomes float)."""
        if self.kind == "float":
            return float(value)
        return value


def _lang(lang: str) -> str:
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    return lang


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _typename(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    return f"{names.get(type(value), type(value).__name__)} ({value!r})"


def _build(lever_id: str, raw: dict[str, Any]) -> Lever:
    where = f"levers.toml [{lever_id}]"
    if not ID_PATTERN.match(lever_id):
        raise RegistryError(f"{where}: id must match {ID_PATTERN.pattern}")
    unknown = sorted(set(raw) - _ALLOWED)
    if unknown:
        raise RegistryError(f"{where}: unknown keys {unknown}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise RegistryError(f"{where}: missing keys {missing}")
    kind = raw["kind"]
    if kind not in KINDS:
        raise RegistryError(f"{where}: kind must be one of {KINDS}")
    if raw["status"] not in STATUSES:
        raise RegistryError(f"{where}: status must be one of {STATUSES}")
    if raw["evidence_grade"] not in EVIDENCE_GRADES:
        raise RegistryError(f"{where}: evidence_grade must be one of {EVIDENCE_GRADES}")
    for key in ("label_nl", "label_en", "description_nl", "description_en"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise RegistryError(f"{where}: {key} must be a non-empty string")
    numeric = kind in ("int", "float")
    lo, hi, step = raw.get("min"), raw.get("max"), raw.get("step")
    choices = raw.get("choices")
    if numeric:
        for key, val in (("min", lo), ("max", hi)):
            if isinstance(val, bool) or not isinstance(val, int | float) or not math.isfinite(val):
                raise RegistryError(f"{where}: {key} must be a finite number")
        if not lo < hi:
            raise RegistryError(f"{where}: min must be below max")
        if step is None:
            step = 1 if kind == "int" else (hi - lo) / 100
        if kind == "float":
            lo, hi, step = float(lo), float(hi), float(step)
        if choices is not None:
            raise RegistryError(f"{where}: a numeric lever has no choices")
    else:
        if lo is not None or hi is not None or step is not None:
            raise RegistryError(f"{where}: only numeric levers have min, max, step")
        if kind == "choice":
            if not isinstance(choices, list) or not choices or len(set(choices)) != len(choices):
                raise RegistryError(f"{where}: a choice lever needs distinct choices")
            choices = tuple(choices)
        elif choices is not None:
            raise RegistryError(f"{where}: a bool lever has no choices")
    try:
        parse_month(raw["earliest_date"])
    except ValueError as exc:
        raise RegistryError(f"{where}: earliest_date {exc}") from None
    if lever_id in RESERVED_IDS:
        raise RegistryError(f"{where}: {lever_id!r} is reserved for scenario metadata")
    rates = raw["rates"]
    if not isinstance(rates, list) or not all(isinstance(r, str) for r in rates):
        raise RegistryError(f"{where}: rates must be a list of rate names")
    effects = raw.get("effects", {})
    if not isinstance(effects, dict) or not all(
            isinstance(k, str) and v in ("+", "-") for k, v in effects.items()):
        raise RegistryError(f"{where}: effects must be a table of indicator = \"+\" or \"-\"")
    lever = Lever(
        id=lever_id,
        label_nl=raw["label_nl"],
        label_en=raw["label_en"],
        description_nl=raw["description_nl"],
        description_en=raw["description_en"],
        unit=raw["unit"],
        kind=kind,
        default=raw["default"],
        min=lo,
        max=hi,
        step=step,
        choices=choices,
        schedule=MappingProxyType({}),
        passage=raw["passage"],
        status=raw["status"],
        requested_by=raw["requested_by"],
        rationale=raw["rationale"],
        earliest_date=raw["earliest_date"],
        evidence_grade=raw["evidence_grade"],
        evidence_note=raw.get("evidence_note", ""),
        rates=tuple(rates),
        module=raw["module"],
        theme=raw["theme"],
        parent=raw.get("parent"),
        effects=MappingProxyType(dict(effects)),
    )
    problem = lever.check(lever.default)
    if problem:
        raise RegistryError(f"{where}: default: {problem}; expected {lever.allowed()}")
    default = lever.coerce(lever.default)
    schedule = raw.get("schedule") or {}
    if not isinstance(schedule, dict):
        raise RegistryError(f"{where}: schedule must be a table {{ISO date: value}}")
    history: dict[str, Any] = {}
    for date in sorted(schedule):
        try:
            parse_month(date)
        except ValueError as exc:
            raise RegistryError(f"{where}: schedule date {date!r} {exc}") from None
        problem = lever.check(schedule[date])
        if problem:
            raise RegistryError(f"{where}: schedule {date}: {problem}")
        history[date] = lever.coerce(schedule[date])
    if history and list(history.values())[-1] != default:
        raise RegistryError(f"{where}: the last schedule value must equal default")
    if not history:
        history = {DUAL_START: default}
    object.__setattr__(lever, "default", default)
    object.__setattr__(lever, "schedule", MappingProxyType(history))
    return lever


def load_registry(text: str) -> tuple[Lever, ...]:
    """Parse a registry TOML text strictly (unknown, duplicate or missing keys are errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"levers.toml: {exc}") from None
    result = tuple(_build(lever_id, raw) for lever_id, raw in data.items())
    ids = {lv.id for lv in result}
    for lv in result:
        if lv.parent is not None:
            parent = next((p for p in result if p.id == lv.parent), None)
            if parent is None or parent.kind != "bool":
                raise RegistryError(f"levers.toml [{lv.id}]: parent must name a bool lever")
    assert len(ids) == len(result)
    return result


@cache
def _registry() -> tuple[Lever, ...]:
    text = resources.files("simlib.inputs").joinpath("levers.toml").read_text(encoding="utf-8")
    return load_registry(text)


def levers() -> list[Lever]:
    """All levers of the registry, in declaration order (a new list each call)."""
    return list(_registry())


@cache
def _by_id() -> dict[str, Lever]:
    return {lv.id: lv for lv in _registry()}


def lever(lever_id: str) -> Lever:
    """The lever with id ``lever_id`` (``KeyError`` naming the nearest id otherwise)."""
    try:
        return _by_id()[lever_id]
    except KeyError:
        import difflib

        near = difflib.get_close_matches(lever_id, list(_by_id()), n=1)
        hint = f"; did you mean {near[0]}?" if near else ""
        raise KeyError(f"unknown lever {lever_id!r}{hint}") from None


def lever_ids() -> list[str]:
    """The ids of all levers, in declaration order."""
    return list(_by_id())
