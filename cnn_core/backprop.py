"""Backprop through TinyCNN for one image, every intermediate gradient kept for the page.

TinyCNN.loss_and_gradients returns only the parameter gradients; the backprop page shows
the whole chain, so ``backprop_trace`` composes the same layer forward/backward functions
and keeps each step: dL/dlogits = p - y, the dense gradients, the gradient routed through
max pooling (to one winning cell per window), through ReLU, and finally dL/dkernel.
``kernel_gradient_cell`` writes one kernel cell's gradient term by term:
dL/dg[m, n] = sum over the feature map (i, j) of x[i + m, j + n] * delta[i, j].
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import relu_backward, relu_forward
from .conv import conv2d_backward, conv2d_forward
from .dense import dense_backward, dense_forward
from .explain import MINUS, sum_sign
from .gradcheck import numerical_gradient
from .losses import check_labels, softmax_cross_entropy_backward, softmax_cross_entropy_forward
from .model import TinyCNN
from .pooling import avg_pool2d_forward, max_pool2d_backward, max_pool2d_forward
from .shapes import as_float_array


class BackpropTrace(NamedTuple):
    """One image's forward values and backward gradients (K kernels, C classes, D features)."""

    image: np.ndarray  # (H, W) model input
    label: int
    feature_maps: np.ndarray  # (K, h, w), h = H - k + 1
    activations: np.ndarray  # (K, h, w) ReLU of the feature maps
    pooled: np.ndarray  # (K, ph, pw)
    flattened: np.ndarray  # (D,) = K * ph * pw
    logits: np.ndarray  # (C,)
    probabilities: np.ndarray  # (C,)
    loss: float  # -log p[label]
    d_logits: np.ndarray  # (C,) p - one_hot(label)
    d_weights: np.ndarray  # (D, C) outer(flattened, p - y)
    d_bias: np.ndarray  # (C,) p - y
    d_flattened: np.ndarray  # (D,) W @ (p - y)
    d_pooled: np.ndarray  # (K, ph, pw) d_flattened reshaped
    winners: np.ndarray  # (K, h, w) bool: the one cell per window that receives the gradient
    tied_windows: np.ndarray  # (K, ph, pw) bool: windows whose maximum more than one cell holds
    d_activations: np.ndarray  # (K, h, w) d_pooled routed to the winners, 0 elsewhere
    d_feature_maps: np.ndarray  # (K, h, w) d_activations where feature map > 0, else 0
    d_kernels: np.ndarray  # (K, k, k)


def _check_image(model: TinyCNN, image: object) -> np.ndarray:
    image = as_float_array(image, "image", ndim=2)
    if image.shape != model.arch.image_shape:
        raise ValueError(f"image must be {model.arch.image_shape[0]}x"
                         f"{model.arch.image_shape[1]} for this model, got "
                         f"{image.shape[0]}x{image.shape[1]}")
    return image


def _tied_windows(activations: np.ndarray, pooled: np.ndarray, size: int) -> np.ndarray:
    """Windows where two or more cells equal the maximum: (K, h, w), (K, ph, pw) -> bool."""
    h, w = activations.shape[-2:]
    spread = np.repeat(np.repeat(pooled, size, axis=-2), size, axis=-1)[..., :h, :w]
    at_max = (activations == spread).astype(np.float64)
    share, cache = avg_pool2d_forward(at_max, size)
    return share * cache.counts > 1.5


def backprop_trace(model: TinyCNN, image: np.ndarray, label: int) -> BackpropTrace:
    """Forward and backward pass of one image (H, W) with its true label, every step kept.

    The chain: z = dense(flatten(maxpool(relu(conv(x, g))))), L = -log softmax(z)[label];
    backward: dz = p - y, dW = outer(flat, dz), db = dz, dflat = W dz, then max-pool,
    ReLU and convolution backward. Equals model.loss_and_gradients for a batch of one.
    """
    image = _check_image(model, image)
    label = int(check_labels(label, model.arch.n_classes, count=1)[0])
    params = model.params
    maps, conv_cache = conv2d_forward(image[None], params["kernels"])
    active, relu_cache = relu_forward(maps)
    pooled, pool_cache = max_pool2d_forward(active, model.arch.pool_size)
    flat = pooled.reshape(1, -1)
    logits, dense_cache = dense_forward(flat, params["weights"], params["bias"])
    loss, loss_cache = softmax_cross_entropy_forward(logits, np.array([label]))
    d_logits = softmax_cross_entropy_backward(loss_cache)
    d_dense = dense_backward(d_logits, dense_cache)
    d_pooled = d_dense.x.reshape(pooled.shape)
    d_active = max_pool2d_backward(d_pooled, pool_cache)
    d_maps = relu_backward(d_active, relu_cache)
    d_kernels = conv2d_backward(d_maps, conv_cache, need_images=False).kernels
    winners = max_pool2d_backward(np.ones_like(pooled), pool_cache) > 0
    return BackpropTrace(
        image=image, label=label, feature_maps=maps[0], activations=active[0],
        pooled=pooled[0], flattened=flat[0], logits=logits[0],
        probabilities=loss_cache.probabilities[0], loss=loss, d_logits=d_logits[0],
        d_weights=d_dense.weights, d_bias=d_dense.bias, d_flattened=d_dense.x[0],
        d_pooled=d_pooled[0], winners=winners[0],
        tied_windows=_tied_windows(active[0], pooled[0], model.arch.pool_size),
        d_activations=d_active[0], d_feature_maps=d_maps[0], d_kernels=d_kernels)


class GradientTerm(NamedTuple):
    """One product of a kernel cell's gradient: input value × upstream gradient."""

    map_index: tuple[int, int]  # [i, j] in the feature map
    input_index: tuple[int, int]  # [i + m, j + n] in the input
    input_value: float
    upstream: float  # dL/d(feature map)[i, j]


class KernelGradientCell(NamedTuple):
    """dL/dg[m, n] and the terms it sums, one per feature-map cell, row-major."""

    kernel_index: tuple[int, int]
    terms: list[GradientTerm]
    value: float  # the sum, computed here independently of conv2d_backward


def kernel_gradient_cell(image: np.ndarray, d_feature_map: np.ndarray,
                         m: int, n: int) -> KernelGradientCell:
    """Explain dL/dg[m, n] for one kernel: image (H, W), d_feature_map (h, w) -> terms.

    dL/dg[m, n] = sum_i sum_j x[i + m, j + n] * delta[i, j], k = H - h + 1. The window of
    the input that the sum reads is x[m : m + h, n : n + w].
    """
    image = as_float_array(image, "image", ndim=2)
    delta = as_float_array(d_feature_map, "upstream gradient", ndim=2)
    k_h, k_w = image.shape[0] - delta.shape[0] + 1, image.shape[1] - delta.shape[1] + 1
    if min(k_h, k_w) < 1:
        raise ValueError(f"upstream gradient {delta.shape} is larger than the image {image.shape}")
    for value, size, name in ((m, k_h, "kernel row"), (n, k_w, "kernel column")):
        if isinstance(value, bool) or int(value) != value or not 0 <= value < size:
            raise ValueError(f"{name} {value!r} is outside 0..{size - 1}")
    m, n = int(m), int(n)
    terms = [GradientTerm((i, j), (i + m, j + n), float(image[i + m, j + n]),
                          float(delta[i, j]))
             for i in range(delta.shape[0]) for j in range(delta.shape[1])]
    return KernelGradientCell((m, n), terms, float(sum(t.input_value * t.upstream
                                                       for t in terms)))


def written_kernel_gradient(cell: KernelGradientCell, *, skip_zeros: bool = True,
                            digits: int = 4) -> str:
    """The sum as text: dL/dg(0,2) = (1×0.0123) + (1×−0.004) = 0.0083, [row, col]; "≈"
    instead of "=" before the total when the written terms do not add up to it (sum_sign).

    skip_zeros leaves out terms whose input or upstream gradient is exactly 0 (they add
    nothing) and says how many were left out.
    """
    shown = [t for t in cell.terms if not skip_zeros or (t.input_value and t.upstream)]

    def short(value: float) -> str:  # significant digits: gradients are often tiny
        return f"{float(value) + 0.0:.{digits}g}".replace("-", MINUS)

    pairs = [(short(t.input_value), short(t.upstream)) for t in shown]
    products = " + ".join(f"({a}×{b})" for a, b in pairs)
    left_out = len(cell.terms) - len(shown)
    where = f"dL/dg({cell.kernel_index[0]},{cell.kernel_index[1]})"
    note = f"  [{left_out} terms with a zero factor left out]" if left_out else ""
    total = short(cell.value)
    return f"{where} = {products or '0'} {sum_sign(pairs, total, short)} {total}{note}"


def kernel_cell_finite_difference(model: TinyCNN, image: np.ndarray, label: int,
                                  kernel: int, m: int, n: int, eps: float = 1e-6) -> float:
    """dL/dg[kernel, m, n] by central differences: (L(g + eps) - L(g - eps)) / (2 eps)."""
    image = _check_image(model, image)
    labels = check_labels(label, model.arch.n_classes, count=1)
    count, k_h, k_w = model.params["kernels"].shape
    for value, size, name in ((kernel, count, "kernel"), (m, k_h, "kernel row"),
                              (n, k_w, "kernel column")):
        if isinstance(value, bool) or int(value) != value or not 0 <= value < size:
            raise ValueError(f"{name} {value!r} is outside 0..{size - 1}")
    probe = TinyCNN.from_params(model.params, model.arch.image_shape, model.arch.pool_size)

    def loss(value: np.ndarray) -> float:
        probe.params["kernels"][kernel, m, n] = value[0]
        return probe.loss_and_gradients(image[None], labels, train_kernels=False)[0]

    start = np.array([probe.params["kernels"][kernel, m, n]])
    return float(numerical_gradient(loss, start, eps=eps)[0])


def sgd_step(model: TinyCNN, image: np.ndarray, label: int,
             learning_rate: float) -> TinyCNN:
    """A new model after one plain gradient step on one image: theta - lr * dL/dtheta.

    The given model is not changed (it may be the shared default model).
    """
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning rate must be a positive number, got {learning_rate}")
    trace = backprop_trace(model, image, label)
    grads = {"kernels": trace.d_kernels, "weights": trace.d_weights, "bias": trace.d_bias}
    with np.errstate(over="ignore", invalid="ignore"):  # reported below as a ValueError
        params = {name: value - learning_rate * grads[name]
                  for name, value in model.params.items()}
    if not all(np.all(np.isfinite(v)) for v in params.values()):
        raise ValueError("the step made a weight infinite: use a smaller learning rate")
    return TinyCNN.from_params(params, model.arch.image_shape, model.arch.pool_size)
