"""Streamlit's own cost of a brush stroke: the drawing grid alone, for benchmarks.browser.

A page with the app's shape and nothing else: wide layout, a navigation of eight pages,
a sidebar with the two toggles, a title, and the drawing grid in a fragment that stores
each stroke. What a stroke costs the browser here is what any page of the app pays before
its own maps and text (Streamlit's rerun, its React re-render, the grid's repaint).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.widgets.grid import drawing_grid

st.set_page_config(page_title="CNN Playground", layout="wide")


@st.fragment
def grid_alone() -> None:
    stroke = drawing_grid(st.session_state.setdefault("drawing", np.zeros((16, 16))),
                          key="grid", revision=0)
    if stroke is not None:
        st.session_state["drawing"] = stroke


def home() -> None:
    st.title("CNN Playground")
    grid_alone()


def empty() -> None:
    st.title("Another page")


with st.sidebar:
    st.toggle("Presenter mode", key="presenter")
    st.toggle("Numbers as tables", key="tables")
st.navigation([st.Page(home, title="Home", default=True)]
              + [st.Page(empty, title=f"Page {i}", url_path=f"page{i}")
                 for i in range(1, 8)]).run()
