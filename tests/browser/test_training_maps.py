"""The training page in Chromium: the toy set's one learned kernel writes each cell's own
number (no "−0.170.27" running together), and a two-block run paints both blocks' kernels
and the confusion matrix with its counts."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from cnn_core.results import confusion_counts
from tests.support.locators import map_drawn, map_numbers, map_panel, texts_of
from ui.network.training_run import build_run
from ui.network.training_settings import recipe_settings

pytestmark = pytest.mark.browser
LOAD = 60_000


def test_the_toy_sets_one_kernel_writes_each_cells_number_apart(streamlit_app, page):
    run = build_run(recipe_settings("toy"))
    run.trainer.run_epoch()
    kernel = run.trainer.model.params["kernels"][0]
    page.goto(f"{streamlit_app('app.py')}/training?ds=toy")
    page.get_by_role("button", name="Step one epoch").click()
    expect(page.get_by_text("Epoch 1 of 30", exact=True)).to_be_visible(timeout=LOAD)
    panel = map_panel(page, "kernels_block1")
    expect(panel).to_have_count(1, timeout=LOAD)
    expect(panel).to_have_attribute("data-revision", "1", timeout=LOAD)
    assert map_numbers(page, "kernels_block1") == texts_of(kernel)
    drawn = map_drawn(page, "kernels_block1")
    assert drawn["font"] > 0 and len(drawn["numbers"]) == 9


def test_a_two_block_run_paints_both_blocks_and_the_confusion_counts(streamlit_app, page):
    page.goto(f"{streamlit_app('app.py')}/training?ds=digits&bs=32&lr=0.01"
              "&arch=8.3.0.1.max.2-16.3.0.1.max.2")
    expect(page.get_by_text("(8 − 3 + 2×0) // 1 + 1 = 6")).to_be_visible(timeout=LOAD)
    page.get_by_role("button", name="Step one epoch").click()
    for map_id in ("kernels_block1", "kernels_block2", "confusion"):
        expect(map_panel(page, map_id)).to_have_count(1, timeout=LOAD)
    settings = recipe_settings("digits")._replace(
        blocks=((8, 3, 0, 1, "max", 2), (16, 3, 0, 1, "max", 2)), learning_rate=0.01,
        batch_size=32)
    run = build_run(settings)
    run.trainer.run_epoch()
    data = run.trainer
    counts = confusion_counts(data.test_labels, data.model.predict(data.test_images), 10)
    expect(map_panel(page, "confusion")).to_have_attribute("data-revision", "1",
                                                           timeout=LOAD)
    assert map_numbers(page, "confusion") == [str(n) for n in counts.ravel()]
    assert int(np.sum(counts)) == len(data.test_labels)
