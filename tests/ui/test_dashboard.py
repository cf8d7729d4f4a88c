"""The dashboard (``make dashboard``): the landing page's catalogue, the server's guards, and
every notebook in a real browser.

Without a browser: the catalogue read from simlib/pages.toml, the command
and its settings, the Host allow-list, the kernel ledger (caps, pages gone) and the page a
capped request gets. With Debian's Chromium (``/usr/bin/chromium``, driven by Playwright,
which never downloads a browser of its own): one server for the module, started exactly as
``make dashboard`` starts it, on a free loopback port, and stopped (kernels and all) at the
end. For the landing page and for each notebook ``notebooks/NN_*.ipynb`` (found by glob, so
new notebooks are covered without a change here): open it, see the loading indicator, wait
for the chart, change a control with the keyboard, see the chart (and the summary, where the
app has one) change, download the PNG and the CSV and check the files, change a control
again and see the download links withdrawn; where the app offers an upload, upload a bad
scenario and read the message, then a good one, and "save as scenario" as a download. Every
request the pages make must stay on 127.0.0.1, every kernel message they send must be one
the server lets through, and a page's kernel must be gone once the page is closed (the
process tree of the server is read). A test client: a foreign ``Host`` refused (pages and
kernel web sockets), the kernel messages a page does not need dropped (``shutdown_request``,
``execute_request``), the page's closing call accepted with its ``_xsrf`` cookie only. A
second, small server (two kernels, one per browser) shows the caps: the bilingual 503 page,
a slot freed by closing a page, and a kernel ended when its tab dies without a word.

A screenshot of each page goes to the test's temporary folder; the timings (page load to
first chart, key press to redrawn chart) and each page's kernel memory go to
``dashboard_timings.json`` in pytest's base temporary folder.

No browser: the browser and server tests skip with the reason, unless
``SIMLIB_REQUIRE_BROWSER=1`` (set by ``.ci/run``), under which a missing browser fails them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import http.client
import io
import json
import os
import re
import statistics
import struct
import subprocess
import sys
import time
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from simlib.ui import dashboard

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOKS = dashboard.notebooks(ROOT / "notebooks")
REQUIRE_BROWSER = os.environ.get("SIMLIB_REQUIRE_BROWSER", "") not in ("", "0")

#: A notebook may opt out of the browser test only with a reason.
OPT_OUT: dict[str, str] = {}
#: Notebooks with a browser test of their own (their charts wait for a button).
OWN_TEST = {"08_onzekerheid_en_gevoeligheid.ipynb"}
#: Apps without a summary text beside their chart (the summary check is left out).
NO_SUMMARY = {
    "00_start_hier.ipynb": "a gallery of three fixed charts: no summary text",
    "01_basislijn.ipynb": "the baseline explorer shows charts and their footnotes only",
    "09_model_uitbreiden.ipynb": ("no levers (the variant is the baseline with the notebook's "
                                  "own module): the keyboard changes the detail chart's view, "
                                  "which leaves the text as it is"),
}
#: Notebooks that must offer a scenario upload.
UPLOAD = {"07_scenario_vergelijking.ipynb"}
BAD_SCENARIO = b"[levers]\nserch_window_days = 30\n"
GOOD_SCENARIO = b'label_nl = "Opgeladen test"\nlabel_en = "Uploaded test"\n[levers]\nsearch_window_days = 36\n'
LOAD_TIMEOUT_MS = 180_000
#: The line an export panel shows when it withdraws its links.
OUTDATED = re.compile("gewijzigd sinds de vorige export|changed since the last export")
TIMINGS: dict[str, dict[str, float]] = {}
#: The kernels of every page this module opened (the pool's spare kernels are not among them).
PAGE_KERNELS: set[str] = set()


# --- without a browser ---------------------------------------------------------------------


def _notebook(path: Path, *markdown: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown]
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    nbformat.write(nb, path)
    return path


def test_catalogue_reads_the_pages_text(tmp_path):
    """The landing page lists each notebook's title and line from simlib/pages.toml (the
    text the page shows, with real translations); a notebook of the user's own without a page
    there has its file name as title."""
    from simlib.inputs import pages

    _notebook(tmp_path / "01_basislijn.ipynb", "# Whatever the notebook says")
    _notebook(tmp_path / "05_mijn_eigen_notebook.ipynb", "# Eigen")
    (tmp_path / "index.ipynb").write_text((tmp_path / "01_basislijn.ipynb").read_text())
    one, own = dashboard.catalogue(tmp_path)
    assert (one.title_nl, one.title_en) == (pages.title("01_basislijn", "nl"),
                                            pages.title("01_basislijn", "en"))
    assert one.summary("en") == pages.summary("01_basislijn", "en") and one.english
    assert (own.file, own.title_nl, own.summary_nl, own.english) == (
        "05_mijn_eigen_notebook.ipynb", "Mijn eigen notebook", "", False)


def test_every_notebook_has_a_title_and_a_line_in_both_languages():
    entries = dashboard.catalogue(ROOT / "notebooks")
    assert [e.file for e in entries] == [p.name for p in NOTEBOOKS]
    assert {"00_start_hier.ipynb", "01_basislijn.ipynb", "07_scenario_vergelijking.ipynb"} <= \
        {e.file for e in entries}
    for e in entries:
        assert e.title_nl and e.summary_nl, e.file
        assert e.title_en and e.english and e.title_en != e.title_nl, e.file
        assert len(e.summary_nl) <= dashboard.SUMMARY_CHARS + 2, e.file


def test_page_config_hook_adds_the_catalogue_to_folder_pages_only():
    class Manager:
        root_dir = str(ROOT / "notebooks")

    config = dashboard.page_config_hook({}, settings={"contents_manager": Manager()},
                                        notebook_path="")
    assert [e["file"] for e in config["simlibCatalogue"]] == [p.name for p in NOTEBOOKS]
    assert config["simlibVersion"]
    page = dashboard.page_config_hook({"x": 1}, settings={"contents_manager": Manager()},
                                      notebook_path="01_basislijn.ipynb")
    assert page == {"x": 1}


def test_the_command_serves_notebooks_on_loopback_offline():
    cmd = dashboard.voila_command(8999)
    assert cmd[1:3] == ["-m", "simlib.ui.dashboard_app"] and cmd[3] == str(ROOT / "notebooks")
    assert "--port=8999" in cmd and "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd
    assert not any("max_kernels" in c for c in cmd)  # the app's defaults
    capped = dashboard.voila_command(8999, max_kernels=3, max_kernels_per_client=2)
    assert "--DashboardApp.max_kernels=3" in capped
    assert "--DashboardApp.max_kernels_per_client=2" in capped
    with pytest.raises(ValueError, match="max_kernels must be at least 1"):
        dashboard.voila_command(8999, max_kernels=0)
    assert f"--Voila.config_file_paths={ROOT / 'dashboard'}" in cmd
    env = dashboard.voila_env({"JUPYTER_PATH": "/x"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(ROOT / "dashboard"), "/x"]
    assert env["SIMLIB_DASHBOARD"] == "1"
    config = (ROOT / "dashboard" / "voila.py").read_text(encoding="utf-8")
    assert 'c.VoilaConfiguration.template = "simlib"' in config
    assert 'c.Voila.ip = "127.0.0.1"' in config
    template = ROOT / "dashboard" / "voila" / "templates" / "simlib"
    for name in ("index.html.j2", "landing.html", "spinner.macro.html.j2"):
        text = (template / name).read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), name
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(PY) -m simlib.ui.dashboard --port=$(DASHBOARD_PORT)" in makefile
    assert "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1" in makefile
    assert "SIMLIB_REQUIRE_BROWSER=1" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_module_prints_its_help():
    out = subprocess.run([sys.executable, "-m", "simlib.ui.dashboard", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "--port" in out.stdout
    assert "--max-kernels N" in out.stdout and "--max-kernels-per-client M" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["--max-kernels", "0"], "--max-kernels: must be at least 1, not 0"),
    (["--max-kernels-per-client", "twee"], "a whole number is needed, not 'twee'"),
])
def test_bad_caps_are_refused_before_anything_starts(args, message, capsys, monkeypatch):
    monkeypatch.setattr(os, "execvpe", lambda *a: pytest.fail("the server was started"))
    with pytest.raises(SystemExit) as info:
        dashboard.main(["--no-browser", *args])
    assert info.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize("host, allowed", [
    ("127.0.0.1:8866", True), ("localhost:8866", True), ("[::1]:8866", True),
    ("LOCALHOST:8866", True), ("attacker.example:8866", False), ("attacker.example", False),
    ("127.0.0.1", False), ("127.0.0.1:8867", False), ("127.0.0.2:8866", False),
    ("localhost.:8866", False), ("0.0.0.0:8866", False), ("", False), (None, False),
])
def test_only_the_loopback_names_with_the_port_are_hosts_of_the_server(host, allowed):
    assert dashboard.host_allowed(host, 8866) is allowed


def test_on_port_80_a_host_may_leave_the_port_out():
    assert dashboard.host_allowed("localhost", 80) and dashboard.host_allowed("127.0.0.1:80", 80)
    assert not dashboard.host_allowed("attacker.example", 80)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_ledger_caps_kernels_per_client_and_per_server():
    ledger = dashboard.KernelLedger(max_kernels=3, max_per_client=2)
    live: list[str] = []
    a1 = ledger.admit("a", live)
    a2 = ledger.admit("a", live)  # two starting: both count
    assert isinstance(a1, dashboard.Ticket) and isinstance(a2, dashboard.Ticket)
    assert ledger.admit("a", live) == dashboard.Refusal("client", 2, 2)
    ledger.started(a1, "k1")
    live.append("k1")
    ledger.page_done(a2)  # failed before its kernel started: the slot is free again
    assert ledger.counts(live) == (1, {"a": 1})
    a3 = ledger.admit("a", live)
    ledger.started(a3, "k3")
    live.append("k3")
    b1 = ledger.admit("b", live)
    ledger.started(b1, "k4")
    live.append("k4")
    assert ledger.admit("c", live) == dashboard.Refusal("server", 3, 3)
    ledger.ending("k1")  # being shut down: no longer counted
    assert ledger.counts(live) == (2, {"a": 1, "b": 1})
    assert isinstance(ledger.admit("c", live), dashboard.Ticket)  # starting: counted
    live.remove("k1")  # gone: forgotten
    assert ledger.counts(live) == (3, {"a": 1, "b": 1, "c": 1})
    assert "k1" not in ledger.client_of
    with pytest.raises(ValueError, match="at least 1"):
        dashboard.KernelLedger(max_kernels=0)


def test_spare_kernels_count_against_no_cap_until_a_page_takes_one():
    ledger = dashboard.KernelLedger(max_kernels=2, max_per_client=1)
    live = ["s1", "s2", "s3"]  # the pool's preheated kernels
    for kid in live:
        ledger.spare(kid)
    assert ledger.counts(live) == (0, {}) and ledger.spares(live) == {"s1", "s2", "s3"}
    a = ledger.admit("a", live)
    ledger.started(a, "s1")  # a page takes a spare kernel: now it counts, for its client
    assert ledger.counts(live) == (1, {"a": 1}) and ledger.spares(live) == {"s2", "s3"}
    assert ledger.admit("a", live) == dashboard.Refusal("client", 1, 1)
    b = ledger.admit("b", live)
    ledger.started(b, "k-new")  # no spare left for that page: a kernel of its own
    live.append("k-new")
    assert ledger.admit("c", live) == dashboard.Refusal("server", 2, 2)
    live.remove("s3")  # a spare ended (the server stops): forgotten
    assert ledger.spares(live) == {"s2"}
    assert ledger.orphans(live, grace=0) == []  # a spare kernel has no page to lose


def test_the_pool_size_goes_to_voila_and_a_negative_one_is_refused():
    cmd = dashboard.voila_command(8999, pool_size=0)
    assert "--VoilaConfiguration.preheat_kernel=False" in cmd
    cmd = dashboard.voila_command(8999, pool_size=2)
    assert "--VoilaConfiguration.preheat_kernel=True" in cmd
    assert "--VoilaConfiguration.default_pool_size=2" in cmd
    assert not any("pool_size" in a for a in dashboard.voila_command(8999))  # voila.py's
    with pytest.raises(ValueError, match="at least 0"):
        dashboard.voila_command(8999, pool_size=-1)


def test_the_ledger_names_kernels_whose_page_is_gone():
    clock = Clock()
    ledger = dashboard.KernelLedger(clock=clock)
    live = ["k"]
    ticket = ledger.admit("a", [])
    ledger.started(ticket, "k")
    clock.now = 100
    assert ledger.orphans(live, 10) == []  # the page is still loading
    ledger.page_done(ticket)
    ledger.connected("k")  # the page's web socket
    clock.now = 1000
    assert ledger.orphans(live, 10) == []  # open in a tab
    ledger.disconnected("k")  # the tab is gone without its closing call
    clock.now = 1005
    assert ledger.orphans(live, 10) == []
    ledger.connected("k")  # a reconnection within the grace period keeps it
    ledger.disconnected("k")
    clock.now = 1020
    assert ledger.orphans(live, 10) == ["k"]
    assert ledger.orphans([], 10) == []  # ended meanwhile


def test_the_cap_page_says_how_many_pages_are_open_in_both_languages():
    page = dashboard.cap_page(dashboard.Refusal("client", 4, 4), "/", "/voila/render/x.ipynb")
    assert "In deze browser zijn al 4 notebookpagina's" in page and "maximum is 4" in page
    assert "This browser already has 4 notebook pages" in page
    assert "Sluit een tabblad" in page and "Close a tab" in page
    one = dashboard.cap_page(dashboard.Refusal("client", 1, 1))
    assert "In deze browser is al 1 notebookpagina van" in one
    assert "already has 1 notebook page of" in one
    assert 'href="/voila/render/x.ipynb"' in page and 'href="/"' in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    server = dashboard.cap_page(dashboard.Refusal("server", 10, 10))
    assert "Het dashboard heeft al 10 notebookpagina's open, bij alle gebruikers samen" in server
    assert "The dashboard already has 10 notebook pages open, all its users together" in server
    assert "wacht tot iemand anders er een sluit" in server and "someone else" in server
    assert f"{dashboard.KERNEL_MB} MB" in server


# --- in a browser --------------------------------------------------------------------------


def _no_browser_reason() -> str | None:
    if not CHROMIUM.exists():
        return (f"{CHROMIUM} (Debian's chromium) is not installed; `make test` installs it "
                "when run as root")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip extra `test`)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _no_browser_reason()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"SIMLIB_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=list(dashboard.CHROMIUM_ARGS))
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Server:
    """A dashboard server of :func:`simlib.ui.dashboard.start`: its URL, process and log."""

    url: str
    proc: subprocess.Popen
    log: Path

    @property
    def port(self) -> int:
        return int(urlparse(self.url).port)

    def kernels(self) -> dict[str, int]:
        return dashboard.kernels(self.proc.pid)

    def wait_for_kernels(self, test, timeout: float = 60) -> dict[str, int]:
        """The server's kernels once ``test(kernels)`` holds (polled; fails after timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            kernels = self.kernels()
            if test(kernels):
                return kernels
            if time.monotonic() > deadline:
                pytest.fail(f"the server's kernels did not get there in {timeout:.0f} s: "
                            f"{sorted(kernels)}")
            time.sleep(0.2)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def dash(browser, tmp_path_factory):
    """The dashboard, as `make dashboard` starts it, on a free port; stopped at the end."""
    log = tmp_path_factory.getbasetemp() / "dashboard-server.log"
    proc, url = dashboard.start(log=log)
    try:
        dashboard.wait_until_up(url, proc, timeout=120)
        yield Server(url, proc, log)
    finally:
        dashboard.stop(proc)
        assert proc.poll() is not None
        out = tmp_path_factory.getbasetemp() / "dashboard_timings.json"
        out.write_text(json.dumps(_summary(TIMINGS), indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def server(dash):
    return dash.url


def _summary(timings: dict[str, dict[str, float]]) -> dict:
    out: dict = {"pages": timings}
    for key in ("load_to_first_chart_s", "key_to_redrawn_chart_s", "kernel_rss_mb",
                "close_to_kernel_gone_s"):
        values = [t[key] for t in timings.values() if key in t]
        if values:
            out[f"median_{key}"] = statistics.median(values)
            out[f"max_{key}"] = max(values)
    return out


def _msg_type(payload) -> str | None:
    """The msg_type of a kernel web-socket frame (the v1 binary protocol, or JSON)."""
    try:
        if isinstance(payload, str):
            return json.loads(payload)["header"]["msg_type"]
        n = int.from_bytes(payload[:8], "little")
        offsets = [int.from_bytes(payload[8 * (i + 1):8 * (i + 2)], "little") for i in range(n)]
        return json.loads(payload[offsets[1]:offsets[2]])["msg_type"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None


class Requests:
    """Every URL a page asks for (requests and web sockets), and the kernel messages it sends."""

    def __init__(self, page):
        self.urls: list[str] = []
        self.sent: list[str | None] = []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        self.urls.append(ws.url)
        if "/channels" in ws.url:
            ws.on("framesent", lambda payload: self.sent.append(_msg_type(payload)))

    def outside(self) -> list[str]:
        bad = []
        for url in self.urls:
            parts = urlparse(url)
            if parts.scheme in ("data", "blob"):
                continue
            if parts.hostname not in ("127.0.0.1", "localhost"):
                bad.append(url)
        return bad

    def refused_messages(self) -> list[str | None]:
        """Kernel messages the page sent that the server drops (none, if the page works)."""
        return [t for t in self.sent if t not in dashboard.PAGE_MESSAGE_TYPES]


KERNEL_ID_JS = """() => { const e = document.getElementById('jupyter-config-data');
    try { return e ? JSON.parse(e.textContent).kernelId || null : null; }
    catch (err) { return null; } }"""


def _page_kernel(pg) -> str | None:
    try:
        return pg.evaluate(KERNEL_ID_JS)
    except Exception:  # the page is gone or never loaded
        return None


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True, locale="nl-BE")
    context.set_default_timeout(60_000)
    pg = context.new_page()
    pg.requests = Requests(pg)
    return context, pg


@pytest.fixture
def page(browser, dash, request):
    """A page in a browser of its own, closed as a person closes a tab; then its kernel must
    be gone from the server (the page's closing call ends it)."""
    context, pg = _new_page(browser)
    try:
        yield pg
    finally:
        kernel = _page_kernel(pg)
        if kernel is not None:
            PAGE_KERNELS.add(kernel)
        pg.close(run_before_unload=True)
        try:
            if kernel is not None:
                start = time.perf_counter()
                dash.wait_for_kernels(lambda ks: kernel not in ks, timeout=60)
                callspec = getattr(request.node, "callspec", None)
                name = callspec.params.get("name") if callspec else request.node.name
                TIMINGS.setdefault(name, {})["close_to_kernel_gone_s"] = \
                    time.perf_counter() - start
        finally:
            context.close()


def _screenshot(page, path: Path) -> None:
    """The whole page: the viewport made as tall as the content that scrolls."""
    height = page.evaluate("""() => Math.max(document.documentElement.scrollHeight,
        ...[...document.querySelectorAll('*')].filter(e => e.scrollHeight > e.clientHeight + 5
            && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
          .map(e => e.scrollHeight + e.getBoundingClientRect().top))""")
    old = page.viewport_size
    page.set_viewport_size({"width": old["width"], "height": int(min(max(height, 600), 12000))})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(old)


def test_landing_page_lists_every_notebook(server, page, tmp_path):
    page.goto(server)
    entries = dashboard.catalogue(ROOT / "notebooks")
    links = page.locator("a.nb-link")
    assert links.count() == len(entries)
    for k, e in enumerate(entries):
        link = links.nth(k)
        assert link.get_attribute("href") == f"/voila/render/{e.file}"
        assert e.title_nl in link.inner_text()
    assert page.locator("[lang=en].nb-title").first.is_hidden()
    _screenshot(page, tmp_path / "landing_nl.png")
    page.get_by_role("button", name="English").click()
    assert entries[0].title_en in links.nth(0).inner_text()
    assert page.locator("[lang=nl].nb-title").first.is_hidden()
    _screenshot(page, tmp_path / "landing_en.png")
    assert not page.requests.outside(), page.requests.outside()


# page helpers

IMAGES_JS = "() => [...document.querySelectorAll('img.widget-image')].map(i => i.src)"
SUMMARY_JS = """() => {
  const chart = document.querySelector('img.widget-image');
  const skip = (e) => e.closest('.widget-accordion, .jupyter-widget-Accordion, .lm-Accordion')
      || (chart && chart.parentElement && chart.parentElement.contains(e))
      || /Bijgewerkt|Updated|Bezig|Computing|Klik op een bestand|Click a file/.test(e.innerText);
  return [...document.querySelectorAll('.widget-html')].filter(e => !skip(e))
      .map(e => e.innerText).join('\\n');
}"""


def _wait_for_new_chart(page, before: list[str], timeout: float = 60_000) -> None:
    page.wait_for_function(
        """(before) => { const now = [...document.querySelectorAll('img.widget-image')];
             return now.some((img, k) => img.src !== before[k] && img.complete
                             && img.naturalWidth > 0); }""", arg=before, timeout=timeout)


def _prepare(page, name: str) -> None:
    """What a notebook needs before its levers matter."""
    if name == "07_scenario_vergelijking.ipynb":  # scenario B: the sliders
        index = page.evaluate("""() => { const s = document.querySelectorAll('select')[1];
            return [...s.options].findIndex(o => o.text.replace(/\\u00a0/g, ' ')
                                             === 'De huidige schuiven'); }""")
        assert index >= 0
        before = page.evaluate(IMAGES_JS)
        page.locator("select").nth(1).select_option(index=index)
        _wait_for_new_chart(page, before)


def _visible_handle(page):
    handles = page.locator(".noUi-handle:visible")
    for k in range(handles.count()):
        h = handles.nth(k)
        if h.evaluate("e => !e.closest('[disabled]') && !e.closest('.mod-disabled')"):
            return h
    return None


def _press_a_key(page) -> tuple[str, float]:
    """Change one control with the keyboard; returns what was changed and the seconds from
    the key press to the redrawn chart."""
    handle = _visible_handle(page)
    if handle is None:
        headers = page.locator(".jupyter-widget-Collapse-header:visible")
        if headers.count():
            headers.first.click()
            page.wait_for_timeout(300)
            handle = _visible_handle(page)
    if handle is not None:
        target, keys = handle, ("ArrowRight", "ArrowLeft")
    elif page.locator("select:visible").count():
        target, keys = page.locator("select:visible").first, ("ArrowDown", "ArrowUp")
    else:  # the language the page is not in
        target = page.locator(".widget-toggle-button:not(.mod-active)").filter(
            has_text=re.compile("^(Nederlands|English)$")).first
        keys = ("Space",)
    for key in keys:
        before = page.evaluate(IMAGES_JS)
        target.focus()
        start = time.perf_counter()
        page.keyboard.press(key)
        try:
            _wait_for_new_chart(page, before, timeout=30_000)
        except Exception:  # at the end of its range: try the other way
            continue
        return f"{key} on {target.evaluate('e => e.className')}", time.perf_counter() - start
    raise AssertionError("no keyboard change redrew the chart")


def _download(page, suffix: str, folder: Path, name: str | None = None) -> Path:
    """Download the first link of a file ``*.suffix`` (or the file ``name``)."""
    which = f"[download='{name}']" if name else f"[download$='.{suffix}']"
    link = page.locator(f"a.simlib-download{which}").first
    link.wait_for(state="attached", timeout=120_000)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == link.get_attribute("download")
    path = folder / download.suggested_filename
    download.save_as(str(path))
    return path


def _check_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 1500 and height >= 600, (path, width, height)  # 300 dpi


def _check_csv(path: Path) -> None:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert len(rows) >= 2 and all(rows[0]), (path, rows[:2])
    assert any(re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", cell) for row in rows[1:] for cell in row)


def _upload(page, button, name: str, data: bytes) -> None:
    """Choose a file in the upload button's file dialog."""
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(files=[{"name": name, "mimeType": "text/plain", "buffer": data}])


#: Keeps the text of the page's loading indicator (``#loading``) from the moment the page
#: receives it, in ``window.__simlibLoading``.
LOADING_WATCH_JS = """
window.__simlibLoading = null;
new MutationObserver(() => {
  const el = document.getElementById('loading');
  if (el && el.textContent.trim()) window.__simlibLoading = el.textContent;
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS if p.name not in OWN_TEST])
def test_notebook_in_the_browser(dash, page, tmp_path, name):
    server = dash.url
    if name in OPT_OUT:
        pytest.skip(OPT_OUT[name])
    timings = TIMINGS.setdefault(name, {})
    # the loading indicator's text as the page receives it: a page on a preheated kernel
    # may show it only for a moment, too short to read it from the live page afterwards
    page.add_init_script(LOADING_WATCH_JS)
    start = time.perf_counter()
    page.goto(f"{server}voila/render/{name}", wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function("() => window.__simlibLoading != null", timeout=LOAD_TIMEOUT_MS)
    # the loading indicator, in Dutch and English (Voila replaces its first line by its own
    # progress, "Executing 1 of 6", as soon as the kernel runs: not a line to wait for)
    assert "Het model rekent de eerste grafieken" in page.evaluate("window.__simlibLoading")
    page.wait_for_function("""() => [...document.querySelectorAll('img.widget-image')]
        .some(i => i.complete && i.naturalWidth > 0)""", timeout=LOAD_TIMEOUT_MS)
    timings["load_to_first_chart_s"] = time.perf_counter() - start
    page.locator("#loading").wait_for(state="detached", timeout=LOAD_TIMEOUT_MS)
    kernels = dash.kernels()
    kernel = _page_kernel(page)
    assert kernel in kernels, (kernel, kernels)
    timings["kernel_rss_mb"] = dashboard.rss_mb(kernels[kernel])  # after the page loaded
    assert page.locator(".jp-CodeCell .jp-InputArea:visible").count() == 0  # code hidden
    assert "import" not in page.locator("body").inner_text()
    if name == "00_start_hier.ipynb":  # the state diagram, drawn by simlib (no mermaid text)
        assert page.locator("img.simlib-state-diagram").evaluate(
            "i => i.complete && i.naturalWidth > 1000")
        assert "stateDiagram" not in page.locator("body").inner_text()
    page.wait_for_timeout(500)  # let late outputs settle
    _prepare(page, name)
    summary = page.evaluate(SUMMARY_JS)
    what, seconds = _press_a_key(page)
    timings["key_to_redrawn_chart_s"] = seconds
    timings["control"] = what
    page.wait_for_timeout(800)  # the other charts of the page redraw too
    _screenshot(page, tmp_path / f"{Path(name).stem}.png")
    if name not in NO_SUMMARY:
        page.wait_for_function(f"(before) => ({SUMMARY_JS})() !== before", arg=summary,
                               timeout=30_000)

    # downloads: the files themselves, through the browser
    page.get_by_role("button", name=re.compile("Maak de bestanden|Make the files")).click()
    _check_png(_download(page, "png", tmp_path))
    _check_csv(_download(page, "csv", tmp_path))

    # a change of what is shown withdraws the links: no file of an earlier setting offered
    _press_a_key(page)
    page.locator("a.simlib-download").first.wait_for(state="detached", timeout=30_000)
    page.get_by_text(OUTDATED).first.wait_for(state="visible", timeout=30_000)

    # upload: a bad file gives the CLI's message and changes nothing; a good one is used
    pickers = page.locator(".widget-upload")
    assert pickers.count() > 0 or name not in UPLOAD, f"{name}: no scenario upload"
    if pickers.count():
        before = page.evaluate(IMAGES_JS)
        _upload(page, pickers.first, "kapot.toml", BAD_SCENARIO)
        error = page.locator(".simlib-upload-error")
        error.wait_for(timeout=30_000)
        text = " ".join(error.inner_text().split())
        assert ("kapot.toml: levers.serch_window_days: unknown lever; expected a lever id "
                "from `python -m simlib levers`; did you mean search_window_days?") in text
        page.wait_for_timeout(500)
        assert page.evaluate(IMAGES_JS) == before  # nothing changed
        _upload(page, pickers.first, "goed.toml", GOOD_SCENARIO)
        page.locator(".simlib-upload-ok").wait_for(timeout=30_000)
        _wait_for_new_chart(page, before)  # the app kept working: scenario B is the upload
        _screenshot(page, tmp_path / f"{Path(name).stem}_upload.png")

    # save as scenario: a download; nothing written on the server, no other user's file
    if name in UPLOAD:
        on_server = sorted(ROOT.rglob("mijn_scenario*.toml"))
        page.get_by_role("button", name=re.compile("Download als scenario|Download as "
                                                   "scenario")).click()
        saved = tomllib.loads(_download(page, "toml", tmp_path, "mijn_scenario.toml")
                              .read_text(encoding="utf-8"))
        assert saved["label_nl"] == "mijn_scenario"
        page.get_by_text(re.compile("niets op de server|nothing is kept")).first.wait_for(
            state="visible", timeout=30_000)
        assert sorted(ROOT.rglob("mijn_scenario*.toml")) == on_server
        _screenshot(page, tmp_path / f"{Path(name).stem}_save.png")

    outside = page.requests.outside()
    assert not outside, f"requests that left 127.0.0.1: {outside}"
    assert page.requests.sent and not page.requests.refused_messages(), page.requests.sent


def test_uncertainty_notebook_in_the_browser(server, page, tmp_path):
    """Notebook 08: its charts wait for a button (each draw is a full model run). Set the
    number of draws with the keyboard, compute the bands, see the fan charts and the status
    line change, download a PNG and a CSV; nothing leaves 127.0.0.1."""
    name = "08_onzekerheid_en_gevoeligheid.ipynb"
    assert name in {p.name for p in NOTEBOOKS}
    timings = TIMINGS.setdefault(name, {})
    page.goto(f"{server}voila/render/{name}", wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    page.locator("#loading_text").wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)
    button = page.get_by_role("button", name=re.compile("Banden berekenen|Compute bands"))
    button.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.locator("#loading").wait_for(state="detached", timeout=LOAD_TIMEOUT_MS)
    assert page.locator(".jp-CodeCell .jp-InputArea:visible").count() == 0
    assert "Figure size" not in page.locator("body").inner_text()  # no stray figure reprs
    status_before = page.evaluate(SUMMARY_JS)
    draws = page.locator("input[type=number]").first
    draws.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    start = time.perf_counter()
    button.click()
    page.wait_for_function("""() => [...document.querySelectorAll('img.widget-image')]
        .some(i => i.complete && i.naturalWidth > 0)""", timeout=LOAD_TIMEOUT_MS)
    timings["button_to_fan_chart_s"] = time.perf_counter() - start
    # the status line: first the runs it will make, then what it did (2 draws x 2 scenarios)
    page.wait_for_function(f"() => /(klaar|done): 4 /.test(({SUMMARY_JS})())", timeout=60_000)
    assert page.evaluate(SUMMARY_JS) != status_before
    page.wait_for_timeout(500)
    _screenshot(page, tmp_path / f"{Path(name).stem}.png")
    page.get_by_role("button", name=re.compile("Maak de bestanden|Make the files")).click()
    _check_png(_download(page, "png", tmp_path))
    _check_csv(_download(page, "csv", tmp_path))
    # a panel beside the app: its links go when a chart it exported is redrawn (language)
    page.get_by_role("button", name="English").click()
    page.locator("a.simlib-download").first.wait_for(state="detached", timeout=60_000)
    page.get_by_text(OUTDATED).first.wait_for(state="visible", timeout=30_000)
    outside = page.requests.outside()
    assert not outside, f"requests that left 127.0.0.1: {outside}"
    assert not page.requests.refused_messages(), page.requests.sent


# --- the server's guards, with a test client -----------------------------------------------


def _get(dash, path: str, host: str, headers: dict | None = None, method: str = "GET",
         body: str | None = None) -> tuple[int, dict, str]:
    """A request to the server at 127.0.0.1 with the ``Host`` header given."""
    conn = http.client.HTTPConnection("127.0.0.1", dash.port, timeout=LOAD_TIMEOUT_MS / 1000)
    try:
        conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = conn.getresponse()
        return response.status, response, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _message(msg_type: str, channel: str, content: dict | None = None) -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "test",
                       "session": uuid.uuid4().hex, "date": "2026-01-01T00:00:00Z",
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content or {}, "channel": channel,
            "buffers": []}


def _kernel_socket(dash, kernel_id: str, host: str, messages=(), until: str | None = None,
                   timeout: float = 60) -> list[dict]:
    """Open the kernel's web socket as a client at ``host`` (Origin ``http://host``), send
    ``messages`` and return what comes back until the reply to message ``until``. Raises
    tornado's HTTPClientError if the server refuses the socket."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def talk() -> list[dict]:
        request = HTTPRequest(
            f"ws://127.0.0.1:{dash.port}/api/kernels/{kernel_id}/channels"
            f"?session_id={uuid.uuid4().hex}",
            headers={"Host": host, "Origin": f"http://{host}"}, request_timeout=timeout)
        ws = await websocket_connect(request)
        try:
            for m in messages:
                await ws.write_message(json.dumps(m))
            received: list[dict] = []
            while until is not None:
                raw = await asyncio.wait_for(ws.read_message(), timeout)
                if raw is None:
                    raise AssertionError(f"the kernel socket closed; got {received}")
                if isinstance(raw, str):
                    msg = json.loads(raw)
                    received.append(msg)
                    if msg["parent_header"].get("msg_id") == until and \
                            msg["msg_type"].endswith("_reply"):
                        break
            return received
        finally:
            ws.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # Playwright owns this thread's loop
        return pool.submit(asyncio.run, talk()).result()


def test_a_foreign_host_is_refused(dash):
    """What a DNS-rebinding page sends (its own name, the server's port) gets 403 and starts
    nothing; the loopback names with the port are served."""
    own = dash.url.split("//")[1].rstrip("/")
    kernels = dash.kernels()
    for host in (f"attacker.example:{dash.port}", "attacker.example", f"127.0.0.1:{dash.port + 1}"):
        for path in ("/", "/voila/render/00_start_hier.ipynb", "/voila/static/voila.js",
                     f"/api/kernels/{uuid.uuid4()}"):
            status, _, body = _get(dash, path, host)
            assert status == 403, (host, path, status)
            assert "127.0.0.1, localhost" in body
    assert dash.kernels() == kernels  # the refused page started no kernel
    for host in (own, f"localhost:{dash.port}", f"[::1]:{dash.port}"):
        assert _get(dash, "/", host)[0] == 200, host


def test_a_kernel_takes_only_the_messages_a_page_needs(dash):
    """A test client opens a page (its kernel starts), then the kernel's web socket: it
    answers a kernel-info request, but a shutdown, an interrupt or code to run never reach
    the kernel; a foreign Host with a matching Origin gets no socket; the page's closing call
    is refused without the ``_xsrf`` cookie (so no other site can make it) and ends the
    kernel with it (what the page sends as it is left). ``DELETE /api/kernels/ID`` is refused."""
    own = f"127.0.0.1:{dash.port}"
    status, response, body = _get(dash, "/voila/render/00_start_hier.ipynb", own)
    assert status == 200
    kernel = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', body,
                                  re.S).group(1))["kernelId"]
    cookies = {c.split("=", 1)[0]: c.split("=", 1)[1].split(";")[0]
               for c in response.headers.get_all("Set-Cookie")}
    assert "_xsrf" in cookies and dashboard.CLIENT_COOKIE in cookies
    pid = dash.kernels()[kernel]

    info = _message("kernel_info_request", "shell")
    assert any(m["msg_type"] == "kernel_info_reply"
               for m in _kernel_socket(dash, kernel, own, [info], until=info["header"]["msg_id"]))

    code = _message("execute_request", "shell", {"code": "import os; os._exit(3)",
                                                 "silent": False, "store_history": False,
                                                 "user_expressions": {}, "allow_stdin": False})
    dropped = [code, _message("shutdown_request", "control", {"restart": False}),
               _message("shutdown_request", "shell", {"restart": False}),
               _message("interrupt_request", "control")]
    last = _message("kernel_info_request", "shell")
    got = _kernel_socket(dash, kernel, own, [*dropped, last], until=last["header"]["msg_id"])
    ids = {m["header"]["msg_id"] for m in dropped}
    assert not [m for m in got if m["parent_header"].get("msg_id") in ids]  # none answered
    assert got[-1]["msg_type"] == "kernel_info_reply"
    assert Path(f"/proc/{pid}").exists() and dash.kernels().get(kernel) == pid
    log = dash.log_text()
    for kind in ("execute_request", "shutdown_request", "interrupt_request"):
        assert f'Received message of type "{kind}", which is not allowed' in log

    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError, match="403"):
        _kernel_socket(dash, kernel, f"attacker.example:{dash.port}", [info])
    assert dash.kernels().get(kernel) == pid

    xsrf = cookies["_xsrf"]
    with_xsrf = {"Cookie": f"_xsrf={xsrf}", "X-XSRFToken": xsrf}
    assert _get(dash, f"/api/kernels/{kernel}", own, with_xsrf, "DELETE")[0] == 405
    assert dash.kernels().get(kernel) == pid  # pages read the kernel's model, never delete it

    shutdown = f"/voila/api/shutdown/{kernel}"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert _get(dash, shutdown, own, form, "POST", "")[0] == 403  # no cookie: refused
    assert dash.kernels().get(kernel) == pid
    status, _, _ = _get(dash, shutdown, own, {**form, "Cookie": f"_xsrf={xsrf}"}, "POST",
                        f"_xsrf={xsrf}")
    assert status == 204
    dash.wait_for_kernels(lambda ks: kernel not in ks, timeout=60)


def test_no_kernel_outlives_the_pages(dash):
    """After every page of this module was opened and closed, none of the pages' kernels
    runs; what runs are the spare kernels of the pool, at most one per notebook, and some
    page opened on a preheated kernel (the server says so in its log)."""
    assert PAGE_KERNELS
    left = dash.wait_for_kernels(lambda ks: not set(ks) & PAGE_KERNELS, timeout=60)
    assert len(left) <= dashboard.DEFAULT_POOL_SIZE * len(dashboard.notebooks())
    log = dash.log_text()
    assert any(f"Using pre-heated kernel: {k}" in log for k in PAGE_KERNELS)
    TIMINGS["walk"] = {"spare_kernels_left": len(left), "pages_with_a_kernel": sum(
        "kernel_rss_mb" in t for t in TIMINGS.values())}


# --- the kernel caps: a small server -------------------------------------------------------

SMALL_NOTEBOOK = ("# Klein\n\nEen kleine notebook voor de test van de limieten.\n\n"
                  "*English: Small: a notebook for the test of the caps.*")


@pytest.fixture(scope="module")
def small(browser, tmp_path_factory):
    """A server of one small notebook, with room for two kernels, one per browser, a kernel
    ended 15 s after its page went without its closing call, and no preheated kernels (every
    kernel here is a page's: the spare ones count against no cap, see the ledger's test)."""
    folder = tmp_path_factory.mktemp("klein")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(SMALL_NOTEBOOK),
                nbformat.v4.new_code_cell("import ipywidgets as W\nW.IntSlider(value=1)")]
    nbformat.write(nb, folder / "01_klein.ipynb")
    log = tmp_path_factory.getbasetemp() / "dashboard-small.log"
    proc, url = dashboard.start(log=log, folder=folder, max_kernels=2, max_kernels_per_client=1,
                                pool_size=0, extra=["--DashboardApp.orphan_timeout=15"])
    try:
        dashboard.wait_until_up(url, proc, timeout=120)
        yield Server(url, proc, log)
    finally:
        dashboard.stop(proc)


def _open_small(pg, small) -> tuple[int, str | None]:
    response = pg.goto(f"{small.url}voila/render/01_klein.ipynb", timeout=LOAD_TIMEOUT_MS)
    if response.status == 200:
        pg.locator(".widget-slider").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        pg.locator("#loading").wait_for(state="detached", timeout=LOAD_TIMEOUT_MS)
    return response.status, _page_kernel(pg)


def test_the_kernel_caps_hold_and_a_closed_page_frees_its_slot(small, browser, tmp_path):
    context_a, a1 = _new_page(browser)
    context_b, b1 = _new_page(browser)
    context_c, c1 = _new_page(browser)
    try:
        status, k1 = _open_small(a1, small)
        assert status == 200 and k1 in small.kernels()
        a2 = context_a.new_page()  # the same browser, a second tab: over its cap
        status, _ = _open_small(a2, small)
        text = " ".join(a2.locator("body").inner_text().split())
        assert status == 503
        assert "In deze browser is al 1 notebookpagina van het dashboard open" in text
        assert "This browser already has 1 notebook page of the dashboard open" in text
        assert "Sluit een tabblad" in text and "Close a tab" in text
        _screenshot(a2, tmp_path / "cap_per_browser.png")
        assert set(small.kernels()) == {k1}  # the refused page started none
        status, k2 = _open_small(b1, small)  # another browser: the server's second kernel
        assert status == 200 and set(small.kernels()) == {k1, k2}
        status, _ = _open_small(c1, small)  # a third browser: the server is full
        assert status == 503
        assert "Het dashboard heeft al 2 notebookpagina's open" in c1.locator("body").inner_text()
        _screenshot(c1, tmp_path / "cap_server.png")

        a1.close(run_before_unload=True)  # a tab closed: its kernel ends, a slot is free
        small.wait_for_kernels(lambda ks: k1 not in ks, timeout=60)
        with c1.expect_navigation():
            c1.get_by_role("link", name="Opnieuw proberen").click()
        c1.locator(".widget-slider").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        k3 = _page_kernel(c1)
        assert set(small.kernels()) == {k2, k3}

        context_b.close()  # a browser gone without the pages' closing call (as in a crash)
        small.wait_for_kernels(lambda ks: k2 not in ks, timeout=90)
        assert f"simlib: ending kernel {k2}, its page is gone" in small.log_text()
        assert set(small.kernels()) == {k3}
    finally:
        for context in (context_a, context_b, context_c):
            context.close()
