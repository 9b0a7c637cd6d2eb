"""TinyCNN's forward pass alone, for showing and predicting: no caches, few numpy calls.

Training keeps its own forward (model.py), laid out for its backward. This one computes
the maps channels first, so each image's K maps come out of one product as contiguous
blocks, and pools them with 2 (s - 1) strided np.maximum calls. A numpy call costs about a
microsecond whatever its size here, so the count of calls is what is kept small.
"""

from __future__ import annotations

import numpy as np

from .losses import _softmax


def tiny_cnn_forward(params: dict[str, np.ndarray], images: np.ndarray,
                     pool_size: int) -> dict[str, np.ndarray]:
    """Unchecked TinyCNN forward of checked images (N, H, W), params of their dtype.

    -> feature_maps (N, K, h, w), activations (same), pooled (N, K, ph, pw),
    flattened (N, K*ph*pw), logits (N, C), probabilities (N, C); h = H - k + 1,
    ph = ceil(h / s). pooled is bit for bit max_pool2d_forward(relu_forward(feature_maps)):
    a window with a positive cell pools to its maximum, max(relu(x)) = relu(max(x)); any
    other window to its first cell's ReLU, +0 or -0.
    """
    images = np.ascontiguousarray(images)
    n, height, width = images.shape
    kernels = params["kernels"]
    n_kernels, k, _ = kernels.shape
    s = pool_size
    h, w = height - k + 1, width - k + 1
    # im2col as one copy of a strided view: cells[m, q, i, r, c] = images[i, r + m, c + q]
    image_step, row, col = images.strides
    cells = np.ndarray((k, k, n, h, w), images.dtype, images, 0,
                       (row, col, image_step, row, col))
    maps = (kernels.reshape(n_kernels, -1) @ cells.reshape(k * k, -1)).reshape(n_kernels, n,
                                                                               h, w)
    # relu_forward's x * (x > 0) bit for bit for finite x (-0 where x < 0 or x = -0), in
    # two float passes instead of a compare and a slower bool-times-float product
    active = maps * 0.0
    np.maximum(maps, active, out=active)
    whole = maps
    if h % s or w % s:
        # cut-off windows made whole by repeating the last row and column: same maxima
        whole = np.pad(maps, ((0, 0), (0, 0), (0, -h % s), (0, -w % s)), mode="edge")
    rows = whole[:, :, ::s]
    for a in range(1, s):  # rows first: slices of whole rows are the cheap ones
        rows = np.maximum(rows, whole[:, :, a::s])
    top = rows[..., ::s]
    for b in range(1, s):
        top = np.maximum(top, rows[..., b::s])
    pooled = np.where(top > 0, top, active[:, :, ::s, ::s]).transpose(1, 0, 2, 3)
    flattened = pooled.reshape(n, -1)
    logits = flattened @ params["weights"]
    logits += params["bias"]
    return {"feature_maps": maps.transpose(1, 0, 2, 3),
            "activations": active.transpose(1, 0, 2, 3), "pooled": pooled,
            "flattened": flattened, "logits": logits, "probabilities": _softmax(logits)}
