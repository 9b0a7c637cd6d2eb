"""The network pages in a real browser: live training, and the Forward pass (a stroke
redraws its maps, a click on a tile opens it in the detail view, a stage's link scrolls to it).

Every test opens the app's root first, as a student following the link does, then the
page. Waits are on expected text or elements, never on sleeps.
"""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from cnn_core.data import NOTES_EIGHT
from cnn_core.number_text import number
from tests.support.locators import cell, cell_point, map_drawn, map_numbers, map_panel, painted
from ui.session.models import default_model, model_input, notes_example_model
from ui.text.network import stage_anchor
from ui.widgets.map.payload import hover_number

pytestmark = pytest.mark.browser

APP = "app.py"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def open_page(page: Page, base: str, path: str) -> Page:
    page.goto(base)
    expect(page.get_by_text("CNN Playground").first).to_be_visible(timeout=60_000)
    page.goto(f"{base}/{path}")
    return page


def prediction_text(digit: int, probability: float) -> str:
    return f"The network says {digit} with {probability:.1%} confidence."


def test_training_the_toy_set_shows_progress_and_a_falling_loss_curve(page: Page,
                                                                       streamlit_app):
    open_page(page, streamlit_app(APP), "training")
    train = page.get_by_role("button", name="Train", exact=False).first
    expect(train).to_be_visible(timeout=60_000)
    train.click()
    progress = page.get_by_test_id("stProgress")
    expect(progress).to_be_visible(timeout=30_000)
    expect(progress).to_contain_text("Epoch 30 of 30", timeout=90_000)
    expect(page.get_by_text("Results on the test set")).to_be_visible(timeout=30_000)
    loss_chart = page.locator(".js-plotly-plot").filter(
        has=page.locator("text.ytitle", has_text="loss"))
    expect(loss_chart).to_have_count(1)
    # one point per epoch on each of the train and test lines
    expect(loss_chart.locator(".scatterlayer .trace").first.locator(".point")).to_have_count(30)
    expect(page.get_by_text("Every test image is classified correctly.")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_stroke_changes_the_probabilities_and_redraws_every_stage(page: Page, streamlit_app):
    open_page(page, streamlit_app(APP), "forward_pass")
    model = default_model()
    eight = model.forward(model_input(NOTES_EIGHT, model))["probabilities"][0]
    expect(page.get_by_text(prediction_text(8, eight[8]))).to_be_visible(timeout=60_000)
    stages = [stage_anchor(key) for key in ("input", "block1.conv", "block1.relu",
                                            "block1.max pool", "flatten")]
    before = {map_id: painted(page, map_id) for map_id in stages}
    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_text("The drawing is blank")).to_be_visible(timeout=30_000)
    line = np.zeros((5, 5))
    for row in range(5):
        target = cell(page, row, 2)
        target.click()
        expect(target).to_have_attribute("data-ink", "1")
        line[row, 2] = 1.0
    p = model.forward(model_input(line, model))["probabilities"][0]
    expected = prediction_text(int(p.argmax()), float(p.max()))
    expect(page.get_by_text(expected)).to_be_visible(timeout=30_000)
    assert expected != prediction_text(8, eight[8])
    page.locator(IDLE).wait_for(state="attached")
    for map_id in stages:  # every stage's map painted again with the stroke's numbers
        expect(map_panel(page, map_id)).not_to_have_attribute("data-revision", before[map_id])
    x = model_input(line, model)
    row, col = np.unravel_index(np.argmax(x), x.shape)  # hover an inked cell
    page.mouse.move(*cell_point(page, stage_anchor("input"), int(row), int(col)))
    expect(page.locator(".cnn-map-tip").filter(visible=True)).to_have_text(
        f"row {row}, col {col}: {hover_number(x[row, col])}")
    bars = page.locator(".cnn-bars .cnn-bar-col")
    expect(bars).to_have_count(10)
    best = bars.nth(int(p.argmax()))
    expect(best).to_have_attribute("data-p", repr(float(p.max())))
    expect(best.locator(".cnn-bar-note")).to_have_text("predicted")
    height = best.locator(".cnn-bar").bounding_box()["height"]
    assert abs(height - 150 * p.max()) < 1.5  # the bar's height is the probability
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_click_on_a_tile_opens_that_map_in_the_detail_view(page: Page, streamlit_app):
    open_page(page, streamlit_app(APP), "forward_pass")
    conv = stage_anchor("block1.conv")
    painted(page, conv)
    page.locator(IDLE).wait_for(state="attached")
    output = map_panel(page, "detail-output")
    expect(output).to_have_count(0)  # the detail view is closed until a tile is clicked
    page.mouse.click(*cell_point(page, conv, 4, 6, tile=5))
    expect(page.get_by_role("combobox", name="Output map")).to_have_value("k5",
                                                                       timeout=30_000)
    expect(page.get_by_text("Cell (4,6) of map k5")).to_be_visible()
    painted(page, "detail-output")
    model = default_model()
    x = model_input(NOTES_EIGHT, model)
    kernel = model.params["kernels"][5]
    assert map_numbers(page, "detail-kernels") == [number(v, decimals=2)
                                                   for v in np.float32(kernel).ravel()]
    # a click on a cell of the output map picks the cell whose sum is written
    page.locator(IDLE).wait_for(state="attached")
    page.mouse.click(*cell_point(page, "detail-output", 7, 2))
    expect(page.get_by_text("Cell (7,2) of map k5")).to_be_visible(timeout=30_000)
    value = model.forward(x)["feature_maps"][0, 5, 7, 2]
    written = page.get_by_test_id("stCode").filter(has_text="map k5(")
    expect(written).to_contain_text("map k5(7,2) = ")
    last = written.inner_text().strip().splitlines()[-1]
    assert last.startswith("map k5(7,2) = ") and last.endswith(f" {number(value)}")
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("key", ["block1.max pool", "dense"])
def test_a_stage_link_scrolls_to_its_heading(page: Page, streamlit_app, key):
    base = streamlit_app(APP)
    open_page(page, base, f"forward_pass#{stage_anchor(key)}")
    heading = page.locator(f"#{stage_anchor(key)}")
    expect(heading).to_be_attached(timeout=60_000)
    for stage in ("input", "block1.conv", "block1.relu", "block1.max pool", "flatten"):
        painted(page, stage_anchor(stage))  # every map above the heading has its size
    page.locator(IDLE).wait_for(state="attached")
    near_top = f"() => {{ const top = document.getElementById('{stage_anchor(key)}')" \
               ".getBoundingClientRect().top; return top >= 0 && top < 450; }"
    page.wait_for_function(near_top, timeout=30_000)


def test_a_script_like_hash_is_never_run(page: Page, streamlit_app):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_page(page, streamlit_app(APP),
              "forward_pass#stage-<img src=x onerror=alert(1)>%E0%A4%A")
    painted(page, stage_anchor("block1.conv"))
    page.locator(IDLE).wait_for(state="attached")
    assert dialogs == []
    expect(page.locator('img[src="x"]')).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_notes_mode_writes_every_dense_weight_apart(page: Page, streamlit_app):
    open_page(page, streamlit_app(APP), "forward_pass?nx=1")
    painted(page, "dense-weights")
    weights = notes_example_model().params["weights"]
    assert map_numbers(page, "dense-weights") == [number(w, decimals=3)
                                                  for w in np.float32(weights).ravel()]
    drawn = map_drawn(page, "dense-weights")
    assert drawn["font"] >= 10  # written, not hidden for lack of room
    widest = page.evaluate(
        "([texts, font]) => { const c = document.createElement('canvas').getContext('2d');"
        " c.font = font; return Math.max(...texts.map(t => c.measureText(t).width)); }",
        [[t for *_, t in drawn["numbers"]], drawn["fontCss"]])
    assert widest <= drawn["room"]  # each number inside its own cell: none run together
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_where_the_network_looks_opens_with_the_patch_of_the_link(page: Page, streamlit_app):
    open_page(page, streamlit_app(APP), "forward_pass?fl=1&op=5")
    painted(page, "looks-occlusion", timeout=90_000)
    title = map_panel(page, "looks-occlusion").locator(".cnn-map-title")
    expect(title).to_contain_text("patch 5×5")
    expect(page.get_by_role("radiogroup").or_(page.get_by_test_id("stButtonGroup")).filter(
        has_text="5×5").first).to_be_visible()
    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_text("Draw something first")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
