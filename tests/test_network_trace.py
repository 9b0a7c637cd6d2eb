"""Tests for cnn_core.network_trace: one image's values and gradients, block by block.

Oracles: ConvNet.forward for the values and ConvNet.loss_and_gradients (the fused blocks)
for the gradients, the sum over input channels for the contributions, the trace's own
d_kernels for the written-out terms, and finite differences for the check the page offers.
"""

import numpy as np
import pytest

from cnn_core import BlockSpec, ConvNet, NetworkSpec
from cnn_core.network_trace import (
    channel_contributions,
    kernel_cell_finite_difference,
    kernel_gradient_terms,
    network_trace,
)

SPECS = [
    NetworkSpec((12, 12), (BlockSpec(4, 3), BlockSpec(5, 3, padding=1)), 10),
    NetworkSpec((10, 9), (BlockSpec(3, 3, 1, 2, "avg", 2), BlockSpec(2, 2, 1, 1, "none"),
                          BlockSpec(3, 2, 0, 1, "max", 2, bias=False)), 4),
]


def _model(spec, seed=0):
    model = ConvNet(spec, seed=seed)
    rng = np.random.default_rng(seed + 1)
    for name in model.params:
        if name.endswith("bias"):
            model.params[name] = rng.normal(scale=0.3, size=model.params[name].shape)
    return model, rng.random(spec.input_shape), int(rng.integers(0, spec.n_classes))


@pytest.mark.parametrize("spec", SPECS)
def test_the_trace_shows_the_forward_values_and_the_fused_passs_gradients(spec):
    model, image, label = _model(spec)
    trace = network_trace(model, image, label)
    out = model.forward(image)
    assert len(trace.blocks) == len(spec.blocks) and trace.label == label
    np.testing.assert_array_equal(trace.image, image)
    for number, seen in enumerate(trace.blocks, start=1):
        for name in ("feature_maps", "activations", "pooled"):
            np.testing.assert_allclose(getattr(seen, name), out[f"block{number}.{name}"][0],
                                       rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(trace.probabilities, out["probabilities"][0], rtol=1e-12)
    loss, grads = model.loss_and_gradients(image, [label])
    assert trace.loss == pytest.approx(loss, rel=1e-12)
    for number, seen in enumerate(trace.blocks, start=1):
        np.testing.assert_allclose(seen.d_kernels, grads[f"block{number}.kernels"],
                                   rtol=1e-10, atol=1e-14)
        if spec.blocks[number - 1].bias:
            np.testing.assert_allclose(seen.d_bias, grads[f"block{number}.bias"], rtol=1e-10,
                                       atol=1e-14)
        else:
            assert seen.d_bias is None
    np.testing.assert_allclose(trace.d_weights, grads["dense.weights"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(trace.d_dense_bias, grads["dense.bias"], rtol=1e-10)


def test_each_blocks_input_gradient_is_the_next_blocks_pooled_gradient_reversed():
    model, image, label = _model(SPECS[1])
    trace = network_trace(model, image, label)
    for before, after in zip(trace.blocks, trace.blocks[1:], strict=False):
        np.testing.assert_array_equal(after.input, before.pooled)
        np.testing.assert_allclose(after.d_input, before.d_pooled, rtol=0, atol=0)
    np.testing.assert_allclose(trace.d_flattened, trace.blocks[-1].d_pooled.ravel())


@pytest.mark.parametrize("spec", SPECS)
def test_the_input_channels_contributions_add_up_to_the_map_with_the_bias(spec):
    model, image, label = _model(spec, seed=2)
    trace = network_trace(model, image, label)
    for number, block in enumerate(spec.blocks, start=1):
        seen = trace.blocks[number - 1]
        for channel in range(block.channels):
            parts = channel_contributions(model, trace, number, channel)
            assert parts.shape == (seen.input.shape[0], *seen.feature_maps.shape[1:])
            bias = model.params[f"block{number}.bias"][channel] if block.bias else 0.0
            np.testing.assert_allclose(parts.sum(axis=0) + bias, seen.feature_maps[channel],
                                       rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spec", SPECS)
def test_kernel_gradient_terms_add_up_to_the_kernel_gradient_of_any_block(spec):
    model, image, label = _model(spec, seed=3)
    trace = network_trace(model, image, label)
    rng = np.random.default_rng(4)
    for number in range(1, len(spec.blocks) + 1):
        kernels = model.params[f"block{number}.kernels"]
        for _ in range(5):
            cell = tuple(int(rng.integers(0, n)) for n in kernels.shape)
            terms, value = kernel_gradient_terms(model, trace, number, *cell)
            assert len(terms) == trace.blocks[number - 1].d_feature_maps[0].size
            assert value == pytest.approx(trace.blocks[number - 1].d_kernels[cell], rel=1e-10,
                                          abs=1e-14)


def test_padding_terms_read_zero_and_name_an_index_outside_the_input():
    spec = NetworkSpec((6, 6), (BlockSpec(2, 3, padding=1),), 3)
    model, image, label = _model(spec, seed=5)
    terms, _ = kernel_gradient_terms(model, network_trace(model, image, label), 1, 0, 0, 0, 0)
    first = terms[0]  # cell (0, 0) reads the top-left padding corner with kernel cell (0, 0)
    assert first.map_index == (0, 0) and first.input_index == (-1, -1)
    assert first.input_value == 0.0
    assert terms[7].input_index == (0, 0) and terms[7].input_value == image[0, 0]


@pytest.mark.parametrize("spec", SPECS)
def test_the_finite_difference_check_agrees_with_the_kernel_gradient_of_every_block(spec):
    model, image, label = _model(spec, seed=6)
    trace = network_trace(model, image, label)
    before = {name: value.copy() for name, value in model.params.items()}
    for number in range(1, len(spec.blocks) + 1):
        gradient = trace.blocks[number - 1].d_kernels
        cell = np.unravel_index(np.argmax(np.abs(gradient)), gradient.shape)
        numeric = kernel_cell_finite_difference(model, image, label, number, *map(int, cell))
        assert numeric == pytest.approx(gradient[cell], rel=1e-5)
    for name, value in before.items():
        np.testing.assert_array_equal(model.params[name], value)


@pytest.mark.parametrize("call, message", [
    (lambda m, t: channel_contributions(m, t, 3, 0), "block must be 1 to 2"),
    (lambda m, t: channel_contributions(m, t, 1, 4), "output channel 4 is outside 0..3"),
    (lambda m, t: kernel_gradient_terms(m, t, 2, 0, 4, 0, 0), "input channel 4"),
    (lambda m, t: kernel_gradient_terms(m, t, 1, 0, 0, 3, 0), "kernel row 3"),
    (lambda m, t: kernel_gradient_terms(m, t, 1, 0, 0, 0, True), "kernel column True"),
])
def test_bad_block_channel_or_cell_numbers_are_refused(call, message):
    model, image, label = _model(SPECS[0])
    with pytest.raises(ValueError, match=message):
        call(model, network_trace(model, image, label))


def test_the_trace_takes_one_image_and_a_valid_label():
    model, image, _ = _model(SPECS[0])
    with pytest.raises(ValueError, match="one image"):
        network_trace(model, np.stack([image, image]), 0)
    with pytest.raises(ValueError, match=r"outside 0\.\.9"):
        network_trace(model, image, 10)
    with pytest.raises(ValueError, match="block must be 1 to 2"):
        kernel_cell_finite_difference(model, image, 0, 3, 0, 0, 0, 0)
