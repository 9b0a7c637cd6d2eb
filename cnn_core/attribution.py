"""Where the network looks: occlusion and saliency maps of one image, for either model.

Occlusion (Zeiler and Fergus, 2014) asks the network directly: cover a patch of the image
with blank paper and see how much the target class's probability drops. Every position of
the patch is one occluded copy of the image, and the copies go through the network in
batches. Saliency (Simonyan, Vedaldi and Zisserman, 2014) asks the gradient instead: how
fast the target class's score changes as each input cell changes, by the same backward
functions that train the network, with dL/dlogits replaced by a one-hot on the target.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import relu_backward, relu_forward
from .block_pass import block_backward
from .conv import conv2d_backward, conv2d_forward
from .dense import dense_backward, dense_forward
from .evaluation import checked_images
from .losses import _softmax
from .model import TinyCNN
from .network import ConvNet
from .pooling import max_pool2d_backward, max_pool2d_forward

# Occluded copies per batch: as many as keep a batch's first maps (channels x H x W per
# copy) within MAX_MAP_CELLS float64 cells, 1 MB: 16 copies of the default network (32
# kernels on 16x16), 13 batches for its 196. Measured on 2 shared cores: one batch of all
# 196 is no faster at best (2.9 ms) and slower under load: its arrays leave the caches and
# its products wake BLAS's second thread, which stalls while another process holds the
# other core (two runs: p90 25 and 111 ms in one batch, 11 and 12 ms in batches of 16).
MAX_MAP_CELLS = 2**17


class OcclusionMap(NamedTuple):
    """How much covering each place with a blank patch lowers the target's probability.

    The page should show ``per_pixel`` over the model's input (cell [r, c] of the image),
    signed (drop < 0: covering that place made the target more likely). ``drop`` is the
    raw map: its cell [i, j] is the patch whose top-left corner is [i*stride, j*stride].
    """

    drop: np.ndarray  # (out_h, out_w) base_probability - probabilities
    per_pixel: np.ndarray  # (H, W) mean drop of the patches covering each cell, NaN if none
    coverage: np.ndarray  # (H, W) int: how many patches cover each cell
    probabilities: np.ndarray  # (out_h, out_w) p_target of each occluded copy
    base_probability: float  # p_target of the image itself
    target: int
    patch: int
    stride: int

    def region(self, i: int, j: int) -> tuple[slice, slice]:
        """The rows and columns cell [i, j] of ``drop`` blanks: [i*S, i*S + patch)."""
        top, left = i * self.stride, j * self.stride
        return slice(top, top + self.patch), slice(left, left + self.patch)


class SaliencyMap(NamedTuple):
    """The gradient of the target's score (logit) with respect to every input cell."""

    gradient: np.ndarray  # (H, W) d z_target / d x[r, c]
    target: int
    score: float  # z_target, the logit itself


def _check_image(model: TinyCNN | ConvNet, image: object) -> np.ndarray:
    """One image (H, W) of the model's input size as float64 (its own checks and messages)."""
    if not isinstance(model, TinyCNN | ConvNet):
        raise ValueError(f"model must be a TinyCNN or a ConvNet, got {type(model).__name__}")
    images = checked_images(model, image)
    if images.shape[0] != 1:
        raise ValueError(f"give one image (H, W), got {images.shape[0]} images")
    return images[0]


def _whole(value: object, name: str, low: int, high: int | None = None) -> int:
    if (isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low
            or (high is not None and value > high)):
        limits = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise ValueError(f"{name} must be a whole number {limits}, got {value!r}")
    return int(value)


def _target(target: object, scores: np.ndarray) -> int:
    """The class to explain: ``target``, checked, or the highest score's class."""
    if target is None:
        return int(np.argmax(scores))
    return _whole(target, "target (a class)", 0, len(scores) - 1)


def _probabilities(model: TinyCNN | ConvNet, images: np.ndarray) -> np.ndarray:
    """(N, classes) for checked images (N, H, W): the models' batch paths, whose large
    arrays share one allocation (inference's forward keeps every map: slower here)."""
    if isinstance(model, ConvNet):
        return model.probabilities(images)
    values, _ = model._forward(images, np.float64)
    return _softmax(values["logits"])


def _covered(size: int, patch: int, stride: int) -> np.ndarray:
    """(out, size) bool: patch i covers cells [i*S, i*S + patch); out = (size - patch) // S + 1."""
    tops = np.arange((size - patch) // stride + 1) * stride
    cells = np.arange(size)
    return (cells >= tops[:, None]) & (cells < tops[:, None] + patch)


def occlusion_map(model: TinyCNN | ConvNet, image: np.ndarray, *, patch: int = 3,
                  stride: int = 1, fill: float = 0.0,
                  target: int | None = None) -> OcclusionMap:
    """Slide a patch x patch square of ``fill`` (paper = 0) over the image, in batches.

    image (H, W) -> drop (out_h, out_w), out_h = (H - patch) // stride + 1 (likewise out_w);
    drop[i, j] = p_t(image) - p_t(image with rows i*S .. i*S+patch-1 and columns
    j*S .. j*S+patch-1 set to fill), t = target (default: the predicted class);
    per_pixel[r, c] = mean of drop over the patches covering [r, c] (NaN where none does:
    stride > patch leaves gaps, and the last patch may stop short of the edge).
    patch: 1..min(H, W); stride >= 1. The copies go through the network in batches, one
    batched forward each (MAX_MAP_CELLS says how large and why), never one per copy.
    """
    image = _check_image(model, image)
    height, width = image.shape
    patch = _whole(patch, "patch size", 1, min(height, width))
    stride = _whole(stride, "stride", 1)
    if isinstance(fill, bool) or not isinstance(fill, int | float | np.integer | np.floating) \
            or not np.isfinite(fill):
        raise ValueError(f"fill must be a finite number (paper = 0), got {fill!r}")
    base = _probabilities(model, image[None])[0]
    target = _target(target, base)
    rows, cols = _covered(height, patch, stride), _covered(width, patch, stride)
    count = len(rows) * len(cols)
    channels = (model.spec.blocks[0].channels if isinstance(model, ConvNet)
                else model.arch.n_kernels)
    chunk = max(1, MAX_MAP_CELLS // (channels * height * width))
    probabilities = np.empty(count)
    for start in range(0, count, chunk):
        i, j = np.divmod(np.arange(start, min(start + chunk, count)), len(cols))
        blank = rows[i][:, :, None] & cols[j][:, None, :]  # (n, H, W): the patch of each copy
        copies = np.where(blank, float(fill), image)
        probabilities[start : start + len(i)] = _probabilities(model, copies)[:, target]
    probabilities = probabilities.reshape(len(rows), len(cols))
    drop = base[target] - probabilities
    # each pixel sums the drops of the patches covering it: rows^T @ drop @ cols
    coverage = rows.sum(axis=0)[:, None] * cols.sum(axis=0)[None, :]
    total = rows.T.astype(np.float64) @ drop @ cols.astype(np.float64)
    per_pixel = np.divide(total, coverage, out=np.full(total.shape, np.nan),
                          where=coverage > 0)
    return OcclusionMap(drop, per_pixel, coverage, probabilities, float(base[target]), target,
                        patch, stride)


def _tiny_cnn_saliency(model: TinyCNN, image: np.ndarray,
                       target: object) -> tuple[np.ndarray, int, float]:
    """The notes' chain, forward then backward from a one-hot dz: dense, max pool, ReLU,
    and the convolution's backward to its input (need_images=True)."""
    params = model.params
    maps, conv_cache = conv2d_forward(image[None], params["kernels"])
    active, relu_cache = relu_forward(maps)
    pooled, pool_cache = max_pool2d_forward(active, model.arch.pool_size)
    logits, dense_cache = dense_forward(pooled.reshape(1, -1), params["weights"],
                                        params["bias"])
    target = _target(target, logits[0])
    d_logits = np.zeros_like(logits)
    d_logits[0, target] = 1.0
    d_pooled = dense_backward(d_logits, dense_cache).x.reshape(pooled.shape)
    d_maps = relu_backward(max_pool2d_backward(d_pooled, pool_cache), relu_cache)
    gradient = conv2d_backward(d_maps, conv_cache, need_images=True).images[0]
    return gradient, target, float(logits[0, target])


def _convnet_saliency(model: ConvNet, image: np.ndarray,
                      target: object) -> tuple[np.ndarray, int, float]:
    """ConvNet's own blocks forward and back (as in loss_and_gradients), every block's
    input gradient kept, block 1's included: it is the image's."""
    flat, caches = model._blocks_forward(image[None], model.params)
    logits, dense_cache = dense_forward(flat, model.params["dense.weights"],
                                        model.params["dense.bias"])
    target = _target(target, logits[0])
    d_logits = np.zeros_like(logits)
    d_logits[0, target] = 1.0
    d_x = dense_backward(d_logits, dense_cache).x.reshape(1, *model._last_shape())
    d_x = d_x.transpose(1, 0, 2, 3)  # channel-major (C, N, ph, pw), as the blocks keep it
    for cache in reversed(caches):
        d_x, _, _ = block_backward(d_x, cache, need_input=True)
    return d_x[0, 0], target, float(logits[0, target])


def saliency_map(model: TinyCNN | ConvNet, image: np.ndarray, *,
                 target: int | None = None) -> SaliencyMap:
    """The gradient of the target class's score with respect to each input cell.

    image (H, W) -> gradient (H, W), gradient[r, c] = d z_t / d x[r, c], z = the logits
    (before softmax), t = target (default: the highest logit, the predicted class).
    The logit, not the probability: p_t = softmax(z)_t has d p_t = p_t (d z_t - sum_c p_c
    d z_c), which mixes in every other class's gradient and vanishes as p_t nears 1 -- a
    confident prediction would look at nothing. The gradient says how the score changes
    for a small change of ink, so it is local: on a blank image every feature map of a
    network without conv bias sits on ReLU's kink, taken as slope 0, and the map is 0.
    """
    image = _check_image(model, image)
    if isinstance(model, TinyCNN):
        return SaliencyMap(*_tiny_cnn_saliency(model, image, target))
    return SaliencyMap(*_convnet_saliency(model, image, target))
