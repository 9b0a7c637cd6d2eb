"""The convolution playground through AppTest: what the page shows against cnn_core.

Values are read back from the rendered charts (the figure JSON's z, found by its title),
from the inspector's written sums and from messages; each is compared with a direct
cnn_core call or the notes' worked numbers.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from cnn_core import KERNELS, TinyCNN, avg_pool2d, conv2d, max_pool2d, relu
from cnn_core.data import NOTES_EIGHT, NOTES_TWO
from cnn_core.explain import conv2d_cell, pool_cell, written_sum
from cnn_core.number_text import number, parse_number
from tests.support.arrays import SentMap, page_maps
from tests.support.monkey_protocol import Browser
from ui.playground.exports import csv_zip, matrix_csv
from ui.playground.pipeline import ConvSettings, run_pipeline
from ui.session import state
from ui.text.playground import size_formula, size_notes
from ui.widgets.kernel_picker import cell_text, parse_kernel_cells, preset_kernel

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages/playground.py")
P = "playground_"


def sums(at: AppTest) -> list[str]:
    """The inspector's big monospace sums, as plain text."""
    return [m.value.split(">", 1)[1].rsplit("<", 1)[0].replace("&#x27;", "'")
            for m in at.markdown if "monospace" in m.value]


def size_block(at: AppTest) -> str:
    """The output-size block (the share-link box is another code element)."""
    return next(c.value for c in at.code if "S_c" in c.value)


def found_map(at: AppTest, title_start: str) -> SentMap:
    """The one map the page sent whose title starts with title_start."""
    matches = [m for m in page_maps(at).values() if m.title.startswith(title_start)]
    assert len(matches) == 1, f"{title_start!r} among {[m.title for m in page_maps(at).values()]}"
    return matches[0]


def map_z(at: AppTest, title_start: str) -> np.ndarray:
    """The values (h, w) of that map as the browser receives them (float32)."""
    return found_map(at, title_start).values[0]


def assert_map(at: AppTest, title_start: str, expected: object) -> None:
    """The map holds exactly the engine's values, as float32 (what the component sends)."""
    np.testing.assert_array_equal(map_z(at, title_start),
                                  np.asarray(expected, dtype=np.float64).astype(np.float32))


def page(drawing: np.ndarray | None = None, **state_values) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if drawing is not None:
        at.session_state[state.DRAWING] = np.array(drawing, dtype=np.float64)
    for key, value in state_values.items():
        at.session_state[key] = value
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def notes_page() -> AppTest:
    at = page(NOTES_EIGHT)
    assert_clean(at)
    return at


# ---- the notes' worked example -------------------------------------------------------

def test_page_shows_the_notes_feature_map_and_pooled_map(notes_page: AppTest):
    assert notes_page.session_state[state.KERNEL_CHOICE] == "notes_example"
    assert_map(notes_page, "Feature map C (3×3)",
               [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    assert_map(notes_page, "After ReLU (3×3)",
               [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    assert_map(notes_page, "Max pool 2×2 (2×2)", [[2, 1], [2, 1]])
    assert_map(notes_page, "Kernel g", KERNELS["notes_example"])


def test_numbers_are_written_in_the_cells_of_small_maps(notes_page: AppTest):
    feature = found_map(notes_page, "Feature map C (3×3)")
    assert feature.numbers == ["1", "2", "1", "0", "2", "0", "1", "2", "1"]
    assert feature.entry["pick"] is True and feature.entry["boxes"] == [[0, 0, 1, 1]]
    assert found_map(notes_page, "Kernel g").entry["kind"] == "positive"


def test_page_shows_the_notes_example_through_the_router():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.session_state[state.DRAWING] = np.array(NOTES_EIGHT)
    at.switch_page("app_pages/playground.py").run()
    assert_clean(at)
    assert_map(at, "Feature map C", [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    assert_map(at, "Max pool", [[2, 1], [2, 1]])


def test_settings_and_drawing_survive_a_page_switch():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/playground.py").run()
    at.segmented_control(key=f"{P}padding").set_value(2)
    at.segmented_control(key=f"{P}stride").set_value(2).run()
    at.switch_page("app_pages/gallery.py").run()
    at.switch_page("app_pages/playground.py").run()
    assert_clean(at)
    assert at.segmented_control(key=f"{P}padding").value == 2
    assert at.segmented_control(key=f"{P}stride").value == 2
    assert_map(at, "Feature map C",
               conv2d(NOTES_EIGHT, KERNELS["notes_example"], padding=2, stride=2))


def test_output_size_formula_shows_the_live_numbers(notes_page: AppTest):
    code = size_block(notes_page)
    assert "rows: S_c = (S_f − S_g + 2P) / S + 1 = (5 − 3 + 0) / 1 + 1 = 3" in code
    assert "pooled: ⌈3 / 2⌉ × ⌈3 / 2⌉ = 2 × 2" in code


# ---- kernels ---------------------------------------------------------------------------

def test_choosing_sobel_vertical_shows_the_engines_feature_map(notes_page: AppTest):
    notes_page.selectbox(key=f"{P}kernel").select("sobel_vertical").run()
    assert_clean(notes_page)
    expected = conv2d(NOTES_EIGHT, KERNELS["sobel_vertical"])
    assert_map(notes_page, "Feature map C", expected)
    assert_map(notes_page, "Max pool", max_pool2d(relu(expected)))
    assert notes_page.session_state[state.KERNEL_CHOICE] == "sobel_vertical"
    assert any("Sobel vertical edges" in c.value for c in notes_page.caption)


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_every_named_kernel_matches_conv2d_on_a_two(name: str):
    at = page(NOTES_TWO, **{state.KERNEL_CHOICE: name})
    assert_clean(at)
    assert_map(at, "Feature map C", conv2d(NOTES_TWO, KERNELS[name]))


def edit_custom(at: AppTest, edits: dict[int, dict[str, object]]) -> AppTest:
    """Type into the custom kernel's cells (row -> {column name: text})."""
    version = at.session_state[f"{P}custom_version"]
    at.session_state[f"{P}custom_editor_{version}"] = {
        "edited_rows": edits, "added_rows": [], "deleted_rows": []}
    return at.run()


@pytest.fixture
def custom_page(notes_page: AppTest) -> AppTest:
    notes_page.selectbox(key=f"{P}kernel").select("custom").run()
    assert_clean(notes_page)
    assert notes_page.session_state[state.KERNEL_CHOICE] == "custom"
    return notes_page


def test_custom_kernel_cells_are_used_once_valid(custom_page: AppTest):
    at = edit_custom(custom_page, {0: {"0": "1/2"}, 1: {"1": "−2"}, 2: {"2": "0.25"}})
    assert not at.error
    kernel = np.array([[0.5, 0, 0], [0, -2, 0], [0, 0, 0.25]])
    np.testing.assert_allclose(at.session_state[state.CUSTOM_KERNEL], kernel)
    assert_map(at, "Feature map C", conv2d(NOTES_EIGHT, kernel))


def shown(text: str) -> str:
    """A message as the student reads it: markdown's backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize(("typed", "message"), [
    ("abc", "cell [1, 2]: 'abc' is not a number"),
    (None, "cell [1, 2]: nothing is typed"),
    ("", "cell [1, 2]: nothing is typed"),
    ("nan", "cell [1, 2]: 'nan' is NaN or infinity"),
    ("inf", "cell [1, 2]: 'inf' is NaN or infinity"),
    ("1e400", "cell [1, 2]: '1e400' is too large (beyond ±1.8e308)"),
    ("−1e400", "cell [1, 2]: '−1e400' is too large (beyond ±1.8e308)"),
    ("1e300/1e-300", "cell [1, 2]: '1e300/1e-300' is too large (beyond ±1.8e308)"),
    ("1e999999999", "cell [1, 2]: '1e999999999' is too large (beyond ±1.8e308)"),
])
def test_bad_custom_cell_shows_an_error_and_keeps_the_last_good_map(custom_page: AppTest,
                                                                    typed, message):
    good = map_z(custom_page, "Feature map C").copy()  # the identity kernel's map
    drawing = custom_page.session_state[state.DRAWING].copy()
    at = edit_custom(custom_page, {1: {"2": typed}})
    assert_clean(at)
    assert len(at.error) == 1 and message in shown(at.error[0].value)
    assert "last result that worked" in at.error[0].value
    assert_map(at, "Feature map C", good)
    np.testing.assert_array_equal(at.session_state[state.DRAWING], drawing)


def test_kernel_values_whose_sums_overflow_say_so(custom_page: AppTest):
    good = map_z(custom_page, "Feature map C").copy()
    at = edit_custom(custom_page, {r: {str(c): "1e308" for c in range(3)} for r in range(3)})
    assert_clean(at)
    assert len(at.error) == 1, [e.value for e in at.error]
    message = shown(at.error[0].value)
    assert "the sums overflow" in message and "NaN" not in message
    assert "padding" not in message  # the settings are not what went wrong
    assert_map(at, "Feature map C", good)


def test_markup_typed_in_a_custom_cell_is_shown_escaped_not_as_a_link(custom_page: AppTest):
    at = edit_custom(custom_page, {0: {"0": "[x](javascript:1)"}})
    assert_clean(at)
    assert r"\[x\]\(javascript\:1" in at.error[0].value  # markdown sees text, not a link


def test_all_zero_custom_kernel_warns_that_the_map_will_be_all_zeros(custom_page: AppTest):
    at = edit_custom(custom_page, {1: {"1": "0"}})
    assert [shown(w.value) for w in at.warning] == [
        "Custom kernel is all zeros: the map will be all zeros."]
    assert not map_z(at, "Feature map C").any()


def test_custom_preset_and_size_restart_the_editor(custom_page: AppTest):
    custom_page.selectbox(key=f"{P}custom_size").select(5).run()
    assert custom_page.session_state[state.CUSTOM_KERNEL].shape == (5, 5)
    custom_page.selectbox(key=f"{P}custom_preset").select("laplacian_4").run()
    assert_clean(custom_page)
    np.testing.assert_array_equal(custom_page.session_state[state.CUSTOM_KERNEL],
                                  preset_kernel("laplacian_4", 5))
    assert_map(custom_page, "Feature map C (1×1)",
               conv2d(NOTES_EIGHT, preset_kernel("laplacian_4", 5)))


def test_start_from_lists_every_preset_once(custom_page: AppTest):
    shown = custom_page.selectbox(key=f"{P}custom_preset").options
    assert len(shown) == len(set(shown)) and "Identity" in shown and "zeros" in shown


def test_box_blur_preset_survives_the_editor_exactly(custom_page: AppTest):
    custom_page.selectbox(key=f"{P}custom_preset").select("box_blur").run()
    custom_page.run()  # the editor's text is parsed back on every run
    np.testing.assert_array_equal(custom_page.session_state[state.CUSTOM_KERNEL],
                                  KERNELS["box_blur"])
    assert custom_page.data_editor[0].value.iloc[0, 0] == "1/9"


def test_kernel_larger_than_the_padded_input_is_explained_and_the_last_map_stays(
        custom_page: AppTest):
    good = map_z(custom_page, "Feature map C").copy()
    custom_page.selectbox(key=f"{P}custom_size").select(7).run()
    assert_clean(custom_page)
    assert "does not fit in the padded input of size 5" in shown(custom_page.error[0].value)
    assert_map(custom_page, "Feature map C", good)
    custom_page.segmented_control(key=f"{P}padding").set_value(1).run()
    assert not custom_page.error
    assert map_z(custom_page, "Feature map C").shape == (1, 1)


def test_learned_kernels_are_offered_once_a_model_exists():
    model = TinyCNN(n_kernels=3, kernel_size=3, image_shape=(5, 5), seed=4)
    at = page(NOTES_EIGHT, **{state.TRAINED_MODEL: model})
    options = at.selectbox(key=f"{P}kernel").options
    assert "Learned kernel 2" in options and "Learned kernels: none yet" not in " ".join(options)
    at.selectbox(key=f"{P}kernel").select("learned:2").run()
    assert_clean(at)
    assert at.session_state[state.KERNEL_CHOICE] == "learned:2"
    assert_map(at, "Feature map C",
               conv2d(NOTES_EIGHT, model.params["kernels"][2]))


def test_without_a_model_the_learned_option_says_there_is_none_yet(notes_page: AppTest):
    box = notes_page.selectbox(key=f"{P}kernel")
    assert "Learned kernels: none yet (train a model first)" in box.options
    box.select("learned:none").run()
    assert_clean(notes_page)
    assert "No trained model yet" in notes_page.info[0].value
    assert notes_page.session_state[state.KERNEL_CHOICE] == "notes_example"
    assert_map(notes_page, "Feature map C",
               [[1, 2, 1], [0, 2, 0], [1, 2, 1]])


def test_a_vanished_learned_kernel_falls_back_to_the_notes_kernel():
    at = page(NOTES_EIGHT, **{state.KERNEL_CHOICE: "learned:5"})
    assert_clean(at)
    assert at.session_state[state.KERNEL_CHOICE] == "notes_example"


# ---- settings ----------------------------------------------------------------------------

@pytest.mark.parametrize(("padding", "stride", "pool", "size"), [
    (0, 1, "max", 2), (0, 2, "max", 2), (1, 1, "avg", 3), (2, 3, "avg", 1), (3, 2, "max", 4)])
def test_padding_stride_and_pooling_give_the_engines_shapes_and_values(padding, stride, pool,
                                                                        size):
    drawing = np.random.default_rng(padding * 10 + stride).random((8, 8)).round(2)
    at = page(drawing, **{state.KERNEL_CHOICE: "laplacian_4"})
    for key, value in (("padding", padding), ("stride", stride), ("pool", pool),
                       ("pool_size", size)):
        at.segmented_control(key=f"{P}{key}").set_value(value)
    at.run()
    assert_clean(at)
    feature = conv2d(drawing, KERNELS["laplacian_4"], padding=padding, stride=stride)
    pooled = (max_pool2d if pool == "max" else avg_pool2d)(relu(feature), size)
    assert_map(at, "Feature map C", feature)
    assert_map(at, f"{pool.capitalize()} pool", pooled)
    assert map_z(at, "Input f").shape == (8 + 2 * padding,) * 2


def test_relu_off_pools_the_raw_feature_map(notes_page: AppTest):
    notes_page.selectbox(key=f"{P}kernel").select("laplacian_8").run()
    notes_page.toggle(key=f"{P}relu").set_value(False).run()
    feature = conv2d(NOTES_EIGHT, KERNELS["laplacian_8"])
    assert_map(notes_page, "ReLU off", feature)
    assert_map(notes_page, "Max pool", max_pool2d(feature))


def test_stride_that_skips_inputs_says_so():
    at = page(np.zeros((8, 8)))
    at.segmented_control(key=f"{P}stride").set_value(2).run()
    code = size_block(at)
    assert "⌊(8 − 3 + 0) / 2⌋ + 1 = ⌊2.5⌋ + 1 = 3" in code
    assert "stride 2 leaves input unused: the last row is never read" in code


def test_input_view_marks_the_padding_and_outlines_the_window(notes_page: AppTest):
    notes_page.segmented_control(key=f"{P}padding").set_value(2).run()
    seen = found_map(notes_page, "Input f + padding")
    assert seen.values.shape == (1, 9, 9) and seen.entry["kind"] == "ink"
    assert seen.entry["inner"] == [2, 2, 5, 5]  # the drawing inside its padding
    assert seen.entry["boxes"] == [[0, 0, 3, 3]]  # C(0,0)'s window
    notes_page.number_input(key=f"{P}row").set_value(2)
    notes_page.number_input(key=f"{P}col").set_value(1).run()
    assert found_map(notes_page, "Input f + padding").entry["boxes"] == [[2, 1, 3, 3]]


# ---- inspector -----------------------------------------------------------------------------

def test_inspector_writes_the_notes_sum_of_the_picked_cell(notes_page: AppTest):
    notes_page.number_input(key=f"{P}row").set_value(1)
    notes_page.number_input(key=f"{P}col").set_value(2).run()
    cell = conv2d_cell(NOTES_EIGHT, KERNELS["notes_example"], 1, 2)
    assert sums(notes_page)[0] == written_sum(cell)
    assert sums(notes_page)[0].endswith("= 0")
    assert any("[row, col]" in c.value and "C(1,2) is row 1, column 2" in c.value
               for c in notes_page.caption)


@pytest.mark.parametrize(("padding", "stride"), [(0, 1), (1, 2), (2, 3)])
def test_every_written_sum_equals_the_engines_value(padding, stride):
    drawing = np.random.default_rng(3).random((8, 8)).round(1)
    at = page(drawing, **{state.KERNEL_CHOICE: "sobel_horizontal"})
    at.segmented_control(key=f"{P}padding").set_value(padding)
    at.segmented_control(key=f"{P}stride").set_value(stride).run()
    feature = conv2d(drawing, KERNELS["sobel_horizontal"], padding=padding, stride=stride)
    for row, col in [(0, 0), (feature.shape[0] - 1, feature.shape[1] - 1), (1, 0)]:
        at.number_input(key=f"{P}row").set_value(row)
        at.number_input(key=f"{P}col").set_value(col).run()
        written = sums(at)[0]
        total = float(written.rsplit("= ", 1)[1].replace("−", "-"))
        assert total == pytest.approx(feature[row, col], abs=5e-4)
        assert written.startswith(f"C({row},{col}) = ")


def test_pooled_cell_names_its_winner_and_outlines_its_window(notes_page: AppTest):
    notes_page.number_input(key=f"{P}prow").set_value(1)
    notes_page.number_input(key=f"{P}pcol").set_value(1).run()
    assert sums(notes_page)[1] == "P(1,1) = max(1) = 1"  # the cut-off corner window
    assert found_map(notes_page, "After ReLU (3×3)").entry["boxes"] == [[2, 2, 1, 1]]
    assert found_map(notes_page, "Max pool").entry["boxes"] == [[1, 1, 1, 1]]
    notes_page.number_input(key=f"{P}pcol").set_value(0).run()
    explained = pool_cell(relu(conv2d(NOTES_EIGHT, KERNELS["notes_example"])), 1, 0)
    assert sums(notes_page)[1] == "P(1,0) = max(1, 2) = 2" and explained.value == 2
    assert any("The winner is [2, 1]." in c.value for c in notes_page.caption)


def test_average_pooling_writes_the_mean(notes_page: AppTest):
    notes_page.segmented_control(key=f"{P}pool").set_value("avg").run()
    assert sums(notes_page)[1] == "P(0,0) = (1 + 2 + 0 + 2) / 4 = 1.25"


def test_inspector_index_is_clamped_when_the_map_shrinks(notes_page: AppTest):
    notes_page.number_input(key=f"{P}row").set_value(2).run()
    notes_page.segmented_control(key=f"{P}stride").set_value(3).run()
    assert_clean(notes_page)
    assert notes_page.number_input(key=f"{P}row").value == 0


# ---- compare and export ---------------------------------------------------------------------

def test_compare_mode_shows_two_kernels_side_by_side(notes_page: AppTest):
    notes_page.toggle(key=f"{P}compare").set_value(True).run()
    assert_clean(notes_page)
    assert_map(notes_page, "A: feature map",
               [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    assert_map(notes_page, "B: feature map",
               conv2d(NOTES_EIGHT, KERNELS["sobel_vertical"]))
    notes_page.segmented_control(key="playground_b_padding").set_value(1).run()
    assert map_z(notes_page, "B: feature map").shape == (5, 5)
    assert notes_page.session_state[state.KERNEL_CHOICE] == "notes_example"


def test_compare_b_custom_kernel_keeps_its_own_matrix(notes_page: AppTest):
    notes_page.toggle(key=f"{P}compare").set_value(True).run()
    notes_page.selectbox(key="playground_b_kernel").select("custom").run()
    version = notes_page.session_state["playground_b_custom_version"]
    notes_page.session_state[f"playground_b_custom_editor_{version}"] = {
        "edited_rows": {0: {"0": "3"}}, "added_rows": [], "deleted_rows": []}
    notes_page.run()
    assert_clean(notes_page)
    kernel_b = np.array([[3.0, 0, 0], [0, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(notes_page.session_state["playground_b_custom_kernel"], kernel_b)
    np.testing.assert_array_equal(notes_page.session_state[state.CUSTOM_KERNEL],
                                  [[0, 0, 0], [0, 1, 0], [0, 0, 0]])  # A's is untouched
    assert_map(notes_page, "B: feature map",
               conv2d(NOTES_EIGHT, kernel_b))
    assert_map(notes_page, "A: feature map",
               [[1, 2, 1], [0, 2, 0], [1, 2, 1]])


def test_every_shown_matrix_can_be_downloaded(notes_page: AppTest):
    assert [b.label for b in notes_page.download_button] == ["CSV", "All matrices (zip)"]
    names = notes_page.selectbox(key=f"{P}export").options
    assert names == ["drawing", "input_as_seen", "kernel", "feature_map", "after_relu",
                     "pooled"]
    run = run_pipeline(NOTES_EIGHT, KERNELS["notes_example"], ConvSettings())
    archive = zipfile.ZipFile(io.BytesIO(csv_zip({"feature_map": run.feature,
                                                  "pooled": run.pooled})))
    assert archive.read("pooled.csv").decode() == "2,1\n2,1\n"
    assert matrix_csv(np.array([[-0.5, 1 / 3]])) == "-0.5,0.3333333333\n"


# ---- the pure builders behind the page ---------------------------------------------------------

def test_size_formula_matches_output_size_for_every_setting():
    for n in (5, 8, 16, 32):
        for k in (1, 3, 5):
            for p in range(4):
                for s in (1, 2, 3):
                    text = size_formula(n, k, p, s)
                    out = conv2d(np.zeros((n, n)), np.ones((k, k)), padding=p, stride=s).shape[0]
                    assert text.endswith(f"= {out}")
    assert size_formula(5, 3, 0, 1) == "S_c = (S_f − S_g + 2P) / S + 1 = (5 − 3 + 0) / 1 + 1 = 3"


def test_size_notes_count_unused_rows_and_pooled_size():
    run = run_pipeline(np.zeros((8, 8)), np.ones((3, 3)), ConvSettings(padding=0, stride=3))
    notes = [line.strip() for line in size_notes(run)]
    assert "stride 3 leaves input unused: the last 2 rows are never read" in notes
    assert notes[-1].startswith("pooled: ⌈2 / 2⌉ × ⌈2 / 2⌉ = 1 × 1")


def test_editor_text_of_every_named_kernel_parses_back_exactly():
    for kernel in KERNELS.values():
        assert all(parse_number(cell_text(v)) == v for v in kernel.ravel())
    assert [cell_text(v) for v in (1 / 9, 0.0625, -2.0, 0.1)] == ["1/9", "0.0625", "-2", "0.1"]


def test_parse_kernel_cells_accepts_fractions_and_names_every_bad_cell():
    kernel, warning = parse_kernel_cells([["1/9", "−1"], [" 2 ", "\u20130.5"]])
    np.testing.assert_allclose(kernel, [[1 / 9, -1], [2, -0.5]])  # an en dash is a minus
    assert warning is None
    with pytest.raises(ValueError, match=r"cell \[0, 0\]: nothing is typed; cell \[0, 1\]: "
                                         r"'x' is not a number; cell \[1, 0\]: '-inf' is NaN"):
        parse_kernel_cells([[None, "x"], ["-inf", "1/0"]])


def test_presenter_mode_folds_the_settings_and_says_them_in_one_line():
    at = page(NOTES_EIGHT, **{state.PRESENTER: True})
    assert_clean(at)
    assert [e.label for e in at.expander] == ["Kernel and settings"]
    at.selectbox(key=f"{P}kernel").select("sobel_vertical").run()
    assert_clean(at)
    assert any(c.value == "**Sobel vertical edges**, P = 0, S = 1, ReLU, max pool 2×2"
               for c in at.caption)
    assert_map(at, "Feature map C",
               conv2d(NOTES_EIGHT, KERNELS["sobel_vertical"]))


# ---- picking a cell on a map -------------------------------------------------------------

def pick_on_map(at: AppTest, map_id: str, row: int, col: int) -> AppTest:
    """A click on a map cell as the browser sends it: the map component's select trigger."""
    element = next(e for e in at.get("bidi_component") if e.proto.component_name.endswith(
        ".map") and any(m["id"] == map_id for m in json.loads(e.proto.json)["maps"]))
    events = json.dumps([{"event": "select", "value": {"map": map_id, "row": row,
                                                       "col": col}}])
    Browser().send(at, [WidgetState(id=_make_trigger_id(element.proto.id, "events"),
                                    json_trigger_value=events)])
    return at


def test_clicking_a_feature_map_cell_inspects_it_and_the_pickers_follow(notes_page: AppTest):
    pick_on_map(notes_page, "feature", 2, 1)
    assert_clean(notes_page)
    assert notes_page.number_input(key=f"{P}row").value == 2
    assert notes_page.number_input(key=f"{P}col").value == 1
    cell = conv2d_cell(NOTES_EIGHT, KERNELS["notes_example"], 2, 1)
    assert sums(notes_page)[0] == written_sum(cell)
    assert found_map(notes_page, "Feature map C").entry["boxes"] == [[2, 1, 1, 1]]
    assert found_map(notes_page, "Input f").entry["boxes"] == [[2, 1, 3, 3]]


def test_clicking_a_pooled_cell_inspects_it(notes_page: AppTest):
    pick_on_map(notes_page, "pooled", 1, 0)
    assert_clean(notes_page)
    assert notes_page.number_input(key=f"{P}prow").value == 1
    assert notes_page.number_input(key=f"{P}pcol").value == 0
    assert sums(notes_page)[1] == "P(1,0) = max(1, 2) = 2"
    assert found_map(notes_page, "After ReLU").entry["boxes"] == [[2, 0, 1, 2]]


def test_a_pick_outside_the_map_or_on_a_map_without_picking_changes_nothing(notes_page: AppTest):
    pick_on_map(notes_page, "feature", 7, 0)  # a stale or forged message
    pick_on_map(notes_page, "relu", 1, 1)
    assert_clean(notes_page)
    assert notes_page.number_input(key=f"{P}row").value == 0
    assert notes_page.number_input(key=f"{P}prow").value == 0


# ---- kernels too large to draw (the monkey's defect a) ---------------------------------------

@pytest.mark.parametrize("cells", [
    {1: {"1": "-1e308"}},  # one huge cell: the sums do not overflow, the maps cannot hold it
    {0: {"0": "1e308", "2": "-1e308"}, 2: {"1": "−1e308"}},
    {r: {str(c): "1e308" if (r + c) % 2 else "-1e308" for c in range(3)} for r in range(3)},
    {1: {"1": "1e39"}},  # just beyond float32
])
def test_a_kernel_of_huge_values_says_so_and_keeps_the_last_maps(custom_page: AppTest, cells):
    good = map_z(custom_page, "Feature map C").copy()
    at = edit_custom(custom_page, cells)
    assert_clean(at)
    assert len(at.error) == 1, [e.value for e in at.error]
    message = shown(at.error[0].value)
    assert "too large" in message and "last result that worked" in message
    assert_map(at, "Feature map C", good)
    for sent in page_maps(at).values():
        assert np.isfinite(sent.values).all() and "inf" not in " ".join(sent.numbers)


def test_a_kernel_just_inside_the_maps_range_is_drawn_with_its_numbers(custom_page: AppTest):
    at = edit_custom(custom_page, {1: {"1": "1e30"}})
    assert_clean(at)
    assert not at.error
    assert_map(at, "Feature map C", conv2d(NOTES_EIGHT, np.diag([0, 1e30, 0])))
    kernel = found_map(at, "Kernel g")  # written from its float32, as hover and colour read it
    assert kernel.numbers[4] == number(float(np.float32(1e30)), decimals=2)
    assert kernel.values[0, 1, 1] == np.float32(1e30)


# ---- the sliding window, animated ------------------------------------------------------------

SLIDE_STEP = f"{P}slide_step"


def slide_frame(at: AppTest) -> tuple[SentMap, SentMap, str]:
    """The sliding window's input map, its map so far and the sum written under them."""
    maps = page_maps(at)
    return maps["slide_input"], maps["slide_output"], sums(at)[-1]


@pytest.mark.parametrize(("padding", "stride"), [(0, 1), (1, 2), (2, 3)])
def test_each_window_position_fills_conv2ds_first_cells_and_writes_the_current_sum(padding,
                                                                                   stride):
    drawing = np.random.default_rng(padding + 7 * stride).random((8, 8)).round(2)
    at = page(drawing, **{state.KERNEL_CHOICE: "sobel_horizontal", f"{P}slide": True})
    at.segmented_control(key=f"{P}padding").set_value(padding)
    at.segmented_control(key=f"{P}stride").set_value(stride).run()
    feature = conv2d(drawing, KERNELS["sobel_horizontal"], padding=padding, stride=stride)
    for step in range(feature.size):
        assert_clean(at)
        assert at.session_state[SLIDE_STEP] == step
        seen, so_far, written = slide_frame(at)
        flat = so_far.values[0].ravel()
        np.testing.assert_array_equal(flat[:step + 1],
                                      feature.ravel()[:step + 1].astype(np.float32))
        assert np.isnan(flat[step + 1:]).all()
        row, col = divmod(step, feature.shape[1])
        assert so_far.entry["boxes"] == [[row, col, 1, 1]]
        assert seen.entry["boxes"] == [[row * stride, col * stride, 3, 3]]
        assert written == written_sum(conv2d_cell(drawing, KERNELS["sobel_horizontal"], row,
                                                  col, padding=padding, stride=stride))
        total = parse_number(written.rsplit(" ", 1)[1])
        assert total == pytest.approx(feature[row, col], abs=5e-3)
        at.button(key=f"{P}slide_forward").click().run()
    assert at.session_state[SLIDE_STEP] == feature.size - 1  # the last step stays put
    at.button(key=f"{P}slide_back").click().run()
    assert at.session_state[SLIDE_STEP] == feature.size - 2
    assert np.isnan(slide_frame(at)[1].values[0, -1, -1])


def test_the_map_so_far_keeps_the_whole_maps_colour_scale():
    at = page(NOTES_EIGHT, **{state.KERNEL_CHOICE: "laplacian_4", f"{P}slide": True})
    feature = conv2d(NOTES_EIGHT, KERNELS["laplacian_4"])
    biggest = np.abs(feature).max()
    so_far = slide_frame(at)[1].entry
    assert (so_far["kind"], so_far["lo"], so_far["hi"]) == ("signed", -biggest, biggest)


def test_play_advances_one_window_a_tick_and_stops_at_the_end(notes_page: AppTest):
    notes_page.toggle(key=f"{P}slide").set_value(True).run()
    assert notes_page.session_state[SLIDE_STEP] == 0
    notes_page.button(key=f"{P}slide_play").click().run()
    assert_clean(notes_page)
    assert notes_page.session_state[SLIDE_STEP] == 1  # the run that starts the timer steps
    assert notes_page.button(key=f"{P}slide_play").label == "⏸ Pause"
    for step in range(2, 9):
        notes_page.run()  # one tick of run_every
        assert notes_page.session_state[SLIDE_STEP] == step
    assert notes_page.session_state[f"{P}slide_playing"] is False  # stopped at C(2,2)
    assert notes_page.button(key=f"{P}slide_play").label == "▶ Play"
    notes_page.run()
    assert notes_page.session_state[SLIDE_STEP] == 8
    notes_page.button(key=f"{P}slide_play").click().run()  # play again from the start
    assert notes_page.session_state[SLIDE_STEP] == 1
    notes_page.button(key=f"{P}slide_play").click().run()  # pause
    notes_page.run()
    assert notes_page.session_state[SLIDE_STEP] == 1


def test_the_window_position_stays_inside_a_map_that_shrinks(notes_page: AppTest):
    notes_page.toggle(key=f"{P}slide").set_value(True).run()
    notes_page.slider(key=f"{P}slide_slider").set_value(8).run()
    notes_page.segmented_control(key=f"{P}stride").set_value(2).run()
    assert_clean(notes_page)
    assert notes_page.session_state[SLIDE_STEP] == 3  # C is 2x2 now
    assert slide_frame(notes_page)[2].startswith("C(1,1) = ")


def test_numbers_as_tables_follow_every_map_with_its_numbers():
    at = page(NOTES_EIGHT, **{state.NUMBERS_AS_TABLES: True})
    assert_clean(at)
    run = run_pipeline(NOTES_EIGHT, KERNELS["notes_example"], ConvSettings())
    shown = [t.value.to_numpy(dtype=float) for t in at.table]
    expected = [run.padded, run.kernel, run.feature, run.activated, run.pooled]
    assert len(shown) == len(expected)  # input, kernel, feature map, ReLU, pooled
    for table, values in zip(shown, expected, strict=True):
        np.testing.assert_array_equal(table, values)
