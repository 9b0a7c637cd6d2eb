"""Pure numpy operations on square drawings (the drawing grid's toolbar and image upload).

A drawing is a square 2D float array with values in 0..1, where 0 is paper and 1 is full ink.
Every function returns a new float64 array and never changes its input. Bad input raises
ValueError with a message that says what was wrong.
"""

from __future__ import annotations

import io
import re

import numpy as np

DIRECTIONS = ("up", "down", "left", "right")


def _as_drawing(grid: np.ndarray) -> np.ndarray:
    """Validate a drawing and return it as a float64 copy; (n, n) in, (n, n) out."""
    g = np.array(grid, dtype=np.float64)
    if g.ndim != 2 or g.shape[0] != g.shape[1] or g.shape[0] == 0:
        raise ValueError(f"a drawing must be a non-empty square 2D array, got shape {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("a drawing must not contain NaN or infinite values")
    low, high = float(g.min()), float(g.max())
    if low < 0.0 or high > 1.0:  # repr: 1.0000000000000009 must not print as 1
        bad, side = (high, "above 1") if high > 1.0 else (low, "below 0")
        raise ValueError(f"drawing values must lie in 0..1, got {bad!r} ({side})")
    return g


def _check_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    return int(size)


def clear(grid: np.ndarray) -> np.ndarray:
    """Blank paper of the same shape: (n, n) -> (n, n) zeros."""
    return np.zeros_like(_as_drawing(grid))


def invert(grid: np.ndarray) -> np.ndarray:
    """Swap ink and paper: (n, n) -> (n, n), out = 1 - g."""
    return 1.0 - _as_drawing(grid)


def shift(grid: np.ndarray, direction: str) -> np.ndarray:
    """Move the content one cell: (n, n) -> (n, n); the vacated edge is paper, nothing wraps.

    "up" gives out[r] = g[r + 1] and a blank last row; the other directions are analogous.
    """
    g = _as_drawing(grid)
    out = np.zeros_like(g)
    if direction == "up":
        out[:-1, :] = g[1:, :]
    elif direction == "down":
        out[1:, :] = g[:-1, :]
    elif direction == "left":
        out[:, :-1] = g[:, 1:]
    elif direction == "right":
        out[:, 1:] = g[:, :-1]
    else:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    return out


def thicken(grid: np.ndarray) -> np.ndarray:
    """Grow strokes by one cell: (n, n) -> (n, n), out = max(g, its 4 neighbours).

    Cells outside the grid count as paper, so a single dot becomes a plus sign.
    """
    g = _as_drawing(grid)
    p = np.pad(g, 1)
    return np.maximum.reduce([p[1:-1, 1:-1], p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]])


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """Row-stochastic (n_out, n_in) matrix: how much of output cell i each input cell covers.

    Output cell i spans [i * n_in / n_out, (i + 1) * n_in / n_out) in input-cell units;
    W[i, j] = overlap with input cell [j, j + 1) divided by the span, so each row sums to 1.
    """
    span = n_in / n_out
    starts = np.arange(n_out)[:, None] * span
    cells = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(starts + span, cells + 1) - np.maximum(starts, cells), 0, None)
    return overlap / span


def _nearest_index(n_in: int, n_out: int) -> np.ndarray:
    """Source index of each output cell when growing: floor((i + 0.5) * n_in / n_out)."""
    return np.floor((np.arange(n_out) + 0.5) * n_in / n_out).astype(int)


def _resample(image: np.ndarray, size: int) -> np.ndarray:
    """Resample a square array: area-average when shrinking, nearest cell when growing."""
    n = image.shape[0]
    if size == n:
        return image.copy()
    if size < n:
        w = _area_weights(n, size)
        return w @ image @ w.T
    idx = _nearest_index(n, size)
    return image[np.ix_(idx, idx)]


def resize_grid(grid: np.ndarray, size: int) -> np.ndarray:
    """Resample a drawing to a new square size: (n, n) -> (size, size).

    Shrinking averages areas, so no stroke is lost, only greyed: 32 -> 8 is the mean of each
    4x4 block, and 8 -> 5 weights each input cell by how much of the 1.6-cell wide output
    cell it covers. Growing repeats cells (nearest cell centre): 8 -> 16 turns every cell into
    a 2x2 block, and 5 -> 8 repeats source rows/columns 0, 0, 1, 2, 2, 3, 4, 4. The result
    is clipped to 0..1: the area weights' rounding can give 1.0000000000000009.
    """
    return np.clip(_resample(_as_drawing(grid), _check_size(size)), 0.0, 1.0)


def image_to_grid(gray: np.ndarray, size: int) -> np.ndarray:
    """Turn a grey image (h, w), values 0..255, into a (size, size) drawing with ink = 1.

    Steps: ink = 1 - gray / 255 when the border is light (dark ink on paper), else
    gray / 255; stretch so the border (paper) level maps to 0 and the darkest ink to 1;
    pad with paper to a centred square keeping the aspect ratio; resample to size
    (area average when shrinking, nearest when growing).
    """
    size = _check_size(size)
    g = np.asarray(gray, dtype=np.float64)
    if g.ndim != 2 or g.size == 0:
        raise ValueError(f"a grey image must be a non-empty 2D array, got shape {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("a grey image must not contain NaN or infinite values")
    g = np.clip(g / 255.0, 0.0, 1.0)
    border = np.concatenate([g[0, :], g[-1, :], g[:, 0], g[:, -1]])
    ink = 1.0 - g if border.mean() > 0.5 else g
    ink_border = np.concatenate([ink[0, :], ink[-1, :], ink[:, 0], ink[:, -1]])
    paper, darkest = float(np.median(ink_border)), float(ink.max())
    if darkest > paper:
        ink = np.clip((ink - paper) / (darkest - paper), 0.0, 1.0)
    else:
        ink = np.zeros_like(ink)
    h, w = ink.shape
    side = max(h, w)
    top, left = (side - h) // 2, (side - w) // 2
    square = np.zeros((side, side))
    square[top : top + h, left : left + w] = ink
    return np.clip(_resample(square, size), 0.0, 1.0)


def decode_image_bytes(data: bytes, size: int, max_pixels: int = 4_000_000) -> np.ndarray:
    """Decode an uploaded PNG/JPEG into a (size, size) drawing via image_to_grid.

    The pixel count is checked from the header before any pixel is decoded (decompression
    bombs). Transparent pixels count as white paper; JPEG EXIF rotation is applied.
    """
    from PIL import Image, ImageOps

    size = _check_size(size)
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) == 0:
        raise ValueError("the uploaded file is empty")
    unreadable = "could not read the image (not a valid PNG or JPEG file)"
    try:
        im = Image.open(io.BytesIO(bytes(data)))
    except Image.DecompressionBombError as exc:  # Pillow's own cap, far above ours
        count = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(count.group(1)):,} pixels" if count else "too many pixels"
        raise ValueError(f"the image has {size}; the limit is {max_pixels:,}") from exc
    except Exception as exc:  # Pillow raises many types for garbage input; its text names
        raise ValueError(unreadable) from exc  # a Python object, which helps nobody
    with im:
        if im.format not in ("PNG", "JPEG"):
            raise ValueError(f"only PNG and JPEG images are supported, got {im.format}")
        w, h = im.size
        if w * h > max_pixels:
            raise ValueError(
                f"the image is {w}x{h} = {w * h:,} pixels; the limit is {max_pixels:,}"
            )
        try:
            im.load()
            im = ImageOps.exif_transpose(im)
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                rgba = im.convert("RGBA")
                im = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
            gray = np.asarray(im.convert("L"), dtype=np.float64)
        except Exception as exc:  # truncated or corrupt pixel data
            raise ValueError(f"{unreadable}: {exc}") from exc
    return image_to_grid(gray, size)
