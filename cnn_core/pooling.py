"""Max and average pooling with the notes' semantics, forward and backward.

The stride defaults to the pool size, and windows cut off at the right or bottom edge are
kept: they pool over the cells that exist (the notes' ``(n + size - 1) // size``, which is
PyTorch's ``ceil_mode=True``). So a 3x3 map pools to 2x2.

The fast path looks at the map through one strided slice per position inside the window
(size * size slices, e.g. 4 for 2x2), never loops over windows or pixels.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .shapes import as_float_array, pair


class PoolCache(NamedTuple):
    """Geometry of a pooling call plus what its backward needs."""

    input_shape: tuple[int, ...]
    size: tuple[int, int]
    stride: tuple[int, int]
    padded: np.ndarray | None  # max pooling: the input, -inf-padded to whole windows
    out: np.ndarray | None  # max pooling: each window's maximum (the winner is found again)
    counts: np.ndarray | None  # average pooling: how many real cells each window holds


def pool_output_size(input_size: int, size: int, stride: int) -> int:
    """Windows along one axis, keeping a cut-off last window (every window starts inside).

    out = ceil(max(n - size, 0) / stride) + 1, minus 1 if that last window would start at or
    past the edge (possible when stride > size); with stride = size: (n + size - 1) // size.
    """
    out = -(-max(input_size - size, 0) // stride) + 1
    return out - 1 if (out - 1) * stride >= input_size else out


def _geometry(x: np.ndarray, size: object, stride: object):
    size_h, size_w = pair(size, "pool size")
    if min(size_h, size_w) < 1:
        raise ValueError(f"pool size must be 1 or more, got {size!r}")
    step_h, step_w = (size_h, size_w) if stride is None else pair(stride, "pool stride")
    if min(step_h, step_w) < 1:
        raise ValueError(f"pool stride must be 1 or more, got {stride!r}")
    height, width = x.shape[-2:]
    out_h = pool_output_size(height, size_h, step_h)
    out_w = pool_output_size(width, size_w, step_w)
    return (size_h, size_w), (step_h, step_w), (out_h, out_w)


def _slices(size, stride, out_shape):
    """Yield, per cell (m, q) of a window, the slices that pick that cell of every window."""
    for m in range(size[0]):
        for q in range(size[1]):
            yield (..., slice(m, m + stride[0] * out_shape[0], stride[0]),
                   slice(q, q + stride[1] * out_shape[1], stride[1]))


def _pad_to_windows(x, size, stride, out_shape, fill):
    """Pad bottom/right so that every (possibly cut-off) window has size * size cells."""
    height, width = x.shape[-2:]
    need_h = (out_shape[0] - 1) * stride[0] + size[0] - height
    need_w = (out_shape[1] - 1) * stride[1] + size[1] - width
    if need_h <= 0 and need_w <= 0:
        return x
    padded = np.full((*x.shape[:-2], height + max(need_h, 0), width + max(need_w, 0)), fill,
                     dtype=x.dtype)
    padded[..., :height, :width] = x
    return padded


def _first_winners(cache: PoolCache):
    """Yield, per window cell (m, q) in row-major order, its slices and where it is the
    window's winner: the first cell equal to the maximum (one winner per window)."""
    taken = None
    for s in _slices(cache.size, cache.stride, cache.out.shape[-2:]):
        hit = cache.padded[s] == cache.out
        if taken is None:
            taken = hit
        else:
            hit &= ~taken
            taken |= hit
        yield s, hit


def max_pool2d_forward(x: np.ndarray, size: int | tuple = 2,
                       stride: int | tuple | None = None) -> tuple[np.ndarray, PoolCache]:
    """Max pooling over the last two axes. x (..., H, W) -> (..., out_h, out_w), cache;
    out = max of each window; out_h = ceil(max(H - size, 0) / stride) + 1.
    """
    size, stride, out_shape = _geometry(x, size, stride)
    padded = _pad_to_windows(x, size, stride, out_shape, -np.inf)
    slices = _slices(size, stride, out_shape)
    out = padded[next(slices)].copy()
    # a later cell replaces the maximum only if strictly greater, so a tie between 0 and -0
    # keeps the first (np.maximum may pick either)
    for s in slices:
        candidate = padded[s]
        np.copyto(out, candidate, where=candidate > out)
    return out, PoolCache(x.shape, size, stride, padded, out, None)


def max_pool2d_backward(d_out: np.ndarray, cache: PoolCache) -> np.ndarray:
    """Backward of max pooling: each window's gradient goes to its winning cell only.

    Ties go to ONE cell, the first in row-major order. The notes copy the gradient to every
    tied cell, which is not the derivative of max: nudging the shared value by eps moves the
    output by eps once, so the total gradient must be counted once. Our choice matches
    PyTorch's and a finite-difference check of max over tie-free inputs.
    """
    d_x = np.zeros(cache.padded.shape, dtype=d_out.dtype)
    for s, hit in _first_winners(cache):
        d_x[s] += d_out * hit  # adds, as overlapping windows may share a winner
    height, width = cache.input_shape[-2:]
    return d_x[..., :height, :width]


def avg_pool2d_forward(x: np.ndarray, size: int | tuple = 2,
                       stride: int | tuple | None = None) -> tuple[np.ndarray, PoolCache]:
    """Average pooling over the last two axes: mean of the cells each window really holds.

    x (..., H, W) -> (..., out_h, out_w), cache; a cut-off window averages fewer cells.
    """
    size, stride, out_shape = _geometry(x, size, stride)
    total = np.zeros(x.shape[:-2] + out_shape, dtype=np.result_type(x.dtype, np.float32))
    ones = np.zeros(out_shape)
    padded = _pad_to_windows(x, size, stride, out_shape, 0.0)
    real = _pad_to_windows(np.ones(x.shape[-2:]), size, stride, out_shape, 0.0)
    for s in _slices(size, stride, out_shape):
        total += padded[s]
        ones += real[s]
    return total / ones, PoolCache(x.shape, size, stride, None, None, ones)


def avg_pool2d_backward(d_out: np.ndarray, cache: PoolCache) -> np.ndarray:
    """Backward of average pooling: each window shares its gradient equally among its cells."""
    share = d_out / cache.counts
    height, width = cache.input_shape[-2:]
    zeros = np.zeros(cache.input_shape, dtype=share.dtype)
    d_x = _pad_to_windows(zeros, cache.size, cache.stride, cache.counts.shape, 0.0)
    for s in _slices(cache.size, cache.stride, cache.counts.shape):
        d_x[s] += share
    return d_x[..., :height, :width]


def max_pool2d(x: np.ndarray, size: int | tuple = 2,
               stride: int | tuple | None = None) -> np.ndarray:
    """Max pooling of a map (H, W) or a stack (..., H, W); stride defaults to size.

    [[1,2,1],[0,2,0],[1,2,1]] with size 2 -> [[2,1],[2,1]] (the cut-off edge windows kept).
    """
    x = as_float_array(x, "feature map", ndim=None)
    if x.ndim < 2:
        raise ValueError(f"feature map must be at least 2D, got shape {x.shape}")
    return max_pool2d_forward(x, size, stride)[0]


def avg_pool2d(x: np.ndarray, size: int | tuple = 2,
               stride: int | tuple | None = None) -> np.ndarray:
    """Average pooling of a map (H, W) or a stack (..., H, W); stride defaults to size."""
    x = as_float_array(x, "feature map", ndim=None)
    if x.ndim < 2:
        raise ValueError(f"feature map must be at least 2D, got shape {x.shape}")
    return avg_pool2d_forward(x, size, stride)[0]
