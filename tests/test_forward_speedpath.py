"""Tests for the single-image shortcuts of the forward (TinyCNN._images, losses._softmax).

One finite (H, W) image already of the dtype skips as_float_array's general checks, and one
row of logits is reduced to scalars instead of keepdims columns. Oracle: the general paths
they skip, bit for bit with the sign of zero; a NaN or an infinity must still be refused.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnn_core import TinyCNN, softmax

# (n_kernels, kernel_size, image_shape, pool_size, n_classes)
ARCHITECTURES = [
    (1, 3, (5, 5), 2, 10),    # cut-off pooling windows
    (8, 3, (8, 8), 2, 10),    # the app's default
    (3, 2, (28, 28), 2, 10),  # 27x27 maps: a cut-off row and column
    (8, 3, (32, 32), 2, 10),  # the benchmark's 32x32
    (2, 3, (6, 9), 3, 5),     # non-square, pool 3
]


def _same_bits(actual, expected, name):
    assert actual.shape == expected.shape and actual.dtype == expected.dtype, name
    np.testing.assert_array_equal(actual, expected, err_msg=name)
    np.testing.assert_array_equal(np.signbit(actual), np.signbit(expected), err_msg=name)


def _integer_model(arch, seed):
    """Integer kernels: binary images then give exact zeros, -0 and tied windows."""
    n_kernels, k, shape, pool, n_classes = arch
    rng = np.random.default_rng(seed)
    return TinyCNN.from_params({"kernels": rng.integers(-2, 2, size=(n_kernels, k, k)),
                                "weights": TinyCNN(*arch).params["weights"],
                                "bias": rng.normal(size=n_classes)}, shape, pool)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_one_image_of_the_dtype_gives_the_general_paths_bits(arch, dtype):
    rng = np.random.default_rng(40)
    shape = arch[2]
    for model in (TinyCNN(*arch, seed=41), _integer_model(arch, 42)):
        for image in (rng.normal(size=shape), rng.integers(0, 2, size=shape).astype(float),
                      np.zeros(shape), rng.random(shape) * np.finfo(dtype).max / 10):
            image = image.astype(dtype)
            fast = model.forward(image, dtype=dtype)
            # a batch of one and a nested list take as_float_array's general checks
            for general in (model.forward(image[None], dtype=dtype),
                            model.forward(image.tolist(), dtype=dtype)):
                assert fast.keys() == general.keys()
                for name in general:
                    _same_bits(fast[name], general[name], name)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_image_with_a_nan_or_an_infinity_anywhere_is_refused(value, dtype):
    model = TinyCNN(8, 3, (8, 8), 2, 10)
    for where in ((0, 0), (3, 5), (7, 7)):
        image = np.random.default_rng(43).random((8, 8)).astype(dtype)
        image[where] = value
        with pytest.raises(ValueError, match="NaN or infinity"):
            model.forward(image, dtype=dtype)


def test_one_image_of_another_shape_or_dtype_gets_the_general_messages():
    model = TinyCNN(2, 3, (8, 8), 2, 10)
    with pytest.raises(ValueError, match="8x8"):
        model.forward(np.zeros((8, 9)))
    with pytest.raises(ValueError, match="dtype must be"):
        model.forward(np.zeros((8, 8), np.float16), dtype=np.float16)
    # an int image of the right shape is converted, not refused
    image = np.arange(64).reshape(8, 8) % 3
    _same_bits(model.forward(image)["logits"], model.forward(image.astype(float))["logits"],
               "logits")


def test_one_image_is_read_not_copied_or_changed():
    model = TinyCNN(8, 3, (8, 8), 2, 10, seed=44)
    image = np.random.default_rng(45).random((8, 8))
    before = image.copy()
    image.setflags(write=False)
    out = model.forward(image)
    np.testing.assert_array_equal(image, before)
    assert out["feature_maps"].shape == (1, 8, 6, 6)


_logit = st.floats(-1000, 1000, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 6), st.integers(2, 40)), elements=_logit))
def test_softmax_of_one_row_is_bit_for_bit_that_row_of_the_batch(logits):
    batch = softmax(logits)
    for i, row in enumerate(logits):
        alone = softmax(row[None])
        assert alone.shape == (1, logits.shape[1])
        _same_bits(alone[0], batch[i], f"row {i}")
