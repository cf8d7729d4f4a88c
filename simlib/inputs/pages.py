"""The text of the notebook pages, in Dutch and English: ``simlib/pages.toml``.

Every heading, introduction and explanation a notebook shows is declared once there, per
notebook (its file stem) and section, in both languages, so that a page reads in one language
from top to bottom (:class:`simlib.ui.Page` shows it in the language of the page's toggle) and
the dashboard's landing page lists real translations (:func:`entry`). Widget-free.

The loader is strict: every section needs ``nl`` and ``en`` (different texts), a page needs a
``title`` and a ``summary`` in both languages, and an unknown key is refused.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

__all__ = ["PageError", "pages", "page", "text", "html", "title", "summary", "COMMON"]

LANGS = ("nl", "en")
#: The table of sections several pages share.
COMMON = "common"


class PageError(ValueError):
    """``pages.toml`` is malformed (a programming error, not a user error)."""


def _pair(where: str, value) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGS) or not all(
            isinstance(value[k], str) and value[k].strip() for k in LANGS):
        raise PageError(f"pages.toml {where}: needs a non-empty nl and en text")
    if value["nl"] == value["en"]:
        raise PageError(f"pages.toml {where}: the English text is a copy of the Dutch")
    return dict(value)


@cache
def pages() -> dict[str, dict[str, dict[str, str]]]:
    """Every page: ``{page: {"title": {nl, en}, "summary": {nl, en}, section: {nl, en}}}``
    (and ``common``)."""
    raw = tomllib.loads(resources.files("simlib.inputs").joinpath("pages.toml").read_text("utf-8"))
    out = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise PageError(f"pages.toml [{name}]: not a table")
        if name != COMMON and not {"title", "summary"} <= set(table):
            raise PageError(f"pages.toml [{name}]: needs a title and a summary")
        out[name] = {key: _pair(f"[{name}] {key}", value) for key, value in table.items()}
    return out


def page(name: str) -> dict[str, dict[str, str]]:
    """The sections of one page (``KeyError`` naming the pages if there is none)."""
    try:
        return pages()[name]
    except KeyError:
        raise KeyError(f"no page {name!r} in pages.toml; expected one of "
                       f"{sorted(p for p in pages() if p != COMMON)}") from None


def text(name: str, section: str, lang: str = "nl") -> str:
    """The Markdown of ``section`` of page ``name`` (or of :data:`COMMON`) in ``lang``."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    own = page(name)
    entry = own.get(section) or pages().get(COMMON, {}).get(section)
    if entry is None:
        raise KeyError(f"page {name!r} has no section {section!r}; expected one of "
                       f"{sorted(k for k in own if k not in ('title', 'summary'))} or of "
                       f"[{COMMON}]")
    return entry[lang]


def html(name: str, section: str, lang: str = "nl") -> str:
    """:func:`text` rendered as HTML (Markdown by mistune, which Jupyter itself uses)."""
    import mistune

    return mistune.html(text(name, section, lang))


def title(name: str, lang: str = "nl") -> str:
    return page(name)["title"][lang]


def summary(name: str, lang: str = "nl") -> str:
    return page(name)["summary"][lang]
