"""Tests for cnn_core.training_pass: the fused conv -> ReLU -> max pool of training.

Oracle: the separate layers (conv2d_forward, relu_forward, max_pool2d_forward and their
backwards), bit for bit with the sign of zero on the forward, on integer kernels and binary
images that make exact zeros and tied windows; cut-off windows and pools wider than the map
included.
"""

import numpy as np
import pytest

from cnn_core import (
    conv2d_backward,
    conv2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
    relu_backward,
    relu_forward,
)
from cnn_core.training_pass import _block_count, conv_relu_pool, conv_relu_pool_kernel_grads

# (n_kernels, kernel_size, image_shape, pool_size)
CASES = [
    (1, 3, (5, 5), 2),    # 3x3 map: cut-off windows
    (2, 2, (5, 5), 1),    # pool 1
    (3, 4, (8, 8), 3),    # 5x5 map, pool 3
    (8, 3, (8, 8), 2),    # the app's default
    (2, 3, (6, 9), 2),    # non-square, cut off in one direction
    (3, 2, (28, 28), 2),  # 27x27 map: a cut-off row and column
    (8, 3, (28, 28), 2),  # the benchmark's step
    (2, 3, (9, 12), 4),   # pool wider than the cut-off part, both directions
    (2, 3, (5, 5), 4),    # one window bigger than the whole map
]


def _layers(images, kernels, pool):
    maps, conv_cache = conv2d_forward(images, kernels)
    active, relu_cache = relu_forward(maps)
    pooled, pool_cache = max_pool2d_forward(active, pool)
    return pooled, (conv_cache, relu_cache, pool_cache)


def _tied_case(case, seed, dtype):
    n_kernels, k, shape, _ = case
    rng = np.random.default_rng(seed)
    kernels = rng.integers(-2, 3, size=(n_kernels, k, k)).astype(dtype)
    images = rng.integers(0, 2, size=(5, *shape)).astype(dtype)
    images[0] = 0.0
    return images, kernels


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES)
def test_conv_relu_pool_is_the_three_layers_bit_for_bit_including_the_sign_of_zero(case,
                                                                                   dtype):
    images, kernels = _tied_case(case, 1, dtype)
    pooled, _ = conv_relu_pool(images, kernels, case[3])
    expected, _ = _layers(images, kernels, case[3])
    assert pooled.dtype == dtype and pooled.flags.c_contiguous
    np.testing.assert_array_equal(pooled, expected)
    np.testing.assert_array_equal(np.signbit(pooled), np.signbit(expected))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES)
def test_kernel_gradient_is_the_three_backwards_with_ties_sent_to_the_first_cell(case, dtype):
    images, kernels = _tied_case(case, 2, dtype)
    pooled, cache = conv_relu_pool(images, kernels, case[3])
    d_pooled = np.random.default_rng(3).normal(size=pooled.shape).astype(dtype)
    _, (conv_cache, relu_cache, pool_cache) = _layers(images, kernels, case[3])
    d_maps = relu_backward(max_pool2d_backward(d_pooled, pool_cache), relu_cache)
    expected = conv2d_backward(d_maps, conv_cache, need_images=False).kernels
    d_kernels = conv_relu_pool_kernel_grads(d_pooled, cache)
    assert d_kernels.dtype == dtype and d_kernels.shape == kernels.shape
    assert np.max(np.abs(expected)) > 1  # a zero gradient would pass trivially
    tolerance = 1e-12 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(d_kernels, expected, rtol=tolerance, atol=tolerance)


def test_the_gradient_of_a_tied_window_goes_to_its_first_cell_only():
    # one 2x2 map of equal positive values: four tied cells, one window
    images, kernels = np.ones((1, 3, 3)), np.ones((1, 2, 2))
    pooled, cache = conv_relu_pool(images, kernels, 2)
    assert pooled.item() == 4.0
    d_kernels = conv_relu_pool_kernel_grads(np.full((1, 1, 1, 1), 0.5), cache)
    # every window holds ones, so the first cell's window alone gives 0.5 per kernel cell
    np.testing.assert_array_equal(d_kernels, np.full((1, 2, 2), 0.5))


def test_a_window_without_a_positive_cell_passes_no_gradient():
    images, kernels = np.ones((1, 4, 4)), -np.ones((1, 3, 3))
    pooled, cache = conv_relu_pool(images, kernels, 2)
    assert np.all(pooled == 0) and np.all(np.signbit(pooled))  # ReLU of -9 is -0
    d_kernels = conv_relu_pool_kernel_grads(np.ones_like(pooled), cache)
    np.testing.assert_array_equal(d_kernels, np.zeros((1, 3, 3)))


@pytest.mark.parametrize("runs, run, blocks", [
    (128, 169, 8),   # the benchmark's step: 16 runs of 169 = 2704 columns per block
    (512, 169, 32),  # batch 128
    (128, 9, 1),     # 8x8 digits: all 1152 columns in one block
    (7, 5000, 7),    # a run longer than a block: one run per block
    (13, 400, 13),   # a prime number of runs: 10 would fit, only 1 divides
])
def test_block_count_gives_equal_blocks_of_whole_runs_within_the_limit(runs, run, blocks):
    assert _block_count(runs, run) == blocks
    assert runs % blocks == 0
