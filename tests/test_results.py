"""cnn_core/results.py: confusion counts and mistakes by plain loops, and the two warnings'
rules on hand-made histories."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pytest

from cnn_core.results import (
    at_chance,
    chance_accuracy,
    confusion_counts,
    guessing_loss,
    loss_too_high,
    mistakes,
)


class Epoch(NamedTuple):
    train_loss: float
    train_accuracy: float


def test_confusion_counts_equal_a_plain_loop():
    rng = np.random.default_rng(0)
    true, predicted = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    expected = np.zeros((4, 4), dtype=int)
    for t, p in zip(true, predicted, strict=True):
        expected[t, p] += 1
    counts = confusion_counts(true, predicted, 4)
    np.testing.assert_array_equal(counts, expected)
    assert counts.sum() == 50 and np.trace(counts) == int(np.sum(true == predicted))


def test_mistakes_are_the_first_wrong_images_in_order():
    images = np.arange(6)[:, None, None] * np.ones((6, 2, 2))
    true, predicted = np.array([1, 2, 3, 4, 5, 6]), np.array([1, 0, 3, 0, 0, 6])
    wrong = mistakes(images, true, predicted, limit=2)
    np.testing.assert_array_equal(wrong.images[:, 0, 0], [1, 3])
    np.testing.assert_array_equal(wrong.true, [2, 4])
    np.testing.assert_array_equal(wrong.predicted, [0, 0])
    assert len(mistakes(images, true, true).images) == 0


def test_guessing_loss_is_log_of_the_class_count():
    assert guessing_loss(10) == pytest.approx(2.302585, abs=1e-6)


@pytest.mark.parametrize(("losses", "too_high"), [
    ([], False),
    ([2.0, 1.0], False),  # falling
    ([0.5, 0.9], False),  # rising, but the first loss was already small
    ([1.5, 1.6], True),  # rising from above half of log(10)
    ([2.0, 7.0], True),  # more than 3 log(10)
    ([0.1, 6.9], False),  # just under 3 log(10) = 6.91, first loss small
])
def test_the_loss_is_too_high_when_far_above_guessing_or_rising(losses, too_high):
    history = [Epoch(loss, 0.5) for loss in losses]
    assert loss_too_high(history, 10) is too_high
    assert 3 * math.log(10) == pytest.approx(6.9078, abs=1e-4)


def test_chance_is_calling_every_image_the_most_common_label():
    labels = np.array([0] * 12 + [1] * 8)
    assert chance_accuracy(labels) == 0.6
    assert at_chance([Epoch(1.0, 0.5), Epoch(1.0, 0.61)], labels) == 0.6
    assert at_chance([Epoch(1.0, 0.5), Epoch(1.0, 0.63)], labels) is None
    assert at_chance([Epoch(1.0, 0.6)], labels) is None  # one epoch: too early
    assert at_chance([Epoch(1.0, 0.5)] * 3, labels[:10]) is None  # a tiny set
