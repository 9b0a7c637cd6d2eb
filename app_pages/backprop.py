"""Backprop: how the loss of one drawing flows back, block by block, to every kernel cell."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.data import NOTES_EIGHT
from cnn_core.stages import spec_of
from ui.codecs.url import bool_field, float_field, int_field
from ui.network import backprop_kernel as kernel
from ui.network import backprop_view as view
from ui.network.backprop_chain import Model, backprop_chain
from ui.network.backprop_maps import input_map
from ui.session.models import (
    current_model,
    model_input,
    model_source,
    notes_example_model,
    working_copy,
)
from ui.session.page import Page, start_page
from ui.widgets.drawing_panel import drawing_canvas, drawing_controls
from ui.widgets.map import map_view

SHARED = [  # written always: the followed kernel and cell default to data-dependent choices
    (bool_field("nx", False), "backprop_notes"),
    (int_field("y", 8, 0, 9), "backprop_label"),
    (int_field("bk", view.LARGEST, view.LARGEST, 63), view.KERNEL),
    (int_field("m", 0, 0, 63), kernel.ROW),
    (int_field("n", 0, 0, 63), kernel.COL),
    (float_field("eta", 0.1, 1e-4, 100.0), kernel.RATE),
    (int_field("bb", 1, 1, 3), view.BLOCK),
    (int_field("bc", 0, 0, 63), view.IN_CHANNEL),
]
page = start_page(
    "backprop", "Backprop", SHARED, always=True,
    intro="The notes' *Kernel Feature Learning*, for your drawing: the loss "
          "L = −log p[true label], and its gradient carried back through every layer, "
          "down to each cell of a kernel. Then one step of gradient descent.",
    note="It holds the drawing and settings, not the SGD steps you applied nor a "
         "network you trained: it opens on the default network.")
notes_mode = st.toggle("Notes' worked example (the 5x5 “8”)", key="backprop_notes")


def true_label() -> int:
    """The "True label" radio; 8 while it has no value (a message may omit it)."""
    label = st.radio("True label", range(10), index=8, horizontal=True, key="backprop_label")
    return label if label in range(10) else 8


def explain(model: Model, x: np.ndarray, label: int, page: Page) -> None:
    """Every step of the backward pass for one kernel of one block, then the SGD step."""
    chain = backprop_chain(model, x, label)
    view.loss_section(chain, page.presenter)
    block, channel, in_channel = view.choose_kernel(chain)
    view.dense_section(chain, block, channel, page.presenter)
    view.pool_section(chain.blocks[block - 1], channel, page.presenter)
    kernel.kernel_section(chain, block, channel, in_channel, page.presenter)
    kernel.step_section(x, label)
    page.keep_url()  # here: in the fragment a stroke reruns only this part


if notes_mode:
    model = working_copy(kernel.MODEL_KEY, notes_example_model(), "notes")
    label = true_label()
    x = np.array(NOTES_EIGHT, dtype=np.float64)
    map_view(input_map(x, "The notes' 5x5 “8”"), key="backprop_maps_input",
             presenter=page.presenter)
    explain(model, x, label, page)
else:

    @st.fragment
    def live() -> None:
        """Everything a brush stroke changes."""
        model = working_copy(kernel.MODEL_KEY, current_model(), model_source())
        left, right = st.columns(2)
        with left:
            drawing = drawing_canvas("backprop_")
        with right:
            label = true_label()
            try:
                x = model_input(drawing, model)
                st.session_state["backprop_last_input"] = x
            except ValueError as error:
                st.warning(f"This drawing cannot go into the network: {error}")
                x = st.session_state.get("backprop_last_input")
                if x is None or x.shape != spec_of(model).input_shape:
                    return
            map_view(input_map(x, "What the network sees"), key="backprop_maps_input",
                     presenter=page.presenter)
        explain(model, x, label, page)

    drawing_controls("backprop_")
    live()
