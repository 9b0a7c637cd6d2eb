"""Backprop through TinyCNN for one image, every intermediate gradient kept for the page.

TinyCNN.loss_and_gradients returns only the parameter gradients; the backprop page shows
the whole chain, so ``backprop_trace`` composes the same layer forward/backward functions
and keeps each step: dL/dlogits = p - y, the dense gradients, the gradient routed through
max pooling (to one winning cell per window), through ReLU, and finally dL/dkernel.
One kernel cell's gradient written term by term is cnn_core.kernel_gradient.
``pool_routing`` says which cells max pooling hands the gradient to (for any block's maps),
and ``sgd_step`` takes one plain gradient step with a TinyCNN or a ConvNet.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import relu_backward, relu_forward
from .conv import conv2d_backward, conv2d_forward
from .dense import dense_backward, dense_forward
from .losses import check_labels, softmax_cross_entropy_backward, softmax_cross_entropy_forward
from .model import TinyCNN
from .network import ConvNet
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

    def strongest_kernel(self) -> int:
        """The kernel with the largest gradient: argmax over k of sum |dL/dg_k|."""
        return int(np.abs(self.d_kernels).sum(axis=(1, 2)).argmax())

    def stopped_by_relu(self, kernel: int) -> int:
        """How many gradients ReLU stops for this kernel: nonzero dL/d(ReLU output) where
        the feature map is <= 0."""
        return int((self.d_activations[kernel] != 0).sum()
                   - (self.d_feature_maps[kernel] != 0).sum())

    def dense_rows(self, kernel: int) -> slice:
        """The rows of W (and dL/dW) that read this kernel's pooled map: k P .. (k + 1) P - 1,
        P = ph pw (flatten puts the kernels' maps end to end)."""
        size = self.pooled[0].size
        return slice(kernel * size, (kernel + 1) * size)


def checked_image(model: TinyCNN, image: object) -> np.ndarray:
    """image as a float64 (H, W) of the model's input size; ValueError otherwise."""
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


def pool_routing(activations: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Where max pooling sends the gradient back: activations (..., h, w), window ``size``
    -> winners (..., h, w) bool, one cell per window (the first maximum in reading order),
    and tied windows (..., ph, pw) bool, ph = ceil(h / size) (cut-off edge windows kept)."""
    pooled, cache = max_pool2d_forward(activations, size)
    winners = max_pool2d_backward(np.ones_like(pooled), cache) > 0
    return winners, _tied_windows(activations, pooled, size)


def backprop_trace(model: TinyCNN, image: np.ndarray, label: int) -> BackpropTrace:
    """Forward and backward pass of one image (H, W) with its true label, every step kept.

    The chain: z = dense(flatten(maxpool(relu(conv(x, g))))), L = -log softmax(z)[label];
    backward: dz = p - y, dW = outer(flat, dz), db = dz, dflat = W dz, then max-pool,
    ReLU and convolution backward. Equals model.loss_and_gradients for a batch of one.
    """
    image = checked_image(model, image)
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


def sgd_step(model: TinyCNN | ConvNet, image: np.ndarray, label: int,
             learning_rate: float) -> TinyCNN | ConvNet:
    """A new model of the same kind after one plain gradient step on one image (H, W):
    theta - lr * dL/dtheta, for every parameter (a ConvNet: every block's kernels and
    biases, and the dense layer).

    The given model is not changed (it may be the shared default model).
    """
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning rate must be a positive number, got {learning_rate}")
    if isinstance(model, ConvNet):
        labels = check_labels(label, model.n_classes, count=1)
        grads = model.loss_and_gradients(model.check_images(image), labels)[1]
    else:
        trace = backprop_trace(model, image, label)
        grads = {"kernels": trace.d_kernels, "weights": trace.d_weights, "bias": trace.d_bias}
    with np.errstate(over="ignore", invalid="ignore"):  # reported below as a ValueError
        params = {name: value - learning_rate * grads[name]
                  for name, value in model.params.items()}
    if not all(np.all(np.isfinite(v)) for v in params.values()):
        raise ValueError("the step made a weight infinite: use a smaller learning rate")
    if isinstance(model, ConvNet):
        return ConvNet.from_params(model.spec, params)
    return TinyCNN.from_params(params, model.arch.image_shape, model.arch.pool_size)
