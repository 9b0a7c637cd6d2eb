"""One block of a ConvNet for training: convolution -> ReLU -> pooling, forward and backward.

Arrays are channel-major, (C, N, H, W), as windows.py keeps them. The convolution's maps are
copied once into pooling order, (C_out, s*s, N*ph*pw): each cell of the pooling windows is
one contiguous slab, so pooling is one reduction over the middle axis and routing the
gradient back is a few passes over whole slabs. Cut-off windows (a map size that the pool
size does not divide) get their missing cells from the zero padding; those cells are set to
-inf (max pooling: they never win) or 0 (average pooling: they add nothing, and the mean
divides by the cells that exist).

Max pooling commutes with ReLU and with adding the bias, max(relu(x + b)) = relu(max(x) + b),
so only the windows' maxima get the bias and the ReLU. Average pooling does not: there the
bias and ReLU go to every map cell first.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .windows import (
    ConvGeometry,
    blocked_matmul,
    kernel_gradient,
    pool_view,
    spread_window_cells,
    window_cells,
)
from .workspace import Workspace, aligned, take

POOLS = ("max", "avg", "none")


class BlockCache(NamedTuple):
    """What block_backward needs from block_forward (a cache serves one backward)."""

    buffer: np.ndarray  # (C_in, N, *geo.buffer) the padded input, then its gradient
    cells: np.ndarray  # (C_in*k*k, N*rows*cols) the window matrix (windows.py)
    wide: np.ndarray  # (C_out, N*rows*cols) the maps as computed, room for their gradient
    maps: np.ndarray  # (C_out, s*s, L), L = N*ph*pw, in pooling order: max: raw maps;
    #                   avg, none: after bias and ReLU
    top: np.ndarray | None  # max: (C_out, L) each window's raw maximum
    positive: np.ndarray  # max: (C_out, L) top + b > 0; avg, none: (C_out, s*s, L) x + b > 0
    shares: np.ndarray | None  # avg: (ph*pw,) 1 / the number of real cells in each window
    kernels: np.ndarray  # (C_out, C_in*k*k)
    has_bias: bool
    input_shape: tuple[int, int, int, int]  # (C_in, N, H, W)
    geometry: ConvGeometry
    pool: str


def _cut_off_cells(maps: np.ndarray, geo: ConvGeometry, n: int, fill: float) -> None:
    """Set the cells that cut-off windows lack (past the map's bottom or right edge)."""
    (h, w), (ph, pw), s = geo.maps, geo.pooled, geo.pool
    if h % s == 0 and w % s == 0:
        return
    grid = maps.reshape(maps.shape[0], s, s, n, ph, pw)
    grid[:, (ph - 1) * s + np.arange(s) >= h, :, :, ph - 1] = fill
    grid[:, :, (pw - 1) * s + np.arange(s) >= w, :, :, pw - 1] = fill


def _shares(geo: ConvGeometry) -> np.ndarray:
    """1 / cells per window for average pooling, (ph*pw,): a cut-off window holds fewer."""
    (h, w), (ph, pw), s = geo.maps, geo.pooled, geo.pool
    rows = np.minimum(s, h - s * np.arange(ph))
    cols = np.minimum(s, w - s * np.arange(pw))
    return (1.0 / np.outer(rows, cols)).ravel()


def block_workspace_bytes(geo: ConvGeometry, c_in: int, c_out: int, n: int,
                          itemsize: int) -> int:
    """Bytes block_forward and block_backward take from a workspace: the input buffer, the
    window matrix, the maps as computed and in pooling order (their gradients reuse them)."""
    columns = _columns(geo, n)
    windows = n * geo.pool ** 2 * geo.pooled[0] * geo.pooled[1]  # the maps in pooling order
    reordered = 0 if geo.order == "pooled" else c_out * windows * itemsize
    return (aligned(c_in * n * geo.buffer[0] * geo.buffer[1] * itemsize)
            + aligned(c_in * geo.kernel[0] * geo.kernel[1] * columns * itemsize)
            + aligned(c_out * columns * itemsize) + aligned(reordered))


def _columns(geo: ConvGeometry, n: int) -> int:
    """Columns of the window matrix: N*rows*cols (wide) or N*ph*pw*s*s (pooled)."""
    return n * geo.rows * geo.cols


def _runs(geo: ConvGeometry, n: int) -> int:
    """The window matrix's columns in runs of equal length: one per image (wide), one per
    image and window cell (pooled)."""
    return n * (geo.pool ** 2 if geo.order == "pooled" else 1)


def block_forward(x: np.ndarray, kernels: np.ndarray, bias: np.ndarray | None,
                  geo: ConvGeometry, pool: str,
                  workspace: Workspace | None = None) -> tuple[np.ndarray, BlockCache]:
    """pool(relu(conv(x) + b)) for checked arrays of one dtype, channel-major.

    x (C_in, N, H, W), kernels (C_out, C_in, k, k), bias (C_out,) or None, geo from
    conv_geometry(..., pool=s) (s = 1 for pool "none") -> out (C_out, N, ph, pw), cache;
    h = (H - k + 2P) // S + 1, ph = ceil(h / s); max: out = relu(max over window + b);
    avg: out = mean over the window's real cells of relu(x + b); none: out = relu(x + b).
    The buffer, window matrix and maps come from ``workspace`` if one is given.
    """
    c_in, n = x.shape[:2]
    c_out = kernels.shape[0]
    flat_kernels = kernels.reshape(c_out, -1)
    (k_h, k_w), columns, s = geo.kernel, _columns(geo, n), geo.pool
    buffer = take(workspace, (c_in, n, *geo.buffer), x.dtype)
    cells = window_cells(x, geo, buffer=buffer,
                         out=take(workspace, (c_in * k_h * k_w, columns), x.dtype))
    wide = blocked_matmul(flat_kernels, cells, take(workspace, (c_out, columns), x.dtype),
                          _runs(geo, n))
    if geo.order == "pooled":  # the product is in pooling order already
        maps = wide
    else:
        maps = take(workspace, (c_out, s, s, n, *geo.pooled), x.dtype)
        np.copyto(maps, pool_view(wide, geo, n))
    maps = maps.reshape(c_out, s * s, -1)
    top = shares = None
    if pool == "max":
        _cut_off_cells(maps, geo, n, -np.inf)
        top = np.maximum.reduce(maps, axis=1)
        before_relu = top + bias[:, None] if bias is not None else top.copy()
        positive = before_relu > 0
        out = np.multiply(before_relu, positive, out=before_relu)
    else:
        if bias is not None:
            maps += bias[:, None, None]
        _cut_off_cells(maps, geo, n, 0.0)
        positive = maps > 0
        maps *= positive
        if pool == "avg":
            shares = _shares(geo).astype(x.dtype)
            out = np.add.reduce(maps, axis=1).reshape(c_out, n, -1) * shares
        else:
            out = maps[:, 0]
    cache = BlockCache(buffer, cells, wide, maps, top, positive, shares, flat_kernels,
                       bias is not None, x.shape, geo, pool)
    return out.reshape(c_out, n, *geo.pooled), cache


def block_backward(d_out: np.ndarray, cache: BlockCache, *, need_input: bool = True
                   ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
    """Backward of block_forward: d_out (C_out, N, ph, pw) -> d_x (C_in, N, H, W) (None
    if not need_input), d_kernels (C_out, C_in, k, k), d_bias (C_out,) or None.

    Max: a window's gradient passes ReLU if relu's input was positive, then goes to the
    window's first winning cell (row-major), as max_pool2d_backward sends it. Average: each
    real cell gets 1/count of it, times its own ReLU gate. Overwrites the cache's arrays
    with gradients: a cache serves one backward.
    """
    c_out, n = d_out.shape[:2]
    d_flat = np.ascontiguousarray(d_out).reshape(c_out, -1)
    if cache.pool == "max":
        left = d_flat * cache.positive
        d_bias = left.sum(axis=1) if cache.has_bias else None
        d_maps = cache.maps
        for cell in range(d_maps.shape[1] - 1):
            hit = d_maps[:, cell] == cache.top
            np.multiply(left, hit, out=d_maps[:, cell])
            # the first winner takes it, later ties get none: left - left = 0 where it won
            np.subtract(left, d_maps[:, cell], out=left)
        d_maps[:, -1] = left
    else:
        if cache.pool == "avg":
            d_flat = (d_flat.reshape(c_out, n, -1) * cache.shares).reshape(c_out, -1)
        d_maps = np.multiply(d_flat[:, None], cache.positive, out=cache.maps)
        d_bias = d_maps.sum(axis=(1, 2)) if cache.has_bias else None
    geo, d_wide = cache.geometry, cache.wide
    if geo.order == "pooled":
        d_wide = d_maps.reshape(c_out, -1)
    else:
        d_wide.fill(0)  # the columns and rows computed past the real maps get no gradient
        spread, d_maps = pool_view(d_wide, geo, n), d_maps.reshape(c_out, geo.pool, geo.pool,
                                                                    n, *geo.pooled)
        for a in range(geo.pool):
            for b in range(geo.pool):
                # one window cell at a time: in a single call numpy would order its loops
                # by the strided target and copy runs of s cells, five times slower
                np.copyto(spread[:, a, b], d_maps[:, a, b])
    c_in, runs = cache.input_shape[0], _runs(geo, n)
    d_kernels = kernel_gradient(cache.cells, d_wide, runs).reshape(c_out, c_in, *geo.kernel)
    if not need_input:
        return None, d_kernels, d_bias
    d_cells = blocked_matmul(cache.kernels.T, d_wide, cache.cells, runs)  # cells used up
    d_x = spread_window_cells(d_cells, cache.geometry, cache.input_shape, buffer=cache.buffer)
    return d_x, d_kernels, d_bias
