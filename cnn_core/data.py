"""Datasets: the notes' toy digits, sklearn's 8x8 digits; the old 8x8 drawing path.

Images are float64 arrays shaped (N, H, W) with ink = 1 and paper = 0; labels are int64 (N,).
scikit-learn is imported only inside the cached digits loader, so the engine stays numpy only.
"""

from __future__ import annotations

import functools
import numbers
from typing import NamedTuple

import numpy as np

from .drawing import area_resample, check_drawing


def _frozen(rows: list[list[int]]) -> np.ndarray:
    array = np.array(rows, dtype=np.float64)
    array.flags.writeable = False
    return array


# The notes' 5x5 images ("Extending to Multiple Images" and "Testing"), verbatim.
NOTES_EIGHT = _frozen([[0, 1, 1, 1, 0], [0, 1, 0, 1, 0], [0, 1, 1, 1, 0],
                       [0, 1, 0, 1, 0], [0, 1, 1, 1, 0]])
NOTES_TWO = _frozen([[0, 1, 1, 1, 0], [0, 0, 0, 1, 0], [0, 0, 1, 0, 0],
                     [0, 1, 0, 0, 0], [0, 1, 1, 1, 0]])
NOTES_TEST_TWO = _frozen([[1, 1, 1, 1, 1], [0, 0, 0, 1, 0], [1, 0, 1, 0, 1],
                          [0, 1, 0, 0, 0], [1, 1, 1, 1, 1]])

MODEL_SIZE = 8


class Dataset(NamedTuple):
    """Train/test split: images (N, H, W) float64 in 0..1, labels (N,) int64 in 0..n_classes-1."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    n_classes: int
    name: str


def toy_digits() -> Dataset:
    """The notes' toy set: train = [eight (8), two (2)] (2, 5, 5); test = [two (2)] (1, 5, 5)."""
    return Dataset(
        train_images=np.stack([NOTES_EIGHT, NOTES_TWO]),
        train_labels=np.array([8, 2], dtype=np.int64),
        test_images=np.stack([NOTES_TEST_TWO]),
        test_labels=np.array([2], dtype=np.int64),
        n_classes=10,
        name="notes toy digits",
    )


@functools.lru_cache(maxsize=1)
def _load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """sklearn's digits as read-only arrays: images (1797, 8, 8) in 0..1, labels (1797,) int64."""
    from sklearn.datasets import load_digits  # lazy: the engine itself is numpy only

    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.float64) / 16.0  # optdigits counts are 0..16
    labels = np.asarray(bunch.target, dtype=np.int64)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def _split_indices(
    labels: np.ndarray, test_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split: per class, permute its indices and send round(f * count) to test.

    The test count is clamped to 1..count-1 so every class appears in both splits.
    Returns (train_idx, test_idx), each sorted ascending.
    """
    rng = np.random.default_rng(seed)
    train_parts, test_parts = [], []
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        n_test = min(max(round(test_fraction * members.size), 1), members.size - 1)
        test_parts.append(members[:n_test])
        train_parts.append(members[n_test:])
    return np.sort(np.concatenate(train_parts)), np.sort(np.concatenate(test_parts))


def handwritten_digits(test_fraction: float = 0.25, seed: int = 0) -> Dataset:
    """sklearn's 1,797 digits (UCI optdigits), images (N, 8, 8) scaled to 0..1, labels 0..9.

    Split is stratified and deterministic for a given seed (see `_split_indices`);
    the returned arrays are fresh copies, so callers cannot corrupt the cached load.
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real):
        raise ValueError(f"test_fraction must be a number, got {type(test_fraction).__name__}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction}")
    images, labels = _load_digits_arrays()
    train_idx, test_idx = _split_indices(labels, float(test_fraction), seed)
    return Dataset(images[train_idx], labels[train_idx], images[test_idx], labels[test_idx],
                   n_classes=10, name="handwritten digits (sklearn 8x8)")


def downsample_drawing(grid: np.ndarray) -> np.ndarray:
    """Turn a square drawing (n, n), values 0..1, into the model's (8, 8) input in 0..1.

    sklearn's digits are UCI optdigits: 32x32 bitmaps whose ink is counted per 4x4 block
    (0..16); count / 16 is the block mean, which is area-weighted resampling. So every size
    is area-resampled to 8x8 (32 -> 4x4 means, 16 -> 2x2 means, 8 -> unchanged, 5 -> the same
    as nearest-upsampling to 40x40 and taking 5x5 means), except 28: an MNIST-style 28 grid
    is a 20x20 digit centred in 28, so it is zero-padded by 2 cells per side to 32 first.
    """
    array = check_drawing(grid)
    if array.shape[0] == 28:
        array = np.pad(array, 2)
    return area_resample(array, (MODEL_SIZE, MODEL_SIZE))
