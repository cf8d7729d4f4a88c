"""Scenarios: validated, immutable lever settings, read from TOML diffs.

A scenario file is a diff against its base (``baseline`` unless it names another)::

    label_nl = "Langere zoekperiode voor een leerwerkplek"
    label_en = "Longer search window for a workplace"
    base = "baseline"                 # optional
    [levers]
    search_window_days = 30           # a scalar replaces the base's value from the start
    [levers.allowance_tier_1_eur_per_month]
    "2027-09-01" = 700.0              # dated values merge into the base's schedule

The root of every chain is ``scenarios/baseline.toml``, whose base is today's rules as the
lever registry declares them. Loading validates everything before anything runs and reports
every problem at once (:class:`ScenarioError`), each naming the file, the key, the problem,
the allowed values and, for an unknown name, the nearest valid one.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from simlib.levers import Lever, levers, parse_month
from simlib.parameters import scenarios_dir

__all__ = ["Scenario", "ScenarioError", "Problem", "load_scenario", "scenario", "scenario_names"]

TOP_KEYS = ("name", "label_nl", "label_en", "description_nl", "description_en", "base", "levers")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
ROOT = "baseline"


@dataclass(frozen=True)
class Problem:
    """One validation problem: where, which key, what is wrong, what is allowed."""

    path: str
    key: str
    problem: str
    expected: str
    suggestion: str | None = None

    def __str__(self) -> str:
        key = self.key if self.key.isprintable() else repr(self.key)
        text = f"{self.path}: {key}: {' '.join(self.problem.split())}; expected {self.expected}"
        return text + (f"; did you mean {self.suggestion}?" if self.suggestion else "")


class ScenarioError(ValueError):
    """A scenario is invalid. ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Scenario:
    """A validated, immutable set of lever schedules.

    ``overrides`` is this scenario's own diff (lever id -> scalar or ``{ISO date: value}``);
    ``schedules`` holds the resolved schedule ``{ISO date: value}`` of every lever of the
    registry (base chain applied), oldest date first.
    """

    name: str
    label_nl: str
    label_en: str
    description_nl: str
    description_en: str
    base: str | None
    path: str | None
    overrides: Mapping[str, Any] = field(repr=False)
    schedules: Mapping[str, Mapping[str, Any]] = field(repr=False)

    def label(self, lang: str = "nl") -> str:
        """The label in ``lang`` ("nl" or "en")."""
        return self.label_nl if lang == "nl" else self.label_en

    def description(self, lang: str = "nl") -> str:
        """The description in ``lang`` ("nl" or "en")."""
        return self.description_nl if lang == "nl" else self.description_en

    def value(self, lever_id: str, date: str | _dt.date) -> Any:
        """The value of ``lever_id`` in force on ``date`` (the first value before its history)."""
        iso = date if isinstance(date, str) else date.isoformat()
        return _value_at(self.schedules[lever_id], iso)

    def values_at(self, date: str | _dt.date) -> dict[str, Any]:
        """Every lever's value in force on ``date``."""
        return {lever_id: self.value(lever_id, date) for lever_id in self.schedules}

    def resolved(self) -> dict[str, dict[str, Any]]:
        """Every lever's resolved schedule as plain dicts (for metadata and export)."""
        return {k: dict(v) for k, v in self.schedules.items()}

    def changed(self) -> dict[str, dict[str, Any]]:
        """The levers whose resolved schedule differs from today's rules."""
        today = {lv.id: dict(lv.schedule) for lv in levers()}
        return {k: dict(v) for k, v in self.schedules.items() if dict(v) != today[k]}

    def toml_dict(self) -> dict[str, Any]:
        """This scenario as a scenario-file dict over ``baseline`` (every change made explicit)."""
        out: dict[str, Any] = {"name": self.name}
        for key in ("label_nl", "label_en", "description_nl", "description_en"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        out["base"] = ROOT
        base = _root_schedules()
        levers_out: dict[str, Any] = {}
        for lever_id, schedule in self.changed().items():
            if dict(schedule) == dict(base[lever_id]):
                continue
            levers_out[lever_id] = _diff_schedule(dict(base[lever_id]), dict(schedule))
        out["levers"] = levers_out
        return out


def _value_at(schedule: Mapping[str, Any], iso: str) -> Any:
    """The value of a schedule on ISO date ``iso`` (its first value before its history)."""
    current = next(iter(schedule.values()))
    for start, val in schedule.items():
        if start > iso:
            break
        current = val
    return current


def _diff_schedule(base: dict[str, Any], new: dict[str, Any]) -> Any:
    """The scenario-file entry that turns schedule ``base`` into ``new`` when merged."""
    if len(new) == 1 and list(new) == list(base)[:1]:
        return next(iter(new.values()))
    dates = sorted(set(base) | set(new))
    return {d: _value_at(new, d) for d in dates if base.get(d) != _value_at(new, d)}


# --- validation ----------------------------------------------------------------------------


def _registry() -> dict[str, Lever]:
    return {lv.id: lv for lv in levers()}


def _nearest(word: str, options: list[str]) -> str | None:
    best = difflib.get_close_matches(word, options, n=1, cutoff=0.0)
    return best[0] if best else None


def _check_lever_entry(path: str, lever_id: str, raw: Any, registry: dict[str, Lever],
                       problems: list[Problem]) -> Any:
    """Validate one ``[levers]`` entry; return the coerced value or schedule, or None."""
    key = f"levers.{lever_id}"
    if lever_id not in registry:
        problems.append(Problem(path, key, "unknown lever", "a lever id from `python -m simlib "
                                "levers`", _nearest(lever_id, list(registry))))
        return None
    lever = registry[lever_id]
    if isinstance(raw, dict):
        if not raw:
            problems.append(Problem(path, key, "empty schedule",
                                    f"{{\"YYYY-MM-01\" = value}} with {lever.allowed()}"))
            return None
        out = {}
        for date, val in raw.items():
            try:
                parse_month(date)
            except ValueError as exc:
                problems.append(Problem(path, f'{key}."{date}"', f"bad date: {exc}",
                                        "an ISO date on the first of a month, e.g. \"2027-09-01\""))
                continue
            issue = lever.check(val)
            if issue:
                problems.append(Problem(path, f'{key}."{date}"', issue, lever.allowed()))
                continue
            out[date] = lever.coerce(val)
        return dict(sorted(out.items())) if len(out) == len(raw) else None
    if isinstance(raw, _dt.date | _dt.datetime | _dt.time):
        problems.append(Problem(path, key, f"wrong type date ({raw})", lever.allowed()))
        return None
    issue = lever.check(raw)
    if issue:
        problems.append(Problem(path, key, issue, lever.allowed()))
        return None
    return lever.coerce(raw)


def _merge(base: Mapping[str, Mapping[str, Any]], overrides: Mapping[str, Any]
           ) -> dict[str, MappingProxyType]:
    out = {}
    for lever_id, schedule in base.items():
        new = dict(schedule)
        if lever_id in overrides:
            change = overrides[lever_id]
            if isinstance(change, Mapping):
                new.update(change)
                new = dict(sorted(new.items()))
            else:
                new = {next(iter(schedule)): change}
        out[lever_id] = MappingProxyType(new)
    return out


def _root_schedules() -> dict[str, MappingProxyType]:
    return {lv.id: lv.schedule for lv in levers()}


def _read(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(shown, "file", "not found", "an existing scenario TOML file"))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(shown, "file", f"cannot be read ({exc})", "a UTF-8 text file"))
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(shown, "toml", f"malformed TOML ({exc})",
                                "valid TOML (https://toml.io)"))
        return None


def _find_base(name: str, beside: Path | None) -> Path | None:
    candidates = ([beside / f"{name}.toml"] if beside is not None else []) + [
        scenarios_dir() / f"{name}.toml"]
    return next((p for p in candidates if p.is_file()), None)


def _is_root(path: Path) -> bool:
    return path.resolve() == (scenarios_dir() / f"{ROOT}.toml").resolve()


def _resolve_base(shown: str, path: Path, base_name: str, chain: tuple[Path, ...],
                  problems: list[Problem], base_beside: bool
                  ) -> Mapping[str, Mapping[str, Any]] | None:
    """The resolved schedules of ``base_name`` for the file at ``path``, or None (problem)."""
    if not NAME_PATTERN.match(base_name) or "/" in base_name or "\\" in base_name:
        problems.append(Problem(shown, "base", f"invalid base {base_name!r}",
                                "the name of a scenario (no path), e.g. \"baseline\""))
        return None
    beside = path.parent if base_beside else None
    base_path = _find_base(base_name, beside)
    if base_path is None:
        options = sorted(set(scenario_names()) | (
            {p.stem for p in beside.glob("*.toml") if p.resolve() != path.resolve()}
            if beside is not None else set()))
        problems.append(Problem(shown, "base", f"scenario {base_name!r} not found",
                                "a scenario beside the file or in scenarios/: "
                                + ", ".join(options), _nearest(base_name, options)))
        return None
    if base_path.resolve() in chain or base_path.resolve() == path.resolve():
        cycle = " -> ".join(p.stem for p in (*chain, path.resolve(), base_path.resolve()))
        problems.append(Problem(shown, "base", f"cyclic base ({cycle})",
                                "a chain of bases that ends at baseline"))
        return None
    base = _load(base_path, (*chain, path.resolve()), problems)
    return base.schedules if base is not None else None


def _load(path: Path, chain: tuple[Path, ...], problems: list[Problem],
          base_beside: bool = True) -> Scenario | None:
    """Load ``path`` and its base chain; append problems (in file order); None if any."""
    shown = str(path)
    before = len(problems)
    raw = _read(path, problems)
    if raw is None:
        return None
    registry = _registry()
    root = _is_root(path)
    meta: dict[str, str] = {}
    overrides: dict[str, Any] = {}
    base_schedules: Mapping[str, Mapping[str, Any]] | None = _root_schedules() if root else None
    for key, value in raw.items():  # in file order, so problems are reported in file order
        if key not in TOP_KEYS:
            problems.append(Problem(shown, key, "unknown key", "one of " + ", ".join(TOP_KEYS),
                                    _nearest(key, list(TOP_KEYS))))
        elif key == "levers":
            if not isinstance(value, dict):
                problems.append(Problem(shown, "levers", "not a table",
                                        "[levers] with lever = value"))
                continue
            for lever_id, entry in value.items():
                checked = _check_lever_entry(shown, lever_id, entry, registry, problems)
                if checked is not None:
                    overrides[lever_id] = checked
        elif not isinstance(value, str):
            problems.append(Problem(shown, key, f"wrong type {type(value).__name__}",
                                    "a string"))
        elif key == "base" and root:
            problems.append(Problem(shown, "base", "the baseline has no base",
                                    "no base key (its base is today's rules)"))
        elif key == "base":
            meta[key] = value
            base_schedules = _resolve_base(shown, path, value, chain, problems, base_beside)
        else:
            meta[key] = value
    name = meta.get("name", path.stem)
    if "name" in meta and not NAME_PATTERN.match(name):
        problems.append(Problem(shown, "name", f"invalid name {name!r}",
                                "letters, digits, '_', '-' or '.'"))
    if not root and "base" not in raw:
        base_schedules = _resolve_base(shown, path, ROOT, chain, problems, base_beside)
    if len(problems) > before or base_schedules is None:
        return None
    return Scenario(
        name=name,
        label_nl=meta.get("label_nl", name),
        label_en=meta.get("label_en", name),
        description_nl=meta.get("description_nl", ""),
        description_en=meta.get("description_en", ""),
        base=None if root else meta.get("base", ROOT),
        path=shown,
        overrides=_frozen(overrides),
        schedules=MappingProxyType(_merge(base_schedules, overrides)),
    )


def _frozen(overrides: dict[str, Any]) -> MappingProxyType:
    return MappingProxyType({k: MappingProxyType(v) if isinstance(v, dict) else v
                             for k, v in overrides.items()})


def _resolve_name(path_or_name: str | Path) -> Path:
    text = str(path_or_name)
    if isinstance(path_or_name, Path) or text.endswith(".toml") or "/" in text or "\\" in text:
        return Path(path_or_name)
    return scenarios_dir() / f"{text}.toml"


def load_scenario(path_or_name: str | Path) -> Scenario:
    """Load and validate a scenario file, or a scenario of ``scenarios/`` by name.

    Raises :class:`ScenarioError` listing every problem of the file and its bases.
    """
    problems: list[Problem] = []
    path = _resolve_name(path_or_name)
    if not path.is_file() and not str(path_or_name).endswith(".toml") and path.parent == \
            scenarios_dir():
        options = scenario_names()
        raise ScenarioError([Problem(str(path_or_name), "scenario", "not found",
                                     "a scenario file or one of: " + ", ".join(options),
                                     _nearest(str(path_or_name), options))])
    result = _load(path, (), problems)
    if problems or result is None:
        raise ScenarioError(problems)
    return result


def load_scenario_text(text: str, name: str = "upload") -> Scenario:
    """Validate scenario TOML given as text (e.g. an upload); ``base`` only from ``scenarios/``.

    Data only: the text never makes the loader read a file outside ``scenarios/``.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        problems: list[Problem] = []
        result = _load(path, (), problems, base_beside=False)
    for p in problems:
        object.__setattr__(p, "path", p.path.replace(str(path), f"{name}.toml"))
    if problems or result is None:
        raise ScenarioError(problems)
    return result


def scenario(base: str | Scenario = ROOT, *, name: str | None = None, label_nl: str | None = None,
             label_en: str | None = None, **overrides: Any) -> Scenario:
    """A scenario built in code: ``base`` (a name in ``scenarios/`` or a Scenario) plus overrides.

    Each override is ``lever_id=scalar`` (replaces the base's value from the start) or
    ``lever_id={"YYYY-MM-01": value}`` (merged into the base's schedule). Validated like a
    file; raises :class:`ScenarioError` with every problem.
    """
    base_sc = base if isinstance(base, Scenario) else load_scenario(base)
    where = "scenario()"
    problems: list[Problem] = []
    registry = _registry()
    checked: dict[str, Any] = {}
    for lever_id, value in overrides.items():
        entry = _check_lever_entry(where, lever_id, value, registry, problems)
        if entry is not None:
            checked[lever_id] = entry
    if problems:
        raise ScenarioError(problems)
    if name is None:
        parts = [f"{k}={v}" for k, v in sorted(overrides.items()) if not isinstance(v, dict)]
        parts += [f"{k}@{','.join(v)}" for k, v in sorted(overrides.items()) if isinstance(v, dict)]
        name = base_sc.name + (("+" + "+".join(parts)) if parts else "")
    return Scenario(
        name=name,
        label_nl=label_nl or (base_sc.label_nl if not overrides else name),
        label_en=label_en or (base_sc.label_en if not overrides else name),
        description_nl="",
        description_en="",
        base=base_sc.name,
        path=None,
        overrides=_frozen(checked),
        schedules=MappingProxyType(_merge(base_sc.schedules, checked)),
    )


def scenario_names() -> list[str]:
    """Names of the scenario files in ``scenarios/``."""
    return sorted(p.stem for p in scenarios_dir().glob("*.toml"))
