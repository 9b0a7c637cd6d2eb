"""MNIST digits drawn as a student draws them on the grid (cells of ink), and how often a model
reads them: the recognition benchmark prints these figures, the default network's tests
assert them.

The drawing is written separately from cnn_core.augment (area weights from the cumulative
ink, a shifted-maximum pen), so no score is the training generator meeting itself.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cnn_core.drawing import prepare_drawing

GRIDS = (16, 28, 32)
BIG, SMALL = (0.75, 1.0), (0.6, 0.6)
SEED = 12


def _cell_weights(grid: int, top: float, box: float, n: int = 28) -> np.ndarray:
    """(grid, n): how much of grid cell i source cell j covers, from the cumulative ink.

    The n source cells span [top, top + box) of the grid; a source coordinate u = (x - top)
    n / box; cell j's share of [a, b) is clip(u(b) - j, 0, 1) - clip(u(a) - j, 0, 1), in
    source cells, times box / n grid cells.
    """
    edges = (np.arange(grid + 1) - top) * n / box
    covered = np.clip(edges[:, None] - np.arange(n)[None, :], 0.0, 1.0)
    return (covered[1:] - covered[:-1]) * box / n


def draw_digit(image: np.ndarray, grid: int, box: float, top: float, left: float,
               thick: bool) -> np.ndarray:
    """One 28x28 digit clicked on a grid x grid drawing: ink (1) where the area mean >= 0.5."""
    rows, cols = _cell_weights(grid, top, box), _cell_weights(grid, left, box)
    cells = (rows @ image @ cols.T >= 0.5).astype(np.float64)
    if thick:  # pen one cell thicker: each ink cell also inks its right, lower, diagonal cell
        wide = cells.copy()
        wide[1:, :] = np.maximum(wide[1:, :], cells[:-1, :])
        wide[:, 1:] = np.maximum(wide[:, 1:], cells[:, :-1])
        wide[1:, 1:] = np.maximum(wide[1:, 1:], cells[:-1, :-1])
        cells = wide
    return cells


def drawn_digits(images: np.ndarray, grid: int, fraction: tuple[float, float],
                 seed: int = SEED) -> list[np.ndarray]:
    """Every digit drawn on a grid: frame = U(fraction) * grid cells at a random place."""
    rng = np.random.default_rng([seed, grid, round(fraction[0] * 100)])
    drawings = []
    for i, image in enumerate(images):
        box = grid * rng.uniform(*fraction)
        top, left = rng.uniform(0.0, grid - box, 2)
        drawings.append(draw_digit(image, grid, box, top, left, thick=i % 2 == 1))
    return drawings


def accuracy(model, inputs: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Share read right, and the predictions (N,)."""
    predicted = model.forward(np.asarray(inputs))["logits"].argmax(axis=1)
    return float(np.mean(predicted == labels)), predicted


def drawn_accuracy(model, images: np.ndarray, labels: np.ndarray, grid: int,
                   fraction: tuple[float, float] = BIG,
                   prepare: Callable[[np.ndarray], np.ndarray] | None = None
                   ) -> tuple[float, np.ndarray]:
    """Accuracy on digits drawn on a grid, through prepare (default: the app's MNIST path)."""
    shape = model.arch.image_shape
    prepare = prepare or (lambda cells: prepare_drawing(cells, shape, fit=True))
    inputs = np.stack([prepare(cells) for cells in drawn_digits(images, grid, fraction)])
    return accuracy(model, inputs, labels)


def grey_accuracy(model, images: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Accuracy on the grey 28x28 scans through the app's path (fit on)."""
    shape = model.arch.image_shape
    return accuracy(model, np.stack([prepare_drawing(x, shape) for x in images]), labels)
