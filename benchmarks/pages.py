"""How fast the network pages are: prints a table of measured times (no asserts).

    python benchmarks/pages.py

Rows:
- the default model's training (first use of the app, then cached for everyone);
- the forward-pass page after a stroke: the work of the stroke fragment measured directly
  (input, every stage of the forward pass, each map component's payload built and serialised
  to JSON as Streamlit does, the probability bars and the logits table written as HTML;
  the detail view and the "where it looks" toggle left out), and a
  whole AppTest rerun of the page (an upper bound: the full page plus AppTest's own
  overhead);
- training 10 epochs of 8 kernels on the handwritten digits: the Trainer alone, and through
  the page in AppTest (one epoch per rerun, curves and kernels redrawn every epoch);
- the backprop page after a stroke (AppTest rerun);
- with --browser: the real thing. The page runs under `streamlit run` with st.fragment
  wrapped to log each fragment run's server time; headless Chromium clicks grid cells (one
  stroke each) and presses Train. The first stroke is left out (it trains the default
  model). Browser and server share the machine, so these are upper bounds.

Each row gives the median, the fastest and the 95th percentile of its runs (linear between
closest ranks, as in the load benchmarks), and the load average is printed at the start and
the end: on a shared two-core machine the tail says more about the neighbours than the page.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import json  # noqa: E402

import numpy as np  # noqa: E402
import streamlit.logger  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks.load_common import percentile  # noqa: E402
from cnn_core import TinyCNN  # noqa: E402
from cnn_core.data import handwritten_digits  # noqa: E402
from cnn_core.default_network import load_default_network  # noqa: E402
from cnn_core.stages import as_network, network_stages  # noqa: E402
from cnn_core.train import TrainConfig, Trainer  # noqa: E402
from ui.figures.bars import probability_bars_html  # noqa: E402
from ui.network.walk import stage_map  # noqa: E402
from ui.session.models import Model, default_model, model_input  # noqa: E402
from ui.text.network import output_table  # noqa: E402
from ui.widgets.map import Map, build_payload  # noqa: E402
from ui.widgets.reveal import fingerprint  # noqa: E402


def timed(work: Callable[[], object], repeats: int = 1) -> list[float]:
    """Wall-clock seconds of each of `repeats` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def stroke(rng: np.random.Generator) -> np.ndarray:
    grid = np.zeros((16, 16))
    grid[rng.integers(1, 6), 3:13] = 1.0
    grid[2:14, rng.integers(6, 12)] = 1.0
    return grid


def forward_fragment_work(model: Model, drawing: np.ndarray) -> None:
    """What the forward page's fragment computes after a stroke (ui.network.forward), its
    map components' payloads and its figure serialised."""
    x = model_input(drawing, model)
    stages = network_stages(as_network(model), x)
    fingerprint(x)
    by_key = {stage.key: stage for stage in stages}
    last = [stage for stage in stages if stage.block][-1]
    groups = [Map(x, title="Input", kind="ink", decimals=1),
              *(stage_map(stage) for stage in stages if stage.block),
              Map(last.values.reshape(len(last.values), -1), title="Flattened", kind="positive")]
    for group in groups:  # one map_view each: its payload as the component sends it
        json.dumps(build_payload(group))
    probabilities, logits = by_key["softmax"].values, by_key["dense"].values
    probability_bars_html(probabilities, highlight=int(np.argmax(probabilities)))
    output_table(logits, probabilities)


def page(path: str) -> AppTest:
    """A page run alone in AppTest (through app.py a button click can be dropped)."""
    return AppTest.from_file(str(ROOT / path), default_timeout=300).run()


WRAPPER = """import functools, runpy, sys, time
sys.path.insert(0, {root!r})
import streamlit as st
_fragment = st.fragment

def timed_fragment(func=None, **options):
    def wrap(body):
        @functools.wraps(body)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return body(*args, **kwargs)
            finally:
                end = time.perf_counter()
                print(f"FRAGMENT {{start:.4f}} {{end:.4f}}", file=sys.stderr, flush=True)
        return _fragment(timed, **options)
    return wrap(func) if func is not None else wrap

st.fragment = timed_fragment
runpy.run_path({page!r}, run_name="__main__")
"""


def fragment_runs(page_path: str, drive: Callable) -> list[tuple[float, float]]:
    """(start, end) of every fragment run while ``drive(page, url)`` uses the page."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as pw:
        script, log = Path(folder, "timed_page.py"), Path(folder, "server.log")
        script.write_text(WRAPPER.format(root=str(ROOT), page=str(ROOT / page_path)))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with log.open("w") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(script), "--server.port",
                 str(port), "--server.headless", "true", "--browser.gatherUsageStats",
                 "false", "--server.fileWatcherType", "none"], cwd=ROOT, stdout=out,
                stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(240):
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.25)
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
            drive(browser.new_page(viewport={"width": 1280, "height": 900}), url)
            browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
        found = re.findall(r"FRAGMENT (\S+) (\S+)", log.read_text(errors="replace"))
        return sorted({(float(a), float(b)) for a, b in found})  # a line can appear twice


def draw_strokes(page, url: str, count: int = 32) -> None:
    page.goto(url)
    page.get_by_text("confidence").first.wait_for(timeout=120_000)
    for i in range(count):
        page.locator(f'.cnn-cell[data-row="{i % 5}"][data-col="{i // 5 % 5}"]').click()
        page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')",
                               timeout=60_000)


CLICKED: list[float] = []  # perf_counter (one clock for every process here) at Train


def train_digits(page, url: str) -> None:
    page.goto(url)
    page.get_by_text("Handwritten digits (1,797").click()
    page.get_by_text("Epochs").first.wait_for()
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')")
    CLICKED.append(time.perf_counter())
    page.get_by_role("button", name="Train").first.click()
    page.get_by_text("Results on the test set").wait_for(timeout=300_000)


def browser_rows() -> list[tuple[str, list[float]]]:
    strokes = fragment_runs("app_pages/forward_pass.py", draw_strokes)[2:]  # first load, stroke
    runs = fragment_runs("app_pages/training.py", train_digits)
    return [("forward page: stroke fragment, real server", [b - a for a, b in strokes]),
            ("training 10 x 8 kernels: Train click to last epoch", [runs[-1][1] - CLICKED[-1]]),
            ("training: one fragment run (epoch + charts)",
             [b - a for a, b in runs if a > CLICKED[-1]])]


def load_average() -> str:
    return (", ".join(f"{n:.2f}" for n in os.getloadavg()) if hasattr(os, "getloadavg")
            else "unknown")


def main() -> None:
    streamlit.logger.set_log_level("error")  # bare-mode calls warn about a missing context
    start_load = load_average()
    rows: list[tuple[str, list[float]]] = []
    rng = np.random.default_rng(0)
    rows.append(("default model: load the shipped file (first use)", timed(load_default_network)))
    model = default_model()
    forward_fragment_work(model, stroke(rng))  # warm-up
    rows.append(("forward page: stroke fragment work, direct",
                 timed(lambda: forward_fragment_work(model, stroke(rng)), 30)))
    at = page("app_pages/forward_pass.py")

    def rerun_with_new_drawing(at: AppTest = at) -> None:
        at.session_state["drawing"] = stroke(rng)
        at.run()

    rows.append(("forward page: whole-page AppTest rerun", timed(rerun_with_new_drawing, 20)))

    data = handwritten_digits()

    def train_alone() -> None:
        trainer = Trainer(TinyCNN(8, 3, (8, 8), 2, 10, seed=0), data.train_images,
                          data.train_labels, data.test_images, data.test_labels,
                          TrainConfig(learning_rate=0.01, batch_size=32, optimizer="adam"))
        for _ in range(10):
            trainer.run_epoch()

    rows.append(("training 10 epochs x 8 kernels: Trainer only", timed(train_alone, 3)))

    def train_through_page() -> None:
        at = page("app_pages/training.py")
        at.radio(key="training_dataset").set_value("digits").run()  # 8 kernels, 10 epochs
        at.button(key="training_train").click().run()
        while at.session_state["training_run"].running:
            at.run()
        assert at.session_state["training_run"].epoch == 10

    rows.append(("training 10 epochs x 8 kernels: page (AppTest)",
                 timed(train_through_page, 3)))
    bp = page("app_pages/backprop.py")

    def backprop_rerun(at: AppTest = bp) -> None:
        at.session_state["drawing"] = stroke(rng)
        at.run()

    rows.append(("backprop page: whole-page AppTest rerun", timed(backprop_rerun, 10)))
    if "--browser" in sys.argv:
        rows += browser_rows()

    print(f"CPUs: {os.cpu_count()}, load averages (1, 5, 15 min) at the start: {start_load}; "
          f"at the end: {load_average()}")
    print(f"{'measurement':50s} {'median':>10s} {'min':>10s} {'p95':>10s} {'runs':>5s}")
    for name, times in rows:
        print(f"{name:50s} {statistics.median(times) * 1000:8.1f}ms "
              f"{min(times) * 1000:8.1f}ms {percentile(times, 95) * 1000:8.1f}ms {len(times):5d}")


if __name__ == "__main__":
    main()
