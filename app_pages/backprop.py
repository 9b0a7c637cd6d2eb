"""Backprop: how the loss of one drawing flows back, layer by layer, to every kernel cell."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import TinyCNN
from cnn_core.backprop import BackpropTrace, backprop_trace, sgd_step
from cnn_core.data import NOTES_EIGHT
from cnn_core.kernel_gradient import (
    kernel_cell_finite_difference,
    kernel_gradient_cell,
    written_kernel_gradient,
)
from cnn_core.number_text import number
from ui.codecs.url import bool_field, float_field, int_field
from ui.figures.bars import probability_bars, signed_bars
from ui.figures.network_heatmaps import network_heatmap
from ui.session.models import (
    current_model,
    model_input,
    model_source,
    notes_example_model,
    working_copy,
)
from ui.session.share import forget_if_not_below, restore_from_url, write_url
from ui.session.state import PRESENTER, ensure_defaults
from ui.text.network import told_apart
from ui.widgets.charts import Matrix, show_chart
from ui.widgets.drawing_panel import drawing_canvas, drawing_controls
from ui.widgets.share_link import share_link_box

ensure_defaults()
presenter = st.session_state[PRESENTER]
MODEL_KEY = "backprop_model"  # this session's copy: the SGD step never touches the default
STEPS = f"{MODEL_KEY}_steps"  # (step number, label, loss before, loss after) of the last steps
LARGEST = -1  # "Follow kernel" choice: whichever kernel has the largest gradient now
STEPS_KEPT = 20  # per-session memory stays bounded however often the button is pressed
SHARED = [  # written always: the followed kernel and cell default to data-dependent choices
    (bool_field("nx", False), "backprop_notes"),
    (int_field("y", 8, 0, 9), "backprop_label"),
    (int_field("bk", LARGEST, LARGEST, 63), "backprop_kernel"),
    (int_field("m", 0, 0, 6), "backprop_m"),
    (int_field("n", 0, 0, 6), "backprop_n"),
    (float_field("eta", 0.1, 1e-4, 100.0), "backprop_rate"),
]
restore_from_url("backprop", SHARED)

st.title("Backprop")
st.markdown("The notes' *Kernel Feature Learning*, for your drawing: the loss "
            "L = −log p[true label], and its gradient carried back through every layer, "
            "down to each cell of a kernel. Then one step of gradient descent.")
share_link_box("It holds the drawing and settings, not the SGD steps you applied nor a "
               "network you trained: it opens on the default network.")
notes_mode = st.toggle("Notes' worked example (the 5x5 “8”)", key="backprop_notes")


def true_label() -> int:
    """The "True label" radio; 8 while it has no value (a message may omit it)."""
    label = st.radio("True label", range(10), index=8, horizontal=True, key="backprop_label")
    return label if label in range(10) else 8


def apply_step(x: np.ndarray, label: int) -> None:
    """Callback: one SGD step on the session's copy; remember the loss before and after."""
    model, rate = st.session_state[MODEL_KEY], st.session_state.get("backprop_rate")
    if not isinstance(rate, int | float):  # a message may omit the widget's value
        st.session_state["backprop_step_error"] = (
            f"No step: the learning rate η has no usable value ({rate!r}); set it again.")
        return
    before = backprop_trace(model, x, label).loss
    try:
        stepped = sgd_step(model, x, label, rate)
    except ValueError as error:
        st.session_state["backprop_step_error"] = str(error)
        return
    st.session_state["backprop_step_error"] = None
    st.session_state[MODEL_KEY] = stepped
    after = backprop_trace(stepped, x, label).loss
    steps = st.session_state.setdefault(STEPS, [])
    steps.append((steps[-1][0] + 1 if steps else 1, label, before, after))
    del steps[:-STEPS_KEPT]


def reset_copy() -> None:
    st.session_state.pop(f"{MODEL_KEY}_source", None)


def followed_kernel(trace: BackpropTrace, label: int) -> int:
    """The "Follow kernel" choice: the largest gradient (the default, which moves with the
    label and the weights) or a kernel the student picked (which stays); says which is which.

    The options' texts never change, so the browser's answer always maps back to one.
    """
    count = trace.d_kernels.shape[0]
    strongest = trace.strongest_kernel()
    if count == 1:
        return 0
    forget_if_not_below("backprop_kernel", count, low=LARGEST)
    choice = st.selectbox("Follow kernel", [LARGEST, *range(count)], key="backprop_kernel",
                          format_func=lambda i: "the largest gradient" if i == LARGEST
                          else f"k{i}")
    k = strongest if choice in (LARGEST, None) else int(choice)
    st.caption(f"k{strongest} has the largest gradient for label {label} (Σ |dL/dg| over its "
               "cells)" + (": it is the one followed here." if k == strongest else
                           f"; you follow k{k}."))
    return k


def explain(model: TinyCNN, x: np.ndarray, label: int) -> None:
    """Every step of the backward pass for one kernel, then the SGD step."""
    trace = backprop_trace(model, x, label)
    arch, p = model.arch, trace.probabilities
    st.markdown(f"**Loss** L = −log p[{label}] = −log {p[label]:.4f} = **{trace.loss:.4f}**")
    classes = np.arange(p.size)
    show_chart(probability_bars(p, highlight=label, highlight_name="true label",
                                presenter=presenter),
               {"digit": classes, "probability": p}, label="Probability of each digit")

    st.subheader("1 · Softmax + cross-entropy: dL/dz = p − y")
    st.caption("y is the one-hot label: the true class gets p − 1 (negative: push it up), "
               "every other class its own probability (push it down).")
    show_chart(signed_bars(trace.d_logits, highlight=label, y_title="dL/dz",
                           presenter=presenter),
               {"digit": classes, "dL/dz": trace.d_logits}, label="dL/dz = p − y per digit")

    k = followed_kernel(trace, label)
    ph, pw = arch.pooled_shape
    rows = trace.dense_rows(k)
    st.subheader("2 · Dense layer")
    st.markdown("dL/dW = flat ⊗ (p − y): row d is feature d times p − y (a zero feature, "
                "zero row). dL/db = p − y, and the "
                "gradient for the flattened features dL/dflat = W · (p − y), folded back "
                f"into kernel k{k}'s pooled map.")
    left, right = st.columns([3, 2])
    show_chart(network_heatmap(trace.d_weights[rows], title=f"dL/dW: k{k}'s {ph * pw} rows",
                               presenter=presenter),
               Matrix(trace.d_weights[rows], rows="flat", cols="digit", start=(rows.start, 0)),
               where=left)
    show_chart(network_heatmap(trace.d_pooled[k], title="dL/d(pooled map)", decimals=3,
                               presenter=presenter), trace.d_pooled[k], where=right)

    st.subheader("3 · Max pooling routes the gradient to the winners")
    ties = int(trace.tied_windows[k].sum())
    st.markdown("Each pooled cell came from one cell of its window (outlined): only that "
                "cell gets the gradient, the others get 0."
                + (f" **{ties} window{'s' if ties > 1 else ''} here tie**: the gradient goes "
                   "to one cell, the first in reading order. The notes copy it to every tied "
                   "cell, which counts it twice: nudging the shared maximum moves the pooled "
                   "value only once." if ties else ""))
    left, right = st.columns(2)
    show_chart(network_heatmap(trace.activations[k], title="ReLU output (winners outlined)",
                               outlined=trace.winners[k], presenter=presenter),
               trace.activations[k], where=left, marked=trace.winners[k])
    show_chart(network_heatmap(trace.d_activations[k], title="dL/d(ReLU output)", decimals=3,
                               outlined=trace.winners[k], presenter=presenter),
               trace.d_activations[k], where=right, marked=trace.winners[k])

    st.subheader("4 · ReLU lets the gradient through only where the feature map was > 0")
    zeroed = trace.stopped_by_relu(k)
    st.markdown(f"{zeroed} gradient{'s' if zeroed != 1 else ''} stopped here "
                "(feature map ≤ 0).")
    left, right = st.columns(2)
    show_chart(network_heatmap(trace.feature_maps[k], title="Feature map", kind="signed",
                               presenter=presenter), trace.feature_maps[k], where=left)
    show_chart(network_heatmap(trace.d_feature_maps[k], title="δ = dL/d(feature map)", decimals=3,
                               presenter=presenter), trace.d_feature_maps[k], where=right)

    st.subheader("5 · Convolution: dL/dkernel")
    size = arch.kernel_size
    for key in ("backprop_m", "backprop_n"):
        forget_if_not_below(key, size)
    left, right = st.columns(2)
    m = left.selectbox("Kernel row", range(size), key="backprop_m", index=size - 1)
    n = right.selectbox("Kernel column", range(size), key="backprop_n")
    cell = kernel_gradient_cell(x, trace.d_feature_maps[k], m, n)
    st.markdown("dL/dg[m, n] = Σᵢ Σⱼ x[i + m, j + n] · δ[i, j]: the input window that "
                "kernel cell touched, times the upstream gradient, summed.")
    st.code(written_kernel_gradient(cell), language=None, wrap_lines=True)
    window = cell.window()
    h, w = window.shape
    columns = st.columns(3)
    show_chart(network_heatmap(window, title=f"input window x[{m}:{m + h}, {n}:{n + w}]",
                               kind="ink", presenter=presenter), window, where=columns[0])
    show_chart(network_heatmap(trace.d_feature_maps[k], title="× δ", decimals=3,
                               presenter=presenter),
               trace.d_feature_maps[k], where=columns[1])
    chosen = np.zeros((size, size), dtype=bool)
    chosen[m, n] = True
    show_chart(network_heatmap(trace.d_kernels[k], title=f"= dL/dkernel k{k}", decimals=3,
                               outlined=chosen, presenter=presenter),
               trace.d_kernels[k], where=columns[2], marked=chosen)
    check = kernel_cell_finite_difference(model, x, label, k, m, n)
    st.markdown(f"Check by finite differences, (L(g + ε) − L(g − ε)) / 2ε with ε = 10⁻⁶: "
                f"**{number(check, digits=6)}**; backprop says "
                f"**{number(trace.d_kernels[k, m, n], digits=6)}**.")

    st.subheader("6 · One step of gradient descent")
    st.markdown("Every weight moves against its gradient: w ← w − η · dL/dw. "
                "This changes only your copy of the network, on this page.")
    left, middle, right = st.columns(3)
    left.number_input("Learning rate η", 1e-4, 100.0, 0.1, step=0.01, format="%g",
                      key="backprop_rate")
    middle.button("Apply one SGD step", on_click=apply_step, args=(x, label), type="primary",
                  key="backprop_step")
    right.button("Reset the weights", on_click=reset_copy, key="backprop_reset")
    if st.session_state.get("backprop_step_error"):
        st.error(st.session_state["backprop_step_error"])
    for index, step_label, before, after in st.session_state.get(STEPS, []):
        before_text, after_text = told_apart(before, after)
        st.markdown(f"Step {index} (true label {step_label}): loss {before_text} → "
                    f"**{after_text}**")
    write_url(SHARED, always=True)  # here: in the fragment a stroke reruns only this part


if notes_mode:
    model = working_copy(MODEL_KEY, notes_example_model(), "notes")
    label = true_label()
    x = np.array(NOTES_EIGHT)
    show_chart(network_heatmap(x, title="The notes' 5x5 “8”", kind="ink", presenter=presenter), x)
    explain(model, x, label)
else:

    @st.fragment
    def live() -> None:
        """Everything a brush stroke changes."""
        base = current_model()
        model = working_copy(MODEL_KEY, base, model_source())
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
                if x is None or x.shape != model.arch.image_shape:
                    return
            show_chart(network_heatmap(x, title="What the network sees", kind="ink", decimals=1,
                                       presenter=presenter), x)
        explain(model, x, label)

    drawing_controls("backprop_")
    live()
