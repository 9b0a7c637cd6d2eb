"""Many students drawing at once: stroke-to-update latency on the playground (asserts nothing).

    python -m benchmarks.load [--sessions 20 --strokes 20 --grid 16 --think 0]
                              [--no-post-script-gc] [--pin]

Starts its own ``streamlit run app.py`` on a free loopback port, opens N concurrent headless
sessions (one Chromium, one context each, Playwright's async API; four load at a time), sets
each playground to a GRID x GRID drawing, waits until every session is ready, then lets all
of them paint S strokes at once (one click on a cell each, where the default kernel sees it).

Latency = from the click's pointerdown to the first animation frame in which the feature map
C looks different: the map component's panel of that map has painted new data (its
data-revision, set after the canvas is painted, moved since just before the click). Both instants
are performance.now() inside the page. Server turnaround = the stroke's rerun request
leaving the browser to the rerun's last websocket message arriving (CDP network events,
browser clock): the server's share without the page's rendering (an upper bound when
Chromium is short of CPU). A session's next stroke starts once its rerun has finished
(Streamlit's script state "notRunning") plus a think time: ``--think`` seconds on average,
each pause drawn uniformly from 0.5 to 1.5 times that (and each session's first stroke
delayed by 0 to ``--think``) so that students do not paint in lockstep; ``--think 0`` is the
worst case, every session at once, no pause.

CPU: the server's utime + stime (psutil if installed, else /proc/<pid>/stat) and our
Chromium's (its whole process tree) over the stroke phase; % of one core = CPU s / wall s.
Chromium shares the machine's cores with the server unless ``--pin`` puts them apart.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import BrowserContext, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from benchmarks.load_common import (
    OPENING_AT_ONCE,
    cpu_seconds,
    latency_rows,
    options,
    paced,
    parse,
    percentile,
    print_rows,
    proc_stat,
)
from tests.support.streamlit_server import CHROMIUM, CHROMIUM_ARGS, start_streamlit, stop_streamlit

LOAD_TIMEOUT_MS = 180_000
STROKE_TIMEOUT_MS = 60_000
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# The feature map's look: the data-revision its map component panel gets once painted (the
# panels are in the components' shadow roots; ui.playground.maps gives it the id "feature").
LOOK = """() => {
    for (const host of document.querySelectorAll('.stBidiComponent *')) {
        const figure = host.shadowRoot?.querySelector('.cnn-map[data-map-id="feature"]');
        if (figure) return figure.getAttribute('data-revision');
    }
    return null;
}"""
ARM = f"""() => {{
    window.__look = ({LOOK})();
    window.__clickAt = null;
    window.__doneAt = null;
    document.addEventListener('pointerdown', () => {{ window.__clickAt = performance.now(); }},
                              {{capture: true, once: true}});
}}"""
CHANGED = f"""() => {{
    const look = ({LOOK})();
    if (window.__clickAt == null || look == null || look === window.__look) return false;
    window.__doneAt = performance.now();
    return true;
}}"""


@dataclass
class Results:
    """Per-stroke times (ms) and what went wrong.

    latencies: click to new picture on screen; server: the stroke's rerun request leaving
    the browser to the rerun's last message arriving (network level, browser clock).
    """

    latencies: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # strokes that never updated
    unloaded: list[str] = field(default_factory=list)  # sessions that never got ready


def tree_cpu_seconds(marker: str) -> float:
    """CPU seconds of the live processes whose command line holds marker, and descendants.

    Used for our own Chromium (browser, GPU, renderers): it got marker as a harmless switch.
    """
    parents, cpu, roots = {}, {}, []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[entry.name], cpu[entry.name] = proc_stat(int(entry.name))
            if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                roots.append(entry.name)
        except (OSError, ValueError):  # the process ended while we looked
            continue
    children: dict[str, list[str]] = {}
    for pid, parent in parents.items():
        children.setdefault(str(parent), []).append(pid)
    total, todo, seen = 0.0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            total += cpu.get(pid, 0.0)
            todo.extend(children.get(pid, []))
    return total


async def open_playground(page: Page, url: str, grid: int) -> None:
    """Home first (as a student following the link), then the playground at grid x grid."""
    await page.goto(url, timeout=LOAD_TIMEOUT_MS)
    await page.get_by_role("heading", name="CNN Playground").wait_for(timeout=LOAD_TIMEOUT_MS)
    await page.goto(f"{url}/playground", timeout=LOAD_TIMEOUT_MS)
    await page.locator('.cnn-cell[data-row="4"][data-col="4"]').wait_for(
        timeout=LOAD_TIMEOUT_MS)
    if grid != 5:
        await page.locator(IDLE).wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)
        option = page.get_by_role("option", name=f"{grid}×{grid} grid")
        for _ in range(5):  # a just-loaded page can close the dropdown again: reopen it
            await page.locator(".st-key-playground_grid_size input").click(
                timeout=LOAD_TIMEOUT_MS)
            try:
                await option.click(timeout=10_000)
                break
            except PlaywrightTimeout:
                await page.keyboard.press("Escape")
        last = grid - 1
        await page.locator(f'.cnn-cell[data-row="{last}"][data-col="{last}"]').wait_for(
            timeout=LOAD_TIMEOUT_MS)
    await page.wait_for_function(f"() => ({LOOK})() !== null", timeout=LOAD_TIMEOUT_MS)
    await page.locator(IDLE).wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)


async def student(context: BrowserContext, url: str, index: int, args: argparse.Namespace,
                  gate: asyncio.Semaphore, ready: asyncio.Barrier, results: Results) -> None:
    """One session: open the playground (a few sessions at a time), wait for everyone,
    then paint the strokes."""
    page = await context.new_page()
    frames: list[tuple[str, float]] = []  # ("sent" | "received", seconds) on the websocket
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    cdp.on("Network.webSocketFrameSent", lambda e: frames.append(("sent", e["timestamp"])))
    cdp.on("Network.webSocketFrameReceived",
           lambda e: frames.append(("received", e["timestamp"])))

    async def stroke(row: int, col: int) -> bool:
        try:
            await page.evaluate(ARM)
            frames.clear()
            await page.locator(f'.cnn-cell[data-row="{row}"][data-col="{col}"]').click()
            await page.wait_for_function(CHANGED, polling="raf", timeout=STROKE_TIMEOUT_MS)
            results.latencies.append(
                await page.evaluate("() => window.__doneAt - window.__clickAt"))
            await page.locator(IDLE).wait_for(state="attached", timeout=STROKE_TIMEOUT_MS)
            sent = next((t for kind, t in frames if kind == "sent"), None)
            last = max((t for kind, t in frames if kind == "received"), default=None)
            if sent is not None and last is not None and last > sent:
                results.server.append(1000 * (last - sent))
        except Exception as error:  # a lost update is a result, not a crash
            results.failures.append(f"session {index} cell ({row},{col}): {error}")
        return True  # the page is still there: go on with the next stroke

    await paced(index, args, gate, ready, lambda: open_playground(page, url, args.grid),
                stroke, results.unloaded)


async def run(args: argparse.Namespace) -> None:
    """Start the server and the browser, run every session, print the table."""
    if args.no_post_script_gc:  # read by `streamlit run` like --runner.postScriptGC false
        os.environ["STREAMLIT_RUNNER_POST_SCRIPT_GC"] = "false"
    if args.pin:  # the server inherits CPU 0; we, Playwright and Chromium then take CPU 1
        os.sched_setaffinity(0, {0})
    url, server = start_streamlit("app.py")
    if args.pin:
        os.sched_setaffinity(0, {1})
    marker = f"--cnn-load-benchmark={os.getpid()}"  # finds our Chromium's processes
    results = Results()
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM),
                                               args=[*CHROMIUM_ARGS, marker])
            started = time.perf_counter()
            contexts = [await browser.new_context(viewport={"width": 1100, "height": 900})
                        for _ in range(args.sessions)]
            gate, ready = asyncio.Semaphore(OPENING_AT_ONCE), asyncio.Barrier(args.sessions + 1)
            tasks = [asyncio.create_task(student(context, url, i, args, gate, ready, results))
                     for i, context in enumerate(contexts)]
            await ready.wait()  # every session is on its playground
            loaded = time.perf_counter()
            cpu_start = cpu_seconds(server.pid), tree_cpu_seconds(marker)
            await asyncio.gather(*tasks)
            wall = time.perf_counter() - loaded
            cpu = (cpu_seconds(server.pid) - cpu_start[0],
                   tree_cpu_seconds(marker) - cpu_start[1])
            await browser.close()
    finally:
        stop_streamlit(server)
    report(args, results, loaded - started, wall, cpu)


def report(args: argparse.Namespace, results: Results, load_s: float, wall: float,
           cpu: tuple[float, float]) -> None:
    """Print the table: one row per figure (cpu = server's and browser's CPU seconds)."""
    lat, turnaround, (server, browser) = results.latencies, results.server, cpu
    done = max(len(lat), 1)
    rows = [
        ("sessions x strokes", f"{args.sessions} x {args.strokes}"),
        ("grid / mean think time", f"{args.grid}x{args.grid} / {args.think:g} s"),
        ("sessions that never loaded", f"{len(results.unloaded)}"),
        ("strokes updated / lost", f"{len(lat)} / {len(results.failures)}"),
        *latency_rows(lat),
        ("server turnaround p50/p95/max", " / ".join(
            f"{v:.0f}" for v in (percentile(turnaround, 50), percentile(turnaround, 95),
                                 max(turnaround, default=float("nan")))) + " ms"),
        ("strokes/s (all sessions)", f"{len(lat) / wall:.1f}"),
        ("stroke phase wall time", f"{wall:.1f} s"),
        ("server CPU time", f"{server:.1f} s"),
        ("server mean CPU", f"{100 * server / wall:.0f} % of one core ({os.cpu_count()} cores)"),
        ("server CPU per stroke", f"{1000 * server / done:.0f} ms"),
        ("server capacity if CPU-bound", f"about {len(lat) / max(server, 1e-9):.0f} strokes/s "
                                         "(one process, one GIL: 1 s / CPU per stroke)"),
        ("Chromium CPU (all tabs)", f"{browser:.1f} s = {100 * browser / wall:.0f} % of one core, "
                                    f"{1000 * browser / done:.0f} ms per stroke"),
        ("server post-run gc.collect",
         "off (--no-post-script-gc)" if args.no_post_script_gc else "as configured"),
        ("CPU pinning", "server on CPU 0, browser on CPU 1" if args.pin else "none"),
        ("load average (1, 5, 15 min)", ", ".join(f"{v:.1f}" for v in os.getloadavg())),
        ("time to open all sessions", f"{load_s:.1f} s"),
    ]
    print_rows(rows, results.unloaded + results.failures)


def main() -> None:
    parser = options(__doc__.splitlines()[0], "server on CPU 0, browser on CPU 1: the "
                     "server's turnaround without Chromium competing for its core")
    parser.add_argument("--no-post-script-gc", action="store_true",
                        help="serve with runner.postScriptGC=false: no gc.collect(2) after "
                             "every rerun (Streamlit's default is on)")
    args = parse(parser)
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} not found: this benchmark needs Debian's chromium")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
