"""Tests for cnn_core.losses: softmax, cross-entropy and their fused forward.

Oracles: the notes' printed dense output and probabilities, then the definitions
p = exp(z) / sum exp(z) and L = -log p[label]. Gradients: test_gradcheck.py.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnn_core import TinyCNN, cross_entropy, softmax, softmax_cross_entropy_forward

# Copied from the notes ("Fully Connected Layer Output" and "Softmax Output").
NOTES_DENSE_OUTPUT = [0.05802171, -0.00893779, 0.06423701, -0.05868947, -0.01187308,
                      0.00291787, -0.03199532, 0.0389161, 0.01085836, 0.00250945]
NOTES_PROBABILITIES = [0.10520655, 0.09839264, 0.10586247, 0.09361722, 0.09810425,
                       0.09956609, 0.0961499, 0.10321559, 0.10035984, 0.09952544]

_logit = st.floats(-1000, 1000, allow_nan=False, allow_infinity=False)
_logit_rows = arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 12)),
                     elements=_logit)


# --- softmax --------------------------------------------------------------------------

def test_softmax_of_the_notes_dense_output_gives_the_printed_probabilities():
    np.testing.assert_allclose(softmax(NOTES_DENSE_OUTPUT), NOTES_PROBABILITIES,
                               rtol=0, atol=1e-8)


def test_softmax_of_the_notes_dense_output_ranks_class_2_first():
    assert int(np.argmax(softmax(NOTES_DENSE_OUTPUT))) == 2


def test_softmax_by_hand_for_two_classes():
    np.testing.assert_allclose(softmax([0.0, math.log(3.0)]), [0.25, 0.75], rtol=1e-15)


@settings(max_examples=40, deadline=None)
@given(logits=_logit_rows)
def test_softmax_rows_are_probabilities_that_sum_to_one(logits):
    p = softmax(logits)
    assert p.shape == logits.shape
    assert np.all(np.isfinite(p))
    # exp(-2000) underflows to 0, so (0, 1] is checked on moderate logits below
    assert np.all(p >= 0)
    assert np.all(p <= 1)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    # the largest logit always keeps a probability in (0, 1]
    assert np.all(p.max(axis=-1) > 0)


@settings(max_examples=40, deadline=None)
@given(logits=arrays(np.float64, st.integers(2, 10), elements=st.floats(-30, 30)))
def test_softmax_of_moderate_logits_lies_in_zero_exclusive_to_one_inclusive(logits):
    p = softmax(logits)
    assert np.all(p > 0)
    assert np.all(p <= 1)


@settings(max_examples=40, deadline=None)
@given(logits=_logit_rows, shift=st.floats(-1000, 1000))
def test_softmax_is_shift_invariant(logits, shift):
    np.testing.assert_allclose(softmax(logits + shift), softmax(logits), rtol=0, atol=1e-9)


@pytest.mark.parametrize("big", [1000.0, -1000.0, 1e6])
def test_softmax_of_huge_logits_is_finite_and_correct(big):
    p = softmax([big, big, big - 1.0])
    assert np.all(np.isfinite(p))
    e = math.exp(-1.0)
    np.testing.assert_allclose(p, [1 / (2 + e), 1 / (2 + e), e / (2 + e)], rtol=1e-12)


@pytest.mark.parametrize(
    ("logits", "message"),
    [
        (["a", "b"], "logits must contain only numbers"),
        (None, "logits must contain only numbers"),
        ([[1.0, 2.0], [3.0]], "logits must be a rectangular array"),
        ([1.0, np.nan], "logits contains NaN or infinity"),
        ([np.inf, 0.0], "logits contains NaN or infinity"),
        ([], "logits is empty"),
    ],
)
def test_softmax_rejects_bad_logits(logits, message):
    with pytest.raises(ValueError, match=message):
        softmax(logits)


# --- cross_entropy ----------------------------------------------------------------------

def test_cross_entropy_of_the_notes_probabilities_for_an_eight():
    # the notes' label is one-hot for 8; L = -log p[8]
    assert cross_entropy(NOTES_PROBABILITIES, 8) == pytest.approx(-math.log(0.10035984),
                                                                  rel=1e-7)


def test_cross_entropy_is_the_mean_over_a_batch():
    p = np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    expected = -(math.log(0.25) + math.log(0.8)) / 2
    assert cross_entropy(p, [2, 2]) == pytest.approx(expected, rel=1e-15)


def test_cross_entropy_of_a_certain_right_answer_is_zero():
    assert cross_entropy([0.0, 1.0, 0.0], 1) == 0.0


def test_cross_entropy_of_a_zero_probability_is_large_but_finite():
    loss = cross_entropy([1.0, 0.0], 1)
    assert math.isfinite(loss)
    assert loss == pytest.approx(-math.log(np.finfo(np.float64).tiny))


@settings(max_examples=40, deadline=None)
@given(logits=_logit_rows, data=st.data())
def test_cross_entropy_is_never_negative(logits, data):
    n, c = logits.shape
    labels = data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n))
    p = softmax(logits)
    loss = cross_entropy(p, labels)
    assert loss >= 0.0
    assert math.isfinite(loss)


@pytest.mark.parametrize("label", [10, -1, 99])
def test_cross_entropy_rejects_a_label_outside_the_classes(label):
    with pytest.raises(ValueError, match=rf"label {label} is outside 0\.\.9"):
        cross_entropy(NOTES_PROBABILITIES, label)


@pytest.mark.parametrize("label", [1.5, "2", None, True])
def test_cross_entropy_rejects_a_label_that_is_not_a_whole_number(label):
    with pytest.raises(ValueError, match="labels must be whole numbers"):
        cross_entropy(NOTES_PROBABILITIES, label)


def test_cross_entropy_rejects_a_label_count_that_differs_from_the_batch():
    with pytest.raises(ValueError, match="expected 2 labels, got 3"):
        cross_entropy([[0.5, 0.5], [0.5, 0.5]], [0, 1, 1])


@pytest.mark.parametrize(
    "probabilities",
    [
        NOTES_DENSE_OUTPUT,  # logits passed by mistake
        [0.5, 0.6],  # sums to 1.1
        [0.4, 0.4],  # sums to 0.8
        [1.5, -0.5],  # sums to 1 but is not a probability
        [[0.5, 0.5], [0.3, 0.3]],  # the second row does not sum to 1
    ],
)
def test_cross_entropy_rejects_probabilities_that_do_not_sum_to_one(probabilities):
    with pytest.raises(ValueError, match="sum to 1"):
        cross_entropy(probabilities, 0)


@pytest.mark.parametrize(
    ("probabilities", "message"),
    [
        (["a", "b"], "probabilities must contain only numbers"),
        ([0.5, np.nan], "probabilities contains NaN"),
        (np.full((1, 1, 2), 0.5), "probabilities must be 1D or 2D"),
        ([], "probabilities is empty"),
    ],
)
def test_cross_entropy_rejects_bad_probabilities(probabilities, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy(probabilities, 0)


# --- softmax_cross_entropy_forward -------------------------------------------------------------

def test_softmax_cross_entropy_forward_equals_cross_entropy_of_softmax():
    rng = np.random.default_rng(0)
    logits, labels = rng.normal(size=(6, 5)) * 3, rng.integers(0, 5, size=6)
    loss, cache = softmax_cross_entropy_forward(logits, labels)
    assert loss == pytest.approx(cross_entropy(softmax(logits), labels), rel=1e-13)
    np.testing.assert_allclose(cache.probabilities, softmax(logits), rtol=1e-14)


def test_softmax_cross_entropy_forward_stays_accurate_for_huge_logit_gaps():
    # softmax underflows p[1] to 0 here; the log-softmax route still gives the exact 2000
    loss, _ = softmax_cross_entropy_forward(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0, rel=1e-15)


# --- TinyCNN labels ----------------------------------------------------------------------------

@pytest.mark.parametrize(("labels", "message"),
                         [([0, 3], r"label 3 is outside 0\.\.2"),
                          ([-1, 0], r"label -1 is outside 0\.\.2"),
                          ([0.5, 1], "whole numbers"),
                          ([0], "expected 2 labels, got 1")])
def test_tiny_cnn_loss_and_gradients_rejects_bad_labels(labels, message):
    model = TinyCNN(n_kernels=2, image_shape=(5, 5), n_classes=3)
    with pytest.raises(ValueError, match=message):
        model.loss_and_gradients(np.ones((2, 5, 5)), labels)
