"""Plain-language text about levers: a value with its unit, what differs between scenarios.

Widget-free (the apps of :mod:`simlib.ui` and the generated texts of :mod:`simlib.report.texts`
share it). Labels come from the lever registry and the glossary; numbers are formatted for the
language (Dutch: ``612,50 EUR per maand``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simlib.inputs.glossary import label, texts
from simlib.inputs.levers import Lever, levers

__all__ = ["format_value", "lever_changes", "lever_differences", "LeverChange", "choice_label",
           "step_decimals", "simulation_start"]

_TEXT = texts("describe")


def humanise(key: str) -> str:
    """An id as a readable fallback label (``"soa"`` -> ``"SOA"``, ``"a_b"`` -> ``"A b"``)."""
    text = key.replace("_", " ")
    return text.upper() if len(text) <= 3 else text[:1].upper() + text[1:]


def choice_label(lv: Lever, choice: str, lang: str) -> str:
    """A choice's label: glossary ``[choices]`` ``"lever.choice"`` or ``"choice"``, else the id."""
    for key in (f"{lv.id}.{choice}", choice):
        text = label("choices", key, lang)
        if text != key:
            return text
    return humanise(choice)


def step_decimals(step: float | None) -> int:
    """Decimals a lever's step needs in the lever's own unit (0.05 -> 2, 1 -> 0): what a
    control must keep of a value."""
    if step is None or float(step).is_integer():
        return 0
    return max(0, min(6, -math.floor(math.log10(float(step)) + 1e-9)))


def format_value(lv: Lever, value, lang: str = "nl", unit: bool = True) -> str:
    """``value`` of lever ``lv`` as text in ``lang`` by the number rule
    (:mod:`simlib.report.numbers`): ``EUR 612,50 per maand``, ``25 %``, ``16 uur per week``; a
    switch ``ja``/``nee``; a choice its label. ``unit=False`` leaves out the unit words (a
    share keeps its %)."""
    from simlib.report.numbers import is_money, is_share, lever_decimals, number, value_text

    if lv.kind == "bool":
        return _TEXT[lang]["yes"] if value else _TEXT[lang]["no"]
    if lv.kind == "choice":
        return choice_label(lv, value, lang)
    dec = lever_decimals(lv)
    if unit:
        return value_text(float(value), lv.unit, lang, decimals=dec)
    if is_share(lv.unit):
        return value_text(float(value), "share", lang, decimals=dec)
    if is_money(lv.unit):
        return number(float(value), lang, dec)
    return number(float(value), lang, dec)


def month_text(iso: str, lang: str = "nl") -> str:
    """An ISO date as a month in words: ``2027-09-01`` -> ``september 2027``."""
    year, month = int(iso[:4]), int(iso[5:7])
    return f"{_TEXT[lang][f'month_{month}']} {year}"


def simulation_start() -> str:
    """The first month the model simulates (ISO date)."""
    from simlib.model.structure import START

    return START.isoformat()


def _effective(schedule: dict, start: str) -> dict:
    """A schedule from ``start`` on: earlier history collapsed into the value at ``start``."""
    items = sorted(schedule.items())
    first = items[0][1]
    for d, v in items:
        if d <= start:
            first = v
    out = {start: first}
    for d, v in items:
        if d > start and v != out[max(out)]:
            out[d] = v
    return out


def _schedule_text(lv: Lever, schedule: dict, lang: str) -> str:
    items = list(schedule.items())
    text = format_value(lv, items[0][1], lang)
    for d, v in items[1:]:
        text += f", {_TEXT[lang]['from']} {month_text(d, lang)}: {format_value(lv, v, lang)}"
    return text


def _change_text(lv: Lever, before: dict, after: dict, lang: str) -> str:
    """What ``after`` sets where it differs from ``before`` (both from the simulation's
    start), in words: ``vanaf september 2027: 16 uur per week (nu 8 uur per week)``; a value
    from the start reads ``16 uur per week (nu 8 uur per week)``."""
    t = _TEXT[lang]
    start = simulation_start()
    parts = []
    for d, v in after.items():
        was = before[max(k for k in before if k <= d)] if any(k <= d for k in before) else \
            next(iter(before.values()))
        if v == was:
            continue
        now = format_value(lv, was, lang, unit=False)
        if d == start:
            parts.append(f"{format_value(lv, v, lang)} ({t['now']} {now})")
        else:
            parts.append(f"{t['from']} {month_text(d, lang)}: {format_value(lv, v, lang)} "
                         f"({t['now' if was == before[start] else 'then']} {now})")
    return "; ".join(parts)


@dataclass(frozen=True)
class LeverChange:
    """One lever whose values over the simulated period differ between two scenarios."""

    lever: Lever
    before: str  #: the first scenario's values as text (dated changes with their month)
    after: str   #: the second scenario's values as text
    change: str = ""  #: what the second sets where it differs, in words (dated in words)

    def text(self, lang: str = "nl") -> str:
        """``label: vanaf september 2027: 16 uur per week (nu 8 uur per week)``."""
        return f"{self.lever.label(lang)}: {self.change or self.after}"


def lever_changes(a, b, lang: str = "nl") -> list[LeverChange]:
    """The levers whose values over the simulated period differ between scenarios ``a`` and
    ``b`` (``a=None``: today's rules), in registry order."""
    start = simulation_start()
    out = []
    for lv in levers():
        sa = _effective(dict(lv.schedule if a is None else a.schedules[lv.id]), start)
        sb = _effective(dict(b.schedules[lv.id]), start)
        if sa != sb:
            out.append(LeverChange(lv, _schedule_text(lv, sa, lang),
                                   _schedule_text(lv, sb, lang), _change_text(lv, sa, sb, lang)))
    return out


def lever_differences(a, b, lang: str = "nl") -> list[str]:
    """One line per lever whose values over the simulated period differ between scenarios
    ``a`` and ``b`` (``a=None``: today's rules): ``label: vanaf september 2027: b's value
    (nu a's value)``."""
    return [change.text(lang) for change in lever_changes(a, b, lang)]
