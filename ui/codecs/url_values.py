"""The share link's text formats for a drawing and a matrix, both ways (pure: no Streamlit).

Decoding raises ValueError with a short reason for anything malformed; ui.codecs.url turns
that into a notice and the field's default.

Drawing format: "<n>.<kind>.<payload>" with n the grid size, kind "b" (ink only: one bit per
cell, packed) or "g" (grey levels: thousandths as 16-bit ints, zlib-compressed), payload in
base64url without padding. A 32x32 ink drawing takes 171 characters. A matrix (a kernel, a
lesson's image) is rows separated by "_" and values by "~", shortest exact floats.
"""

from __future__ import annotations

import base64
import binascii
import math
import zlib

import numpy as np

from cnn_core.drawing import GRID_SIZES

MAX_VALUE_CHARS = 4096


MAX_KERNEL_SIZE = 7


MAX_KERNEL_ABS = 1000.0


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_drawing(grid: np.ndarray) -> str:
    """A square drawing (values 0..1, size in GRID_SIZES) as a short URL-safe string."""
    grid = np.asarray(grid, dtype=np.float64)
    n = grid.shape[0]
    if grid.ndim != 2 or grid.shape != (n, n) or n not in GRID_SIZES:
        raise ValueError(f"drawing must be square with size in {GRID_SIZES}, got {grid.shape}")
    if not np.isfinite(grid).all():  # never written as blank cells: the URL keeps its last
        raise ValueError("drawing holds NaN or infinity")
    if np.all((grid == 0) | (grid == 1)):
        return f"{n}.b.{_b64encode(np.packbits(grid.ravel().astype(np.uint8)).tobytes())}"
    thousandths = np.round(np.clip(grid, 0, 1) * 1000).astype("<u2")
    return f"{n}.g.{_b64encode(zlib.compress(thousandths.tobytes(), 9))}"


def decode_drawing(text: str) -> np.ndarray:
    """Inverse of encode_drawing; ValueError with a short reason for anything malformed."""
    if not isinstance(text, str) or len(text) > MAX_VALUE_CHARS:
        raise ValueError("drawing is too long")
    parts = text.split(".")
    if len(parts) != 3 or parts[0] not in {str(n) for n in GRID_SIZES} or parts[1] not in "bg" \
            or len(parts[1]) != 1:
        raise ValueError("drawing is not in the form size.kind.data")
    n, cells = int(parts[0]), int(parts[0]) ** 2
    try:
        raw = _b64decode(parts[2])
    except (binascii.Error, ValueError):
        raise ValueError("drawing data is not valid base64") from None
    if parts[1] == "b":
        if len(raw) != math.ceil(cells / 8):
            raise ValueError("drawing data has the wrong length")
        bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8))[:cells]
        return bits.reshape(n, n).astype(np.float64)
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, 2 * cells + 1)  # bounded: no decompression bomb
    except zlib.error:
        raise ValueError("drawing data is not valid compressed data") from None
    if len(data) != 2 * cells or inflater.unconsumed_tail:
        raise ValueError("drawing data has the wrong length")
    values = np.frombuffer(data, dtype="<u2").astype(np.float64) / 1000
    if values.max() > 1:
        raise ValueError("drawing values must be within 0..1")
    return values.reshape(n, n)


def encode_kernel(kernel: np.ndarray) -> str:
    """A small kernel as rows separated by "_" and values by "~" (shortest exact floats)."""
    kernel = np.asarray(kernel, dtype=np.float64)
    return "_".join("~".join(repr(float(v)) for v in row) for row in kernel)


def decode_kernel(text: str, max_size: int = MAX_KERNEL_SIZE,
                  max_abs: float = MAX_KERNEL_ABS) -> np.ndarray:
    """Inverse of encode_kernel: a rectangular, finite matrix up to max_size x max_size
    (7x7 for a kernel), |values| <= max_abs."""
    if not isinstance(text, str) or not text or len(text) > 24 * max_size ** 2:
        raise ValueError("matrix text is empty or too long")
    rows = [row.split("~") for row in text.split("_")]
    if len(rows) > max_size or any(len(r) != len(rows[0]) for r in rows) \
            or len(rows[0]) > max_size:
        raise ValueError(f"matrix must be rectangular and at most {max_size}x{max_size}")
    try:
        kernel = np.array([[float(v) for v in row] for row in rows])
    except ValueError:
        raise ValueError("matrix values must be numbers") from None
    if not np.all(np.isfinite(kernel)) or np.max(np.abs(kernel)) > max_abs:
        raise ValueError(f"matrix values must be finite and within ±{max_abs:g}")
    return kernel
