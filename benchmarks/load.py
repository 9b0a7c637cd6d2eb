"""Many students drawing at once: stroke-to-update latency on the playground (asserts nothing).

    python -m benchmarks.load [--sessions 20 --strokes 20 --grid 16 --think 0]

Starts its own ``streamlit run app.py`` on a free loopback port, opens N concurrent headless
sessions (one Chromium, one context each, Playwright's async API), sets each playground to
a GRID x GRID drawing, waits until every session is ready, then lets all of them paint
S strokes at once (one click on a cell each, cells where the default kernel sees them).

Latency = from the click's pointerdown to the first animation frame in which the feature
map C shows a different picture: its plotly heatmap <image> (the pixels plotly paints) or
the numbers written in its cells differ from just before the click. Both instants are read
with performance.now() inside the page, so Python's own scheduling is not counted. A
session's next stroke starts once its rerun has finished (Streamlit's script state is
"notRunning") plus ``--think`` seconds: with the default 0 every session draws as fast as
the server answers, a worst case for a class.

Server CPU is the Streamlit process's utime + stime (psutil if installed, else
/proc/<pid>/stat) over the stroke phase; mean CPU % = CPU seconds / wall seconds x 100
(100 % = one core busy). Chromium runs on the same machine and competes for the same cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import BrowserContext, Page, async_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_streamlit, stop_streamlit

GRIDS = (5, 8, 16, 28, 32)
LOAD_TIMEOUT_MS = 180_000
STROKE_TIMEOUT_MS = 60_000
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

# The feature map's look: its heatmap image and cell numbers, as one string.
LOOK = """() => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
        (plot) => String(plot.layout?.title?.text).includes('Feature map C'));
    if (!gd) return null;
    const image = gd.querySelector('.heatmaplayer image')?.getAttribute('href') ?? '';
    const texts = [...gd.querySelectorAll('.heatmaplayer text')].map((t) => t.textContent);
    return image + '|' + texts.join(',');
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
    """Latencies (ms) of every stroke that updated, and strokes that never did."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, in seconds."""
    try:
        import psutil
    except ImportError:
        return _proc_stat(pid)[1]
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def _proc_stat(pid: int) -> tuple[int, float]:
    """(parent pid, utime + stime in seconds) from /proc/<pid>/stat (fields 4, 14, 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(marker: str) -> float:
    """CPU seconds of the live processes whose command line holds marker, and descendants.

    Used for our own Chromium (browser, GPU, renderers): it got marker as a harmless switch.
    """
    parents, cpu, roots = {}, {}, []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[entry.name], cpu[entry.name] = _proc_stat(int(entry.name))
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


def stroke_cells(n: int, count: int, seed: int) -> list[tuple[int, int]]:
    """Distinct cells the default kernel reads: C(i, j) = f(i+2, j) + f(i+2, j+2)."""
    cells = [(r, c) for r in range(2, n) for c in range(n - 2)]
    random.Random(seed).shuffle(cells)
    return [cells[i % len(cells)] for i in range(count)]


async def open_playground(page: Page, url: str, grid: int) -> None:
    """Home first (as a student following the link), then the playground at grid x grid."""
    await page.goto(url)
    await page.get_by_role("heading", name="CNN Playground").wait_for(timeout=LOAD_TIMEOUT_MS)
    await page.goto(f"{url}/playground")
    await page.locator('.cnn-cell[data-row="4"][data-col="4"]').wait_for(
        timeout=LOAD_TIMEOUT_MS)
    if grid != 5:
        await page.locator(IDLE).wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)
        await page.locator(".st-key-playground_grid_size").click(timeout=LOAD_TIMEOUT_MS)
        await page.get_by_role("option", name=f"{grid}×{grid} grid").click(
            timeout=LOAD_TIMEOUT_MS)
        last = grid - 1
        await page.locator(f'.cnn-cell[data-row="{last}"][data-col="{last}"]').wait_for(
            timeout=LOAD_TIMEOUT_MS)
    await page.wait_for_function(f"() => ({LOOK})() !== null", timeout=LOAD_TIMEOUT_MS)
    await page.locator(IDLE).wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)


async def student(context: BrowserContext, url: str, index: int, args: argparse.Namespace,
                  ready: asyncio.Barrier, results: Results) -> None:
    """One session: open the playground, wait for everyone, then paint the strokes."""
    page = await context.new_page()
    try:
        await open_playground(page, url, args.grid)
    except Exception as error:  # still meet the others at the barrier, then stop
        results.failures.append(f"session {index} did not load: {error}")
        await ready.wait()
        return
    await ready.wait()
    for row, col in stroke_cells(args.grid, args.strokes, seed=index):
        try:
            await page.evaluate(ARM)
            await page.locator(f'.cnn-cell[data-row="{row}"][data-col="{col}"]').click()
            await page.wait_for_function(CHANGED, polling="raf", timeout=STROKE_TIMEOUT_MS)
            results.latencies.append(
                await page.evaluate("() => window.__doneAt - window.__clickAt"))
            await page.locator(IDLE).wait_for(state="attached", timeout=STROKE_TIMEOUT_MS)
        except Exception as error:  # a lost update is a result, not a crash
            results.failures.append(f"session {index} cell ({row},{col}): {error}")
        if args.think:
            await asyncio.sleep(args.think)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


async def run(args: argparse.Namespace) -> None:
    """Start the server and the browser, run every session, print the table."""
    if args.no_post_script_gc:  # read by `streamlit run` like --runner.postScriptGC false
        os.environ["STREAMLIT_RUNNER_POST_SCRIPT_GC"] = "false"
    url, server = start_streamlit("app.py")
    marker = f"--cnn-load-benchmark={os.getpid()}"  # finds our Chromium's processes
    results = Results()
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM),
                                               args=[*CHROMIUM_ARGS, marker])
            started = time.perf_counter()
            contexts = [await browser.new_context(viewport={"width": 1100, "height": 900})
                        for _ in range(args.sessions)]
            ready = asyncio.Barrier(args.sessions + 1)
            tasks = [asyncio.create_task(student(context, url, i, args, ready, results))
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
    lat, (server, browser) = results.latencies, cpu
    gc = "off (--no-post-script-gc)" if args.no_post_script_gc else "as configured"
    rows = [
        ("sessions x strokes", f"{args.sessions} x {args.strokes}"),
        ("grid / think time", f"{args.grid}x{args.grid} / {args.think:g} s"),
        ("strokes updated / lost", f"{len(lat)} / {len(results.failures)}"),
        ("latency p50", f"{percentile(lat, 50):.0f} ms"),
        ("latency p95", f"{percentile(lat, 95):.0f} ms"),
        ("latency max", f"{max(lat, default=float('nan')):.0f} ms"),
        ("latency mean", f"{statistics.fmean(lat) if lat else float('nan'):.0f} ms"),
        ("strokes/s (all sessions)", f"{len(lat) / wall:.1f}"),
        ("stroke phase wall time", f"{wall:.1f} s"),
        ("server CPU time", f"{server:.1f} s"),
        ("server mean CPU", f"{100 * server / wall:.0f} % of one core ({os.cpu_count()} cores)"),
        ("server CPU per stroke", f"{1000 * server / max(len(lat), 1):.0f} ms"),
        ("Chromium CPU (all tabs)", f"{browser:.1f} s = {100 * browser / wall:.0f} % of one core, "
                                    f"{1000 * browser / max(len(lat), 1):.0f} ms per stroke"),
        ("server post-run gc.collect", gc),
        ("load average (1, 5, 15 min)", ", ".join(f"{v:.1f}" for v in os.getloadavg())),
        ("time to open all sessions", f"{load_s:.1f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"\n{'figure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for failure in results.failures[:5]:
        print(f"lost: {failure.splitlines()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions")
    parser.add_argument("--strokes", type=int, default=20, help="strokes per session")
    parser.add_argument("--grid", type=int, default=16, choices=GRIDS, help="drawing size")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a session waits after an update before its next stroke")
    parser.add_argument("--no-post-script-gc", action="store_true",
                        help="serve with runner.postScriptGC=false: no gc.collect(2) after "
                             "every rerun (the app's config turns it on by default)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} not found: this benchmark needs Debian's chromium")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
