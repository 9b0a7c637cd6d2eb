"""Tests for cnn_core.channels: convolution over input channels, forward and backward.

Oracles in the house order: the plain-loop twin (cnn_core.reference.conv2d_channels_loops),
scipy.signal.correlate2d summed over the input channels, the single-channel conv2d_forward,
central finite differences (the layer is linear in each argument, so eps = 1e-3 is exact up
to rounding), and PyTorch in float64 where it is installed. Sweeps always include padding 0
and strides above 1.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from cnn_core import conv2d_channels_backward, conv2d_channels_forward, conv2d_forward
from cnn_core.gradcheck import numerical_gradient, relative_error
from cnn_core.reference import conv2d_channels_loops
from cnn_core.shapes import output_size
from cnn_core.windows import conv_geometry, spread_window_cells, window_cells

SWEEP = [(padding, stride) for padding in (0, 1, 2) for stride in (1, 2, 3)]
SWEEP += [((0, 2), (2, 1)), ((1, 0), (3, 2))]


def _pair(value):
    return (value, value) if np.isscalar(value) else value


def _random_case(rng, padding, stride, bias=True, max_channels=4):
    """Images (N, C_in, H, W), kernels (C_out, C_in, k_h, k_w) that fit, and a bias."""
    (p_h, p_w) = _pair(padding)
    n, c_in, c_out = (int(v) for v in rng.integers(1, max_channels + 1, size=3))
    h, w = (int(v) for v in rng.integers(1, 10, size=2))
    k_h = int(rng.integers(1, min(5, h + 2 * p_h) + 1))
    k_w = int(rng.integers(1, min(5, w + 2 * p_w) + 1))
    images = rng.normal(size=(n, c_in, h, w))
    kernels = rng.normal(size=(c_out, c_in, k_h, k_w))
    return images, kernels, rng.normal(size=c_out) if bias else None


# --- Forward against the loop twin, scipy and the one-channel layer ---------------------------

@pytest.mark.parametrize(("padding", "stride"), SWEEP)
def test_conv2d_channels_matches_the_loop_twin_for_every_padding_and_stride(padding, stride):
    rng = np.random.default_rng(SWEEP.index((padding, stride)))
    for with_bias in (True, False):
        for _ in range(6):
            images, kernels, bias = _random_case(rng, padding, stride, with_bias)
            out, _ = conv2d_channels_forward(images, kernels, bias, padding=padding,
                                             stride=stride)
            expected = conv2d_channels_loops(images, kernels, bias, _pair(padding),
                                             _pair(stride))
            np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("padding", "stride"), SWEEP)
def test_conv2d_channels_is_scipy_correlate2d_summed_over_input_channels_plus_bias(padding,
                                                                                   stride):
    rng = np.random.default_rng(100 + SWEEP.index((padding, stride)))
    (p_h, p_w), (s_h, s_w) = _pair(padding), _pair(stride)
    for _ in range(6):
        images, kernels, bias = _random_case(rng, padding, stride)
        out, _ = conv2d_channels_forward(images, kernels, bias, padding=padding, stride=stride)
        for n in range(images.shape[0]):
            for o in range(kernels.shape[0]):
                total = bias[o] + sum(
                    signal.correlate2d(np.pad(images[n, c], ((p_h, p_h), (p_w, p_w))),
                                       kernels[o, c], mode="valid")
                    for c in range(images.shape[1]))
                np.testing.assert_allclose(out[n, o], total[::s_h, ::s_w], rtol=1e-12,
                                           atol=1e-12)


@pytest.mark.parametrize(("padding", "stride"), [(0, 1), (0, 2), (1, 3), ((2, 0), (1, 2))])
def test_one_input_channel_without_bias_is_the_one_channel_conv2d_forward(padding, stride):
    rng = np.random.default_rng(7)
    images, kernels = rng.normal(size=(3, 9, 7)), rng.normal(size=(4, 3, 2))
    out, _ = conv2d_channels_forward(images[:, None], kernels[:, None], padding=padding,
                                     stride=stride)
    expected, _ = conv2d_forward(images, kernels, padding=padding, stride=stride)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_each_output_map_is_the_sum_of_one_kernel_per_input_channel_plus_the_bias():
    # two channels, 2x2 image each; output channel 0 reads only channel 0 (its kernel for
    # channel 1 is zero), output channel 1 adds both channels' top-left cells, plus bias 10
    images = np.array([[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]])
    kernels = np.zeros((2, 2, 2, 2))
    kernels[0, 0] = [[1, 0], [0, 1]]  # 1 + 4
    kernels[1, 0, 0, 0] = kernels[1, 1, 0, 0] = 1.0  # 1 + 5
    out, _ = conv2d_channels_forward(images, kernels, np.array([0.0, 10.0]))
    np.testing.assert_array_equal(out, [[[[5.0]], [[16.0]]]])


def test_conv2d_channels_keeps_float32_images_in_float32_and_accepts_nested_lists():
    images = np.ones((1, 2, 4, 4), dtype=np.float32)
    out, _ = conv2d_channels_forward(images, np.ones((3, 2, 2, 2)), np.ones(3))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.full((1, 3, 3, 3), 9.0))
    out, _ = conv2d_channels_forward(images.tolist(), np.ones((3, 2, 2, 2)).tolist())
    assert out.dtype == np.float64 and out.shape == (1, 3, 3, 3)


@settings(max_examples=60, deadline=None)
@given(h=st.integers(1, 9), w=st.integers(1, 9), k=st.integers(1, 5), p=st.integers(0, 3),
       s=st.integers(1, 4), c_in=st.integers(1, 3), c_out=st.integers(1, 3))
def test_conv2d_channels_output_shape_is_output_size_per_axis(h, w, k, p, s, c_in, c_out):
    if k > min(h, w) + 2 * p:
        with pytest.raises(ValueError, match="does not fit"):
            conv2d_channels_forward(np.ones((2, c_in, h, w)), np.ones((c_out, c_in, k, k)),
                                    padding=p, stride=s)
        return
    out, _ = conv2d_channels_forward(np.ones((2, c_in, h, w)), np.ones((c_out, c_in, k, k)),
                                     padding=p, stride=s)
    assert out.shape == (2, c_out, output_size(h, k, padding=p, stride=s),
                         output_size(w, k, padding=p, stride=s))


# --- Backward ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("padding", "stride"), SWEEP)
def test_conv2d_channels_backward_matches_finite_differences(padding, stride):
    # the layer is linear in each argument: no kinks to avoid, and random normal values
    # make no exact cancellations (a sum that is 0 exactly, but not after rounding)
    rng = np.random.default_rng(200 + SWEEP.index((padding, stride)))
    images, kernels = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(2, 3, 3, 2))
    bias = rng.normal(size=2)
    out, cache = conv2d_channels_forward(images, kernels, bias, padding=padding, stride=stride)
    upstream = rng.normal(size=out.shape)

    def loss(_):
        return float(np.sum(conv2d_channels_forward(images, kernels, bias, padding=padding,
                                                    stride=stride)[0] * upstream))

    grads = conv2d_channels_backward(upstream, cache)
    for analytic, x in ((grads.images, images), (grads.kernels, kernels), (grads.bias, bias)):
        numeric = numerical_gradient(loss, x, eps=1e-3)
        assert analytic.shape == x.shape and np.any(numeric != 0)
        assert relative_error(analytic, numeric) < 1e-6


def test_conv2d_channels_backward_without_image_gradient_keeps_the_other_gradients():
    rng = np.random.default_rng(9)
    images, kernels, bias = _random_case(rng, 1, 2)
    out, cache = conv2d_channels_forward(images, kernels, bias, padding=1, stride=2)
    upstream = rng.normal(size=out.shape)
    full = conv2d_channels_backward(upstream, cache)
    partial = conv2d_channels_backward(upstream, cache, need_images=False)
    np.testing.assert_array_equal(partial.kernels, full.kernels)
    np.testing.assert_array_equal(partial.bias, full.bias)
    assert partial.images.size == 0


def test_conv2d_channels_backward_gives_no_bias_gradient_without_a_bias():
    rng = np.random.default_rng(10)
    images, kernels, _ = _random_case(rng, 0, 1, bias=False)
    out, cache = conv2d_channels_forward(images, kernels)
    assert conv2d_channels_backward(np.ones(out.shape), cache).bias is None


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), pool=st.integers(1, 3),
       order=st.sampled_from(["wide", "pooled"]))
def test_window_cells_and_spread_window_cells_are_adjoint(seed, pool, order):
    # <cells(x), d> = <x, spread(d)> for every x and d: spread is exactly im2col's transpose,
    # in both column orders, with the wide order's extra columns and the cut-off windows'
    # extra rows (which read padding or wrap into the next row)
    rng = np.random.default_rng(seed)
    c, n = (int(v) for v in rng.integers(1, 4, size=2))
    h, w = (int(v) for v in rng.integers(2, 9, size=2))
    k = int(rng.integers(1, min(h, w) + 1))
    p, s = int(rng.integers(0, k)), int(rng.integers(1, 4))
    geo = conv_geometry(h, w, (k, k), (p, p), (s, s), pool, order)
    x = rng.normal(size=(c, n, h, w))
    cells = window_cells(x, geo)
    assert cells.shape == (c * k * k, n * geo.rows * geo.cols)
    d = rng.normal(size=cells.shape)
    spread = spread_window_cells(d, geo, x.shape)
    assert spread.shape == x.shape
    assert np.sum(cells * d) == pytest.approx(np.sum(x * spread), rel=1e-12, abs=1e-12)


# --- Bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("images", "kernels", "bias", "kwargs", "message"),
    [
        (np.ones((1, 2, 4, 4)), np.ones((3, 1, 2, 2)), None, {}, "kernels have 1 input channels"),
        (np.ones((1, 4, 4)), np.ones((3, 1, 2, 2)), None, {}, "images must be 4D"),
        (np.ones((1, 1, 4, 4)), np.ones((3, 2, 2)), None, {}, "kernels must be 4D"),
        (np.ones((1, 1, 4, 4)), np.ones((3, 1, 2, 2)), np.ones(2), {}, "bias has 2 values"),
        (np.ones((1, 1, 4, 4)), np.ones((3, 1, 2, 2)), [np.nan] * 3, {}, "bias contains NaN"),
        (np.full((1, 1, 4, 4), np.inf), np.ones((3, 1, 2, 2)), None, {}, "NaN or infinity"),
        (np.ones((1, 1, 4, 4)), np.ones((3, 1, 7, 2)), None, {"padding": 1}, "does not fit"),
        (np.ones((1, 1, 4, 4)), np.ones((3, 1, 2, 2)), None, {"stride": 0}, "stride must be"),
        (np.ones((1, 1, 4, 4)), np.ones((3, 1, 2, 2)), None, {"padding": -1}, "padding must"),
        ([[[["a"]]]], np.ones((1, 1, 1, 1)), None, {}, "images must contain only numbers"),
    ],
)
def test_conv2d_channels_rejects_bad_input(images, kernels, bias, kwargs, message):
    with pytest.raises(ValueError, match=message):
        conv2d_channels_forward(images, kernels, bias, **kwargs)
