"""The export panel every app ends with: one button for PNG, SVG, PDF, CSV and the scenario
files of what is shown (:mod:`simlib.report.export`), also offered as browser downloads
(:mod:`simlib.report.downloads`), and withdrawn as soon as what is shown changes."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as W

from simlib.files.resources import default_folder
from simlib.inputs.glossary import texts
from simlib.report import downloads as _downloads
from simlib.report import export as _export
from simlib.ui.charts import Chart
from simlib.ui.common import BUSY, coloured, error_html, word

__all__ = ["ExportPanel"]

# Browser downloads (simlib.report.downloads): the texts of ExportPanel's "browser" mode.
_DOWNLOAD_TEXT = texts("ui_download")


class ExportPanel:
    """Folder, file name, two options and one button that exports the shown chart(s).

    ``source`` is a :class:`Chart`, a list of Charts, or a callable returning either (so
    the panel always exports what is shown now). :meth:`export` is what the button calls;
    it returns the paths written (and lists them in the panel) or shows why not.

    Every export is also offered as browser downloads: links under the button that carry
    the files themselves (:mod:`simlib.report.downloads`). ``mode="browser"`` (the default in the
    dashboard, see :func:`simlib.report.downloads.default_mode`) writes nothing on the server: the
    folder and overwrite fields are hidden and the button makes the links only
    (:meth:`download`).

    The links are only ever for what is on screen: :meth:`outdated` withdraws them (with a
    line saying why). The apps call it from their redraw (a lever, an option, the language,
    a scenario pick); the panel also calls it itself when a chart it exported is redrawn
    (its image changes), so a panel built beside any app, as in the uncertainty notebook,
    never offers files of an earlier setting either.
    """

    def __init__(self, source, lang: str = "nl", folder: str | Path | None = None,
                 stem: str = "grafiek", date=None, mode: str | None = None):
        self.source = source
        self.lang = lang
        self.date = date
        self.title = W.HTML()
        self.folder = W.Text(value=str(default_folder("export") if folder is None else folder))
        self.stem = W.Text(value=stem)
        self.belgian = W.Checkbox(value=False, indent=False)
        self.overwrite = W.Checkbox(value=False, indent=False)
        self.button = W.Button(icon="download", button_style="primary",
                               layout=W.Layout(width="auto"))
        self.message = W.HTML()
        self.paths: list[Path] = []
        self.button.on_click(lambda _b: self.export())
        #: the policy-note bundle of the scenarios shown (:mod:`simlib.report.bundle`)
        self.report_button = W.Button(icon="file-text", layout=W.Layout(width="auto"))
        self.report_button.on_click(lambda _b: self.report())
        # --- browser downloads (simlib.report.downloads): links carrying the files themselves ---
        self.mode = mode or _downloads.default_mode()
        if self.mode not in ("files", "browser"):
            raise ValueError(f"mode must be 'files' or 'browser', not {self.mode!r}")
        self.files: dict[str, bytes] = {}
        self.links = W.HTML()
        self._watched: list = []  # the images of the charts exported (outdated on a change)
        if self.mode == "browser":  # nothing is written on the server: no folder to choose
            self.folder.layout.display = "none"
            self.overwrite.layout.display = "none"
        self.stem.style.description_width = "initial"  # labels not cut off
        self.belgian.layout.width = "auto"
        # --- end browser downloads ---
        self.widget = W.VBox([self.title, W.HBox([self.folder, self.stem]),
                              W.HBox([self.belgian, self.overwrite]),
                              W.HBox([self.button, self.report_button]), self.message,
                              self.links])
        self.set_lang(lang)

    def _charts(self) -> list[Chart]:
        charts = self.source() if callable(self.source) else self.source
        return list(charts) if isinstance(charts, list | tuple) else [charts]

    def _items(self, stem: str) -> tuple[dict, list]:
        """What :func:`simlib.report.export.export_many` takes: ``{stem: (figure, table, note)}``
        for the charts shown (``note``: a chart's ``extra_note``, e.g. what its uncertainty
        bands include, put after the scenarios' footnote of that chart only), and the
        scenarios shown."""
        charts = self._charts()
        items = {stem if len(charts) == 1 else f"{stem}_{c.name}": (
            c.export_figure() if hasattr(c, "export_figure") else c.figure, c.table,
            getattr(c, "extra_note", None)) for c in charts}
        return items, [sc for c in charts for sc in c.scenarios]

    def export(self) -> list[Path]:
        """Export now; returns the paths written ([] and a message if refused). In
        ``"browser"`` mode nothing is written: see :meth:`download`."""
        if self.mode == "browser":
            self.download()
            return []
        items, scenarios = self._items(self.stem.value.strip() or "grafiek")
        try:
            self.paths = _export.export_many(
                self.folder.value.strip() or ".", items, scenarios, lang=self.lang,
                date=self.date, overwrite=self.overwrite.value,
                belgian_excel=self.belgian.value)
        except (OSError, ValueError) as exc:
            self.paths = []
            self.message.value = error_html(exc, self.lang)
            return []
        listed = "".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in self.paths)
        self.message.value = f"{word(self.lang, 'written')}:<ul>{listed}</ul>"
        self.files = _downloads.read_files(self.paths)  # the same files, as downloads
        self.links.value = _downloads.links_html(self.files, self.lang)
        self._watch()
        return self.paths

    # --- browser downloads (simlib.report.downloads) ---
    def download(self) -> dict[str, bytes]:
        """Make the files of an export without writing them on the server and offer them
        as download links (``{name: bytes}``, also kept in :attr:`files`)."""
        lang = self.lang
        items, scenarios = self._items(_export._file_name(self.stem.value.strip() or "grafiek"))
        self.links.value = ""
        self.message.value = coloured(_DOWNLOAD_TEXT[lang]["busy"], BUSY)
        try:
            self.files = _downloads.export_files(items, scenarios, lang=lang, date=self.date,
                                                 belgian_excel=self.belgian.value)
        except (OSError, ValueError) as exc:
            self.files = {}
            self.message.value = error_html(exc, lang)
            return {}
        self.message.value = ""
        self.links.value = _downloads.links_html(self.files, lang)
        self._watch()
        return self.files

    def report(self, school_year: str | None = None) -> dict[str, bytes]:
        """The policy note of what is shown (the last scenario against the first,
        :func:`simlib.report.bundle.build`, in the panel's language): in ``"files"`` mode
        written into ``<folder>/<stem>_rapport/`` (refused if it holds a bundle, unless
        overwrite is ticked), in ``"browser"`` mode only offered as downloads; returns the
        files ({name: bytes}, also the links) or {} and the reason. A progress line counts
        the split's runs."""
        import tempfile

        from simlib.report import bundle as B

        lang = self.lang
        scenarios = [sc for c in self._charts() for sc in c.scenarios]
        if not scenarios:
            self.message.value = error_html(ValueError(word(lang, "report_nothing")), lang)
            return {}
        base, variant = scenarios[0], scenarios[-1]
        self.links.value = ""

        def tick(done: int, total: int) -> None:
            self.message.value = coloured(
                word(lang, "report_busy").format(done=done, total=total), BUSY)

        tick(0, 1)
        stem = _export._file_name(self.stem.value.strip() or "grafiek") + "_rapport"
        try:
            note = B.build(variant, base, school_year or B.DEFAULT_SCHOOL_YEAR, lang,
                           date=self.date, progress=tick)
            with tempfile.TemporaryDirectory() as tmp:  # the dashboard: nothing on the server
                folder = Path(tmp) if self.mode == "browser" else \
                    Path(self.folder.value.strip() or ".")
                paths = B.write(folder / stem, note, overwrite=self.overwrite.value)
                files = _downloads.read_files(paths)
        except (OSError, ValueError) as exc:
            self.message.value = error_html(exc, lang)
            return {}
        self.files = files
        where = "" if self.mode == "browser" else \
            f" <code>{html.escape(str(paths[-1].parent))}</code>"
        self.message.value = word(lang, "report_done").format(where=where)
        self.links.value = _downloads.links_html(files, lang)
        self._watch()
        return files

    def outdated(self) -> None:
        """What is shown has changed: withdraw the links (and the files) made for what was
        shown before, and say so. Nothing to do if none are offered."""
        self._unwatch()
        if not (self.files or self.links.value):
            return
        self.files = {}
        self.links.value = ""
        self.message.value = (f"<span style='color:#555'>"
                              f"{_DOWNLOAD_TEXT[self.lang]['outdated']}</span>")

    def _watch(self) -> None:
        """Observe the images of the charts just exported: a redraw makes the links stale."""
        self._unwatch()
        for chart in self._charts():
            image = getattr(chart, "image", None)
            if isinstance(image, W.Widget):
                image.observe(self._image_changed, names="value")
                self._watched.append(image)

    def _unwatch(self) -> None:
        for image in self._watched:
            image.unobserve(self._image_changed, names="value")
        self._watched = []

    def _image_changed(self, _change) -> None:
        self.outdated()
    # --- end browser downloads ---

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self.title.value = f"<b>{word(lang, 'export_title')}</b>"
        self.folder.description = word(lang, "folder")
        self.stem.description = word(lang, "stem")
        self.belgian.description = word(lang, "belgian")
        self.overwrite.description = word(lang, "overwrite")
        self.button.description = word(lang, "export")
        self.report_button.description = word(lang, "report")
        if self.mode == "browser":  # browser downloads
            self.button.description = _DOWNLOAD_TEXT[lang]["button"]

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
