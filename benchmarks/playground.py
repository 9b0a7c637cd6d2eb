"""How fast the convolution playground reacts to a brush stroke: prints tables, asserts nothing.

    python benchmarks/playground.py

A stroke reruns only the page's fragment (drawing panel + every view). Rows per grid size:
- "fragment work": what that fragment computes after a stroke, measured directly: the
  pipeline (conv2d, ReLU, pooling), the inspector's explanations and formulas, and the five
  maps' payloads for the map component (ui.widgets.map.build_payload) as JSON, with the
  bytes they send;
- "sliding window frame": one tick of the animation (the map so far, the window's cell
  explained and written, the two maps' payload), what playing costs the server per step;
- a whole AppTest rerun of the page after a new drawing (an upper bound: the full page,
  not just the fragment, plus AppTest's own overhead).
CPU time (process_time) is reported next to wall time: other processes may share this
machine, and CPU time is what one rerun costs the server.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import json  # noqa: E402

import numpy as np  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from cnn_core import KERNELS  # noqa: E402
from cnn_core.explain import conv2d_cell, pool_cell, written_sum  # noqa: E402
from ui.playground.maps import input_map, pool_box  # noqa: E402
from ui.playground.pipeline import (  # noqa: E402
    ConvSettings,
    filled_so_far,
    run_pipeline,
    slide_cell,
)
from ui.text.playground import conv_sum, pool_sum, size_notes  # noqa: E402
from ui.widgets.map import Map, build_payload  # noqa: E402

SIZES = (5, 8, 16, 28, 32)
KERNEL = KERNELS["sobel_vertical"]
SETTINGS = ConvSettings(padding=1, stride=1, relu=True, pool="max", pool_size=2)


def sent(maps: list[Map]) -> int:
    """One map component's payload as JSON, as Streamlit sends it; its size in bytes."""
    return len(json.dumps(build_payload(maps, columns=2), separators=(",", ":")))


def fragment_work(drawing: np.ndarray) -> int:
    """The fragment's computing after a stroke: pipeline, inspector, five maps' payloads."""
    run = run_pipeline(drawing, KERNEL, SETTINGS, "Sobel")
    cell = conv2d_cell(run.image, run.kernel, 0, 0, padding=1, stride=1)
    pooled = pool_cell(run.activated, 0, 0, size=2, kind="max")
    conv_sum(cell), pool_sum(pooled, "max"), size_notes(run)
    return (sent([input_map(run, (0, 0, 3, 3)), Map(run.kernel, "Kernel g", id="kernel")])
            + sent([Map(run.feature, "Feature map C", id="feature", boxes=[(0, 0, 1, 1)],
                        pick=True),
                    Map(run.activated, "After ReLU", id="relu", boxes=[pool_box(pooled)]),
                    Map(run.pooled, "Max pool", id="pooled", boxes=[(0, 0, 1, 1)],
                        pick=True)]))


def slide_frame(drawing: np.ndarray, step: int) -> int:
    """One tick of the sliding window (ui.playground.slide.frame without Streamlit)."""
    run = run_pipeline(drawing, KERNEL, SETTINGS, "Sobel")
    row, col = slide_cell(run.feature.shape, step % run.feature.size)
    cell = conv2d_cell(run.image, run.kernel, row, col, padding=1, stride=1)
    written_sum(cell)
    return sent([input_map(run, (*cell.window_start, 3, 3), map_id="slide_input"),
                 Map(filled_so_far(run.feature, step % run.feature.size), "C so far",
                     id="slide_output", boxes=[(row, col, 1, 1)])])


def timed(work: Callable[[], object], repeats: int) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) of each of `repeats` calls, after one warm-up call."""
    work()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} {min(values) * 1000:7.1f}"


def main() -> None:
    rng = np.random.default_rng(0)
    drawings = {n: [rng.random((n, n)).round(2) for _ in range(40)] for n in SIZES}
    print("Playground rerun after a stroke: median and best, in ms (Sobel, P = 1, max pool 2)")
    print(f"{'grid':>5} {'row':<34} {'wall med':>8} {'best':>7} {'cpu med':>8} {'best':>7}"
          f" {'sent':>8}")
    for n in SIZES:
        cycle = iter(drawings[n] * 10)
        steps = iter(range(10_000))
        rows = [("fragment work (map payloads)", lambda c=cycle: fragment_work(next(c)), 30),
                ("sliding window frame", lambda c=cycle, s=steps: slide_frame(next(c), next(s)),
                 30)]
        at = AppTest.from_file(str(ROOT / "app_pages/playground.py"), default_timeout=120)
        at.session_state["drawing"] = drawings[n][0]
        at.session_state["kernel_choice"] = "sobel_vertical"
        at.run()
        at.segmented_control(key="playground_padding").set_value(1).run()

        def page_rerun(at: AppTest = at, cycle=cycle) -> None:
            at.session_state["drawing"] = next(cycle)
            at.run()

        rows.append(("whole page rerun (AppTest)", page_rerun, 15))
        for name, work, repeats in rows:
            walls, cpus = timed(work, repeats)
            size = work() if "rerun" not in name else None
            print(f"{n:>5} {name:<34} {ms(walls)} {ms(cpus)} "
                  f"{'' if size is None else f'{size / 1000:6.1f} kB':>8}")


if __name__ == "__main__":
    main()
