""""Numbers as tables" (AppTest): on, every chart on every page is followed by a table of
its numbers, equal to a direct cnn_core call; off, no table at all.

A table is paired with the chart just before it: both carry the chart's accessible name
(st.plotly_chart's alt, and the table's alt "The numbers of <name>").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import KERNEL_INFO, KERNELS, conv1d, conv2d, max_pool2d, relu
from cnn_core.backprop import backprop_trace
from cnn_core.data import NOTES_EIGHT
from cnn_core.number_text import MINUS
from tests.support import apptest_pages
from ui.network.training_run import RUN
from ui.session.models import default_model, model_input, notes_example_model
from ui.session.state import DRAWING, NUMBERS_AS_TABLES

PAGES = ["app_pages/forward_pass.py", "app_pages/backprop.py", "app_pages/playground.py",
         "app_pages/gallery.py", "app_pages/lesson_1d.py", "app_pages/lesson_2d.py",
         "app_pages/training.py"]


def open_page(page: str, *, tables: bool = True, **state) -> AppTest:
    return apptest_pages.open_page(page, router=page.startswith("app_pages/lesson"),
                                   timeout=120, **{NUMBERS_AS_TABLES: tables}, **state)


def tables_by_chart(at: AppTest) -> dict[str, pd.DataFrame]:
    """Each chart's accessible name -> the table that follows it (one table per chart)."""
    charts, tables = at.get("plotly_chart"), at.table
    assert len(tables) == len(charts) > 0
    shown = {}
    for chart, table in zip(charts, tables, strict=True):
        name = chart.proto.alt
        assert name and table.proto.alt == f"The numbers of {name}"
        shown[name] = table.value
    assert len(shown) == len(charts), "two charts with one name"
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
    charts = at.get("plotly_chart")
    assert charts and all(chart.proto.alt for chart in charts)  # each named all the same
    assert not at.table


def test_the_toggle_is_in_the_sidebar_and_off_by_default():
    at = AppTest.from_file(str(apptest_pages.ROOT / "app.py"), default_timeout=60).run()
    toggle = at.sidebar.toggle(key=NUMBERS_AS_TABLES)
    assert toggle.label == "Numbers as tables" and toggle.value is False
    at.switch_page("app_pages/forward_pass.py").run()
    assert not at.table
    at.sidebar.toggle(key=NUMBERS_AS_TABLES).set_value(True).run()
    assert len(at.table) == len(at.get("plotly_chart"))


def test_forward_page_tables_are_the_networks_numbers():
    at = open_page("app_pages/forward_pass.py")
    model = default_model()
    x = model_input(NOTES_EIGHT, model)
    values = {key: value[0] for key, value in model.forward(x).items()}
    kernels = model.params["kernels"]
    shown = tables_by_chart(at)
    side = x.shape[0]
    equal(shown[f"What the network sees ({side}x{side})"], x)
    assert list(shown[f"What the network sees ({side}x{side})"].index) == [
        f"row {i}" for i in range(side)]
    equal(shown["Kernels"], stacked(kernels))
    assert shown["Kernels"].index[3] == "k1, row 0"
    equal(shown["Feature maps (conv)"], stacked(values["feature_maps"]))
    equal(shown["ReLU: max(0, x)"], stacked(values["activations"]))
    equal(shown["Max pool 2x2"], stacked(values["pooled"]))
    equal(shown["Kernel"], kernels[0])
    equal(shown["Feature map = conv(input, kernel)"], values["feature_maps"][0])
    equal(shown["ReLU"], values["activations"][0])
    equal(shown["Max pooled 2x2"], values["pooled"][0])
    flat = values["flattened"]
    equal(shown[f"Flattened: {flat.size} numbers"], flat.reshape(len(kernels), -1))
    bars = shown["Probability of each digit"]
    assert bars["digit"].tolist() == list(range(10))
    np.testing.assert_array_equal(bars["probability"], values["probabilities"])
    assert len(at.dataframe) == 1  # the logits table is there as before


def test_forward_page_in_notes_mode_adds_the_dense_weights():
    at = open_page("app_pages/forward_pass.py", forward_notes=True)
    model = notes_example_model()
    shown = tables_by_chart(at)
    weights = shown["Dense weights W"]
    equal(weights, model.params["weights"])
    assert list(weights.index) == ["flat 0", "flat 1", "flat 2", "flat 3"]
    assert list(weights.columns)[-1] == "digit 9"
    equal(shown["Flattened: 4 numbers"], [[2, 1, 2, 1]])


def test_backprop_page_tables_are_the_gradients_and_name_the_winners():
    at = open_page("app_pages/backprop.py")
    model = default_model()
    trace = backprop_trace(model, model_input(NOTES_EIGHT, model), 8)
    k = int(np.abs(trace.d_kernels).sum(axis=(1, 2)).argmax())  # the page follows it
    shown = tables_by_chart(at)
    np.testing.assert_array_equal(shown["Probability of each digit"]["probability"],
                                  trace.probabilities)
    np.testing.assert_array_equal(shown["dL/dz = p − y per digit"]["dL/dz"], trace.d_logits)
    per = trace.pooled[k].size  # one row per cell of kernel k's pooled map
    rows = shown[f"dL/dW: k{k}'s {per} rows"]
    equal(rows, trace.d_weights[per * k : per * (k + 1)])
    assert rows.index[0] == f"flat {per * k}"
    equal(shown["dL/d(pooled map)"], trace.d_pooled[k])
    equal(shown["ReLU output (winners outlined)"], trace.activations[k])
    equal(shown["dL/d(ReLU output)"], trace.d_activations[k])
    equal(shown["Feature map"], trace.feature_maps[k])
    equal(shown["δ = dL/d(feature map)"], trace.d_feature_maps[k])
    equal(shown[f"= dL/dkernel k{k}"], trace.d_kernels[k])
    winners = ", ".join(f"[{r}, {c}]" for r, c in zip(*np.nonzero(trace.winners[k]),
                                                      strict=True))
    captions = [c.value for c in at.caption]
    assert captions.count(f"Outlined cells [row, col]: {winners}.") == 2
    assert "Outlined cells [row, col]: [2, 0]." in captions  # the kernel cell followed


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


def test_2d_lesson_tables_number_the_padding_from_minus_one():
    at = open_page("app_pages/lesson_2d.py", lesson2d_pad_rows=1, lesson2d_pad_cols=1)
    image, kernel = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]]), np.array([[1.0, 0], [0, -1]])
    shown = tables_by_chart(at)
    padded = shown["input f (padded)"]
    equal(padded, np.pad(image, 1))
    assert padded.index[0] == f"row {MINUS}1" and padded.columns[-1] == "col 3"
    equal(shown["kernel g"], kernel)
    equal(shown["output C"], conv2d(image, kernel, padding=1))


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
    equal(shown["Kernels after epoch 2"], stacked(model.params["kernels"]))
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
    assert len(at.table) == len(at.get("plotly_chart")) > 0
    assert at.query_params["tables"] == "1"
    at.toggle(key=NUMBERS_AS_TABLES).set_value(False).run()  # the toggle rules after that
    assert not at.table
