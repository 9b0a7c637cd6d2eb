"""What the backprop page shows, the same way for the notes' TinyCNN and a ConvNet of 1-3
blocks: the loss, dL/dz, the dense gradient and, per block, its maps and gradients
(C_in -> C channels), one kernel cell's gradient written term by term, and its finite
difference. No Streamlit here: arrays in, arrays and text out.

A TinyCNN goes through cnn_core.backprop.backprop_trace and cnn_core.kernel_gradient (the
page's numbers and written sums as they always were); a ConvNet through
cnn_core.network_trace. Blocks count from 1, channels from 0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnn_core import TinyCNN, kernel_gradient, network_trace
from cnn_core.backprop import backprop_trace, pool_routing
from cnn_core.kernel_gradient import KernelGradientCell
from cnn_core.network import ConvNet
from cnn_core.network_spec import BlockSpec

Model = TinyCNN | ConvNet


class BlockGradients(NamedTuple):
    """One block's values and gradients for one image (C_in -> C channels)."""

    number: int  # 1, 2, 3
    spec: BlockSpec
    input: np.ndarray  # (C_in, H, W): the image, or the block before's pooled maps
    kernels: np.ndarray  # (C, C_in, k, k)
    feature_maps: np.ndarray  # (C, h, w)
    activations: np.ndarray  # (C, h, w)
    d_pooled: np.ndarray  # (C, ph, pw)
    d_activations: np.ndarray  # (C, h, w)
    d_feature_maps: np.ndarray  # (C, h, w): delta
    d_kernels: np.ndarray  # (C, C_in, k, k)
    d_input: np.ndarray | None  # (C_in, H, W), None for block 1 (the image needs none)
    winners: np.ndarray | None  # (C, h, w) bool for max pooling, else None
    tied: np.ndarray | None  # (C, ph, pw) bool for max pooling, else None

    def strongest(self) -> int:
        """The output channel whose kernels have the largest gradient: argmax_o of
        sum |dL/dg[o]|."""
        return int(np.abs(self.d_kernels).sum(axis=(1, 2, 3)).argmax())

    def stopped_by_relu(self, channel: int) -> int:
        """Nonzero dL/d(ReLU output) of a channel that ReLU stops (feature map <= 0)."""
        return int((self.d_activations[channel] != 0).sum()
                   - (self.d_feature_maps[channel] != 0).sum())


class Chain(NamedTuple):
    """One image's backward pass, every block kept (D features, K classes)."""

    model: Model
    image: np.ndarray  # (H, W)
    label: int
    loss: float
    probabilities: np.ndarray  # (K,)
    d_logits: np.ndarray  # (K,) p - y
    d_weights: np.ndarray  # (D, K)
    blocks: tuple[BlockGradients, ...]
    trace: object  # the engine's own: a BackpropTrace (TinyCNN) or a NetworkTrace

    def dense_rows(self, channel: int) -> slice:
        """The rows of W that read one channel of the last block's pooled maps."""
        size = self.blocks[-1].d_pooled[0].size
        return slice(channel * size, (channel + 1) * size)


def tiny_block(model: TinyCNN) -> BlockSpec:
    """The notes' network's one block as a BlockSpec (valid conv, stride 1, max pool)."""
    arch = model.arch
    return BlockSpec(arch.n_kernels, arch.kernel_size, 0, 1, "max", arch.pool_size, bias=False)


def backprop_chain(model: Model, image: np.ndarray, label: int) -> Chain:
    """Forward and backward of one image (H, W) with its true label; ValueError for an
    image of the wrong size or a label out of range."""
    if isinstance(model, TinyCNN):
        t = backprop_trace(model, image, label)
        block = BlockGradients(1, tiny_block(model), t.image[None],
                               model.params["kernels"][:, None], t.feature_maps,
                               t.activations, t.d_pooled, t.d_activations, t.d_feature_maps,
                               t.d_kernels[:, None], None, t.winners, t.tied_windows)
        return Chain(model, t.image, t.label, t.loss, t.probabilities, t.d_logits,
                     t.d_weights, (block,), t)
    t = network_trace.network_trace(model, image, label)
    blocks = []
    for number, (spec, b) in enumerate(zip(model.spec.blocks, t.blocks, strict=True), 1):
        winners, tied = pool_routing(b.activations, spec.pool_size) if spec.pool == "max" \
            else (None, None)
        blocks.append(BlockGradients(number, spec, b.input, model.params[f"block{number}.kernels"],
                                     b.feature_maps, b.activations, b.d_pooled,
                                     b.d_activations, b.d_feature_maps, b.d_kernels,
                                     b.d_input if number > 1 else None, winners, tied))
    return Chain(model, t.image, t.label, t.loss, t.probabilities, t.d_logits, t.d_weights,
                 tuple(blocks), t)


def kernel_cell(chain: Chain, block: int, channel: int, in_channel: int, m: int,
                n: int) -> KernelGradientCell:
    """dL/dg[channel, in_channel, m, n] of a block and its terms, one per feature-map cell:
    x[in_channel, i S + m - P, j S + n - P] * delta[channel, i, j] (0 in the padding)."""
    if isinstance(chain.model, TinyCNN):
        check_choice(chain, block, channel, in_channel)
        return kernel_gradient.kernel_gradient_cell(
            chain.image, chain.blocks[0].d_feature_maps[channel], m, n)
    terms, total = network_trace.kernel_gradient_terms(
        chain.model, chain.trace, block, channel, in_channel, m, n)
    return KernelGradientCell((m, n), [kernel_gradient.GradientTerm(*t) for t in terms], total)


def finite_difference(chain: Chain, block: int, channel: int, in_channel: int, m: int,
                      n: int) -> float:
    """The same cell's gradient by central differences, (L(g + eps) - L(g - eps)) / 2eps."""
    if isinstance(chain.model, TinyCNN):
        check_choice(chain, block, channel, in_channel)
        return kernel_gradient.kernel_cell_finite_difference(
            chain.model, chain.image, chain.label, channel, m, n)
    return network_trace.kernel_cell_finite_difference(
        chain.model, chain.image, chain.label, block, channel, in_channel, m, n)


def check_choice(chain: Chain, block: int, channel: int, in_channel: int) -> None:
    """ValueError unless block, output channel and input channel exist in this network."""
    if block not in range(1, len(chain.blocks) + 1):
        raise ValueError(f"block must be 1 to {len(chain.blocks)}, got {block!r}")
    c_out, c_in = chain.blocks[block - 1].kernels.shape[:2]
    for value, size, name in ((channel, c_out, "output channel"),
                              (in_channel, c_in, "input channel")):
        if value not in range(size):
            raise ValueError(f"{name} {value!r} is outside 0..{size - 1}")

