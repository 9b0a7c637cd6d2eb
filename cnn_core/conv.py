"""Convolution layers, 1D and 2D, forward and backward.

A note on names: what CNNs call "convolution" is cross-correlation, the notes' formula
C(i, j) = sum_m sum_n f(i + m, j + n) g(m, n): the kernel slides over the image unflipped.
That is ``mode="correlate"`` here and the default everywhere. True convolution,
C(i) = sum_j f(i - j) g(j), is correlation with the kernel flipped: ``mode="convolve"``.

The fast path is im2col: every window the kernel visits becomes one row of a matrix, so the
whole layer is one matrix product over all images, positions and kernels.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .shapes import as_float_array, check_padding_stride, pair, span_output_size

MODES = ("correlate", "convolve")


class Conv2dCache(NamedTuple):
    """What conv2d_backward needs: the window matrix, the kernels and the geometry."""

    windows: np.ndarray  # (N * out_h * out_w, k_h * k_w): one row per window read
    kernels: np.ndarray  # (K, k_h, k_w)
    input_shape: tuple[int, int, int]  # (N, H, W)
    padding: tuple[int, int]
    stride: tuple[int, int]


class Conv2dGrads(NamedTuple):
    """Gradients of the loss with respect to the images and the kernels."""

    images: np.ndarray  # (N, H, W)
    kernels: np.ndarray  # (K, k_h, k_w)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")


def _checked_geometry(images: np.ndarray, kernels: np.ndarray, padding: object,
                      stride: object) -> tuple[tuple[int, int], tuple[int, int]]:
    """Padding and stride as pairs, after checking that the kernels fit the padded images."""
    pad, step = check_padding_stride(padding, stride)
    for axis in (0, 1):
        span_output_size(images.shape[axis + 1], kernels.shape[axis + 1], pad[axis], pad[axis],
                         step[axis])
    return pad, step


def _conv2d(images: np.ndarray, kernels: np.ndarray, padding: tuple[int, int],
            stride: tuple[int, int]) -> tuple[np.ndarray, Conv2dCache]:
    """Unchecked conv2d_forward (sizes checked by _checked_geometry), channels last:
    images (N, H, W), kernels (K, k_h, k_w) -> maps (N, out_h, out_w, K), cache.

    im2col by k_h * k_w slice copies, one per kernel cell, each filling that cell of every
    window at once; then one product windows @ kernels.T. The operands keep exactly this
    layout: BLAS sums in another order for the transposed product, which changes last bits.
    """
    (pad_h, pad_w), (step_h, step_w) = padding, stride
    n, height, width = images.shape
    n_kernels, k_h, k_w = kernels.shape
    out_h = (height + 2 * pad_h - k_h) // step_h + 1
    out_w = (width + 2 * pad_w - k_w) // step_w + 1
    if pad_h or pad_w:
        padded = np.zeros((n, height + 2 * pad_h, width + 2 * pad_w), dtype=images.dtype)
        padded[:, pad_h : pad_h + height, pad_w : pad_w + width] = images
        images = padded
    if k_h * k_w == 1:
        # one cell per window: a strided view where reshape allows one, as the window matrix
        # always was; BLAS sums over a strided matrix in another order (last bits differ)
        windows = np.ascontiguousarray(images)[:, : step_h * out_h : step_h,
                                               : step_w * out_w : step_w].reshape(-1, 1)
    else:
        windows = np.empty((n, out_h, out_w, k_h, k_w), dtype=images.dtype)
        for m in range(k_h):
            for q in range(k_w):
                windows[:, :, :, m, q] = images[:, m : m + step_h * out_h : step_h,
                                                q : q + step_w * out_w : step_w]
        windows = windows.reshape(n * out_h * out_w, k_h * k_w)
    maps = (windows @ kernels.reshape(n_kernels, k_h * k_w).T).reshape(n, out_h, out_w,
                                                                       n_kernels)
    return maps, Conv2dCache(windows, kernels, (n, height, width), padding, stride)


def _conv2d_grads(d_flat: np.ndarray, cache: Conv2dCache, need_images: bool) -> Conv2dGrads:
    """Unchecked conv2d_backward for d_out channels last, flat: (N * out_h * out_w, K)."""
    n, height, width = cache.input_shape
    n_kernels, k_h, k_w = cache.kernels.shape
    d_kernels = (d_flat.T @ cache.windows).reshape(n_kernels, k_h, k_w)
    if not need_images:
        return Conv2dGrads(np.zeros(0), d_kernels)
    (pad_h, pad_w), (step_h, step_w) = cache.padding, cache.stride
    out_h = (height + 2 * pad_h - k_h) // step_h + 1
    out_w = (width + 2 * pad_w - k_w) // step_w + 1
    d_windows = (d_flat @ cache.kernels.reshape(n_kernels, -1)).reshape(n, out_h, out_w, k_h, k_w)
    d_padded = np.zeros((n, height + 2 * pad_h, width + 2 * pad_w), dtype=d_windows.dtype)
    # col2im: one strided add per kernel offset (k_h * k_w of them), not per pixel
    for m in range(k_h):
        for q in range(k_w):
            d_padded[:, m : m + step_h * out_h : step_h, q : q + step_w * out_w : step_w] += (
                d_windows[:, :, :, m, q]
            )
    return Conv2dGrads(d_padded[:, pad_h : pad_h + height, pad_w : pad_w + width], d_kernels)


def conv2d_forward(images: np.ndarray, kernels: np.ndarray, *, padding: int | tuple = 0,
                   stride: int | tuple = 1) -> tuple[np.ndarray, Conv2dCache]:
    """Cross-correlate a batch of images with a bank of kernels.

    images (N, H, W), kernels (K, k_h, k_w) -> out (N, K, out_h, out_w), cache;
    out[n, k, i, j] = sum_m sum_n' x_pad[n, i*S + m, j*S + n'] * g[k, m, n'],
    out_h = (H - k_h + 2P) // S + 1 (likewise out_w).
    Works in the dtype of ``images`` (float64 unless float32 is passed). ``out`` is a
    transposed view of the (N, out_h, out_w, K) maps the product yields.
    """
    dtype = np.float32 if getattr(images, "dtype", None) == np.float32 else np.float64
    images = as_float_array(images, "images", ndim=3, dtype=dtype)
    kernels = as_float_array(kernels, "kernels", ndim=3, dtype=dtype)
    maps, cache = _conv2d(images, kernels, *_checked_geometry(images, kernels, padding, stride))
    return maps.transpose(0, 3, 1, 2), cache


def conv2d_backward(d_out: np.ndarray, cache: Conv2dCache, *,
                    need_images: bool = True) -> Conv2dGrads:
    """Backward of conv2d_forward.

    d_out (N, K, out_h, out_w) -> d_images (N, H, W), d_kernels (K, k_h, k_w);
    dL/dg[k] = sum over n, i, j of d_out[n, k, i, j] * window[n, i, j];
    dL/dx spreads every d_out back over the window it read (col2im), padding cropped.
    ``need_images=False`` skips d_images (the first layer's input needs none).
    """
    n, n_kernels = cache.input_shape[0], cache.kernels.shape[0]
    _, _, out_h, out_w = d_out.shape
    d_flat = d_out.transpose(0, 2, 3, 1).reshape(n * out_h * out_w, n_kernels)
    return _conv2d_grads(d_flat, cache, need_images)


def conv2d(image: np.ndarray, kernel: np.ndarray, *, padding: int | tuple = 0,
           stride: int | tuple = 1, mode: str = "correlate") -> np.ndarray:
    """2D cross-correlation of one image with one kernel, as the notes define it.

    image (H, W), kernel (k_h, k_w) -> (out_h, out_w) float64;
    C(i, j) = sum_m sum_n f(i*S + m, j*S + n) g(m, n) over f zero-padded by P on every side;
    out = (S_f - S_g + 2P) // S + 1 per axis. padding and stride: int or (rows, cols).
    ``mode="convolve"`` flips the kernel in both axes first (true convolution).
    """
    _check_mode(mode)
    image = as_float_array(image, "image", ndim=2)
    kernel = as_float_array(kernel, "kernel", ndim=2)
    if mode == "convolve":
        kernel = kernel[::-1, ::-1]
    images, kernels = image[None], kernel[None]
    maps, _ = _conv2d(images, kernels, *_checked_geometry(images, kernels, padding, stride))
    return maps[0, :, :, 0]


def conv1d(signal: np.ndarray, kernel: np.ndarray, *, padding: int | tuple = 0,
           stride: int = 1, mode: str = "correlate") -> np.ndarray:
    """1D convolution of a signal with a kernel, both conventions of the notes.

    signal (L,), kernel (k,) -> (out,) float64 with out = (L - k + P_l + P_r) // S + 1.
    "correlate": C(i) = sum_j f(i + j) g(j)   (sliding; what CNNs compute)
    "convolve":  C(i) = sum_j f(i - j) g(j)   (the kernel flipped)
    padding: an int (both sides) or a (left, right) pair; indices refer to the padded signal.
    """
    _check_mode(mode)
    signal = as_float_array(signal, "signal", ndim=1)
    kernel = as_float_array(kernel, "kernel", ndim=1)
    left, right = pair(padding, "padding")
    if min(left, right) < 0:
        raise ValueError(f"padding must be 0 or more, got {padding!r}")
    size = span_output_size(signal.size, kernel.size, left, right, stride)
    step = int(stride)
    if mode == "convolve":
        kernel = kernel[::-1]
    padded = np.pad(signal, (left, right))
    windows = sliding_window_view(padded, kernel.size)[: (size - 1) * step + 1 : step]
    return windows @ kernel
