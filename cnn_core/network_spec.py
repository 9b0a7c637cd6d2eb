"""The architecture of a ConvNet: blocks of conv -> ReLU -> pool, then dense -> softmax.

A ``NetworkSpec`` is plain numbers (an immutable NamedTuple), so a page can build one from
its widgets, a share link can carry it, and a model file can store it. ``layers()`` walks
it with the output-size formulas, checking every block before anything is built:
conv out = (n - k + 2P) // S + 1, pool out = ceil(n / s) (cut-off windows kept, as in the
notes), and a kernel that does not fit the map coming in is a ValueError that says so.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .block_pass import POOLS
from .windows import ConvGeometry, conv_geometry

MAX_BLOCKS = 3
MAX_CHANNELS = 64  # the engine's bound; the architecture editor offers 1-16 (issue #15)
MAX_IMAGE_SIDE = 64
MAX_STRIDE = 8
MAX_POOL_SIZE = 8
MAX_CLASSES = 100


class BlockSpec(NamedTuple):
    """One block: conv (C_in -> channels, k x k, padding, stride, bias) -> ReLU -> pool.

    pool is "max", "avg" or "none"; pool_size is the window side and its stride (ignored
    for "none"). The block's kernels are (channels, C_in, k, k): C_in of them per channel.
    """

    channels: int
    kernel_size: int = 3
    padding: int = 0
    stride: int = 1
    pool: str = "max"
    pool_size: int = 2
    bias: bool = True

    @property
    def pool_side(self) -> int:
        """The pooling window's side, 1 for no pooling."""
        return 1 if self.pool == "none" else self.pool_size


class LayerShape(NamedTuple):
    """One layer of the walk: what it is, its output shape, how that shape is computed."""

    block: int  # 1, 2, 3 for a block's layers, 0 for the input and the dense head
    name: str  # "input", "conv", "relu", "max pool", "avg pool", "flatten", "dense"
    shape: tuple[int, ...]  # (channels, height, width), or (features,) after flatten
    formula: str  # e.g. "(28 − 3 + 2×0) // 1 + 1 = 26", empty when nothing is computed
    parameters: int  # weights and biases this layer holds


def _whole(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) \
            or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def _check_block(number: int, block: object) -> None:
    if not isinstance(block, BlockSpec):
        raise ValueError(f"block {number} must be a BlockSpec, got {type(block).__name__}")
    where = f"block {number}:"
    _whole(block.channels, f"{where} channels", 1, MAX_CHANNELS)
    kernel = _whole(block.kernel_size, f"{where} kernel size", 1, MAX_IMAGE_SIDE)
    _whole(block.padding, f"{where} padding (at most kernel size - 1)", 0, kernel - 1)
    _whole(block.stride, f"{where} stride", 1, MAX_STRIDE)
    if block.pool not in POOLS:
        raise ValueError(f"{where} pool must be one of {POOLS}, got {block.pool!r}")
    _whole(block.pool_size, f"{where} pool size", 1, MAX_POOL_SIZE)
    if not isinstance(block.bias, bool | np.bool_):
        raise ValueError(f"{where} bias must be True or False, got {block.bias!r}")


class NetworkSpec(NamedTuple):
    """Input (height, width) of grey images, 1-3 blocks, and the number of classes."""

    input_shape: tuple[int, int]
    blocks: tuple[BlockSpec, ...]
    n_classes: int = 10

    def layers(self) -> list[LayerShape]:
        """Every layer's output shape by the formulas, or ValueError for an impossible net."""
        if not isinstance(self.input_shape, tuple | list) or len(self.input_shape) != 2:
            raise ValueError(f"input_shape must be (height, width), got {self.input_shape!r}")
        height, width = (_whole(n, "input height and width", 1, MAX_IMAGE_SIDE)
                         for n in self.input_shape)
        if not isinstance(self.blocks, tuple | list) or not 1 <= len(self.blocks) <= MAX_BLOCKS:
            count = len(self.blocks) if isinstance(self.blocks, tuple | list) else self.blocks
            raise ValueError(f"a network has 1 to {MAX_BLOCKS} blocks, got {count!r}")
        _whole(self.n_classes, "n_classes", 2, MAX_CLASSES)
        channels = 1
        walk = [LayerShape(0, "input", (1, height, width), "", 0)]
        for number, block in enumerate(self.blocks, start=1):
            _check_block(number, block)
            k, p, s = block.kernel_size, block.padding, block.stride
            if k > height + 2 * p or k > width + 2 * p:
                coming = ("input image" if number == 1
                          else f"map coming out of block {number - 1}")
                padded = f" (with padding {p} on each side)" if p else ""
                raise ValueError(f"block {number}: its {k}x{k} kernel does not fit the "
                                 f"{height}x{width} {coming}{padded}; use padding or a "
                                 "smaller kernel")
            out_h, out_w = (height - k + 2 * p) // s + 1, (width - k + 2 * p) // s + 1
            count = block.channels * channels * k * k + (block.channels if block.bias else 0)
            walk.append(LayerShape(number, "conv", (block.channels, out_h, out_w),
                                   _conv_formula(height, width, k, p, s, out_h, out_w), count))
            walk.append(LayerShape(number, "relu", (block.channels, out_h, out_w), "", 0))
            channels, height, width = block.channels, out_h, out_w
            if block.pool != "none":
                size = block.pool_size
                height, width = -(-out_h // size), -(-out_w // size)
                walk.append(LayerShape(number, f"{block.pool} pool", (channels, height, width),
                                       _pool_formula(out_h, out_w, size, height, width), 0))
        features = channels * height * width
        walk.append(LayerShape(0, "flatten", (features,),
                               f"{channels} × {height} × {width} = {features}", 0))
        walk.append(LayerShape(0, "dense", (self.n_classes,), f"{features} → {self.n_classes}",
                               (features + 1) * self.n_classes))
        return walk

    def check(self) -> NetworkSpec:
        """The spec itself if it describes a network that can be built, else ValueError."""
        self.layers()
        return self

    def plain(self) -> NetworkSpec:
        """The checked spec with plain ints, strs, bools and tuples (numpy numbers and lists
        from widgets become plain; 28.5 is refused, never cut to 28)."""
        self.check()
        blocks = tuple(BlockSpec(int(b.channels), int(b.kernel_size), int(b.padding),
                                 int(b.stride), str(b.pool), int(b.pool_size), bool(b.bias))
                       for b in self.blocks)
        return NetworkSpec(tuple(int(n) for n in self.input_shape), blocks,
                           int(self.n_classes))

    def geometries(self, *, for_training: bool) -> list[ConvGeometry]:
        """Every block's sizes (windows.py): with its pooling and the faster column order
        for training, or the maps alone for showing them."""
        found, (height, width), channels = [], self.input_shape, 1
        for number, block in enumerate(self.blocks, start=1):
            sizes = (height, width, (block.kernel_size,) * 2, (block.padding,) * 2,
                     (block.stride,) * 2)
            # the window matrix in pooling order costs short loops over its C_in*k*k rows
            # (twice after block 1: it is spread back too); the wide order copies the
            # C_out rows of maps twice. Measured, this rule picks the faster
            rows = channels * block.kernel_size ** 2 * (1 if number == 1 else 2)
            order = "pooled" if rows <= 2 * block.channels else "wide"
            trained = conv_geometry(*sizes, block.pool_side, order)
            found.append(trained if for_training else conv_geometry(*sizes))
            (height, width), channels = trained.pooled, block.channels
        return found

    @property
    def n_features(self) -> int:
        """Length of the flattened vector the dense layer reads."""
        return self.layers()[-2].shape[0]

    @property
    def parameter_count(self) -> int:
        """Weights and biases of every layer together."""
        return sum(layer.parameters for layer in self.layers())

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Name -> shape of every parameter, in the order the model initialises them:
        "block1.kernels" (C_out, C_in, k, k), "block1.bias" (C_out,) if the block has one,
        ..., "dense.weights" (features, classes), "dense.bias" (classes,)."""
        features = self.n_features  # checks the spec first
        shapes, channels = {}, 1
        for number, block in enumerate(self.blocks, start=1):
            k = block.kernel_size
            shapes[f"block{number}.kernels"] = (block.channels, channels, k, k)
            if block.bias:
                shapes[f"block{number}.bias"] = (block.channels,)
            channels = block.channels
        shapes["dense.weights"] = (features, self.n_classes)
        shapes["dense.bias"] = (self.n_classes,)
        return shapes


def _conv_formula(height: int, width: int, k: int, p: int, s: int, out_h: int,
                  out_w: int) -> str:
    """(n − k + 2P) // S + 1 with the numbers in, per axis (once if both axes agree)."""
    rows = f"({height} − {k} + 2×{p}) // {s} + 1 = {out_h}"
    if (height, out_h) == (width, out_w):
        return rows
    return f"{rows}; ({width} − {k} + 2×{p}) // {s} + 1 = {out_w}"


def _pool_formula(height: int, width: int, size: int, out_h: int, out_w: int) -> str:
    """ceil(n / s) with the numbers in, per axis (once if both axes agree)."""
    rows = f"ceil({height} / {size}) = {out_h}"
    if (height, out_h) == (width, out_w):
        return rows
    return f"{rows}; ceil({width} / {size}) = {out_w}"
