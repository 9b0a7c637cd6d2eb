"""Forward pass: the drawing through conv → ReLU → max pool → flatten → dense → softmax."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from cnn_core import TinyCNN
from cnn_core.data import NOTES_EIGHT
from cnn_core.explain import written_logit
from cnn_core.number_text import number
from ui.codecs.url import bool_field, int_field
from ui.figures.bars import probability_bars
from ui.figures.network_heatmaps import mosaic, network_heatmap
from ui.session.models import current_model, describe, model_input, notes_example_model, use_model
from ui.session.share import forget_if_not_below, restore_from_url, write_url
from ui.session.state import PRESENTER, TRAINED_MODEL, ensure_defaults
from ui.text.network import output_table
from ui.widgets.charts import Matrix, show_chart
from ui.widgets.drawing_panel import drawing_canvas, drawing_controls
from ui.widgets.reveal import fingerprint, is_revealed, prediction_revealed
from ui.widgets.share_link import share_link_box

ensure_defaults()
presenter = st.session_state[PRESENTER]
SHARED = [
    (bool_field("nx", False), "forward_notes"),
    (bool_field("pf", False), "forward_predict_first"),
    (bool_field("fit", True), "forward_fit"),
    (int_field("fk", 0, 0, 63), "forward_kernel"),
]
restore_from_url("forward", SHARED)

st.title("Forward pass")
st.markdown(
    "Your drawing goes through the whole network, as in the second half of the notes: "
    "**convolution** with every kernel → **ReLU** → **max pooling** → **flatten** → "
    "**dense** layer (one score, a *logit*, per digit) → **softmax** (probabilities)."
)
share_link_box("A network you trained is not in the link: it opens with the default "
               "network." if st.session_state[TRAINED_MODEL] is not None else "")
left, right = st.columns(2)
notes_mode = left.toggle("Notes' worked example (the 5x5 “8”)", key="forward_notes",
                         help="The notes' image, kernel and pooling, with small seeded "
                              "dense weights (randn × 0.01).")
predict_first = right.toggle("Predict first, then reveal", key="forward_predict_first",
                             help="Hide the network's answer until you have guessed it.")


def show_prediction(values: dict, input_id: str) -> None:
    """The softmax bars and the predicted digit, behind predict-then-reveal if it is on."""
    st.subheader("Prediction")
    if predict_first:
        revealed, guess = prediction_revealed("forward", input_id)
        if not revealed:
            return
    probabilities = values["probabilities"][0]
    best = int(np.argmax(probabilities))
    st.markdown(f"The network says **{best}** with **{probabilities[best]:.1%}** confidence.")
    if predict_first:
        st.markdown("**Right:** you guessed it." if guess == best else
                    f"**Not this time:** you guessed {guess}; the network picked {best}.")
    show_chart(probability_bars(probabilities, highlight=best, presenter=presenter),
               {"digit": np.arange(probabilities.size), "probability": probabilities},
               label="Probability of each digit")


def show_layers(model: TinyCNN, values: dict, input_id: str) -> None:
    """Every intermediate of the forward pass: small multiples, then one kernel up close."""
    arch, kernels = model.arch, model.params["kernels"]
    maps, active, pooled = (values[k][0] for k in ("feature_maps", "activations", "pooled"))
    small = arch.n_kernels == 1
    if not small:
        st.subheader("1–3 · Every kernel: convolution, ReLU, max pooling")
        st.caption("One tile per kernel; each picture has one colour scale for all its "
                   "tiles (purple negative, orange positive; blue is 0 and up). Hover a "
                   "cell for its value, or look closer at one kernel below.")
        columns = st.columns(2)
        show_chart(mosaic(kernels, kind="signed", title="Kernels", presenter=presenter),
                   kernels, where=columns[0])
        show_chart(mosaic(maps, kind="signed", title="Feature maps (conv)",
                          presenter=presenter), maps, where=columns[1])
        columns = st.columns(2)
        show_chart(mosaic(active, kind="positive", title="ReLU: max(0, x)",
                          presenter=presenter), active, where=columns[0])
        show_chart(mosaic(pooled, kind="positive",
                          title=f"Max pool {arch.pool_size}x{arch.pool_size}",
                          presenter=presenter), pooled, where=columns[1])
    st.subheader("One kernel up close" if not small else "1–3 · Convolution, ReLU, max pool")
    forget_if_not_below("forward_kernel", arch.n_kernels)
    k = 0 if small else st.selectbox("Kernel", range(arch.n_kernels), key="forward_kernel",
                                     format_func=lambda i: f"k{i}")
    chain = ((kernels[k], "Kernel"), (maps[k], "Feature map = conv(input, kernel)"),
             (active[k], "ReLU"), (pooled[k], f"Max pooled {arch.pool_size}x{arch.pool_size}"))
    for pair in (chain[:2], chain[2:]):
        for column, (array, title) in zip(st.columns(2), pair, strict=True):
            show_chart(network_heatmap(array, title=title, presenter=presenter), array,
                       where=column)
    st.subheader("4 · Flatten")
    flat = values["flattened"][0]
    maps_text = "pooled map" if small else f"{arch.n_kernels} pooled maps"
    st.markdown(f"The {maps_text} read row by row, end to end: **{flat.size} numbers**"
                + ("." if small else " (one row per kernel below)."))
    rows = pooled.reshape(arch.n_kernels, -1)
    show_chart(network_heatmap(rows, presenter=presenter, title=f"Flattened: {flat.size} numbers"),
               Matrix(rows, rows="kernel", cols="value"))
    st.subheader("5 · Dense layer and softmax")
    st.markdown(f"logit_c = Σ_d flat_d · W[d, c] + b_c with W {flat.size}×{arch.n_classes}; "
                "softmax turns the logits into probabilities: p_c = e^(z_c) / Σ_k e^(z_k).")
    if flat.size <= 16:
        weights = model.params["weights"]
        show_chart(network_heatmap(weights, title="Dense weights W", decimals=3,
                                   presenter=presenter),
                   Matrix(weights, rows="flat", cols="digit"))
    if predict_first and not is_revealed("forward", input_id):
        st.caption("Logits hidden until you reveal the prediction.")
        return
    logits = values["logits"][0]
    if flat.size <= 16:
        c = int(np.argmax(logits))
        terms = written_logit(flat, model.params["weights"][:, c], model.params["bias"][c])
        st.markdown(f"For digit {c}: z_{c} = {terms} = **{number(logits[c], decimals=4)}**")
    st.dataframe(output_table(values["logits"][0], values["probabilities"][0]),
                 hide_index=True, width="stretch",
                 column_config={"logit": st.column_config.TextColumn(alignment="right"),
                                "probability": st.column_config.NumberColumn(format="%.5f")})


def show_network(model: TinyCNN, x: np.ndarray, note: str, slot: DeltaGenerator) -> None:
    """The input and prediction in ``slot`` (a column), then every layer below."""
    values = model.forward(x)
    input_id = fingerprint(x) + note
    with slot:
        show_chart(network_heatmap(x, title=f"What the network sees ({x.shape[0]}x{x.shape[1]})",
                                   kind="ink", decimals=1, presenter=presenter), x)
        st.caption(note)
        show_prediction(values, input_id)
    show_layers(model, values, input_id)


if notes_mode:
    show_network(notes_example_model(), np.array(NOTES_EIGHT),
                 "The notes' 5x5 “8” with the kernel [[0,0,0],[0,0,0],[1,0,1]].",
                 st.container())
    write_url(SHARED)
else:

    @st.fragment
    def live() -> None:
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
            if x is None or x.shape != model.arch.image_shape:
                return
        if not x.any():
            st.info("The drawing is blank: the network still answers, but it is a guess.")
        show_network(model, x, "Your drawing, resampled to the network's input size.",
                     result_column)
        write_url(SHARED)  # in the fragment: a stroke reruns only this part

    drawing_controls("forward_")
    live()
