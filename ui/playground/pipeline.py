"""The playground's computation: one drawing through one kernel, conv2d -> ReLU -> pooling,
every map kept (pure: no Streamlit). Every number comes from cnn_core; this module only
orders the calls."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cnn_core import (
    avg_pool2d,
    conv2d,
    max_pool2d,
    relu,
)


class ConvSettings(NamedTuple):
    """The playground's knobs: padding P, stride S, ReLU on/off, pooling kind and size."""

    padding: int = 0
    stride: int = 1
    relu: bool = True
    pool: str = "max"  # "max" or "avg"
    pool_size: int = 2

    def describe(self) -> str:
        """One line for captions: "P = 0, S = 1, ReLU, max pool 2×2"."""
        act = "ReLU" if self.relu else "no ReLU"
        return (f"P = {self.padding}, S = {self.stride}, {act}, "
                f"{self.pool} pool {self.pool_size}×{self.pool_size}")


class Pipeline(NamedTuple):
    """One drawing through one kernel: every map the page shows, all (rows, cols) float64."""

    image: np.ndarray  # the drawing (n, n)
    kernel: np.ndarray  # (k_h, k_w)
    label: str  # the kernel's display name
    settings: ConvSettings
    padded: np.ndarray  # the input as the kernel sees it: (n + 2P, n + 2P)
    feature: np.ndarray  # conv2d(image, kernel, padding=P, stride=S)
    activated: np.ndarray  # relu(feature), or feature itself when ReLU is off
    pooled: np.ndarray  # max/avg pooling of activated, stride = size, cut-off windows kept


class SumsOverflow(ValueError):
    """The kernel's numbers are so large that the convolution's sums leave float's range."""


def run_pipeline(image: np.ndarray, kernel: np.ndarray, settings: ConvSettings,
                 label: str = "") -> Pipeline:
    """conv2d -> ReLU -> pooling with cnn_core; raises ValueError for a bad kernel or setting
    (SumsOverflow when the kernel's numbers make a sum overflow).

    feature = conv2d(f, g, padding=P, stride=S), out = (n - k + 2P) // S + 1 per axis;
    activated = max(0, feature); pooled = pool(activated, size) with ceil(out / size) cells.
    """
    if settings.pool not in ("max", "avg"):
        raise ValueError(f"pooling must be 'max' or 'avg', got {settings.pool!r}")
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, by name
        feature = conv2d(image, kernel, padding=settings.padding, stride=settings.stride)
    if not np.all(np.isfinite(feature)):
        raise SumsOverflow("these kernel values are too large: the sums overflow (beyond "
                           "±1.8e308, the largest number a float holds)")
    activated = relu(feature) if settings.relu else feature
    pool = max_pool2d if settings.pool == "max" else avg_pool2d
    pooled = pool(activated, settings.pool_size)
    padded = np.pad(np.asarray(image, dtype=np.float64), settings.padding)
    return Pipeline(np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64),
                    label, settings, padded, feature, activated, pooled)


def slide_cell(feature_shape: tuple[int, int], step: int) -> tuple[int, int]:
    """[row, col] of the output cell the window computes at ``step`` (row by row from 0)."""
    return divmod(step, feature_shape[1])


def filled_so_far(feature: np.ndarray, step: int) -> np.ndarray:
    """The feature map as the sliding window has filled it after ``step``: cells 0..step
    (row-major) hold conv2d's values, the rest NaN (not computed yet). (h, w) -> (h, w)."""
    if not 0 <= step < feature.size:
        raise ValueError(f"step {step} is outside 0..{feature.size - 1}")
    shown = np.array(feature, dtype=np.float64)
    shown.ravel()[step + 1:] = np.nan
    return shown

