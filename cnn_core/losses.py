"""Softmax, cross-entropy, and their joint backward (p - y)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .shapes import as_float_array


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from scores along the last axis, numerically stable.

    logits (..., C) -> (..., C); p_c = exp(z_c - max z) / sum_k exp(z_k - max z).
    Subtracting the max changes nothing mathematically and keeps exp from overflowing.
    """
    logits = as_float_array(logits, "logits", ndim=None)
    return _softmax(logits)


def _softmax(logits: np.ndarray) -> np.ndarray:
    # the ufuncs' reduce directly: .max() and .sum() are the same reductions behind a
    # Python wrapper that costs as much again on a single image. One row (one image's
    # logits) is reduced to scalars, cheaper than keepdims columns broadcast back: the same
    # numbers added in the same order, so the same bits (tests/test_forward_speedpath.py)
    axis, keepdims = (None, False) if logits.ndim == 2 and len(logits) == 1 else (-1, True)
    shifted = logits - np.maximum.reduce(logits, axis, keepdims=keepdims)
    np.exp(shifted, out=shifted)  # in place: one array allocated instead of three
    shifted /= np.add.reduce(shifted, axis, keepdims=keepdims)
    return shifted


def check_labels(labels: object, n_classes: int, count: int | None = None) -> np.ndarray:
    """Labels as an int array, each within 0..n_classes-1, or a ValueError saying which is not."""
    array = np.atleast_1d(np.asarray(labels))
    if array.size == 0:
        raise ValueError("labels are empty")
    if not (np.issubdtype(array.dtype, np.integer)
            or (np.issubdtype(array.dtype, np.floating) and np.all(np.isfinite(array))
                and np.all(array == np.round(array)))):
        raise ValueError(f"labels must be whole numbers, got {labels!r}")
    array = array.astype(np.int64)
    bad = array[(array < 0) | (array >= n_classes)]
    if bad.size:
        raise ValueError(f"label {bad[0]} is outside 0..{n_classes - 1}")
    if count is not None and array.shape != (count,):
        raise ValueError(f"expected {count} labels, got {array.size}")
    return array


def cross_entropy(probabilities: np.ndarray, label: object) -> float:
    """Cross-entropy of predicted probabilities against the true class, mean over a batch.

    probabilities (C,) or (N, C), label int or (N,) ints -> float;
    L = -mean_n log p[n, label_n]. A probability of exactly 0 is clipped to the smallest
    positive float (so the loss is large and finite, about 708, instead of inf).
    """
    p = as_float_array(probabilities, "probabilities", ndim=(1, 2))
    p = p[None] if p.ndim == 1 else p
    if np.any(p < 0) or np.any(p > 1) or not np.allclose(p.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError("probabilities must be in [0, 1] and sum to 1 along the last axis "
                         "(did you pass logits? apply softmax first)")
    labels = check_labels(label, p.shape[1], count=p.shape[0])
    picked = p[np.arange(p.shape[0]), labels]
    return float(-np.mean(np.log(np.maximum(picked, np.finfo(np.float64).tiny))))


class SoftmaxCrossEntropyCache(NamedTuple):
    """The probabilities and labels, which give the gradient p - y."""

    probabilities: np.ndarray  # (N, C)
    labels: np.ndarray  # (N,)


def softmax_cross_entropy_forward(logits: np.ndarray, labels: np.ndarray
                                  ) -> tuple[float, SoftmaxCrossEntropyCache]:
    """Mean cross-entropy of softmax(logits), computed through log-softmax for accuracy.

    logits (N, C), labels (N,) -> loss = -mean_n (z[n, y_n] - logsumexp(z[n])), cache.
    """
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    rows = np.arange(logits.shape[0])
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, labels]))
    return loss, SoftmaxCrossEntropyCache(exp / total, labels)


def softmax_cross_entropy_backward(cache: SoftmaxCrossEntropyCache) -> np.ndarray:
    """Gradient of the mean loss with respect to the logits: (p - one_hot(y)) / N, (N, C)."""
    d_logits = cache.probabilities.copy()
    d_logits[np.arange(d_logits.shape[0]), cache.labels] -= 1.0
    return d_logits / d_logits.shape[0]
