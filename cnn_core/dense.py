"""The fully connected (dense) layer: every input feeds every output."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .shapes import as_float_array


class DenseCache(NamedTuple):
    """The layer's input and weights, which its backward needs."""

    x: np.ndarray  # (N, D)
    weights: np.ndarray  # (D, C)


class DenseGrads(NamedTuple):
    """Gradients with respect to the input, the weights and the bias."""

    x: np.ndarray  # (N, D)
    weights: np.ndarray  # (D, C)
    bias: np.ndarray  # (C,)


def dense(x: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Dense layer: out = x @ W + b.

    x (D,) or (N, D), weights (D, C), bias (C,) -> (C,) or (N, C).
    """
    x = as_float_array(x, "inputs", ndim=(1, 2))
    weights = as_float_array(weights, "weights", ndim=2)
    bias = as_float_array(bias, "bias", ndim=1)
    if x.shape[-1] != weights.shape[0]:
        raise ValueError(f"inputs have {x.shape[-1]} features but weights expect "
                         f"{weights.shape[0]} (weights shape {weights.shape})")
    if bias.shape[0] != weights.shape[1]:
        raise ValueError(f"bias has {bias.shape[0]} values but weights have "
                         f"{weights.shape[1]} outputs")
    return x @ weights + bias


def dense_forward(x: np.ndarray, weights: np.ndarray,
                  bias: np.ndarray) -> tuple[np.ndarray, DenseCache]:
    """Dense layer on a batch, with its cache. x (N, D) -> out (N, C) = x @ W + b."""
    return x @ weights + bias, DenseCache(x, weights)


def dense_backward(d_out: np.ndarray, cache: DenseCache) -> DenseGrads:
    """Backward of dense_forward. d_out (N, C) ->
    dL/dx = d_out @ W.T (N, D), dL/dW = x.T @ d_out (D, C), dL/db = sum_n d_out (C,).
    """
    return DenseGrads(d_out @ cache.weights.T, cache.x.T @ d_out, d_out.sum(axis=0))
