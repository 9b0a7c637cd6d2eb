"""Home's live overview in Chromium: a stroke repaints it with the engine's numbers, a stage
link and a click on a map land on that stage of the Forward pass (session and presenter
mode kept), and on a phone the overview follows the grid, stage by stage."""

from __future__ import annotations

import itertools

import numpy as np
from playwright.sync_api import expect

from cnn_core.data import NOTES_EIGHT
from cnn_core.default_network import load_default_network
from cnn_core.drawing import prepare_drawing
from cnn_core.number_text import number
from cnn_core.stages import network_stages
from tests.support.locators import cell, map_drawn, map_numbers, map_panel

STAGES = ["stage-input", "stage-block1-conv", "stage-block1-relu", "stage-block1-max-pool",
          "stage-dense", "stage-softmax"]
TIMEOUT = 60_000


def open_home(page, url: str, query: str = "") -> None:
    page.goto(f"{url}/{query}", timeout=TIMEOUT)
    cell(page, 0, 0).wait_for(timeout=TIMEOUT)
    map_panel(page, "stage-softmax").wait_for(timeout=TIMEOUT)
    page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                           "?.getAttribute('data-test-script-state') === 'notRunning'",
                           timeout=TIMEOUT)


def revision(page, map_id: str) -> str | None:
    return map_panel(page, map_id).get_attribute("data-revision")


def expected_logits(drawing: np.ndarray) -> list[str]:
    """The dense layer's numbers as the overview writes them (float32, one decimal)."""
    model = load_default_network()
    logits = network_stages(model, prepare_drawing(drawing, (16, 16)))[-2].values
    return [number(float(v), decimals=1) for v in logits.astype(np.float32)]


def land_on(page, anchor: str) -> None:
    """The Forward pass is open, its address ends in #anchor and that heading is on screen."""
    page.wait_for_url(f"**/forward_pass*#{anchor}", timeout=TIMEOUT)
    heading = page.locator(f"#{anchor}")
    heading.wait_for(timeout=TIMEOUT)
    page.wait_for_function(
        "(id) => { const box = document.getElementById(id)?.getBoundingClientRect();"
        " return box && box.top >= -2 && box.top < innerHeight / 3; }",
        arg=anchor, timeout=TIMEOUT)


def test_a_stroke_repaints_the_whole_overview_with_the_engines_numbers(page, streamlit_app):
    open_home(page, streamlit_app("app.py"))
    assert [map_panel(page, m).count() for m in STAGES] == [1] * len(STAGES)
    before = {m: revision(page, m) for m in STAGES}
    drawing = np.array(NOTES_EIGHT, dtype=float)
    assert map_numbers(page, "stage-dense") == expected_logits(drawing)
    cell(page, 0, 0).click()  # paper -> ink
    drawing[0, 0] = 1.0
    expect(map_panel(page, "stage-softmax")).not_to_have_attribute(
        "data-revision", before["stage-softmax"], timeout=TIMEOUT)
    assert all(revision(page, m) != before[m] for m in STAGES)  # one payload, every stage
    assert map_numbers(page, "stage-dense") == expected_logits(drawing)
    assert map_drawn(page, "stage-block1-conv")["numbers"] == []  # 32 tiles, no numbers
    assert len(map_numbers(page, "stage-softmax")) == 10  # written, and they fit their cells


def test_a_stage_link_opens_the_forward_pass_at_that_stage(page, streamlit_app):
    open_home(page, streamlit_app("app.py"), "?present=1")
    link = page.get_by_role("link", name="Conv 1:")
    assert link.get_attribute("href").startswith("forward_pass?stage=stage-block1-conv")
    link.click()
    land_on(page, "stage-block1-conv")
    assert "present=1" in page.url  # presenter mode kept


def test_a_click_on_a_map_opens_its_stage(page, streamlit_app):
    open_home(page, streamlit_app("app.py"))
    relu = map_panel(page, "stage-block1-relu").locator("canvas.cnn-map-overlay")
    relu.scroll_into_view_if_needed()
    x, y = map_drawn(page, "stage-block1-relu")["origins"][5]  # inside tile k5
    relu.click(position={"x": x + 4, "y": y + 4})
    land_on(page, "stage-block1-relu")


def test_on_a_phone_the_overview_follows_the_grid_stage_by_stage(browser, streamlit_app):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        open_home(page, streamlit_app("app.py"))
        grid = cell(page, 4, 4).bounding_box()
        boxes = [map_panel(page, m).bounding_box() for m in STAGES]
        assert grid["y"] + grid["height"] <= boxes[0]["y"]
        for above, below in itertools.pairwise(boxes):
            assert above["y"] + above["height"] <= below["y"] + 1  # one column, in order
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= 390 for box in boxes)
        links = page.get_by_role("link", name="Conv 1:").bounding_box()
        assert links["y"] > boxes[-1]["y"]  # the stage links follow the maps
    finally:
        context.close()
