"""ConvNet: 1-3 blocks of conv -> ReLU -> pool over channels, then dense -> softmax.

The architecture is a NetworkSpec (network_spec.py); the model is that spec plus its params
dict, with flat names: "block1.kernels" (C_out, C_in, k, k), "block1.bias" (C_out,), ...,
"dense.weights" (features, classes), "dense.bias" (classes,). Nothing else is kept between
calls. Grey images only: block 1 has one input channel. The notes' TinyCNN is the case of
one block without a conv bias, valid convolution, stride 1 and max pooling
(``ConvNet.from_tiny_cnn``).
"""

from __future__ import annotations

import numpy as np

from .block_pass import block_backward, block_forward, block_workspace_bytes
from .dense import dense_backward, dense_forward
from .losses import (
    _softmax,
    check_labels,
    softmax_cross_entropy_backward,
    softmax_cross_entropy_forward,
)
from .model import TinyCNN
from .network_spec import BlockSpec, NetworkSpec
from .pooling import avg_pool2d_forward, max_pool2d_forward
from .shapes import as_float_array
from .windows import blocked_matmul, window_cells
from .workspace import Workspace

CHUNK = 256  # images per pass when only the probabilities are wanted (bounds the memory)


class ConvNet:
    """A CNN of blocks. ``model.params`` holds every number it has (float64).

    Kernels start He-scaled normal (std sqrt(2 / (C_in k k))), biases at 0, dense weights
    normal with std sqrt(1 / features), all from ``seed``.
    """

    def __init__(self, spec: NetworkSpec, seed: int = 0) -> None:
        if not isinstance(spec, NetworkSpec):
            raise ValueError(f"spec must be a NetworkSpec, got {type(spec).__name__}")
        self.spec = spec.plain()  # checked before anything is built
        # the sizes of every block, fixed by the spec: for training, and for showing
        self._geometries = self.spec.geometries(for_training=True)
        self._plain_geometries = self.spec.geometries(for_training=False)
        rng = np.random.default_rng(seed)
        self.params = {}
        for name, shape in self.spec.param_shapes().items():
            if name.endswith("bias"):
                self.params[name] = np.zeros(shape)
            elif name == "dense.weights":
                self.params[name] = rng.normal(0.0, np.sqrt(1.0 / shape[0]), size=shape)
            else:
                self.params[name] = rng.normal(0.0, np.sqrt(2.0 / np.prod(shape[1:])), size=shape)

    @classmethod
    def from_params(cls, spec: NetworkSpec, params: dict) -> ConvNet:
        """A model of ``spec`` around given params (copied, checked against the spec)."""
        model = cls(spec)
        expected = model.spec.param_shapes()
        if sorted(params) != sorted(expected):
            raise ValueError(f"params must be exactly {', '.join(expected)}; got "
                             f"{', '.join(sorted(params)) or 'nothing'}")
        for name, shape in expected.items():
            value = as_float_array(params[name], name, ndim=len(shape))
            if value.shape != shape:
                raise ValueError(f"{name} has shape {value.shape}, expected {shape} for this "
                                 "architecture")
            model.params[name] = value.copy()
        return model

    @classmethod
    def from_tiny_cnn(cls, model: TinyCNN) -> ConvNet:
        """The same network as a TinyCNN: one block, K channels, no conv bias, max pool."""
        arch = model.arch
        block = BlockSpec(arch.n_kernels, arch.kernel_size, 0, 1, "max", arch.pool_size,
                          bias=False)
        spec = NetworkSpec(arch.image_shape, (block,), arch.n_classes)
        return cls.from_params(spec, {"block1.kernels": model.params["kernels"][:, None],
                                      "dense.weights": model.params["weights"],
                                      "dense.bias": model.params["bias"]})

    @property
    def n_classes(self) -> int:
        return self.spec.n_classes

    def conv_param_names(self) -> list[str]:
        """The names of every block's kernels and biases (what "freeze kernels" freezes)."""
        return [name for name in self.params if name.startswith("block")]

    def check_images(self, images: np.ndarray, dtype: type = np.float64) -> np.ndarray:
        """Images as a checked (N, H, W) array of ``dtype``; one (H, W) image is N = 1."""
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
        shape = self.spec.input_shape
        # one finite image already of the dtype skips as_float_array's general checks
        if (type(images) is np.ndarray and images.dtype.type is dtype
                and images.shape == shape
                and np.count_nonzero(np.isfinite(images)) == images.size):
            return images[None]
        images = as_float_array(images, "images", ndim=(2, 3), dtype=dtype)
        images = images[None] if images.ndim == 2 else images
        if images.shape[1:] != shape:
            raise ValueError(f"images must be {shape[0]}x{shape[1]}, got "
                             f"{images.shape[1]}x{images.shape[2]}")
        return images

    def _params(self, dtype: type) -> dict[str, np.ndarray]:
        if dtype is np.float64:
            return self.params
        return {name: value.astype(dtype, copy=False) for name, value in self.params.items()}

    def forward(self, images: np.ndarray, *, dtype: type = np.float64) -> dict[str, np.ndarray]:
        """Every intermediate of the forward pass, for showing.

        images (N, H, W) or one (H, W) -> dict with, per block b = 1, 2, ...:
        "block{b}.feature_maps" (N, C, h, w) = conv + bias, h = (H_in - k + 2P) // S + 1;
        "block{b}.activations" (same) = ReLU; "block{b}.pooled" (N, C, ph, pw),
        ph = ceil(h / s) (the activations themselves without pooling); then
        "flattened" (N, features), "logits" (N, classes), "probabilities" (N, classes).
        """
        images = self.check_images(images, dtype)
        params, out = self._params(dtype), {}
        x = images[None]  # channel-major (C, N, H, W), C = 1
        for number, (block, geo) in enumerate(zip(self.spec.blocks, self._plain_geometries,
                                                  strict=True), start=1):
            kernels = params[f"block{number}.kernels"]
            cells = window_cells(x, geo)
            maps = blocked_matmul(kernels.reshape(len(kernels), -1), cells,
                                  np.empty((len(kernels), cells.shape[1]), x.dtype), x.shape[1])
            maps = maps.reshape(len(kernels), x.shape[1], geo.rows, geo.cols)
            maps = maps[:, :, : geo.maps[0], : geo.maps[1]]
            if block.bias:
                maps += params[f"block{number}.bias"][:, None, None, None]
            active = np.maximum(maps, 0.0)
            if block.pool == "max":
                x = max_pool2d_forward(active, block.pool_size)[0]
            elif block.pool == "avg":
                x = avg_pool2d_forward(active, block.pool_size)[0]
            else:
                x = active
            for name, value in (("feature_maps", maps), ("activations", active), ("pooled", x)):
                out[f"block{number}.{name}"] = value.transpose(1, 0, 2, 3)
        out["flattened"] = x.transpose(1, 0, 2, 3).reshape(images.shape[0], -1)
        logits = out["flattened"] @ params["dense.weights"]
        logits += params["dense.bias"]
        out["logits"], out["probabilities"] = logits, _softmax(logits)
        return out

    def workspace_bytes(self, n: int, dtype: type) -> int:
        """Bytes of the one workspace a training pass over n images takes."""
        total, channels = 0, 1
        for block, geo in zip(self.spec.blocks, self._geometries, strict=True):
            total += block_workspace_bytes(geo, channels, block.channels, n,
                                           np.dtype(dtype).itemsize)
            channels = block.channels
        return total

    def _blocks_forward(self, images: np.ndarray, params: dict) -> tuple[np.ndarray, list]:
        """Checked images (N, H, W) -> flattened (N, features) and every block's cache,
        whose large arrays share one workspace."""
        x, caches = images[None], []
        workspace = Workspace(self.workspace_bytes(len(images), images.dtype))
        for number, (block, geo) in enumerate(zip(self.spec.blocks, self._geometries,
                                                  strict=True), start=1):
            x, cache = block_forward(x, params[f"block{number}.kernels"],
                                     params.get(f"block{number}.bias"), geo, block.pool,
                                     workspace)
            caches.append(cache)
        return x.transpose(1, 0, 2, 3).reshape(images.shape[0], -1), caches

    def probabilities(self, images: np.ndarray, *, dtype: type = np.float64) -> np.ndarray:
        """Class probabilities (N, classes) only, CHUNK images at a time (for evaluation)."""
        images = self.check_images(images, dtype)
        params, parts = self._params(dtype), []
        for start in range(0, len(images), CHUNK):
            flat, _ = self._blocks_forward(images[start : start + CHUNK], params)
            parts.append(_softmax(flat @ params["dense.weights"] + params["dense.bias"]))
        return np.concatenate(parts)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Predicted class per image: argmax of the probabilities, (N,) int."""
        return self.probabilities(images).argmax(axis=1)

    def loss_and_gradients(self, images: np.ndarray, labels: np.ndarray, *,
                           dtype: type = np.float64,
                           train_kernels: bool = True) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy over the batch and its gradient for every parameter.

        images (N, H, W), labels (N,) -> (loss, grads) with grads keyed like params.
        ``train_kernels=False`` skips every block's backward (their grads are zeros).
        """
        images = self.check_images(images, dtype)
        labels = check_labels(labels, self.n_classes, count=images.shape[0])
        params = self._params(dtype)
        flat, caches = self._blocks_forward(images, params)
        logits, dense_cache = dense_forward(flat, params["dense.weights"], params["dense.bias"])
        loss, loss_cache = softmax_cross_entropy_forward(logits, labels)
        d_dense = dense_backward(softmax_cross_entropy_backward(loss_cache), dense_cache)
        grads = {"dense.weights": d_dense.weights, "dense.bias": d_dense.bias}
        if not train_kernels:
            grads.update({name: np.zeros_like(self.params[name])
                          for name in self.conv_param_names()})
            return loss, {name: grads[name] for name in self.params}
        n, (channels, ph, pw) = images.shape[0], self._last_shape()
        d_x = d_dense.x.reshape(n, channels, ph, pw).transpose(1, 0, 2, 3)
        for number in range(len(caches), 0, -1):
            # block 1's input is the image: it needs no gradient
            d_x, d_kernels, d_bias = block_backward(d_x, caches[number - 1],
                                                    need_input=number > 1)
            grads[f"block{number}.kernels"] = d_kernels
            if d_bias is not None:
                grads[f"block{number}.bias"] = d_bias
        return loss, {name: grads[name] for name in self.params}

    def _last_shape(self) -> tuple[int, int, int]:
        return (self.spec.blocks[-1].channels, *self._geometries[-1].pooled)
