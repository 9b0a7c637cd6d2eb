"""The kernel gallery in a real browser: its maps drawn by the map component, legible at
16x16 and in presenter mode (the defects of issue #14: rotated, overprinted ticks; maps
about 120 px wide on a projector; blur numbers running together)."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from cnn_core import KERNEL_INFO, KERNELS, conv2d
from cnn_core.data import NOTES_EIGHT
from cnn_core.number_text import number
from tests.support.locators import map_drawn, map_numbers, map_panel
from ui.codecs.url_values import encode_drawing

pytestmark = pytest.mark.browser


def open_gallery(page: Page, url: str, query: str = "") -> None:
    page.goto(f"{url}/gallery{query}")
    expect(page.get_by_role("heading", name="Kernel gallery")).to_be_visible(timeout=30_000)
    for key in KERNELS:
        expect(map_panel(page, f"named_{key}")).to_have_attribute("data-revision", "1",
                                                                  timeout=30_000)


def test_a_16x16_drawing_gets_thinned_upright_ticks_on_every_map(page: Page, streamlit_app):
    drawing = np.zeros((16, 16))
    drawing[3:13, 6:10] = 1.0
    open_gallery(page, streamlit_app("app.py"), f"?d={encode_drawing(drawing)}")
    for key in KERNELS:
        drawn = map_drawn(page, f"named_{key}")
        step = drawn["step"]
        assert step > 1 and drawn["cols"] == list(range(0, 14, step)) == drawn["rows"]
        assert drawn["cell"] * step >= 2 * 12  # two digits at 12 px never touch
    expect(map_panel(page, "named_identity").locator(".cnn-map-title")).to_have_text(
        KERNEL_INFO["identity"].name)
    assert page.get_by_test_id("stException").count() == 0


def test_presenter_mode_draws_big_maps_with_separate_blur_numbers(browser, streamlit_app):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        open_gallery(page, streamlit_app("app.py"), "?present=1")
        for key in KERNELS:
            width, _ = map_drawn(page, f"named_{key}")["size"]
            assert width >= 200, (key, width)  # was about 120 px
        blur = map_drawn(page, "named_box_blur")
        assert blur["font"] >= 14 and blur["cell"] >= 46
        expected = conv2d(NOTES_EIGHT, KERNELS["box_blur"])
        assert map_numbers(page, "named_box_blur") == [
            number(float(np.float32(v)), decimals=1) for v in expected.ravel()]
        # each number is its own cell's, fitted to it: "0.6", "0.9", "0.6", not "0.60.90.6"
        widths = page.evaluate(
            "([font, texts]) => { const c = document.createElement('canvas').getContext('2d');"
            " c.font = font; return texts.map((t) => c.measureText(t).width); }",
            [blur["fontCss"], map_numbers(page, "named_box_blur")])
        assert max(widths) <= blur["room"]
    finally:
        context.close()
