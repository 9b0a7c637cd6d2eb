"""cnn_core.backprop and cnn_core.kernel_gradient: the notes' numbers, TinyCNN's own
gradients, and finite differences."""

import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnn_core import TinyCNN
from cnn_core.backprop import backprop_trace, pool_routing, sgd_step
from cnn_core.data import NOTES_EIGHT
from cnn_core.gradcheck import numerical_gradient, relative_error
from cnn_core.kernel_gradient import (
    kernel_cell_finite_difference,
    kernel_gradient_cell,
    written_kernel_gradient,
)
from cnn_core.network import ConvNet
from cnn_core.network_spec import BlockSpec, NetworkSpec
from cnn_core.number_text import MINUS

NOTES_KERNEL = [[[0.0, 0, 0], [0, 0, 0], [1, 0, 1]]]


def notes_model(seed: int = 0) -> TinyCNN:
    rng = np.random.RandomState(seed)
    weights = rng.randn(4, 10) * 0.01
    return TinyCNN.from_params({"kernels": NOTES_KERNEL, "weights": weights,
                                "bias": rng.randn(10) * 0.01}, (5, 5))


def random_case(seed: int, n_kernels: int = 3, kernel_size: int = 3, size: int = 8):
    """A model and a tie-free, zero-free image (uniform floats never tie in practice)."""
    rng = np.random.default_rng(seed)
    model = TinyCNN(n_kernels, kernel_size, (size, size), 2, 10, seed=seed)
    return model, rng.uniform(0.05, 1.0, size=(size, size))


def test_notes_eight_forward_values_match_the_notes():
    trace = backprop_trace(notes_model(), NOTES_EIGHT, 8)
    np.testing.assert_array_equal(trace.feature_maps[0], [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    np.testing.assert_array_equal(trace.activations[0], [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    np.testing.assert_array_equal(trace.pooled[0], [[2, 1], [2, 1]])
    np.testing.assert_array_equal(trace.flattened, [2, 1, 2, 1])
    assert trace.loss == pytest.approx(-np.log(trace.probabilities[8]))


def test_d_logits_is_p_minus_one_hot():
    trace = backprop_trace(notes_model(), NOTES_EIGHT, 8)
    expected = trace.probabilities.copy()
    expected[8] -= 1
    np.testing.assert_allclose(trace.d_logits, expected)
    np.testing.assert_allclose(trace.d_bias, expected)
    np.testing.assert_allclose(trace.d_weights, np.outer([2, 1, 2, 1], expected))


def test_notes_tie_goes_to_the_first_cell_only():
    # Window (0, 0) of [[1,2,1],[0,2,0],[1,2,1]] holds 2 at [0,1] and at [1,1]: a tie.
    trace = backprop_trace(notes_model(), NOTES_EIGHT, 8)
    np.testing.assert_array_equal(trace.tied_windows[0], [[True, False], [False, False]])
    np.testing.assert_array_equal(trace.winners[0], [[0, 1, 1], [0, 0, 0], [0, 1, 1]])
    assert trace.d_activations[0, 1, 1] == 0
    assert trace.d_activations[0, 0, 1] == trace.d_pooled[0, 0, 0]


def test_relu_zeroes_the_gradient_where_the_feature_map_is_not_positive():
    model, image = random_case(3)
    trace = backprop_trace(model, image, 4)
    off = trace.feature_maps <= 0
    assert np.all(trace.d_feature_maps[off] == 0)
    np.testing.assert_array_equal(trace.d_feature_maps[~off], trace.d_activations[~off])


@pytest.mark.parametrize("seed, kernels, size", [(0, 1, 3), (1, 4, 2), (2, 3, 5), (5, 16, 3)])
def test_trace_equals_tinycnn_loss_and_gradients(seed, kernels, size):
    model, image = random_case(seed, kernels, size)
    trace = backprop_trace(model, image, seed % 10)
    loss, grads = model.loss_and_gradients(image[None], np.array([seed % 10]))
    assert trace.loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(trace.d_kernels, grads["kernels"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(trace.d_weights, grads["weights"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(trace.d_bias, grads["bias"], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kernel_gradient_matches_finite_differences(seed):
    model, image = random_case(seed)
    trace = backprop_trace(model, image, 7)

    def loss(kernels: np.ndarray) -> float:
        probe = TinyCNN.from_params({**model.params, "kernels": kernels}, (8, 8))
        return backprop_trace(probe, image, 7).loss

    numeric = numerical_gradient(loss, model.params["kernels"].copy())
    assert relative_error(trace.d_kernels, numeric) < 1e-5


def test_kernel_cell_finite_difference_agrees_with_the_trace():
    model, image = random_case(4)
    trace = backprop_trace(model, image, 2)
    for kernel, m, n in [(0, 0, 0), (1, 2, 1), (2, 1, 2)]:
        numeric = kernel_cell_finite_difference(model, image, 2, kernel, m, n)
        assert numeric == pytest.approx(trace.d_kernels[kernel, m, n], rel=1e-5, abs=1e-9)


def test_kernel_gradient_cell_sums_the_input_window_times_the_upstream_gradient():
    model, image = random_case(6)
    trace = backprop_trace(model, image, 1)
    for m in range(3):
        for n in range(3):
            cell = kernel_gradient_cell(image, trace.d_feature_maps[2], m, n)
            assert len(cell.terms) == 36
            assert cell.terms[7].input_index == (1 + m, 1 + n)
            assert cell.value == pytest.approx(trace.d_kernels[2, m, n], rel=1e-12, abs=1e-15)


def test_written_kernel_gradient_lists_only_nonzero_terms_with_real_minus_signs():
    image = np.array([[1.0, 0, 2], [0, 1, 0], [3, 0, 1]])
    delta = np.array([[0.5, -0.25], [0.0, 2.0]])
    cell = kernel_gradient_cell(image, delta, 0, 1)
    # terms: x[0,1]=0·0.5, x[0,2]=2·(−0.25), x[1,1]=1·0, x[1,2]=0·2
    assert cell.value == pytest.approx(-0.5)
    text = written_kernel_gradient(cell)
    assert text == "dL/dg(0,1) = (2×\u22120.25) = \u22120.5  [3 terms with a zero factor left out]"
    assert "-" not in text
    assert written_kernel_gradient(cell, skip_zeros=False).count("×") == 4


def test_kernel_gradient_cell_rejects_bad_positions():
    with pytest.raises(ValueError, match="kernel row"):
        kernel_gradient_cell(np.ones((5, 5)), np.ones((3, 3)), 3, 0)
    with pytest.raises(ValueError, match="kernel column"):
        kernel_gradient_cell(np.ones((5, 5)), np.ones((3, 3)), 0, -1)
    with pytest.raises(ValueError, match="kernel 5"):
        kernel_cell_finite_difference(notes_model(), NOTES_EIGHT, 8, 5, 0, 0)


def test_trace_rejects_a_wrong_image_size_and_a_bad_label():
    with pytest.raises(ValueError, match="5x5"):
        backprop_trace(notes_model(), np.zeros((8, 8)), 8)
    with pytest.raises(ValueError, match="label 10"):
        backprop_trace(notes_model(), NOTES_EIGHT, 10)


def test_sgd_step_lowers_the_loss_and_leaves_the_model_alone():
    model = notes_model()
    before = {k: v.copy() for k, v in model.params.items()}
    stepped = sgd_step(model, NOTES_EIGHT, 8, 0.5)
    for name, value in before.items():
        np.testing.assert_array_equal(model.params[name], value)
    trace = backprop_trace(model, NOTES_EIGHT, 8)
    np.testing.assert_allclose(stepped.params["kernels"],
                               before["kernels"] - 0.5 * trace.d_kernels)
    assert backprop_trace(stepped, NOTES_EIGHT, 8).loss < trace.loss


def test_sgd_step_refuses_a_step_that_overflows():
    with pytest.raises(ValueError, match="smaller learning rate"):
        sgd_step(notes_model(), NOTES_EIGHT, 8, 1e308)
    with pytest.raises(ValueError, match="positive"):
        sgd_step(notes_model(), NOTES_EIGHT, 8, 0.0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), label=st.integers(0, 9))
def test_every_window_routes_its_gradient_to_exactly_one_cell(seed, label):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 2, size=(8, 8)).astype(float)  # binary: many ties
    model = TinyCNN(2, 3, (8, 8), 2, 10, seed=seed)
    trace = backprop_trace(model, image, label)
    assert trace.winners.sum() == trace.pooled.size
    np.testing.assert_allclose(trace.d_activations.sum(axis=(1, 2)),
                               trace.d_pooled.sum(axis=(1, 2)), atol=1e-12)


def written_products_sum(text: str) -> Decimal:
    """The exact sum of the products a written gradient shows, read from its text."""
    pairs = re.findall(r"\(([^×()]+)×([^×()]+)\)", text)
    return sum((Decimal(a.replace(MINUS, "-")) * Decimal(b.replace(MINUS, "-"))
                for a, b in pairs), Decimal(0))


def test_a_written_gradient_whose_rounded_terms_miss_the_total_says_approximately():
    image = np.ones((3, 3))
    delta = np.array([[0.024864, 0.024864], [0.024864, 0.024862]])  # sum 0.099454
    text = written_kernel_gradient(kernel_gradient_cell(image, delta, 0, 0))
    # each term is written 0.02486, which adds up to 0.09944, not the true 0.09945
    assert text.endswith("≈ 0.09945")
    assert written_products_sum(text) == Decimal("0.09944")


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, (2, 2), elements=st.floats(-1, 1, allow_subnormal=False)),
       arrays(np.float64, (3, 3), elements=st.sampled_from([0.0, 0.5, 1.0, 0.25])))
def test_a_written_gradient_says_equals_only_when_its_terms_add_up_to_the_total(delta, image):
    text = written_kernel_gradient(kernel_gradient_cell(image, delta, 1, 1))
    sign, total = text.split("  [")[0].rsplit(" ", 2)[1:]
    assert sign in ("=", "≈"), text
    added = written_products_sum(text)
    digits = f"{float(added) + 0.0:.4g}".replace("-", MINUS)
    assert (sign == "=") == (digits == total), (text, added)


def routing_by_loops(activations: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The plain-loop twin of pool_routing: per window (cut-off edge windows kept), the
    first cell in reading order holding the maximum wins; a window ties when two do."""
    h, w = activations.shape
    ph, pw = -(-h // size), -(-w // size)
    winners, tied = np.zeros((h, w), dtype=bool), np.zeros((ph, pw), dtype=bool)
    for r in range(ph):
        for c in range(pw):
            cells = [(i, j) for i in range(r * size, min(h, (r + 1) * size))
                     for j in range(c * size, min(w, (c + 1) * size))]
            top = max(activations[i, j] for i, j in cells)
            holders = [cell for cell in cells if activations[cell] == top]
            winners[holders[0]] = True
            tied[r, c] = len(holders) > 1
    return winners, tied


@pytest.mark.parametrize("size, shape", [(2, (6, 6)), (2, (7, 5)), (3, (8, 8)), (1, (3, 4))])
@pytest.mark.parametrize("seed", [0, 1])
def test_pool_routing_equals_its_loop_twin_with_ties_and_cut_off_windows(size, shape, seed):
    rng = np.random.default_rng(seed)
    activations = np.maximum(rng.integers(-2, 3, size=(3, *shape)).astype(float), 0.0)
    winners, tied = pool_routing(activations, size)
    assert tied.any() or size == 1  # small integers: ties are common
    for k in range(3):
        loop_winners, loop_tied = routing_by_loops(activations[k], size)
        np.testing.assert_array_equal(winners[k], loop_winners)
        np.testing.assert_array_equal(tied[k], loop_tied)


def test_pool_routing_gives_the_tinycnn_traces_winners_and_ties():
    trace = backprop_trace(notes_model(), NOTES_EIGHT, 8)
    winners, tied = pool_routing(trace.activations, 2)
    np.testing.assert_array_equal(winners, trace.winners)
    np.testing.assert_array_equal(tied, trace.tied_windows)


def small_convnet(seed: int) -> tuple[ConvNet, np.ndarray]:
    spec = NetworkSpec((9, 9), (BlockSpec(3, 3, 1, 1, "max", 2),
                                BlockSpec(4, 2, 0, 2, "avg", 2)), 10)
    rng = np.random.default_rng(seed)
    return ConvNet(spec, seed=seed), rng.uniform(0.05, 1.0, size=(9, 9))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_convnet_sgd_step_moves_every_parameter_against_its_finite_difference(seed):
    model, x = small_convnet(seed)
    before = {name: value.copy() for name, value in model.params.items()}
    stepped = sgd_step(model, x, 4, 0.5)
    assert isinstance(stepped, ConvNet) and stepped.spec == model.spec
    rng = np.random.default_rng(seed)
    for name, value in before.items():
        np.testing.assert_array_equal(model.params[name], value)  # the given model stays
        probe = ConvNet.from_params(model.spec, before)
        for cell in {tuple(int(rng.integers(s)) for s in value.shape) for _ in range(3)}:

            def loss(v: np.ndarray, name=name, cell=cell, probe=probe) -> float:
                probe.params[name][cell] = v[0]
                return probe.loss_and_gradients(x, np.array([4]))[0]

            slope = numerical_gradient(loss, np.array([value[cell]]))[0]
            assert stepped.params[name][cell] == pytest.approx(value[cell] - 0.5 * slope,
                                                               rel=1e-6, abs=1e-9)
    loss_before = model.loss_and_gradients(x, np.array([4]))[0]
    assert stepped.loss_and_gradients(x, np.array([4]))[0] < loss_before


def test_a_convnet_sgd_step_refuses_a_bad_rate_and_a_wrong_image():
    model, x = small_convnet(0)
    with pytest.raises(ValueError, match="learning rate"):
        sgd_step(model, x, 1, -0.1)
    with pytest.raises(ValueError, match="9x9"):
        sgd_step(model, x[:5], 1, 0.1)
