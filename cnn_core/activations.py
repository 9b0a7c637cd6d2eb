"""ReLU, the activation after every convolution: max(0, x), applied cell by cell."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .shapes import as_float_array


class ReluCache(NamedTuple):
    """Where the input was positive: the only cells a gradient passes through."""

    positive: np.ndarray  # bool, same shape as the input


def relu(x: np.ndarray) -> np.ndarray:
    """ReLU of any array: out = max(0, x), same shape (float64)."""
    return np.maximum(as_float_array(x, "input", ndim=None), 0)


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, ReluCache]:
    """ReLU and its cache. x (...) -> out (...), cache."""
    positive = x > 0
    return x * positive, ReluCache(positive)


def relu_backward(d_out: np.ndarray, cache: ReluCache) -> np.ndarray:
    """Backward of ReLU: dL/dx = dL/dout where x > 0, else 0.

    At exactly x = 0 the derivative is taken as 0, as the notes do (feature_map > 0).
    """
    return d_out * cache.positive
