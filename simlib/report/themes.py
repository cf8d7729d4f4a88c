"""The policy notebooks' themes (``themes.toml``): what each notebook asks and shows.

A theme is one notebook of ``notebooks/`` (``02_minimum_werkuren`` ...): one action (or a few)
of the Actieplan Duaal Leren as the SERV advice discusses it. ``themes.toml`` declares, per
theme, its title, the action(s), the passages of the advice it answers (quoted verbatim), the
question the advice asks (Dutch and English), the levers shown (ids of the lever registry),
the variant to start from (a file of ``scenarios/``), the indicators that matter (ids of
:mod:`simlib.model.outcomes`, each optionally for one group: ``"dual_inflow@ses=yes"``), the group
axes to break down by and extra charts. The loader is strict: an unknown key, a lever,
indicator, group or scenario that does not exist is an error.

The text that answers a theme's question is :mod:`simlib.report.texts`.

Widget-free: :class:`simlib.ui.ThemeApp` builds the notebook app from a theme.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from simlib.inputs.glossary import label

__all__ = ["Theme", "Passage", "IndicatorSpec", "ThemeError", "themes", "theme", "theme_ids",
           "load_themes", "normalise_quote", "EXTRA_CHARTS"]

#: Chart kinds a theme may add (``charts``); they must exist in :data:`simlib.report.plots.CHARTS`.
EXTRA_CHARTS = ("gap_map",)
_REQUIRED = ("title_nl", "title_en", "actions_nl", "actions_en", "question_nl", "question_en",
             "levers", "scenario", "indicators", "breakdowns", "passages")
_OPTIONAL = ("whom", "charts", "note_nl", "note_en")
_PASSAGE_KEYS = ("where_nl", "where_en", "quote")
_ID = re.compile(r"^\d\d_[a-z][a-z0-9_]*$")


class ThemeError(ValueError):
    """``themes.toml`` is malformed (a programming error, not a user error)."""


@dataclass(frozen=True)
class Passage:
    """A passage of the SERV advice: where it stands, and the Dutch text, verbatim."""

    where_nl: str
    where_en: str
    quote: str

    def where(self, lang: str = "nl") -> str:
        return self.where_nl if lang == "nl" else self.where_en


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator of :mod:`simlib.model.outcomes` for one group (``all`` by default)."""

    id: str
    group: str = "all"

    @classmethod
    def parse(cls, text: str) -> IndicatorSpec:
        ind, _, group = text.partition("@")
        return cls(ind, group or "all")

    def label(self, lang: str = "nl") -> str:
        text = label("indicators", self.id, lang)
        return text if self.group == "all" else f"{text} — {label('groups', self.group, lang)}"


@dataclass(frozen=True)
class Theme:
    """One policy notebook (see the module docstring and ``themes.toml``)."""

    id: str
    title_nl: str
    title_en: str
    actions_nl: str
    actions_en: str
    question_nl: str
    question_en: str
    levers: tuple[str, ...]
    scenario: str
    indicators: tuple[IndicatorSpec, ...]
    whom: str
    breakdowns: tuple[str, ...]
    passages: tuple[Passage, ...]
    charts: tuple[str, ...] = ()
    note_nl: str = ""
    note_en: str = ""

    def title(self, lang: str = "nl") -> str:
        return self.title_nl if lang == "nl" else self.title_en

    def actions(self, lang: str = "nl") -> str:
        return self.actions_nl if lang == "nl" else self.actions_en

    def question(self, lang: str = "nl") -> str:
        return self.question_nl if lang == "nl" else self.question_en

    def note(self, lang: str = "nl") -> str:
        return self.note_nl if lang == "nl" else self.note_en

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        """The theme's indicator ids, each once, in order (the headline first)."""
        return tuple(dict.fromkeys(s.id for s in self.indicators))


# --- loading -------------------------------------------------------------------------------


def _strings(where: str, raw: dict, keys: Sequence[str]) -> None:
    for key in keys:
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise ThemeError(f"{where}: {key} must be a non-empty string")


def _build(theme_id: str, raw: dict) -> Theme:
    from simlib.inputs.levers import lever_ids
    from simlib.inputs.scenario import load_scenario, scenario_names
    from simlib.model.outcomes import INDICATOR_BY_ID
    from simlib.report.plots import BREAKDOWN_AXES, CHARTS

    where = f"themes.toml [{theme_id}]"
    if not _ID.match(theme_id):
        raise ThemeError(f"{where}: id must match {_ID.pattern} (the notebook's file name)")
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    missing = [k for k in _REQUIRED if k not in raw]
    if unknown or missing:
        raise ThemeError(f"{where}: unknown keys {unknown}, missing keys {missing}")
    _strings(where, raw, ("title_nl", "title_en", "actions_nl", "actions_en", "question_nl",
                          "question_en", "scenario", "whom", "note_nl", "note_en"))
    known = set(lever_ids())
    bad = [x for x in raw["levers"] if x not in known]
    if bad or len(set(raw["levers"])) != len(raw["levers"]):
        raise ThemeError(f"{where}: levers must be distinct ids of the lever registry; "
                         f"unknown {bad}")
    if raw["scenario"] not in scenario_names():
        raise ThemeError(f"{where}: scenario {raw['scenario']!r} is not a file of scenarios/")
    outside = sorted(set(load_scenario(raw["scenario"]).changed()) - set(raw["levers"]))
    if outside:
        raise ThemeError(f"{where}: scenario {raw['scenario']!r} changes levers the theme does "
                         f"not show: {outside}")
    specs = tuple(IndicatorSpec.parse(x) for x in raw["indicators"])
    if not specs:
        raise ThemeError(f"{where}: indicators must not be empty")
    for spec in specs:
        if spec.id not in INDICATOR_BY_ID:
            raise ThemeError(f"{where}: unknown indicator {spec.id!r}")
        if spec.group != "all" and label("groups", spec.group) == spec.group:
            raise ThemeError(f"{where}: unknown group {spec.group!r} (no glossary label)")
    whom = raw.get("whom", specs[0].id)
    if whom not in INDICATOR_BY_ID:
        raise ThemeError(f"{where}: whom: unknown indicator {whom!r}")
    bad = [x for x in raw["breakdowns"] if x not in BREAKDOWN_AXES]
    if bad or not raw["breakdowns"]:
        raise ThemeError(f"{where}: breakdowns must be axes of {BREAKDOWN_AXES}; got {bad}")
    charts = tuple(raw.get("charts", ()))
    bad = [x for x in charts if x not in EXTRA_CHARTS or x not in CHARTS]
    if bad:
        raise ThemeError(f"{where}: charts must be among {EXTRA_CHARTS}; got {bad}")
    passages = []
    for k, p in enumerate(raw["passages"]):
        pwhere = f"{where} passage {k + 1}"
        if set(p) != set(_PASSAGE_KEYS):
            raise ThemeError(f"{pwhere}: keys must be {_PASSAGE_KEYS}")
        _strings(pwhere, p, _PASSAGE_KEYS)
        passages.append(Passage(p["where_nl"], p["where_en"], p["quote"]))
    if not passages:
        raise ThemeError(f"{where}: at least one passage of the advice is needed")
    return Theme(id=theme_id, title_nl=raw["title_nl"], title_en=raw["title_en"],
                 actions_nl=raw["actions_nl"], actions_en=raw["actions_en"],
                 question_nl=raw["question_nl"], question_en=raw["question_en"],
                 levers=tuple(raw["levers"]), scenario=raw["scenario"], indicators=specs,
                 whom=whom, breakdowns=tuple(raw["breakdowns"]), passages=tuple(passages),
                 charts=charts, note_nl=raw.get("note_nl", ""), note_en=raw.get("note_en", ""))


def load_themes(text: str) -> tuple[Theme, ...]:
    """Parse a themes TOML text strictly (unknown or missing keys, unknown ids are errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"themes.toml: {exc}") from None
    return tuple(_build(k, v) for k, v in data.items())


@cache
def _themes() -> tuple[Theme, ...]:
    text = resources.files("simlib.report").joinpath("themes.toml").read_text(encoding="utf-8")
    return load_themes(text)


def themes() -> list[Theme]:
    """Every theme, in file order (a new list each call)."""
    return list(_themes())


def theme_ids() -> list[str]:
    return [t.id for t in _themes()]


def theme(theme_id: str | Theme) -> Theme:
    """The theme ``theme_id`` (``KeyError`` listing the ids otherwise)."""
    if isinstance(theme_id, Theme):
        return theme_id
    for t in _themes():
        if t.id == theme_id:
            return t
    raise KeyError(f"unknown theme {theme_id!r}; expected one of {theme_ids()}")


def normalise_quote(text: str) -> str:
    """Text as compared with the source: words broken over a line joined, hyphens dropped
    (the source breaks 'niet-duale' as 'niet-' + newline + 'duale' and 'pro-' + 'grammatie'
    alike), whitespace collapsed."""
    text = re.sub(r"-\s*\n\s*", "", text)
    return " ".join(text.replace("-", "").split())


# --- numbers as text -----------------------------------------------------------------------
