"""TinyCNN's convolution, ReLU and max pool for training, fused and laid out for the backward.

The window matrix (im2col) is transposed, one row per kernel cell and one column per map
position, and its columns are ordered cell-major: first every window's top-left cell, then
every window's next cell, and so on (row-major inside the window). The product
kernels @ cells then holds the maps as (K, s*s, N * ph * pw): each window cell is one
contiguous slab, so pooling, finding the first winner and routing the gradient back are a
few passes over whole slabs, and the kernel gradient reuses the same window matrix.

Cut-off windows (map size not a multiple of the pool size) get their missing cells from
zero padding, then -inf in the maps: they never win, so they get no gradient.

The large intermediates share one allocation per call. Freed one by one, they left a free
block at the top of the heap bigger than the allocator's trim threshold (twice the largest
block it has seen), which went back to the operating system after every step, and the next
step paid a page fault per 4 KB to get it back: as much time as the arithmetic.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class PassCache(NamedTuple):
    """What conv_relu_pool_kernel_grads needs from conv_relu_pool (views of one workspace)."""

    cells: np.ndarray  # (k * k, s*s * N*ph*pw) the window matrix, columns cell-major
    maps: np.ndarray  # (K, s*s, N*ph*pw) raw convolution maps, window cells as slabs
    top: np.ndarray  # (K, N*ph*pw) each window's maximum
    positive: np.ndarray  # (K, N*ph*pw) top > 0: the windows ReLU lets a gradient through
    left: np.ndarray  # (K, N*ph*pw) room for the backward's not-yet-routed gradient
    kernel_shape: tuple[int, int, int]  # (K, k, k)


def _window_view(images: np.ndarray, k: int, s: int, pooled: tuple[int, int]) -> np.ndarray:
    """images (N, H, W) -> a strided view (k, k, s, s, N, ph, pw) with
    view[m, q, a, b, n, i, j] = images[n, i*s + a + m, j*s + b + q], zeros past the edge."""
    n, height, width = images.shape
    ph, pw = pooled
    rows, cols = ph * s + k - 1, pw * s + k - 1  # >= H, W: ph = ceil((H - k + 1) / s)
    if (rows, cols) != (height, width):
        padded = np.zeros((n, rows, cols), dtype=images.dtype)
        padded[:, :height, :width] = images
        images = padded
    images = np.ascontiguousarray(images)
    step, row, col = images.strides
    return np.ndarray((k, k, s, s, n, ph, pw), images.dtype, images, 0,
                      (row, col, row, col, step, s * row, s * col))


def conv_relu_pool(images: np.ndarray, kernels: np.ndarray,
                   pool: int) -> tuple[np.ndarray, PassCache]:
    """max_pool2d(relu(conv2d(images, kernels)), pool) for checked arrays of one dtype.

    images (N, H, W), kernels (K, k, k) -> pooled (N, K, ph, pw) contiguous, cache;
    h = H - k + 1, ph = ceil(h / pool) (likewise w, pw). ReLU and max commute,
    max(relu(x)) = relu(max(x)), so the raw maps are pooled and only the maxima go through
    ReLU; a window with no positive cell pools to its first cell's ReLU, +0 or -0, as
    max_pool2d(relu(maps)) gives it.
    """
    n, height, width = images.shape
    n_kernels, k, _ = kernels.shape
    h, w = height - k + 1, width - k + 1
    ph, pw = -(-h // pool), -(-w // pool)
    windows = n * ph * pw
    cells_size, maps_size = k * k * pool * pool * windows, n_kernels * pool * pool * windows
    work = np.empty(cells_size + maps_size + 3 * n_kernels * windows, dtype=images.dtype)
    cells = work[:cells_size].reshape(k * k, -1)
    np.copyto(cells.reshape(k, k, pool, pool, n, ph, pw), _window_view(images, k, pool,
                                                                      (ph, pw)))
    maps = work[cells_size : cells_size + maps_size].reshape(n_kernels, -1)
    np.matmul(kernels.reshape(n_kernels, k * k), cells, out=maps)
    maps = maps.reshape(n_kernels, pool * pool, windows)
    if h % pool or w % pool:
        grid = maps.reshape(n_kernels, pool, pool, n, ph, pw)
        grid[:, (ph - 1) * pool + np.arange(pool) >= h, :, :, ph - 1] = -np.inf
        grid[:, :, (pw - 1) * pool + np.arange(pool) >= w, :, :, pw - 1] = -np.inf
    top, pooled, left = work[cells_size + maps_size :].reshape(3, n_kernels, windows)
    np.maximum.reduce(maps, axis=1, out=top)
    positive = top > 0
    pooled = pooled.reshape(n, n_kernels, ph * pw)  # a fresh view, filled channels first
    by_kernel = (n_kernels, n, ph * pw)
    channels_first = pooled.transpose(1, 0, 2)
    np.multiply(maps[:, 0].reshape(by_kernel), 0.0, out=channels_first)
    np.copyto(channels_first, top.reshape(by_kernel), where=positive.reshape(by_kernel))
    cache = PassCache(cells, maps, top, positive, left, kernels.shape)
    return pooled.reshape(n, n_kernels, ph, pw), cache


def conv_relu_pool_kernel_grads(d_pooled: np.ndarray, cache: PassCache) -> np.ndarray:
    """Kernel gradient of conv_relu_pool: d_pooled (N, K, ph, pw) -> d_kernels (K, k, k).

    Each window's gradient passes ReLU if its maximum is positive and goes to its first
    winning cell (row-major), as max_pool2d_backward sends it; then
    dL/dg[k] = sum over positions of d_maps[k, position] * window[position].
    Overwrites cache.maps and cache.left: a cache serves one backward.
    """
    n, n_kernels = d_pooled.shape[:2]
    n_cells = cache.maps.shape[1]
    left = cache.left
    by_kernel = (n_kernels, n, -1)
    np.multiply(d_pooled.reshape(n, n_kernels, -1).transpose(1, 0, 2),
                cache.positive.reshape(by_kernel), out=left.reshape(by_kernel))
    d_maps = cache.maps
    for cell in range(n_cells - 1):
        hit = d_maps[:, cell] == cache.top
        np.multiply(left, hit, out=d_maps[:, cell])
        # the first winner takes it, later ties get none: left - left = 0 where it won,
        # left - 0 = left elsewhere (a masked copyto costs ten times as much)
        np.subtract(left, d_maps[:, cell], out=left)
    d_maps[:, n_cells - 1] = left
    # one (k*k, L) @ (L, K) product per block of about 4096 columns, summed: BLAS takes
    # several times longer for the one product with a sum over all N * h * w positions
    blocks = _block_count(n_cells * n, cache.top.shape[1] // n)
    stacked = (cache.cells.reshape(cache.cells.shape[0], blocks, -1).transpose(1, 0, 2)
               @ d_maps.reshape(n_kernels, blocks, -1).transpose(1, 2, 0))
    return np.ascontiguousarray(stacked.sum(axis=0).T).reshape(cache.kernel_shape)


def _block_count(runs: int, run: int, most: int = 4096) -> int:
    """Fewest equal blocks of whole runs (runs of ``run`` columns each) with at most
    ``most`` columns per block, or one run per block if a run is longer."""
    per = max(1, min(runs, most // run))
    while runs % per:
        per -= 1
    return runs // per
