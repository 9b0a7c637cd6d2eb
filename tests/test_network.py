"""Tests for cnn_core.network: ConvNet's forward, gradients, params and input checks.

Oracles: the plain-loop twins (reference.conv2d_channels_loops layer by layer for the
forward, reference_network.convnet_gradients_loops for the loss and every gradient), the
notes' TinyCNN for the one-block case (same logits and gradients to 1e-12), the training
forward for the showing forward, float64 for float32. Finite differences over random
architectures are in test_network_gradcheck.py, PyTorch in test_network_torch.py.
"""

import numpy as np
import pytest

from cnn_core import BlockSpec, ConvNet, NetworkSpec, TinyCNN
from cnn_core.pooling import avg_pool2d_forward, max_pool2d_forward
from cnn_core.reference import conv2d_channels_loops
from cnn_core.reference_network import convnet_gradients_loops

SPECS = [
    NetworkSpec((9, 8), (BlockSpec(3, 3, 1, 1, "max", 2), BlockSpec(2, 2, 0, 2, "avg", 3)), 4),
    NetworkSpec((10, 10), (BlockSpec(2, 3, 0, 1, "avg", 3), BlockSpec(3, 2, 1, 1, "none"),
                           BlockSpec(2, 2, 1, 2, "max", 2, False)), 3),
    NetworkSpec((7, 7), (BlockSpec(4, 3, 2, 2, "max", 3),), 5),
    NetworkSpec((12, 12), (BlockSpec(4, 3), BlockSpec(5, 3)), 10),  # the benchmark's shape
    NetworkSpec((5, 5), (BlockSpec(1, 3, bias=False),), 10),  # the notes' network
]
# (n_kernels, kernel_size, image_shape, pool_size, n_classes), as in test_model.py
TINY_ARCHITECTURES = [
    (1, 3, (5, 5), 2, 10), (2, 2, (5, 5), 1, 3), (3, 4, (8, 8), 3, 10), (4, 5, (8, 8), 2, 4),
    (2, 3, (6, 9), 2, 5), (8, 3, (8, 8), 2, 10), (3, 2, (28, 28), 2, 10), (2, 3, (5, 5), 4, 3),
]


def _model(spec, seed=0):
    """A ConvNet with random params, its biases random too (not the initial zeros)."""
    model = ConvNet(spec, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for name in model.params:
        if name.endswith("bias"):
            model.params[name] = rng.normal(scale=0.3, size=model.params[name].shape)
    return model


def _batch(spec, count=3, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(count, *spec.input_shape)),
            rng.integers(0, spec.n_classes, size=count))


# --- Forward ----------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", SPECS)
def test_forward_matches_the_plain_loops_layer_by_layer(spec):
    model = _model(spec)
    images, _ = _batch(spec)
    out = model.forward(images)
    x = images[:, None]
    for number, block in enumerate(spec.blocks, start=1):
        p, s = block.padding, block.stride
        maps = conv2d_channels_loops(x, model.params[f"block{number}.kernels"],
                                     model.params.get(f"block{number}.bias"), (p, p), (s, s))
        np.testing.assert_allclose(out[f"block{number}.feature_maps"], maps, rtol=1e-12,
                                   atol=1e-12)
        active = np.maximum(maps, 0)
        np.testing.assert_allclose(out[f"block{number}.activations"], active, atol=1e-12)
        pool = {"max": max_pool2d_forward, "avg": avg_pool2d_forward}.get(block.pool)
        x = active if pool is None else pool(active, block.pool_size)[0]
        np.testing.assert_allclose(out[f"block{number}.pooled"], x, atol=1e-12)
    flat = x.reshape(len(images), -1)
    np.testing.assert_allclose(out["flattened"], flat, atol=1e-12)
    logits = flat @ model.params["dense.weights"] + model.params["dense.bias"]
    np.testing.assert_allclose(out["logits"], logits, rtol=1e-12, atol=1e-12)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(out["probabilities"], probabilities, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("spec", SPECS)
def test_probabilities_and_predict_agree_with_the_forward_that_shows_the_maps(spec):
    model = _model(spec, seed=2)
    images, _ = _batch(spec, count=300)  # more than one CHUNK
    shown = model.forward(images)["probabilities"]
    np.testing.assert_allclose(model.probabilities(images), shown, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(model.predict(images), shown.argmax(axis=1))


@pytest.mark.parametrize("spec", SPECS)
def test_forward_on_one_image_equals_its_row_of_the_batch(spec):
    model = _model(spec, seed=3)
    images, _ = _batch(spec, count=4)
    batch = model.forward(images)
    for i in (0, 3):
        alone = model.forward(images[i])
        assert alone.keys() == batch.keys()
        for name, value in alone.items():
            assert value.shape == (1, *batch[name].shape[1:]), name
            np.testing.assert_allclose(value[0], batch[name][i], rtol=1e-12, atol=1e-14)


def test_forward_in_float32_agrees_with_float64():
    spec = SPECS[3]
    model = _model(spec, seed=4)
    images, _ = _batch(spec, count=5)
    double, single = model.forward(images), model.forward(images.astype(np.float32),
                                                          dtype=np.float32)
    for name in double:
        assert single[name].dtype == np.float32, name
        np.testing.assert_allclose(single[name], double[name], rtol=1e-4, atol=1e-5)


# --- Gradients --------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", SPECS)
def test_loss_and_gradients_equal_the_plain_loop_twin(spec):
    model = _model(spec, seed=5)
    images, labels = _batch(spec, count=3, seed=6)
    loss, grads = model.loss_and_gradients(images, labels)
    loop_loss, loop_grads = convnet_gradients_loops(spec, model.params, images, labels)
    assert loss == pytest.approx(loop_loss, rel=1e-12)
    assert list(grads) == list(model.params)
    for name, value in grads.items():
        assert value.shape == model.params[name].shape, name
        np.testing.assert_allclose(value, loop_grads[name], rtol=1e-10, atol=1e-13,
                                   err_msg=name)


def test_loss_and_gradients_in_float32_agree_with_float64():
    spec = SPECS[0]
    model = _model(spec, seed=7)
    images, labels = _batch(spec, count=8)
    loss, grads = model.loss_and_gradients(images, labels)
    loss32, grads32 = model.loss_and_gradients(images, labels, dtype=np.float32)
    assert loss32 == pytest.approx(loss, rel=1e-5)
    for name in grads:
        np.testing.assert_allclose(grads32[name], grads[name], rtol=1e-3, atol=1e-5)


def test_frozen_kernels_get_zero_gradients_and_the_same_dense_gradients():
    spec = SPECS[1]
    model = _model(spec, seed=8)
    images, labels = _batch(spec)
    loss, grads = model.loss_and_gradients(images, labels)
    frozen_loss, frozen = model.loss_and_gradients(images, labels, train_kernels=False)
    assert frozen_loss == loss and list(frozen) == list(grads)
    for name in model.conv_param_names():
        np.testing.assert_array_equal(frozen[name], np.zeros_like(model.params[name]))
    for name in ("dense.weights", "dense.bias"):
        np.testing.assert_array_equal(frozen[name], grads[name])


def test_loss_and_gradients_keep_no_state_and_change_neither_params_nor_images():
    spec = SPECS[0]
    model = _model(spec, seed=9)
    images, labels = _batch(spec)
    before, images_before = {k: v.copy() for k, v in model.params.items()}, images.copy()
    first_loss, first = model.loss_and_gradients(images, labels)
    model.loss_and_gradients(images[:1], labels[:1])
    second_loss, second = model.loss_and_gradients(images, labels)
    assert first_loss == second_loss
    np.testing.assert_array_equal(images, images_before)
    for name, value in before.items():
        np.testing.assert_array_equal(model.params[name], value)
        np.testing.assert_array_equal(first[name], second[name])


# --- The notes' TinyCNN is the one-block case ----------------------------------------------------

@pytest.mark.parametrize("arch", TINY_ARCHITECTURES)
def test_from_tiny_cnn_gives_the_same_logits_and_gradients(arch):
    tiny = TinyCNN(*arch, seed=10)
    tiny.params["bias"] = np.random.default_rng(11).normal(size=arch[4])
    model = ConvNet.from_tiny_cnn(tiny)
    assert model.spec.blocks == (BlockSpec(arch[0], arch[1], 0, 1, "max", arch[3], False),)
    rng = np.random.default_rng(12)
    images, labels = rng.normal(size=(6, *arch[2])), rng.integers(0, arch[4], size=6)
    tiny_out, out = tiny.forward(images), model.forward(images)
    for name in ("feature_maps", "activations", "pooled"):
        np.testing.assert_allclose(out[f"block1.{name}"], tiny_out[name], rtol=1e-12,
                                   atol=1e-12)
    for name in ("flattened", "logits", "probabilities"):
        np.testing.assert_allclose(out[name], tiny_out[name], rtol=1e-12, atol=1e-12)
    tiny_loss, tiny_grads = tiny.loss_and_gradients(images, labels)
    loss, grads = model.loss_and_gradients(images, labels)
    assert loss == pytest.approx(tiny_loss, rel=1e-12)
    pairs = {"block1.kernels": tiny_grads["kernels"][:, None],
             "dense.weights": tiny_grads["weights"], "dense.bias": tiny_grads["bias"]}
    assert set(grads) == set(pairs)
    for name, expected in pairs.items():
        np.testing.assert_allclose(grads[name], expected, rtol=1e-12, atol=1e-12)


def test_from_tiny_cnn_copies_the_params():
    tiny = TinyCNN(2, 3, (6, 6), 2, 3)
    model = ConvNet.from_tiny_cnn(tiny)
    model.params["block1.kernels"][0, 0, 0, 0] += 1.0
    assert tiny.params["kernels"][0, 0, 0] != model.params["block1.kernels"][0, 0, 0, 0]


# --- Params and their checks ---------------------------------------------------------------------

def test_same_seed_gives_the_same_params_and_another_seed_other_params():
    first, again, other = ConvNet(SPECS[3], seed=1), ConvNet(SPECS[3], seed=1), ConvNet(
        SPECS[3], seed=2)
    for name in first.params:
        np.testing.assert_array_equal(first.params[name], again.params[name])
    assert not np.array_equal(first.params["block2.kernels"], other.params["block2.kernels"])


def test_kernels_start_he_scaled_and_biases_at_zero():
    spec = NetworkSpec((28, 28), (BlockSpec(16, 3), BlockSpec(16, 3)), 10)
    model = ConvNet(spec, seed=0)
    # std sqrt(2 / (C_in k k)): 0.471 for block 1 (144 draws), 0.167 for block 2 (2,304)
    assert np.std(model.params["block1.kernels"]) == pytest.approx(np.sqrt(2 / 9), rel=0.15)
    assert np.std(model.params["block2.kernels"]) == pytest.approx(np.sqrt(2 / 144), rel=0.05)
    assert not np.any(model.params["block1.bias"]) and not np.any(model.params["dense.bias"])


def test_from_params_copies_and_checks_the_params():
    spec = SPECS[0]
    params = ConvNet(spec, seed=3).params
    model = ConvNet.from_params(spec, params)
    params["dense.bias"][0] = 5.0
    assert model.params["dense.bias"][0] != 5.0
    wrong = dict(params, **{"block2.kernels": np.zeros((2, 2, 2, 2))})
    with pytest.raises(ValueError, match=r"block2\.kernels has shape \(2, 2, 2, 2\), expected "
                                         r"\(2, 3, 2, 2\)"):
        ConvNet.from_params(spec, wrong)
    with pytest.raises(ValueError, match="params must be exactly"):
        ConvNet.from_params(spec, {k: v for k, v in params.items() if k != "block1.bias"})
    with pytest.raises(ValueError, match=r"dense\.weights contains NaN"):
        ConvNet.from_params(spec, dict(params, **{"dense.weights": np.full((2, 4), np.nan)}))


@pytest.mark.parametrize(("images", "message"), [
    (np.zeros((2, 9, 9)), "images must be 9x8, got 9x9"),
    (np.zeros((9, 8, 1, 1)), "images must be 2D or 3D"),
    (np.full((9, 8), np.nan), "NaN or infinity"),
    ([["a"] * 8] * 9, "only numbers"),
])
def test_forward_refuses_images_of_the_wrong_size_or_kind(images, message):
    model = ConvNet(SPECS[0])
    for call in (model.forward, model.probabilities, model.predict):
        with pytest.raises(ValueError, match=message):
            call(images)


def test_loss_and_gradients_refuse_bad_labels_and_dtypes():
    model = ConvNet(SPECS[0])
    images = np.zeros((2, 9, 8))
    with pytest.raises(ValueError, match=r"outside 0\.\.3"):
        model.loss_and_gradients(images, [0, 4])
    with pytest.raises(ValueError, match="expected 2 labels"):
        model.loss_and_gradients(images, [0])
    with pytest.raises(ValueError, match="dtype must be"):
        model.loss_and_gradients(images, [0, 1], dtype=np.float16)


def test_one_image_of_the_dtype_takes_the_shortcut_with_the_general_paths_numbers():
    model = _model(SPECS[3], seed=13)
    image = np.random.default_rng(14).random((12, 12))
    fast = model.forward(image)
    general = model.forward(image.tolist())
    for name in fast:
        np.testing.assert_array_equal(fast[name], general[name], err_msg=name)


def test_a_spec_of_numpy_numbers_and_lists_is_kept_as_plain_ints_and_tuples():
    spec = NetworkSpec([np.int64(8), 8], [BlockSpec(np.int64(2), bias=np.bool_(False))],
                       np.int64(3))
    model = ConvNet(spec)
    assert model.spec == NetworkSpec((8, 8), (BlockSpec(2, bias=False),), 3)
    assert type(model.spec.blocks[0].channels) is int and model.spec.blocks[0].bias is False
    with pytest.raises(ValueError, match="input_shape must be"):
        ConvNet(NetworkSpec(8, (BlockSpec(2),), 3))
    with pytest.raises(ValueError, match="input height and width"):
        ConvNet(NetworkSpec((8.5, 8), (BlockSpec(2),), 3))
    with pytest.raises(ValueError, match="spec must be a NetworkSpec"):
        ConvNet(((8, 8), (BlockSpec(2),), 3))
