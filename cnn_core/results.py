"""A trained network's results, in numbers: the confusion matrix, the images it gets wrong,
and the two signs that a run has gone wrong (a loss far above guessing, or rising; an
accuracy stuck at chance).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple, Protocol

import numpy as np


class Epoch(Protocol):
    """What these checks read of an epoch's report (cnn_core.train.EpochReport)."""

    train_loss: float
    train_accuracy: float



def confusion_counts(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Confusion matrix (n_classes, n_classes): [t, p] = how many of class t were called p.

    true, predicted: (N,) labels in 0..n_classes-1.
    """
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(true), np.asarray(predicted)), 1)
    return counts


class Mistakes(NamedTuple):
    """Misclassified images (M, H, W) with their true and predicted labels (M,)."""

    images: np.ndarray
    true: np.ndarray
    predicted: np.ndarray


def mistakes(images: np.ndarray, true: np.ndarray, predicted: np.ndarray,
             limit: int = 24) -> Mistakes:
    """The first ``limit`` images (N, H, W) whose prediction differs from the true label."""
    wrong = np.flatnonzero(np.asarray(true) != np.asarray(predicted))[:limit]
    return Mistakes(images[wrong], np.asarray(true)[wrong], np.asarray(predicted)[wrong])


def guessing_loss(n_classes: int) -> float:
    """The cross-entropy of a uniform guess over n_classes: log(C) (2.30 for 10 digits)."""
    return math.log(n_classes)


def loss_too_high(history: Sequence[Epoch], n_classes: int) -> bool:
    """Whether the last train loss says the learning rate is too high: more than 3 log(C),
    or above a first loss that was already more than half of log(C) (rising from there)."""
    if not history:
        return False
    guessing = guessing_loss(n_classes)
    last, first = history[-1].train_loss, history[0].train_loss
    return last > 3 * guessing or last > first > 0.5 * guessing


def chance_accuracy(labels: np.ndarray) -> float:
    """The accuracy of calling every image the most common label (N,) (what a network
    collapsed to one class scores)."""
    labels = np.asarray(labels)
    return float(np.bincount(labels).max() / labels.size)


def at_chance(history: Sequence[Epoch], labels: np.ndarray) -> float | None:
    """The chance accuracy when the last train accuracy is no more than 2 points above it,
    after at least 2 epochs; else None. Always None for tiny sets (under 20 labels), where
    chance-level epochs are normal early on."""
    labels = np.asarray(labels)
    if len(history) < 2 or labels.size < 20:
        return None
    chance = chance_accuracy(labels)
    return chance if history[-1].train_accuracy <= chance + 0.02 else None
