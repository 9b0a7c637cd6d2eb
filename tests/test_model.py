"""Tests for cnn_core.model: TinyCNN's forward pass, gradients and input checks.

Oracles: shapes by the notes' formulas, the plain-loop twin
(cnn_core.reference.tiny_cnn_gradients_loops), central finite differences on inputs without
pooling ties or ReLU zeros, and the float64 forward for the float32 one. The forward that
pages call (cnn_core.inference) is also held to the training forward and, bit for bit with
the sign of zero, to relu_forward and max_pool2d_forward of its own feature maps.
"""

import numpy as np
import pytest

from cnn_core import TinyCNN, max_pool2d_forward, relu_forward
from cnn_core.gradcheck import numerical_gradient, relative_error
from cnn_core.reference import tiny_cnn_gradients_loops

# (n_kernels, kernel_size, image_shape, pool_size, n_classes)
ARCHITECTURES = [
    (1, 3, (5, 5), 2, 10),   # the notes' network: 3x3 map pools to 2x2 (cut-off windows)
    (2, 2, (5, 5), 1, 3),    # pool 1 is no pooling
    (3, 4, (8, 8), 3, 10),   # 5x5 map, pool 3 -> 2x2 with cut-off windows
    (4, 5, (8, 8), 2, 4),    # 4x4 map, pool 2 -> 2x2 exactly
    (2, 3, (6, 9), 2, 5),    # non-square: 4x7 map -> 2x4
    (8, 3, (8, 8), 2, 10),   # the app's default
    (4, 5, (28, 28), 3, 10),  # MNIST size: 24x24 map, pool 3 -> 8x8
    (3, 2, (28, 28), 2, 10),  # 27x27 map, pool 2 -> 14x14 with a cut-off row and column
]
SMALL_ARCHITECTURES = ARCHITECTURES[:6]
POOL_WIDER_THAN_A_WINDOW_OF_MAP = [
    (2, 3, (5, 5), 4, 3),    # 3x3 map, pool 4 -> 1x1: one cut-off window holds the whole map
    (2, 3, (9, 12), 4, 3),   # 7x10 map, pool 4 -> 2x3, cut off in both directions
]


def _ceil_div(a, b):
    return -(-a // b)


def _random_model(arch, seed=0):
    """A model with random params, including a random non-zero bias."""
    n_kernels, kernel_size, image_shape, pool_size, n_classes = arch
    model = TinyCNN(n_kernels, kernel_size, image_shape, pool_size, n_classes, seed=seed)
    model.params["bias"] = np.random.default_rng(seed + 100).normal(size=n_classes)
    return model


def _tie_free_batch(model, count, seed=0, margin=1e-4):
    """Random images whose feature maps have no zeros and no max-pool ties within ``margin``,
    so finite differences with eps = 1e-6 never cross a kink."""
    rng = np.random.default_rng(seed)
    for _ in range(100):
        images = rng.normal(size=(count, *model.arch.image_shape))
        maps = model.forward(images)["feature_maps"]
        gap = _smallest_pool_gap(maps, model.arch.pool_size)
        if np.min(np.abs(maps)) > margin and gap > margin:
            return images, rng.integers(0, model.arch.n_classes, size=count)
    raise AssertionError("no tie-free batch found")


def _smallest_pool_gap(maps, size):
    """The smallest difference between the largest and second-largest cell of a pool window."""
    n, k, h, w = maps.shape
    ph, pw = _ceil_div(h, size), _ceil_div(w, size)
    relu = np.maximum(maps, 0)
    padded = np.full((n, k, ph * size, pw * size), -np.inf)
    padded[:, :, :h, :w] = relu
    windows = padded.reshape(n, k, ph, size, pw, size).transpose(0, 1, 2, 4, 3, 5)
    windows = np.sort(windows.reshape(n, k, ph, pw, size * size), axis=-1)
    if size == 1:
        return np.inf
    gaps = windows[..., -1] - windows[..., -2]
    # a window of ReLU zeros (every cell negative before ReLU) is a tie with zero gradient
    # everywhere, which finite differences agree with
    return float(np.min(np.where(windows[..., -1] == 0, np.inf, gaps)))


# --- Forward: keys and shapes ---------------------------------------------------------------

@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_forward_gives_every_intermediate_with_the_shapes_of_the_notes_formulas(arch):
    n_kernels, k, (h, w), pool, n_classes = arch
    model = _random_model(arch)
    out = model.forward(np.random.default_rng(1).random((3, h, w)))
    map_shape = (h - k + 1, w - k + 1)
    pooled_shape = (_ceil_div(map_shape[0], pool), _ceil_div(map_shape[1], pool))
    n_features = n_kernels * pooled_shape[0] * pooled_shape[1]
    assert {name: value.shape for name, value in out.items()} == {
        "feature_maps": (3, n_kernels, *map_shape),
        "activations": (3, n_kernels, *map_shape),
        "pooled": (3, n_kernels, *pooled_shape),
        "flattened": (3, n_features),
        "logits": (3, n_classes),
        "probabilities": (3, n_classes),
    }
    assert model.arch.n_features == n_features
    assert model.params["weights"].shape == (n_features, n_classes)


def test_forward_of_the_notes_eight_gives_the_notes_feature_map_and_pooled_output():
    model = TinyCNN.from_params({"kernels": [[[0, 0, 0], [0, 0, 0], [1, 0, 1]]],
                                 "weights": np.zeros((4, 10)), "bias": np.zeros(10)}, (5, 5))
    eight = [[0, 1, 1, 1, 0], [0, 1, 0, 1, 0], [0, 1, 1, 1, 0], [0, 1, 0, 1, 0], [0, 1, 1, 1, 0]]
    out = model.forward(eight)
    np.testing.assert_array_equal(out["feature_maps"][0, 0], [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    np.testing.assert_array_equal(out["pooled"][0, 0], [[2, 1], [2, 1]])
    np.testing.assert_array_equal(out["flattened"][0], [2, 1, 2, 1])
    np.testing.assert_allclose(out["probabilities"][0], np.full(10, 0.1), rtol=1e-15)


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_forward_matches_the_plain_loops_layer_by_layer(arch):
    from cnn_core.reference import conv2d_loops, max_pool2d_loops

    model = _random_model(arch, seed=3)
    images = np.random.default_rng(4).random((2, *arch[2]))
    out = model.forward(images)
    for n in range(2):
        for c in range(arch[0]):
            fmap = conv2d_loops(images[n], model.params["kernels"][c])
            np.testing.assert_allclose(out["feature_maps"][n, c], fmap, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(out["pooled"][n, c],
                                       max_pool2d_loops(np.maximum(fmap, 0), arch[3]),
                                       rtol=1e-12, atol=1e-12)
    logits = out["flattened"] @ model.params["weights"] + model.params["bias"]
    np.testing.assert_allclose(out["logits"], logits, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["probabilities"].sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_forward_in_float32_agrees_with_float64_to_1e5(arch):
    model = _random_model(arch, seed=5)
    images = np.random.default_rng(6).random((4, *arch[2]))
    single, double = model.forward(images, dtype=np.float32), model.forward(images)
    for name in double:
        assert single[name].dtype == np.float32, name
        np.testing.assert_allclose(single[name], double[name], rtol=1e-5, atol=1e-5,
                                   err_msg=name)


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_forward_on_one_image_equals_its_row_of_the_batch(arch):
    model = _random_model(arch, seed=7)
    images = np.random.default_rng(8).random((3, *arch[2]))
    batch = model.forward(images)
    alone = model.forward(images[1])
    for name in batch:
        assert alone[name].shape == (1, *batch[name].shape[1:])
        np.testing.assert_allclose(alone[name][0], batch[name][1], rtol=1e-13, atol=1e-14,
                                   err_msg=name)


def _same_bits(actual, expected, name):
    assert actual.shape == expected.shape and actual.dtype == expected.dtype, name
    np.testing.assert_array_equal(actual, expected, err_msg=name)
    np.testing.assert_array_equal(np.signbit(actual), np.signbit(expected), err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("arch", ARCHITECTURES + POOL_WIDER_THAN_A_WINDOW_OF_MAP)
def test_forward_is_relu_then_max_pool_bit_for_bit_including_the_sign_of_zero(arch, dtype):
    # integer kernels on binary images (one of them blank) give exact zeros, negative cells
    # and tied windows: ReLU turns x <= 0 into -0 except +0, and a window without a positive
    # cell pools to its FIRST cell's -0 or +0
    n_kernels, k, shape, pool, n_classes = arch
    rng = np.random.default_rng(26)
    model = TinyCNN.from_params({"kernels": rng.integers(-2, 2, size=(n_kernels, k, k)),
                                 "weights": TinyCNN(*arch).params["weights"],
                                 "bias": rng.normal(size=n_classes)}, shape, pool)
    images = rng.integers(0, 2, size=(5, *shape)).astype(float)
    images[0] = 0.0
    out = model.forward(images, dtype=dtype)
    activations = relu_forward(out["feature_maps"])[0]
    _same_bits(out["activations"], activations, "activations")
    _same_bits(out["pooled"], max_pool2d_forward(activations, pool)[0], "pooled")
    if pool > 1:  # the premise: some window's first cell is negative and its maximum +0
        naive = relu_forward(max_pool2d_forward(out["feature_maps"], pool)[0])[0]
        assert (np.signbit(naive) != np.signbit(out["pooled"])).any()


@pytest.mark.parametrize("arch", ARCHITECTURES + POOL_WIDER_THAN_A_WINDOW_OF_MAP)
def test_forward_agrees_with_the_training_forward_that_the_gradients_use(arch):
    model = _random_model(arch, seed=27)
    images = np.random.default_rng(28).normal(size=(4, *arch[2]))
    out = model.forward(images)
    trained, _ = model._forward(model._images(images, np.float64), np.float64)
    for name, value in trained.items():
        np.testing.assert_allclose(out[name], value, rtol=1e-12, atol=1e-13, err_msg=name)


def test_forward_reads_strided_read_only_and_broadcast_images_like_a_fresh_copy():
    model = _random_model(ARCHITECTURES[5], seed=29)
    batch = np.random.default_rng(30).random((6, 8, 8))
    frozen = batch.copy()
    frozen.setflags(write=False)
    for images in (batch[::2], batch[1:4], np.asfortranarray(batch), frozen,
                   np.broadcast_to(batch[0], (3, 8, 8)), batch[0].T):
        out, expected = model.forward(images), model.forward(np.array(images))
        for name in expected:
            np.testing.assert_array_equal(out[name], expected[name], err_msg=name)


def test_predict_is_the_argmax_of_the_logits_and_of_the_probabilities():
    model = _random_model(ARCHITECTURES[5], seed=9)
    images = np.random.default_rng(10).random((50, 8, 8))
    out = model.forward(images)
    predictions = model.predict(images)
    assert predictions.shape == (50,)
    np.testing.assert_array_equal(predictions, out["logits"].argmax(axis=1))
    np.testing.assert_array_equal(predictions, out["probabilities"].argmax(axis=1))
    assert len(set(predictions.tolist())) > 1  # a constant answer would not test argmax


# --- Gradients ------------------------------------------------------------------------------

@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_loss_and_gradients_equal_the_plain_loop_twin(arch):
    model = _random_model(arch, seed=11)
    images, labels = _tie_free_batch(model, 3, seed=12)
    loss, grads = model.loss_and_gradients(images, labels)
    ref_loss, ref_grads = tiny_cnn_gradients_loops(model.params, images, labels, arch[3])
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for name in ("kernels", "weights", "bias"):
        assert grads[name].shape == model.params[name].shape
        np.testing.assert_allclose(grads[name], ref_grads[name], rtol=1e-10, atol=1e-13,
                                   err_msg=name)


@pytest.mark.parametrize("arch", SMALL_ARCHITECTURES)
@pytest.mark.parametrize("name", ["kernels", "weights", "bias"])
def test_loss_and_gradients_equal_central_finite_differences(arch, name):
    model = _random_model(arch, seed=13)
    images, labels = _tie_free_batch(model, 4, seed=14)
    _, grads = model.loss_and_gradients(images, labels)
    numeric = numerical_gradient(lambda _: model.loss_and_gradients(images, labels)[0],
                                 model.params[name])
    assert np.max(np.abs(grads[name])) > 1e-3  # a zero gradient would pass trivially
    # central differences are exact to O(eps^2) but carry ~1e-10 of rounding per entry
    assert relative_error(grads[name], numeric) < 1e-5
    np.testing.assert_allclose(grads[name], numeric, rtol=0, atol=1e-8)


def test_pool_ties_send_the_gradient_to_the_first_tied_cell_as_the_loop_twin_does():
    # binary images and integer kernels make many tied maxima (the notes' 8 has one)
    rng = np.random.default_rng(25)
    model = TinyCNN.from_params({"kernels": rng.integers(-1, 2, size=(3, 3, 3)),
                                 "weights": rng.normal(size=(3 * 9, 10)),
                                 "bias": rng.normal(size=10)}, (7, 7), 2)
    images = rng.integers(0, 2, size=(6, 7, 7)).astype(float)
    labels = rng.integers(0, 10, size=6)
    maps = model.forward(images)["feature_maps"]
    assert _smallest_pool_gap(maps, 2) == 0  # the premise: there are ties
    loss, grads = model.loss_and_gradients(images, labels)
    ref_loss, ref_grads = tiny_cnn_gradients_loops(model.params, images, labels, 2)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(grads[name], ref_grads[name], rtol=1e-10, atol=1e-13,
                                   err_msg=name)


def test_loss_is_the_mean_cross_entropy_of_the_probabilities():
    model = _random_model(ARCHITECTURES[5], seed=15)
    images = np.random.default_rng(16).random((5, 8, 8))
    labels = np.array([0, 3, 3, 9, 1])
    loss, _ = model.loss_and_gradients(images, labels)
    probabilities = model.forward(images)["probabilities"]
    assert loss == pytest.approx(-np.mean(np.log(probabilities[np.arange(5), labels])), rel=1e-12)


def test_train_kernels_false_gives_zero_kernel_gradients_and_the_same_others():
    model = _random_model(ARCHITECTURES[5], seed=17)
    images, labels = _tie_free_batch(model, 5, seed=18)
    loss, grads = model.loss_and_gradients(images, labels)
    frozen_loss, frozen = model.loss_and_gradients(images, labels, train_kernels=False)
    assert frozen_loss == loss
    assert np.max(np.abs(grads["kernels"])) > 1e-3
    np.testing.assert_array_equal(frozen["kernels"], np.zeros_like(model.params["kernels"]))
    np.testing.assert_array_equal(frozen["weights"], grads["weights"])
    np.testing.assert_array_equal(frozen["bias"], grads["bias"])


def test_float32_gradients_agree_with_float64_to_1e4():
    model = _random_model(ARCHITECTURES[5], seed=19)
    images, labels = _tie_free_batch(model, 8, seed=20, margin=1e-3)
    loss64, grads64 = model.loss_and_gradients(images, labels)
    loss32, grads32 = model.loss_and_gradients(images, labels, dtype=np.float32)
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    for name in grads64:
        np.testing.assert_allclose(grads32[name], grads64[name], rtol=1e-4, atol=1e-5,
                                   err_msg=name)


# --- No hidden state ------------------------------------------------------------------------

def test_forward_twice_gives_identical_results_even_after_the_first_result_is_changed():
    model = _random_model(ARCHITECTURES[5], seed=21)
    images = np.random.default_rng(22).random((4, 8, 8))
    saved_images = images.copy()
    first = model.forward(images)
    copies = {name: value.copy() for name, value in first.items()}
    for value in first.values():
        value[...] = 123.0  # a page scribbling on a result must not reach the next call
    second = model.forward(images)
    for name in copies:
        np.testing.assert_array_equal(second[name], copies[name], err_msg=name)
    np.testing.assert_array_equal(images, saved_images)


def test_loss_and_gradients_changes_neither_the_params_nor_the_images():
    model = _random_model(ARCHITECTURES[5], seed=23)
    images = np.random.default_rng(24).random((4, 8, 8))
    labels = np.array([1, 2, 3, 4])
    saved = {name: value.copy() for name, value in model.params.items()}
    saved_images = images.copy()
    first_loss, first = model.loss_and_gradients(images, labels)
    first = {name: value.copy() for name, value in first.items()}
    for value in model.loss_and_gradients(images, labels)[1].values():
        value[...] = 7.0
    for name in saved:
        np.testing.assert_array_equal(model.params[name], saved[name], err_msg=name)
    np.testing.assert_array_equal(images, saved_images)
    second_loss, second = model.loss_and_gradients(images, labels)
    assert second_loss == first_loss
    for name in first:
        np.testing.assert_array_equal(second[name], first[name], err_msg=name)


def test_from_params_copies_the_arrays_it_is_given():
    kernels, weights, bias = np.ones((2, 3, 3)), np.ones((8, 10)), np.zeros(10)
    model = TinyCNN.from_params({"kernels": kernels, "weights": weights, "bias": bias}, (5, 5))
    kernels[...] = 5.0
    np.testing.assert_array_equal(model.params["kernels"], np.ones((2, 3, 3)))


def test_same_seed_gives_the_same_params_and_another_seed_other_params():
    a, b, c = (TinyCNN(8, 3, (8, 8), 2, 10, seed=s) for s in (4, 4, 5))
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])
    assert not np.array_equal(a.params["kernels"], c.params["kernels"])


# --- Bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("images, message", [
    (np.zeros((2, 7, 8)), "8x8"),
    (np.zeros((8, 9)), "8x8"),
    (np.zeros((1, 1, 8, 8)), "2D or 3D"),
    (np.full((1, 8, 8), np.nan), "NaN"),
    ([["a"] * 8] * 8, "numbers"),
])
def test_forward_refuses_images_of_the_wrong_size_or_kind(images, message):
    model = TinyCNN(2, 3, (8, 8), 2, 10)
    with pytest.raises(ValueError, match=message):
        model.forward(images)


@pytest.mark.parametrize("labels, message", [
    ([10], r"outside 0\.\.9"),
    ([-1], r"outside 0\.\.9"),
    ([1.5], "whole numbers"),
    ([1, 2], "expected 1 labels"),
    ([], "empty"),
])
def test_loss_and_gradients_refuses_bad_labels(labels, message):
    model = TinyCNN(2, 3, (8, 8), 2, 10)
    with pytest.raises(ValueError, match=message):
        model.loss_and_gradients(np.zeros((1, 8, 8)), labels)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_kernels": 0}, "n_kernels"),
    ({"n_kernels": 2.5}, "n_kernels"),
    ({"n_kernels": True}, "n_kernels"),
    ({"kernel_size": 0}, "kernel_size"),
    ({"pool_size": 0}, "pool_size"),
    ({"pool_size": -2}, "pool_size"),
    ({"n_classes": 1}, "n_classes"),
    ({"image_shape": (8,)}, "image_shape"),
    ({"image_shape": (0, 8)}, "image_shape"),
    ({"kernel_size": 9}, "does not fit"),
    ({"image_shape": (8, 2)}, "does not fit"),
])
def test_tinycnn_refuses_bad_architecture_numbers(kwargs, message):
    arguments = {"n_kernels": 2, "kernel_size": 3, "image_shape": (8, 8), "pool_size": 2,
                 "n_classes": 10} | kwargs
    with pytest.raises(ValueError, match=message):
        TinyCNN(**arguments)


@pytest.mark.parametrize("params, message", [
    ({"kernels": np.ones((1, 3, 2)), "weights": np.ones((4, 10)), "bias": np.ones(10)},
     "square"),
    ({"kernels": np.ones((1, 3, 3)), "weights": np.ones((5, 10)), "bias": np.ones(10)},
     "weights has shape"),
    ({"kernels": np.ones((1, 3, 3)), "weights": np.ones((4, 10)), "bias": np.ones(9)},
     "weights has shape"),
    ({"kernels": np.ones((1, 6, 6)), "weights": np.ones((4, 10)), "bias": np.ones(10)},
     "does not fit"),
    ({"kernels": np.ones((1, 3, 3)), "weights": np.ones((4, 10))}, "bias"),
])
def test_from_params_refuses_params_that_do_not_fit_the_architecture(params, message):
    with pytest.raises(ValueError, match=message):
        TinyCNN.from_params(params, (5, 5), 2)


@pytest.mark.parametrize("dtype", [np.int32, np.float16, np.complex128, "float32"])
def test_forward_and_gradients_refuse_a_dtype_other_than_float32_or_float64(dtype):
    # int32 would silently truncate images and params (0.3 -> 0) and give wrong numbers
    model = TinyCNN(2, 3, (8, 8), 2, 10)
    images = np.random.default_rng(0).random((1, 8, 8))
    with pytest.raises(ValueError, match=r"dtype must be np\.float32 or np\.float64"):
        model.forward(images, dtype=dtype)
    with pytest.raises(ValueError, match=r"dtype must be np\.float32 or np\.float64"):
        model.loss_and_gradients(images, [1], dtype=dtype)
