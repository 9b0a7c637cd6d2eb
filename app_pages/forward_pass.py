"""Forward pass: the drawing through every block (conv → ReLU → pool), flatten, dense, softmax."""

from __future__ import annotations

import streamlit as st

from ui.codecs.url import bool_field, int_choice_field, int_field
from ui.network.forward import View, live, notes_example
from ui.network.looks import DEFAULT_PATCH, OPEN_KEY, PATCH_KEY, PATCH_SIZES
from ui.network.walk import BLOCK_KEY, CHANNEL_KEY, COL_KEY, DETAIL_KEY, ROW_KEY
from ui.session import state
from ui.session.page import start_page
from ui.widgets.drawing_panel import drawing_controls
from ui.widgets.stage_scroll import scroll_to

SHARED = [
    (bool_field("nx", False), "forward_notes"),
    (bool_field("pf", False), "forward_predict_first"),
    (bool_field("fit", True), "forward_fit"),
    (bool_field("fd", False), DETAIL_KEY),  # the detail view: open, block, output map, cell
    (int_field("fb", 1, 1, 3), BLOCK_KEY),
    (int_field("fk", 0, 0, 63), CHANNEL_KEY),
    (int_field("fr", 0, 0, 63), ROW_KEY),
    (int_field("fc", 0, 0, 63), COL_KEY),
    (bool_field("fl", False), OPEN_KEY),  # where the network looks, and its patch size
    (int_choice_field("op", DEFAULT_PATCH, PATCH_SIZES), PATCH_KEY),
]
page = start_page(
    "forward", "Forward pass", SHARED,
    intro="Your drawing goes through the whole network, as in the second half of the notes: "
          "each block's **convolution** (every channel) → **ReLU** → **pooling**, then "
          "**flatten** → **dense** layer (one score, a *logit*, per digit) → **softmax** "
          "(probabilities).",
    note="A network you trained is not in the link: it opens with the default network."
    if st.session_state.get(state.TRAINED_MODEL) is not None else "")
left, right = st.columns(2)
notes_mode = left.toggle("Notes' worked example (the 5x5 “8”)", key="forward_notes",
                         help="The notes' image, kernel and pooling, with small seeded "
                              "dense weights (randn × 0.01).")
predict_first = right.toggle("Predict first, then reveal", key="forward_predict_first",
                             help="Hide the network's answer until you have guessed it.")
view = View(page, page.presenter, predict_first)
if notes_mode:
    notes_example(view)
else:
    drawing_controls("forward_")
    live(view)
scroll_to(None, key="forward_keep_stage")  # a link ending in #stage-...: kept in view
