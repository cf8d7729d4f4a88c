"""What every app of the notebooks shares: the two languages and their toggle, the words of
the apps (the glossary's ``[ui]`` table), the colours of a message and the status line.

Declared once here so that every app (the frame of :mod:`simlib.ui.frame`, the uncertainty
page of :mod:`simlib.ui.uncertainty`) offers the same toggle and says "busy", "done" and
"error" the same way.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as W

from simlib.inputs.glossary import texts

#: The languages of every toggle, as (shown, code); the first is the default.
LANGS = (("Nederlands", "nl"), ("English", "en"))
#: The colours of a message (the Okabe-Ito colours of the charts): busy, done, an error.
BUSY, DONE, ERROR = "#E69F00", "#009E73", "#D55E00"
#: The small grey lines of details under a control or a title.
INFO_STYLE = "font-size:0.85em;color:#444;line-height:1.3"

_TEXT = texts("ui")


def word(lang: str, key: str) -> str:
    """The apps' word ``key`` in ``lang`` ("nl" or "en"): the glossary's ``[ui]`` table."""
    return _TEXT[lang][key]


def coloured(text_html: str, colour: str) -> str:
    """``text_html`` (HTML already: escape what the user wrote) in ``colour``."""
    return f"<span style='color:{colour}'>{text_html}</span>"


def error_text(exc: Exception, lang: str) -> str:
    """The apps' sentence for a failure ("⚠ Fout: ..."), as HTML (the error's text escaped)."""
    return html.escape(word(lang, "error").format(e=exc))


def error_html(exc: Exception, lang: str) -> str:
    """:func:`error_text` in red."""
    return coloured(error_text(exc, lang), ERROR)


def language_toggle(lang: str, set_lang: Callable[[str], None]) -> W.ToggleButtons:
    """The Nederlands / English toggle, at ``lang``; a click calls ``set_lang(code)``. A page
    (:class:`simlib.ui.page.Page`) follows the toggle of the app it shows."""
    toggle = W.ToggleButtons(options=list(LANGS), value=lang, style={"button_width": "7em"})
    toggle.observe(lambda ch: set_lang(ch["new"]), names="value")
    return toggle


class StatusLine:
    """The line above an app's chart that says what it is doing: busy (orange, while the
    model runs), done (green), an error (red: the app keeps working), or a plain sentence.
    ``widget`` is what an app shows (``app.status``); :attr:`busy` is True from
    :meth:`working` until :meth:`done` or :meth:`failed`."""

    def __init__(self):
        self.widget = W.HTML()
        self.busy = False

    def working(self, text_html: str) -> None:
        self.busy = True
        self.widget.value = coloured(text_html, BUSY)

    def done(self, text_html: str) -> None:
        self.busy = False
        self.widget.value = coloured(text_html, DONE)

    def failed(self, text_html: str) -> None:
        self.busy = False
        self.widget.value = coloured(text_html, ERROR)

    def say(self, text_html: str) -> None:
        """A plain sentence (how many runs a computation makes, how long it took)."""
        self.widget.value = text_html
