"""Controls and strips of the 2D convolution lesson: matrix editors and the CNN-size strip.

The image and kernel are edited in st.data_editor tables whose size is set by two number
inputs; a resize keeps the overlapping values and fills the rest with zeros.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnn_core import conv2d, output_size
from ui.session.share import Binding
from ui.text.lessons import big_line

NOTES_IMAGE = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])
NOTES_KERNEL = np.array([[1.0, 0], [0, -1]])
NOTES = {"image": NOTES_IMAGE, "kernel": NOTES_KERNEL}
DEMO_SIDE, DEMO_KERNEL = 6, 3
DEMO_CASES = (  # (padding, stride, what it shows)
    (0, 1, "no padding: the map shrinks by k − 1 at every layer"),
    (1, 1, "padding 1 keeps the size (“same” convolution)"),
    (1, 2, "stride 2 halves it: 4× fewer outputs to compute"),
)


def _keys(prefix: str, name: str) -> dict[str, str]:
    base = f"{prefix}_{name}"
    return dict(src=f"{base}_src", rev=f"{base}_rev", rows=f"{base}_rows",
                cols=f"{base}_cols", current=f"{base}_current")


def _resize(prefix: str, name: str) -> None:
    keys = _keys(prefix, name)
    old = np.nan_to_num(st.session_state.get(keys["current"], st.session_state[keys["src"]]))
    new = np.zeros((int(st.session_state[keys["rows"]]), int(st.session_state[keys["cols"]])))
    rows, cols = min(old.shape[0], new.shape[0]), min(old.shape[1], new.shape[1])
    new[:rows, :cols] = old[:rows, :cols]
    st.session_state[keys["src"]] = new
    st.session_state[keys["rev"]] += 1  # a new editor: old cell edits do not apply any more


def set_matrix(prefix: str, name: str, values: np.ndarray) -> None:
    """Put new values in one matrix's editor (a new editor, sized to the values)."""
    keys = _keys(prefix, name)
    st.session_state[keys["src"]] = np.array(values, dtype=np.float64)
    st.session_state[keys["rev"]] = st.session_state.get(keys["rev"], 0) + 1
    st.session_state[keys["rows"]], st.session_state[keys["cols"]] = np.shape(values)
    st.session_state.pop(keys["current"], None)


def matrix_binding(prefix: str, name: str) -> Binding:
    """A matrix for share links: read from its editor (only when every cell is filled),
    restored into a new editor."""
    keys = _keys(prefix, name)

    def current() -> np.ndarray | None:
        values = st.session_state.get(keys["current"], st.session_state.get(keys["src"]))
        return values if values is not None and np.all(np.isfinite(values)) else None

    return Binding(current, lambda values: set_matrix(prefix, name, values))


def reset_to_notes(prefix: str) -> None:
    """Callback: the notes' 3×3 image and 2×2 kernel, no padding, stride 1."""
    for name, matrix in NOTES.items():
        set_matrix(prefix, name, matrix)
    for axis in ("rows", "cols"):
        st.session_state[f"{prefix}_pad_{axis}"] = 0
        st.session_state[f"{prefix}_stride_{axis}"] = 1


def matrix_editor(prefix: str, name: str, label: str, *, max_size: int) -> np.ndarray:
    """Size inputs and an editable table for one matrix; returns its values (H, W).

    Empty cells come back as NaN (check_filled turns them into a message).
    """
    keys = _keys(prefix, name)
    if keys["src"] not in st.session_state:
        st.session_state[keys["src"]] = NOTES[name].copy()
    st.session_state.setdefault(keys["rev"], 0)
    src = np.asarray(st.session_state[keys["src"]], dtype=np.float64)
    st.session_state.setdefault(keys["rows"], src.shape[0])
    st.session_state.setdefault(keys["cols"], src.shape[1])
    st.markdown(f"**{label}**")
    rows, cols = st.columns(2)
    rows.number_input("rows", 1, max_size, key=keys["rows"], on_change=_resize,
                      args=(prefix, name))
    cols.number_input("columns", 1, max_size, key=keys["cols"], on_change=_resize,
                      args=(prefix, name))
    columns = [str(c) for c in range(src.shape[1])]
    editor_key = f"{prefix}_{name}_editor_{st.session_state[keys['rev']]}"
    edited = st.data_editor(
        pd.DataFrame(src, columns=columns), key=editor_key, num_rows="fixed", width="stretch",
        column_config={c: st.column_config.NumberColumn(c, format="%g") for c in columns})
    values = edited.to_numpy(dtype=np.float64, na_value=np.nan)
    st.session_state[keys["current"]] = values
    return values


def check_filled(values: np.ndarray, label: str) -> np.ndarray:
    """``values`` unchanged, or ValueError naming the first empty cell as [row, col]."""
    missing = np.argwhere(~np.isfinite(values))
    if missing.size:
        row, col = missing[0]
        raise ValueError(f"{label} cell [{row}, {col}] is empty: type a number there")
    return values


def sizes_strip() -> None:
    """Three tiny examples from conv2d: what padding and stride do to a 6×6 map."""
    image = np.arange(DEMO_SIDE * DEMO_SIDE, dtype=np.float64).reshape(DEMO_SIDE, DEMO_SIDE)
    kernel = np.ones((DEMO_KERNEL, DEMO_KERNEL))
    for column, (padding, stride, meaning) in zip(st.columns(len(DEMO_CASES)), DEMO_CASES,
                                                  strict=True):
        out = conv2d(image, kernel, padding=padding, stride=stride)
        side = output_size(DEMO_SIDE, DEMO_KERNEL, padding=padding, stride=stride)
        with column:
            st.markdown(big_line(f"{DEMO_SIDE}×{DEMO_SIDE} → {out.shape[0]}×{out.shape[1]}",
                                 kind="row", label=f"P = {padding}, S = {stride}:"),
                        unsafe_allow_html=True)
            st.markdown(f"⌊({DEMO_SIDE} − {DEMO_KERNEL} + 2·{padding}) / {stride}⌋ + 1 = "
                        f"**{side}**")
            st.caption(meaning)
    st.caption(f"A {DEMO_SIDE}×{DEMO_SIDE} image and a {DEMO_KERNEL}×{DEMO_KERNEL} kernel; "
               "sizes from conv2d and output_size.")
