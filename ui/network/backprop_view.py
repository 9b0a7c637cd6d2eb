"""The backprop page's sections: the loss and dL/dz, which kernel to follow (block, output
channel, input channel), the dense layer, the gradient passed back through later blocks,
max pooling and ReLU. The convolution's detail and the SGD step are in backprop_kernel.py.
Numbers come from ui.network.backprop_chain; maps go through the map component."""

from __future__ import annotations

import streamlit as st

from ui.network import backprop_maps as maps
from ui.network.backprop_chain import BlockGradients, Chain
from ui.session.share import forget_if_not_below
from ui.widgets.map import map_view

LARGEST = -1  # "Follow kernel" choice: whichever kernel has the largest gradient now
BLOCK, KERNEL, IN_CHANNEL = "backprop_block", "backprop_kernel", "backprop_in"


def loss_section(chain: Chain, presenter: bool) -> None:
    """The loss, then p and dL/dz = p − y for every digit."""
    label, p = chain.label, chain.probabilities
    st.markdown(f"**Loss** L = −log p[{label}] = −log {p[label]:.4f} = **{chain.loss:.4f}**")
    st.subheader("1 · Softmax + cross-entropy: dL/dz = p − y")
    st.caption("y is the one-hot label: the true class gets p − 1 (negative: push it up), "
               "every other class its own probability (push it down). Columns are digits.")
    map_view(maps.output_maps(chain), key="backprop_maps_output", columns=1,
             presenter=presenter, cell_px=84 if presenter else 64,
             side_px=900 if presenter else 660)


def choose_kernel(chain: Chain) -> tuple[int, int, int]:
    """The followed (block, output channel, input channel): the block and input channel
    the student picked, the output channel with the largest gradient unless one was picked.

    The options' texts never change, so the browser's answer always maps back to one.
    """
    count = len(chain.blocks)
    block = 1
    if count > 1:
        forget_if_not_below(BLOCK, count + 1, low=1)
        block = st.selectbox("Block", range(1, count + 1), key=BLOCK, index=count - 1,
                             format_func=lambda b: block_name(chain.blocks[b - 1]))
        block = block if block in range(1, count + 1) else count
    gradients = chain.blocks[block - 1]
    c_out, c_in = gradients.kernels.shape[:2]
    strongest = gradients.strongest()
    channel = 0
    if c_out > 1:
        forget_if_not_below(KERNEL, c_out, low=LARGEST)
        choice = st.selectbox("Follow kernel", [LARGEST, *range(c_out)], key=KERNEL,
                              format_func=lambda i: "the largest gradient" if i == LARGEST
                              else f"k{i}")
        channel = strongest if choice in (LARGEST, None) else int(choice)
        st.caption(f"k{strongest} has the largest gradient for label {chain.label} (Σ |dL/dg| "
                   "over its cells)" + (": it is the one followed here." if channel == strongest
                                        else f"; you follow k{channel}."))
    in_channel = 0
    if c_in > 1:
        forget_if_not_below(IN_CHANNEL, c_in)
        picked = st.selectbox("Input channel", range(c_in), key=IN_CHANNEL,
                              format_func=lambda c: f"c{c} (block {block - 1}'s k{c})")
        in_channel = picked if picked in range(c_in) else 0
        st.caption(f"Kernel k{channel} of block {block} is {c_in} kernels of "
                   f"{gradients.spec.kernel_size}x{gradients.spec.kernel_size}, one per input "
                   f"channel: its map is Σ over c of corr(x[c], g[k{channel}, c]) "
                   "+ bias. Pick which one to follow.")
    return block, channel, in_channel


def block_name(block: BlockGradients) -> str:
    """"block 2: 8 → 16 channels, 3x3"."""
    c_out, c_in, k, _ = block.kernels.shape
    return f"block {block.number}: {c_in} → {c_out} channels, {k}x{k}"


def dense_section(chain: Chain, block: int, channel: int, presenter: bool) -> None:
    """dL/dW's rows for one channel of the last block, and dL/d(its pooled map)."""
    last = len(chain.blocks)
    shown = channel if block == last else chain.blocks[-1].strongest()
    st.subheader("2 · Dense layer")
    where = "" if last == 1 else f" of block {last}"
    st.markdown("dL/dW = flat ⊗ (p − y): row d is feature d times p − y (a zero feature, "
                "zero row). dL/db = p − y, and the "
                "gradient for the flattened features dL/dflat = W · (p − y), folded back "
                f"into kernel k{shown}'s pooled map{where}.")
    if block != last:
        st.caption(f"k{shown} has the largest gradient of block {last}; the kernel you follow "
                   f"is in block {block}, below.")
    map_view(maps.dense_maps(chain, shown), key="backprop_maps_dense", presenter=presenter,
             cell_px=80 if presenter else 60)  # room for the gradients' digits
    if block != last:
        through = [str(b) for b in range(last, block, -1)]
        st.subheader(f"2b · Back through block{'s' if len(through) > 1 else ''} "
                     + " and ".join(through) + f" to block {block}")
        st.markdown("Each block hands back dL/d(its input): for input channel c, "
                    "Σ over its output channels o of δ[o] spread back through kernel "
                    "g[o, c] (a full correlation with the flipped kernel). That is the "
                    "gradient for the block before's pooled maps.")
        map_view(maps.passed_back_maps(chain, block), key="backprop_maps_back", columns=1,
                 presenter=presenter)


def pool_section(gradients: BlockGradients, channel: int, presenter: bool) -> None:
    """How pooling routes the gradient, then how ReLU stops some of it."""
    spec = gradients.spec
    if spec.pool == "max":
        ties = int(gradients.tied[channel].sum())
        st.subheader("3 · Max pooling routes the gradient to the winners")
        st.markdown("Each pooled cell came from one cell of its window (outlined): only that "
                    "cell gets the gradient, the others get 0."
                    + (f" **{ties} window{'s' if ties > 1 else ''} here tie**: the gradient "
                       "goes to one cell, the first in reading order. The notes copy it to "
                       "every tied cell, which counts it twice: nudging the shared maximum "
                       "moves the pooled value only once." if ties else ""))
    elif spec.pool == "avg":
        st.subheader("3 · Average pooling shares the gradient")
        st.markdown(f"Each pooled cell is the mean of its {spec.pool_size}x{spec.pool_size} "
                    "window: every cell of the window gets its gradient divided by the "
                    "number of cells in the window.")
    else:
        st.subheader("3 · No pooling in this block")
        st.markdown("The gradient reaches the ReLU output unchanged.")
    map_view(maps.routing_maps(gradients, channel), key="backprop_maps_pool",
             presenter=presenter)
    st.subheader("4 · ReLU lets the gradient through only where the feature map was > 0")
    zeroed = gradients.stopped_by_relu(channel)
    st.markdown(f"{zeroed} gradient{'s' if zeroed != 1 else ''} stopped here "
                "(feature map ≤ 0).")
    map_view(maps.relu_maps(gradients, channel), key="backprop_maps_relu", presenter=presenter)
