"""What a brush stroke costs the browser, page by page (prints a table, asserts nothing).

    python -m benchmarks.browser [--strokes 10] [--pages playground gallery forward_pass
                                  backprop "" floor] [--width 1400 --height 1000] [--no-scroll]
                                 [--two-blocks]

("" is the Home page, whose overview draws the network's maps under its grid; "floor" is
benchmarks/stroke_floor_app.py, the drawing grid alone in a page of the app's shape: what
every page pays before its own maps and text. --two-blocks: every session holds a network of
two blocks of 16 channels (benchmarks/two_block_app.py) instead of the default network.)

Starts its own ``streamlit run app.py`` and one headless Chromium, and for every page with
a drawing grid opens the home page, then the page, and paints ``--strokes`` strokes (one
click on a grid cell each, one student, no think time). Per stroke:

- stroke -> last update: from the pointerdown to the last DOM change the stroke caused, seen
  by a MutationObserver on the document and on every component's shadow root, so a canvas
  map counts when it sets its data-revision attribute after painting. Changes to Streamlit's
  running indicator and script-state attribute are ignored. The stroke is over when its
  rerun has finished and nothing has changed for QUIET_MS.
- main-thread CPU: the renderer main thread's busy time over the stroke (Chrome DevTools'
  Performance.getMetrics TaskDuration, through a CDP session), Script and Layout parts too,
  and "CDP": the part spent running this benchmark's own DevTools commands (the click, the
  polling for the end of the stroke; DevToolsCommandDuration), included in the CPU figure,
  and "map JS": the map component's own drawing time in that (window.cnnMapStats, map.js).
- maps updated: data-revision changes of canvas maps (ui/widgets/map) per stroke, the number
  of map panels on the page, and of plotly charts (each redrawn on a stroke if its figure
  changed). A stroke is over only once every map component has painted the last data it was
  given (its data-revision equals that data's revision), in view or not (a map still
  unpainted 2 s after the page went quiet, one drawn only in view, is reported and left to
  the scroll pass); shadow roots of components mounted during a stroke are watched too.
- scroll pass (unless --no-scroll): then the page is scrolled to the bottom one screen at a
  time and back, so that a map drawn only when it comes into view is drawn; its CPU is a
  column of its own, and "late" counts map updates that happened only then.

One browser and the server share the machine, so on a busy two-core box both figures are
upper bounds; run it on a quiet machine for numbers to compare.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics

from playwright.sync_api import Page, sync_playwright

from benchmarks.load_common import percentile, stroke_cells
from tests.support.streamlit_server import CHROMIUM, CHROMIUM_ARGS, start_streamlit, stop_streamlit

PAGES = {"playground": "Playground", "gallery": "Kernel gallery",
         "forward_pass": "Forward pass", "backprop": "Backprop", "": "Home",
         "floor": "Grid alone"}
DEFAULT_PAGES = ["playground", "gallery", "forward_pass", "backprop", "", "floor"]
FLOOR_APP = "benchmarks/stroke_floor_app.py"
LOAD_TIMEOUT_MS = 180_000
STROKE_TIMEOUT_MS = 60_000
QUIET_MS = 500
UNPAINTED_MS = 2000
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_MS = "() => window.cnnMapStats?.ms ?? 0"  # map.js: its own drawing time so far

# Installed once per page: the observer and what it has seen since the last pointerdown.
OBSERVE = """() => {
  if (window.__bench) return;
  const B = window.__bench = {strokeAt: null, last: 0, ran: false, revisions: 0,
                              roots: new WeakSet()};
  const options = {subtree: true, childList: true, attributes: true, characterData: true};
  const ignored = (m) => {
    if (m.type === 'attributes' && m.attributeName === 'data-test-script-state') {
      if (m.target.getAttribute('data-test-script-state') === 'running') B.ran = true;
      return true;
    }
    const element = m.target.nodeType === 1 ? m.target : m.target.parentElement;
    return Boolean(element?.closest?.('[data-testid="stStatusWidget"]'));
  };
  B.observer = new MutationObserver((records) => {
    const now = performance.now();
    let added = false;
    for (const m of records) {
      added ||= m.type === 'childList' && m.addedNodes.length > 0;
      if (ignored(m)) continue;
      B.last = now;
      if (m.type === 'attributes' && m.attributeName === 'data-revision'
          && m.target.classList.contains('cnn-map')) B.revisions += 1;  // a map, not the grid
    }
    if (added) B.scan();  // a component mounted by this stroke: watch its maps too
  });
  B.observer.observe(document, options);
  B.scan = () => {  // shadow roots of components mounted since the last scan
    for (const host of document.querySelectorAll('.stBidiComponent *')) {
      if (host.shadowRoot && !B.roots.has(host.shadowRoot)) {
        B.roots.add(host.shadowRoot);
        B.observer.observe(host.shadowRoot, options);
      }
    }
  };
  B.painted = () => {  // every map component has painted the last data it was given
    for (const host of document.querySelectorAll('.stBidiComponent *')) {
      for (const root of host.shadowRoot?.querySelectorAll('.cnn-maps') ?? []) {
        const view = root.__view;
        if (view?.data && root.getAttribute('data-revision') !== String(view.data.rev)) {
          return false;
        }
      }
    }
    return true;
  };
  B.maps = () => {  // map panels on the page, in view or not
    let count = 0;
    for (const host of document.querySelectorAll('.stBidiComponent *')) {
      count += host.shadowRoot?.querySelectorAll('.cnn-map').length ?? 0;
    }
    return count;
  };
  document.addEventListener('pointerdown', () => {
    B.strokeAt = B.last = performance.now();
    B.ran = false;
    B.revisions = 0;
    B.unpaintedSince = null;
  }, {capture: true});
}"""
# Over when the rerun has finished, nothing has changed for QUIET_MS and every map component
# has painted its last data; a map still unpainted UNPAINTED_MS later (one drawn only when
# scrolled into view) ends the wait too, and is counted, for the scroll pass to draw.
SETTLED = f"""() => {{
  const B = window.__bench, now = performance.now();
  const idle = document.querySelector('{IDLE}') !== null;
  if (B.strokeAt === null || now - B.last <= {QUIET_MS} || !idle
      || !(B.ran || now - B.strokeAt > 5000)) return false;
  if (B.painted()) return true;
  B.unpaintedSince ??= now;
  return now - B.unpaintedSince > {UNPAINTED_MS};
}}"""
SCROLL = """async () => {
  const main = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
  const frames = (n) => new Promise((done) => {
    const step = () => (n-- > 0 ? requestAnimationFrame(step) : done());
    step();
  });
  const start = window.__bench.last;
  const revisions = window.__bench.revisions;
  for (let y = 0; y < main.scrollHeight; y += main.clientHeight) {
    main.scrollTo(0, y);
    await frames(3);
  }
  main.scrollTo(0, 0);
  await frames(3);
  await new Promise((done) => setTimeout(done, 300));
  return {late: window.__bench.last > start ? window.__bench.revisions - revisions : 0};
}"""


def metrics(cdp) -> dict[str, float]:
    """The renderer's Performance metrics (seconds for the *Duration ones)."""
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def open_page(page: Page, url: str, path: str) -> int:
    """Home first, as a student following the link, then the page; returns the grid size."""
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    page.get_by_role("heading", name="CNN Playground").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    if path:
        page.goto(f"{url}/{path}", timeout=LOAD_TIMEOUT_MS)
    page.locator('.cnn-cell[data-row="0"][data-col="0"]').wait_for(timeout=LOAD_TIMEOUT_MS)
    page.locator(IDLE).wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(1000)  # late charts and components settle before the first stroke
    return round(math.sqrt(page.locator(".cnn-cell").count()))


def measure_page(browser, url: str, path: str, args: argparse.Namespace) -> dict:
    """Paint the strokes on one page; per-stroke latencies (ms) and CPU (ms)."""
    context = browser.new_context(viewport={"width": args.width, "height": args.height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    rows: dict[str, list[float]] = {k: [] for k in ("latency", "cpu", "script", "layout", "cdp",
                                                    "revisions", "scroll_cpu", "late",
                                                    "unpainted", "map_js")}
    try:
        size = open_page(page, url, path)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.evaluate(OBSERVE)
        for row, col in stroke_cells(size, args.strokes, seed=1):
            page.evaluate("() => window.__bench.scan()")
            before, drawn = metrics(cdp), page.evaluate(MAP_MS)
            page.locator(f'.cnn-cell[data-row="{row}"][data-col="{col}"]').click()
            page.wait_for_function(SETTLED, polling=50, timeout=STROKE_TIMEOUT_MS)
            after = metrics(cdp)
            seen = page.evaluate("() => ({...window.__bench})")
            rows["map_js"].append(page.evaluate(MAP_MS) - drawn)
            rows["latency"].append(seen["last"] - seen["strokeAt"])
            rows["revisions"].append(seen["revisions"])
            rows["unpainted"].append(seen["unpaintedSince"] is not None)
            for key, name in (("cpu", "TaskDuration"), ("script", "ScriptDuration"),
                              ("layout", "LayoutDuration"), ("cdp", "DevToolsCommandDuration")):
                rows[key].append(1000 * (after[name] - before[name]))
            if args.scroll:
                rows["late"].append(page.evaluate(SCROLL)["late"])
                rows["scroll_cpu"].append(1000 * (metrics(cdp)["TaskDuration"]
                                                  - after["TaskDuration"]))
        rows["plotly"] = [page.locator(".js-plotly-plot").count()]
        rows["maps"] = [page.evaluate("() => window.__bench.maps()")]
    finally:
        context.close()
    rows["errors"] = errors
    return rows


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(results: dict[str, dict], args: argparse.Namespace) -> None:
    """One row per page: medians over the strokes (p90 of the latency too)."""
    header = (f"{'page':<16} {'stroke->last update':>20} {'p90':>6} {'main-thread CPU':>16} "
              f"{'script':>7} {'layout':>7} {'CDP':>5} {'map JS':>6} {'maps upd.':>9} {'maps':>5} "
              f"{'plotly':>6}"
              + (f" {'scroll CPU':>10} {'late':>4}" if args.scroll else ""))
    print(f"\n{args.strokes} strokes per page, medians; viewport {args.width}x{args.height}; "
          f"load average {', '.join(f'{v:.1f}' for v in os.getloadavg())}\n")
    print(header)
    print("-" * len(header))
    for name, rows in results.items():
        if "failed" in rows:
            print(f"{name:<16} failed: {rows['failed']}")
            continue
        line = (f"{name:<16} {median(rows['latency']):>17.0f} ms "
                f"{percentile(rows['latency'], 90):>6.0f} {median(rows['cpu']):>13.0f} ms "
                f"{median(rows['script']):>7.0f} {median(rows['layout']):>7.0f} "
                f"{median(rows['cdp']):>5.0f} {median(rows['map_js']):>6.0f} "
                f"{median(rows['revisions']):>9.0f} {rows['maps'][0]:>5} "
                f"{rows['plotly'][0]:>6}")
        if args.scroll:
            line += f" {median(rows['scroll_cpu']):>7.0f} ms {sum(rows['late']):>4.0f}"
        print(line)
        if any(rows["unpainted"]):
            print(f"  {sum(rows['unpainted'])} strokes left a map unpainted until the scroll "
                  "pass (its latency counts only up to the wait)")
        for error in rows["errors"][:3]:
            print(f"  page error: {error.splitlines()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=10)
    parser.add_argument("--pages", nargs="+", default=DEFAULT_PAGES, choices=list(PAGES),
                        help="page paths ('' is Home)")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--no-scroll", dest="scroll", action="store_false",
                        help="skip the scroll pass after each stroke")
    parser.add_argument("--two-blocks", action="store_true",
                        help="a network of two blocks of 16 channels in every session")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} not found: this benchmark needs Debian's chromium")
    results: dict[str, dict] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        app = "benchmarks/two_block_app.py" if args.two_blocks else "app.py"
        for script, paths in ((app, [p for p in args.pages if p != "floor"]),
                              (FLOOR_APP, [""] if "floor" in args.pages else [])):
            if not paths:
                continue
            url, server = start_streamlit(script)
            try:
                for path in paths:
                    name = PAGES["floor"] if script == FLOOR_APP else PAGES[path]
                    try:
                        results[name] = measure_page(browser, url, path, args)
                    except Exception as error:  # one broken page leaves the others' rows
                        results[name] = {"failed": str(error).splitlines()[0]}
            finally:
                stop_streamlit(server)
        browser.close()
    report(results, args)


if __name__ == "__main__":
    main()
