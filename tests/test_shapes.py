"""Tests for cnn_core.shapes and the shapes TinyCNN derives from them.

Oracles: the notes' output-size formula on the notes' own examples, then a count of the
window starts ``range(0, n + 2p - k + 1, s)`` (how many places a kernel can sit).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_core import Architecture, TinyCNN, output_size, unused_inputs
from cnn_core.kernels import KERNELS
from cnn_core.shapes import as_float_array, span_output_size

# The notes' 5x5 "8" of the working example.
NOTES_EIGHT = [[0, 1, 1, 1, 0],
               [0, 1, 0, 1, 0],
               [0, 1, 1, 1, 0],
               [0, 1, 0, 1, 0],
               [0, 1, 1, 1, 0]]


# --- output_size: S_c = (S_f - S_g + 2P) / S + 1 -------------------------------------------

def test_output_size_of_the_notes_1d_example_is_three():
    # f = [1, 2, 3, 4, 5], g = [1, 0, -1]: windows 1,2,3 / 2,3,4 / 3,4,5
    assert output_size(5, 3) == 3


def test_span_output_size_of_the_notes_left_padding_example_is_five():
    # f padded on the left to [0, 0, 1, 2, 3, 4, 5]: C[0] .. C[4]
    assert span_output_size(5, 3, 2, 0, 1) == 5


def test_output_size_of_the_notes_3x3_image_with_2x2_kernel_is_two_per_axis():
    assert output_size(3, 2) == 2


def test_output_size_of_the_notes_working_example_is_three():
    # 5x5 image, 3x3 kernel -> the 3x3 feature map [[1,2,1],[0,2,0],[1,2,1]]
    assert output_size(5, 3) == 3


@pytest.mark.parametrize(
    ("n", "k", "p", "s", "expected"),
    [
        (5, 3, 2, 1, 7),  # P = 2 on both sides: (5 - 3 + 4) / 1 + 1
        (7, 3, 0, 2, 3),  # (7 - 3) / 2 + 1
        (5, 3, 1, 2, 3),  # (5 - 3 + 2) / 2 + 1
        (6, 3, 0, 2, 2),  # (6 - 3) / 2 + 1 = 2.5 -> floor 2: the last column is never read
        (28, 5, 0, 1, 24),
        (1, 1, 0, 3, 1),
    ],
)
def test_output_size_applies_the_notes_formula_with_floor(n, k, p, s, expected):
    assert output_size(n, k, padding=p, stride=s) == expected


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 9), p=st.integers(0, 4), s=st.integers(1, 5))
def test_output_size_counts_the_places_a_kernel_can_sit(n, k, p, s):
    if k > n + 2 * p:
        with pytest.raises(ValueError, match="does not fit"):
            output_size(n, k, padding=p, stride=s)
        return
    starts = range(0, n + 2 * p - k + 1, s)
    assert output_size(n, k, padding=p, stride=s) == len(starts)
    assert unused_inputs(n, k, padding=p, stride=s) == n + 2 * p - (starts[-1] + k)


def test_unused_inputs_counts_the_cells_a_stride_overshoots():
    assert unused_inputs(6, 3, stride=2) == 1
    assert unused_inputs(7, 3, stride=2) == 0
    assert unused_inputs(5, 2, padding=1, stride=3) == 2  # starts 0, 3 of 7 cells


def test_output_size_returns_a_python_int():
    assert type(output_size(5, 3, padding=1, stride=2)) is int


# --- output_size: bad input -----------------------------------------------------------------

def test_output_size_rejects_a_kernel_larger_than_the_padded_input():
    with pytest.raises(ValueError, match="does not fit"):
        output_size(3, 6, padding=1)


@pytest.mark.parametrize("stride", [0, -1])
def test_output_size_rejects_stride_below_one(stride):
    with pytest.raises(ValueError, match="stride"):
        output_size(5, 3, stride=stride)


def test_output_size_rejects_a_fractional_stride():
    with pytest.raises(ValueError, match="stride"):
        output_size(5, 3, stride=1.5)


def test_output_size_rejects_negative_padding():
    with pytest.raises(ValueError, match="padding"):
        output_size(5, 3, padding=-1)


def test_output_size_rejects_fractional_padding():
    with pytest.raises(ValueError, match="padding"):
        output_size(5, 3, padding=0.5)


@pytest.mark.parametrize(("n", "k"), [(0, 3), (5, 0), (5, -1), (2.5, 1)])
def test_output_size_rejects_sizes_that_are_not_whole_and_positive(n, k):
    with pytest.raises(ValueError, match="size"):
        output_size(n, k)


# --- as_float_array: every layer's input check -------------------------------------------

@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([["a", "b"], ["c", "d"]], "only numbers"),
        (None, "only numbers"),
        (np.array([["2024-01-01"]], dtype="datetime64[D]"), "only numbers"),
        (np.zeros((2, 2), dtype=[("a", float)]), "only numbers"),
        ([[1, 2], [3]], "rectangular"),
        ([[1.0, np.nan]], "NaN or infinity"),
        ([[1.0, np.inf]], "NaN or infinity"),
        ([[1.0, -np.inf]], "NaN or infinity"),
        (np.array([[np.nan, 1.0]], dtype=np.float32), "NaN or infinity"),
        ([[1 + 2j, 0]], "real numbers"),
        (np.zeros((0, 3)), "empty"),
        ([1.0, 2.0], "must be 2D, got 1D"),
        (np.ones((2, 2, 2)), "must be 2D, got 3D"),
    ],
)
def test_as_float_array_rejects_bad_input_with_a_message_naming_the_problem(value, message):
    with pytest.raises(ValueError, match=message):
        as_float_array(value, "image", ndim=2)


def test_as_float_array_names_the_argument_in_its_message():
    with pytest.raises(ValueError, match=r"^kernel "):
        as_float_array([1.0, np.nan], "kernel")


def test_as_float_array_turns_integers_and_booleans_into_float64():
    assert as_float_array([[1, 2]], "x").dtype == np.float64
    np.testing.assert_array_equal(as_float_array([True, False], "x"), [1.0, 0.0])


# --- Architecture and TinyCNN shapes --------------------------------------------------------

@pytest.mark.parametrize(
    ("image_shape", "kernel_size", "pool_size", "feature", "pooled"),
    [
        ((5, 5), 3, 2, (3, 3), (2, 2)),  # the notes: 3x3 map pools to 2x2 (cut-off kept)
        ((8, 8), 3, 2, (6, 6), (3, 3)),
        ((9, 7), 3, 3, (7, 5), (3, 2)),
        ((6, 6), 1, 4, (6, 6), (2, 2)),
    ],
)
def test_architecture_shapes_follow_valid_convolution_and_ceil_pooling(
        image_shape, kernel_size, pool_size, feature, pooled):
    arch = Architecture(4, kernel_size, image_shape, pool_size, 10)
    assert arch.feature_shape == feature
    assert arch.pooled_shape == pooled
    assert arch.n_features == 4 * pooled[0] * pooled[1]


def test_tiny_cnn_forward_reproduces_the_notes_working_example():
    kernel = KERNELS["notes_example"]
    weights = np.arange(40.0).reshape(4, 10) / 100.0
    bias = np.linspace(-0.05, 0.05, 10)
    model = TinyCNN.from_params(
        {"kernels": kernel[None], "weights": weights, "bias": bias}, image_shape=(5, 5))
    values = model.forward(np.array(NOTES_EIGHT))
    np.testing.assert_array_equal(values["feature_maps"][0, 0],
                                  [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    np.testing.assert_array_equal(values["activations"][0, 0],
                                  [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    np.testing.assert_array_equal(values["pooled"][0, 0], [[2, 1], [2, 1]])
    np.testing.assert_array_equal(values["flattened"][0], [2, 1, 2, 1])
    np.testing.assert_allclose(values["logits"][0], np.array([2, 1, 2, 1]) @ weights + bias,
                               rtol=0, atol=1e-15)
    np.testing.assert_allclose(values["probabilities"].sum(), 1.0, rtol=0, atol=1e-15)


def test_tiny_cnn_forward_gives_every_intermediate_its_documented_shape():
    model = TinyCNN(n_kernels=3, kernel_size=3, image_shape=(9, 7), pool_size=2, n_classes=4)
    values = model.forward(np.random.default_rng(0).random((5, 9, 7)))
    assert values["feature_maps"].shape == (5, 3, 7, 5)
    assert values["activations"].shape == (5, 3, 7, 5)
    assert values["pooled"].shape == (5, 3, 4, 3)
    assert values["flattened"].shape == (5, 36)
    assert values["logits"].shape == (5, 4)
    assert values["probabilities"].shape == (5, 4)
    assert model.params["weights"].shape == (36, 4)


@pytest.mark.parametrize("shape", [(5, 6), (6, 5), (4, 4)])
def test_tiny_cnn_rejects_images_of_the_wrong_size(shape):
    model = TinyCNN(n_kernels=2, image_shape=(5, 5), n_classes=3)
    with pytest.raises(ValueError, match="images must be 5x5"):
        model.forward(np.ones((2, *shape)))
    with pytest.raises(ValueError, match="images must be 5x5"):
        model.loss_and_gradients(np.ones((2, *shape)), [0, 1])


def test_tiny_cnn_rejects_images_with_nan():
    model = TinyCNN(n_kernels=2, image_shape=(5, 5), n_classes=3)
    images = np.ones((1, 5, 5))
    images[0, 2, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.forward(images)


def _good_params(n_kernels=2, k=3, n_features=8, n_classes=3):
    return {"kernels": np.ones((n_kernels, k, k)), "weights": np.ones((n_features, n_classes)),
            "bias": np.zeros(n_classes)}


def test_tiny_cnn_from_params_accepts_consistent_shapes_and_copies_them():
    params = _good_params()  # 5x5 image, 3x3 kernel -> 3x3 map -> 2x2 pooled -> 2 * 4 = 8
    model = TinyCNN.from_params(params, image_shape=(5, 5))
    params["weights"][0, 0] = 99.0
    assert model.params["weights"][0, 0] == 1.0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (_good_params(n_features=9), r"weights has shape \(9, 3\), expected \(8, 3\)"),
        ({**_good_params(), "bias": np.zeros(4)}, r"weights has shape \(8, 3\), expected "
                                                  r"\(8, 4\)"),
        ({**_good_params(), "kernels": np.ones((2, 3, 2))}, "kernels must be square"),
        ({**_good_params(), "kernels": np.ones((3, 3))}, "kernels must be 3D"),
        ({**_good_params(), "kernels": np.ones((2, 7, 7))}, "does not fit"),
        ({**_good_params(), "bias": np.zeros(1)}, "n_classes must be at least 2"),
        ({"kernels": np.ones((2, 3, 3)), "bias": np.zeros(3)}, "weights must contain only"),
    ],
)
def test_tiny_cnn_from_params_rejects_shapes_that_do_not_fit_together(params, message):
    with pytest.raises(ValueError, match=message):
        TinyCNN.from_params(params, image_shape=(5, 5))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_kernels": 0}, "n_kernels"),
        ({"kernel_size": 6}, "does not fit"),
        ({"pool_size": 0}, "pool_size"),
        ({"n_classes": 1}, "n_classes"),
    ],
)
def test_tiny_cnn_rejects_an_impossible_architecture(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TinyCNN(image_shape=(5, 5), **kwargs)
