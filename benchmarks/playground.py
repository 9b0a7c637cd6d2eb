"""How fast the convolution playground reacts to a brush stroke: prints tables, asserts nothing.

    python benchmarks/playground.py

A stroke reruns only the page's fragment (drawing panel + every view). Rows per grid size:
- "fragment work": what that fragment computes after a stroke, measured directly: the
  pipeline (conv2d, ReLU, pooling), the inspector's explanations and formulas, and the five
  maps built and serialised exactly as st.plotly_chart does with them;
- the same five maps built with ui.figures.matrix_heatmap (the unoptimised "before");
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

import numpy as np  # noqa: E402
import plotly.io  # noqa: E402
import plotly.tools  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from cnn_core import KERNELS  # noqa: E402
from cnn_core.explain import conv2d_cell, pool_cell  # noqa: E402
from ui.figures.fast_heatmap import cell_numbers, fast_heatmap  # noqa: E402
from ui.figures.matrix_heatmap import matrix_heatmap  # noqa: E402
from ui.playground.maps import pool_box  # noqa: E402
from ui.playground.pipeline import ConvSettings, run_pipeline  # noqa: E402
from ui.text.playground import conv_sum, pool_sum, size_notes  # noqa: E402

SIZES = (5, 8, 16, 28, 32)
KERNEL = KERNELS["sobel_vertical"]
SETTINGS = ConvSettings(padding=1, stride=1, relu=True, pool="max", pool_size=2)


def serialise(figure) -> str:
    """What st.plotly_chart does with a figure before sending it."""
    return plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(figure, True),
                             validate=False)


def fragment_work(drawing: np.ndarray, build: Callable = fast_heatmap) -> None:
    """The fragment's computing after a stroke: pipeline, inspector, five maps sent."""
    run = run_pipeline(drawing, KERNEL, SETTINGS, "Sobel")
    cell = conv2d_cell(run.image, run.kernel, 0, 0, padding=1, stride=1)
    pooled = pool_cell(run.activated, 0, 0, size=2, kind="max")
    conv_sum(cell), pool_sum(pooled, "max"), size_notes(run)
    views = [(run.padded, dict(kind="ink", outline=(0, 0, 3, 3), inner=(1, 1, *drawing.shape))),
             (run.kernel, {}), (run.feature, dict(outline=(0, 0, 1, 1))),
             (run.activated, dict(outline=pool_box(pooled))),
             (run.pooled, dict(outline=(0, 0, 1, 1)))]
    for values, options in views:
        numbers, decimals, font = cell_numbers(values)
        if build is fast_heatmap:
            options["clickable"] = values is run.feature or values is run.pooled
        serialise(build(values, title=f"map {values.shape}", numbers=numbers,
                        decimals=decimals, height=300, font_size=font, **options))


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
    print(f"{'grid':>5} {'row':<34} {'wall med':>8} {'best':>7} {'cpu med':>8} {'best':>7}")
    for n in SIZES:
        cycle = iter(drawings[n] * 10)
        rows = [("fragment work (fast heatmap)", lambda c=cycle: fragment_work(next(c)), 30),
                ("  same with matrix_heatmap",
                 lambda c=cycle: fragment_work(next(c), matrix_heatmap), 10)]
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
            print(f"{n:>5} {name:<34} {ms(walls)} {ms(cpus)}")


if __name__ == "__main__":
    main()
