"""TinyCNN: the notes' network, K kernels -> ReLU -> max pool -> flatten -> dense -> softmax.

One input channel, valid convolution, stride 1, no convolution bias, as in the notes.
A model is its params dict; forward and backward keep nothing between calls, so a
Streamlit rerun can never see yesterday's numbers.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .dense import dense_backward, dense_forward
from .inference import tiny_cnn_forward
from .kernels import kernel_bank
from .losses import (
    check_labels,
    softmax_cross_entropy_backward,
    softmax_cross_entropy_forward,
)
from .pooling import pool_output_size
from .shapes import as_float_array, output_size
from .training_pass import conv_relu_pool, conv_relu_pool_kernel_grads

PARAM_NAMES = ("kernels", "weights", "bias")


class Architecture(NamedTuple):
    """The numbers that fix every shape in the model."""

    n_kernels: int
    kernel_size: int
    image_shape: tuple[int, int]
    pool_size: int
    n_classes: int

    @property
    def feature_shape(self) -> tuple[int, int]:
        """Feature map size: (H - k + 1, W - k + 1)."""
        return tuple(output_size(n, self.kernel_size) for n in self.image_shape)

    @property
    def pooled_shape(self) -> tuple[int, int]:
        """Pooled map size, cut-off windows kept: ceil((n - size) / size) + 1 per axis."""
        return tuple(pool_output_size(n, self.pool_size, self.pool_size)
                     for n in self.feature_shape)

    @property
    def n_features(self) -> int:
        """Length of the flattened vector: K * pooled_h * pooled_w."""
        ph, pw = self.pooled_shape
        return self.n_kernels * ph * pw


def _check_architecture(arch: Architecture) -> None:
    for name in ("n_kernels", "kernel_size", "pool_size", "n_classes"):
        value = getattr(arch, name)
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    if arch.n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {arch.n_classes}")
    if len(arch.image_shape) != 2 or min(arch.image_shape) < 1:
        raise ValueError(f"image_shape must be (height, width), got {arch.image_shape!r}")
    arch.feature_shape  # noqa: B018 -- raises if the kernel does not fit the image


class TinyCNN:
    """The notes' CNN with K kernels. ``model.params`` holds every number it has.

    params: "kernels" (K, k, k), "weights" (K * ph * pw, n_classes), "bias" (n_classes,),
    all float64. ``kernel_init`` is "random" (He-scaled normal, from ``seed``) or a list of
    named kernels from KERNELS (cycled if shorter than K).
    """

    def __init__(self, n_kernels: int = 8, kernel_size: int = 3,
                 image_shape: tuple[int, int] = (8, 8), pool_size: int = 2,
                 n_classes: int = 10, seed: int = 0,
                 kernel_init: str | list[str] | tuple[str, ...] = "random") -> None:
        self.arch = Architecture(n_kernels, kernel_size, tuple(int(n) for n in image_shape),
                                 pool_size, n_classes)
        _check_architecture(self.arch)
        rng = np.random.default_rng(seed)
        k = kernel_size
        if kernel_init == "random":
            kernels = rng.normal(0.0, np.sqrt(2.0 / (k * k)), size=(n_kernels, k, k))
        else:
            names = [kernel_init[i % len(kernel_init)] for i in range(n_kernels)]
            kernels = kernel_bank(names, k)
        d = self.arch.n_features
        self.params = {
            "kernels": kernels,
            "weights": rng.normal(0.0, np.sqrt(1.0 / d), size=(d, n_classes)),
            "bias": np.zeros(n_classes),
        }

    @classmethod
    def from_params(cls, params: dict, image_shape: tuple[int, int],
                    pool_size: int = 2) -> TinyCNN:
        """A model around given params (copied), checked against the architecture they imply."""
        kernels = as_float_array(params.get("kernels"), "kernels", ndim=3)
        weights = as_float_array(params.get("weights"), "weights", ndim=2)
        bias = as_float_array(params.get("bias"), "bias", ndim=1)
        if kernels.shape[1] != kernels.shape[2]:
            raise ValueError(f"kernels must be square, got shape {kernels.shape}")
        model = cls(kernels.shape[0], kernels.shape[1], image_shape, pool_size,
                    bias.shape[0], seed=0)
        expected = {name: value.shape for name, value in model.params.items()}
        for name, value in (("kernels", kernels), ("weights", weights), ("bias", bias)):
            if value.shape != expected[name]:
                raise ValueError(f"{name} has shape {value.shape}, expected {expected[name]} "
                                 f"for images {image_shape} and pool size {pool_size}")
            model.params[name] = value.copy()
        return model

    def _images(self, images: np.ndarray, dtype: type) -> np.ndarray:
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
        # the common case, one finite image already of the dtype, skips as_float_array's
        # general checks; anything else (or a NaN) takes them, and their error messages
        if (type(images) is np.ndarray and images.dtype.type is dtype
                and images.shape == self.arch.image_shape
                and np.count_nonzero(np.isfinite(images)) == images.size):
            return images[None]
        images = as_float_array(images, "images", ndim=(2, 3), dtype=dtype)
        images = images[None] if images.ndim == 2 else images
        if images.shape[1:] != self.arch.image_shape:
            raise ValueError(f"images must be {self.arch.image_shape[0]}x"
                             f"{self.arch.image_shape[1]}, got {images.shape[1]}x"
                             f"{images.shape[2]}")
        return images

    def _params(self, dtype: type) -> dict[str, np.ndarray]:
        if dtype is np.float64:  # already float64; any other number type would be promoted
            return self.params
        return {name: value.astype(dtype, copy=False) for name, value in self.params.items()}

    def _forward(self, images: np.ndarray, dtype: type):
        """Unchecked forward of checked images (N, H, W) for training: values, caches.

        values: pooled (N, K, ph, pw), flattened (N, K*ph*pw), logits (N, C); the feature
        maps stay inside the cache, laid out for the backward (training_pass.py).
        """
        params = self._params(dtype)
        pooled, pass_cache = conv_relu_pool(images, params["kernels"], self.arch.pool_size)
        flattened = pooled.reshape(images.shape[0], -1)
        logits, dense_cache = dense_forward(flattened, params["weights"], params["bias"])
        values = {"pooled": pooled, "flattened": flattened, "logits": logits}
        return values, (pass_cache, dense_cache)

    def forward(self, images: np.ndarray, *, dtype: type = np.float64) -> dict[str, np.ndarray]:
        """Every intermediate of the forward pass for a batch.

        images (N, H, W) (or one (H, W) image, treated as N = 1) -> dict with
        feature_maps (N, K, H-k+1, W-k+1), activations (same), pooled (N, K, ph, pw),
        flattened (N, K*ph*pw), logits (N, C), probabilities (N, C).
        Computed by inference.tiny_cnn_forward, the same numbers as training's forward
        up to the last bits of the products (tests hold them to 1e-12).
        """
        images = self._images(images, dtype)
        return tiny_cnn_forward(self._params(dtype), images, self.arch.pool_size)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Predicted class per image: argmax of the logits, (N,) int."""
        return self.forward(images)["logits"].argmax(axis=1)

    def loss_and_gradients(self, images: np.ndarray, labels: np.ndarray, *,
                           dtype: type = np.float64,
                           train_kernels: bool = True) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy over the batch and its gradient for every parameter.

        images (N, H, W), labels (N,) -> (loss, grads) with grads keyed like params.
        ``train_kernels=False`` skips the convolution backward (frozen kernels get zeros).
        """
        images = self._images(images, dtype)
        labels = check_labels(labels, self.arch.n_classes, count=images.shape[0])
        values, (pass_cache, dense_cache) = self._forward(images, dtype)
        loss, loss_cache = softmax_cross_entropy_forward(values["logits"], labels)
        d_logits = softmax_cross_entropy_backward(loss_cache)
        d_dense = dense_backward(d_logits, dense_cache)
        grads = {"weights": d_dense.weights, "bias": d_dense.bias}
        if train_kernels:
            # the first layer's input needs no gradient: only the kernels get one
            grads["kernels"] = conv_relu_pool_kernel_grads(
                d_dense.x.reshape(values["pooled"].shape), pass_cache)
        else:
            grads["kernels"] = np.zeros_like(self.params["kernels"])
        return loss, grads
