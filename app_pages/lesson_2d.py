"""2D convolution, stepped window by window: [row, col] positions, padding, stride, size."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from cnn_core import conv2d, output_size
from cnn_core.explain import conv2d_cell, written_sum
from ui.codecs.url import int_field, matrix_field
from ui.figures.lessons import padded
from ui.lessons.matrices import (
    NOTES_IMAGE,
    NOTES_KERNEL,
    check_filled,
    matrix_binding,
    matrix_editor,
    reset_to_notes,
    sizes_strip,
)
from ui.session.page import start_page
from ui.text.lessons import big_line, size_latex, style
from ui.text.safe import plain
from ui.widgets.charts import Matrix
from ui.widgets.map import Map, map_view
from ui.widgets.stepper import stepper

PREFIX = "lesson2d"
LAST_GOOD = f"{PREFIX}_last_good"
SHARED = [
    (matrix_field("f", NOTES_IMAGE, max_size=8, max_abs=1e6), matrix_binding(PREFIX, "image")),
    (matrix_field("g", NOTES_KERNEL, max_size=5, max_abs=1e6), matrix_binding(PREFIX, "kernel")),
    (int_field("pr", 0, 0, 3), f"{PREFIX}_pad_rows"),
    (int_field("pc", 0, 0, 3), f"{PREFIX}_pad_cols"),
    (int_field("sr", 1, 0, 4), f"{PREFIX}_stride_rows"),
    (int_field("sc", 1, 0, 4), f"{PREFIX}_stride_cols"),
    (int_field("i", 0, 0, 999), f"{PREFIX}_step"),
]
page = start_page("lesson_2d", "2D convolution: slide a window over a grid", SHARED,
                  drawing=False)
presenter = page.presenter
st.markdown(style(presenter), unsafe_allow_html=True)
st.latex(r"C(i, j) = \sum_m \sum_n f(i \cdot S + m,\; j \cdot S + n)\, g(m, n)")
st.info("Positions are **[row, col]**: C(0,1) is row 0, column 1 (top row, second cell). "
        "The notes name their 2D outputs in (x, y) order, so the top-right output of their "
        "3×3 example, which they call C(1,0), is **C(0,1)** here.")
st.markdown(big_line(written_sum(conv2d_cell(NOTES_IMAGE, NOTES_KERNEL, 0, 1)),
                     kind="row", label="the notes' C(1,0) is"), unsafe_allow_html=True)

with st.expander("Edit the image f and the kernel g", expanded=False):
    st.button("Load the notes' example", on_click=reset_to_notes, args=(PREFIX,),
              key=f"{PREFIX}_reset")
    left, right = st.columns(2)
    with left:
        image = matrix_editor(PREFIX, "image", "Image f", max_size=8)
    with right:
        kernel = matrix_editor(PREFIX, "kernel", "Kernel g", max_size=5)
a, b, c, d = st.columns(4)
pad_rows = a.number_input("Padding P (rows)", 0, 3, 0, key=f"{PREFIX}_pad_rows")
pad_cols = b.number_input("Padding P (cols)", 0, 3, 0, key=f"{PREFIX}_pad_cols")
stride_rows = c.number_input("Stride S (rows)", 0, 4, 1, key=f"{PREFIX}_stride_rows",
                             help="0 is shown as an error: the window would never move.")
stride_cols = d.number_input("Stride S (cols)", 0, 4, 1, key=f"{PREFIX}_stride_cols")


def compute(image: np.ndarray, kernel: np.ndarray, pads: tuple[int, int],
            strides: tuple[int, int]) -> dict:
    """Everything the page shows, from cnn_core; ValueError for any bad input."""
    check_filled(image, "Image f")
    check_filled(kernel, "Kernel g")
    out = conv2d(image, kernel, padding=pads, stride=strides)
    if not np.all(np.isfinite(out)):
        raise ValueError("these numbers are too large: the sums overflow")
    cells = [conv2d_cell(image, kernel, r, c, padding=pads, stride=strides)
             for r in range(out.shape[0]) for c in range(out.shape[1])]
    sizes = [output_size(image.shape[axis], kernel.shape[axis], padding=pads[axis],
                         stride=strides[axis]) for axis in (0, 1)]
    return dict(image=image, kernel=kernel, pads=pads, strides=strides, out=out,
                cells=cells, sizes=sizes)


try:
    lesson = compute(image, kernel, (int(pad_rows), int(pad_cols)),
                     (int(stride_rows), int(stride_cols)))
    st.session_state[LAST_GOOD] = lesson
except ValueError as error:
    st.error(plain(f"Cannot compute this: {error}. Showing the last valid input instead."))
    lesson = st.session_state.get(LAST_GOOD) or compute(NOTES_IMAGE, NOTES_KERNEL, (0, 0),
                                                         (1, 1))
    st.caption(f"Last valid input: a {lesson['image'].shape[0]}×{lesson['image'].shape[1]} "
               f"image, a {lesson['kernel'].shape[0]}×{lesson['kernel'].shape[1]} kernel, "
               f"P = {lesson['pads']}, S = {lesson['strides']}.")
out = lesson["out"]


def step_maps(step: int) -> list[Map]:
    """One output cell's three maps: the padded input with its window (ticks count from the
    padding's −1), the kernel, and the output with that cell outlined."""
    cell = lesson["cells"][step]
    name = "C({},{})".format(*cell.output_index)
    (pad_h, pad_w), (h, w) = lesson["pads"], lesson["image"].shape
    image = padded(lesson["image"], lesson["pads"])
    window = (*cell.window_start, *lesson["kernel"].shape)
    return [Map(image, title="input f (padded)" if pad_h or pad_w else "input f", id="input",
                boxes=[window], inner=(pad_h, pad_w, h, w) if pad_h or pad_w else None,
                start=(-pad_h, -pad_w), table=Matrix(image, start=(-pad_h, -pad_w)),
                label=f"input f, the window of {name} outlined"),
            Map(lesson["kernel"], title="kernel g", id="kernel"),
            Map(out, title="output C", id="output", boxes=[(*cell.output_index, 1, 1)],
                label=f"output C, {name} outlined")]


def render(step: int) -> None:
    """One output cell: its window on the input, the kernel, the output, the sum."""
    map_view(step_maps(step), key=f"{PREFIX}_maps", columns=3, presenter=presenter,
             cell_px=84 if presenter else 64)
    st.markdown(big_line(written_sum(lesson["cells"][step])), unsafe_allow_html=True)
    page.keep_url()  # here: stepping reruns only the stepper's fragment


st.subheader("Step through the outputs")
st.caption("Thick outline: the window read for the current output and that output. Cells "
           "outside the dashed box are padding zeros (their row or col is −1, or past the "
           "image's last one); the axes show [row, col] indices.")
stepper(PREFIX, len(lesson["cells"]), render,
        label=lambda i: f"C({i // out.shape[1]},{i % out.shape[1]})")

st.subheader("Output size, per axis")
image_shape, kernel_shape = lesson["image"].shape, lesson["kernel"].shape
for axis, name in ((0, "rows"), (1, "cols")):
    st.latex(size_latex(image_shape[axis], kernel_shape[axis], (lesson["pads"][axis],) * 2,
                        lesson["strides"][axis], lesson["sizes"][axis], axis=name))
st.caption(f"conv2d returned a {out.shape[0]}×{out.shape[1]} output.")

st.subheader("Why does this matter for CNNs?")
sizes_strip()
try:
    st.page_link("app_pages/playground.py", label="Try it on your own drawing in the Playground",
                 icon="✏️")
except StreamlitAPIException:  # the page runs on its own (a test), without the router
    st.caption("Open the Playground from the menu to try it on your own drawing.")
