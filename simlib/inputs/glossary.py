"""The glossary: Dutch and English labels for every id the model shows.

Labels of units, states, labour-market statuses, axes, statuses and evidence grades are
declared once in ``glossary.toml``; lever labels live in the lever registry. The words of the
apps, texts and charts are there too, one section per module (``[text_ui]``, ...), read with
:func:`texts`: no module keeps a table of its own words, and the loader refuses an entry
without both languages.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

__all__ = ["label", "section", "texts", "LANGS"]

LANGS = ("nl", "en")


@cache
def _glossary() -> dict[str, dict[str, dict[str, str]]]:
    text = resources.files("simlib.inputs").joinpath("glossary.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    for name, entries in data.items():
        for key, labels in entries.items():
            if set(labels) != set(LANGS):
                raise ValueError(f"glossary.toml [{name}] {key}: needs exactly nl and en")
    return data


def section(name: str) -> dict[str, dict[str, str]]:
    """All entries of one glossary section (``units``, ``states``, ...)."""
    return dict(_glossary()[name])


def label(section_name: str, key: str, lang: str = "nl") -> str:
    """The ``lang`` label of ``key`` in ``section_name``; the key itself if it has none."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    entry = _glossary().get(section_name, {}).get(key)
    return entry[lang] if entry else key


def texts(name: str) -> dict[str, dict[str, str]]:
    """The words of ``[text_<name>]`` by language: ``texts("ui")["nl"]["reset"]``."""
    entries = _glossary()[f"text_{name}"]
    return {lang: {key: labels[lang] for key, labels in entries.items()} for lang in LANGS}
