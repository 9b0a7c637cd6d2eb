""""Numbers as tables" (AppTest): on, every chart on every page is followed by a table of
its numbers, equal to a direct cnn_core call; off, no table at all.

A table is paired with its chart or map by name: the chart's accessible name (st.plotly_chart's
alt, a map's label in the map component's payload) and the table's alt "The numbers of <name>".
A map's table holds the very values the map was sent (each page's own tests check those
against cnn_core).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import KERNEL_INFO, KERNELS, conv1d, conv2d, max_pool2d, relu
from cnn_core.data import NOTES_EIGHT
from cnn_core.number_text import MINUS
from tests.support import apptest_pages
from tests.support.arrays import sent_maps
from ui.network.training_run import RUN
from ui.session.state import DRAWING, NUMBERS_AS_TABLES

PAGES = ["app_pages/home.py", "app_pages/forward_pass.py", "app_pages/backprop.py",
         "app_pages/playground.py", "app_pages/gallery.py", "app_pages/lesson_1d.py",
         "app_pages/lesson_2d.py", "app_pages/training.py"]


def open_page(page: str, *, tables: bool = True, **state) -> AppTest:
    router = page.startswith("app_pages/lesson") or page.endswith("home.py")
    return apptest_pages.open_page(page, router=router,
                                   timeout=120, **{NUMBERS_AS_TABLES: tables}, **state)


def chart_names(at: AppTest) -> list[str]:
    """The accessible name of every plotly chart and every map on the page."""
    maps = [sent.entry["label"] for sent in sent_maps(at)]
    return [chart.proto.alt for chart in at.get("plotly_chart")] + maps


def tables_by_chart(at: AppTest) -> dict[str, pd.DataFrame]:
    """Each chart's or map's accessible name -> its table (one table per chart or map)."""
    names = chart_names(at)
    assert names and all(names), names
    shown = {table.proto.alt.removeprefix("The numbers of "): table.value for table in at.table}
    assert sorted(shown) == sorted(names), "a chart without its table, or two with one name"
    return shown


def equal(table: pd.DataFrame, expected: np.ndarray) -> None:
    np.testing.assert_array_equal(table.to_numpy(dtype=np.float64), expected)


def stacked(maps: np.ndarray) -> np.ndarray:
    return maps.reshape(-1, maps.shape[-1])


def step(at: AppTest, times: int) -> AppTest:
    for _ in range(times):
        at.button(key="training_step").click().run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_with_the_toggle_off_no_page_shows_a_table(page):
    at = open_page(page, tables=False)
    if page.endswith("training.py"):
        step(at, 1)
    names = chart_names(at)
    assert names and all(names)  # each named all the same
    assert not at.table


@pytest.mark.parametrize("page", PAGES)
def test_every_maps_table_holds_the_values_the_map_was_sent(page):
    at = open_page(page)
    if page.endswith("training.py"):
        step(at, 1)
    shown, checked = tables_by_chart(at), 0
    for each in sent_maps(at):
        sent, label = each.values.astype(np.float64), each.entry["label"]
        table = shown[label].to_numpy(dtype=np.float64)
        if table.size == sent.size:  # a table laid out its own way (dL/dW by flat index)
            np.testing.assert_allclose(np.sort(table, axis=None), np.sort(sent, axis=None),
                                       rtol=1e-6, atol=1e-30, err_msg=label)
            checked += 1
    assert checked or page.endswith("lesson_1d.py"), "no map's table was compared"


def test_the_toggle_is_in_the_sidebar_and_off_by_default():
    at = AppTest.from_file(str(apptest_pages.ROOT / "app.py"), default_timeout=60).run()
    toggle = at.sidebar.toggle(key=NUMBERS_AS_TABLES)
    assert toggle.label == "Numbers as tables" and toggle.value is False
    at.switch_page("app_pages/forward_pass.py").run()
    assert not at.table
    at.sidebar.toggle(key=NUMBERS_AS_TABLES).set_value(True).run()
    assert len(at.table) == len(chart_names(at))


@pytest.mark.parametrize(("padding", "stride"), [(0, 1), (1, 2)])
def test_playground_tables_are_the_pipelines_maps(padding, stride):
    at = open_page("app_pages/playground.py", playground_padding=padding,
                   playground_stride=stride, playground_compare=True)
    kernel = KERNELS["notes_example"]
    feature = conv2d(NOTES_EIGHT, kernel, padding=padding, stride=stride)
    shown = tables_by_chart(at)
    assert len(shown) == 9  # five maps, then A's and B's feature and pooled maps
    h = 5 + 2 * padding
    name = f"Input f + padding ({h}×{h})" if padding else f"Input f ({h}×{h})"
    equal(shown[name], np.pad(NOTES_EIGHT, padding))
    equal(shown["Kernel g (3×3)"], kernel)
    out = feature.shape
    equal(shown[f"Feature map C ({out[0]}×{out[1]})"], feature)
    equal(shown[f"After ReLU ({out[0]}×{out[1]})"], relu(feature))
    pooled = max_pool2d(relu(feature), 2)
    equal(shown[f"Max pool 2×2 ({pooled.shape[0]}×{pooled.shape[1]})"], pooled)
    equal(shown[f"A: feature map ({out[0]}×{out[1]})"], feature)
    equal(shown[f"A: pooled ({pooled.shape[0]}×{pooled.shape[1]})"], pooled)
    b_feature = conv2d(NOTES_EIGHT, KERNELS["sobel_vertical"])
    b_pooled = max_pool2d(relu(b_feature), 2)
    equal(shown[f"B: feature map ({b_feature.shape[0]}×{b_feature.shape[1]})"], b_feature)
    equal(shown[f"B: pooled ({b_pooled.shape[0]}×{b_pooled.shape[1]})"], b_pooled)


def test_gallery_tables_are_every_kernels_feature_map():
    drawing = np.random.default_rng(5).random((8, 8)).round(2)
    at = open_page("app_pages/gallery.py", **{DRAWING: drawing})
    shown = tables_by_chart(at)
    assert len(shown) == len(KERNELS)
    for key, kernel in KERNELS.items():
        feature = conv2d(drawing, kernel)
        name = f"{KERNEL_INFO[key].name}: feature map {feature.shape[0]}×{feature.shape[1]}"
        equal(shown[name], feature)


def test_1d_lesson_table_reads_the_strip_cell_by_cell():
    at = open_page("app_pages/lesson_1d.py", lesson1d_pad_left=2, lesson1d_stride=2)
    f, g = np.array([1.0, 2, 3, 4, 5]), np.array([1.0, 0, -1])
    outputs = conv1d(f, g, padding=(2, 0), stride=2)
    (table,) = tables_by_chart(at).values()
    assert table["cell"].tolist() == [f"f[{MINUS}2]", f"f[{MINUS}1]", "f[0]", "f[1]", "f[2]",
                                      "f[3]", "f[4]"]
    assert table["f"].tolist() == ["0 (pad)", "0 (pad)", "1", "2", "3", "4", "5"]
    assert table["g (this window)"].tolist()[:4] == ["g[0] = 1", "g[1] = 0",
                                                     f"g[2] = {MINUS}1", ""]
    written = [text for text in table["C (window starts here)"] if text]
    assert [float(t.split("= ")[1].split(" ")[0].replace(MINUS, "-")) for t in written] == (
        outputs.tolist())
    assert written[0].endswith("(now)")
    assert table["C (window starts here)"].tolist()[1] == ""  # stride 2: every other cell


def test_training_tables_are_the_history_kernels_confusion_counts_and_mistakes():
    at = step(open_page("app_pages/training.py"), 2)
    run = at.session_state[RUN]
    history, model = run.trainer.history, run.trainer.model
    shown = tables_by_chart(at)
    loss = shown["Loss after each epoch, train and test"]
    assert loss["epoch"].tolist() == [1, 2]
    assert loss["train loss"].tolist() == [r.train_loss for r in history]
    assert loss["test loss"].tolist() == [r.test_loss for r in history]
    accuracy = shown["Accuracy after each epoch, train and test"]
    assert accuracy["test accuracy"].tolist() == [r.test_accuracy for r in history]
    equal(shown["Block 1 after epoch 2: 1 kernel 3x3"], stacked(model.params["kernels"]))
    true, predicted = run.trainer.test_labels, model.predict(run.trainer.test_images)
    counts = [[int(np.sum((true == t) & (predicted == p))) for p in range(10)]
              for t in range(10)]
    confusion = shown["Confusion matrix (row: true, column: predicted)"]
    equal(confusion, counts)
    assert confusion.index[2] == "true 2" and confusion.columns[8] == "predicted 8"
    wrong = true != predicted
    assert wrong.tolist() == [True]  # seed 0: after two epochs the test 2 still reads as 8
    table = shown["Misclassified (true→predicted)"]
    equal(table, stacked(run.trainer.test_images[wrong]))
    assert table.index[0] == f"{true[0]}→{predicted[0]}, row 0"


def test_a_tables_link_turns_the_tables_on_and_the_url_keeps_it():
    at = AppTest.from_file(str(apptest_pages.ROOT / "app.py"), default_timeout=120)
    at.query_params["tables"] = "1"
    at.run()
    assert at.session_state[NUMBERS_AS_TABLES] is True
    at.switch_page("app_pages/playground.py").run()
    assert not at.exception
    assert len(at.table) == len(chart_names(at)) > 0
    assert at.query_params["tables"] == "1"
    at.toggle(key=NUMBERS_AS_TABLES).set_value(False).run()  # the toggle rules after that
    assert not at.table
