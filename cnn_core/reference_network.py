"""Plain-loop twin of ConvNet's loss and gradients: one image, channel and cell at a time.

Slow and obvious, the tests' oracle for network.py and block_pass.py. The forward is the
notes' recipe per block (convolution summed over input channels plus a bias, ReLU, pooling
with cut-off windows kept), the backward the chain rule written cell by cell: a max-pool
window's gradient goes to its first largest cell in row-major order, an average-pool
window's gradient is shared equally among the cells it really holds.
"""

from __future__ import annotations

import math

import numpy as np

from .reference import conv2d_channels_loops


def _pool_windows(height: int, width: int, size: int) -> list[tuple[int, int, slice, slice]]:
    """(i, j, rows, cols) of every pooling window, stride = size, cut-off windows kept."""
    return [(i, j, slice(i * size, min(i * size + size, height)),
             slice(j * size, min(j * size + size, width)))
            for i in range(-(-height // size)) for j in range(-(-width // size))]


def _block_backward_loops(d_pooled, seen, block, kernels, grads, number):
    """One block's backward for one image: d_pooled (C, ph, pw) -> d_input (C_in, H, W)."""
    x_pad, pre, active = seen
    c_out, h, w = pre.shape
    d_active = np.zeros_like(pre)
    if block.pool == "none":
        d_active = d_pooled.copy()
    else:
        for o in range(c_out):
            for i, j, rows, cols in _pool_windows(h, w, block.pool_size):
                window = active[o, rows, cols]
                if block.pool == "max":
                    m, q = np.unravel_index(np.argmax(window), window.shape)  # first largest
                    d_active[o, rows.start + m, cols.start + q] += d_pooled[o, i, j]
                else:
                    d_active[o, rows, cols] += d_pooled[o, i, j] / window.size
    d_pre = d_active * (pre > 0)
    stride, k = block.stride, block.kernel_size
    d_x_pad = np.zeros_like(x_pad)
    for o in range(c_out):
        if block.bias:
            grads[f"block{number}.bias"][o] += d_pre[o].sum()
        for i in range(h):
            for j in range(w):
                for c in range(x_pad.shape[0]):
                    for m in range(k):
                        for q in range(k):
                            r, s = i * stride + m, j * stride + q
                            grads[f"block{number}.kernels"][o, c, m, q] += (
                                d_pre[o, i, j] * x_pad[c, r, s])
                            d_x_pad[c, r, s] += d_pre[o, i, j] * kernels[o, c, m, q]
    p = block.padding
    return d_x_pad[:, p : x_pad.shape[1] - p, p : x_pad.shape[2] - p]


def convnet_gradients_loops(spec, params: dict, images: np.ndarray,
                            labels: np.ndarray) -> tuple[float, dict]:
    """Mean cross-entropy of a ConvNet of ``spec`` over images (N, H, W) and its gradient
    for every parameter (keyed like params), by explicit loops."""
    grads = {name: np.zeros_like(value, dtype=np.float64) for name, value in params.items()}
    weights, bias = params["dense.weights"], params["dense.bias"]
    total_loss = 0.0
    for image, label in zip(np.asarray(images, dtype=np.float64), labels, strict=True):
        x, seen = image[None], []
        for number, block in enumerate(spec.blocks, start=1):
            p, s = block.padding, block.stride
            pre = conv2d_channels_loops(x[None], params[f"block{number}.kernels"],
                                        params.get(f"block{number}.bias"), (p, p), (s, s))[0]
            active = np.maximum(pre, 0.0)
            seen.append((np.pad(x, ((0, 0), (p, p), (p, p))), pre, active))
            if block.pool == "none":
                x = active
                continue
            reduce = np.max if block.pool == "max" else np.mean
            c, h, w = active.shape
            x = np.zeros((c, -(-h // block.pool_size), -(-w // block.pool_size)))
            for o in range(c):
                for i, j, rows, cols in _pool_windows(h, w, block.pool_size):
                    x[o, i, j] = reduce(active[o, rows, cols])
        flat = x.ravel()
        logits = flat @ weights + bias
        exp = np.exp(logits - logits.max())
        probabilities = exp / exp.sum()
        total_loss += -math.log(probabilities[label])
        d_logits = probabilities.copy()
        d_logits[label] -= 1.0
        grads["dense.weights"] += np.outer(flat, d_logits)
        grads["dense.bias"] += d_logits
        d_x = (weights @ d_logits).reshape(x.shape)
        for number in range(len(spec.blocks), 0, -1):
            d_x = _block_backward_loops(d_x, seen[number - 1], spec.blocks[number - 1],
                                        params[f"block{number}.kernels"], grads, number)
    count = len(images)
    return total_loss / count, {name: g / count for name, g in grads.items()}
