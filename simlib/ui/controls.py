"""The lever controls: one control per lever of the registry, grouped by theme.

Nothing here declares a lever's label, unit, range or default: every control reads the
registry (:mod:`simlib.inputs.levers`), every label the glossary.

- :class:`LeverControl` — a slider for a number (min, max and step from the registry,
  ``continuous_update=False``: it fires on release) with its value typed in the language's
  format beside it, a checkbox for a switch, a dropdown for a choice; the label and unit above
  it, today's value, the range, the evidence grade and (unfolded on demand) the description
  and the SERV passage below it, the description also as tooltip.
- :class:`LeverPanel` — the controls in an accordion by theme; a child lever is disabled
  while its parent is off; :meth:`LeverPanel.scenario` turns the controls into a
  :class:`simlib.Scenario` holding only the levers that differ from today's rules, each dated
  by the one rule of :meth:`LeverPanel.dated`.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable, Sequence

import ipywidgets as W

from simlib.inputs import scenario as _scenarios
from simlib.inputs.glossary import label
from simlib.inputs.levers import Lever, levers
from simlib.model.structure import HORIZON_YEARS
from simlib.report import numbers as N
from simlib.report.describe import choice_label as _choice_label
from simlib.report.describe import format_value, humanise, month_text
from simlib.report.describe import step_decimals as _step_decimals
from simlib.ui.common import ERROR, INFO_STYLE, word

__all__ = ["LeverControl", "LeverPanel"]


def _theme_label(theme: str, lang: str) -> str:
    """A theme's label: the glossary's ``[themes]`` entry, else the (Dutch) theme id."""
    text = label("themes", theme, lang)
    return humanise(theme) if text == theme else text


class LeverControl:
    """One lever: a title (label and unit), the control, an info line with details.

    A number is a slider (steps from the registry) with, beside it, its value written in the
    language's format (``612,50`` in Dutch; shares in %), which the user may also type: a
    typed value is read in that format (:func:`simlib.report.numbers.parse_number`), checked against
    the registry's range, and set exactly (a cent, not the slider's step); a bad one is
    shown in red and changes nothing.
    """

    def __init__(self, lv: Lever, lang: str = "nl"):
        self.lever = lv
        self.lang = lang
        self.entry: W.Text | None = None
        self.entry_unit = W.HTML()
        self.entry_error = W.HTML()
        self._syncing = False
        if lv.kind == "bool":
            self.widget = W.Checkbox(value=lv.default, indent=False)
        elif lv.kind == "choice":
            self.widget = W.Dropdown(options=self._choices(lang), value=lv.default)
        else:
            cls = W.IntSlider if lv.kind == "int" else W.FloatSlider
            self.widget = cls(value=lv.default, min=lv.min, max=lv.max, step=lv.step or 1,
                              continuous_update=False, readout=False)
            self.entry = W.Text(continuous_update=False, layout=W.Layout(width="7em"))
            self.entry.observe(self._typed, names="value")
            self.widget.observe(lambda _ch: self._show_value(), names="value")
        self.widget.layout = W.Layout(width="95%" if self.entry is None else "62%")
        self.title = W.HTML()
        self.info = W.HTML()
        indent = "1.6em" if lv.parent else "0"
        row = self.widget if self.entry is None else W.HBox(
            [self.widget, self.entry, self.entry_unit], layout=W.Layout(width="95%"))
        self.box = W.VBox([self.title, row, self.entry_error, self.info],
                          layout=W.Layout(margin=f"0 0 0.6em {indent}"))
        self.set_lang(lang)

    def _choices(self, lang: str) -> list[tuple[str, str]]:
        return [(_choice_label(self.lever, c, lang), c) for c in self.lever.choices or ()]

    def _scale(self) -> float:
        return 100.0 if N.is_share(self.lever.unit) else 1.0

    def _show_value(self) -> None:
        """The read-out beside the slider: the value in the language's format."""
        if self.entry is None:
            return
        self._syncing = True
        try:
            self.entry.value = N.number(float(self.widget.value) * self._scale(), self.lang,
                                        N.lever_decimals(self.lever))
            self.entry_error.value = ""
        finally:
            self._syncing = False

    def _typed(self, change) -> None:
        """A value typed in the read-out: read, check, set (or say why not)."""
        if self._syncing:
            return
        lv, lang = self.lever, self.lang
        try:
            value = N.parse_number(change["new"], lang) / self._scale()
        except ValueError as exc:
            return self._refuse(str(exc))
        if lv.kind == "int":
            if not float(value).is_integer():
                return self._refuse(word(lang, "whole").format(v=change["new"]))
            value = int(value)
        issue = lv.check(value)
        if issue:
            return self._refuse(word(lang, "out_of_range").format(
                v=change["new"], lo=format_value(lv, lv.min, lang),
                hi=format_value(lv, lv.max, lang)))
        if value == self.widget.value:
            self._show_value()  # the same value, written the rule's way
        else:
            self.widget.value = value

    def _refuse(self, why: str) -> None:
        self.entry_error.value = (f"<span style='color:{ERROR};font-size:0.85em'>"
                                  f"{html.escape(why)}</span>")

    @property
    def value(self):
        """The control's value as the lever's type (a float lever rounded to its step)."""
        value = self.widget.value
        if self.lever.kind == "float":
            return round(float(value), _step_decimals(self.lever.step) + 2)
        return value

    def is_default(self) -> bool:
        return self.value == self.lever.default

    def reset(self) -> None:
        self.widget.value = self.lever.default

    def set_lang(self, lang: str) -> None:
        lv = self.lever
        self.lang = lang
        unit = label("units", lv.unit, lang)
        self.title.value = (f"<b>{html.escape(lv.label(lang))}</b> "
                            f"<span style='color:#555'>({html.escape(unit)})</span>")
        if lv.kind == "bool":
            self.widget.description = word(lang, "on")
        if lv.kind == "choice":
            value = self.widget.value
            self.widget.options = self._choices(lang)
            self.widget.value = value
        if self.entry is not None:
            words = N.unit_words(lv.unit, lang)
            self.entry_unit.value = f"<span style='color:#555'>{html.escape(words)}</span>"
            self.entry.tooltip = word(lang, "type_value")
            self._show_value()
        self.widget.tooltip = lv.description(lang)
        facts = [f"{word(lang, 'today')}: {format_value(lv, lv.default, lang)}"]
        if lv.kind in ("int", "float"):
            facts.append(f"{word(lang, 'range')} {format_value(lv, lv.min, lang, unit=False)}–"
                         f"{format_value(lv, lv.max, lang, unit=False)}")
        facts.append(f"{word(lang, 'evidence')} {label('evidence', lv.evidence_grade, lang)}")
        facts.append(f"{word(lang, 'status')}: {label('status', lv.status, lang)}")
        summary = html.escape(" · ".join(facts))
        self.info.value = (
            f"<div style='{INFO_STYLE}'>{summary}<details><summary>{word(lang, 'more')}"
            f"</summary><p>{html.escape(lv.description(lang))}</p>"
            f"<p><i>{word(lang, 'passage')}:</i> {html.escape(lv.passage)}</p>"
            f"<p>{word(lang, 'earliest')}: {month_text(lv.earliest_date, lang)}</p></details>"
            f"</div>")


class LeverPanel:
    """Controls for every lever of the registry, grouped by theme in an accordion.

    ``on_change(callback)`` calls ``callback()`` after each user change (once per
    :meth:`hold` block). :meth:`changed` holds the levers that differ from today's rules
    (children of a switched-off parent left out: the model ignores them);
    :meth:`scenario` makes a :class:`simlib.Scenario` of them.

    **When a change starts** — one rule for every app: a changed lever applies from its
    earliest possible date (the registry's ``earliest_date``), or from the school year chosen
    in :attr:`start` if that is later; :meth:`dated` writes the value that way and
    :meth:`scenario` is what every app runs, saves and exports. :attr:`note` is a line beside
    the reset button for the app to fill (a policy notebook says which scenario it opens on).
    """

    def __init__(self, lang: str = "nl", lever_list: Sequence[Lever] | None = None,
                 years: int = HORIZON_YEARS):
        from simlib.model.structure import Timeline

        self.lang = lang
        self.years = years
        self.controls: dict[str, LeverControl] = {}
        self._callbacks: list[Callable[[], None]] = []
        self._holding = 0
        self._pending = False
        self._relabelling = False
        themes: dict[str, list[LeverControl]] = {}
        for lv in lever_list if lever_list is not None else levers():
            control = LeverControl(lv, lang)
            self.controls[lv.id] = control
            themes.setdefault(lv.theme, []).append(control)
            control.widget.observe(self._changed, names="value")
        self.themes = list(themes)
        self.accordion = W.Accordion(children=[W.VBox([c.box for c in cs])
                                               for cs in themes.values()])
        self.reset_button = W.Button(icon="undo", layout=W.Layout(width="auto"))
        self.reset_button.on_click(lambda _b: self.reset())
        self.note = W.HTML()
        self._school_years = list(dict.fromkeys(Timeline(max(years, 1)).school_year()))
        # "" is each lever's earliest date (None would read as no choice in a dropdown)
        self.start = W.Dropdown(layout=W.Layout(width="95%"),
                                style={"description_width": "initial"})
        self.start_note = W.HTML()
        self.widget = W.VBox([self.reset_button, self.note, self.start, self.start_note,
                              self.accordion])
        for control in self.controls.values():
            if control.lever.parent:
                self.controls[control.lever.parent].widget.observe(
                    lambda _ch: self._enable_children(), names="value")
        self._enable_children()
        self.set_lang(lang)
        self.start.observe(lambda _ch: None if self._relabelling else self._changed(),
                           names="value")

    # values
    def values(self) -> dict:
        """Every lever's current value."""
        return {k: c.value for k, c in self.controls.items()}

    def changed(self) -> dict:
        """The levers whose control differs from today's rule (ignored children left out)."""
        out = {}
        for k, c in self.controls.items():
            parent = c.lever.parent
            if parent and not self.controls[parent].value:
                continue
            if not c.is_default():
                out[k] = c.value
        return out

    def start_date(self, lever_id: str) -> str:
        """The first day a change of ``lever_id`` applies: its earliest possible date, or
        the 1st of September of the chosen school year if that is later."""
        from simlib.inputs.levers import lever

        date = lever(lever_id).earliest_date
        if self.start.value:
            date = max(date, f"{self.start.value[:4]}-09-01")
        return date

    def dated(self, lever_id: str, value):
        """``value`` of ``lever_id`` as a scenario entry from :meth:`start_date` (a plain
        value if that is the first simulated month or earlier)."""
        from simlib.model.structure import dated_entry

        return dated_entry(value, self.start_date(lever_id))

    def overrides(self) -> dict:
        """The changed levers as dated scenario entries (the one rule, see the class)."""
        return {k: self.dated(k, v) for k, v in self.changed().items()}

    def scenario(self, name: str | None = None, label_nl: str | None = None,
                 label_en: str | None = None):
        """The controls as a Scenario over the baseline: only the levers that differ from
        today's rules, each from its start (:meth:`dated`). With no change, the baseline."""
        changed = self.overrides()
        if not changed:
            return _scenarios.load_scenario("baseline")
        return _scenarios.scenario(name=name or word("nl", "own_name"),
                                   label_nl=label_nl or word("nl", "own_label"),
                                   label_en=label_en or word("en", "own_label"), **changed)

    def set_values(self, values: dict) -> None:
        """Set several controls at once (one change notification)."""
        with self.hold():
            for k, v in values.items():
                self.controls[k].widget.value = v

    def reset(self) -> None:
        """Every control back to today's rule (one change notification)."""
        with self.hold():
            for control in self.controls.values():
                control.reset()

    # notifications
    def on_change(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    @contextlib.contextmanager
    def hold(self):
        """Collect changes made inside the block into one notification at its end."""
        self._holding += 1
        try:
            yield self
        finally:
            self._holding -= 1
            if not self._holding and self._pending:
                self._pending = False
                self._notify()

    def _changed(self, _change=None) -> None:
        if self._relabelling:  # a language change sets a dropdown's options: no user change
            return
        self._update_titles()
        if self._holding:
            self._pending = True
        else:
            self._notify()

    def _notify(self) -> None:
        for callback in self._callbacks:
            callback()

    def _enable_children(self) -> None:
        for control in self.controls.values():
            parent = control.lever.parent
            if parent:
                control.widget.disabled = not bool(self.controls[parent].widget.value)

    # language
    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self._relabelling = True
        try:
            for control in self.controls.values():
                control.set_lang(lang)
        finally:
            self._relabelling = False
        self.reset_button.description = word(lang, "reset")
        self._relabelling = True
        try:
            self.start.description = word(lang, "start")
            value = self.start.value or ""
            self.start.options = [(word(lang, "start_earliest"), "")] + [
                (f"{word(lang, 'school_year').lower()} {sy}", sy) for sy in self._school_years]
            self.start.value = value
        finally:
            self._relabelling = False
        self.start_note.value = f"<div style='{INFO_STYLE}'>{word(lang, 'start_note')}</div>"
        self._update_titles()

    def _update_titles(self) -> None:
        counts = {theme: 0 for theme in self.themes}
        for k in self.changed():
            counts[self.controls[k].lever.theme] += 1
        self.accordion.titles = tuple(
            _theme_label(theme, self.lang)
            + (f" · {counts[theme]} {word(self.lang, 'changed')}" if counts[theme] else "")
            for theme in self.themes)
