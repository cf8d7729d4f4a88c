"""The no-code web app: the notebooks served by Voila on 127.0.0.1, offline.

``make dashboard`` runs ``python -m simlib.ui.dashboard`` (installed: the command
``duaal-leren-dashboard``, serving the notebooks and template shipped inside the package,
see :mod:`simlib.files.resources`), which starts

    python -m simlib.ui.dashboard_app notebooks/ --port=PORT --Voila.ip=127.0.0.1 \
        --Voila.config_file_paths=dashboard [--DashboardApp.max_kernels=N ...]

(Voila's application with the dashboard's guards, :mod:`simlib.ui.dashboard_app`) with
``JUPYTER_PATH`` starting at ``dashboard/`` (so Voila finds the ``simlib`` template in
``dashboard/voila/templates/simlib/``) and ``SIMLIB_DASHBOARD=1`` (so the export panels
offer browser downloads instead of writing files on the server, see
:mod:`simlib.report.downloads`). ``dashboard/voila.py`` holds the Voila settings: the template,
the landing page hook, no tracebacks, idle kernels culled.

What the template changes from Voila's ``lab`` template:

- **offline**: no stylesheet or script from a CDN. Font Awesome comes with Voila's own
  bundle (the CDN links of the ``lab`` template are dropped), MathJax is not loaded, and
  mermaid is not loaded either (the start page's state diagram is drawn by
  :mod:`simlib.report.diagram`; a mermaid diagram would stay as its text);
- **landing page**: ``/`` lists the notebooks ``NN_*.ipynb`` with title and one line each,
  Dutch with English a click away, from ``simlib/pages.toml`` (the text the pages show) by
  :func:`catalogue` (passed to the page by :func:`page_config_hook`);
- **loading indicator**: Voila's spinner, with a bilingual line, while a notebook starts.

What the server guards (the rules are here, the server applies them): the ``Host`` of every
request (:func:`host_allowed`), the kernel messages a page may send
(:data:`PAGE_MESSAGE_TYPES`), and the kernels open per server and per browser
(:class:`KernelLedger`, :func:`cap_page`; defaults :data:`DEFAULT_MAX_KERNELS`,
:data:`DEFAULT_MAX_KERNELS_PER_CLIENT`).

Code cells are hidden (Voila shows outputs only). This module imports no Voila and no
ipywidgets: it builds the command, reads the catalogue, holds the server's rules, and starts
and stops a server for tests and benchmarks (:func:`start`, :func:`wait_until_up`,
:func:`stop`, :func:`kernels`).
"""

from __future__ import annotations

import argparse
import contextlib
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

from simlib.files.resources import dashboard_dir, notebooks_dir, project_root
from simlib.inputs.glossary import texts

__all__ = ["NOTEBOOK_GLOB", "DEFAULT_PORT", "CHROMIUM_ARGS", "Entry", "notebook_entry",
           "catalogue", "notebooks", "page_config_hook", "LOOPBACK_NAMES",
           "PAGE_MESSAGE_TYPES", "DEFAULT_MAX_KERNELS", "DEFAULT_MAX_KERNELS_PER_CLIENT",
           "DEFAULT_ORPHAN_TIMEOUT", "DEFAULT_POOL_SIZE", "KERNEL_MB", "host_allowed", "Refusal", "Ticket",
           "KernelLedger", "cap_page", "voila_command", "voila_env", "free_port", "start",
           "wait_until_up", "kernels", "rss_mb", "stop", "main"]

#: The notebooks the landing page lists (and the browser tests open).
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
DEFAULT_PORT = 8866
#: The server: Voila's application with the dashboard's guards (imports Voila; this does not).
APP_MODULE = "simlib.ui.dashboard_app"
HOST = "127.0.0.1"
SUMMARY_CHARS = 180
#: Flags for Debian's Chromium in headless tests (no sandbox as root, no background traffic).
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-default-apps", "--disable-extensions",
                 "--disable-features=Translate,OptimizationHints,MediaRouter",
                 "--metrics-recording-only", "--no-default-browser-check")


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


def notebook_entry(path: str | Path) -> Entry:
    """A notebook's title and one line, in Dutch and English, from ``simlib/pages.toml``
    (:mod:`simlib.inputs.pages`: the text the page itself shows, with real translations). A
    notebook without a page there (one of the user's own) has its file name as title and no
    line (``english=False``)."""
    from simlib.inputs import pages

    path = Path(path)
    if path.stem in pages.pages():
        return Entry(path.name, pages.title(path.stem, "nl"), pages.summary(path.stem, "nl"),
                     pages.title(path.stem, "en"), pages.summary(path.stem, "en"), True)
    title = path.stem.split("_", 1)[-1].replace("_", " ")
    title = title[:1].upper() + title[1:]
    return Entry(path.name, title, "", title, "", False)


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
    from simlib.files.version import __version__

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


# --- what the server allows: hosts, kernel messages, kernels per client ----------------------

#: The names a browser on this computer uses for the server (with its port in the Host header).
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
#: The kernel messages a page may send (Voila's own list without ``shutdown_request``): the
#: widgets' comm messages and the kernel-info request of a new connection. Everything else
#: (``execute_request``, ``shutdown_request``, ``interrupt_request``, ``input_reply``, ...)
#: is dropped by the server; the notebook itself is run by Voila, not by the page.
PAGE_MESSAGE_TYPES = ("comm_open", "comm_close", "comm_msg", "comm_info_request",
                      "kernel_info_request")
#: Notebook pages (kernels) open at once on one server, and from one browser. See the README.
DEFAULT_MAX_KERNELS = 10
DEFAULT_MAX_KERNELS_PER_CLIENT = 4
#: Seconds a kernel may live without its page (no web socket, page request finished) before
#: it is ended: a tab that crashed or was killed, whose closing call never arrived.
DEFAULT_ORPHAN_TIMEOUT = 300.0
#: Preheated kernels kept per notebook (Voila's pool): a page opens on a kernel that has
#: already run its notebook. 0 turns the pool off. Each spare kernel holds about
#: :data:`KERNEL_MB` MB; the pool fills one notebook at a time (see the README).
DEFAULT_POOL_SIZE = 1
#: The cookie that tells one browser from another (all come from 127.0.0.1).
CLIENT_COOKIE = "simlib_client"


def host_allowed(host: str | None, port: int) -> bool:
    """Whether a request's ``Host`` header names this server: one of :data:`LOOPBACK_NAMES`
    with the server's ``port`` (without a port only on port 80). Anything else, such as
    ``attacker.example:PORT`` (what a DNS-rebinding page sends), is refused."""
    if not host:
        return False
    host = host.strip().lower()
    allowed = {f"{name}:{port}" for name in LOOPBACK_NAMES}
    if port == 80:
        allowed |= set(LOOPBACK_NAMES)
    return host in allowed


@dataclass(frozen=True)
class Refusal:
    """Why a page gets no kernel: ``scope`` "server" (every page of the server counted) or
    "client" (the pages of this browser), with the pages open and the cap."""

    scope: str
    open: int
    cap: int


@dataclass
class Ticket:
    """A page admitted by :meth:`KernelLedger.admit`: its client and, once started, its kernel."""

    client: str
    kernel_id: str | None = None
    done: bool = False


class KernelLedger:
    """Which kernels are open, for which client, and which have lost their page.

    Widget-free and Voila-free (the server, :mod:`simlib.ui.dashboard_app`, calls it): a page
    request is :meth:`admit`-ted (or refused with a :class:`Refusal` when ``max_kernels`` or
    ``max_per_client`` kernels are open or starting); :meth:`started` ties the kernel to the
    client; :meth:`ending` stops counting a kernel being shut down; :meth:`connected` and
    :meth:`disconnected` follow the page's web socket; :meth:`orphans` names the kernels
    whose page has been gone for ``grace`` seconds. ``live`` is always the kernel manager's
    list of kernel ids (the truth about which kernels exist).

    A preheated kernel (Voila's pool: started, its notebook run, before any page asks for it)
    is :meth:`spare` until :meth:`started` gives it to a page: a spare kernel counts against
    no cap (the pool holds at most one per notebook, see :data:`DEFAULT_POOL_SIZE`), so the
    caps still mean "pages open".
    """

    def __init__(self, max_kernels: int = DEFAULT_MAX_KERNELS,
                 max_per_client: int = DEFAULT_MAX_KERNELS_PER_CLIENT, clock=time.monotonic):
        if max_kernels < 1 or max_per_client < 1:
            raise ValueError(f"the kernel caps must be at least 1, not {max_kernels} and "
                             f"{max_per_client}")
        self.max_kernels = max_kernels
        self.max_per_client = max_per_client
        self.clock = clock
        self.client_of: dict[str, str] = {}
        self.pending: list[Ticket] = []
        self._ending: set[str] = set()
        self._connections: dict[str, int] = {}
        self._alone_since: dict[str, float] = {}  # kernel id -> when it was last left alone
        self._page_open: set[str] = set()
        self._spare: set[str] = set()

    def _prune(self, live) -> set[str]:
        live = set(live)
        for kid in list(self.client_of):
            if kid not in live:
                self.forget(kid)
        self._spare &= live
        return live - self._ending - self._spare

    def counts(self, live) -> tuple[int, dict[str, int]]:
        """Kernels open or starting: in all, and per client."""
        open_ = self._prune(live)
        per: dict[str, int] = {}
        for kid in open_:
            client = self.client_of.get(kid)
            if client is not None:
                per[client] = per.get(client, 0) + 1
        for ticket in self.pending:
            per[ticket.client] = per.get(ticket.client, 0) + 1
        return len(open_) + len(self.pending), per

    def admit(self, client: str, live) -> Ticket | Refusal:
        """A :class:`Ticket` for a new page of ``client``, or the :class:`Refusal`."""
        total, per = self.counts(live)
        mine = per.get(client, 0)
        if mine >= self.max_per_client:
            return Refusal("client", mine, self.max_per_client)
        if total >= self.max_kernels:
            return Refusal("server", total, self.max_kernels)
        ticket = Ticket(client)
        self.pending.append(ticket)
        return ticket

    def spare(self, kernel_id: str) -> None:
        """``kernel_id`` is a preheated kernel waiting in the pool for a page (not counted)."""
        self._spare.add(kernel_id)

    def spares(self, live) -> set[str]:
        """The spare kernels among ``live``."""
        return self._spare & set(live)

    def started(self, ticket: Ticket, kernel_id: str) -> None:
        """The page of ``ticket`` has its kernel (a new one, or a spare one from the pool)."""
        self._spare.discard(kernel_id)
        if ticket in self.pending:
            self.pending.remove(ticket)
        ticket.kernel_id = kernel_id
        self.client_of[kernel_id] = ticket.client
        self._page_open.add(kernel_id)

    def page_done(self, ticket: Ticket) -> None:
        """The page request of ``ticket`` has ended (sent, failed or refused)."""
        ticket.done = True
        if ticket in self.pending:
            self.pending.remove(ticket)
        kid = ticket.kernel_id
        if kid is not None and kid in self._page_open:
            self._page_open.discard(kid)
            if not self._connections.get(kid):
                self._alone_since[kid] = self.clock()

    def ending(self, kernel_id: str) -> None:
        """``kernel_id`` is being shut down: no longer counted."""
        if kernel_id in self.client_of:
            self._ending.add(kernel_id)

    def connected(self, kernel_id: str) -> None:
        self._connections[kernel_id] = self._connections.get(kernel_id, 0) + 1
        self._alone_since.pop(kernel_id, None)

    def disconnected(self, kernel_id: str) -> None:
        left = max(0, self._connections.get(kernel_id, 0) - 1)
        self._connections[kernel_id] = left
        if not left and kernel_id in self.client_of and kernel_id not in self._page_open:
            self._alone_since[kernel_id] = self.clock()

    def orphans(self, live, grace: float) -> list[str]:
        """Kernels alive but without their page (no web socket, no page request) for at least
        ``grace`` seconds."""
        open_ = self._prune(live)
        now = self.clock()
        return sorted(kid for kid, since in self._alone_since.items()
                      if kid in open_ and now - since >= grace)

    def forget(self, kernel_id: str) -> None:
        for table in (self.client_of, self._connections, self._alone_since):
            table.pop(kernel_id, None)
        self._ending.discard(kernel_id)
        self._page_open.discard(kernel_id)
        self._spare.discard(kernel_id)


_CAP_TEXT = texts("dashboard")
#: Memory of one kernel after its page has loaded, in MB (measured: see the README).
KERNEL_MB = 330


def cap_page(refusal: Refusal, base_url: str = "/", retry_url: str = "") -> str:
    """The page a refused request gets (HTTP 503): how many pages are open, the cap, and to
    close one; Dutch, then English. Self-contained (no script, no link to elsewhere)."""
    import html as _html

    parts = []
    for lang in ("nl", "en"):
        t = _CAP_TEXT[lang]
        one = refusal.open == 1
        say = t[refusal.scope].format(open=refusal.open, cap=refusal.cap,
                                      pages=t["pages_one" if one else "pages_many"],
                                      **{"is": t["is_one" if one else "is_many"]})
        parts.append(
            f'<section lang="{lang}"><h1>{t["title"]}</h1><p class="cap-count">{say}</p>'
            f'<p>{t["why"].format(mb=KERNEL_MB)}</p><p><b>{t["do_" + refusal.scope]}</b></p>'
            f'<p><a href="{_html.escape(retry_url or "")}">{t["retry"]}</a> · '
            f'<a href="{_html.escape(base_url)}">{t["home"]}</a></p></section>')
    return ("<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\">"
            "<title>Te veel pagina's open · Too many pages open</title>"
            "<link rel=\"icon\" href=\"data:;base64,=\"><style>"
            "body{font-family:system-ui,'DejaVu Sans',Arial,sans-serif;max-width:44em;"
            "margin:3em auto;padding:0 1.5em;color:#1a1a1a;background:#f6f6f4;line-height:1.45}"
            "h1{font-size:1.4em;color:#D55E00}section{background:#fff;border:1px solid #ddd;"
            "border-radius:4px;padding:0.4em 1.2em;margin-bottom:1em}"
            "section[lang=en]{color:#333}</style></head><body>"
            + "".join(parts) + "</body></html>")


# --- the server ----------------------------------------------------------------------------


def voila_command(port: int = DEFAULT_PORT, *, open_browser: bool = False,
                  extra: Sequence[str] = (), python: str | None = None,
                  max_kernels: int | None = None, max_kernels_per_client: int | None = None,
                  folder: str | Path | None = None, pool_size: int | None = None) -> list[str]:
    """The command that serves ``notebooks/`` (or ``folder``) as the dashboard on
    ``127.0.0.1:port``: Voila as :class:`simlib.ui.dashboard_app.DashboardApp` (Host allow-list,
    kernel caps, kernels ended with their page, preheated kernels), with the caps given (else
    the defaults :data:`DEFAULT_MAX_KERNELS`, :data:`DEFAULT_MAX_KERNELS_PER_CLIENT`) and
    ``pool_size`` preheated kernels per notebook (else ``dashboard/voila.py``'s
    :data:`DEFAULT_POOL_SIZE`; 0: none, every page starts its kernel)."""
    cmd = [python or sys.executable, "-m", APP_MODULE, str(folder or notebooks_dir()),
           f"--port={port}", f"--Voila.ip={HOST}", "--Voila.port_retries=0",
           f"--Voila.config_file_paths={dashboard_dir()}"]
    for name, value in (("max_kernels", max_kernels),
                        ("max_kernels_per_client", max_kernels_per_client)):
        if value is not None:
            if int(value) < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
            cmd.append(f"--DashboardApp.{name}={int(value)}")
    if pool_size is not None:
        if int(pool_size) < 0:
            raise ValueError(f"pool_size must be at least 0, not {pool_size}")
        cmd += [f"--VoilaConfiguration.preheat_kernel={int(pool_size) > 0}",
                f"--VoilaConfiguration.default_pool_size={int(pool_size)}"]
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
          extra: Sequence[str] = (), **options) -> tuple[subprocess.Popen, str]:
    """Start the dashboard in its own process group; returns the process and its URL
    (``http://127.0.0.1:PORT/``). ``options``: those of :func:`voila_command` (caps, folder).
    Stop it with :func:`stop`."""
    port = port or free_port()
    cmd = voila_command(port, extra=extra, **options)
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed in stop)
    proc = subprocess.Popen(cmd, env=voila_env(),
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


_KERNEL_FILE = re.compile(rb"kernel-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json")


def kernels(pid: int) -> dict[str, int]:
    """The kernels a server of :func:`start` (process ``pid``) runs: ``{kernel id: pid}``,
    read from the kernels' command lines (``-f .../kernel-ID.json``; Linux ``/proc``)."""
    out = {}
    for child in _children(pid):
        with contextlib.suppress(OSError):
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            found = _KERNEL_FILE.search(cmdline)
            if b"ipykernel" in cmdline and found:
                out[found.group(1).decode()] = child
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (``VmRSS`` of ``/proc/PID/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise OSError(f"no VmRSS for process {pid}")


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


def _whole_number(least: int):
    """An argparse type: a whole number of at least ``least``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"a whole number is needed, not {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, not {value}")
        return value
    return parse


_at_least_one, _at_least_zero = _whole_number(1), _whole_number(0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simlib.ui.dashboard",
        description="Serve the notebooks as a web app (Voila) on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--max-kernels", type=_at_least_one, default=DEFAULT_MAX_KERNELS,
                        metavar="N", help="notebook pages open at once on this server; each "
                        f"holds a kernel of about {KERNEL_MB} MB (default {DEFAULT_MAX_KERNELS})")
    parser.add_argument("--max-kernels-per-client", type=_at_least_one, metavar="M",
                        default=DEFAULT_MAX_KERNELS_PER_CLIENT,
                        help="notebook pages open at once in one browser (default "
                        f"{DEFAULT_MAX_KERNELS_PER_CLIENT})")
    parser.add_argument("--pool-size", type=_at_least_zero, default=DEFAULT_POOL_SIZE,
                        metavar="P", help="preheated kernels kept per notebook, each of about "
                        f"{KERNEL_MB} MB, so a page opens at once (default {DEFAULT_POOL_SIZE}; "
                        "0: none)")
    args, extra = parser.parse_known_args(argv)
    cmd = voila_command(args.port, open_browser=not args.no_browser, extra=extra,
                        max_kernels=args.max_kernels,
                        max_kernels_per_client=args.max_kernels_per_client,
                        pool_size=args.pool_size)
    print(f"Dashboard: http://{HOST}:{args.port}/  (at most {args.max_kernels} notebook pages "
          f"open, {args.max_kernels_per_client} per browser; {args.pool_size} preheated "
          "kernel(s) per notebook; stop with Ctrl-C)", flush=True)
    os.execvpe(cmd[0], cmd, voila_env())
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
