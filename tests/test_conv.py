"""Tests for cnn_core.conv: conv1d, conv2d and the batched conv2d_forward.

Oracles in the house order: the notes' worked numbers verbatim, the plain-loop twins in
cnn_core.reference, then scipy.signal (correlate2d is the notes' convolution, convolve2d the
flipped one) and numpy.correlate / numpy.convolve for 1D.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import signal

from cnn_core import conv1d, conv2d, conv2d_forward, output_size
from cnn_core.reference import conv1d_loops, conv2d_loops

NOTES_F = [1, 2, 3, 4, 5]
NOTES_G = [1, 0, -1]
NOTES_IMAGE = [[1, 2, 3],
               [4, 5, 6],
               [7, 8, 9]]
NOTES_KERNEL = [[1, 0],
                [0, -1]]
NOTES_EIGHT = [[0, 1, 1, 1, 0],
               [0, 1, 0, 1, 0],
               [0, 1, 1, 1, 0],
               [0, 1, 0, 1, 0],
               [0, 1, 1, 1, 0]]
NOTES_EXAMPLE_KERNEL = [[0, 0, 0],
                        [0, 0, 0],
                        [1, 0, 1]]


def _random_config(rng, max_image=12, max_kernel=5, max_padding=3, max_stride=3):
    """A random image and a kernel that fits it once padded (both possibly non-square)."""
    while True:
        h, w = rng.integers(1, max_image + 1, size=2)
        k_h, k_w = rng.integers(1, max_kernel + 1, size=2)
        p_h, p_w = rng.integers(0, max_padding + 1, size=2)
        if k_h <= h + 2 * p_h and k_w <= w + 2 * p_w:
            break
    s_h, s_w = rng.integers(1, max_stride + 1, size=2)
    image = rng.normal(size=(h, w))
    kernel = rng.normal(size=(k_h, k_w))
    return image, kernel, (int(p_h), int(p_w)), (int(s_h), int(s_w))


# --- The notes' worked numbers ------------------------------------------------------------

def test_conv1d_of_the_notes_example_is_minus_two_everywhere():
    # C(i) = sum_j f(i + j) g(j): 1 - 3, 2 - 4, 3 - 5
    np.testing.assert_array_equal(conv1d(NOTES_F, NOTES_G), [-2.0, -2.0, -2.0])


def test_conv1d_convolve_with_left_padding_two_gives_the_notes_padded_example():
    # C(i) = sum_j f(i - j) g(j) on f padded to [0, 0, 1, 2, 3, 4, 5]: C[0] .. C[4]
    out = conv1d(NOTES_F, NOTES_G, padding=(2, 0), mode="convolve")
    np.testing.assert_array_equal(out, [1.0, 2.0, 2.0, 2.0, 2.0])


def test_conv2d_of_the_notes_3x3_image_is_minus_four_everywhere():
    np.testing.assert_array_equal(conv2d(NOTES_IMAGE, NOTES_KERNEL), [[-4, -4], [-4, -4]])


def test_conv2d_indexes_its_output_as_row_then_column():
    # out[row, col]. out[0, 1] reads the window [[2, 3], [5, 6]]: the notes print that sum as
    # "C(1,0)" because they label cells (x, y) = (column, row). A kernel that picks only the
    # top-left cell of each window shows which window landed where.
    top_left = conv2d(NOTES_IMAGE, [[1, 0], [0, 0]])
    np.testing.assert_array_equal(top_left, [[1, 2], [4, 5]])
    assert top_left[0, 1] == 2  # window [[2, 3], [5, 6]]
    assert top_left[1, 0] == 4  # window [[4, 5], [7, 8]], the notes' "C(0,1)"
    bottom_right = conv2d(NOTES_IMAGE, [[0, 0], [0, 1]])
    assert bottom_right[0, 1] == 6
    assert bottom_right[1, 0] == 8


def test_conv2d_of_the_notes_eight_with_the_notes_kernel_gives_the_printed_feature_map():
    out = conv2d(NOTES_EIGHT, NOTES_EXAMPLE_KERNEL)
    np.testing.assert_array_equal(out, [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    assert out.dtype == np.float64


# --- conv2d against the plain-loop twin and scipy -----------------------------------------

@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2, 3])
def test_conv2d_matches_the_loop_twin_for_every_padding_and_stride(padding, stride):
    rng = np.random.default_rng(100 * padding + stride)
    for _ in range(12):
        h, w = (int(v) for v in rng.integers(1, 13, size=2))
        k_h = int(rng.integers(1, min(5, h + 2 * padding) + 1))
        k_w = int(rng.integers(1, min(5, w + 2 * padding) + 1))
        image, kernel = rng.normal(size=(h, w)), rng.normal(size=(k_h, k_w))
        expected = conv2d_loops(image, kernel, (padding, padding), (stride, stride))
        out = conv2d(image, kernel, padding=padding, stride=stride)
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_conv2d_matches_the_loop_twin_with_row_and_column_pairs():
    rng = np.random.default_rng(7)
    for _ in range(60):
        image, kernel, padding, stride = _random_config(rng)
        expected = conv2d_loops(image, kernel, padding, stride)
        out = conv2d(image, kernel, padding=padding, stride=stride)
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_conv2d_matches_scipy_correlate2d_on_the_padded_image():
    rng = np.random.default_rng(8)
    for _ in range(60):
        image, kernel, padding, stride = _random_config(rng)
        padded = np.pad(image, ((padding[0],) * 2, (padding[1],) * 2))
        full_stride = signal.correlate2d(padded, kernel, mode="valid")
        out = conv2d(image, kernel, padding=padding, stride=stride)
        np.testing.assert_allclose(out, full_stride[:: stride[0], :: stride[1]],
                                   rtol=1e-12, atol=1e-12)


def test_conv2d_convolve_mode_matches_scipy_convolve2d():
    rng = np.random.default_rng(9)
    for _ in range(60):
        image, kernel, padding, stride = _random_config(rng)
        padded = np.pad(image, ((padding[0],) * 2, (padding[1],) * 2))
        expected = signal.convolve2d(padded, kernel, mode="valid")[:: stride[0], :: stride[1]]
        out = conv2d(image, kernel, padding=padding, stride=stride, mode="convolve")
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_conv2d_convolve_mode_differs_from_correlate_for_an_asymmetric_kernel():
    correlated = conv2d(NOTES_IMAGE, [[1, 0], [0, 0]])
    convolved = conv2d(NOTES_IMAGE, [[1, 0], [0, 0]], mode="convolve")
    np.testing.assert_array_equal(correlated, [[1, 2], [4, 5]])
    np.testing.assert_array_equal(convolved, [[5, 6], [8, 9]])


def test_conv2d_with_stride_two_and_padding_one_by_hand():
    image = np.arange(16.0).reshape(4, 4)
    out = conv2d(image, np.ones((3, 3)), padding=1, stride=2)
    # windows centred on (0,0), (0,2), (2,0), (2,2) of the zero-padded image
    expected = [[0 + 1 + 4 + 5, 1 + 2 + 3 + 5 + 6 + 7],
                [4 + 5 + 8 + 9 + 12 + 13, 5 + 6 + 7 + 9 + 10 + 11 + 13 + 14 + 15]]
    np.testing.assert_array_equal(out, expected)


# --- conv1d against the plain-loop twin and numpy ---------------------------------------

@pytest.mark.parametrize("mode", ["correlate", "convolve"])
def test_conv1d_matches_the_loop_twin_with_left_right_padding_and_stride(mode):
    rng = np.random.default_rng(10 if mode == "correlate" else 11)
    for _ in range(80):
        length, k = rng.integers(1, 13), rng.integers(1, 6)
        left, right = (int(v) for v in rng.integers(0, 4, size=2))
        stride = int(rng.integers(1, 4))
        if k > length + left + right:
            continue
        f, g = rng.normal(size=length), rng.normal(size=k)
        expected = conv1d_loops(f, g, (left, right), stride, mode)
        out = conv1d(f, g, padding=(left, right), stride=stride, mode=mode)
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("mode", "numpy_function"),
                         [("correlate", np.correlate), ("convolve", np.convolve)])
def test_conv1d_matches_numpy_on_the_padded_signal(mode, numpy_function):
    rng = np.random.default_rng(12)
    for _ in range(80):
        length, k = rng.integers(1, 13), rng.integers(1, 6)
        left, right = (int(v) for v in rng.integers(0, 4, size=2))
        stride = int(rng.integers(1, 4))
        if k > length + left + right:
            continue
        f, g = rng.normal(size=length), rng.normal(size=k)
        expected = numpy_function(np.pad(f, (left, right)), g, mode="valid")[::stride]
        out = conv1d(f, g, padding=(left, right), stride=stride, mode=mode)
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_conv1d_int_padding_pads_both_sides():
    np.testing.assert_array_equal(conv1d(NOTES_F, NOTES_G, padding=1), [-2, -2, -2, -2, 4])


# --- conv2d_forward: batches of images and banks of kernels -------------------------------

@pytest.mark.parametrize(("padding", "stride"), [(0, 1), (0, 2), (1, 3), ((2, 0), (1, 2))])
def test_conv2d_forward_equals_conv2d_per_image_and_per_kernel(padding, stride):
    rng = np.random.default_rng(13)
    images = rng.normal(size=(3, 9, 7))
    kernels = rng.normal(size=(4, 3, 2))
    out, _ = conv2d_forward(images, kernels, padding=padding, stride=stride)
    for n in range(3):
        for k in range(4):
            expected = conv2d(images[n], kernels[k], padding=padding, stride=stride)
            np.testing.assert_allclose(out[n, k], expected, rtol=1e-12, atol=1e-12)
    assert out.shape[:2] == (3, 4)


def test_conv2d_forward_keeps_float32_images_in_float32():
    images = np.ones((1, 4, 4), dtype=np.float32)
    out, _ = conv2d_forward(images, np.ones((1, 2, 2)))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.full((1, 1, 3, 3), 4.0))


def test_conv2d_forward_accepts_nested_lists():
    out, _ = conv2d_forward([NOTES_IMAGE], [NOTES_KERNEL])
    np.testing.assert_array_equal(out, [[[[-4, -4], [-4, -4]]]])


# --- Properties ---------------------------------------------------------------------------

@st.composite
def _conv_configs(draw):
    h, w = draw(st.integers(1, 10)), draw(st.integers(1, 10))
    p_h, p_w = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    k_h = draw(st.integers(1, min(6, h + 2 * p_h)))
    k_w = draw(st.integers(1, min(6, w + 2 * p_w)))
    s_h, s_w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return (h, w), (k_h, k_w), (p_h, p_w), (s_h, s_w)


@settings(max_examples=60, deadline=None)
@given(config=_conv_configs())
def test_conv2d_output_shape_is_output_size_per_axis(config):
    (h, w), (k_h, k_w), padding, stride = config
    out = conv2d(np.ones((h, w)), np.ones((k_h, k_w)), padding=padding, stride=stride)
    assert out.shape == (output_size(h, k_h, padding=padding[0], stride=stride[0]),
                         output_size(w, k_w, padding=padding[1], stride=stride[1]))


_finite = st.floats(-100, 100, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(image=arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 8)),
                    elements=_finite))
def test_conv2d_with_the_identity_kernel_and_padding_one_returns_the_image(image):
    identity = [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    np.testing.assert_array_equal(conv2d(image, identity, padding=1), image)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), a=_finite, b=_finite)
def test_conv2d_is_linear_in_the_kernel(seed, a, b):
    rng = np.random.default_rng(seed)
    image, k1, padding, stride = _random_config(rng, max_image=8, max_kernel=4)
    k2 = rng.normal(size=k1.shape)
    combined = conv2d(image, a * k1 + b * k2, padding=padding, stride=stride)
    separate = (a * conv2d(image, k1, padding=padding, stride=stride)
                + b * conv2d(image, k2, padding=padding, stride=stride))
    scale = 1.0 + abs(a) + abs(b)
    np.testing.assert_allclose(combined, separate, rtol=0, atol=1e-11 * scale * image.size)


# --- Bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("image", "message"),
    [
        ([["a", "b"], ["c", "d"]], "image must contain only numbers"),
        (None, "image must contain only numbers"),
        ([[1, 2], [3]], "image must be a rectangular array"),
        ([[1.0, np.nan], [0.0, 1.0]], "image contains NaN or infinity"),
        ([[1.0, np.inf], [0.0, 1.0]], "image contains NaN or infinity"),
        ([1.0, 2.0, 3.0], "image must be 2D, got 1D"),
        (np.ones((1, 3, 3)), "image must be 2D, got 3D"),
        (np.zeros((0, 0)), "image is empty"),
    ],
)
def test_conv2d_rejects_a_bad_image(image, message):
    with pytest.raises(ValueError, match=message):
        conv2d(image, [[1.0]])


@pytest.mark.parametrize(
    ("kernel", "message"),
    [
        ([["x"]], "kernel must contain only numbers"),
        ([[np.nan]], "kernel contains NaN"),
        ([1.0], "kernel must be 2D"),
        (np.zeros((1, 0)), "kernel is empty"),
    ],
)
def test_conv2d_rejects_a_bad_kernel(kernel, message):
    with pytest.raises(ValueError, match=message):
        conv2d(np.ones((3, 3)), kernel)


def test_conv2d_rejects_a_kernel_larger_than_the_padded_image():
    with pytest.raises(ValueError, match="kernel of size 6 does not fit"):
        conv2d(np.ones((3, 3)), np.ones((6, 2)), padding=1)


@pytest.mark.parametrize("stride", [0, -1, (1, 0)])
def test_conv2d_rejects_stride_below_one(stride):
    with pytest.raises(ValueError, match="stride must be 1 or more"):
        conv2d(np.ones((4, 4)), np.ones((2, 2)), stride=stride)


@pytest.mark.parametrize("padding", [-1, (0, -2)])
def test_conv2d_rejects_negative_padding(padding):
    with pytest.raises(ValueError, match="padding must be 0 or more"):
        conv2d(np.ones((4, 4)), np.ones((2, 2)), padding=padding)


@pytest.mark.parametrize("padding", [0.5, (1, 1.5), np.nan])
def test_conv2d_rejects_non_integer_padding(padding):
    with pytest.raises(ValueError, match="padding must be whole numbers"):
        conv2d(np.ones((4, 4)), np.ones((2, 2)), padding=padding)


@pytest.mark.parametrize("padding", [(1, 2, 3), None])
def test_conv2d_rejects_padding_that_is_not_an_int_or_a_pair(padding):
    with pytest.raises(ValueError, match="padding must be an int or a pair"):
        conv2d(np.ones((4, 4)), np.ones((2, 2)), padding=padding)


@pytest.mark.parametrize("mode", ["same", "Convolve", ""])
def test_conv2d_and_conv1d_reject_an_unknown_mode(mode):
    with pytest.raises(ValueError, match="mode must be one of"):
        conv2d(np.ones((3, 3)), np.ones((2, 2)), mode=mode)
    with pytest.raises(ValueError, match="mode must be one of"):
        conv1d([1, 2, 3], [1, 1], mode=mode)


@pytest.mark.parametrize(
    ("signal_", "kernel", "kwargs", "message"),
    [
        (["a", "b"], [1], {}, "signal must contain only numbers"),
        ([1, np.inf], [1], {}, "signal contains NaN or infinity"),
        ([[1, 2]], [1], {}, "signal must be 1D"),
        ([], [1], {}, "signal is empty"),
        ([1, 2], None, {}, "kernel must contain only numbers"),
        ([1, 2], [1, 1, 1], {}, "does not fit"),
        ([1, 2, 3], [1], {"stride": 0}, "stride"),
        ([1, 2, 3], [1], {"stride": -1}, "stride"),
        ([1, 2, 3], [1], {"padding": (-1, 0)}, "padding must be 0 or more"),
        ([1, 2, 3], [1], {"padding": 0.5}, "padding must be whole numbers"),
    ],
)
def test_conv1d_rejects_bad_input(signal_, kernel, kwargs, message):
    with pytest.raises(ValueError, match=message):
        conv1d(signal_, kernel, **kwargs)


@pytest.mark.parametrize(
    ("images", "kernels", "message"),
    [
        ([[["a"]]], [[[1.0]]], "images must contain only numbers"),
        (None, [[[1.0]]], "images must contain only numbers"),
        ([[[1.0, 2.0], [3.0]]], [[[1.0]]], "images must be a rectangular array"),
        (np.ones((3, 3)), np.ones((1, 2, 2)), "images must be 3D"),
        (np.ones((1, 3, 3)), np.ones((2, 2)), "kernels must be 3D"),
    ],
)
def test_conv2d_forward_rejects_bad_input(images, kernels, message):
    with pytest.raises(ValueError, match=message):
        conv2d_forward(images, kernels)
