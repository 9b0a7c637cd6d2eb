"""The backprop page's last two sections: one kernel cell's gradient written term by term
and checked by finite differences (the cell picked by clicking dL/dkernel, the kernel or
the small multiples of every kernel's gradient, or with the row and column boxes), and one
step of gradient descent on the session's copy of the network."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.backprop import sgd_step
from cnn_core.kernel_gradient import written_kernel_gradient
from cnn_core.number_text import number
from ui.network import backprop_maps as maps
from ui.network.backprop_chain import Chain, backprop_chain, finite_difference, kernel_cell
from ui.network.backprop_view import KERNEL
from ui.session.share import forget_if_not_below
from ui.text.network import told_apart
from ui.widgets.map import Picked, map_view

ROW, COL = "backprop_m", "backprop_n"
MODEL_KEY = "backprop_model"  # this session's copy: the SGD step never touches the default
STEPS = f"{MODEL_KEY}_steps"  # (step number, label, loss before, loss after) of the last steps
STEP_ERROR = "backprop_step_error"
RATE = "backprop_rate"
STEPS_KEPT = 20  # per-session memory stays bounded however often the button is pressed


def pick_cell(picked: Picked) -> None:
    """A click on a map (a widget callback, before the rerun): on dL/dkernel or the kernel
    it picks the kernel cell; on every kernel's gradients, that kernel and the cell. The row
    and column boxes follow (their keys are set here)."""
    if picked.map == maps.PICKED_TILES and picked.tile is not None:
        st.session_state[KERNEL] = int(picked.tile)
    elif picked.map not in maps.PICKED_KERNEL_MAPS:
        return
    st.session_state[ROW], st.session_state[COL] = int(picked.row), int(picked.col)


def window_title(chain: Chain, block: int, in_channel: int, m: int, n: int,
                 shape: tuple[int, int]) -> str:
    """What the window map shows: x[m:m+h, n:n+w] for a valid stride-1 conv, else the
    rule that picks the input cells."""
    spec = chain.blocks[block - 1].spec
    channel = f"{in_channel}, " if chain.blocks[block - 1].kernels.shape[1] > 1 else ""
    if spec.padding == 0 and spec.stride == 1:
        h, w = shape
        return f"input window x[{channel}{m}:{m + h}, {n}:{n + w}]"
    return (f"input cells x[{channel}{index_text('i', spec.stride, m - spec.padding)}, "
            f"{index_text('j', spec.stride, n - spec.padding)}] (0 in the padding)")


def index_text(name: str, stride: int, offset: int) -> str:
    """"2i + 1", "i − 1", "j": an input index as the term-by-term sum reads it."""
    text = name if stride == 1 else f"{stride}{name}"
    return text if offset == 0 else f"{text} {'+' if offset > 0 else '−'} {abs(offset)}"

def kernel_section(chain: Chain, block: int, channel: int, in_channel: int,
                   presenter: bool) -> None:
    """Section 5: dL/dkernel for the followed kernel, one cell written out and checked."""
    gradients = chain.blocks[block - 1]
    size = gradients.spec.kernel_size
    st.subheader("5 · Convolution: dL/dkernel")
    for key in (ROW, COL):
        forget_if_not_below(key, size)
    st.session_state.setdefault(ROW, size - 1)  # the notes' cell (2, 0) of a 3x3 kernel
    left, right = st.columns(2)
    m = left.selectbox("Kernel row", range(size), key=ROW)
    n = right.selectbox("Kernel column", range(size), key=COL)
    m, n = (v if v in range(size) else 0 for v in (m, n))
    cell = kernel_cell(chain, block, channel, in_channel, m, n)
    if gradients.number == 1 and gradients.spec.padding == 0 and gradients.spec.stride == 1 \
            and gradients.kernels.shape[1] == 1:
        st.markdown("dL/dg[m, n] = Σᵢ Σⱼ x[i + m, j + n] · δ[i, j]: the input window that "
                    "kernel cell touched, times the upstream gradient, summed.")
    else:
        spec = gradients.spec
        rows, cols = (index_text(name, spec.stride, -spec.padding) for name in "ij")
        st.markdown(f"dL/dg[k{channel}, c{in_channel}, m, n] = Σᵢ Σⱼ x[c{in_channel}, "
                    f"{rows} + m, {cols} + n] · δ[k{channel}, i, j], x being block {block}'s "
                    "input (" + ("the image" if block == 1 else f"block {block - 1}'s pooled "
                                 "maps") + ", 0 in the padding): the input cells that kernel "
                    "cell touched, times the upstream gradient, summed.")
    st.code(written_kernel_gradient(cell), language=None, wrap_lines=True)
    window = cell.window()
    st.caption("Click a cell of dL/dkernel or of the kernel to write its sum out.")
    map_view(maps.kernel_maps(gradients, channel, in_channel, window,
                              window_title(chain, block, in_channel, m, n, window.shape),
                              (m, n)),
             key="backprop_maps_kernel", columns=4, presenter=presenter, on_select=pick_cell,
             cell_px=96 if presenter else 72)  # room for a gradient's 3 significant digits
    if gradients.kernels.shape[0] > 1:
        map_view(maps.every_kernel_map(gradients, in_channel, channel),
                 key="backprop_maps_kernels", presenter=presenter, on_select=pick_cell)
    check = finite_difference(chain, block, channel, in_channel, m, n)
    st.markdown(f"Check by finite differences, (L(g + ε) − L(g − ε)) / 2ε with ε = 10⁻⁶: "
                f"**{number(check, digits=6)}**; backprop says "
                f"**{number(gradients.d_kernels[channel, in_channel, m, n], digits=6)}**.")


def apply_step(x: np.ndarray, label: int) -> None:
    """Callback: one SGD step on the session's copy; remember the loss before and after."""
    model, rate = st.session_state[MODEL_KEY], st.session_state.get(RATE)
    if not isinstance(rate, int | float):  # a message may omit the widget's value
        st.session_state[STEP_ERROR] = (
            f"No step: the learning rate η has no usable value ({rate!r}); set it again.")
        return
    before = backprop_chain(model, x, label).loss
    try:
        stepped = sgd_step(model, x, label, rate)
    except ValueError as error:
        st.session_state[STEP_ERROR] = str(error)
        return
    st.session_state[STEP_ERROR] = None
    st.session_state[MODEL_KEY] = stepped
    after = backprop_chain(stepped, x, label).loss
    steps = st.session_state.setdefault(STEPS, [])
    steps.append((steps[-1][0] + 1 if steps else 1, label, before, after))
    del steps[:-STEPS_KEPT]


def reset_copy() -> None:
    """Callback: the next run copies the network again (working_copy sees no source)."""
    st.session_state.pop(f"{MODEL_KEY}_source", None)


def step_section(x: np.ndarray, label: int) -> None:
    """Section 6: the learning rate, the step and reset buttons, the log of the steps."""
    st.subheader("6 · One step of gradient descent")
    st.markdown("Every weight moves against its gradient: w ← w − η · dL/dw. "
                "This changes only your copy of the network, on this page.")
    left, middle, right = st.columns(3)
    left.number_input("Learning rate η", 1e-4, 100.0, 0.1, step=0.01, format="%g", key=RATE)
    middle.button("Apply one SGD step", on_click=apply_step, args=(x, label), type="primary",
                  key="backprop_step")
    right.button("Reset the weights", on_click=reset_copy, key="backprop_reset")
    if st.session_state.get(STEP_ERROR):
        st.error(st.session_state[STEP_ERROR])
    for index, step_label, before, after in st.session_state.get(STEPS, []):
        before_text, after_text = told_apart(before, after)
        st.markdown(f"Step {index} (true label {step_label}): loss {before_text} → "
                    f"**{after_text}**")
