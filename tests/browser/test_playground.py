"""The playground in headless Chromium: strokes reach the maps, the drawing survives pages,
a click on a map inspects a cell, the sliding window plays.

The drawing grid lives in an open shadow root (Playwright's CSS locators pierce it); the
maps are the map component's canvases, whose painted numbers each canvas keeps in
``__drawn`` (tests/support/map_waits.py polls them). Every wait is on expected numbers,
data or attributes. Click-to-update times are measured inside the page, from the
pointerdown to the first animation frame whose map holds the new numbers, and printed
(run with -s to see them).
"""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from playwright.sync_api import Locator, Page, expect

from cnn_core import KERNELS, conv2d
from cnn_core import drawing_edits as edits
from cnn_core.data import NOTES_EIGHT
from tests.support.locators import cell, map_drawn, map_panel, texts_of
from tests.support.map_waits import (
    FIND_PANEL,
    HOLDS_DATA,
    SHOWS_NUMBERS,
    revision,
    sent_z,
    wait_for_numbers,
)

pytestmark = pytest.mark.browser

KERNEL = KERNELS["notes_example"]  # the default kernel: C(i, j) = f(i+2, j) + f(i+2, j+2)
LOAD_TIMEOUT = 90_000


def expect_map(page: Page, map_id: str, values: np.ndarray) -> None:
    """Wait until the map ``map_id`` writes exactly these numbers in its cells."""
    wait_for_numbers(page, map_id, texts_of(values))


def centre(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def map_cell(page: Page, map_id: str, row: int, col: int) -> tuple[float, float]:
    """Page coordinates of the centre of cell [row, col] of a map."""
    canvas = map_panel(page, map_id).locator("canvas.cnn-map-overlay")
    canvas.scroll_into_view_if_needed()
    box, drawn = canvas.bounding_box(), map_drawn(page, map_id)
    x, y = drawn["origins"][0]
    return box["x"] + x + (col + 0.5) * drawn["cell"], box["y"] + y + (row + 0.5) * drawn["cell"]


ARM = """() => {
    window.__clickAt = null;
    window.__doneAt = null;
    document.addEventListener('pointerdown', () => { window.__clickAt = performance.now(); },
                              {capture: true, once: true});
}"""


SCRIPT_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
IDLE = "() => new Promise((done) => requestIdleCallback(() => done(true), {timeout: 10000}))"


def timed_click(page: Page, target: Locator, check: str, arg: list) -> float:
    """Click target, wait until the in-page check holds; ms from pointerdown to that frame.

    Starts once the browser is idle, so the previous update's drawing is not counted.
    """
    page.evaluate(IDLE)
    page.evaluate(ARM)
    target.click()
    page.wait_for_function(check, arg=arg, polling="raf")
    return page.evaluate("() => window.__doneAt - window.__clickAt")


def report(name: str, timings: list[float]) -> None:
    print(f"\nclick-to-update ({name}): {', '.join(f'{t:.0f}' for t in timings)} ms; "
          f"median {statistics.median(timings):.0f} ms")


def open_playground(page: Page, url: str) -> Page:
    # Load the router first: with a app_pages/ folder next to app.py, Streamlit runs a deep
    # link as a bare page (multipage v1) until some session has run app.py once.
    page.goto(url)
    expect(page.get_by_role("heading", name="CNN Playground")).to_be_visible(
        timeout=LOAD_TIMEOUT)
    page.goto(f"{url}/playground")
    expect(cell(page, 4, 4)).to_be_visible(timeout=LOAD_TIMEOUT)
    expect_map(page, "feature", conv2d(NOTES_EIGHT, KERNEL))
    return page


@pytest.fixture
def playground(page: Page, streamlit_app) -> Page:
    page.set_default_timeout(30_000)
    return open_playground(page, streamlit_app("app.py"))


def test_clicks_and_a_drag_paint_cells_and_the_feature_map_follows(playground: Page):
    page = playground
    page.get_by_role("button", name="Clear").click()
    drawing = np.zeros((5, 5))
    expect_map(page, "feature", np.zeros((3, 3)))

    timings = []
    for row, col in [(4, 0), (4, 2), (3, 1), (4, 4)]:
        drawing[row, col] = 1
        timings.append(timed_click(page, cell(page, row, col), SHOWS_NUMBERS,
                                   ["feature", texts_of(conv2d(drawing, KERNEL))]))
        expect_map(page, "feature", conv2d(drawing, KERNEL))
    expect(cell(page, 3, 1)).to_have_attribute("data-ink", "1")

    page.mouse.move(*centre(cell(page, 2, 0)))
    page.mouse.down()
    page.mouse.move(*centre(cell(page, 2, 4)), steps=4)
    page.mouse.up()
    drawing[2, :] = 1
    expect_map(page, "feature", conv2d(drawing, KERNEL))
    expect_map(page, "pooled", np.array([[2, 2], [2, 2]]))
    report("5x5 grid, default kernel, numbers in the cells", timings)


def test_click_to_update_time_on_a_32x32_grid(playground: Page):
    page = playground
    page.locator(".st-key-playground_grid_size").click()
    page.get_by_role("option", name="32×32 grid").click()
    expect(cell(page, 31, 31)).to_be_visible()
    drawing = edits.resize(NOTES_EIGHT, 32)
    page.wait_for_function(HOLDS_DATA, arg=["feature", sent_z(conv2d(drawing, KERNEL))])
    timings = []
    drawing = np.round(drawing, 3)  # the grid holds (and sends back) 3 decimals of each cell
    for row, col in [(30, 2), (31, 20), (29, 9), (28, 30)]:
        drawing[row, col] = 0.0 if drawing[row, col] > 0 else 1.0  # a click toggles
        expected = sent_z(conv2d(drawing, KERNEL))  # no numbers at 30x30
        timings.append(timed_click(page, cell(page, row, col), HOLDS_DATA, ["feature", expected]))
    report("32x32 grid, default kernel, map data", timings)


def test_drawing_survives_a_page_switch_and_back(playground: Page):
    page = playground
    page.get_by_role("button", name="Clear").click()
    expect_map(page, "feature", np.zeros((3, 3)))
    cell(page, 4, 0).click()
    cell(page, 4, 2).click()
    drawing = np.zeros((5, 5))
    drawing[4, [0, 2]] = 1
    expect_map(page, "feature", conv2d(drawing, KERNEL))

    page.get_by_role("link", name="Kernel gallery").click()
    expect(page.get_by_role("heading", name="Kernel gallery")).to_be_visible()
    expect(cell(page, 4, 0)).to_have_attribute("data-ink", "1")
    expect(page.locator('.cnn-cell[data-ink="1"]')).to_have_count(2)

    page.get_by_role("link", name="Playground").click()
    expect(page.get_by_role("heading", name="Convolution playground")).to_be_visible()
    expect_map(page, "feature", conv2d(drawing, KERNEL))
    expect(page.locator('.cnn-cell[data-ink="1"]')).to_have_count(2)
    expect(cell(page, 4, 2)).to_have_attribute("data-ink", "1")


def test_touch_tap_toggles_a_cell(browser, streamlit_app):
    context = browser.new_context(has_touch=True, viewport={"width": 900, "height": 1000})
    try:
        page = open_playground(context.new_page(), streamlit_app("app.py"))
        drawing = np.array(NOTES_EIGHT)
        cell(page, 4, 0).tap()
        drawing[4, 0] = 1
        expect(cell(page, 4, 0)).to_have_attribute("data-ink", "1")
        expect_map(page, "feature", conv2d(drawing, KERNEL))
        cell(page, 4, 0).tap()
        expect_map(page, "feature", conv2d(NOTES_EIGHT, KERNEL))
    finally:
        context.close()


def test_clicking_a_feature_map_cell_writes_its_sum(playground: Page):
    page = playground
    before = revision(page, "feature")
    page.mouse.click(*map_cell(page, "feature", 2, 1))
    expect(page.get_by_text("C(2,1) = ")).to_be_visible()
    expect(page.get_by_text("C(2,1) is row 2, column 1", exact=False)).to_be_visible()
    # the number pickers sit outside the stroke's fragment: a click reruns the page for them
    expect(page.get_by_label("C row")).to_have_value("2")
    expect(page.get_by_label("C col")).to_have_value("1")
    expect(map_panel(page, "feature")).not_to_have_attribute("data-revision", str(before))

    page.mouse.click(*map_cell(page, "pooled", 0, 1))
    expect(page.get_by_text("P(0,1) = max(1, 0) = 1")).to_be_visible()  # a cut-off window
    expect(page.get_by_label("Pooled col")).to_have_value("1")
    page.get_by_label("C row").fill("0")  # and typing a number picks the cell too
    page.get_by_label("C row").press("Enter")
    expect(page.get_by_text("C(0,1) = ")).to_be_visible()

    canvas = map_panel(page, "feature").locator("canvas.cnn-map-overlay")
    canvas.focus()  # the keyboard: arrows move over the cells, Enter picks one
    for key in ("ArrowDown", "ArrowDown", "ArrowRight", "Enter"):
        canvas.press(key)
    expect(page.get_by_label("C row")).to_have_value("2")
    expect(page.get_by_text("C(2,", exact=False).first).to_be_visible()


@pytest.mark.parametrize("path, first_map, most", [
    ("playground", "Feature map C", 150),
    ("backprop", "What the network sees", 250)])  # the true label's radio between
def test_on_a_phone_the_first_result_map_sits_right_under_the_grid(browser, streamlit_app,
                                                                  path, first_map, most):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    try:
        phone = context.new_page()
        phone.goto(f"{streamlit_app('app.py')}/{path}")
        last_cell = phone.locator(".cnn-cell").last
        feature = phone.locator(".js-plotly-plot, .cnn-map").filter(has_text=first_map).first
        expect(feature).to_be_visible(timeout=60_000)
        phone.locator(SCRIPT_IDLE).wait_for(state="attached")  # the layout has settled
        grid_box, map_box = last_cell.bounding_box(), feature.bounding_box()
        gap = map_box["y"] - (grid_box["y"] + grid_box["height"])
        assert 0 <= gap < most, gap  # playground: was ~500 px (input and kernel maps first)
        assert phone.get_by_test_id("stException").count() == 0
    finally:
        context.close()


def test_a_projectors_first_screen_in_presenter_mode_reaches_the_grid_and_maps(browser,
                                                                              streamlit_app):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        screen = context.new_page()
        screen.goto(f"{streamlit_app('app.py')}/playground?present=1")
        feature = map_panel(screen, "feature")
        expect(feature).to_be_visible(timeout=60_000)
        first_cell = screen.locator(".cnn-cell").first.bounding_box()
        assert first_cell["y"] + 3 * first_cell["height"] < 720  # was below the fold (777)
        assert feature.bounding_box()["y"] < 600
        expect(screen.get_by_text("Kernel and settings")).to_be_visible()  # one click away
        assert screen.get_by_test_id("stException").count() == 0
    finally:
        context.close()


def metrics(cdp) -> dict[str, float]:
    """The renderer's Performance metrics (seconds for the *Duration ones)."""
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


WATCH_REVISIONS = f"""(id) => {{
  const panel = ({FIND_PANEL})(id);
  window.__frames = [];
  new MutationObserver(() => window.__frames.push(performance.now())).observe(
      panel, {{attributes: true, attributeFilter: ['data-revision']}});
}}"""


def test_play_slides_the_window_and_only_its_maps_redraw(browser, streamlit_app):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = open_playground(context.new_page(), streamlit_app("app.py"))
        page.get_by_text("Slide the window step by step").click()
        expect(page.get_by_text("C so far: 1 of 9 cells")).to_be_visible()
        page.get_by_role("radiogroup", name="Speed").get_by_role("radio", name="fast").click()
        feature = revision(page, "feature")
        first = revision(page, "slide_output")
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.evaluate(WATCH_REVISIONS, "slide_output")
        page.get_by_role("button", name="▶ Play").click()
        # CPU over ticks only: the click's rerun (which starts the timer) is done by frame 2
        page.wait_for_function("() => window.__frames.length >= 2", timeout=30_000)
        before, ticks = metrics(cdp), len(page.evaluate("() => window.__frames"))
        page.wait_for_function("() => window.__frames.length >= 5", timeout=30_000)
        after, frames = metrics(cdp), page.evaluate("() => window.__frames")
        assert revision(page, "slide_output") > first + 2  # the map so far repainted a tick
        assert revision(page, "feature") == feature  # the page's maps were not redrawn
        expect(page.get_by_text("C(2,2) = ")).to_be_visible(timeout=30_000)  # plays to the end
        expect(page.get_by_role("button", name="▶ Play")).to_be_visible()
        wait_for_numbers(page, "slide_output", texts_of(conv2d(NOTES_EIGHT, KERNEL)))
        gaps = np.diff(frames)
        per_tick = (after["TaskDuration"] - before["TaskDuration"]) / (len(frames) - ticks)
        print(f"\nsliding window, fast (0.4 s a step): frames "
              f"{', '.join(f'{g:.0f}' for g in gaps)} ms apart; browser main-thread CPU "
              f"{1000 * per_tick:.0f} ms a tick")
        assert page.get_by_test_id("stException").count() == 0
    finally:
        context.close()
