"""Plain-language text about levers: a value with its unit, what differs between scenarios.

Widget-free (the apps of :mod:`simlib.ui` and the generated texts of :mod:`simlib.themes`
share it). Labels come from the lever registry and the glossary; numbers are formatted for the
language (Dutch: ``612,50 EUR per maand``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simlib.glossary import label
from simlib.levers import Lever, levers

__all__ = ["format_value", "lever_changes", "lever_differences", "LeverChange", "choice_label",
           "step_decimals", "simulation_start"]

_TEXT = {
    "nl": {"yes": "ja", "no": "nee", "from": "vanaf"},
    "en": {"yes": "yes", "no": "no", "from": "from"},
}


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
    """Decimals a lever's step needs (0.05 -> 2, 1 -> 0)."""
    if step is None or float(step).is_integer():
        return 0
    return max(0, min(6, -math.floor(math.log10(float(step)) + 1e-9)))


def format_value(lv: Lever, value, lang: str = "nl", unit: bool = True) -> str:
    """``value`` of lever ``lv`` as text in ``lang``, with its unit (Dutch: ``612,50 EUR per
    maand``; a switch: ``ja``/``nee``; a choice: its label)."""
    from simlib.plots import number

    if lv.kind == "bool":
        return _TEXT[lang]["yes"] if value else _TEXT[lang]["no"]
    if lv.kind == "choice":
        return choice_label(lv, value, lang)
    dec = step_decimals(lv.step)
    if lv.unit.startswith("eur") and not float(value).is_integer():
        dec = max(dec, 2)
    text = number(float(value), lang, dec)
    return f"{text} {label('units', lv.unit, lang)}" if unit else text


def simulation_start() -> str:
    """The first month the model simulates (ISO date)."""
    from simlib.model import START

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
        text += f", {_TEXT[lang]['from']} {d}: {format_value(lv, v, lang)}"
    return text


@dataclass(frozen=True)
class LeverChange:
    """One lever whose values over the simulated period differ between two scenarios."""

    lever: Lever
    before: str  #: the first scenario's values as text (dated changes with their date)
    after: str   #: the second scenario's values as text

    def text(self, lang: str = "nl") -> str:
        return f"{self.lever.label(lang)}: {self.before} → {self.after}"


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
                                   _schedule_text(lv, sb, lang)))
    return out


def lever_differences(a, b, lang: str = "nl") -> list[str]:
    """One line per lever whose values over the simulated period differ between scenarios
    ``a`` and ``b`` (``a=None``: today's rules): ``label: a's values → b's values``, dated
    changes with their date."""
    return [change.text(lang) for change in lever_changes(a, b, lang)]
