"""ConvNet's gradients against central finite differences over random architectures.

hypothesis draws the architecture (1-3 blocks; 1-4 channels each, for speed; kernel 1-4;
padding 0 to k - 1; stride 1-2; max, average or no pooling of size 1-3; with or without
a conv bias) and small inputs; every parameter of every block is checked, and the dense
layer's (a sample of 150 of its weights when it has more). Float64 throughout.

Inputs are drawn until no feature map of any block is within MARGIN of ReLU's kink at 0 and
no max-pool window has its two largest cells within MARGIN. Then the logits are linear in
any one parameter (the network is linear in each parameter once the ReLU gates and the
pooling winners are fixed), so their central difference is exact but for rounding, as long
as a step crosses no kink: each step is checked to leave every gate and winner as it was,
and shrunk tenfold until it does. dL/dtheta = sum_c dL/dz_c * dz_c/dtheta, with
dL/dz = (softmax(z) - one_hot(y)) / N written out here (not the model's backward), and
dz/dtheta by those central differences. Relative error per entry, |a - n| / (|a| + |n|),
entries below 1e-9 of the parameter's largest gradient measured against that floor.
"""

import numpy as np
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from cnn_core import BlockSpec, ConvNet, NetworkSpec
from tests.support.pool_windows import pool_windows

STEP = 1e-3  # the first step tried; shrunk tenfold while it would cross a kink
MARGIN = 1e-4
TOLERANCE = 1e-6
DENSE_SAMPLE = 150


@st.composite
def _specs(draw):
    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        k = draw(st.integers(1, 4))
        blocks.append(BlockSpec(draw(st.integers(1, 4)), k, draw(st.integers(0, k - 1)),
                                draw(st.integers(1, 2)),
                                draw(st.sampled_from(["max", "avg", "none"])),
                                draw(st.integers(1, 3)), draw(st.booleans())))
    shape = (draw(st.integers(4, 10)), draw(st.integers(4, 10)))
    return NetworkSpec(shape, tuple(blocks), draw(st.integers(2, 4)))


def _largest_two_gap(maps, size):
    """Smallest gap between a max-pool window's largest and second-largest cell, (N, C, h, w)
    maps, stride = size, cut-off windows padded with -inf (their missing cells never win)."""
    if size == 1:
        return np.inf
    n, c, h, w = maps.shape
    ph, pw = -(-h // size), -(-w // size)
    padded = np.full((n, c, ph * size, pw * size), -np.inf)
    padded[:, :, :h, :w] = maps
    windows = padded.reshape(n, c, ph, size, pw, size).transpose(0, 1, 2, 4, 3, 5)
    ordered = np.sort(windows.reshape(n, c, ph, pw, size * size), axis=-1)
    gaps = ordered[..., -1] - ordered[..., -2]
    # a window whose largest cell is negative pools to ReLU's 0 whoever wins
    return float(np.min(np.where(ordered[..., -1] < 0, np.inf, gaps)))


def _kink_free_batch(model, rng, count=2):
    """Images whose every map stays MARGIN away from ReLU's kink and max-pool ties."""
    for _ in range(40):
        images = rng.normal(size=(count, *model.spec.input_shape))
        out = model.forward(images)
        safe = True
        for number, block in enumerate(model.spec.blocks, start=1):
            maps = out[f"block{number}.feature_maps"]
            safe &= np.min(np.abs(maps)) > MARGIN
            if block.pool == "max":
                safe &= _largest_two_gap(maps, block.pool_size) > MARGIN
        if safe:
            return images, rng.integers(0, model.n_classes, size=count)
    return None


def _relative_errors(analytic, numeric):
    floor = 1e-9 * max(np.max(np.abs(analytic)), np.max(np.abs(numeric)), 1e-12)
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), floor)


def _window_winners(maps, size):
    """Index of each max-pool window's largest cell, -1 where that cell is not positive."""
    windows = pool_windows(maps, size)
    return np.where(windows.max(axis=-1) > 0, windows.argmax(axis=-1), -1)


def _logits_and_gates(model, images):
    """The logits and every ReLU gate and max-pool winner of the forward pass."""
    out = model.forward(images)
    gates = []
    for number, block in enumerate(model.spec.blocks, start=1):
        maps = out[f"block{number}.feature_maps"]
        gates.append(maps > 0)
        if block.pool == "max":
            gates.append(_window_winners(maps, block.pool_size))
    return out["logits"], gates


def _same(gates, others):
    return all(np.array_equal(a, b) for a, b in zip(gates, others, strict=True))


def _numerical_gradient(model, images, d_logits, name, cells):
    """sum_c d_logits * dz/dtheta for the given flat cells of params[name], each dz/dtheta a
    central difference whose step crosses no kink."""
    value = model.params[name].reshape(-1)
    _, gates = _logits_and_gates(model, images)
    numeric = []
    for cell in cells:
        saved, step = value[cell], STEP
        while True:
            value[cell] = saved + step
            plus, plus_gates = _logits_and_gates(model, images)
            value[cell] = saved - step
            minus, minus_gates = _logits_and_gates(model, images)
            value[cell] = saved
            if _same(gates, plus_gates) and _same(gates, minus_gates):
                break
            step /= 10
            assert step > 1e-9, f"{name}[{cell}]: every step crosses a kink"
        numeric.append(float(np.sum(d_logits * (plus - minus))) / (2 * step))
    return np.array(numeric)


THREE_BLOCKS = NetworkSpec((10, 9), (BlockSpec(3, 3, 1, 1, "max", 2),
                                     BlockSpec(4, 2, 1, 2, "avg", 2, bias=False),
                                     BlockSpec(2, 2, 0, 1, "none")), 3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=_specs(), seed=st.integers(0, 2**32 - 1))
@example(spec=THREE_BLOCKS, seed=1)
@example(spec=NetworkSpec((12, 12), (BlockSpec(4, 3), BlockSpec(4, 3)), 10), seed=2)
def test_every_gradient_of_every_block_matches_finite_differences(spec, seed):
    try:
        spec.check()
    except ValueError:
        assume(False)  # a kernel that does not fit: test_network_spec checks the message
    rng = np.random.default_rng(seed)
    model = ConvNet(spec, seed=seed % 1000)
    for name in model.params:
        if name.endswith("bias"):  # non-zero biases, so their gradients mean something
            model.params[name] = rng.normal(scale=0.3, size=model.params[name].shape)
    batch = _kink_free_batch(model, rng)
    assume(batch is not None)
    images, labels = batch
    _, grads = model.loss_and_gradients(images, labels)
    probabilities = model.forward(images)["probabilities"]
    d_logits = (probabilities - np.eye(spec.n_classes)[labels]) / len(images)
    for name, value in model.params.items():
        cells = np.arange(value.size)
        if name == "dense.weights" and value.size > DENSE_SAMPLE:
            cells = rng.choice(value.size, DENSE_SAMPLE, replace=False)
        numeric = _numerical_gradient(model, images, d_logits, name, cells)
        error = float(np.max(_relative_errors(grads[name].ravel()[cells], numeric)))
        assert error <= TOLERANCE, f"{name}: relative error {error:.2e}"


def test_the_check_sees_a_wrong_gradient():
    # the same comparison fails for a gradient off by 1e-4 of its size: it is not vacuous
    analytic = np.array([0.3, -0.02, 1e-3])
    assert np.max(_relative_errors(analytic, analytic * (1 + 1e-4))) > TOLERANCE
    assert np.max(_relative_errors(analytic, analytic)) == 0.0
