"""Training-image augmentation: make scans look like what students click, in numpy only.

Every op takes a batch of images (N, H, W) in 0..1 (ink = 1) and returns a new batch; the
random ones draw everything from a numpy Generator, so a seed fixes the result. Ops:
binarise (cells are ink or paper), thicken / thin (a max or min filter: a wider or a finer
pen), affine (small rotations, scales and shifts, sampled bilinearly), and draw_as_cells
(the digit clicked on a coarse grid of 16..32 cells, then brought back through
prepare_drawing, the path a drawing takes in the app).
"""

from __future__ import annotations

import numpy as np

from .drawing import MNIST_FRAME, overlap_weights, prepare_drawing

PLUS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)  # the app's "Thicken"
SQUARE2 = np.ones((2, 2), dtype=bool)  # a pen one cell wider


def _batch(images: np.ndarray) -> np.ndarray:
    array = np.asarray(images, dtype=np.float64)
    if array.ndim != 3 or min(array.shape[1:], default=0) < 1:
        raise ValueError(f"images must be a batch (N, H, W), got shape {array.shape}")
    return array


def binarise(images: np.ndarray, threshold: float | np.ndarray) -> np.ndarray:
    """Cells are ink or paper: (N, H, W) -> (N, H, W), out = 1 where x >= t, else 0.

    ``threshold`` is one number or one per image (N,).
    """
    array = _batch(images)
    t = np.broadcast_to(np.asarray(threshold, dtype=np.float64), (len(array),))
    return (array >= t[:, None, None]).astype(np.float64)


def _filter(images: np.ndarray, footprint: np.ndarray, reduce: np.ufunc) -> np.ndarray:
    """out[r, c] = reduce of x[r + i - a // 2, c + j - b // 2] over footprint[i, j] (a, b).

    Cells outside the image are paper (0).
    """
    array, shape = _batch(images), np.asarray(footprint, dtype=bool)
    if shape.ndim != 2 or not shape.any():
        raise ValueError(f"footprint must be a 2D boolean array with a True, got {shape!r}")
    (a, b), (_, h, w) = shape.shape, array.shape
    padded = np.pad(array, ((0, 0), (a // 2, a - 1 - a // 2), (b // 2, b - 1 - b // 2)))
    windows = [padded[:, i : i + h, j : j + w] for i, j in zip(*np.nonzero(shape), strict=True)]
    return reduce.reduce(windows)


def thicken(images: np.ndarray, footprint: np.ndarray = PLUS) -> np.ndarray:
    """A wider pen (grey dilation): (N, H, W) -> (N, H, W), out = max over the footprint.

    PLUS grows a stroke by one cell on every side (the app's Thicken); SQUARE2 by one cell
    in all, to the right and down. A single dot becomes the footprint's shape.
    """
    return _filter(images, footprint, np.maximum)


def thin(images: np.ndarray, footprint: np.ndarray = SQUARE2) -> np.ndarray:
    """A finer pen (grey erosion): (N, H, W) -> (N, H, W), out = min over the footprint.

    SQUARE2 takes one cell off every stroke's top and left side (a 3-wide line keeps 2).
    """
    return _filter(images, footprint, np.minimum)


def affine(images: np.ndarray, angle: np.ndarray | float = 0.0, scale: np.ndarray | float = 1.0,
           shift: np.ndarray | tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Rotate (degrees, anticlockwise), scale and shift each image about its centre.

    (N, H, W) -> (N, H, W); angle and scale are numbers or (N,), shift is (dy, dx) or
    (N, 2) in cells. Output cell p takes the input at q = M^-1 (p - c - shift) + c, with
    M = scale * [[cos a, -sin a], [sin a, cos a]] in (row, col) and c = ((H-1)/2, (W-1)/2),
    sampled bilinearly; outside the image is paper. Angle 0, scale 1, shift 0 is the
    identity; 90 degrees on a square image is np.rot90; a whole-cell shift moves the
    cells exactly. Ink grows by about scale**2.
    """
    array = _batch(images)
    n, h, w = array.shape
    angle = np.deg2rad(np.broadcast_to(np.asarray(angle, dtype=np.float64), (n,)))
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), (n,))
    shift = np.broadcast_to(np.asarray(shift, dtype=np.float64), (n, 2))
    if np.any(scale <= 0) or not np.all(np.isfinite(scale)):
        raise ValueError("scale must be positive and finite")
    rows, cols = np.meshgrid(np.arange(h) - (h - 1) / 2, np.arange(w) - (w - 1) / 2,
                             indexing="ij")
    dy = rows[None] - shift[:, 0, None, None]
    dx = cols[None] - shift[:, 1, None, None]
    cos, sin = (np.cos(angle) / scale)[:, None, None], (np.sin(angle) / scale)[:, None, None]
    # M^-1 = [[cos, sin], [-sin, cos]] / scale: rotate back by the angle, undo the scale
    src_r = cos * dy + sin * dx + (h - 1) / 2
    src_c = -sin * dy + cos * dx + (w - 1) / 2
    r0, c0 = np.floor(src_r).astype(np.int64), np.floor(src_c).astype(np.int64)
    fr, fc = src_r - r0, src_c - c0
    image = np.arange(n)[:, None, None]
    out = np.zeros_like(array)
    for r, c, weight in ((r0, c0, (1 - fr) * (1 - fc)), (r0, c0 + 1, (1 - fr) * fc),
                         (r0 + 1, c0, fr * (1 - fc)), (r0 + 1, c0 + 1, fr * fc)):
        inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)  # outside the image is paper
        out += weight * inside * array[image, np.clip(r, 0, h - 1), np.clip(c, 0, w - 1)]
    return np.clip(out, 0.0, 1.0)


def random_affine(images: np.ndarray, rng: np.random.Generator, *, max_angle: float = 12.0,
                  max_scale_change: float = 0.1, max_shift: float = 1.5) -> np.ndarray:
    """affine with angle ~ U(-max_angle, max_angle), scale ~ U(1 -+ change), shift ~ U(-+s)."""
    n = len(_batch(images))
    return affine(images, rng.uniform(-max_angle, max_angle, n),
                  rng.uniform(1 - max_scale_change, 1 + max_scale_change, n),
                  rng.uniform(-max_shift, max_shift, (n, 2)))


def cells_of(image: np.ndarray, grid_size: int, frame: float, top: float, left: float,
             threshold: float) -> np.ndarray:
    """A 28x28 digit clicked on a grid: (28, 28) -> (g, g) of 0 and 1.

    Its 28x28 frame is area-resampled onto ``frame`` cells at (top, left) of a g x g
    grid (overlap_weights), and a cell is ink where its value >= threshold.
    """
    rows = overlap_weights(MNIST_FRAME, grid_size, box=frame, start=top)
    cols = overlap_weights(MNIST_FRAME, grid_size, box=frame, start=left)
    return (rows @ image @ cols.T >= threshold).astype(np.float64)


def draw_as_cells(images: np.ndarray, rng: np.random.Generator, input_size: int, *,
                  grid_sizes: tuple[int, int] = (16, 32), frame_fraction: tuple[float, float]
                  = (0.6, 1.0), thresholds: tuple[float, float] = (0.3, 0.7),
                  pens: tuple[np.ndarray | None, ...] = (None, None, SQUARE2, PLUS)
                  ) -> np.ndarray:
    """MNIST digits as a student would click them: (N, 28, 28) -> (N, input, input).

    Per digit: a grid of g ~ U{grid_sizes} cells; its frame covers f g cells, f ~
    U(frame_fraction), at a random place; binarised at t ~ U(thresholds); drawn with a pen
    picked from ``pens`` (None: as is); then prepare_drawing(fit=True), the app's path.
    A digit whose cells come out blank is drawn again at its faintest ink.
    """
    array = _batch(images)
    if array.shape[1:] != (MNIST_FRAME, MNIST_FRAME):
        raise ValueError(f"draw_as_cells takes 28x28 digits, got {array.shape[1:]}")
    out = np.empty((len(array), input_size, input_size))
    for i, image in enumerate(array):
        g = int(rng.integers(grid_sizes[0], grid_sizes[1] + 1))
        frame = g * rng.uniform(*frame_fraction)
        top, left = rng.uniform(0, g - frame, 2)
        cells = cells_of(image, g, frame, top, left, rng.uniform(*thresholds))
        if not cells.any():
            cells = cells_of(image, g, frame, top, left, 1e-9)
        pen = pens[rng.integers(len(pens))]
        if pen is not None:
            cells = thicken(cells[None], pen)[0]
        out[i] = prepare_drawing(cells, (input_size, input_size))
    return out


def augment_digits(images: np.ndarray, rng: np.random.Generator, input_size: int, *,
                   drawn_share: float = 0.5, max_angle: float = 12.0,
                   max_scale_change: float = 0.1, max_shift: float = 1.5,
                   thick_share: float = 0.25, thin_share: float = 0.15,
                   binary_share: float = 0.3, grid_sizes: tuple[int, int] = (16, 32)
                   ) -> np.ndarray:
    """One epoch's training inputs from MNIST digits: (N, 28, 28) -> (N, input, input).

    Every digit is turned by random_affine; then a ``drawn_share`` of them go through
    draw_as_cells on ``grid_sizes`` (no shift: the app's framing undoes it), and the rest
    stay grey scans:
    thickened (SQUARE2) or thinned with the given shares, binarised at t ~ U(0.2, 0.7)
    with ``binary_share``, and area-resampled to the input size.
    """
    array = _batch(images)
    count = len(array)
    out = np.empty((count, input_size, input_size))
    drawn = rng.random(count) < drawn_share
    if drawn.any():
        turned = random_affine(array[drawn], rng, max_angle=max_angle,
                               max_scale_change=max_scale_change, max_shift=0.0)
        out[drawn] = draw_as_cells(turned, rng, input_size, grid_sizes=grid_sizes)
    if (~drawn).any():
        scans = random_affine(array[~drawn], rng, max_angle=max_angle,
                              max_scale_change=max_scale_change, max_shift=max_shift)
        pick = rng.random(len(scans))
        thick, fine = pick < thick_share, (pick >= thick_share) & (pick < thick_share + thin_share)
        scans[thick] = thicken(scans[thick], SQUARE2)
        scans[fine] = thin(scans[fine], SQUARE2)
        binary = rng.random(len(scans)) < binary_share
        scans[binary] = binarise(scans[binary], rng.uniform(0.2, 0.7, int(binary.sum())))
        weights = overlap_weights(MNIST_FRAME, input_size)
        out[~drawn] = np.clip(weights @ scans @ weights.T, 0.0, 1.0)
    return out
