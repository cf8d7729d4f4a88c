"""Dashboard latency in a real browser: page load to first chart, key press to redrawn chart.

Usage (from the repository root; needs Debian's chromium at /usr/bin/chromium)::

    .venv/bin/python benchmarks/dashboard_latency.py                  # 3 loads, 10 key presses
    .venv/bin/python benchmarks/dashboard_latency.py --loads 5 --presses 20 \\
        --notebook 07_scenario_vergelijking.ipynb --notebook 02_minimum_werkuren.ipynb

It starts the dashboard exactly as ``make dashboard`` does (:mod:`simlib.ui.dashboard`, a free
port on 127.0.0.1), opens each notebook ``--loads`` times in headless Chromium (Playwright,
flags of :data:`simlib.ui.dashboard.CHROMIUM_ARGS`) and measures

- **load**: from the request of the page to the first chart drawn (an ``<img>`` of the app
  with its picture loaded); this includes the kernel start and the notebook's first model
  runs, so it is what a person waits for after a click on the landing page;
- **key**: from an ``ArrowRight`` (or ``ArrowLeft`` at the end of the range) on the first
  slider of the notebook to the redrawn chart in the page: the model run, the redraw, and
  the round trip between browser and kernel. The compare notebook first sets scenario B to
  the sliders. Each press moves the slider one step further, so each is a new model run.

With the preheated kernels (:data:`simlib.ui.dashboard.DEFAULT_POOL_SIZE`, on by default)
``--settle S`` seconds are waited after the server is up and between two loads, so that the
pool has its spare kernel (a person opening a page some time after the last one); ``--pool-size
0`` measures without the pool, as before issue 15.

Prints each measurement and the medians; the server and its kernels are stopped at the end.
A benchmark is not a test: the exit code is 0 whatever the timings (2 without a browser).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simlib.ui import dashboard  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
DEFAULT_NOTEBOOKS = ("07_scenario_vergelijking.ipynb", "02_minimum_werkuren.ipynb")
IMAGES_JS = "() => [...document.querySelectorAll('img.widget-image')].map(i => i.src)"
NEW_CHART_JS = """(before) => [...document.querySelectorAll('img.widget-image')]
    .some((img, k) => img.src !== before[k] && img.complete && img.naturalWidth > 0)"""


def _first_slider(page):
    handles = page.locator(".noUi-handle:visible")
    if not handles.count():
        headers = page.locator(".jupyter-widget-Collapse-header:visible")
        if headers.count():
            headers.first.click()
            page.wait_for_timeout(300)
    handles = page.locator(".noUi-handle:visible")
    return handles.first if handles.count() else None


def _prepare(page, name: str) -> None:
    if name.startswith("07_"):  # scenario B: the sliders
        index = page.evaluate("""() => [...document.querySelectorAll('select')[1].options]
            .findIndex(o => o.text.replace(/\\u00a0/g, ' ') === 'De huidige schuiven')""")
        before = page.evaluate(IMAGES_JS)
        page.locator("select").nth(1).select_option(index=index)
        page.wait_for_function(NEW_CHART_JS, arg=before, timeout=60_000)


def measure(browser, url: str, name: str, loads: int, presses: int,
            settle: float = 0) -> tuple[list, list]:
    load_s, key_s = [], []
    for k in range(loads):
        time.sleep(settle)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        start = time.perf_counter()
        page.goto(f"{url}voila/render/{name}", wait_until="commit", timeout=180_000)
        page.wait_for_function("""() => [...document.querySelectorAll('img.widget-image')]
            .some(i => i.complete && i.naturalWidth > 0)""", timeout=180_000)
        load_s.append(time.perf_counter() - start)
        print(f"  {name}: load {k + 1}: {load_s[-1]:.2f} s", flush=True)
        if k == loads - 1 and presses:
            page.locator("#loading").wait_for(state="detached", timeout=180_000)
            page.wait_for_timeout(500)
            _prepare(page, name)
            slider = _first_slider(page)
            if slider is None:
                print(f"  {name}: no slider, no key presses measured")
            key = "ArrowRight"
            for _ in range(presses):
                if slider is None:
                    break
                before = page.evaluate(IMAGES_JS)
                slider.focus()
                t0 = time.perf_counter()
                page.keyboard.press(key)
                try:
                    page.wait_for_function(NEW_CHART_JS, arg=before, timeout=30_000)
                except Exception:  # end of the range: turn around
                    key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
                    continue
                key_s.append(time.perf_counter() - t0)
                print(f"  {name}: {key}: {key_s[-1] * 1000:.0f} ms", flush=True)
        page.close(run_before_unload=True)  # as a closed tab: its kernel ends (and the next
        context.close()                     # load is not refused by the dashboard's caps)
    return load_s, key_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=3, help="page loads per notebook (3)")
    parser.add_argument("--presses", type=int, default=10, help="key presses per notebook (10)")
    parser.add_argument("--notebook", action="append",
                        help=f"a notebook of notebooks/ (default: {', '.join(DEFAULT_NOTEBOOKS)})")
    parser.add_argument("--pool-size", type=int, default=dashboard.DEFAULT_POOL_SIZE,
                        help="preheated kernels per notebook (default "
                        f"{dashboard.DEFAULT_POOL_SIZE}; 0: every page starts its kernel)")
    parser.add_argument("--settle", type=float, default=30.0,
                        help="seconds waited before each load, for the pool to refill (30)")
    args = parser.parse_args(argv)
    if args.loads < 1 or args.presses < 0 or args.pool_size < 0 or args.settle < 0:
        parser.error("--loads must be at least 1, --presses, --pool-size and --settle at "
                     "least 0")
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    names = args.notebook or list(DEFAULT_NOTEBOOKS)
    print(f"cpus {os.cpu_count()}, load average {[round(x, 2) for x in os.getloadavg()]}")
    print(f"command: {' '.join(sys.argv)}; pool size {args.pool_size}, settle {args.settle} s")
    proc, url = dashboard.start(pool_size=args.pool_size)
    loads, keys = [], []
    try:
        dashboard.wait_until_up(url, proc, timeout=120)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=list(dashboard.CHROMIUM_ARGS))
            try:
                for name in names:
                    load_s, key_s = measure(browser, url, name, args.loads, args.presses,
                                            args.settle if args.pool_size else 0)
                    loads += load_s
                    keys += key_s
            finally:
                browser.close()
    finally:
        dashboard.stop(proc)
    print()
    print(f"page load -> first chart:    median {statistics.median(loads):6.2f} s   "
          f"(n={len(loads)}, min {min(loads):.2f}, max {max(loads):.2f})")
    if keys:
        ms = [1000 * k for k in keys]
        print(f"key press -> redrawn chart:  median {statistics.median(ms):6.0f} ms  "
              f"(n={len(ms)}, min {min(ms):.0f}, max {max(ms):.0f})")
    print(f"load average after: {[round(x, 2) for x in os.getloadavg()]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
