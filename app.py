"""CNN Playground: the router. Page config, shared state, shared sidebar, navigation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from ui.session import state
from ui.session.drawing import checked_drawing
from ui.session.lesson_links import LESSONS, apply_lesson
from ui.widgets.kernel_picker import kernel_label
from ui.widgets.stage_scroll import scroll_to, take_stage_request

HERE = Path(__file__).parent

PRESENTER_CSS = """<style>
html { font-size: 125%; }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
[data-testid="stMarkdownContainer"] code { font-size: 1.05em; }
</style>"""

presenting = st.query_params.get("present") == "1"
st.set_page_config(page_title="CNN Playground", page_icon="🔍", layout="wide",
                   initial_sidebar_state="collapsed" if presenting else "auto")
state.ensure_defaults()
# ?present=1 and ?tables=1 are read on a session's first run only (the toggles rule after
# that, and keep_modes_in_url writes them back while they are on)
for param, key in (("present", state.PRESENTER), ("tables", state.NUMBERS_AS_TABLES)):
    if f"_{param}_applied" not in st.session_state:
        st.session_state[f"_{param}_applied"] = True
        if st.query_params.get(param) == "1":
            st.session_state[key] = True

PAGES = {
    "Start": [st.Page(HERE / "app_pages/home.py", title="Home", icon="🏠", default=True)],
    "Convolution": [
        st.Page(HERE / "app_pages/lesson_1d.py", title="1D convolution", icon="➡️"),
        st.Page(HERE / "app_pages/lesson_2d.py", title="2D convolution", icon="🔲"),
        st.Page(HERE / "app_pages/playground.py", title="Playground", icon="✏️"),
        st.Page(HERE / "app_pages/gallery.py", title="Kernel gallery", icon="🖼️"),
    ],
    "Network": [
        st.Page(HERE / "app_pages/forward_pass.py", title="Forward pass", icon="🧠"),
        st.Page(HERE / "app_pages/training.py", title="Training", icon="📉"),
        st.Page(HERE / "app_pages/backprop.py", title="Backprop", icon="🔁"),
    ],
}


def sidebar() -> None:
    """The drawing and kernel every page shares, as a reminder, presenter mode and tables."""
    with st.sidebar:
        grid = checked_drawing()
        scale = max(1, 96 // grid.shape[0])
        thumbnail = 1.0 - np.kron(grid, np.ones((scale, scale)))
        # a stroke reruns only its page's fragment, so this reminder is as of the last page
        # change or full rerun; the page itself always shows the current drawing
        st.image(thumbnail, caption=f"Your drawing ({grid.shape[0]}x{grid.shape[1]}), on every "
                 "page (refreshed when you change page)", width=96, clamp=True)
        st.caption(f"Kernel: {kernel_label(st.session_state[state.KERNEL_CHOICE])}")
        st.toggle("Presenter mode", key=state.PRESENTER,
                  help="Bigger numbers and cells for a projector.")
        st.toggle("Numbers as tables", key=state.NUMBERS_AS_TABLES,
                  help="Every chart followed by its numbers in a table: for screen readers "
                       "and for copying. Off by default, so drawing stays fast.")


def keep_modes_in_url() -> dict[str, str]:
    """present=1 / tables=1 in the URL exactly while their mode is on, so a reload, a page
    change (Streamlit clears the query string) or a copied link keeps them; returns them."""
    modes = {}
    for param, key in (("present", state.PRESENTER), ("tables", state.NUMBERS_AS_TABLES)):
        if st.session_state.get(key):
            modes[param] = "1"
            if st.query_params.get(param) != "1":
                st.query_params[param] = "1"
        elif param in st.query_params:
            del st.query_params[param]
    return modes


modes = keep_modes_in_url()
if st.session_state[state.PRESENTER]:
    st.html(PRESENTER_CSS)  # static text only: nothing a visitor controls goes in here
page = st.navigation(PAGES)
requested = st.query_params.get("lesson")
if requested and st.session_state.get("_lesson_requested") != requested:
    st.session_state["_lesson_requested"] = requested
    lesson = apply_lesson(requested)
    if lesson is None:
        st.caption(f"Unknown lesson link; the known ones are: {', '.join(LESSONS)}.")
    else:
        st.switch_page(lesson.page, query_params={"lesson": requested, **modes})
stage = take_stage_request()  # ?stage=<anchor>: a link to one stage of the Forward pass
page.run()
sidebar()  # after the page: a link's drawing and kernel, restored by the page, are shown
if stage:
    scroll_to(stage)  # after the page's headings, so that the browser finds the anchor
