"""One image through a ConvNet and back, every value and gradient of every block kept.

For pages that show a deeper network's arithmetic: ``network_trace`` runs the separate
layers (conv2d_channels_forward, relu, max/avg pooling, dense, softmax cross-entropy) and
their backwards, so each block's maps and gradients can be shown (it gives the same
gradients as ConvNet.loss_and_gradients, which fuses the blocks for speed).
``channel_contributions`` splits one output map into its input channels' parts:
map[o] = sum_c corr(x[c], g[o, c]) + b[o]. ``kernel_gradient_terms`` writes one kernel
cell's gradient term by term, dL/dg[o, c, m, q] = sum_{i,j} delta[o, i, j] x_pad[c, iS+m,
jS+q], and ``kernel_cell_finite_difference`` checks it by central differences.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import relu_backward, relu_forward
from .channels import conv2d_channels_backward, conv2d_channels_forward
from .dense import dense_backward, dense_forward
from .losses import check_labels, softmax_cross_entropy_backward, softmax_cross_entropy_forward
from .network import ConvNet
from .pooling import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)

POOL_LAYERS = {"max": (max_pool2d_forward, max_pool2d_backward),
               "avg": (avg_pool2d_forward, avg_pool2d_backward)}


class BlockTrace(NamedTuple):
    """One block's values and gradients for one image (C_in -> C channels)."""

    input: np.ndarray  # (C_in, H, W) what the block reads: the image, or the last pooled
    feature_maps: np.ndarray  # (C, h, w) conv + bias, h = (H - k + 2P) // S + 1
    activations: np.ndarray  # (C, h, w) ReLU
    pooled: np.ndarray  # (C, ph, pw), ph = ceil(h / s); the activations without pooling
    d_pooled: np.ndarray  # (C, ph, pw) dL/dpooled
    d_activations: np.ndarray  # (C, h, w) routed back through the pooling
    d_feature_maps: np.ndarray  # (C, h, w) where the feature map > 0, else 0
    d_kernels: np.ndarray  # (C, C_in, k, k)
    d_bias: np.ndarray | None  # (C,), None for a block without bias
    d_input: np.ndarray  # (C_in, H, W) dL/dinput (passed on to the block before)


class NetworkTrace(NamedTuple):
    """The whole chain for one image and its label (F features, K classes)."""

    image: np.ndarray  # (H, W)
    label: int
    blocks: tuple[BlockTrace, ...]
    flattened: np.ndarray  # (F,)
    logits: np.ndarray  # (K,)
    probabilities: np.ndarray  # (K,)
    loss: float  # -log p[label]
    d_logits: np.ndarray  # (K,) p - one_hot(label)
    d_weights: np.ndarray  # (F, K) outer(flattened, p - y)
    d_dense_bias: np.ndarray  # (K,)
    d_flattened: np.ndarray  # (F,)


def network_trace(model: ConvNet, image: np.ndarray, label: int) -> NetworkTrace:
    """Forward and backward of one image (H, W) with its label, every step kept."""
    x = model.check_images(image)  # (1, H, W); one image only
    if x.shape[0] != 1:
        raise ValueError(f"network_trace takes one image (H, W), got {x.shape[0]} images")
    labels = check_labels(label, model.n_classes, count=1)
    params, forward = model.params, []
    x = x[:, None]  # (1, 1, H, W)
    for number, block in enumerate(model.spec.blocks, start=1):
        maps, conv_cache = conv2d_channels_forward(
            x, params[f"block{number}.kernels"], params.get(f"block{number}.bias"),
            padding=block.padding, stride=block.stride)
        active, relu_cache = relu_forward(maps)
        pooled, pool_cache = (POOL_LAYERS[block.pool][0](active, block.pool_size)
                              if block.pool in POOL_LAYERS else (active, None))
        forward.append((x, maps, active, pooled, conv_cache, relu_cache, pool_cache))
        x = pooled
    flat = x.reshape(1, -1)
    logits, dense_cache = dense_forward(flat, params["dense.weights"], params["dense.bias"])
    loss, loss_cache = softmax_cross_entropy_forward(logits, labels)
    d_logits = softmax_cross_entropy_backward(loss_cache)
    d_dense = dense_backward(d_logits, dense_cache)
    d_x, traces = d_dense.x.reshape(x.shape), []
    for block, (x_in, maps, active, pooled, conv_cache, relu_cache, pool_cache) in zip(
            reversed(model.spec.blocks), reversed(forward), strict=True):
        d_pooled = d_x
        d_active = (POOL_LAYERS[block.pool][1](d_pooled, pool_cache)
                    if block.pool in POOL_LAYERS else d_pooled)
        d_maps = relu_backward(d_active, relu_cache)
        grads = conv2d_channels_backward(d_maps, conv_cache)
        d_x = grads.images
        traces.append(BlockTrace(x_in[0], maps[0], active[0], pooled[0], d_pooled[0],
                                 d_active[0], d_maps[0], grads.kernels, grads.bias,
                                 d_x[0]))
    image = forward[0][0][0, 0]
    return NetworkTrace(image, int(labels[0]), tuple(reversed(traces)), flat[0], logits[0],
                        loss_cache.probabilities[0], loss, d_logits[0], d_dense.weights,
                        d_dense.bias, d_dense.x[0])


def channel_contributions(model: ConvNet, trace: NetworkTrace, block: int,
                          channel: int) -> np.ndarray:
    """Each input channel's part of one output map: (C_in, h, w), part[c] = the block's
    input channel c correlated with kernel g[channel, c]; sum over c, plus the bias, is
    the feature map. ``block`` counts from 1, ``channel`` from 0."""
    spec, seen = _block(model, trace, block)
    kernels = model.params[f"block{block}.kernels"]
    _check_index(channel, kernels.shape[0], "output channel")
    # every input channel as an image of one channel, against every kernel of the stack:
    # part c is image c with kernel c, the diagonal
    every, _ = conv2d_channels_forward(seen.input[:, None], kernels[channel][:, None],
                                       padding=spec.padding, stride=spec.stride)
    return every[np.arange(len(every)), np.arange(len(every))]


class GradientTerm(NamedTuple):
    """One product of a kernel cell's gradient: input value x upstream gradient."""

    map_index: tuple[int, int]  # [i, j] in the block's feature map
    input_index: tuple[int, int]  # [i*S + m - P, j*S + q - P] in the block's input
    input_value: float  # 0 where that index falls in the padding
    upstream: float  # dL/d(feature map)[channel, i, j]


def kernel_gradient_terms(model: ConvNet, trace: NetworkTrace, block: int, channel: int,
                          in_channel: int, m: int, q: int) -> tuple[list[GradientTerm], float]:
    """dL/dg[channel, in_channel, m, q] of a block written out: its terms (one per feature
    map cell, row-major) and their sum, computed here independently of the backward."""
    spec, seen = _block(model, trace, block)
    c_out, c_in, k, _ = model.params[f"block{block}.kernels"].shape
    for value, size, name in ((channel, c_out, "output channel"),
                              (in_channel, c_in, "input channel"), (m, k, "kernel row"),
                              (q, k, "kernel column")):
        _check_index(value, size, name)
    p, s, (height, width) = spec.padding, spec.stride, seen.input.shape[1:]
    terms = []
    for i, j in np.ndindex(*seen.d_feature_maps.shape[1:]):
        r, c = i * s + m - p, j * s + q - p
        inside = 0 <= r < height and 0 <= c < width
        terms.append(GradientTerm((i, j), (r, c), float(seen.input[in_channel, r, c])
                                  if inside else 0.0, float(seen.d_feature_maps[channel, i, j])))
    return terms, float(sum(t.input_value * t.upstream for t in terms))


def kernel_cell_finite_difference(model: ConvNet, image: np.ndarray, label: int, block: int,
                                  channel: int, in_channel: int, m: int, q: int,
                                  eps: float = 1e-6) -> float:
    """dL/dg[channel, in_channel, m, q] of a block by central differences (the model's
    params are copied, never changed)."""
    name = f"block{block}.kernels"
    if name not in model.params:
        raise ValueError(f"block must be 1 to {len(model.spec.blocks)}, got {block!r}")
    shape = model.params[name].shape
    for value, size, what in zip((channel, in_channel, m, q), shape,
                                 ("output channel", "input channel", "kernel row",
                                  "kernel column"), strict=True):
        _check_index(value, size, what)
    probe = ConvNet.from_params(model.spec, model.params)
    images, labels = probe.check_images(image), check_labels(label, model.n_classes, count=1)
    cell, start = (channel, in_channel, m, q), probe.params[name][channel, in_channel, m, q]
    losses = []
    for value in (start + eps, start - eps):
        probe.params[name][cell] = value
        losses.append(probe.loss_and_gradients(images, labels, train_kernels=False)[0])
    return (losses[0] - losses[1]) / (2 * eps)


def _block(model: ConvNet, trace: NetworkTrace, block: int):
    if isinstance(block, bool) or block not in range(1, len(trace.blocks) + 1):
        raise ValueError(f"block must be 1 to {len(trace.blocks)}, got {block!r}")
    return model.spec.blocks[block - 1], trace.blocks[block - 1]


def _check_index(value: object, size: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) \
            or not 0 <= value < size:
        raise ValueError(f"{name} {value!r} is outside 0..{size - 1}")
