"""Exports as browser downloads: the files of :mod:`simlib.report.export` as ``<a download>`` links.

In the dashboard (the notebooks served by Voila, ``make dashboard``) a file written on the
server is of no use to the person in front of the browser. :func:`export_files` makes the
same files as :func:`simlib.report.export.export_many` (PNG, SVG, PDF with the footnote in the
chart, the CSV of the numbers, one scenario TOML per scenario shown), in a temporary folder
that is removed at once, and returns their bytes; :func:`links_html` turns files into HTML
links whose ``href`` is a ``data:`` URI carrying the file itself, with ``download="NAME"``:
a click saves the file, with no request to any server.

:func:`default_mode` says where an :class:`simlib.ui.ExportPanel` puts its exports:
``"browser"`` (links only) when the kernel runs under Voila or ``SIMLIB_DASHBOARD`` is set,
else ``"files"`` (files in a folder, and links to the same files).

:func:`scenario_file` is the scenario file "save as scenario" offers for download in the
dashboard (where a file written on the server would be listed, and overwritten, by every
user's page).

Widget-free: nothing here imports ipywidgets.
"""

from __future__ import annotations

import base64
import html
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from simlib.inputs.glossary import texts

__all__ = ["MIME_TYPES", "MAX_LINK_BYTES", "default_mode", "data_uri", "mime_type",
           "export_files", "scenario_file", "read_files", "links_html"]

#: The media type of each exported file kind (by suffix).
MIME_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv;charset=utf-8",
    "toml": "application/toml",
}
#: A file larger than this is not offered as a link (a data URI is held in the page).
MAX_LINK_BYTES = 20_000_000

_TEXT = texts("downloads")


def default_mode(environ: Mapping[str, str] | None = None) -> str:
    """``"browser"`` when running in the dashboard (``SIMLIB_DASHBOARD`` set, or a Voila
    kernel: ``VOILA_KERNEL_ID`` / ``VOILA_BASE_URL`` set), else ``"files"``."""
    env = os.environ if environ is None else environ
    if env.get("SIMLIB_DASHBOARD", "") not in ("", "0"):
        return "browser"
    if env.get("VOILA_KERNEL_ID") or env.get("VOILA_BASE_URL"):
        return "browser"
    return "files"


def mime_type(name: str) -> str:
    """The media type for a file name, by its suffix (``application/octet-stream`` if unknown)."""
    return MIME_TYPES.get(Path(name).suffix.lower().lstrip("."), "application/octet-stream")


def data_uri(data: bytes, mime: str) -> str:
    """``data:MIME;base64,...`` for ``data``."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def export_files(charts: Mapping[str, tuple], scenarios: Iterable = (), **options) -> dict[str, bytes]:
    """The files :func:`simlib.report.export.export_many` writes for ``charts`` and ``scenarios``
    (same arguments, same keyword options but ``overwrite``), as ``{file name: bytes}`` in
    the order written. Nothing stays on disk."""
    from simlib.report.export import export_many

    options.pop("overwrite", None)
    with tempfile.TemporaryDirectory(prefix="simlib-export-") as tmp:
        paths = export_many(tmp, charts, scenarios, overwrite=True, **options)
        return read_files(paths)


def scenario_file(scenario, name: str | None = None) -> dict[str, bytes]:
    """``{"NAME.toml": bytes}``: the scenario file :func:`simlib.report.export.write_scenario` writes
    for ``scenario`` (``NAME`` defaults to its name), checked by loading it back with
    :func:`simlib.load_scenario` (a :class:`simlib.ScenarioError` if it does not validate).
    Nothing stays on disk: what "save as scenario" offers in the dashboard."""
    from simlib.inputs.scenario import load_scenario
    from simlib.report.export import write_scenario

    with tempfile.TemporaryDirectory(prefix="simlib-scenario-") as tmp:
        path = write_scenario(scenario, Path(tmp) / f"{name or scenario.name}.toml")
        load_scenario(path)
        return read_files([path])


def read_files(paths: Iterable[str | Path]) -> dict[str, bytes]:
    """``{file name: bytes}`` of files on disk, in the order given."""
    return {Path(p).name: Path(p).read_bytes() for p in paths}


def _size(n: int, lang: str) -> str:
    """A file's size by the number rule (``12 kB``, ``1,4 MB`` in Dutch)."""
    from simlib.report.numbers import number

    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{number(n / 1000, lang, 0)} kB"
    return f"{number(n / 1_000_000, lang, 1)} MB"


def links_html(files: Mapping[str, bytes], lang: str = "nl") -> str:
    """HTML with one ``<a download="NAME" href="data:...">`` link per file (name and size),
    each carrying the file itself. A file over :data:`MAX_LINK_BYTES` is listed, not linked."""
    text = _TEXT[lang]
    items = []
    for name, data in files.items():
        label = html.escape(name)
        size = _size(len(data), lang)
        if len(data) > MAX_LINK_BYTES:
            items.append(f"<li>{label} ({size}, {text['too_big']})</li>")
            continue
        href = data_uri(data, mime_type(name))
        items.append(f"<li><a class='simlib-download' download=\"{label}\" href=\"{href}\" "
                     f"style='text-decoration:underline'>{label}</a> "
                     f"<span style='color:#555'>({size})</span></li>")
    if not items:
        return ""
    return (f"<div class='simlib-downloads'>{text['click']}"
            f"<ul style='margin-top:0.2em'>{''.join(items)}</ul></div>")
