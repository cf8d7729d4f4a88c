"""One rule for writing a number: how a value of each unit reads, in Dutch and in English.

Every app, generated text, chart axis, table, export and CLI line asks this module; nothing
else decides decimals, separators, percentages or millions. By unit (the unit ids of the
glossary's ``[units]``):

- **shares** (``share``, ``share_per_year``, ``share_per_month``) read as percentages,
  ``54,1 %`` (``54.1%`` in English), and a difference of shares in percentage points,
  ``+1,1 procentpunt`` (``+1.1 percentage points``), never as a percentage change;
- **money** (``eur``, ``eur_per_*``): below EUR 1,000 with cents where it has them
  (``EUR 612,50 per maand``), from EUR 1,000 in whole euros (``EUR 4.500``), from EUR 10,000
  to three significant digits (``EUR 117.000``), from a million in millions with one decimal
  (``11,0 miljoen EUR per schooljaar``);
- **counts** (``learners``, ``places``, ``*_per_school_year``, ``months``, ``years``,
  ``hours_per_week``): whole numbers, ``5.600 leerlingen``;
- **measures**: ``school_days`` one decimal, ``per_contract_year`` three, ``factor`` and
  ``visits_per_learner_per_month`` two.

Dutch uses a decimal comma and a point between thousands (``1.234,5``); English the reverse
(``1,234.5``). A value that rounds to zero as shown has no sign. :func:`parse_number` reads
typed input in either language's format.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from simlib.inputs.glossary import texts

__all__ = ["LANGS", "number", "signed", "decimals_for", "value_text", "difference_text",
           "parts_text", "shows_zero", "unit_words", "relative_text", "Display", "display", "axis_unit",
           "parse_number", "significant", "is_share", "is_money", "lever_decimals"]

LANGS = ("nl", "en")

SHARE_UNITS = ("share", "share_per_year", "share_per_month")
#: Whole numbers: people, places, contracts and durations counted in whole units.
COUNT_UNITS = ("learners", "places", "learners_per_school_year", "contracts_per_school_year",
               "months", "years", "hours_per_week", "learners_per_1000")
#: Decimals of the other measures.
MEASURE_DECIMALS = {"school_days": 1, "per_contract_year": 3, "factor": 2,
                    "visits_per_learner_per_month": 2}

_WORDS = texts("numbers")


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return lang


def is_share(unit: str) -> bool:
    return unit in SHARE_UNITS


def is_money(unit: str) -> bool:
    return unit == "eur" or unit.startswith("eur_")


def number(value: float, lang: str = "nl", decimals: int = 0) -> str:
    """``value`` with ``decimals`` decimals and thousands separators: ``1.234,5`` in Dutch,
    ``1,234.5`` in English; ``-0`` reads ``0``; NaN reads as an empty string."""
    _check_lang(lang)
    if not math.isfinite(value):
        return ""
    text = f"{value:,.{max(int(decimals), 0)}f}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if text.startswith("-") and text.strip("-0.,") == "":
        text = text[1:]
    return text


def signed(value: float, lang: str = "nl", decimals: int = 0) -> str:
    """:func:`number` with ``+`` or ``-`` (no sign where it rounds to zero)."""
    text = number(abs(value), lang, decimals)
    if text.strip("0.,") == "":
        return text
    return ("+" if value > 0 else "-") + text


def decimals_for(unit: str) -> int:
    """Decimals a value of ``unit`` is shown with (shares: of the percentage)."""
    if is_share(unit):
        return 1
    return MEASURE_DECIMALS.get(unit, 0)


def _per(unit: str, lang: str) -> str:
    """The 'per ...' part of a money unit's label (``EUR per maand`` -> ``per maand``)."""
    from simlib.inputs.glossary import label

    if unit == "eur":
        return ""
    text = label("units", unit, lang)
    return text[len("EUR"):].strip() if text.startswith("EUR") else text


def _money(value: float, lang: str, sign: bool) -> str:
    words = _WORDS[lang]
    v = abs(value)
    if v >= 1e6:
        body = f"{number(v / 1e6, lang, 1)} {words['million']} EUR"
    else:
        if v >= 1e4:
            v = float(f"{v:.3g}")  # three significant digits
            dec = 0
        elif v >= 1e3:
            dec = 0
        else:
            dec = 0 if abs(round(v, 2) - round(v)) < 5e-3 else 2
        text = number(v, lang, dec)
        body = f"EUR {text}"
    if text_is_zero(body):
        return body
    if sign:
        return ("+" if value > 0 else "-") + body
    return ("-" if value < 0 else "") + body


def text_is_zero(text: str) -> bool:
    """Whether a formatted number (with or without unit words) shows zero."""
    digits = re.sub(r"[^0-9]", "", text)
    return digits != "" and set(digits) == {"0"}


def value_text(value: float, unit: str, lang: str = "nl", *, with_unit: bool = True,
               decimals: int | None = None) -> str:
    """``value`` of ``unit`` as text (see the module docstring). ``decimals`` overrides the
    unit's own (of the percentage for shares). ``with_unit=False`` leaves out the unit's
    words but keeps what is part of the number's form (``%``, ``EUR``, ``miljoen EUR``)."""
    from simlib.inputs.glossary import label

    _check_lang(lang)
    if value is None or not math.isfinite(value):
        return ""
    if is_share(unit):
        dec = decimals_for(unit) if decimals is None else decimals
        text = f"{number(100 * value, lang, dec)} %" if lang == "nl" else \
            f"{number(100 * value, lang, dec)}%"
        if with_unit and unit != "share":
            text += " " + _WORDS[lang][unit]
        return text
    if is_money(unit):
        if decimals is not None:
            text = f"EUR {number(value, lang, decimals)}"
        else:
            text = _money(value, lang, sign=False)
        per = _per(unit, lang) if with_unit else ""
        return f"{text} {per}".strip()
    dec = decimals_for(unit) if decimals is None else decimals
    text = number(value, lang, dec)
    if with_unit and unit:
        text += " " + label("units", unit, lang)
    return text


def difference_text(a: float, b: float, unit: str, lang: str = "nl", *,
                    with_unit: bool = True) -> str:
    """``b - a`` of ``unit`` with its sign: shares in percentage points, money as money,
    counts as whole numbers; ``""`` where a value is missing. A difference of values shown
    with fixed decimals (shares, counts, measures) is the difference of the values as shown,
    so that ``5.596 -> 5.640`` reads ``+44``. ``with_unit=False`` keeps ``procentpunt`` and
    ``EUR`` (part of the number's form) and drops the unit's other words."""
    from simlib.inputs.glossary import label

    _check_lang(lang)
    d = b - a
    if not math.isfinite(d):
        return ""
    if is_share(unit):
        dec = decimals_for(unit)
        shown = round(100 * b, dec) - round(100 * a, dec)
        return f"{signed(shown, lang, dec)} {_WORDS[lang]['pp']}"
    if is_money(unit):
        text = _money(d, lang, sign=True)
        per = _per(unit, lang) if with_unit else ""
        return f"{text} {per}".strip()
    dec = decimals_for(unit)
    text = signed(round(b, dec) - round(a, dec), lang, dec)
    if with_unit and unit:
        text += " " + label("units", unit, lang)
    return text


def parts_text(total: float, parts: list[float], unit: str, lang: str = "nl",
               signs: bool = True) -> tuple[str, list[str]]:
    """A total and its parts written at one precision so that the parts as shown add up to
    the total as shown: money at three significant digits of the largest amount (millions
    from a million), other units at their own decimals; the rounding remainder goes to the
    parts with the largest remainders. Returns (total text, part texts); ``signs`` writes
    ``+``/``-`` (differences)."""
    values = [total, *parts]
    if not all(math.isfinite(v) for v in values):
        return "", ["" for _ in parts]
    if is_money(unit):
        top = max(abs(v) for v in values)
        millions = top >= 1e6
        scale = 1e-6 if millions else 1.0
        top_s = top * scale
        if millions:  # one decimal of millions, as value_text writes them
            step = 0.1
        else:  # three significant digits of the largest amount, whole euros from 1,000
            step = 10.0 ** (math.floor(math.log10(top_s)) - 2) if top_s > 0 else 1.0
            step = max(step, 1.0 if top_s >= 1000 else 0.01)
        dec = max(0, -math.floor(math.log10(step) + 1e-9))
    else:
        scale = 100.0 if is_share(unit) else 1.0
        dec = decimals_for(unit)
        step = 10.0 ** -dec
    units = [v * scale / step for v in parts]
    goal = round(total * scale / step)
    rounded = [math.floor(u) for u in units]
    short = goal - sum(rounded)
    order = sorted(range(len(units)), key=lambda k: units[k] - rounded[k], reverse=True)
    for k in (order[:short] if short > 0 else []):
        rounded[k] += 1
    if short < 0:
        for k in sorted(range(len(units)), key=lambda k: units[k] - rounded[k])[:-short]:
            rounded[k] -= 1
    fmt = signed if signs else number

    def write(n: int) -> str:
        v = n * step
        if is_money(unit):
            body = fmt(v, lang, dec)
            word = f" {_WORDS[lang]['million']} EUR" if millions else ""
            if millions:
                return f"{body}{word}"
            sign = body[0] if body[:1] in "+-" else ""
            return f"{sign}EUR {body.lstrip('+-')}"
        text = fmt(v, lang, dec)
        if is_share(unit):
            return f"{text} {_WORDS[lang]['pp']}" if signs else f"{text} %"
        return text

    return write(goal), [write(n) for n in rounded]


def unit_words(unit: str, lang: str = "nl") -> str:
    """The words a number of ``unit`` carries in the rule's form, for a field beside a typed
    number: ``%`` (``% per jaar``), ``EUR per maand``, ``leerlingen``."""
    from simlib.inputs.glossary import label

    if is_share(unit):
        return "%" if unit == "share" else f"% {_WORDS[lang][unit]}"
    return label("units", unit, lang)


def shows_zero(a: float, b: float, unit: str, lang: str = "nl") -> bool:
    """Whether ``b - a`` rounds to zero as :func:`difference_text` shows it."""
    return text_is_zero(difference_text(a, b, unit, lang, with_unit=False))


def relative_text(a: float, b: float, lang: str = "nl") -> str:
    """``(b - a) / a`` as a signed percentage with one decimal (``+4,2 %``); ``""`` where it
    misleads or is undefined (``a`` not positive, or a value missing)."""
    if not (math.isfinite(a) and math.isfinite(b)) or a <= 0:
        return ""
    text = signed(100 * (b - a) / a, lang, 1)
    return f"{text} %" if lang == "nl" else f"{text}%"


@dataclass(frozen=True)
class Display:
    """How values of a unit go on a chart axis: multiply by ``scale``, label with the unit
    id ``unit`` (a glossary unit), tick labels with ``decimals`` at most."""

    scale: float
    unit: str
    difference_unit: str


def display(unit: str) -> Display:
    """The axis form of ``unit``: shares in % (differences in percentage points), money per
    school year in millions, the rest as it is."""
    if is_share(unit):
        return Display(100.0, "percent", "percentage_points")
    if unit == "eur_per_school_year":
        return Display(1e-6, "million_eur_per_school_year", "million_eur_per_school_year")
    return Display(1.0, unit, unit)


def axis_unit(unit: str, lang: str = "nl", difference: bool = False) -> str:
    """The unit words of an axis showing ``unit`` (or a difference of it)."""
    from simlib.inputs.glossary import label

    shown = display(unit)
    return label("units", shown.difference_unit if difference else shown.unit, lang)


_NL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_EN = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def significant(value: float, lang: str = "nl", digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits (a sensitivity index, a researcher's
    table), with the language's decimal mark; tiny and huge values in scientific form."""
    if not math.isfinite(value):
        return ""
    if value != 0 and not 1e-3 <= abs(value) < 1e7:
        text = f"{value:.{digits - 1}e}"
        return text.replace(".", ",") if lang == "nl" else text
    dec = 0 if value == 0 else max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return number(round(value, dec), lang, dec)


def parse_number(text: str, lang: str = "nl") -> float:
    """A number typed in ``lang``'s format (``612,50`` or ``1.234,5`` in Dutch, ``612.50`` or
    ``1,234.5`` in English; spaces, ``EUR`` and ``%`` ignored). ``ValueError`` otherwise."""
    _check_lang(lang)
    raw = str(text).replace("\u00a0", " ").replace("EUR", "").replace("€", "").replace(
        "%", "").replace(" ", "")
    if lang == "nl":
        if not _NL.match(raw):
            raise ValueError(f"{text!r} is not a number as written in Dutch (e.g. 612,50)")
        return float(raw.replace(".", "").replace(",", "."))
    if not _EN.match(raw):
        raise ValueError(f"{text!r} is not a number as written in English (e.g. 612.50)")
    return float(raw.replace(",", ""))


def lever_decimals(lv) -> int:
    """Decimals a lever's value is shown with: what its step needs (a share's step of the
    percentage), money with cents where its default has them."""
    step = lv.step
    if step is None:
        return 0
    scale = 100.0 if is_share(lv.unit) else 1.0
    s = float(step) * scale
    dec = 0 if float(s).is_integer() else max(0, min(6, -math.floor(math.log10(s) + 1e-9)))
    if is_money(lv.unit) and not float(lv.default).is_integer():
        dec = max(dec, 2)
    return dec
