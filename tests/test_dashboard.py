"""The dashboard (``make dashboard``): the landing page's catalogue, and every notebook in a
real browser.

Without a browser: the catalogue read from the notebooks' first markdown cells, the Voila
command and its settings. With Debian's Chromium (``/usr/bin/chromium``, driven by
Playwright, which never downloads a browser of its own): one server for the module, started
exactly as ``make dashboard`` starts it, on a free loopback port, and stopped (kernels and
all) at the end. For the landing page and for each notebook ``notebooks/NN_*.ipynb`` (found
by glob, so new notebooks are covered without a change here): open it, see the loading
indicator, wait for the chart, change a control with the keyboard, see the chart (and the
summary, where the app has one) change, download the PNG and the CSV and check the files;
where the app offers an upload, upload a bad scenario and read the message, then a good one.
Every request the pages make must stay on 127.0.0.1. A screenshot of each page goes to the
test's temporary folder; the timings (page load to first chart, key press to redrawn chart)
go to ``dashboard_timings.json`` in pytest's base temporary folder.

No browser: these tests skip with the reason, unless ``SIMLIB_REQUIRE_BROWSER=1`` (set by
``.ci/run``), under which a missing browser fails them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from simlib import dashboard

ROOT = Path(__file__).resolve().parents[1]
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
TIMINGS: dict[str, dict[str, float]] = {}


# --- without a browser ---------------------------------------------------------------------


def _notebook(path: Path, *markdown: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown]
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    nbformat.write(nb, path)
    return path


def test_catalogue_reads_the_first_markdown_cell(tmp_path):
    _notebook(tmp_path / "01_een.ipynb",
              "# Een *titel*\n\nDe eerste zin staat hier, lang genoeg om alleen te staan. De tweede niet.\n\n"
              "*English: a title: what it shows, and more; switch the labels with the toggle.*",
              "# Niet dit")
    _notebook(tmp_path / "02_twee.ipynb", "# Twee\n\n- een lijst\n\nKort. Dan een tweede zin die "
              "de lezer meer zegt.\n\n```mermaid\ngraph LR\n```")
    _notebook(tmp_path / "03_drie.ipynb",
              "# Drie\n\nTekst.\n\n*English: bands, tornado and Sobol; switch with the toggle. "
              "Each draw is one run (0.6 s): start small.*")
    (tmp_path / "index.ipynb").write_text((tmp_path / "02_twee.ipynb").read_text())
    nb = nbformat.v4.new_notebook()
    nbformat.write(nb, tmp_path / "04_zonder_tekst.ipynb")
    entries = dashboard.catalogue(tmp_path)
    assert [e.file for e in entries] == ["01_een.ipynb", "02_twee.ipynb", "03_drie.ipynb",
                                         "04_zonder_tekst.ipynb"]
    een, twee, drie, vier = entries
    assert (een.title_nl, een.summary_nl) == ("Een titel", "De eerste zin staat hier, lang genoeg om alleen te staan.")
    assert (een.title_en, een.summary_en, een.english) == ("A title", "What it shows, and more.",
                                                           True)
    assert (twee.title_nl, twee.summary_nl) == (
        "Twee", "Kort. Dan een tweede zin die de lezer meer zegt.")
    assert (twee.title_en, twee.summary_en, twee.english) == (twee.title_nl, twee.summary_nl,
                                                              False)
    assert (drie.title_en, drie.summary_en) == ("Bands, tornado and Sobol",
                                                "Each draw is one run (0.6 s): start small.")
    assert (vier.title_nl, vier.summary_nl) == ("Zonder tekst", "")
    assert een.title("en") == "A title" and een.summary("nl").startswith("De eerste zin")


def test_every_notebook_has_a_title_and_a_line_in_both_languages():
    entries = dashboard.catalogue(ROOT / "notebooks")
    assert [e.file for e in entries] == [p.name for p in NOTEBOOKS]
    assert {"00_start_hier.ipynb", "01_basislijn.ipynb", "07_scenario_vergelijking.ipynb"} <= \
        {e.file for e in entries}
    for e in entries:
        assert e.title_nl and e.summary_nl, e.file
        assert e.title_en and e.english, f"{e.file}: no '*English: …*' paragraph"
        assert len(e.summary_nl) <= dashboard.SUMMARY_CHARS + 2, e.file
        assert "toggle" not in (e.title_en + e.summary_en).lower(), e.file


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
    assert cmd[1:3] == ["-m", "voila"] and cmd[3] == str(ROOT / "notebooks")
    assert "--port=8999" in cmd and "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd
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
    assert "$(PY) -m simlib.dashboard --port=$(DASHBOARD_PORT)" in makefile
    assert "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1" in makefile
    assert "SIMLIB_REQUIRE_BROWSER=1" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_module_prints_its_help():
    out = subprocess.run([sys.executable, "-m", "simlib.dashboard", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "--port" in out.stdout


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


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    """The dashboard, as `make dashboard` starts it, on a free port; stopped at the end."""
    log = tmp_path_factory.getbasetemp() / "dashboard-server.log"
    proc, url = dashboard.start(log=log)
    try:
        dashboard.wait_until_up(url, proc, timeout=120)
        yield url
    finally:
        dashboard.stop(proc)
        assert proc.poll() is not None
        out = tmp_path_factory.getbasetemp() / "dashboard_timings.json"
        out.write_text(json.dumps(_summary(TIMINGS), indent=2), encoding="utf-8")


def _summary(timings: dict[str, dict[str, float]]) -> dict:
    out: dict = {"pages": timings}
    for key in ("load_to_first_chart_s", "key_to_redrawn_chart_s"):
        values = [t[key] for t in timings.values() if key in t]
        if values:
            out[f"median_{key}"] = statistics.median(values)
    return out


class Requests:
    """Every URL a page asks for (requests and web sockets)."""

    def __init__(self, page):
        self.urls: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("websocket", lambda ws: self.urls.append(ws.url))

    def outside(self) -> list[str]:
        bad = []
        for url in self.urls:
            parts = urlparse(url)
            if parts.scheme in ("data", "blob"):
                continue
            if parts.hostname not in ("127.0.0.1", "localhost"):
                bad.append(url)
        return bad


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True, locale="nl-BE")
    context.set_default_timeout(60_000)
    pg = context.new_page()
    pg.requests = Requests(pg)
    try:
        yield pg
    finally:  # as a closed tab: Voila shuts the page's kernel down
        pg.close(run_before_unload=True)
        time.sleep(0.3)
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
    else:
        target, keys = page.get_by_role("button", name="English"), ("Space",)
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


def _download(page, suffix: str, folder: Path) -> Path:
    link = page.locator(f"a.simlib-download[download$='.{suffix}']").first
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


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS if p.name not in OWN_TEST])
def test_notebook_in_the_browser(server, page, tmp_path, name):
    if name in OPT_OUT:
        pytest.skip(OPT_OUT[name])
    timings = TIMINGS.setdefault(name, {})
    start = time.perf_counter()
    page.goto(f"{server}voila/render/{name}", wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    loading = page.locator("#loading_text")
    loading.wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)
    # the loading indicator, in Dutch and English (Voila replaces its first line by its own
    # progress, "Executing 1 of 6", as soon as the kernel runs: not a line to wait for)
    assert "Het model rekent de eerste grafieken" in page.locator("#loading").inner_text()
    page.wait_for_function("""() => [...document.querySelectorAll('img.widget-image')]
        .some(i => i.complete && i.naturalWidth > 0)""", timeout=LOAD_TIMEOUT_MS)
    timings["load_to_first_chart_s"] = time.perf_counter() - start
    page.locator("#loading").wait_for(state="detached", timeout=LOAD_TIMEOUT_MS)
    assert page.locator(".jp-CodeCell .jp-InputArea:visible").count() == 0  # code hidden
    assert "import" not in page.locator("body").inner_text()
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

    outside = page.requests.outside()
    assert not outside, f"requests that left 127.0.0.1: {outside}"


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
    outside = page.requests.outside()
    assert not outside, f"requests that left 127.0.0.1: {outside}"
