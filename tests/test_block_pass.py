"""Tests for cnn_core.block_pass: a block's fused conv -> ReLU -> pool for training.

Oracle: the separate layers (conv2d_channels_forward, relu_forward, max_pool2d_forward /
avg_pool2d_forward and their backwards), on integer kernels, integer biases and binary
images, which make exact zeros and tied windows: the fused pass must give the same numbers
(ties to the same first cell). Cut-off windows, padding, strides and pools wider than the
map included. Also: a workspace of block_workspace_bytes is used up exactly and changes no
number.
"""

import numpy as np
import pytest

from cnn_core import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    conv2d_channels_backward,
    conv2d_channels_forward,
    max_pool2d_backward,
    max_pool2d_forward,
    relu_backward,
    relu_forward,
)
from cnn_core.block_pass import block_backward, block_forward, block_workspace_bytes
from cnn_core.windows import conv_geometry
from cnn_core.workspace import Workspace

# (c_in, c_out, image (H, W), kernel, padding, stride, pool, pool size)
CASES = [
    (1, 2, (5, 5), 3, 0, 1, "max", 2),    # the notes' 3x3 map: cut-off windows
    (3, 4, (8, 8), 3, 1, 1, "max", 2),    # padding 1, even map
    (2, 3, (9, 7), 2, 0, 2, "max", 3),    # stride 2, pool 3, cut off both ways
    (2, 2, (6, 9), 3, 2, 3, "avg", 2),    # padding 2, stride 3
    (3, 2, (7, 7), 3, 0, 1, "avg", 2),    # 5x5 map: cut-off average windows
    (2, 3, (6, 6), 2, 1, 1, "none", 1),   # no pooling
    (1, 2, (5, 5), 3, 0, 1, "max", 4),    # a window bigger than the whole 3x3 map
    (2, 2, (9, 12), 3, 0, 1, "avg", 4),   # 7x10 map, pool 4
    (8, 16, (13, 13), 3, 0, 1, "max", 2),  # the benchmark's second block
]
ORDERS = ["wide", "pooled"]  # the window matrix's column orders (windows.py)


def _tied_case(case, seed, dtype=np.float64, bias=True):
    c_in, c_out, (h, w), k, *_ = case
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, size=(c_in, 4, h, w)).astype(dtype)
    x[:, 0] = 0.0  # an empty image: every map of it is the bias alone
    kernels = rng.integers(-2, 3, size=(c_out, c_in, k, k)).astype(dtype)
    b = rng.integers(-1, 2, size=c_out).astype(dtype) if bias else None
    return x, kernels, b


def _geometry(case, order="wide"):
    _, _, (h, w), k, p, s, pool, size = case
    return conv_geometry(h, w, (k, k), (p, p), (s, s), 1 if pool == "none" else size, order)


def _layers(x, kernels, bias, case):
    """The separate layers on (N, C, H, W): out (C_out, N, ph, pw) and their caches."""
    *_, p, s, pool, size = case
    maps, conv_cache = conv2d_channels_forward(x.transpose(1, 0, 2, 3), kernels, bias,
                                               padding=p, stride=s)
    active, relu_cache = relu_forward(maps)
    if pool == "none":
        return active.transpose(1, 0, 2, 3), (conv_cache, relu_cache, None)
    forward = max_pool2d_forward if pool == "max" else avg_pool2d_forward
    pooled, pool_cache = forward(active, size)
    return pooled.transpose(1, 0, 2, 3), (conv_cache, relu_cache, pool_cache)


def _layers_backward(d_out, caches, pool):
    conv_cache, relu_cache, pool_cache = caches
    d_active = d_out.transpose(1, 0, 2, 3)
    if pool == "max":
        d_active = max_pool2d_backward(d_active, pool_cache)
    elif pool == "avg":
        d_active = avg_pool2d_backward(d_active, pool_cache)
    grads = conv2d_channels_backward(relu_backward(d_active, relu_cache), conv_cache)
    return grads.images.transpose(1, 0, 2, 3), grads.kernels, grads.bias


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("order", ORDERS)
def test_block_forward_equals_conv_relu_pool_with_ties_and_zeros(case, seed, order):
    for with_bias in (True, False):
        x, kernels, bias = _tied_case(case, seed, bias=with_bias)
        out, _ = block_forward(x, kernels, bias, _geometry(case, order), case[6])
        expected, _ = _layers(x, kernels, bias, case)
        assert out.shape == expected.shape
        np.testing.assert_allclose(out, expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("order", ORDERS)
def test_block_backward_equals_the_layers_backward_with_ties_to_the_first_cell(case, seed,
                                                                              order):
    for with_bias in (True, False):
        x, kernels, bias = _tied_case(case, seed, bias=with_bias)
        out, cache = block_forward(x, kernels, bias, _geometry(case, order), case[6])
        d_out = np.random.default_rng(seed + 10).normal(size=out.shape)
        d_x, d_kernels, d_bias = block_backward(d_out, cache)
        _, caches = _layers(x, kernels, bias, case)
        expected = _layers_backward(d_out, caches, case[6])
        np.testing.assert_allclose(d_x, expected[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(d_kernels, expected[1], rtol=1e-12, atol=1e-12)
        if with_bias:
            np.testing.assert_allclose(d_bias, expected[2], rtol=1e-12, atol=1e-12)
        else:
            assert d_bias is None


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("order", ORDERS)
def test_block_backward_without_the_input_gradient_keeps_the_other_gradients(case, order):
    x, kernels, bias = _tied_case(case, 3)
    geo = _geometry(case, order)
    out, cache = block_forward(x, kernels, bias, geo, case[6])
    d_out = np.random.default_rng(4).normal(size=out.shape)
    full = block_backward(d_out, cache)
    _, cache = block_forward(x, kernels, bias, geo, case[6])
    partial = block_backward(d_out, cache, need_input=False)
    assert partial[0] is None
    np.testing.assert_array_equal(partial[1], full[1])
    np.testing.assert_array_equal(partial[2], full[2])


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ORDERS)
def test_a_workspace_of_the_computed_size_is_used_up_and_changes_no_number(case, dtype, order):
    x, kernels, bias = _tied_case(case, 5, dtype)
    geo = _geometry(case, order)
    d_out = None
    results = []
    for workspace in (None, Workspace(block_workspace_bytes(geo, x.shape[0], len(kernels),
                                                            x.shape[1], x.itemsize))):
        out, cache = block_forward(x, kernels, bias, geo, case[6], workspace)
        if d_out is None:
            d_out = np.random.default_rng(6).normal(size=out.shape).astype(dtype)
        results.append((out.copy(), *block_backward(d_out, cache)))
        if workspace is not None:
            assert workspace.fresh == 0  # every large array came from the workspace
    for plain, carved in zip(*results, strict=True):
        assert plain.dtype == carved.dtype == dtype
        np.testing.assert_array_equal(plain, carved)


def test_a_workspace_too_small_hands_out_fresh_arrays_and_counts_them():
    workspace = Workspace(100)
    first = workspace.take((10,), np.float64)  # 80 bytes fit
    second = workspace.take((10,), np.float64)  # 80 more do not
    assert workspace.fresh == 1 and first.shape == second.shape == (10,)
    first[:] = 1.0
    second[:] = 2.0
    assert np.all(first == 1.0)  # the two never share memory
