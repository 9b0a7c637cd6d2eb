"""The Backprop page in a real browser: a click on dL/dkernel (or on a kernel's tile) picks
the kernel cell whose sum is written out, and one SGD step repaints the maps.

The app's root is opened first, as a student following the link does, then the page.
Waits are on expected text or attributes, never on sleeps.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from cnn_core.backprop import backprop_trace
from cnn_core.data import NOTES_EIGHT
from cnn_core.number_text import number
from tests.support.locators import cell_point, map_numbers, map_panel, painted
from ui.network.backprop_maps import fitted_decimals
from ui.session.models import default_model, model_input

pytestmark = pytest.mark.browser

APP = "app.py"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def open_backprop(page: Page, base: str) -> Page:
    page.goto(base)
    expect(page.get_by_text("CNN Playground").first).to_be_visible(timeout=60_000)
    page.goto(f"{base}/backprop")
    painted(page, "dkernel")
    page.locator(IDLE).wait_for(state="attached")
    return page


def written(page: Page):
    """The term-by-term sum under section 5 (the last code block of the page)."""
    return page.get_by_test_id("stCode").last


def test_clicking_a_dl_dkernel_cell_or_a_kernels_tile_writes_that_cells_sum(page: Page,
                                                                          streamlit_app):
    open_backprop(page, streamlit_app(APP))
    model = default_model()
    trace = backprop_trace(model, model_input(NOTES_EIGHT, model), 8)
    k = trace.strongest_kernel()
    expect(written(page)).to_contain_text("dL/dg(2,0) = ")
    gradient = np.float32(trace.d_kernels[k]).astype(np.float64)
    assert map_numbers(page, "dkernel") == [number(v, decimals=fitted_decimals(gradient))
                                            for v in gradient.ravel()]
    page.mouse.click(*cell_point(page, "dkernel", 0, 1))
    expect(written(page)).to_contain_text("dL/dg(0,1) = ", timeout=30_000)
    expect(page.get_by_role("combobox", name="Kernel row")).to_have_value("0")
    expect(page.get_by_role("combobox", name="Kernel column")).to_have_value("1")
    check = page.get_by_text(re.compile("Check by finite differences"))
    expect(check).to_contain_text(f"backprop says {number(trace.d_kernels[k, 0, 1], digits=6)}")
    other = (k + 3) % trace.d_kernels.shape[0]
    page.locator(IDLE).wait_for(state="attached")
    page.mouse.click(*cell_point(page, "dkernels", 1, 2, tile=other))
    expect(written(page)).to_contain_text("dL/dg(1,2) = ", timeout=30_000)
    expect(page.get_by_role("combobox", name="Follow kernel")).to_have_value(f"k{other}")
    expect(check).to_contain_text(
        f"backprop says {number(trace.d_kernels[other, 1, 2], digits=6)}")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_one_sgd_step_repaints_the_gradient_maps_and_logs_the_loss(page: Page, streamlit_app):
    open_backprop(page, streamlit_app(APP))
    maps = ("dW", "dpool", "delta", "dkernel", "dkernels")
    before = {map_id: painted(page, map_id) for map_id in maps}
    shown = map_numbers(page, "dkernel")
    page.get_by_role("button", name="Apply one SGD step").click()
    expect(page.get_by_text(re.compile(r"^Step 1 \(true label 8\): loss"))).to_be_visible(
        timeout=30_000)
    page.locator(IDLE).wait_for(state="attached")
    for map_id in maps:
        expect(map_panel(page, map_id)).not_to_have_attribute("data-revision",
                                                              before[map_id])
    assert map_numbers(page, "dkernel") != shown
    expect(page.get_by_test_id("stException")).to_have_count(0)
