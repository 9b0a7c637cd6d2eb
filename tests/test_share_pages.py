"""Share links on real pages: the URL follows the user's work, and a fresh session opened
with that URL shows the same numbers; tampered links never crash and are never echoed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import KERNELS, avg_pool2d, conv2d
from cnn_core.data import NOTES_EIGHT
from tests.support.arrays import page_maps
from ui.codecs.url_values import encode_drawing, encode_kernel
from ui.session import state
from ui.widgets.kernel_picker import kernel_label

ROOT = Path(__file__).resolve().parents[1]
PLAYGROUND = str(ROOT / "app_pages" / "playground.py")
FLIPPED_1D = "Σj f(i−j) g(j): true convolution, g flipped"


def map_z(at: AppTest, title_start: str) -> np.ndarray:
    """The values (h, w) of the one map whose title starts so, as sent (float32)."""
    matches = [m for m in page_maps(at).values() if m.title.startswith(title_start)]
    assert len(matches) == 1, [m.title for m in page_maps(at).values()]
    return matches[0].values[0]


def assert_map(at: AppTest, title_start: str, expected: object) -> None:
    """That map holds exactly these values as float32 (what the map component sends)."""
    np.testing.assert_array_equal(map_z(at, title_start),
                                  np.asarray(expected, dtype=np.float64).astype(np.float32))


def fresh(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(page, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_the_url_follows_the_playground_and_reopens_with_the_same_numbers():
    drawing = np.zeros((8, 8))
    drawing[1:7, 2] = drawing[1, 2:6] = 1
    at = AppTest.from_file(PLAYGROUND, default_timeout=60)
    at.session_state[state.DRAWING] = drawing
    at.session_state[state.KERNEL_CHOICE] = "custom"
    at.session_state[state.CUSTOM_KERNEL] = np.array([[1.0, -1], [0.5, 1 / 9]])
    at.session_state["playground_padding"] = 1
    at.session_state["playground_stride"] = 2
    at.session_state["playground_pool"] = "avg"
    at.run()
    assert not at.exception
    params = {key: at.query_params[key] for key in at.query_params}
    assert params["d"] == encode_drawing(drawing) and params["pad"] == "1"

    reopened = fresh(PLAYGROUND, params)
    assert not reopened.exception
    kernel = np.array([[1.0, -1], [0.5, 1 / 9]])
    expected = conv2d(drawing, kernel, padding=1, stride=2)
    assert_map(reopened, "Feature map", expected)
    assert_map(reopened, "Avg pool", avg_pool2d(np.maximum(expected, 0), 2))


def test_a_tampered_link_falls_back_to_defaults_with_a_notice_and_echoes_nothing():
    script = "<script>alert(1)</script>"
    at = fresh(PLAYGROUND, {"pad": "99", "k": script, "d": "5.b.@@@", "kv": script,
                            "relu": "NaN", "ps": "1e308"})
    assert not at.exception
    notice = " ".join(c.value for c in at.caption if c.value.startswith("Share link"))
    for name in ("pad", "k", "d", "relu", "ps"):
        assert f"'{name}'" in notice
    everything = " ".join(str(e.value) for e in at.markdown) + notice
    assert "<script>" not in everything
    assert at.session_state["playground_padding"] == 0
    assert_map(at, "Feature map", [[1, 2, 1], [0, 2, 0], [1, 2, 1]])


def test_a_valid_link_with_one_bad_value_keeps_the_good_values():
    drawing = np.eye(5)
    at = fresh(PLAYGROUND, {"d": encode_drawing(drawing), "s": "7", "kv": encode_kernel([[2.0]]),
                            "k": "custom"})
    assert not at.exception
    np.testing.assert_array_equal(at.session_state[state.DRAWING], drawing)
    assert at.session_state["playground_stride"] == 1
    assert_map(at, "Feature map", 2 * drawing)


TRAINING = str(Path(__file__).parents[1] / "app_pages" / "training.py")


def test_the_training_link_carries_every_hyperparameter_and_the_seed():
    at = AppTest.from_file(TRAINING, default_timeout=60)
    at.session_state["training_dataset"] = "digits"
    at.run()
    at.session_state["training_learning_rate"] = 0.003
    at.session_state["training_seed"] = 42
    at.session_state["training_init"] = "named"
    at.session_state["training_names"] = ["laplacian_4", "sharpen"]
    at.run()
    params = {key: at.query_params[key] for key in at.query_params}
    assert params["ds"] == "digits" and params["lr"] == "0.003" and params["seed"] == "42"
    assert params["kn"] == "laplacian_4.sharpen"
    reopened = fresh(TRAINING, params)
    assert not reopened.exception
    for key in ("training_dataset", "training_n_kernels", "training_learning_rate",
                "training_batch_size", "training_optimizer", "training_seed", "training_init",
                "training_names"):
        assert reopened.session_state[key] == at.session_state[key], key


def test_a_training_link_with_an_impossible_batch_size_uses_the_default():
    at = fresh(TRAINING, {"bs": "3", "opt": "rmsprop", "nk": "4"})
    assert not at.exception
    assert at.session_state["training_batch_size"] == 1
    assert at.session_state["training_optimizer"] == "adam"
    assert at.session_state["training_n_kernels"] == 4


# --- the other pages: set some state, read the URL, reopen it fresh, same numbers -----------

def round_trip(page: str, first: dict, then: dict | None = None) -> tuple[AppTest, AppTest]:
    """The page with ``first`` in session_state, then widget values ``then`` (a second run,
    as a student's clicks), and a fresh session opened with the URL it wrote."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    for key, value in first.items():
        at.session_state[key] = value
    at.run()
    for key, value in (then or {}).items():
        at.session_state[key] = value
    if then:
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    reopened = fresh(str(ROOT / page), {key: at.query_params[key] for key in at.query_params})
    assert not reopened.exception, [e.value for e in reopened.exception]
    return at, reopened


def said(at: AppTest) -> list[str]:
    return [element.value for element in at.markdown] + [element.value for element in at.code]


def test_the_forward_link_carries_the_drawing_kernel_and_predict_first():
    drawing = np.zeros((16, 16))
    drawing[2:14, 8] = 1  # a "1"
    at, reopened = round_trip("app_pages/forward_pass.py", {state.DRAWING: drawing},
                              {"forward_detail": True, "forward_kernel": 5,
                               "forward_fit": False})
    assert {"d", "fd", "fk", "fit"} <= set(at.query_params)
    np.testing.assert_array_equal(reopened.session_state[state.DRAWING], drawing)
    assert reopened.selectbox(key="forward_kernel").value == 5
    assert reopened.toggle(key="forward_fit").value is False
    prediction = [m for m in said(at) if m.startswith("The network says")]
    assert prediction and prediction == [m for m in said(reopened)
                                         if m.startswith("The network says")]


def test_a_forward_link_with_a_kernel_the_network_lacks_opens_on_kernel_0():
    at = fresh(str(ROOT / "app_pages/forward_pass.py"), {"fk": "15", "nx": "1"})
    assert not at.exception
    assert at.session_state["forward_notes"] is True  # the notes' network has one kernel
    at = fresh(str(ROOT / "app_pages/forward_pass.py"), {"fd": "1", "fk": "99"})
    assert "'fk'" in " ".join(c.value for c in at.caption)
    assert at.selectbox(key="forward_kernel").value == 0


def test_the_backprop_link_carries_label_kernel_cell_and_rate():
    at, reopened = round_trip("app_pages/backprop.py", {state.DRAWING: np.eye(16)},
                              {"backprop_label": 3, "backprop_kernel": 2, "backprop_m": 0,
                               "backprop_n": 1, "backprop_rate": 0.5})
    assert at.query_params["y"] == "3" and at.query_params["eta"] == "0.5"
    written = at.code[-1].value
    assert written.startswith("dL/dg(0,1) = ") and reopened.code[-1].value == written
    assert reopened.number_input(key="backprop_rate").value == 0.5


def test_the_1d_lesson_link_carries_the_lists_convention_padding_and_step():
    at, reopened = round_trip("app_pages/lesson_1d.py",
                              {"lesson1d_f": "3, −1, 4, 1, 5, 9", "lesson1d_pad_left": 2,
                               "lesson1d_convention": FLIPPED_1D}, {"lesson1d_step": 3})
    assert "d" not in at.query_params  # the drawing has nothing to do with this lesson
    assert at.query_params["cv"] == "1" and at.query_params["i"] == "3"
    sums = [m for m in said(at) if 'class="lesson-sum"' in m]
    assert sums and sums == [m for m in said(reopened) if 'class="lesson-sum"' in m]
    assert reopened.radio(key="lesson1d_convention").value == FLIPPED_1D


def test_the_2d_lesson_link_carries_both_matrices_and_the_geometry():
    image = np.arange(20.0).reshape(4, 5) / 4
    kernel = np.array([[1.0, -2.0, 0.5]])
    at, reopened = round_trip("app_pages/lesson_2d.py", {"lesson2d_image_src": image,
                                                         "lesson2d_kernel_src": kernel},
                              {"lesson2d_pad_cols": 1, "lesson2d_stride_rows": 2})
    np.testing.assert_array_equal(reopened.session_state["lesson2d_image_src"], image)
    np.testing.assert_array_equal(reopened.session_state["lesson2d_kernel_src"], kernel)
    expected = conv2d(image, kernel, padding=(0, 1), stride=(2, 1))
    assert reopened.caption and any(f"a {expected.shape[0]}×{expected.shape[1]} output" in c.value
                                    for c in reopened.caption)
    sums = [m for m in said(at) if 'class="lesson-sum"' in m]
    assert sums and sums == [m for m in said(reopened) if 'class="lesson-sum"' in m]


@pytest.mark.parametrize("page, params", [
    ("app_pages/lesson_1d.py", {"f": "<script>alert(1)</script>", "g": "1, 0, -1",
                                "cv": "7", "s": "-1"}),
    ("app_pages/lesson_2d.py", {"f": "1~2_3", "g": "nan~1", "sr": "x"}),
    ("app_pages/gallery.py", {"relu": "<b>", "d": "8.b.!!"}),
    ("app_pages/backprop.py", {"y": "10", "eta": "inf", "m": "-1", "bk": "1e9"}),
])
def test_tampered_links_on_every_page_fall_back_with_a_notice_and_echo_nothing(page, params):
    at = fresh(str(ROOT / page), params)
    assert not at.exception, [e.value for e in at.exception]
    notice = " ".join(c.value for c in at.caption if c.value.startswith("Share link"))
    bad = {name for name in params if name not in ("g",)}
    for name in bad:
        assert f"'{name}'" in notice, (name, notice)
    shown = " ".join(said(at)) + " ".join(c.value for c in at.caption)
    for value in params.values():
        if len(value) > 3:
            assert value not in shown.replace(notice, "")


def test_the_playground_link_carries_the_inspected_cells():
    at, reopened = round_trip("app_pages/playground.py", {state.DRAWING: np.array(NOTES_EIGHT)},
                              {"playground_row": 1, "playground_col": 2,
                               "playground_prow": 1, "playground_pcol": 0})
    cells = {k: at.query_params[k] for k in at.query_params if k in ("r", "c", "pr", "pc")}
    assert cells == {"r": "1", "c": "2", "pr": "1"}  # pc is 0, the default: not written
    shown = said(reopened)
    assert any("C(1,2) = " in text for text in shown), shown
    assert any("P(1,0) = " in text for text in shown), shown


def test_the_playground_link_carries_compare_mode_and_the_b_settings():
    at, reopened = round_trip("app_pages/playground.py", {"playground_compare": True},
                              {"playground_b_kernel": "laplacian_4", "playground_b_stride": 2,
                               "playground_b_pool": "avg"})
    assert at.query_params["cmp"] == "1" and at.query_params["kb"] == "laplacian_4"
    for key in ("playground_compare", "playground_b_kernel", "playground_b_stride",
                "playground_b_pool"):
        assert reopened.session_state[key] == at.session_state[key], key
    expected = conv2d(NOTES_EIGHT, KERNELS["laplacian_4"], stride=2)
    assert_map(reopened, "B: feature map", expected)
    assert_map(reopened, "B: feature map", map_z(at, "B: feature map"))


def test_the_playground_link_opens_the_sliding_window_but_not_its_position():
    at, reopened = round_trip("app_pages/playground.py", {state.DRAWING: np.array(NOTES_EIGHT)},
                              {"playground_slide": True, "playground_slide_step": 4})
    assert at.query_params["slide"] == "1"
    assert not any("4" in at.query_params[key] for key in at.query_params if "slide" in key)
    assert reopened.session_state["playground_slide"] is True
    maps = page_maps(reopened)
    assert maps["slide_output"].title == "C so far: 1 of 9 cells"  # from the start
    np.testing.assert_array_equal(maps["slide_output"].values[0, 0, 0], 1.0)


def test_a_link_opens_with_the_sidebar_reminding_its_drawing_and_kernel():
    drawing = np.zeros((16, 16))
    drawing[2:14, 8] = 1
    at, _ = round_trip("app_pages/playground.py",
                       {state.DRAWING: drawing, state.KERNEL_CHOICE: "sobel_vertical"})
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key in at.query_params:
        app.query_params[key] = at.query_params[key]
    app.switch_page("app_pages/playground.py").run()
    assert not app.exception
    np.testing.assert_array_equal(app.session_state[state.DRAWING], drawing)
    thumbnail = next(e for e in app.sidebar if type(e).__name__ == "Image").proto.imgs[0]
    assert thumbnail.caption.startswith("Your drawing (16x16)")  # the link's, not the 5x5
    assert [c.value for c in app.sidebar.caption] == [
        f"Kernel: {kernel_label('sobel_vertical')}"]
