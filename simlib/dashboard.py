"""The no-code web app: the notebooks served by Voila on 127.0.0.1, offline.

``make dashboard`` runs ``python -m simlib.dashboard``, which starts

    python -m voila notebooks/ --port=PORT --Voila.ip=127.0.0.1 --Voila.config_file_paths=dashboard

with ``JUPYTER_PATH`` starting at ``dashboard/`` (so Voila finds the ``simlib`` template in
``dashboard/voila/templates/simlib/``) and ``SIMLIB_DASHBOARD=1`` (so the export panels
offer browser downloads instead of writing files on the server, see
:mod:`simlib.downloads`). ``dashboard/voila.py`` holds the Voila settings: the template,
the landing page hook, no tracebacks, idle kernels culled.

What the template changes from Voila's ``lab`` template:

- **offline**: no stylesheet or script from a CDN. Font Awesome comes with Voila's own
  bundle (the CDN links of the ``lab`` template are dropped), MathJax is not loaded, and
  mermaid diagrams (which Voila would fetch from a CDN) stay as their text;
- **landing page**: ``/`` lists the notebooks ``NN_*.ipynb`` with title and one line each,
  Dutch with English a click away, read from each notebook's first markdown cell by
  :func:`catalogue` (passed to the page by :func:`page_config_hook`);
- **loading indicator**: Voila's spinner, with a bilingual line, while a notebook starts.

Code cells are hidden (Voila shows outputs only). This module imports no Voila and no
ipywidgets: it builds the command, reads the catalogue, and starts and stops a server for
tests and benchmarks (:func:`start`, :func:`wait_until_up`, :func:`stop`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from simlib.parameters import project_root

__all__ = ["NOTEBOOK_GLOB", "DEFAULT_PORT", "CHROMIUM_ARGS", "Entry", "notebook_entry",
           "catalogue", "notebooks", "page_config_hook", "voila_command", "voila_env",
           "free_port", "start", "wait_until_up", "stop", "main"]

#: The notebooks the landing page lists (and the browser tests open).
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
DEFAULT_PORT = 8866
HOST = "127.0.0.1"
SUMMARY_CHARS = 180
#: Flags for Debian's Chromium in headless tests (no sandbox as root, no background traffic).
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-default-apps", "--disable-extensions",
                 "--disable-features=Translate,OptimizationHints,MediaRouter",
                 "--metrics-recording-only", "--no-default-browser-check")


def dashboard_dir() -> Path:
    """``dashboard/``: the Voila settings (``voila.py``) and the ``simlib`` template."""
    return project_root() / "dashboard"


def notebooks_dir() -> Path:
    """``notebooks/``: what the dashboard serves."""
    return project_root() / "notebooks"


# --- the landing page's catalogue ----------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One notebook on the landing page. ``english`` is False when the notebook's first
    markdown cell has no English line (then the English fields repeat the Dutch ones)."""

    file: str
    title_nl: str
    summary_nl: str
    title_en: str
    summary_en: str
    english: bool

    def title(self, lang: str = "nl") -> str:
        return self.title_en if lang == "en" else self.title_nl

    def summary(self, lang: str = "nl") -> str:
        return self.summary_en if lang == "en" else self.summary_nl


_ENGLISH = re.compile(r"^[*_]{0,2}\s*English\s*:\s*(.*?)\s*[*_]{0,2}$", re.S | re.I)


def _plain(text: str) -> str:
    """Markdown inline text as plain text: links, emphasis, code marks and line breaks gone."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    text = re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"\1", text)
    return " ".join(text.split())


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý*`_\"'(])", text) if s]


def _shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _first_markdown(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    return ""


def _top_level_split(text: str, marks: str) -> tuple[str, str] | None:
    """``text`` split at the first of ``marks`` outside parentheses, or None."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in marks and depth == 0:
            return text[:i].strip(), text[i + 1:].strip()
    return None


def _about_toggle(text: str) -> bool:
    return "toggle" in text.lower()


def _english(text: str) -> tuple[str, str]:
    """Title and line from the English paragraph (sentences about the toggle left out)."""
    sentences = ["; ".join(c.strip() for c in s.split(";") if not _about_toggle(c))
                 for s in _sentences(text)]
    sentences = [s.rstrip(".") + "." if s and not s.endswith(("?", "!")) else s
                 for s in sentences if s.strip(" .")]
    if not sentences:
        return "", ""
    first, rest = sentences[0].rstrip("."), sentences[1:]
    split = _top_level_split(first, ":;")
    if split is None and len(first) > 60:
        split = _top_level_split(first, ",")
    if split is not None:
        title, line = split
        line = "; ".join(c.strip() for c in line.split(";") if not _about_toggle(c))
        line = (line + ".") if line else " ".join(rest[:1])
    else:
        title, line = first, " ".join(rest[:1])
    return _capital(title), _shorten(_capital(line))


def _dutch_line(paragraph: str) -> str:
    sentences = _sentences(_plain(paragraph))
    line = sentences[0] if sentences else ""
    if len(line) < 40 and len(sentences) > 1:  # "Voor onderzoekers." says too little alone
        line = f"{line} {sentences[1]}"
    return _shorten(line)


def notebook_entry(path: str | Path) -> Entry:
    """A notebook's title and one line, in Dutch and English, from its first markdown cell.

    - Dutch title: the first ``# `` heading (else the file name);
    - Dutch line: the first sentence (two if the first is very short) of the first
      paragraph after it that is not a heading, a list, a code block or the English one;
    - English: the paragraph ``*English: …*``. Of its first sentence, the part before the
      first ``:`` or ``;`` (outside parentheses) is the title and the rest the line (a long
      sentence without either is split at its first comma; a sentence alone is the title,
      the next sentence the line). Sentences and clauses about the language toggle are
      left out. Without an English paragraph the Dutch texts stand in (``english=False``).
    """
    path = Path(path)
    text = _first_markdown(path)
    title = ""
    paragraphs: list[str] = []
    block: list[str] = []
    fence = False
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = not fence
            block = []
            continue
        if fence:
            continue
        if not title and re.match(r"#\s", stripped):
            title = _plain(stripped.lstrip("#"))
            block = []
            continue
        if stripped:
            block.append(stripped)
        elif block:
            paragraphs.append(" ".join(block))
            block = []
    if not title:
        title = _capital(path.stem.split("_", 1)[-1].replace("_", " "))
    english = next((m.group(1) for p in paragraphs if (m := _ENGLISH.match(p))), None)
    prose = [p for p in paragraphs
             if not _ENGLISH.match(p) and not re.match(r"(#|[-*+]\s|\d+\.\s|>|\|)", p)]
    summary_nl = _dutch_line(prose[0]) if prose else ""
    title_en, summary_en = _english(_plain(english)) if english else ("", "")
    if not title_en:
        title_en, summary_en = title, summary_nl
    return Entry(path.name, title, summary_nl, title_en, summary_en, bool(english))


def notebooks(folder: str | Path | None = None) -> list[Path]:
    """The notebooks ``NN_*.ipynb`` of ``folder`` (default ``notebooks/``), sorted."""
    folder = Path(folder) if folder is not None else notebooks_dir()
    return sorted(folder.glob(NOTEBOOK_GLOB))


def catalogue(folder: str | Path | None = None) -> list[Entry]:
    """One :class:`Entry` per notebook ``NN_*.ipynb`` of ``folder``, in file order."""
    return [notebook_entry(p) for p in notebooks(folder)]


def page_config_hook(page_config: dict, base_url: str = "/", settings: Mapping | None = None,
                     log=None, voila_configuration=None, notebook_path: str = "",
                     **_ignored) -> dict:
    """Voila's ``page_config_hook``: for a folder page, add ``simlibCatalogue`` (the
    :func:`catalogue` of that folder, as dicts) and ``simlibVersion``, which the template's
    landing page shows. Notebook pages are left as they are."""
    from simlib import __version__

    manager = (settings or {}).get("contents_manager")
    root = Path(getattr(manager, "root_dir", "") or notebooks_dir())
    folder = root / (notebook_path or "")
    if folder.is_dir():
        try:
            page_config["simlibCatalogue"] = [asdict(e) for e in catalogue(folder)]
        except (OSError, ValueError) as exc:  # a broken notebook must not break the page
            if log is not None:
                log.warning("simlib catalogue: %s", exc)
            page_config["simlibCatalogue"] = []
        page_config["simlibVersion"] = __version__
    return page_config


# --- the server ----------------------------------------------------------------------------


def voila_command(port: int = DEFAULT_PORT, *, open_browser: bool = False,
                  extra: Sequence[str] = (), python: str | None = None) -> list[str]:
    """The command that serves ``notebooks/`` as the dashboard on ``127.0.0.1:port``."""
    cmd = [python or sys.executable, "-m", "voila", str(notebooks_dir()), f"--port={port}",
           f"--Voila.ip={HOST}", "--Voila.port_retries=0",
           f"--Voila.config_file_paths={dashboard_dir()}"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd + list(extra)


def voila_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for :func:`voila_command`: ``JUPYTER_PATH`` starting at
    ``dashboard/``, ``SIMLIB_DASHBOARD=1``, and quiet kernels."""
    env = dict(os.environ if environ is None else environ)
    paths = [str(dashboard_dir())] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["SIMLIB_DASHBOARD"] = "1"
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (bound to port 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(port: int | None = None, log: str | Path | None = None,
          extra: Sequence[str] = ()) -> tuple[subprocess.Popen, str]:
    """Start the dashboard in its own process group; returns the process and its URL
    (``http://127.0.0.1:PORT/``). Stop it with :func:`stop`."""
    port = port or free_port()
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed in stop)
    proc = subprocess.Popen(voila_command(port, extra=extra), env=voila_env(),
                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                            cwd=project_root(), start_new_session=True)
    proc._simlib_log = out  # type: ignore[attr-defined]
    return proc, f"http://{HOST}:{port}/"


def wait_until_up(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    """Wait until ``url`` answers 200; raises RuntimeError if the process ends or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the dashboard server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the dashboard did not answer at {url} within {timeout:.0f} s")


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` and their descendants (Linux ``/proc``; else [])."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a server of :func:`start` and everything it started: SIGTERM to its process
    group (Voila then shuts its kernels down), SIGKILL after ``timeout`` seconds, and
    SIGKILL to any kernel still alive (kernels run in sessions of their own)."""
    kernels = _children(proc.pid)
    try:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
    except ProcessLookupError:
        pass
    finally:
        for pid in kernels:
            with contextlib.suppress(OSError):  # gone already, or no longer a kernel of ours
                if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)
        out = getattr(proc, "_simlib_log", None)
        if out not in (None, subprocess.DEVNULL):
            out.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simlib.dashboard",
        description="Serve the notebooks as a web app (Voila) on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    args, extra = parser.parse_known_args(argv)
    cmd = voila_command(args.port, open_browser=not args.no_browser, extra=extra)
    print(f"Dashboard: http://{HOST}:{args.port}/  (stop with Ctrl-C)", flush=True)
    os.execvpe(cmd[0], cmd, voila_env())
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
