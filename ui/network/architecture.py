"""The training page's architecture editor: 1-3 blocks (channels, kernel size, padding,
stride, pooling), each layer's output shape by the output-size formula, the parameter
count, two presets, and what the share link carries of it.

The widgets' values live in session state (block 1's channels and kernel size under the
keys older links already name); ``blocks_from_state`` reads them back, checked, and
cnn_core.network_spec.NetworkSpec says whether they make a network (its ValueError is
shown as it is: it names the block and what does not fit). ``build_model`` makes the notes'
TinyCNN when the blocks describe it (one block, no padding, stride 1, max pooling), else a
ConvNet.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import BlockSpec, ConvNet, NetworkSpec, TinyCNN
from cnn_core.kernels import kernel_bank
from ui.codecs.url import architecture_field
from ui.session.share import Binding

MAX_BLOCKS, MAX_CHANNELS = 3, 16
KERNEL_SIZES = (1, 2, 3, 4, 5, 7)
PADDINGS, STRIDES, POOL_SIZES = (0, 1, 2, 3), (1, 2, 3), (2, 3, 4)
POOLS = {"none": "None", "max": "Max", "avg": "Average"}
BLOCK_COUNT = "training_blocks"
PARTS = ("channels", "kernel_size", "padding", "stride", "pool", "pool_size")
PART_NAMES = {"channels": "channels", "kernel_size": "kernel size", "padding": "padding",
              "stride": "stride", "pool": "pooling", "pool_size": "pool size"}
NOTES_BLOCK = (8, 3, 0, 1, "max", 2)  # the notes' one block (its channels move with the set)
LENET_LIKE = ((8, 3, 0, 1, "max", 2), (16, 3, 0, 1, "max", 2))
PRESETS = {"notes": "The notes' network", "lenet": "Two blocks, LeNet-like"}
Blocks = tuple[tuple[int, int, int, int, str, int], ...]


def block_key(number: int, part: str) -> str:
    """The session key of one block's setting (block 1's channels and kernel size keep the
    keys of the one-block page: training_n_kernels, training_kernel_size)."""
    if number == 1 and part == "channels":
        return "training_n_kernels"
    if number == 1 and part == "kernel_size":
        return "training_kernel_size"
    return f"training_b{number}_{part}"


def set_blocks(blocks: Blocks) -> None:
    """Put an architecture (tuples as BlockSpec's first six fields) into the widgets."""
    st.session_state[BLOCK_COUNT] = len(blocks)
    for number, block in enumerate(blocks, start=1):
        for part, value in zip(PARTS, block, strict=True):
            st.session_state[block_key(number, part)] = value


def ensure_architecture_defaults() -> None:
    """Every block's widget has a value (blocks 2 and 3 start as LeNet's second block)."""
    st.session_state.setdefault(BLOCK_COUNT, 1)
    for number in range(1, MAX_BLOCKS + 1):
        start = NOTES_BLOCK if number == 1 else LENET_LIKE[1]
        for part, value in zip(PARTS, start, strict=True):
            st.session_state.setdefault(block_key(number, part), value)


def _checked(number: int, part: str) -> int | str:
    value = st.session_state.get(block_key(number, part))
    allowed = {"channels": range(1, MAX_CHANNELS + 1), "kernel_size": KERNEL_SIZES,
               "padding": PADDINGS, "stride": STRIDES, "pool": tuple(POOLS),
               "pool_size": POOL_SIZES}[part]
    usable = isinstance(value, str) if part == "pool" else (
        isinstance(value, int | np.integer) and not isinstance(value, bool))
    if not usable or value not in allowed:
        raise ValueError(f"block {number}'s {PART_NAMES[part]} has no usable value "
                         f"({value!r}); set it again")
    return value if part == "pool" else int(value)


def blocks_from_state() -> Blocks:
    """The blocks the widgets describe, or ValueError naming a setting without a usable value
    (a hand-made rerun message may leave one out)."""
    count = st.session_state.get(BLOCK_COUNT)
    if count not in range(1, MAX_BLOCKS + 1) or isinstance(count, bool):
        raise ValueError(f"the number of blocks has no usable value ({count!r}); set it again")
    return tuple(tuple(_checked(number, part) for part in PARTS)
                 for number in range(1, int(count) + 1))


def network_spec(blocks: Blocks, input_shape: tuple[int, int], n_classes: int) -> NetworkSpec:
    """The checked NetworkSpec of these blocks (conv bias on), or NetworkSpec's ValueError."""
    return NetworkSpec(tuple(input_shape), tuple(BlockSpec(*block) for block in blocks),
                       n_classes).plain()


def multiply_adds(spec: NetworkSpec) -> int:
    """Multiply-adds of one image's forward pass: per conv layer C_out h w (C_in k k), plus
    the dense layer's features x classes (a training step costs about three times this).
    """
    total = 0
    for layer in spec.layers():
        if layer.name == "conv":
            channels, height, width = layer.shape
            total += (layer.parameters - channels) * height * width  # weights without biases
        elif layer.name == "dense":
            total += layer.parameters - layer.shape[0]
    return total


def is_notes_network(blocks: Blocks) -> bool:
    """Whether the blocks are the notes' TinyCNN: one block, padding 0, stride 1, max pool."""
    return len(blocks) == 1 and blocks[0][2:5] == (0, 1, "max")


def build_model(blocks: Blocks, input_shape: tuple[int, int], n_classes: int, seed: int,
                kernel_init: str | tuple[str, ...]) -> TinyCNN | ConvNet:
    """A fresh model: the notes' TinyCNN when the blocks describe it (today's numbers), else
    a ConvNet; named kernels (``kernel_init``, cycled) start block 1's kernels either way.
    Raises ValueError for an impossible network (the message names the block)."""
    spec = network_spec(blocks, input_shape, n_classes)
    if is_notes_network(blocks):
        channels, size, *_, pool_size = blocks[0]
        return TinyCNN(channels, size, spec.input_shape, pool_size, n_classes, seed=seed,
                       kernel_init=kernel_init)
    model = ConvNet(spec, seed=seed)
    if kernel_init != "random":
        channels, size = blocks[0][:2]
        names = [kernel_init[i % len(kernel_init)] for i in range(channels)]
        model.params["block1.kernels"] = kernel_bank(names, size)[:, None].astype(np.float64)
    return model


def kernels_of(model: TinyCNN | ConvNet) -> tuple[np.ndarray, ...]:
    """Copies of every block's kernels, (C_out, C_in, k, k) each (a TinyCNN's C_in is 1)."""
    if isinstance(model, TinyCNN):
        return (model.params["kernels"][:, None].copy(),)
    return tuple(model.params[f"block{n}.kernels"].copy()
                 for n in range(1, len(model.spec.blocks) + 1))


def apply_preset(name: str) -> None:
    """Callback of a preset button: the notes' one block (channels kept) or LeNet-like."""
    if name == "lenet":
        set_blocks(LENET_LIKE)
        return
    channels = st.session_state.get(block_key(1, "channels"))
    channels = channels if isinstance(channels, int) and 1 <= channels <= MAX_CHANNELS else 8
    set_blocks(((channels, 3, 0, 1, "max", 2),))


ARCH_FIELD = architecture_field("arch", (NOTES_BLOCK,), max_blocks=MAX_BLOCKS,
                                max_channels=MAX_CHANNELS, kernel_sizes=KERNEL_SIZES,
                                paddings=PADDINGS, strides=STRIDES, pool_sizes=POOL_SIZES)


def _current_or_none() -> Blocks | None:
    try:
        return blocks_from_state()
    except ValueError:
        return None


ARCH_BINDING = Binding(_current_or_none, set_blocks)  # the share link's "arch" value
