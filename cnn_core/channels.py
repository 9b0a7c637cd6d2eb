"""Convolution over input channels, forward and backward: the layer of a deeper CNN.

Each output map is the sum over the input channels of one kernel each, plus a bias:
out[n, o, i, j] = b[o] + sum_c sum_m sum_q x_pad[n, c, i*S + m, j*S + q] * g[o, c, m, q],
cross-correlation as in conv.py. So a layer from C_in to C_out channels holds C_out * C_in
kernels of k x k: one "filter" per output channel is a stack of C_in kernels.

Inside the engine activations are channel-major, (C, N, H, W): the product
kernels (C_out, C_in*k*k) @ cells (C_in*k*k, N*out_h*out_w) then gives the next layer its
input in that same layout, with no transpose. The window matrix (im2col) is one copy of a
strided view. Its columns can be grouped by pooling window (``pool`` > 1): first every
window's top-left cell, then its next cell, and so on, so that a pooling that follows is a
reduction over one axis (block_pass.py). The public functions take and give (N, C, H, W).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .shapes import as_float_array, check_padding_stride, span_output_size
from .training_pass import _block_count


class ConvGeometry(NamedTuple):
    """Every size a channel convolution (and the pooling grouped with it) needs."""

    kernel: tuple[int, int]  # (k_h, k_w)
    padding: tuple[int, int]
    stride: tuple[int, int]
    pool: int  # side of the pooling window the columns are grouped by (1: no grouping)
    maps: tuple[int, int]  # (h, w) = ((H - k_h + 2P) // S + 1, ...)
    pooled: tuple[int, int]  # (ph, pw) = (ceil(h / pool), ceil(w / pool))
    buffer: tuple[int, int]  # rows and columns of the zero-padded input the windows read


def conv_geometry(height: int, width: int, kernel: tuple[int, int], padding: tuple[int, int],
                  stride: tuple[int, int], pool: int = 1) -> ConvGeometry:
    """The sizes of one layer; ValueError if the kernel does not fit the padded input.

    out = (n - k + 2P) // S + 1 per axis; pooled = ceil(out / pool) (cut-off windows kept).
    The buffer also covers the cut-off windows' missing cells: (pooled * pool - 1) * S + k.
    """
    maps = tuple(span_output_size(n, k, p, p, s) for n, k, p, s in
                 zip((height, width), kernel, padding, stride, strict=True))
    pooled = tuple(-(-n // pool) for n in maps)
    buffer = tuple(max(p + n, (o * pool - 1) * s + k) for n, k, p, s, o in
                   zip((height, width), kernel, padding, stride, pooled, strict=True))
    return ConvGeometry(tuple(kernel), tuple(padding), tuple(stride), pool, maps, pooled,
                        buffer)


def window_cells(x: np.ndarray, geo: ConvGeometry, *, buffer: np.ndarray | None = None,
                 out: np.ndarray | None = None) -> np.ndarray:
    """im2col of channel-major input. x (C, N, H, W) -> cells (C*k_h*k_w, s*s*N*ph*pw),
    cells[(c, m, q), (a, b, n, i, j)] = x_pad[c, n, (i*s + a)*S + m, (j*s + b)*S + q]
    for pool side s, zeros outside x. One row per kernel cell, one column per map cell.
    ``buffer`` (C, N, *geo.buffer) and ``out`` are room to use instead of new arrays."""
    c, n, height, width = x.shape
    (k_h, k_w), (p_h, p_w), (s_h, s_w), s = geo.kernel, geo.padding, geo.stride, geo.pool
    rows, cols = geo.buffer
    if (p_h, p_w, rows, cols) == (0, 0, height, width):
        buffer = np.ascontiguousarray(x)
    else:
        buffer = np.empty((c, n, rows, cols), dtype=x.dtype) if buffer is None else buffer
        buffer.fill(0)
        buffer[:, :, p_h : p_h + height, p_w : p_w + width] = x
    ph, pw = geo.pooled
    c_step, n_step, row, col = buffer.strides
    view = np.ndarray((c, k_h, k_w, s, s, n, ph, pw), x.dtype, buffer, 0,
                      (c_step, row, col, s_h * row, s_w * col, n_step, s * s_h * row,
                       s * s_w * col))
    cells = np.empty(view.shape, dtype=x.dtype) if out is None else out.reshape(view.shape)
    np.copyto(cells, view)
    return cells.reshape(c * k_h * k_w, -1)


def spread_window_cells(d_cells: np.ndarray, geo: ConvGeometry,
                        input_shape: tuple[int, int, int, int], *,
                        buffer: np.ndarray | None = None) -> np.ndarray:
    """col2im, the backward of window_cells: d_cells (C*k_h*k_w, s*s*N*ph*pw) -> d_x
    (C, N, H, W), every window cell's gradient added back to the input cell it read.

    One strided add per kernel cell (m, q): for a fixed (m, q) no two windows read the same
    input cell, so each add writes every cell at most once. Padding is cropped off (a view).
    ``buffer`` (C, N, *geo.buffer) is room to use instead of a new array.
    """
    c, n, height, width = input_shape
    (k_h, k_w), (p_h, p_w), (s_h, s_w), s = geo.kernel, geo.padding, geo.stride, geo.pool
    ph, pw = geo.pooled
    if buffer is None:
        buffer = np.zeros((c, n, *geo.buffer), dtype=d_cells.dtype)
    else:
        buffer.fill(0)
    c_step, n_step, row, col = buffer.strides
    d_cells = d_cells.reshape(c, k_h, k_w, s, s, n, ph, pw)
    for m in range(k_h):
        for q in range(k_w):
            target = np.ndarray((c, s, s, n, ph, pw), buffer.dtype, buffer,
                                m * row + q * col, (c_step, s_h * row, s_w * col, n_step,
                                                    s * s_h * row, s * s_w * col))
            np.add(target, d_cells[:, m, q], out=target)
    return buffer[:, :, p_h : p_h + height, p_w : p_w + width]


def kernel_gradient(cells: np.ndarray, d_maps: np.ndarray, runs: int) -> np.ndarray:
    """dL/dg = d_maps @ cells.T: (C_out, L) and (C_in*k*k, L) -> (C_out, C_in*k*k).

    The columns are ``runs`` runs of equal length. Summed in blocks of about 4096 columns,
    one product per block: BLAS takes several times longer for one product whose sum runs
    over every map cell of the batch (training_pass.py measured it).
    """
    blocks = _block_count(runs, cells.shape[1] // runs)
    stacked = (cells.reshape(cells.shape[0], blocks, -1).transpose(1, 0, 2)
               @ d_maps.reshape(d_maps.shape[0], blocks, -1).transpose(1, 2, 0))
    return np.ascontiguousarray(stacked.sum(axis=0).T)


class ChannelConvCache(NamedTuple):
    """What conv2d_channels_backward needs from conv2d_channels_forward."""

    cells: np.ndarray  # (C_in*k_h*k_w, N*out_h*out_w) the window matrix
    kernels: np.ndarray  # (C_out, C_in, k_h, k_w)
    has_bias: bool
    input_shape: tuple[int, int, int, int]  # (N, C_in, H, W)
    geometry: ConvGeometry


class ChannelConvGrads(NamedTuple):
    """Gradients for the images, the kernels and the bias (None without a bias)."""

    images: np.ndarray  # (N, C_in, H, W); empty if need_images=False
    kernels: np.ndarray  # (C_out, C_in, k_h, k_w)
    bias: np.ndarray | None  # (C_out,)


def conv2d_channels_forward(images: np.ndarray, kernels: np.ndarray,
                            bias: np.ndarray | None = None, *, padding: int | tuple = 0,
                            stride: int | tuple = 1) -> tuple[np.ndarray, ChannelConvCache]:
    """Convolve a batch of multi-channel images with C_out stacks of C_in kernels.

    images (N, C_in, H, W), kernels (C_out, C_in, k_h, k_w), bias (C_out,) or None
    -> out (N, C_out, out_h, out_w), cache;
    out[n, o, i, j] = b[o] + sum_c sum_m sum_q x_pad[n, c, i*S + m, j*S + q] g[o, c, m, q],
    out_h = (H - k_h + 2P) // S + 1 (likewise out_w); padding, stride: int or (rows, cols).
    Works in float32 if ``images`` are float32, else float64. ``out`` is a transposed view.
    """
    dtype = np.float32 if getattr(images, "dtype", None) == np.float32 else np.float64
    images = as_float_array(images, "images", ndim=4, dtype=dtype)
    kernels = as_float_array(kernels, "kernels", ndim=4, dtype=dtype)
    n, c_in, height, width = images.shape
    c_out = kernels.shape[0]
    if kernels.shape[1] != c_in:
        raise ValueError(f"kernels have {kernels.shape[1]} input channels (shape "
                         f"{kernels.shape}) but the images have {c_in}")
    if bias is not None:
        bias = as_float_array(bias, "bias", ndim=1, dtype=dtype)
        if bias.shape != (c_out,):
            raise ValueError(f"bias has {bias.size} values but there are {c_out} output "
                             "channels")
    pad, step = check_padding_stride(padding, stride)
    geo = conv_geometry(height, width, kernels.shape[2:], pad, step)
    cells = window_cells(images.transpose(1, 0, 2, 3), geo)
    maps = kernels.reshape(c_out, -1) @ cells
    if bias is not None:
        maps += bias[:, None]
    out = maps.reshape(c_out, n, *geo.maps).transpose(1, 0, 2, 3)
    return out, ChannelConvCache(cells, kernels, bias is not None, images.shape, geo)


def conv2d_channels_backward(d_out: np.ndarray, cache: ChannelConvCache, *,
                             need_images: bool = True) -> ChannelConvGrads:
    """Backward of conv2d_channels_forward. d_out (N, C_out, out_h, out_w) ->
    d_images (N, C_in, H, W), d_kernels (C_out, C_in, k_h, k_w), d_bias (C_out,);
    dL/dg[o, c, m, q] = sum_{n, i, j} d_out[n, o, i, j] x_pad[n, c, i*S + m, j*S + q],
    dL/db[o] = sum_{n, i, j} d_out[n, o, i, j], and dL/dx spreads every d_out back over
    the window it read, times the kernel (col2im), padding cropped.
    """
    n, c_in, height, width = cache.input_shape
    c_out = cache.kernels.shape[0]
    d_maps = np.ascontiguousarray(np.asarray(d_out).transpose(1, 0, 2, 3)).reshape(c_out, -1)
    d_kernels = kernel_gradient(cache.cells, d_maps, n).reshape(cache.kernels.shape)
    d_bias = d_maps.sum(axis=1) if cache.has_bias else None
    if not need_images:
        return ChannelConvGrads(np.zeros(0), d_kernels, d_bias)
    d_cells = cache.kernels.reshape(c_out, -1).T @ d_maps
    d_images = spread_window_cells(d_cells, cache.geometry, (c_in, n, height, width))
    return ChannelConvGrads(d_images.transpose(1, 0, 2, 3), d_kernels, d_bias)
