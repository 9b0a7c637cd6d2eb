"""Tests for cnn_core.activations: ReLU forward and backward (gradients: test_gradcheck.py)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from cnn_core import relu, relu_backward, relu_forward

NOTES_FEATURE_MAP = [[1.0, 2.0, 1.0],
                     [0.0, 2.0, 0.0],
                     [1.0, 2.0, 1.0]]


def test_relu_leaves_the_notes_feature_map_unchanged():
    np.testing.assert_array_equal(relu(np.array(NOTES_FEATURE_MAP)), NOTES_FEATURE_MAP)


def test_relu_zeroes_negative_cells_and_keeps_positive_ones():
    x = np.array([[-2.0, -0.5, 0.0], [0.5, 3.0, -1e-300]])
    np.testing.assert_array_equal(relu(x), [[0.0, 0.0, 0.0], [0.5, 3.0, 0.0]])


def test_relu_does_not_change_its_input():
    x = np.array([-1.0, 2.0])
    relu(x)
    np.testing.assert_array_equal(x, [-1.0, 2.0])


@settings(max_examples=40, deadline=None)
@given(x=arrays(np.float64, array_shapes(min_dims=1, max_dims=4, max_side=5),
                elements=st.floats(-1e6, 1e6, allow_nan=False)))
def test_relu_forward_equals_relu_and_is_never_negative(x):
    out, cache = relu_forward(x)
    np.testing.assert_array_equal(out, relu(x))
    assert out.shape == x.shape
    assert np.all(out >= 0)
    np.testing.assert_array_equal(cache.positive, x > 0)


def test_relu_backward_passes_the_gradient_only_where_the_input_was_positive():
    x = np.array([[-1.0, 2.0], [0.5, -3.0]])
    _, cache = relu_forward(x)
    d_x = relu_backward(np.array([[10.0, 20.0], [30.0, 40.0]]), cache)
    np.testing.assert_array_equal(d_x, [[0.0, 20.0], [30.0, 0.0]])


def test_relu_backward_takes_the_derivative_at_zero_as_zero_like_the_notes():
    # the notes: feature_map_gradient *= np.where(feature_map > 0, 1, 0)
    _, cache = relu_forward(np.array([0.0, -0.0, 1e-300]))
    np.testing.assert_array_equal(relu_backward(np.ones(3), cache), [0.0, 0.0, 1.0])


@pytest.mark.parametrize(
    ("x", "message"),
    [
        ([["a", "b"]], "only numbers"),
        (None, "only numbers"),
        ([[1.0, 2.0], [3.0]], "rectangular"),
        ([1.0, np.nan], "NaN"),
    ],
)
def test_relu_rejects_bad_input_with_a_value_error(x, message):
    with pytest.raises(ValueError, match=message):
        relu(x)
