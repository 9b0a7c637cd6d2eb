"""What both load benchmarks share (benchmarks.load, benchmarks.load_protocol): the
options, the students' pacing and cells, CPU readings, percentiles and the printed table."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
from collections.abc import Awaitable, Callable
from pathlib import Path

GRIDS = (5, 8, 16, 28, 32)
OPENING_AT_ONCE = 4  # sessions loading together before the strokes (all 20 at once time out)


def proc_stat(pid: int) -> tuple[int, float]:
    """(parent pid, utime + stime in seconds) from /proc/<pid>/stat (fields 4, 14, 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, in seconds."""
    try:
        import psutil
    except ImportError:
        return proc_stat(pid)[1]
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def stroke_cells(n: int, count: int, seed: int) -> list[tuple[int, int]]:
    """Distinct cells the default kernel reads: C(i, j) = f(i+2, j) + f(i+2, j+2)."""
    cells = [(r, c) for r in range(2, n) for c in range(n - 2)]
    random.Random(seed).shuffle(cells)
    return [cells[i % len(cells)] for i in range(count)]


async def paced(index: int, args: argparse.Namespace, gate: asyncio.Semaphore,
                ready: asyncio.Barrier, open_page: Callable[[], Awaitable[None]],
                stroke: Callable[[int, int], Awaitable[bool]], unopened: list[str]) -> None:
    """One student: open the page (a few sessions at a time, ``gate``), meet everyone at
    ``ready``, then paint ``args.strokes`` strokes on distinct cells, a think time apart.

    A session that cannot open still meets the others, then stops (its error goes to
    ``unopened``). stroke(row, col) records its own result and returns False to stop.
    """
    try:
        async with gate:
            await open_page()
    except Exception as error:  # still meet the others at the barrier, then stop
        unopened.append(f"session {index} never opened: {error}")
        await ready.wait()
        return
    await ready.wait()
    rng = random.Random(index)
    await think(rng, args.think, first=True)
    for row, col in stroke_cells(args.grid, args.strokes, seed=index):
        if not await stroke(row, col):
            return
        await think(rng, args.think)


async def think(rng: random.Random, mean: float, *, first: bool = False) -> None:
    """A student's pause before the next stroke: mean * U(0.5, 1.5); the first U(0, 1)."""
    if mean > 0:
        await asyncio.sleep(mean * (rng.random() if first else 0.5 + rng.random()))


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def options(description: str, pin_help: str) -> argparse.ArgumentParser:
    """The options both load benchmarks take (this one and benchmarks.load_protocol)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions")
    parser.add_argument("--strokes", type=int, default=20, help="strokes per session")
    parser.add_argument("--grid", type=int, default=16, choices=GRIDS, help="drawing size")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a session waits after an update before its next "
                             "stroke (0.5 to 1.5 times this, at random)")
    parser.add_argument("--pin", action="store_true", help=pin_help)
    return parser


def parse(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """The command line's options, checked."""
    args = parser.parse_args()
    if args.pin and (os.cpu_count() or 1) < 2:
        raise SystemExit("--pin needs at least two CPUs")
    return args


def latency_rows(latencies: list[float]) -> list[tuple[str, str]]:
    """p50 / p95 / max and mean of stroke latencies (ms) as table rows."""
    spread = (percentile(latencies, 50), percentile(latencies, 95),
              max(latencies, default=float("nan")))
    mean = statistics.fmean(latencies) if latencies else float("nan")
    return [("latency p50 / p95 / max", " / ".join(f"{v:.0f}" for v in spread) + " ms"),
            ("latency mean", f"{mean:.0f} ms")]


def print_rows(rows: list[tuple[str, str]], lost: list[str]) -> None:
    """The figures as a two-column table, then the first few lost strokes."""
    width = max(len(name) for name, _ in rows)
    print(f"\n{'figure':<{width}}  value\n{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for failure in lost[:5]:
        print(f"lost: {failure.splitlines()[0]}")
