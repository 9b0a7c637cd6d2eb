"""What the drawing toolbar does to a drawing, and a picture or a broken value made into one.

A drawing is a square grid (n, n) of values in 0..1, ink = 1, paper = 0 (cnn_core.drawing);
the app's grids are GRID_SIZES wide. Every edit returns a new float64 array and never
changes its input; bad input raises ValueError saying what was wrong. Every change of size
is cnn_core.drawing.area_resample, the one resampler: shrinking averages areas (no stroke
is lost, only greyed), growing gives each cell its share of the cells it overlaps.
Decoding an uploaded file into a grey image stays in the UI (Pillow); this is numpy only.
"""

from __future__ import annotations

import numpy as np

from .augment import thicken as _thicken_batch
from .data import NOTES_EIGHT
from .drawing import GRID_SIZES, area_resample, check_drawing

DIRECTIONS = ("up", "down", "left", "right")


def _check_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    return int(size)


def clear(grid: np.ndarray) -> np.ndarray:
    """Blank paper of the same shape: (n, n) -> (n, n) zeros."""
    return np.zeros_like(check_drawing(grid))


def invert(grid: np.ndarray) -> np.ndarray:
    """Swap ink and paper: (n, n) -> (n, n), out = 1 - g."""
    return 1.0 - check_drawing(grid)


def shift(grid: np.ndarray, direction: str) -> np.ndarray:
    """Move the content one cell: (n, n) -> (n, n); the vacated edge is paper, nothing wraps.

    "up" gives out[r] = g[r + 1] and a blank last row; the other directions are analogous.
    """
    g = check_drawing(grid)
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

    Cells outside the grid count as paper, so a single dot becomes a plus sign (the PLUS
    pen of cnn_core.augment, which thickens training images the same way).
    """
    return _thicken_batch(check_drawing(grid)[np.newaxis])[0]


def resize(grid: np.ndarray, size: int) -> np.ndarray:
    """A drawing at another grid size: (n, n) -> (size, size), area_resample, in 0..1.

    32 -> 8 is the mean of each 4x4 block; 8 -> 16 makes every cell a 2x2 block; 8 -> 5
    weights each input cell by how much of the 1.6-cell wide output cell it covers, and
    5 -> 8 gives output 1 the shares 0.6 of input 0 and 0.4 of input 1.
    """
    return area_resample(check_drawing(grid), (_check_size(size),) * 2)


def nearest_size(n: int) -> int:
    """The grid size in GRID_SIZES closest to n (ties go to the smaller one)."""
    return min(GRID_SIZES, key=lambda size: (abs(size - n), size))


def image_to_grid(gray: np.ndarray, size: int) -> np.ndarray:
    """A grey image (h, w), values 0..255, as a (size, size) drawing with ink = 1.

    ink = 1 - gray / 255 when the border is light (dark ink on paper), else gray / 255;
    stretched so the border's (paper's) level maps to 0 and the darkest ink to 1; padded
    with paper to a centred square, aspect kept; area-resampled to size.
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
    return area_resample(square, (size, size))


def is_grid_drawing(grid: object) -> bool:
    """Whether grid is a drawing the app's grids hold as it is: a float64 (n, n) array,
    n in GRID_SIZES, every value finite and in 0..1."""
    return (isinstance(grid, np.ndarray) and grid.dtype == np.float64 and grid.ndim == 2
            and grid.shape[0] == grid.shape[1] and grid.shape[0] in GRID_SIZES
            and bool(np.all(np.isfinite(grid))) and grid.min() >= 0.0 and grid.max() <= 1.0)


def repair_drawing(grid: object) -> tuple[np.ndarray, str | None]:
    """Anything (what a session held) made a valid grid drawing, and what was wrong.

    Silent for rounding noise (1.0000000000000009) and for another size (resampled to the
    nearest grid size); a message for anything else: a value that is not a square grid
    becomes the notes' 8, what is not a number becomes paper, what lies outside 0..1 is
    clipped.
    """
    try:
        g = np.array(grid, dtype=np.float64)
    except (TypeError, ValueError):
        g = np.zeros(0)
    if g.ndim != 2 or g.shape[0] != g.shape[1] or g.shape[0] == 0:
        return np.array(NOTES_EIGHT, dtype=np.float64), (
            f"The drawing in memory was not a square grid (shape {g.shape}): it was replaced "
            "by the notes' 8.")
    problems = []
    broken = ~np.isfinite(g)
    if broken.any():
        kinds = " or ".join(word for word, found in (("NaN", np.isnan(g).any()),
                                                      ("infinity", np.isinf(g).any())) if found)
        problems.append(f"{int(broken.sum())} cell(s) held {kinds}, not a number: they are "
                        "paper now")
        g[broken] = 0.0
    noise = 1e-9
    if g.min() < -noise or g.max() > 1.0 + noise:
        problems.append(f"values outside 0..1 (from {g.min():.6g} to {g.max():.6g}) were "
                        "clipped to 0..1")
    g = np.clip(g, 0.0, 1.0)
    if g.shape[0] not in GRID_SIZES:  # another size: resample, keep the ink
        g = area_resample(g, (nearest_size(g.shape[0]),) * 2)
    message = ("The drawing in memory was not a valid drawing: " + "; ".join(problems) + "."
               if problems else None)
    return g, message
