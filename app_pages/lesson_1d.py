"""1D convolution, stepped term by term: index conventions, padding, stride, output size."""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from cnn_core import conv1d
from cnn_core.explain import conv1d_cell, written_sum_1d
from cnn_core.number_text import number
from cnn_core.shapes import span_output_size
from ui.codecs.url import int_field, number_list_field
from ui.figures.lessons import signal_strip, strip_table
from ui.session.page import start_page
from ui.session.share import Binding
from ui.text.lessons import (
    big_line,
    format_list,
    formula_index,
    never_read,
    outputs_label,
    parse_numbers,
    size_latex,
    style,
    written_sum_swapped,
)
from ui.text.safe import plain
from ui.widgets.charts import show_chart
from ui.widgets.stepper import stepper

PREFIX = "lesson1d"
LAST_GOOD = f"{PREFIX}_last_good"
CONVENTIONS = {  # label -> (engine mode, LaTeX)
    "Σj f(i+j) g(j): sliding, what CNNs compute": ("correlate",
                                                   r"C(i) = \sum_j f(i + j)\, g(j)"),
    "Σj f(i−j) g(j): true convolution, g flipped": ("convolve",
                                                    r"C(i) = \sum_j f(i - j)\, g(j)"),
    "Σj f(j) g(i−j): the same, other form": ("convolve", r"C(i) = \sum_j f(j)\, g(i - j)"),
}
SWAPPED = "Σj f(j) g(i−j): the same, other form"
CONVENTION_KEY = f"{PREFIX}_convention"
SHARED = [
    (number_list_field("f", "1, 2, 3, 4, 5"), f"{PREFIX}_f"),
    (number_list_field("g", "1, 0, -1"), f"{PREFIX}_g"),
    (int_field("cv", 0, 0, len(CONVENTIONS) - 1),  # the convention by its place in the list
     Binding(lambda: list(CONVENTIONS).index(st.session_state[CONVENTION_KEY])
             if st.session_state.get(CONVENTION_KEY) in CONVENTIONS else None,
             lambda i: st.session_state.update({CONVENTION_KEY: list(CONVENTIONS)[i]}))),
    (int_field("pl", 0, 0, 6), f"{PREFIX}_pad_left"),
    (int_field("pr", 0, 0, 6), f"{PREFIX}_pad_right"),
    (int_field("s", 1, 0, 6), f"{PREFIX}_stride"),
    (int_field("i", 0, 0, 999), f"{PREFIX}_step"),
]
page = start_page("lesson_1d", "1D convolution: slide g along f", SHARED, drawing=False,
                  caption="Type two short lists, pick how the index runs, then step through "
                          "the sum one output at a time. Every number comes from the tested "
                          "cnn_core engine.")
presenter = page.presenter
st.markdown(style(presenter), unsafe_allow_html=True)

left, right = st.columns(2)
f_text = left.text_input("f (the input)", value="1, 2, 3, 4, 5", key=f"{PREFIX}_f",
                         help="Numbers separated by commas; − and - both work. At most 16.")
g_text = right.text_input("g (the kernel)", value="1, 0, -1", key=f"{PREFIX}_g",
                          help="At most 9 numbers.")
convention = st.radio("Convention", list(CONVENTIONS), key=CONVENTION_KEY,
                      horizontal=True)
if convention not in CONVENTIONS:  # None when a message omits the widget's value
    convention = next(iter(CONVENTIONS))
mode, formula = CONVENTIONS[convention]
st.latex(formula)
if mode == "convolve":
    st.caption("The notes' C[0] = f[0]g[0] + f[−1]g[1] + f[−2]g[2] reads f[−1] and f[−2], "
               "which do not exist: left padding P_l = 2 supplies them as zeros.")
a, b, c = st.columns(3)
pad_left = a.number_input("Left padding P_l", 0, 6, 0, key=f"{PREFIX}_pad_left")
pad_right = b.number_input("Right padding P_r", 0, 6, 0, key=f"{PREFIX}_pad_right")
stride = c.number_input("Stride S", 0, 6, 1, key=f"{PREFIX}_stride",
                        help="How far g moves between outputs (0 is shown as an error).")


def compute(f_text: str, g_text: str, pads: tuple[int, int], stride: int, mode: str) -> dict:
    """Everything the page shows, from cnn_core; ValueError for any bad input."""
    f = parse_numbers(f_text, "f", max_count=16)
    g = parse_numbers(g_text, "g", max_count=9)
    if stride < 1:
        raise ValueError("stride must be 1 or more: with S = 0 the kernel never moves")
    outputs = conv1d(f, g, padding=pads, stride=stride, mode=mode)
    if not np.all(np.isfinite(outputs)):
        raise ValueError("these numbers are too large: the sums overflow")
    cells = [conv1d_cell(f, g, i, padding=pads, stride=stride, mode=mode)
             for i in range(outputs.size)]
    size = span_output_size(f.size, g.size, pads[0], pads[1], stride)
    return dict(f=f, g=g, pads=pads, stride=stride, mode=mode, outputs=outputs, cells=cells,
                size=size)


try:
    lesson = compute(f_text, g_text, (int(pad_left), int(pad_right)), int(stride), mode)
    st.session_state[LAST_GOOD] = lesson
except ValueError as error:
    st.error(plain(f"Cannot compute this: {error}. Showing the last valid input instead."))
    lesson = st.session_state.get(LAST_GOOD) or compute("1, 2, 3, 4, 5", "1, 0, -1", (0, 0),
                                                         1, "correlate")
    st.caption(f"Last valid input: f = {format_list(lesson['f'])}, "
               f"g = {format_list(lesson['g'])}, P_l = {lesson['pads'][0]}, "
               f"P_r = {lesson['pads'][1]}, S = {lesson['stride']}, mode {lesson['mode']}.")

swapped = convention == SWAPPED and lesson["mode"] == "convolve"


def render(step: int) -> None:
    """One output position: the strip with its window, then the sum written out."""
    cell = lesson["cells"][step]
    strip = dict(padding=lesson["pads"], cell=cell, outputs=lesson["outputs"],
                 stride=lesson["stride"])
    show_chart(signal_strip(lesson["f"], presenter=presenter, **strip),
               functools.partial(strip_table, lesson["f"], **strip),
               label=f"f, g under the window of C[{number(formula_index(cell))}], and the "
                     "outputs C",
               config={"displayModeBar": False}, key=f"{PREFIX}_strip")
    text = written_sum_swapped(cell) if swapped else written_sum_1d(cell, lesson["mode"])
    st.markdown(big_line(text), unsafe_allow_html=True)
    page.keep_url()  # here: stepping reruns only the stepper's fragment


st.subheader("Step through the outputs")
st.caption("Highlighted and outlined: the f cells being multiplied and g under them. Hatched "
           "cells marked “pad” are padding zeros; f[−1] means “one to the left of f[0]”.")
indices = [formula_index(cell) for cell in lesson["cells"]]
stepper(PREFIX, len(lesson["cells"]), render, label=lambda t: f"C[{number(indices[t])}]")

st.markdown(big_line(format_list(lesson["outputs"]), kind="output",
                     label=f"{outputs_label(indices)} ="), unsafe_allow_html=True)
if swapped:
    st.markdown("Substitute j → i − j in the sum: j then runs over f's indices instead of "
                "g's, and every product is the same one, only listed in another order.")
    st.latex(r"\sum_j f(i - j)\, g(j) \;\overset{j \,\to\, i - j}{=}\; \sum_j f(j)\, g(i - j)")
    by_terms = np.array([cell.value for cell in lesson["cells"]])
    st.markdown(big_line(format_list(lesson["outputs"]), kind="row",
                         label="Σj f(i−j) g(j) ="), unsafe_allow_html=True)
    st.markdown(big_line(format_list(by_terms), kind="row", label="Σj f(j) g(i−j) ="),
                unsafe_allow_html=True)
    st.caption("First row: conv1d(f, g, mode=\"convolve\"). Second row: each sum added term "
               "by term in the f(j) g(i−j) order. Same numbers.")

st.subheader("Output size")
f, g, (p_l, p_r), s = lesson["f"], lesson["g"], lesson["pads"], lesson["stride"]
st.latex(size_latex(f.size, g.size, (p_l, p_r), s, lesson["size"]))
unread = never_read(lesson["cells"], f.size, g.size, p_l, p_r)


def cell_names(positions: list[int]) -> str:
    """Padded positions as the student knows them: f[5] = 6, or f[6] (pad)."""
    return ", ".join(f"f[{number(p - p_l)}] = {number(f[p - p_l])}" if 0 <= p - p_l < f.size
                     else f"f[{number(p - p_l)}] (pad)" for p in positions)


if unread.tail:
    st.warning(f"(S_f − S_g + P_l + P_r) is not a multiple of S = {s}: the floor drops the "
               f"last partial step, so the last {len(unread.tail)} cell(s) are never read: "
               f"{cell_names(unread.tail)}.")
if unread.skipped:
    st.warning(f"The stride S = {s} is longer than g ({g.size} cells): the cells between "
               f"two windows are skipped: {cell_names(unread.skipped)}.")
if not unread.tail and not unread.skipped:
    st.success("Every input (and every padding zero) is read at least once.")
st.caption("The notes write 2P for padding on both sides; here the two sides can differ.")
