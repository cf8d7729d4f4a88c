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

**One reader of the bytes** (:mod:`simlib.inputs.scenario_file`). A file named on the command
line and an upload (:func:`load_scenario_bytes`) go through the same reader, so they get the
same verdict:
only a regular file is read, and at most :data:`MAX_FILE_BYTES` + 1 bytes of it; the bytes
must be UTF-8 (one leading UTF-8 byte-order mark is ignored, on both paths); the text is
TOML with TOML's own rules (a lone carriage return is not a line end); then, before any
per-key work, the limits below. Each refusal is a :class:`Problem` naming the file.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from simlib.inputs.levers import Lever, levers, parse_month
from simlib.inputs.parameters import scenarios_dir
from simlib.inputs.scenario_file import (
    MAX_BASE_CHAIN,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_KEYS,
    MAX_NAME_LENGTH,
    MAX_PROBLEMS,
    Problem,
    ScenarioError,
    _beyond_64_bits,
    _is_file,
    _parse_bytes,
    _read_bytes,
)

__all__ = ["Scenario", "ScenarioError", "Problem", "load_scenario", "load_scenario_bytes",
           "load_scenario_text", "scenario", "scenario_names", "MAX_FILE_BYTES", "MAX_DEPTH",
           "MAX_KEYS", "MAX_BASE_CHAIN", "MAX_NAME_LENGTH", "MAX_PROBLEMS"]

TOP_KEYS = ("name", "label_nl", "label_en", "description_nl", "description_en", "base", "levers")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # matched whole (fullmatch)
ROOT = "baseline"


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


def nearest(word: str, options: Sequence[str], cutoff: float = 0.0) -> str | None:
    """The option closest to ``word`` (None if none is at least ``cutoff`` alike, in
    :func:`difflib.get_close_matches`' measure): the "did you mean" of every refusal. The
    word is cut to a little over twice the longest option (the comparison's cost grows with
    the product of the lengths; so long a tail makes every option about equally far) and
    answers are cached, so a long or repeated word costs no more than a short one."""
    longest = max(map(len, options), default=0)
    return _nearest_cut(word[:2 * longest + 8], tuple(options), cutoff)


_nearest = nearest


@functools.lru_cache(maxsize=1024)
def _nearest_cut(word: str, options: tuple[str, ...], cutoff: float) -> str | None:
    best = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    return best[0] if best else None


def _suggest(word: str, options: list[str], problems: list[Problem]) -> str | None:
    """A "did you mean" only for problems that will be shown (the first MAX_PROBLEMS)."""
    return _nearest(word, options) if len(problems) < MAX_PROBLEMS else None


def _check_lever_entry(path: str, lever_id: str, raw: Any, registry: dict[str, Lever],
                       problems: list[Problem]) -> Any:
    """Validate one ``[levers]`` entry; return the coerced value or schedule, or None."""
    key = f"levers.{lever_id}"
    if lever_id not in registry:
        problems.append(Problem(path, key, "unknown lever", "a lever id from `python -m simlib "
                                "levers`", _suggest(lever_id, list(registry), problems)))
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
            issue = _beyond_64_bits(val) or lever.check(val)
            if issue:
                problems.append(Problem(path, f'{key}."{date}"', issue, lever.allowed()))
                continue
            out[date] = lever.coerce(val)
        return dict(sorted(out.items())) if len(out) == len(raw) else None
    if isinstance(raw, _dt.date | _dt.datetime | _dt.time):
        problems.append(Problem(path, key, f"wrong type date ({raw})", lever.allowed()))
        return None
    issue = _beyond_64_bits(raw) or lever.check(raw)
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


# --- reading: one reader of the bytes, for files and uploads --------------------------------


def _find_base(name: str, beside: Path | None) -> Path | None:
    candidates = ([beside / f"{name}.toml"] if beside is not None else []) + [
        scenarios_dir() / f"{name}.toml"]
    return next((p for p in candidates if _is_file(p)), None)


def _is_root(path: Path) -> bool:
    return path.resolve() == (scenarios_dir() / f"{ROOT}.toml").resolve()


def _valid_name(name: str) -> bool:
    return len(name) <= MAX_NAME_LENGTH and NAME_PATTERN.fullmatch(name) is not None


_NAME_EXPECTED = (f"letters, digits, '_', '-' or '.', starting with a letter or digit, at most "
                  f"{MAX_NAME_LENGTH} characters")


def _resolve_base(shown: str, path: Path | None, base_name: str, chain: tuple[Path, ...],
                  problems: list[Problem], base_beside: bool
                  ) -> Mapping[str, Mapping[str, Any]] | None:
    """The resolved schedules of ``base_name`` for the file at ``path`` (None: an upload, no
    file of its own), or None (problem)."""
    if not _valid_name(base_name):
        problems.append(Problem(shown, "base", f"invalid base {base_name!r}",
                                "the name of a scenario (no path), e.g. \"baseline\": "
                                + _NAME_EXPECTED))
        return None
    own = path.resolve() if path is not None else None
    beside = path.parent if base_beside and path is not None else None
    base_path = _find_base(base_name, beside)
    if base_path is None:
        options = sorted(set(scenario_names()) | (
            {p.stem for p in beside.glob("*.toml") if p.resolve() != own}
            if beside is not None else set()))
        problems.append(Problem(shown, "base", f"scenario {base_name!r} not found",
                                "a scenario beside the file or in scenarios/: "
                                + ", ".join(options), _suggest(base_name, options, problems)))
        return None
    here = (*chain, own) if own is not None else chain
    if base_path.resolve() in here:
        cycle = " -> ".join(p.stem for p in (*here, base_path.resolve()))
        problems.append(Problem(shown, "base", f"cyclic base ({cycle})",
                                "a chain of bases that ends at baseline"))
        return None
    if len(chain) + 2 > MAX_BASE_CHAIN:
        names = [p.stem for p in here]
        shown_chain = " -> ".join([*names[:2], "…", *names[-2:]] if len(names) > 5 else names)
        problems.append(Problem(shown, "base", f"base chain longer than {MAX_BASE_CHAIN} files "
                                f"({shown_chain} -> {base_name})",
                                f"a chain of at most {MAX_BASE_CHAIN} files ending at baseline"))
        return None
    base = _load(base_path, here, problems)
    return base.schedules if base is not None else None


def _load(path: Path, chain: tuple[Path, ...], problems: list[Problem],
          base_beside: bool = True, data: bytes | None = None,
          shown: str | None = None) -> Scenario | None:
    """Load ``path`` and its base chain; append problems (in file order); None if any.

    With ``data`` (an upload) the bytes are those of a file that exists nowhere: ``path``
    only gives its name, and nothing beside it is read.
    """
    shown = shown if shown is not None else str(path)
    before = len(problems)
    if data is None:
        content = _read_bytes(path, shown, problems)
        raw = _parse_bytes(content, shown, problems) if content is not None else None
    else:
        raw = _parse_bytes(data, shown, problems)
    if raw is None:
        return None
    own = path if data is None else None
    registry = _registry()
    root = own is not None and _is_root(own)
    meta: dict[str, str] = {}
    overrides: dict[str, Any] = {}
    base_schedules: Mapping[str, Mapping[str, Any]] | None = _root_schedules() if root else None
    for key, value in raw.items():  # in file order, so problems are reported in file order
        if key not in TOP_KEYS:
            problems.append(Problem(shown, key, "unknown key", "one of " + ", ".join(TOP_KEYS),
                                    _suggest(key, list(TOP_KEYS), problems)))
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
            base_schedules = _resolve_base(shown, own, value, chain, problems, base_beside)
        else:
            meta[key] = value
    name = meta.get("name", path.stem)
    if "name" in meta and not _valid_name(name):
        problems.append(Problem(shown, "name", f"invalid name {name!r}", _NAME_EXPECTED))
    if not root and "base" not in raw:
        base_schedules = _resolve_base(shown, own, ROOT, chain, problems, base_beside)
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
    if not _is_file(path) and not str(path_or_name).endswith(".toml") and path.parent == \
            scenarios_dir():
        options = scenario_names()
        raise ScenarioError([Problem(str(path_or_name), "scenario", "not found",
                                     "a scenario file or one of: " + ", ".join(options),
                                     _nearest(str(path_or_name), options))])
    result = _load(path, (), problems)
    if problems or result is None:
        raise ScenarioError(problems)
    return result


def load_scenario_bytes(content: bytes, name: str = "upload") -> Scenario:
    """Validate a scenario file given as bytes (an upload) exactly as :func:`load_scenario`
    validates a file (the same reader, limits and messages), shown as ``NAME.toml``;
    ``base`` only from ``scenarios/``.

    Data only: the bytes never make the loader read a file outside ``scenarios/``.
    """
    problems: list[Problem] = []
    shown = f"{name}.toml"
    result = _load(Path(shown), (), problems, base_beside=False, data=bytes(content),
                   shown=shown)
    if problems or result is None:
        raise ScenarioError(problems)
    return result


def load_scenario_text(text: str, name: str = "upload") -> Scenario:
    """Validate scenario TOML given as text (its UTF-8 bytes, see :func:`load_scenario_bytes`).
    """
    return load_scenario_bytes(text.encode("utf-8", "surrogatepass"), name=name)


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
