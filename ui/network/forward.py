"""The Forward pass page's views: the input and the prediction (behind predict-then-reveal if
asked), the walk through every block (ui.network.walk), one output map taken apart
(ui.network.detail), flatten, the dense layer with its written logit, softmax, and where
the network looks (ui.network.looks). Every number comes from cnn_core: the stages of the
model's own forward (cnn_core.stages), for a TinyCNN or a ConvNet of 1-3 blocks alike.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from cnn_core.data import NOTES_EIGHT
from cnn_core.explain import written_logit
from cnn_core.network import ConvNet
from cnn_core.number_text import number
from cnn_core.stages import Stage, as_network, network_stages
from ui.figures.bars import probability_bars_html
from ui.network.detail import show_detail
from ui.network.looks import show_looks
from ui.network.walk import show_blocks, stage_caption
from ui.session.models import (
    Model,
    current_model,
    describe,
    model_input,
    notes_example_model,
    use_model,
)
from ui.session.page import Page
from ui.session.state import TRAINED_MODEL
from ui.text.network import output_table, stage_anchor
from ui.widgets.charts import Matrix
from ui.widgets.drawing_panel import drawing_canvas
from ui.widgets.map import Map, map_view
from ui.widgets.reveal import fingerprint, is_revealed, prediction_revealed

DENSE_SHOWN_UP_TO = 16  # features: the dense weights and the written logit fit the page


class View(NamedTuple):
    """How the page is shown: its Page (for the URL), presenter mode, predict-then-reveal."""

    page: Page
    presenter: bool
    predict_first: bool


def show_prediction(probabilities: np.ndarray, input_id: str, view: View) -> None:
    """The softmax bars and the predicted digit, behind predict-then-reveal if it is on."""
    st.subheader("Prediction")
    guess = None
    if view.predict_first:
        revealed, guess = prediction_revealed("forward", input_id)
        if not revealed:
            return
    best = int(np.argmax(probabilities))
    st.markdown(f"The network says **{best}** with **{probabilities[best]:.1%}** confidence.")
    if view.predict_first:
        st.markdown("**Right:** you guessed it." if guess == best else
                    f"**Not this time:** you guessed {guess}; the network picked {best}.")
    # plain HTML bars: a plotly redraw was a third of the browser's work per stroke
    st.html(probability_bars_html(probabilities, highlight=best, presenter=view.presenter))


def show_input(stage: Stage, note: str, view: View) -> None:
    """The image the network reads (one ink map), its heading anchored as the input stage."""
    image = stage.values[0]
    st.subheader("What the network sees", anchor=stage_anchor(stage.key))
    map_view(Map(image, title=f"Input ({image.shape[0]}x{image.shape[1]})",
                 id=stage_anchor(stage.key), kind="ink", decimals=1),
             key="forward_input_map", presenter=view.presenter)
    st.caption(f"{note} {stage_caption(stage)}.")


def show_head(network: ConvNet, stages: dict[str, Stage], input_id: str, view: View) -> None:
    """Flatten, the dense layer (its weights and one written logit when small), softmax."""
    flat, last = stages["flatten"], [s for s in stages.values() if s.block][-1]
    channels = last.values.shape[0]
    st.subheader("Flatten", anchor=stage_anchor("flatten"))
    maps = f"{channels} pooled maps" if channels > 1 else "pooled map"
    st.markdown(f"The {maps} read row by row, "
                f"end to end: **{flat.values.size} numbers**"
                + (" (one row per map below)." if channels > 1 else "."))
    st.caption(stage_caption(flat))
    rows = last.values.reshape(channels, -1)
    map_view(Map(rows, title=f"Flattened: {flat.values.size} numbers",
                 id=stage_anchor("flatten"), kind="positive", decimals=2,
                 table=Matrix(rows, rows="map", cols="value")),
             key="forward_flat_map", presenter=view.presenter)
    weights, bias = network.params["dense.weights"], network.params["dense.bias"]
    dense, size = stages["dense"], flat.values.size
    st.subheader("Dense layer: one score (logit) per digit", anchor=stage_anchor("dense"))
    st.markdown(f"logit_c = Σ_d flat_d · W[d, c] + b_c with W {size}×{weights.shape[1]}.")
    st.caption(stage_caption(dense))
    if size <= DENSE_SHOWN_UP_TO:
        map_view(Map(weights, title="Dense weights W", id="dense-weights", kind="signed",
                     decimals=3, table=Matrix(weights, rows="flat", cols="digit")),
                 key="forward_dense_map", presenter=view.presenter)
    hidden = view.predict_first and not is_revealed("forward", input_id)
    logits = dense.values
    if size <= DENSE_SHOWN_UP_TO and not hidden:
        c = int(np.argmax(logits))
        terms = written_logit(flat.values, weights[:, c], bias[c])
        st.markdown(f"For digit {c}: z_{c} = {terms} = **{number(logits[c], decimals=4)}**")
    st.subheader("Softmax: probabilities", anchor=stage_anchor("softmax"))
    st.markdown("Every probability is positive, and together they add up to 1.")
    st.caption(stage_caption(stages["softmax"]))
    if hidden:
        st.caption("Logits and probabilities hidden until you reveal the prediction.")
        return
    st.html(output_table(logits, stages["softmax"].values))


def show_network(model: Model, x: np.ndarray, note: str, slot: DeltaGenerator,
                 view: View, *, detail_toggle: bool = True) -> None:
    """The input and prediction in ``slot`` (a column), then every stage below, the detail
    view (behind its toggle if ``detail_toggle``), the head and where the network looks."""
    network = as_network(model)  # a TinyCNN converted once, exactly
    stages = {stage.key: stage for stage in network_stages(network, x)}
    input_id = fingerprint(x) + note
    probabilities = stages["softmax"].values
    with slot:
        show_input(stages["input"], note, view)
        show_prediction(probabilities, input_id, view)
    show_blocks(list(stages.values()), view.presenter)
    show_detail(network, x, int(np.argmax(probabilities)), view.presenter,
                behind_toggle=detail_toggle)
    show_head(network, stages, input_id, view)
    show_looks(model, x, view.presenter)


def notes_example(view: View) -> None:
    """The notes' worked example: their 5x5 “8”, kernel and pooling, seeded dense weights."""
    show_network(notes_example_model(), np.array(NOTES_EIGHT),
                 "The notes' 5x5 “8” with the kernel [[0,0,0],[0,0,0],[1,0,1]].",
                 st.container(), view, detail_toggle=False)  # no drawing: nothing to slow
    view.page.keep_url()


@st.fragment
def live(view: View) -> None:
    """Everything a brush stroke changes: reruns alone after each stroke."""
    drawing_column, result_column = st.columns([1, 1])
    with drawing_column:
        drawing = drawing_canvas("forward_")
        fit = st.toggle("Fit the digit to the frame", value=True, key="forward_fit",
                        help="Crop to the ink and scale it to fill the frame, as the "
                             "handwritten digits were prepared.")
        model = current_model()
        st.caption(describe(model))
        if st.session_state[TRAINED_MODEL] is not None:
            st.button("Use the default network", key="forward_default",
                      on_click=use_model, args=(None,))
    try:
        x = model_input(drawing, model, fit=fit)
        st.session_state["forward_last_input"] = x
    except ValueError as error:
        x = st.session_state.get("forward_last_input")
        st.warning(f"This drawing cannot go into the network: {error}")
        if x is None or x.shape != as_network(model).spec.input_shape:
            return
    if not x.any():
        st.info("The drawing is blank: the network still answers, but it is a guess.")
    show_network(model, x, "Your drawing, resampled to the network's input size.",
                 result_column, view)
    view.page.keep_url()  # in the fragment: a stroke reruns only this part
