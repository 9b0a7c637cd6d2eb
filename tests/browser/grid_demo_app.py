"""Tiny app that drives the drawing grid for tests/browser/test_grid_component.py.

It shows the Python side of the drawing as text so the browser test can read it.
"""

import sys
from pathlib import Path

import numpy as np
import streamlit as st

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cnn_core import drawing_edits as edits  # noqa: E402
from ui.widgets.grid import drawing_grid  # noqa: E402

state = st.session_state
state.setdefault("drawing", np.zeros((8, 8)))
state.setdefault("revision", 0)
state.setdefault("strokes", 0)
state.setdefault("runs", 0)
state["runs"] += 1


def _bump(drawing: np.ndarray) -> None:
    state["drawing"] = drawing
    state["revision"] += 1


st.radio(
    "Grid size",
    [5, 8, 16],
    index=1,
    key="size",
    horizontal=True,
    on_change=lambda: _bump(edits.resize(state["drawing"], state["size"])),
)
st.button("Clear", on_click=lambda: _bump(edits.clear(state["drawing"])))
brush = st.radio("Brush", [1.0, 0.5], horizontal=True, format_func=lambda b: f"brush {b:g}")
show = st.checkbox("Show grid", value=True)

if show:
    new = drawing_grid(
        state["drawing"],
        key="demo_grid",
        revision=state["revision"],
        brush=brush,
        label="Draw a <b>digit</b>",
    )
    if new is not None:
        state["drawing"] = new
        state["strokes"] += 1

drawing = state["drawing"]
st.code("\n".join("".join("1" if v >= 0.5 else "0" for v in row) for row in drawing))
st.text(f"ink={drawing.sum():g}")
st.text(f"strokes={state['strokes']}")
st.text(f"runs={state['runs']}")
