"""Many students drawing at once, seen from the server: no browsers (asserts nothing).

    python -m benchmarks.load_protocol [--sessions 20 --strokes 20 --grid 16 --think 0]
                                       [--pin] [--trainers 0 --training-link ...]

In a classroom every student's browser runs on the student's own device; what the forty
share is the server. These sessions speak Streamlit's own websocket protocol
(tests.support.protocol_client) so that N of them cost the server what N browsers would,
without N Chromiums competing with it for this machine's cores (the browser-driven
``benchmarks.load`` measures those too).

Each session opens the playground from a share link holding a blank GRID x GRID drawing,
waits for everyone, then paints S strokes, one cell inked per stroke. Latency = the stroke
leaving the client to the feature map C arriving with new numbers (its values, in the map
component's payload, differ from the ones before); turnaround = to the rerun's
``script_finished``. A stroke whose map never changes, or any exception element, counts as
lost. A session's next stroke starts after ``script_finished`` and a think time as in
``benchmarks.load`` (``--think`` on average, at random; 0: every session at once). Server
CPU = the server process's utime + stime over the stroke phase; client CPU the same for this
process, which plays every session in one event loop: near 100 % of a core, its own queue
adds to the latencies it measures.

``--trainers T`` adds T sessions, in Chromium tabs, that open the Training page from a link
with ``--training-link``'s settings and press Train as the strokes start: the server runs
one epoch per fragment rerun, back to back, so this shows whether a long training holds up
the others' strokes (the report gives the epochs reached). Use ``--pin`` with it, or the
tabs' rendering competes with the server for the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time
from dataclasses import dataclass, field

import websockets
from playwright.async_api import async_playwright

from benchmarks.load_common import (
    OPENING_AT_ONCE,
    cpu_seconds,
    latency_rows,
    options,
    paced,
    parse,
    percentile,
    print_rows,
)
from tests.support.protocol_client import TIMEOUT_S, Session
from tests.support.streamlit_server import CHROMIUM, CHROMIUM_ARGS, start_streamlit, stop_streamlit


@dataclass
class Results:
    """Per-stroke times (ms) and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    turnaround: list[float] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    training_epochs: int = 0  # epochs the training sessions reached during the strokes
    client_cpu: float = 0.0  # this process's CPU seconds over the strokes (all the clients)


async def student(url: str, index: int, args: argparse.Namespace, gate: asyncio.Semaphore,
                  ready: asyncio.Barrier, results: Results) -> None:
    """Open (a few sessions at a time), wait for everyone, paint the strokes."""
    address = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(address, subprotocols=["streamlit"], max_size=None) as sock:
        session = Session(sock, args.grid)

        async def stroke(row: int, col: int) -> bool:
            try:
                latency, turnaround = await session.stroke(row, col)
            except Exception as error:  # a lost update is a result, not a crash
                results.lost.append(f"session {index} cell ({row},{col}): {error!r}")
                return False  # the session's state is unknown now: stop it
            results.latencies.append(latency)
            results.turnaround.append(turnaround)
            return True

        await paced(index, args, gate, ready, lambda: session.open(args.grid), stroke,
                    results.lost)

async def trainer(url: str, args: argparse.Namespace, ready: asyncio.Barrier,
                  done: asyncio.Event, results: Results) -> None:
    """A student training on the digits while the others draw, in a Chromium tab (the
    Train button needs every widget's value, as a browser sends them): opens the training
    page from a link with its settings, presses Train when the strokes start, and reads the
    epoch reached when they are over. The server runs the epochs back to back whatever
    the tab's speed."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await browser.new_page()
        train = page.get_by_role("button", name="Train", exact=True)
        await page.goto(f"{url}/training?{args.training_link}", timeout=TIMEOUT_S * 1000)
        await train.wait_for(timeout=TIMEOUT_S * 1000)
        await ready.wait()
        await train.click()
        await done.wait()
        progress = await page.get_by_text(re.compile(r"^Epoch \d+ of")).first.inner_text()
        results.training_epochs += int(progress.split()[1])
        await browser.close()


async def run(args: argparse.Namespace) -> None:
    """Start the server, run every session, print the table."""
    if args.pin:  # the server inherits CPU 0; this client then takes CPU 1
        os.sched_setaffinity(0, {0})
    url, server = start_streamlit("app.py")
    if args.pin:
        os.sched_setaffinity(0, {1})
    results = Results()
    try:
        gate = asyncio.Semaphore(OPENING_AT_ONCE)
        ready, done = asyncio.Barrier(args.sessions + args.trainers + 1), asyncio.Event()
        started = time.perf_counter()
        tasks = [asyncio.create_task(student(url, i, args, gate, ready, results))
                 for i in range(args.sessions)]
        training = [asyncio.create_task(trainer(url, args, ready, done, results))
                    for _ in range(args.trainers)]
        await ready.wait()
        loaded, cpu_start = time.perf_counter(), cpu_seconds(server.pid)
        client_start = cpu_seconds(os.getpid())
        await asyncio.gather(*tasks)
        wall, cpu = time.perf_counter() - loaded, cpu_seconds(server.pid) - cpu_start
        results.client_cpu = cpu_seconds(os.getpid()) - client_start
        done.set()
        await asyncio.gather(*training)
    finally:
        stop_streamlit(server)
    report(args, results, loaded - started, wall, cpu)


def report(args: argparse.Namespace, results: Results, load_s: float, wall: float,
           cpu: float) -> None:
    """Print one row per figure."""
    lat, turn = results.latencies, results.turnaround
    done = max(len(lat), 1)
    rows = [
        ("sessions x strokes", f"{args.sessions} x {args.strokes} (websocket clients)"),
        ("grid / mean think time", f"{args.grid}x{args.grid} / {args.think:g} s"),
        ("strokes updated / lost", f"{len(lat)} / {len(results.lost)}"),
        ("training sessions / epochs", f"{args.trainers} / {results.training_epochs} "
                                       f"(?{args.training_link})"),
        *latency_rows(lat),
        ("turnaround p50 / p95", f"{percentile(turn, 50):.0f} / {percentile(turn, 95):.0f} ms"),
        ("strokes/s (all sessions)", f"{len(lat) / wall:.1f}"),
        ("stroke phase wall time", f"{wall:.1f} s"),
        ("server CPU", f"{cpu:.1f} s = {100 * cpu / wall:.0f} % of one core "
                       f"({os.cpu_count()} cores), {1000 * cpu / done:.0f} ms per stroke"),
        ("client CPU (this process)", f"{results.client_cpu:.1f} s = "
                                      f"{100 * results.client_cpu / wall:.0f} % of one core"),
        ("CPU pinning", "server on CPU 0, clients on CPU 1" if args.pin else "none"),
        ("load average (1, 5, 15 min)", ", ".join(f"{v:.1f}" for v in os.getloadavg())),
        ("time to open all sessions", f"{load_s:.1f} s"),
    ]
    print_rows(rows, results.lost)


def main() -> None:
    parser = options(__doc__.splitlines()[0], "server on CPU 0, these clients on CPU 1")
    parser.add_argument("--trainers", type=int, default=0,
                        help="more sessions that train on the Training page meanwhile")
    parser.add_argument("--training-link", default="ds=digits&nk=16&ep=50&bs=32",
                        help="the training page's settings, as in its share link")
    args = parse(parser)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
