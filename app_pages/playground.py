"""Convolution playground: draw, pick a kernel and settings, see every map and every sum."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import KERNELS
from ui.codecs.url import bool_field, choice_field, int_field, kernel_field
from ui.playground.controls import settings_row
from ui.playground.exports import downloads
from ui.playground.inspector import cell_pickers
from ui.playground.keys import B, P
from ui.playground.workspace import NARROW_SCREEN_CSS, workspace
from ui.session import state
from ui.session.lesson_links import shows
from ui.session.page import start_page
from ui.widgets.drawing_panel import drawing_controls
from ui.widgets.kernel_picker import CUSTOM, kernel_pick

SHARED = [
    (choice_field("k", "notes_example", (*KERNELS, CUSTOM)), state.KERNEL_CHOICE),
    (kernel_field("kv", np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]])), state.CUSTOM_KERNEL),
    (int_field("pad", 0, 0, 3), f"{P}padding"),
    (int_field("s", 1, 1, 3), f"{P}stride"),
    (bool_field("relu", True), f"{P}relu"),
    (choice_field("pool", "max", ("max", "avg")), f"{P}pool"),
    (int_field("ps", 2, 1, 4), f"{P}pool_size"),
    (int_field("r", 0, 0, 63), f"{P}row"),  # the inspected cells (kept inside the maps)
    (int_field("c", 0, 0, 63), f"{P}col"),
    (int_field("pr", 0, 0, 63), f"{P}prow"),
    (int_field("pc", 0, 0, 63), f"{P}pcol"),
    (bool_field("cmp", False), f"{P}compare"),  # compare mode and its B settings
    (choice_field("kb", "sobel_vertical", (*KERNELS, CUSTOM)), f"{B}kernel"),
    (int_field("padb", 0, 0, 3), f"{B}padding"),
    (int_field("sb", 1, 1, 3), f"{B}stride"),
    (bool_field("relub", True), f"{B}relu"),
    (choice_field("poolb", "max", ("max", "avg")), f"{B}pool"),
    (int_field("psb", 2, 1, 4), f"{B}pool_size"),
    (bool_field("slide", False), f"{P}slide"),  # the sliding window shown (not its position)
]
presenting = bool(st.session_state.get(state.PRESENTER))
page = start_page("playground", "Convolution playground", SHARED, caption="" if presenting else (
    "Draw, pick a kernel and the settings: every map updates as you draw. Click a cell of the "
    "feature map or the pooled map to see the sum behind it."))  # a projector: the grid first
# in presenter mode the settings fold under one line that says them, so that a projector's
# first screen (1280x720) reaches the grid instead of showing only controls
with (st.expander("Kernel and settings", key=f"{P}settings_box") if presenting
      else st.container()):
    choice, settings = settings_row(P, shared=True, default_kernel="notes_example")
    compare = shows("compare") and st.toggle("Compare with a second kernel or setting",
                                             key=f"{P}compare", persist_state="session")
    pick = kernel_pick(choice, P)
    other = None
    if compare:
        choice_b, settings_b = settings_row(B, shared=False, default_kernel="sobel_vertical")
        other = (kernel_pick(choice_b, B, shared=False), settings_b)
    if pick.description:
        st.caption(f"**{pick.label}**: {pick.description}")
if presenting:
    st.caption(f"**{pick.label}**, {settings.describe()}" + (", compared with B" if compare
                                                             else ""))
st.html(NARROW_SCREEN_CSS)  # static text only
drawing_controls(P)
workspace(page, pick, settings, other)
cell_pickers()
downloads()
