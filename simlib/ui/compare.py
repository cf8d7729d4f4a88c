"""The comparison notebook's app: two scenarios side by side (and more in the same chart and
table), and the sliders saved as a scenario file (or, in the dashboard, offered as a
download to upload again later)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import ipywidgets as W

from simlib.files.resources import default_folder
from simlib.inputs import scenario as _scenarios
from simlib.inputs.glossary import texts
from simlib.model.structure import HORIZON_YEARS
from simlib.report import downloads as _downloads
from simlib.report import export as _export
from simlib.report.describe import lever_differences
from simlib.ui.cache import run_cached
from simlib.ui.common import error_html, word
from simlib.ui.controls import LeverPanel
from simlib.ui.frame import Frame, Framed, FrameSpec
from simlib.ui.summary_text import (
    SUMMARY_INDICATORS,
    comparison_html,
    scenarios_html,
    summary_html,
)
from simlib.ui.upload import ScenarioUpload

__all__ = ["CompareApp", "SLIDERS"]

#: The key of "the current sliders" among the scenarios a CompareApp offers.
SLIDERS = "__sliders__"

# "Save as scenario" of CompareApp: its texts in the dashboard ("browser" mode: a download).
_SAVE_TEXT = texts("ui_save")


class CompareApp(Framed):
    """Two scenarios side by side: files of ``scenarios/`` (and of ``save_dir``) or the current
    sliders; the indicator over time and the difference B - A, a text of what changed and by
    how much, and a box to save the sliders as a scenario file. ``more``: further scenarios
    drawn in the same trend (between A and B) and set beside them in one table of the
    headline indicators (:func:`simlib.ui.summary_text.scenarios_html`); the difference
    chart stays B - A.

    Saving (:meth:`save`) follows :func:`simlib.report.downloads.default_mode`: in JupyterLab
    ("files") the file is written in the folder of the box's folder field (``save_dir`` at
    first) and offered in both lists, with the files of that folder; in the dashboard
    ("browser") nothing is written on the server and no saved file is listed (the folder
    would be every user's): the file is offered as a download, to upload again later."""

    def __init__(self, a: str = "baseline", b: str = SLIDERS, years: int = HORIZON_YEARS,
                 lang: str = "nl", save_dir: str | Path | None = None,
                 export_folder: str | Path | None = None, more: Sequence[str] = ()):
        spec = FrameSpec(views=("trend",), kinds={"trend": ("trend", "difference")},
                         stem="vergelijking", summary=self._summary)
        self.frame = Frame(spec, years, lang, export_folder)
        self.save_dir = Path(save_dir or default_folder("mijn_scenarios", "data"))
        self.save_mode = _downloads.default_mode()  # save: "browser" in the dashboard
        self.panel = LeverPanel(lang, years=years)
        self.panel.on_change(self._levers_changed)
        self.pick_a = W.Dropdown(layout=W.Layout(width="auto"))
        self.pick_b = W.Dropdown(layout=W.Layout(width="auto"))
        self.pick_more = W.SelectMultiple(rows=4, layout=W.Layout(width="auto"))
        self.upload = ScenarioUpload(lang)  # upload: a scenario file, offered in both lists
        self.upload.on_scenario(self._uploaded)  # upload
        self._fill_picks(a, b, more)
        for pick in (self.pick_a, self.pick_b, self.pick_more):
            pick.observe(lambda _c: None if self.frame.quiet else self.update(), names="value")
        self.save_name = W.Text(value="mijn_scenario")
        self.save_label = W.Text(value="")
        self.save_overwrite = W.Checkbox(value=False, indent=False)
        self.save_button = W.Button(icon="save", layout=W.Layout(width="auto"))
        self.save_button.on_click(lambda _b: self.save())
        self.save_message = W.HTML()
        self.save_title = W.HTML()
        # save: a download in the dashboard ("browser"), a file in the folder field elsewhere
        self.save_folder = W.Text(value=str(self.save_dir))
        self.save_files: dict[str, bytes] = {}
        self.save_links = W.HTML()
        if self.save_mode == "browser":
            self.save_folder.layout.display = "none"
            self.save_overwrite.layout.display = "none"
        self.panel.on_change(self._save_outdated)
        self.panel_title = W.HTML()
        self.update()
        for field in (self.save_folder, self.save_name, self.save_label):  # labels not cut off
            field.style.description_width = "initial"
            field.layout.width = "95%"
        save_box = W.VBox([self.save_title, self.save_folder, self.save_name, self.save_label,
                           W.HBox([self.save_overwrite, self.save_button]), self.save_message,
                           self.save_links, self.upload.widget])  # upload
        picks = W.HBox([W.VBox([self.pick_a, self.pick_b]), self.pick_more])
        controls = W.VBox([W.HBox([self.indicator, self.group]), self.band_box])
        self.main = W.VBox([
            self.lang_toggle, picks, controls, self.status, self.chart.widget, self.summary,
            W.HBox([W.VBox([self.panel_title, self.panel.widget],
                           layout=W.Layout(width="60%")),
                    W.VBox([save_box], layout=W.Layout(width="40%"))])])
        self.widget = W.VBox([self.main, self.export_panel.widget])
        self.frame.on_lang(self._set_lang_texts)
        self._set_lang_texts(lang)

    # scenarios to pick from
    def _saved(self) -> list[Path]:
        if self.save_mode == "browser":  # the dashboard: that folder is every user's
            return []
        return sorted(self.save_dir.glob("*.toml")) if self.save_dir.is_dir() else []

    def _options(self) -> list[tuple[str, str]]:
        from simlib.inputs.scenario import scenario_names

        lang = self.lang
        opts = [(word(lang, "sliders"), SLIDERS)]
        for name in scenario_names():
            opts.append((_scenarios.load_scenario(name).label(lang), name))
        for path in self._saved():
            try:
                sc = _scenarios.load_scenario(path)
            except _scenarios.ScenarioError:
                continue  # an invalid file is not offered
            opts.append((f"{sc.label(lang)} ({word(lang, 'saved_file')} {path.name})", str(path)))
        opts += [(self.upload.label(key, lang), key) for key in self.upload.scenarios]  # upload
        return opts

    def _fill_picks(self, a: str | None = None, b: str | None = None,
                    more: Sequence[str] | None = None) -> None:
        with self.frame.quietly():
            options = self._options()
            values = [v for _, v in options]
            a = a if a is not None else self.pick_a.value
            b = b if b is not None else self.pick_b.value
            more = tuple(more if more is not None else self.pick_more.value)
            unknown = [m for m in more if m not in values]
            if unknown:
                near = _scenarios.nearest(unknown[0], values, cutoff=0.6)
                hint = f"; did you mean {near!r}?" if near else ""
                raise ValueError(f"more: unknown scenarios {unknown}; expected names of "
                                 f"scenarios/ or {SLIDERS!r}{hint}")
            self.pick_a.options = options
            self.pick_b.options = options
            self.pick_more.options = options
            self.pick_a.value = a if a in values else "baseline"
            self.pick_b.value = b if b in values else SLIDERS
            self.pick_more.value = more
            self._label_picks()

    def _scenario(self, key: str):
        if key in self.upload.scenarios:  # upload
            return self.upload.scenarios[key]
        return self.panel.scenario() if key == SLIDERS else _scenarios.load_scenario(key)

    def _uploaded(self, key: str, _scenario) -> None:
        """An uploaded scenario becomes scenario B (upload)."""
        self._fill_picks(b=key)
        self.update()

    def update(self) -> None:
        """Run (cached) the two picked scenarios and redraw."""
        self.frame.rerun(self._runs)

    def _keys(self) -> list[str]:
        """The scenarios shown, in chart order: A, the further ones (each once, neither A
        nor B), B."""
        a, b = self.pick_a.value, self.pick_b.value
        more = [k for k in dict.fromkeys(self.pick_more.value) if k not in (a, b)]
        return [a, *more, b]

    def _runs(self) -> list:
        return [run_cached(self._scenario(k), self.years) for k in self._keys()]

    def _levers_changed(self) -> None:
        """A lever moved: rerun once its burst is over, if the sliders' scenario is shown."""
        if SLIDERS in self._keys():
            self.frame.rerun_soon(self._runs)

    def _summary(self) -> str:
        first, last = self.results[0], self.results[-1]
        lang = self.lang
        diffs = lever_differences(first.scenario, last.scenario, lang)
        text = summary_html(diffs, word(lang, "lever_diff")) if diffs else \
            f"<b>{word(lang, 'no_lever_diff')}</b>"
        shown = (*SUMMARY_INDICATORS, self.indicator.value)
        text += comparison_html(first, last, lang, shown, None, self.group.value)
        if len(self.results) > 2:
            text += scenarios_html(self.results, lang, shown, None, self.group.value)
        return text

    def save(self) -> Path | None:
        """Save the sliders as a scenario file ``NAME.toml``.

        "files" mode: written in the folder of the folder field (never overwriting without
        the box ticked), then offered in both lists; returns the path. "browser" mode (the
        dashboard): nothing is written on the server; the file (validated) is offered as a
        download link and kept in :attr:`save_files`; returns None. None and a message too
        when refused."""
        lang = self.lang
        name = _export._file_name(self.save_name.value.strip())
        title = self.save_label.value.strip() or name
        changed = self.panel.overrides()  # dated as the run is (LeverPanel's one rule)
        folder = Path(self.save_folder.value.strip() or ".")
        path = folder / f"{name}.toml"
        self.save_files, self.save_links.value = {}, ""
        try:
            sc = _scenarios.scenario(name=name, label_nl=title, label_en=title, **changed)
            if self.save_mode == "browser":
                self.save_files = _downloads.scenario_file(sc, name)
            else:
                _export.write_scenario(sc, path, overwrite=self.save_overwrite.value)
                _scenarios.load_scenario(path)  # it must validate
        except (OSError, ValueError) as exc:
            self.save_message.value = error_html(exc, lang)
            return None
        if self.save_mode == "browser":
            self.save_message.value = html.escape(_SAVE_TEXT[lang]["ready"])
            self.save_links.value = _downloads.links_html(self.save_files, lang)
            return None
        self.save_dir = folder
        self._fill_picks()
        self.save_message.value = html.escape(word(lang, "saved").format(p=path))
        return path

    def _save_outdated(self) -> None:
        """The sliders moved: a scenario file offered for download is withdrawn."""
        if self.save_files:
            self.save_files, self.save_links.value = {}, ""
            self.save_message.value = html.escape(_SAVE_TEXT[self.lang]["outdated"])

    def _set_lang_texts(self, lang: str) -> None:
        """The texts of the levers, the upload, the scenario lists and the save box."""
        self.panel.set_lang(lang)
        self.upload.set_lang(lang)  # upload
        self._fill_picks()
        self.save_title.value = f"<b>{word(lang, 'save_title')}</b>"
        self.panel_title.value = f"<b>{word(lang, 'lever_panel')}</b> ({word(lang, 'sliders')})"
        self.save_name.description = word(lang, "save_name")
        self.save_label.description = word(lang, "save_label")
        self.save_overwrite.description = word(lang, "overwrite")
        self.save_button.description = word(lang, "save")
        self.save_folder.description = word(lang, "folder")
        if self.save_mode == "browser":  # save: a download
            self.save_title.value = f"<b>{_SAVE_TEXT[lang]['title']}</b>"
            self.save_button.description = _SAVE_TEXT[lang]["button"]
            self.save_links.value = _downloads.links_html(self.save_files, lang)
        self._label_picks()

    def _label_picks(self) -> None:
        for pick, key in ((self.pick_a, "scenario_a"), (self.pick_b, "scenario_b"),
                          (self.pick_more, "more_scenarios")):
            pick.description = word(self.lang, key)
            pick.style.description_width = "initial"
