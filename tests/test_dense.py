"""Tests for cnn_core.dense: out = x @ W + b (gradients: test_gradcheck.py)."""

import numpy as np
import pytest

from cnn_core import dense, dense_backward, dense_forward


def test_dense_of_the_notes_flattened_vector_is_x_times_w_plus_b_by_hand():
    x = [2.0, 1.0, 2.0, 1.0]  # the notes' flattened max-pool output
    weights = [[1.0, 0.0, -1.0],
               [0.5, 2.0, 0.0],
               [0.0, 1.0, 1.0],
               [-2.0, 0.0, 3.0]]
    bias = [0.1, -0.2, 0.3]
    # x @ W = [2*1 + 1*0.5 + 2*0 + 1*(-2), 0 + 2 + 2 + 0, -2 + 0 + 2 + 3] = [0.5, 4, 3]
    np.testing.assert_allclose(dense(x, weights, bias), [0.6, 3.8, 3.3], rtol=0, atol=1e-15)


def test_dense_on_a_batch_equals_dense_on_each_row():
    rng = np.random.default_rng(0)
    x, weights, bias = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    batch = dense(x, weights, bias)
    assert batch.shape == (5, 3)
    for n in range(5):
        np.testing.assert_allclose(batch[n], dense(x[n], weights, bias), rtol=1e-14)


def test_dense_forward_equals_dense_and_caches_its_inputs():
    rng = np.random.default_rng(1)
    x, weights, bias = rng.normal(size=(2, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    out, cache = dense_forward(x, weights, bias)
    np.testing.assert_array_equal(out, dense(x, weights, bias))
    assert cache.x is x
    assert cache.weights is weights


def test_dense_backward_gives_the_textbook_formulas():
    x = np.array([[1.0, 2.0]])
    weights = np.array([[1.0, -1.0, 0.0], [2.0, 0.0, 1.0]])
    _, cache = dense_forward(x, weights, np.zeros(3))
    grads = dense_backward(np.array([[1.0, 2.0, 3.0]]), cache)
    np.testing.assert_array_equal(grads.x, [[1.0 - 2.0, 2.0 + 3.0]])
    np.testing.assert_array_equal(grads.weights, [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    np.testing.assert_array_equal(grads.bias, [1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("x", "weights", "bias", "message"),
    [
        (np.ones(5), np.ones((4, 3)), np.ones(3), "inputs have 5 features but weights expect 4"),
        (np.ones((2, 3)), np.ones((4, 3)), np.ones(3), "inputs have 3 features"),
        (np.ones(4), np.ones((4, 3)), np.ones(2), "bias has 2 values but weights have 3"),
        (np.ones(4), np.ones(4), np.ones(3), "weights must be 2D, got 1D"),
        (np.ones((1, 2, 4)), np.ones((4, 3)), np.ones(3), "inputs must be 1D or 2D, got 3D"),
        (np.ones(4), np.ones((4, 3)), np.ones((1, 3)), "bias must be 1D"),
    ],
)
def test_dense_rejects_shapes_that_do_not_fit_together(x, weights, bias, message):
    with pytest.raises(ValueError, match=message):
        dense(x, weights, bias)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (["a", "b", "c", "d"], "inputs must contain only numbers"),
        (None, "inputs must contain only numbers"),
        ([[1, 2, 3, 4], [1, 2]], "inputs must be a rectangular array"),
        ([1.0, np.nan, 0.0, 0.0], "inputs contains NaN or infinity"),
        ([1.0, np.inf, 0.0, 0.0], "inputs contains NaN or infinity"),
        (np.zeros(0), "inputs is empty"),
    ],
)
def test_dense_rejects_bad_inputs(x, message):
    with pytest.raises(ValueError, match=message):
        dense(x, np.ones((4, 3)), np.ones(3))


def test_dense_rejects_nan_weights():
    weights = np.ones((4, 3))
    weights[1, 1] = np.nan
    with pytest.raises(ValueError, match="weights contains NaN"):
        dense(np.ones(4), weights, np.ones(3))
