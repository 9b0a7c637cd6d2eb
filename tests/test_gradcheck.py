"""Every backward pass against central finite differences (cnn_core.gradcheck).

Inputs are random, without ties (distinct values, far apart) and without zeros (|x| >= 0.05),
so no finite-difference step crosses ReLU's kink or changes a max-pool winner. The layers
that are linear in the checked argument (conv, dense, pooling, ReLU) use eps = 1e-3: central
differences are exact there, and the larger step keeps rounding error far below 1e-6.
The smooth parts (softmax cross-entropy, TinyCNN's dense head) use eps = 1e-5, which balances
truncation (eps**2) against rounding (1e-16 / eps).
"""

import numpy as np
import pytest

from cnn_core import (
    TinyCNN,
    avg_pool2d_backward,
    avg_pool2d_forward,
    conv2d_backward,
    conv2d_forward,
    dense_backward,
    dense_forward,
    max_pool2d_backward,
    max_pool2d_forward,
    relu_backward,
    relu_forward,
    softmax_cross_entropy_backward,
    softmax_cross_entropy_forward,
)
from cnn_core.gradcheck import numerical_gradient, relative_error
from cnn_core.reference import tiny_cnn_gradients_loops

TOLERANCE = 1e-6


def _distinct_nonzero(rng, shape, spacing=0.1):
    """Values +-(0.05, 0.15, 0.25, ...) in random order: no ties, no zeros, gaps >= 0.1."""
    size = int(np.prod(shape))
    magnitudes = (np.arange(size) + 0.5) * spacing
    signs = rng.choice([-1.0, 1.0], size=size)
    return rng.permutation(magnitudes * signs).reshape(shape)


def _assert_gradient_matches(analytic, f, x, eps):
    numeric = numerical_gradient(f, x, eps=eps)
    assert analytic.shape == x.shape
    assert np.any(numeric != 0), "the check is vacuous: the numerical gradient is all zero"
    error = relative_error(analytic, numeric)
    assert error < TOLERANCE, f"relative error {error:.2e}"


# --- The checker itself ----------------------------------------------------------------------

def test_numerical_gradient_of_a_cubic_is_three_x_squared_and_restores_x():
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    before = x.copy()
    grad = numerical_gradient(lambda v: float(np.sum(v**3)), x, eps=1e-5)
    np.testing.assert_allclose(grad, 3 * before**2, rtol=1e-9)
    np.testing.assert_array_equal(x, before)


def test_relative_error_is_zero_for_equal_arrays_and_one_for_opposite_ones():
    a = np.array([1.0, -2.0, 0.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == 1.0
    assert relative_error([1.0], [1.0 + 1e-9]) == pytest.approx(0.5e-9, rel=1e-6)


# --- Convolution ---------------------------------------------------------------------------

CONV_CASES = [(padding, stride) for padding in (0, 1, 2) for stride in (1, 2, 3)]
CONV_CASES += [((0, 2), (2, 1)), ((1, 0), (3, 2))]


@pytest.mark.parametrize(("padding", "stride"), CONV_CASES)
def test_conv2d_backward_matches_finite_differences_for_images_and_kernels(padding, stride):
    rng = np.random.default_rng(CONV_CASES.index((padding, stride)))
    images = _distinct_nonzero(rng, (2, 7, 6))
    kernels = _distinct_nonzero(rng, (3, 3, 2))
    out, cache = conv2d_forward(images, kernels, padding=padding, stride=stride)
    upstream = _distinct_nonzero(rng, out.shape)

    def loss(_):
        return float(np.sum(conv2d_forward(images, kernels, padding=padding,
                                           stride=stride)[0] * upstream))

    grads = conv2d_backward(upstream, cache)
    _assert_gradient_matches(grads.images, loss, images, eps=1e-3)
    _assert_gradient_matches(grads.kernels, loss, kernels, eps=1e-3)


def test_conv2d_backward_without_image_gradient_still_gives_the_kernel_gradient():
    rng = np.random.default_rng(1)
    images, kernels = _distinct_nonzero(rng, (2, 5, 5)), _distinct_nonzero(rng, (2, 3, 3))
    out, cache = conv2d_forward(images, kernels, padding=1, stride=2)
    upstream = _distinct_nonzero(rng, out.shape)
    full = conv2d_backward(upstream, cache)
    kernels_only = conv2d_backward(upstream, cache, need_images=False)
    np.testing.assert_array_equal(kernels_only.kernels, full.kernels)


# --- ReLU ----------------------------------------------------------------------------------

def test_relu_backward_matches_finite_differences_away_from_zero():
    rng = np.random.default_rng(2)
    x = _distinct_nonzero(rng, (3, 4, 5))
    upstream = _distinct_nonzero(rng, x.shape)
    _, cache = relu_forward(x)

    def loss(v):
        return float(np.sum(relu_forward(v)[0] * upstream))

    _assert_gradient_matches(relu_backward(upstream, cache), loss, x, eps=1e-3)


# --- Pooling -------------------------------------------------------------------------------

POOL_CASES = [
    ((5, 5), 2, None),  # cut-off last row and column
    ((6, 7), 3, 2),  # overlapping windows (stride < size), cut-off row
    ((5, 4), 2, 1),  # overlapping, every cell in up to four windows
    ((7, 5), 3, 1),
    ((5, 5), 4, 3),  # a large cut-off window
    ((4, 6), (2, 3), (1, 2)),  # different sizes and strides for rows and columns
    ((3, 3), 5, None),  # one window larger than the map
]


@pytest.mark.parametrize(("shape", "size", "stride"), POOL_CASES)
def test_max_pool2d_backward_matches_finite_differences(shape, size, stride):
    rng = np.random.default_rng(3)
    x = _distinct_nonzero(rng, (2, *shape))
    out, cache = max_pool2d_forward(x, size, stride)
    upstream = _distinct_nonzero(rng, out.shape)

    def loss(v):
        return float(np.sum(max_pool2d_forward(v, size, stride)[0] * upstream))

    _assert_gradient_matches(max_pool2d_backward(upstream, cache), loss, x, eps=1e-3)


@pytest.mark.parametrize(("shape", "size", "stride"), POOL_CASES)
def test_avg_pool2d_backward_matches_finite_differences(shape, size, stride):
    rng = np.random.default_rng(4)
    x = _distinct_nonzero(rng, (2, *shape))
    out, cache = avg_pool2d_forward(x, size, stride)
    upstream = _distinct_nonzero(rng, out.shape)

    def loss(v):
        return float(np.sum(avg_pool2d_forward(v, size, stride)[0] * upstream))

    _assert_gradient_matches(avg_pool2d_backward(upstream, cache), loss, x, eps=1e-3)


# --- Dense ---------------------------------------------------------------------------------

def test_dense_backward_matches_finite_differences_for_x_weights_and_bias():
    rng = np.random.default_rng(5)
    x = _distinct_nonzero(rng, (3, 5))
    weights = _distinct_nonzero(rng, (5, 4))
    bias = _distinct_nonzero(rng, (4,))
    out, cache = dense_forward(x, weights, bias)
    upstream = _distinct_nonzero(rng, out.shape)

    def loss(_):
        return float(np.sum(dense_forward(x, weights, bias)[0] * upstream))

    grads = dense_backward(upstream, cache)
    _assert_gradient_matches(grads.x, loss, x, eps=1e-3)
    _assert_gradient_matches(grads.weights, loss, weights, eps=1e-3)
    _assert_gradient_matches(grads.bias, loss, bias, eps=1e-3)


# --- Softmax cross-entropy ------------------------------------------------------------------

@pytest.mark.parametrize("seed", [6, 7, 8])
def test_softmax_cross_entropy_backward_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(4, 6))
    labels = rng.integers(0, 6, size=4)
    _, cache = softmax_cross_entropy_forward(logits, labels)

    def loss(z):
        return softmax_cross_entropy_forward(z, labels)[0]

    _assert_gradient_matches(softmax_cross_entropy_backward(cache), loss, logits, eps=1e-5)


def test_softmax_cross_entropy_backward_is_p_minus_one_hot_over_n():
    logits = np.array([[0.0, np.log(3.0)], [0.0, 0.0]])
    _, cache = softmax_cross_entropy_forward(logits, np.array([1, 0]))
    np.testing.assert_allclose(softmax_cross_entropy_backward(cache),
                               [[0.25 / 2, -0.25 / 2], [-0.5 / 2, 0.5 / 2]], rtol=1e-15)


# --- TinyCNN ---------------------------------------------------------------------------------

MODEL_CASES = [
    # (n_kernels, kernel_size, image_shape, pool_size, n_classes, seed)
    (2, 3, (7, 6), 2, 4, 0),  # 5x4 maps: cut-off pooling rows
    (3, 2, (6, 6), 3, 3, 1),
    (1, 3, (5, 5), 2, 10, 2),  # the notes' shapes
]


def _model_and_batch(n_kernels, kernel_size, image_shape, pool_size, n_classes, seed):
    model = TinyCNN(n_kernels=n_kernels, kernel_size=kernel_size, image_shape=image_shape,
                    pool_size=pool_size, n_classes=n_classes, seed=seed)
    rng = np.random.default_rng(100 + seed)
    model.params["bias"] = rng.normal(scale=0.1, size=n_classes)
    images = rng.uniform(0.05, 1.0, size=(3, *image_shape))
    labels = rng.integers(0, n_classes, size=3)
    return model, images, labels


@pytest.mark.parametrize("case", MODEL_CASES)
def test_tiny_cnn_gradients_match_finite_differences_for_every_parameter(case):
    model, images, labels = _model_and_batch(*case)
    _, grads = model.loss_and_gradients(images, labels)
    assert set(grads) == {"kernels", "weights", "bias"}

    def loss(_):
        return model.loss_and_gradients(images, labels)[0]

    for name in ("kernels", "weights", "bias"):
        _assert_gradient_matches(grads[name], loss, model.params[name], eps=1e-5)


@pytest.mark.parametrize("case", MODEL_CASES)
def test_tiny_cnn_gradients_match_the_loop_twin(case):
    model, images, labels = _model_and_batch(*case)
    loss, grads = model.loss_and_gradients(images, labels)
    loop_loss, loop_grads = tiny_cnn_gradients_loops(model.params, images, labels,
                                                     model.arch.pool_size)
    assert loss == pytest.approx(loop_loss, rel=1e-12)
    for name in ("kernels", "weights", "bias"):
        np.testing.assert_allclose(grads[name], loop_grads[name], rtol=1e-10, atol=1e-13)


def test_tiny_cnn_gradients_on_the_notes_digits_match_the_loop_twin():
    # binary images: many ties in max pooling, all sent to the first cell by both
    eight = [[0, 1, 1, 1, 0], [0, 1, 0, 1, 0], [0, 1, 1, 1, 0], [0, 1, 0, 1, 0], [0, 1, 1, 1, 0]]
    two = [[0, 1, 1, 1, 0], [0, 0, 0, 1, 0], [0, 0, 1, 0, 0], [0, 1, 0, 0, 0], [0, 1, 1, 1, 0]]
    images, labels = np.array([eight, two], dtype=np.float64), np.array([8, 2])
    model = TinyCNN(n_kernels=2, image_shape=(5, 5), kernel_init=["notes_example", "sharpen"])
    loss, grads = model.loss_and_gradients(images, labels)
    loop_loss, loop_grads = tiny_cnn_gradients_loops(model.params, images, labels)
    assert loss == pytest.approx(loop_loss, rel=1e-12)
    for name in ("kernels", "weights", "bias"):
        np.testing.assert_allclose(grads[name], loop_grads[name], rtol=1e-10, atol=1e-13)


def test_tiny_cnn_frozen_kernels_get_zero_gradient_and_the_same_dense_gradients():
    model, images, labels = _model_and_batch(*MODEL_CASES[0])
    loss, grads = model.loss_and_gradients(images, labels)
    frozen_loss, frozen = model.loss_and_gradients(images, labels, train_kernels=False)
    assert frozen_loss == loss
    np.testing.assert_array_equal(frozen["kernels"], np.zeros_like(model.params["kernels"]))
    np.testing.assert_array_equal(frozen["weights"], grads["weights"])
    np.testing.assert_array_equal(frozen["bias"], grads["bias"])


def test_tiny_cnn_loss_and_gradients_keeps_no_state_between_calls():
    model, images, labels = _model_and_batch(*MODEL_CASES[1])
    before = {name: value.copy() for name, value in model.params.items()}
    first_loss, first = model.loss_and_gradients(images, labels)
    model.loss_and_gradients(images[:1], labels[:1])
    second_loss, second = model.loss_and_gradients(images, labels)
    assert first_loss == second_loss
    for name, value in before.items():
        np.testing.assert_array_equal(model.params[name], value)
        np.testing.assert_array_equal(first[name], second[name])
