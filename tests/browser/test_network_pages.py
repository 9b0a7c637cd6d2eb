"""The network pages in a real browser: live training, and a drawing changing the answer.

Every test opens the app's root first, as a student following the link does, then the
page. Waits are on expected text or elements, never on sleeps.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from cnn_core.data import NOTES_EIGHT
from ui.session.models import default_model, model_input

pytestmark = pytest.mark.browser

APP = "app.py"


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


def test_drawing_a_digit_changes_the_probabilities(page: Page, streamlit_app):
    open_page(page, streamlit_app(APP), "forward_pass")
    model = default_model()
    eight = model.forward(model_input(NOTES_EIGHT, model))["probabilities"][0]
    expect(page.get_by_text(prediction_text(8, eight[8]))).to_be_visible(timeout=60_000)

    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_text("The drawing is blank")).to_be_visible(timeout=30_000)
    line = np.zeros((5, 5))
    for row in range(5):
        cell = page.locator(f'.cnn-cell[data-row="{row}"][data-col="2"]')
        cell.click()
        expect(cell).to_have_attribute("data-ink", "1")
        line[row, 2] = 1.0
    p = model.forward(model_input(line, model))["probabilities"][0]
    expected = prediction_text(int(p.argmax()), float(p.max()))
    expect(page.get_by_text(expected)).to_be_visible(timeout=30_000)
    assert expected != prediction_text(8, eight[8])
    bars = page.locator(".js-plotly-plot").filter(has=page.locator("text.ytitle",
                                                                   has_text="probability"))
    expect(bars).to_have_count(1)
    expect(page.get_by_test_id("stException")).to_have_count(0)



def hover_cell(page: Page, chart, row: int, col: int, shape: tuple[int, int]) -> None:
    """Move the mouse over cell [row, col] of a heatmap of ``shape`` (row 0 on top: the
    heatmap's image spans the cells exactly)."""
    chart.scroll_into_view_if_needed()
    area = chart.locator(".heatmaplayer image").first.bounding_box()
    assert area is not None
    page.mouse.move(area["x"] + (col + 0.5) / shape[1] * area["width"],
                    area["y"] + (row + 0.5) / shape[0] * area["height"])


def test_forward_page_charts_show_and_hover_the_engines_numbers(page: Page, streamlit_app):
    open_page(page, streamlit_app(APP), "forward_pass")
    model = default_model()
    values = model.forward(model_input(NOTES_EIGHT, model))
    feature = values["feature_maps"][0]  # (16, 14, 14): too wide for numbers in the cells
    up_close = page.locator(".js-plotly-plot").filter(has_text="Feature map = conv")
    expect(up_close.locator(".heatmaplayer")).to_have_count(1, timeout=60_000)
    expect(up_close.locator(".heatmaplayer text")).to_have_count(0)
    hover_cell(page, up_close, 2, 3, feature[0].shape)
    expect(page.locator(".hoverlayer .hovertext").first).to_have_text(
        re.compile(rf"row 2, col 3: [-−]?{abs(feature[0, 2, 3]):.3f}$"))

    # the mosaic: hovering a tile names its kernel and shows one of that kernel's values
    mosaic = page.locator(".js-plotly-plot").filter(has_text="Feature maps (conv)")
    h, w = feature[0].shape
    hover_cell(page, mosaic, 2 + h // 2, w // 2, (4 * (h + 2), 4 * (w + 1) - 1))
    hovered = page.locator(".hoverlayer .hovertext").first
    expect(hovered).to_have_text(re.compile(r"kernel \d+: -?\d+\.\d{3}$"))
    k, shown = hovered.text_content().removeprefix("kernel ").split(": ")
    assert np.isclose(feature[int(k)], float(shown), atol=5e-4).any()
    expect(page.get_by_test_id("stException")).to_have_count(0)
