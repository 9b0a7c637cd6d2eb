"""The window matrix (im2col) of a channel convolution, its transpose (col2im), and sizes.

Activations are channel-major inside the engine, (C, N, H, W). The window matrix has one
row per kernel cell (c, m, q) and one column per output position, so that
kernels (C_out, C_in*k*k) @ cells gives the maps with one row per output channel:
channel-major again, ready for the next layer with no transpose.

The matrix is one copy of a strided view of the zero-padded input, and its cost is the
number of inner loops numpy runs. Two column orders:
- "wide" (n, i, j): with stride 1 every output row is as wide as the padded input
  (``cols`` = its width), which makes the rows of one image a single run of memory and the
  copy a few long loops. The extra columns (and the extra rows a pooling's cut-off windows
  ask for) are computed too and ignored: their reads may wrap into the next row, their
  gradients are zero. About 10 % more arithmetic for far fewer loops.
- "pooled" (a, b, n, i, j), grouped by pooling window cell (a, b), as pooling wants them
  (block_pass.py): short loops, but no reordering of the maps afterwards. Cheaper when the
  window matrix has few rows, as for a first block of C_in = 1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .shapes import span_output_size
from .training_pass import _block_count


class ConvGeometry(NamedTuple):
    """Every size a channel convolution (and a pooling after it) needs."""

    kernel: tuple[int, int]  # (k_h, k_w)
    padding: tuple[int, int]
    stride: tuple[int, int]
    maps: tuple[int, int]  # (h, w) = ((H - k_h + 2P) // S + 1, ...): the real output
    pool: int  # side (and stride) of the pooling windows after the conv, 1 for none
    pooled: tuple[int, int]  # (ph, pw) = (ceil(h / pool), ceil(w / pool))
    rows: int  # output rows computed: ph * pool (cut-off windows' missing rows included)
    cols: int  # output columns computed: pw * pool, or the buffer's width with stride 1
    buffer: tuple[int, int]  # rows and columns of the zero-padded input the windows read
    order: str  # the window matrix's columns: "wide" (n, i, j) or "pooled" (a, b, n, i, j)


def conv_geometry(height: int, width: int, kernel: tuple[int, int], padding: tuple[int, int],
                  stride: tuple[int, int], pool: int = 1, order: str = "wide") -> ConvGeometry:
    """The sizes of one layer; ValueError if the kernel does not fit the padded input.

    out = (n - k + 2P) // S + 1 per axis; pooled = ceil(out / pool) (cut-off windows kept).
    """
    (k_h, k_w), (p_h, p_w), (s_h, s_w) = kernel, padding, stride
    h = span_output_size(height, k_h, p_h, p_h, s_h)
    w = span_output_size(width, k_w, p_w, p_w, s_w)
    ph, pw = -(-h // pool), -(-w // pool)
    rows, cols = ph * pool, pw * pool
    if (s_h, s_w) == (1, 1) and order == "wide":
        # one run per image: rows as wide as the buffer; the last wide row's reads run one
        # row past the last input row
        cols = max(cols, width + 2 * p_w)
        buffer = (rows + k_h, cols)
    else:
        buffer = (max(height + 2 * p_h, (rows - 1) * s_h + k_h),
                  max(width + 2 * p_w, (cols - 1) * s_w + k_w))
    return ConvGeometry((k_h, k_w), (p_h, p_w), (s_h, s_w), (h, w), pool, (ph, pw), rows,
                        cols, buffer, order)


def _columns(buffer: np.ndarray, geo: ConvGeometry) -> tuple[tuple, tuple]:
    """Shape and strides of one kernel cell's reads in the buffer, in column order:
    wide (N, rows, cols): [n, i, j] -> buffer[n, i*S, j*S];
    pooled (s, s, N, ph, pw): [a, b, n, i, j] -> buffer[n, (i*s + a)*S, (j*s + b)*S]."""
    _, n_step, row, col = buffer.strides
    n, (s_h, s_w), s, (ph, pw) = buffer.shape[1], geo.stride, geo.pool, geo.pooled
    if geo.order == "wide":
        return (n, geo.rows, geo.cols), (n_step, s_h * row, s_w * col)
    return ((s, s, n, ph, pw),
            (s_h * row, s_w * col, n_step, s * s_h * row, s * s_w * col))


def _buffer_view(buffer: np.ndarray, geo: ConvGeometry, m: int, q: int) -> np.ndarray:
    """The cells that kernel cell (m, q) reads, (C, *columns), a view of the buffer:
    view[c, ..., i, j] = buffer[c, n, i*S + m, j*S + q] (wrapping past a row's end)."""
    shape, strides = _columns(buffer, geo)
    row, col = buffer.strides[2:]
    return np.ndarray((buffer.shape[0], *shape), buffer.dtype, buffer, m * row + q * col,
                      (buffer.strides[0], *strides))


def window_cells(x: np.ndarray, geo: ConvGeometry, *, buffer: np.ndarray | None = None,
                 out: np.ndarray | None = None) -> np.ndarray:
    """im2col of channel-major input. x (C, N, H, W) -> cells (C*k_h*k_w, N*rows*cols),
    cells[(c, m, q), (n, i, j)] = x_pad[c, n, i*S + m, j*S + q], zeros outside x, the
    columns in the geometry's order. ``buffer`` (C, N, *geo.buffer) and ``out`` are room to
    use instead of new arrays."""
    c, n, height, width = x.shape
    (k_h, k_w), (p_h, p_w) = geo.kernel, geo.padding
    if buffer is None:
        buffer = np.empty((c, n, *geo.buffer), dtype=x.dtype)
    buffer.fill(0)
    buffer[:, :, p_h : p_h + height, p_w : p_w + width] = x
    shape, strides = _columns(buffer, geo)
    c_step, _, row, col = buffer.strides
    view = np.ndarray((c, k_h, k_w, *shape), x.dtype, buffer, 0, (c_step, row, col, *strides))
    cells = np.empty(view.shape, dtype=x.dtype) if out is None else out.reshape(view.shape)
    np.copyto(cells, view)
    return cells.reshape(c * k_h * k_w, -1)


def spread_window_cells(d_cells: np.ndarray, geo: ConvGeometry,
                        input_shape: tuple[int, int, int, int], *,
                        buffer: np.ndarray | None = None) -> np.ndarray:
    """col2im, the transpose of window_cells: d_cells (C*k_h*k_w, N*rows*cols) -> d_x
    (C, N, H, W), every window cell's gradient added to the input cell it read.

    One strided add per kernel cell (m, q): for a fixed (m, q) no two columns read the same
    input cell, so each add writes every cell at most once. Padding is cropped off (a view).
    ``buffer`` (C, N, *geo.buffer) is room to use instead of a new array.
    """
    c, n, height, width = input_shape
    (k_h, k_w), (p_h, p_w) = geo.kernel, geo.padding
    if buffer is None:
        buffer = np.empty((c, n, *geo.buffer), dtype=d_cells.dtype)
    buffer.fill(0)
    d_cells = d_cells.reshape(c, k_h, k_w, *_columns(buffer, geo)[0])
    for m in range(k_h):
        for q in range(k_w):
            target = _buffer_view(buffer, geo, m, q)
            np.add(target, d_cells[:, m, q], out=target)
    return buffer[:, :, p_h : p_h + height, p_w : p_w + width]


def pool_view(maps: np.ndarray, geo: ConvGeometry, n: int) -> np.ndarray:
    """Wide maps (C, N*rows*cols) seen by pooling window cell, a view (C, s, s, N, ph, pw):
    view[c, a, b, n, i, j] = maps[c, n, i*s + a, j*s + b]."""
    s, (ph, pw), item = geo.pool, geo.pooled, maps.itemsize
    image, row = geo.rows * geo.cols * item, geo.cols * item
    return np.ndarray((maps.shape[0], s, s, n, ph, pw), maps.dtype, maps, 0,
                      (n * image, row, item, image, s * row, s * item))


def blocked_matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray, runs: int) -> np.ndarray:
    """out = a @ b, (R, K) @ (K, L) -> (R, L), one product per block of at most 1024 columns
    (whole runs of L / ``runs`` columns each), all in one stacked matmul call.

    Each small product stays on one BLAS thread and in cache: on this 2-core machine under
    load, one (16, 72) @ (72, 9984) float32 product took 8-15 ms on two BLAS threads and
    0.3 ms on one; in blocks, 0.2-0.4 ms either way.
    """
    blocks = _block_count(runs, b.shape[1] // runs, most=1024)
    np.matmul(a, b.reshape(b.shape[0], blocks, -1).transpose(1, 0, 2),
              out=out.reshape(out.shape[0], blocks, -1).transpose(1, 0, 2))
    return out


def kernel_gradient(cells: np.ndarray, d_maps: np.ndarray, runs: int) -> np.ndarray:
    """dL/dg = d_maps @ cells.T: (C_out, L) and (C_in*k*k, L) -> (C_out, C_in*k*k).

    The columns are ``runs`` runs of equal length. Summed in blocks of at most 1024 columns
    (or one run), one product per block: BLAS takes several times longer for one product
    whose sum runs over every map cell of the batch (training_pass.py measured it), and
    here 1024 beat 4096 by 1.7x for the second block of the benchmark's net.
    """
    blocks = _block_count(runs, cells.shape[1] // runs, most=1024)
    stacked = (cells.reshape(cells.shape[0], blocks, -1).transpose(1, 0, 2)
               @ d_maps.reshape(d_maps.shape[0], blocks, -1).transpose(1, 2, 0))
    return np.ascontiguousarray(stacked.sum(axis=0).T)
