"""Central finite differences: the independent check of every backward pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                       eps: float = 1e-6) -> np.ndarray:
    """dF/dx by central differences: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) per cell.

    x is changed in place during the call and restored after each cell.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + eps
        plus = f(x)
        flat_x[i] = saved - eps
        minus = f(x)
        flat_x[i] = saved
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a| + |b|, 1e-12), elementwise, the usual gradient-check measure."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))
