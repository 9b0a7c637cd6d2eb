"""The architecture editor's widgets: presets, the number of blocks, each block's settings,
then every layer's output shape written by its formula and the parameter count, or the
reason the blocks do not make a network (before anything is trained)."""

from __future__ import annotations

import streamlit as st

from cnn_core import NetworkSpec
from cnn_core.network_spec import LayerShape
from ui.network.architecture import (
    BLOCK_COUNT,
    KERNEL_SIZES,
    LENET_LIKE,
    MAX_BLOCKS,
    MAX_CHANNELS,
    PADDINGS,
    POOL_SIZES,
    POOLS,
    PRESETS,
    STRIDES,
    Blocks,
    apply_preset,
    block_key,
    blocks_from_state,
    is_notes_network,
    multiply_adds,
    network_spec,
)

LENET_MULTIPLY_ADDS = multiply_adds(network_spec(LENET_LIKE, (28, 28), 10))  # 193,824
HEAVY_MULTIPLY_ADDS = 10 * LENET_MULTIPLY_ADDS
SHAPE_TABLE_HEAD = "| layer | output shape | how | parameters |\n|---|---|---|---:|\n"


def _block_widgets(number: int, where) -> None:
    """One block's six settings, in one column."""
    where.markdown(f"**Block {number}**")
    where.slider("Channels", 1, MAX_CHANNELS, key=block_key(number, "channels"),
                 help="How many kernels this block learns (its output channels). Each one "
                      "is C_in kernels of k x k: one per channel coming in.")
    where.select_slider("Kernel size", KERNEL_SIZES, key=block_key(number, "kernel_size"))
    where.select_slider("Padding", PADDINGS, key=block_key(number, "padding"))
    where.select_slider("Stride", STRIDES, key=block_key(number, "stride"))
    where.radio("Pooling", list(POOLS), format_func=POOLS.get, horizontal=True,
                key=block_key(number, "pool"))
    where.select_slider("Pool size", POOL_SIZES, key=block_key(number, "pool_size"),
                        disabled=st.session_state.get(block_key(number, "pool")) == "none")


def layer_name(layer: LayerShape) -> str:
    """"block 2 conv", "input", "dense"."""
    return f"block {layer.block} {layer.name}" if layer.block else layer.name


def shape_table(spec: NetworkSpec) -> str:
    """Markdown: every layer's output shape, the formula that gives it, its parameters."""
    rows = []
    for layer in spec.layers():
        shape = " × ".join(str(n) for n in layer.shape)
        rows.append(f"| {layer_name(layer)} | {shape} | {layer.formula or ''} | "
                    f"{layer.parameters:,} |")
    return SHAPE_TABLE_HEAD + "\n".join(rows)


def architecture_editor(input_shape: tuple[int, int], n_classes: int) -> NetworkSpec | None:
    """Draw the editor for images of ``input_shape``; return the checked spec, or None
    after showing why these blocks do not make a network (or a setting is unusable)."""
    presets = st.columns(len(PRESETS) + 1)
    for column, (name, label) in zip(presets, PRESETS.items(), strict=False):
        column.button(label, key=f"training_preset_{name}", on_click=apply_preset,
                      args=(name,), width="stretch")
    presets[-1].radio("Blocks", list(range(1, MAX_BLOCKS + 1)), key=BLOCK_COUNT,
                      horizontal=True, help="Each block: conv → ReLU → pooling.")
    count = st.session_state.get(BLOCK_COUNT)
    count = count if count in range(1, MAX_BLOCKS + 1) else 1
    for number, column in enumerate(st.columns(MAX_BLOCKS), start=1):
        if number <= count:
            _block_widgets(number, column)
    try:
        blocks = blocks_from_state()
        spec = network_spec(blocks, input_shape, n_classes)
    except ValueError as error:
        st.error(f"These blocks do not make a network for {input_shape[0]}x{input_shape[1]} "
                 f"images: {error}.")
        return None
    cost = multiply_adds(spec)
    with st.expander(f"Layer by layer: {spec.parameter_count:,} parameters", expanded=True):
        st.markdown(shape_table(spec))
        st.caption(_kind_text(blocks, spec, cost))
    if cost > HEAVY_MULTIPLY_ADDS:
        st.warning(f"This network does {cost:,} multiply-adds per image, "
                   f"{cost / LENET_MULTIPLY_ADDS:.0f} times the two-block LeNet-like net on "
                   "28x28: an epoch of MNIST takes minutes here. Fewer channels, a smaller "
                   "kernel or pooling make it lighter.")
    return spec


def _kind_text(blocks: Blocks, spec: NetworkSpec, cost: int) -> str:
    """Which engine trains it, the output-size rules the table uses, and ``cost``: one
    image's multiply-adds."""
    kind = ("This is the notes' network (one block, no padding, stride 1, max pooling, no "
            "conv bias)." if is_notes_network(blocks) else
            f"A network of {len(spec.blocks)} block{'s' if len(spec.blocks) > 1 else ''}, "
            "each conv with a bias per channel.")
    return (f"{kind} Conv: out = (n − k + 2P) // S + 1; pooling keeps cut-off windows: "
            f"out = ceil(n / s). One image costs {cost:,} multiply-adds.")
