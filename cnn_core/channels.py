"""Convolution over input channels, forward and backward: the layer of a deeper CNN.

Each output map is the sum over the input channels of one kernel each, plus a bias:
out[n, o, i, j] = b[o] + sum_c sum_m sum_q x_pad[n, c, i*S + m, j*S + q] * g[o, c, m, q],
cross-correlation as in conv.py. So a layer from C_in to C_out channels holds C_out * C_in
kernels of k x k: one "filter" per output channel is a stack of C_in kernels.

The fast path is im2col and one matrix product, over channel-major arrays (windows.py says
how); these public functions take and give (N, C, H, W).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .shapes import as_float_array, check_padding_stride
from .windows import (
    ConvGeometry,
    blocked_matmul,
    conv_geometry,
    kernel_gradient,
    spread_window_cells,
    window_cells,
)


class ChannelConvCache(NamedTuple):
    """What conv2d_channels_backward needs from conv2d_channels_forward."""

    cells: np.ndarray  # (C_in*k_h*k_w, N*rows*cols) the window matrix (windows.py)
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
    maps = blocked_matmul(kernels.reshape(c_out, -1), cells,
                          np.empty((c_out, cells.shape[1]), dtype=dtype), n)
    maps = maps.reshape(c_out, n, geo.rows, geo.cols)
    maps = maps[:, :, : geo.maps[0], : geo.maps[1]]  # the real output of the wide maps
    if bias is not None:
        maps += bias[:, None, None, None]
    out = maps.transpose(1, 0, 2, 3)
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
    c_out, geo = cache.kernels.shape[0], cache.geometry
    d_maps = np.zeros((c_out, n, geo.rows, geo.cols), dtype=cache.cells.dtype)
    d_maps[:, :, : geo.maps[0], : geo.maps[1]] = np.asarray(d_out).transpose(1, 0, 2, 3)
    d_maps = d_maps.reshape(c_out, -1)  # zero where no real output is: no gradient
    d_kernels = kernel_gradient(cache.cells, d_maps, n).reshape(cache.kernels.shape)
    d_bias = d_maps.sum(axis=1) if cache.has_bias else None
    if not need_images:
        return ChannelConvGrads(np.zeros(0), d_kernels, d_bias)
    d_cells = blocked_matmul(cache.kernels.reshape(c_out, -1).T, d_maps,
                             np.empty_like(cache.cells), n)
    d_images = spread_window_cells(d_cells, cache.geometry, (c_in, n, height, width))
    return ChannelConvGrads(d_images.transpose(1, 0, 2, 3), d_kernels, d_bias)
