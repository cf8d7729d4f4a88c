"""Upload a scenario file in a notebook or the dashboard: data only, checked like the CLI.

:class:`ScenarioUpload` is a file picker (``.toml``), a title and a message line. The
uploaded bytes go to :func:`simlib.inputs.scenario.load_scenario_bytes`: the reader of bytes that
``python -m simlib validate`` uses for a file (the same size limit, UTF-8 and byte-order-mark
rule, TOML line ends and limits), so a file gets the same verdict and the same problem text
either way, apart from the file name shown; ``base`` may only name a scenario of
``scenarios/`` (no paths: an upload never makes the server read a file). A valid scenario is
kept in :attr:`scenarios` and handed to the callbacks of :meth:`on_scenario`; an invalid one
shows, in red, the lines ``python -m simlib validate`` prints (``<file>: <key>: <problem>;
expected ...``; at most :data:`~simlib.inputs.scenario.MAX_PROBLEMS`, then one counting the rest),
and nothing else changes: the app keeps working.

:func:`read_upload` does the checking without widgets (used by the class, and by tests).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import ipywidgets as W

from simlib.inputs.glossary import texts
from simlib.inputs.scenario import MAX_FILE_BYTES, Scenario, ScenarioError, load_scenario_bytes

__all__ = ["ScenarioUpload", "read_upload", "upload_name", "MAX_UPLOAD_BYTES", "UPLOAD_PREFIX"]

#: A scenario file is a few kB; anything larger is refused unread (the limit of every
#: scenario file, :data:`simlib.inputs.scenario.MAX_FILE_BYTES`).
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
#: The key of an uploaded scenario among a CompareApp's choices: ``upload:NAME``.
UPLOAD_PREFIX = "upload:"

_TEXT = texts("upload")


def upload_name(filename: str) -> str:
    """A scenario name from an uploaded file's name: its stem, reduced to letters, digits and
    ``_ . -`` (the file name is the user's; no part of it is used as a path)."""
    stem = re.split(r"[\\/]", str(filename))[-1]
    stem = stem[:-5] if stem.lower().endswith(".toml") else stem
    clean = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.-")
    return clean[:80] or "upload"


def read_upload(content: bytes, filename: str = "upload.toml") -> Scenario:
    """Validate an uploaded scenario file; returns the Scenario or raises
    :class:`ScenarioError` with the CLI's problem lines (the file named ``NAME.toml``)."""
    return load_scenario_bytes(bytes(content), name=upload_name(filename))


class ScenarioUpload:
    """A file picker for one scenario file, with a message line.

    ``on_scenario(callback)`` calls ``callback(key, scenario)`` for each valid upload; the
    scenario is also kept in :attr:`scenarios` under ``key`` (``upload:NAME``).
    :meth:`load` is what the picker calls; it returns the Scenario, or None (and shows why).
    """

    def __init__(self, lang: str = "nl"):
        self.lang = lang
        self.scenarios: dict[str, Scenario] = {}
        self._callbacks: list[Callable[[str, Scenario], None]] = []
        self.title = W.HTML()
        self.picker = W.FileUpload(accept=".toml", multiple=False,
                                   layout=W.Layout(width="auto"))
        self.message = W.HTML()
        self.widget = W.VBox([self.title, self.picker, self.message])
        self.picker.observe(self._picked, names="value")
        self.set_lang(lang)

    def on_scenario(self, callback: Callable[[str, Scenario], None]) -> None:
        self._callbacks.append(callback)

    def label(self, key: str, lang: str | None = None) -> str:
        """How an uploaded scenario is listed: its label and ``(opgeladen NAME.toml)``."""
        lang = lang or self.lang
        sc = self.scenarios[key]
        return f"{sc.label(lang)} ({_TEXT[lang]['uploaded']} {sc.name}.toml)"

    def _picked(self, change) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        self.load(bytes(item["content"]), item["name"])
        self.picker.value = ()  # the same file may be picked again

    def load(self, content: bytes, filename: str) -> Scenario | None:
        """Check an uploaded file: keep and announce it, or show its problems."""
        text = _TEXT[self.lang]
        try:
            sc = read_upload(content, filename)
        except ScenarioError as exc:
            lines = "".join(f"<li><code>{html.escape(str(p))}</code></li>"
                            for p in exc.report())
            self.message.value = (f"<div class='simlib-upload-error' style='color:#D55E00'>"
                                  f"<b>{text['invalid']}</b><ul>{lines}</ul></div>")
            return None
        except Exception as exc:  # shown in the app: an observer must not raise
            self.message.value = (f"<div class='simlib-upload-error' style='color:#D55E00'>"
                                  f"<b>{text['invalid']}</b> {html.escape(str(exc))}</div>")
            return None
        key = UPLOAD_PREFIX + sc.name
        self.scenarios[key] = sc
        self.message.value = (f"<span class='simlib-upload-ok' style='color:#009E73'>"
                              f"{html.escape(text['loaded'].format(label=sc.label(self.lang), name=f'{sc.name}.toml'))}"
                              f"</span>")
        for callback in self._callbacks:
            callback(key, sc)
        return sc

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self.title.value = f"<b>{_TEXT[lang]['title']}</b>"
        self.picker.description = _TEXT[lang]["button"]

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
