"""The text of a notebook page and the tables it shows, in the language of the page's toggle.

- :class:`Page` — the headings and explanations of a page (``simlib/inputs/pages.toml``), so
  that the whole page reads in one language, the toggle's.
- :class:`Translated` — anything shown as HTML (a table, a check report) made anew in the
  toggle's language; :func:`key_figures_view`, :func:`checks_view` and
  :func:`calibration_view` are the three a notebook shows.
- :func:`key_figures` — every indicator of a result per school year, by the number rule.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as W

from simlib.inputs.glossary import label
from simlib.report import numbers as N

__all__ = ["Page", "Translated", "key_figures", "key_figures_view", "checks_view",
           "calibration_view"]


class Page:
    """The headings and explanations of a notebook page (``simlib/pages.toml``, see
    :mod:`simlib.inputs.pages`) in the language of the page's toggle, so that the whole page reads in
    one language. ``Page(name, app.lang_toggle).section("intro")`` is an HTML widget that
    follows the toggle; several section names are shown one after the other."""

    def __init__(self, name: str, toggle: W.ToggleButtons | None = None, lang: str = "nl"):
        from simlib.inputs import pages

        pages.page(name)  # an unknown page fails here, not when shown
        self.name = name
        self.lang = toggle.value if toggle is not None else lang
        self._shown: list[tuple[W.HTML, tuple[str, ...]]] = []
        if toggle is not None:
            toggle.observe(lambda ch: self.set_lang(ch["new"]), names="value")

    def section(self, *names: str) -> W.HTML:
        widget = W.HTML()
        self._shown.append((widget, names))
        self._fill(widget, names)
        return widget

    def _fill(self, widget: W.HTML, names: tuple[str, ...]) -> None:
        from simlib.inputs import pages

        widget.value = "".join(pages.html(self.name, n, self.lang) for n in names)

    def follow(self, toggle: W.ToggleButtons) -> Page:
        """Follow ``toggle`` from now on (a page whose app is made after its first text)."""
        toggle.observe(lambda ch: self.set_lang(ch["new"]), names="value")
        if toggle.value != self.lang:
            self.set_lang(toggle.value)
        return self

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        for widget, names in self._shown:
            self._fill(widget, names)


class Translated:
    """Something shown as HTML in the language of a toggle: ``make(lang)`` returns what to
    show (anything with ``_repr_html_``, e.g. a table, or an HTML string), made anew when
    the language changes."""

    def __init__(self, make: Callable[[str], object], toggle: W.ToggleButtons | None = None,
                 lang: str = "nl"):
        self.make = make
        self.widget = W.HTML()
        self.set_lang(toggle.value if toggle is not None else lang)
        if toggle is not None:
            toggle.observe(lambda ch: self.set_lang(ch["new"]), names="value")

    def set_lang(self, lang: str) -> None:
        shown = self.make(lang)
        self.widget.value = shown if isinstance(shown, str) else shown._repr_html_()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def key_figures_view(result, toggle: W.ToggleButtons | None = None,
                     group: str = "all") -> Translated:
    """:func:`key_figures` in the language of ``toggle``."""
    return Translated(lambda lang: key_figures(result, group, lang), toggle)


def checks_view(report, toggle: W.ToggleButtons | None = None) -> Translated:
    """A :class:`simlib.analysis.checks.CheckReport` in the language of ``toggle``."""
    import dataclasses

    return Translated(lambda lang: dataclasses.replace(report, lang=lang), toggle)


def calibration_view(*results, toggle: W.ToggleButtons | None = None) -> Translated:
    """:func:`simlib.report.tables.calibration_table` of ``results`` in the language of ``toggle``."""
    from simlib.report.tables import calibration_table

    return Translated(lambda lang: calibration_table(*results, lang=lang), toggle)


def key_figures(result, group: str = "all", lang: str = "nl"):
    """Every indicator of ``result`` per school year for ``group``, as a table to show:
    rows labelled in ``lang`` with their unit, numbers by the number rule
    (:mod:`simlib.report.numbers`: Dutch 1.234,5; shares in %)."""
    import pandas as pd

    from simlib.model.outcomes import INDICATORS

    df = result.indicators
    df = df[df.group == group]
    years = list(dict.fromkeys(df.school_year))
    rows, index = [], []
    for ind in INDICATORS:
        sub = df[df.indicator == ind.id].set_index("school_year").value
        if sub.empty:
            continue
        rows.append([N.unit_words(ind.unit, lang)]
                    + [N.value_text(sub[y], ind.unit, lang, with_unit=False)
                       if y in sub.index else "" for y in years])
        index.append(label("indicators", ind.id, lang))
    return pd.DataFrame(rows, index=pd.Index(index, name=label("axes", "indicator", lang)),
                        columns=[label("axes", "unit", lang), *years])
