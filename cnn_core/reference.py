"""Plain-loop twins of the fast layers: slow, obvious, and the tests' oracle.

Each function is written the way the notes write it (explicit loops over output cells),
generalised to padding and stride. Nothing in the app calls these; the tests compare the
fast paths with them, and the benchmark measures how much faster the fast path is.
"""

from __future__ import annotations

import math

import numpy as np


def conv2d_loops(image: np.ndarray, kernel: np.ndarray, padding: tuple[int, int] = (0, 0),
                 stride: tuple[int, int] = (1, 1)) -> np.ndarray:
    """C(i, j) = sum_m sum_n f_pad(i*S + m, j*S + n) g(m, n), one output cell at a time."""
    image = np.pad(np.asarray(image, dtype=np.float64), ((padding[0],) * 2, (padding[1],) * 2))
    kernel = np.asarray(kernel, dtype=np.float64)
    k_h, k_w = kernel.shape
    out_h = (image.shape[0] - k_h) // stride[0] + 1
    out_w = (image.shape[1] - k_w) // stride[1] + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            total = 0.0
            for m in range(k_h):
                for n in range(k_w):
                    total += image[i * stride[0] + m, j * stride[1] + n] * kernel[m, n]
            out[i, j] = total
    return out


def conv2d_channels_loops(images: np.ndarray, kernels: np.ndarray,
                          bias: np.ndarray | None = None, padding: tuple[int, int] = (0, 0),
                          stride: tuple[int, int] = (1, 1)) -> np.ndarray:
    """out[n, o, i, j] = b[o] + sum_c sum_m sum_q x_pad[n, c, i*S + m, j*S + q] g[o, c, m, q],
    images (N, C_in, H, W), kernels (C_out, C_in, k_h, k_w): one output cell at a time."""
    images = np.asarray(images, dtype=np.float64)
    kernels = np.asarray(kernels, dtype=np.float64)
    n_images, c_in = images.shape[:2]
    c_out, _, k_h, k_w = kernels.shape
    padded = np.pad(images, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    out_h = (padded.shape[2] - k_h) // stride[0] + 1
    out_w = (padded.shape[3] - k_w) // stride[1] + 1
    out = np.zeros((n_images, c_out, out_h, out_w))
    for n in range(n_images):
        for o in range(c_out):
            for i in range(out_h):
                for j in range(out_w):
                    total = 0.0 if bias is None else float(bias[o])
                    for c in range(c_in):
                        for m in range(k_h):
                            for q in range(k_w):
                                total += (padded[n, c, i * stride[0] + m, j * stride[1] + q]
                                          * kernels[o, c, m, q])
                    out[n, o, i, j] = total
    return out


def conv1d_loops(signal, kernel, padding=(0, 0), stride=1, mode="correlate") -> np.ndarray:
    """C(i) = sum_j f(i + j) g(j) ("correlate") or sum_j f(i - j) g(j) ("convolve"),
    written over the padded signal f_pad, whose index 0 is the first padding zero."""
    f = [0.0] * padding[0] + [float(v) for v in signal] + [0.0] * padding[1]
    g = [float(v) for v in kernel]
    k = len(g)
    out = []
    for start in range(0, len(f) - k + 1, stride):
        if mode == "correlate":
            out.append(sum(f[start + j] * g[j] for j in range(k)))
        else:  # the notes' f(i - j) with i = start + k - 1 the window's last cell
            i = start + k - 1
            out.append(sum(f[i - j] * g[j] for j in range(k)))
    return np.array(out)


def _pool_loops(x: np.ndarray, size: int, stride: int, reduce) -> np.ndarray:
    def starts(n: int) -> list[int]:
        # windows step on while the last one has not reached the edge and the next one
        # would still start inside the map
        found = [0]
        while found[-1] + size < n and found[-1] + stride < n:
            found.append(found[-1] + stride)
        return found

    rows, cols = starts(x.shape[0]), starts(x.shape[1])
    out = np.zeros((len(rows), len(cols)))
    for i, top in enumerate(rows):
        for j, left in enumerate(cols):
            out[i, j] = reduce(x[top : top + size, left : left + size])
    return out


def max_pool2d_loops(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """The notes' max_pooling, with a stride: max over each window, cut-off windows kept."""
    return _pool_loops(np.asarray(x, dtype=np.float64), size, stride or size, np.max)


def avg_pool2d_loops(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """The notes' avg_pooling, with a stride: mean over the cells each window holds."""
    return _pool_loops(np.asarray(x, dtype=np.float64), size, stride or size, np.mean)


def tiny_cnn_gradients_loops(params: dict, images: np.ndarray, labels: np.ndarray,
                             pool_size: int = 2) -> tuple[float, dict]:
    """Mean loss and gradients of TinyCNN, one image, kernel and cell at a time.

    The notes' single-image backprop, with each image's OWN input used for its kernel
    gradient (the notes' multi-image loop wrongly uses ``image``), several kernels, and the
    gradient of a max-pool window sent to one winner (first in row-major order).
    """
    kernels, weights, bias = params["kernels"], params["weights"], params["bias"]
    n_kernels, k, _ = kernels.shape
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    total_loss = 0.0
    for image, label in zip(images, labels, strict=True):
        maps = [conv2d_loops(image, kernels[c]) for c in range(n_kernels)]
        active = [np.maximum(m, 0) for m in maps]
        pooled = [max_pool2d_loops(a, pool_size) for a in active]
        flat = np.concatenate([p.ravel() for p in pooled])
        logits = flat @ weights + bias
        exp = np.exp(logits - logits.max())
        probs = exp / exp.sum()
        total_loss += -math.log(probs[label])
        d_logits = probs.copy()
        d_logits[label] -= 1.0
        grads["weights"] += np.outer(flat, d_logits)
        grads["bias"] += d_logits
        d_flat = weights @ d_logits
        ph, pw = pooled[0].shape
        for c in range(n_kernels):
            d_pooled = d_flat[c * ph * pw : (c + 1) * ph * pw].reshape(ph, pw)
            d_map = np.zeros_like(maps[c])
            for i in range(ph):
                for j in range(pw):
                    region = active[c][i * pool_size : (i + 1) * pool_size,
                                       j * pool_size : (j + 1) * pool_size]
                    m, n = np.unravel_index(np.argmax(region), region.shape)
                    d_map[i * pool_size + m, j * pool_size + n] += d_pooled[i, j]
            d_map *= maps[c] > 0
            for m in range(k):
                for n in range(k):
                    window = image[m : m + d_map.shape[0], n : n + d_map.shape[1]]
                    grads["kernels"][c, m, n] += np.sum(window * d_map)
    count = len(images)
    return total_loss / count, {name: g / count for name, g in grads.items()}
