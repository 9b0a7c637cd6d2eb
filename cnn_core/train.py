"""Training TinyCNN: mini-batch SGD, SGD with momentum, and Adam, one epoch at a time.

A ``Trainer`` holds everything a run needs (model, optimiser state, random generator,
history) in plain attributes, so a page can keep it in session state, run one epoch, draw
the curves, and stop or go on. Same seed, same data, same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .losses import check_labels
from .model import TinyCNN

OPTIMIZERS = ("sgd", "momentum", "adam")


class TrainingDiverged(ValueError):
    """The loss or a weight became NaN or infinite; the last good weights were restored."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of a run. ``freeze_kernels`` trains only the dense layer."""

    learning_rate: float = 0.01
    lr_decay: float = 1.0  # the learning rate is multiplied by this after every epoch
    batch_size: int = 32
    optimizer: str = "adam"
    momentum: float = 0.9
    seed: int = 0
    freeze_kernels: bool = False
    shuffle: bool = True
    dtype: type = np.float64

    def __post_init__(self) -> None:
        if not (np.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"learning rate must be a positive number, got {self.learning_rate}")
        if isinstance(self.batch_size, bool) or int(self.batch_size) != self.batch_size \
                or self.batch_size < 1:
            raise ValueError(f"batch size must be a whole number of at least 1, "
                             f"got {self.batch_size!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"learning-rate decay must be in (0, 1], got {self.lr_decay}")
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be np.float32 or np.float64, got {self.dtype!r}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum}")


class EpochReport(NamedTuple):
    """One point on the curves. train_loss is the mean loss of the epoch's mini-batches
    (each measured before its update, as the notes print it)."""

    epoch: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float


def evaluate(model: TinyCNN, images: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Mean cross-entropy and accuracy (0..1) of the model on a set of images."""
    if len(images) == 0:
        return float("nan"), float("nan")
    probabilities = model.forward(images)["probabilities"]
    labels = check_labels(labels, model.arch.n_classes, count=len(images))
    picked = probabilities[np.arange(len(labels)), labels]
    loss = float(-np.mean(np.log(np.maximum(picked, np.finfo(np.float64).tiny))))
    return loss, float(np.mean(probabilities.argmax(axis=1) == labels))


@dataclass
class Trainer:
    """A training run over fixed train/test arrays; call ``step`` or ``run_epoch``."""

    model: TinyCNN
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    config: TrainConfig = field(default_factory=TrainConfig)
    epoch: int = 0
    history: list[EpochReport] = field(default_factory=list)

    def __post_init__(self) -> None:
        arch = self.model.arch
        # keep the checked arrays: images of the model's size, finite; labels in range
        self.train_images = self.model._images(self.train_images, np.float64)
        self.train_labels = check_labels(self.train_labels, arch.n_classes,
                                         count=len(self.train_images))
        if len(self.test_images):
            self.test_images = self.model._images(self.test_images, np.float64)
            self.test_labels = check_labels(self.test_labels, arch.n_classes,
                                            count=len(self.test_images))
        self.rng = np.random.default_rng(self.config.seed)
        self.slots: dict[str, dict[str, np.ndarray]] = {}
        self.updates = 0

    def step(self, images: np.ndarray, labels: np.ndarray) -> float:
        """One update on one mini-batch; returns the loss before the update."""
        cfg = self.config
        loss, grads = self.model.loss_and_gradients(
            images, labels, dtype=cfg.dtype, train_kernels=not cfg.freeze_kernels)
        names = ("weights", "bias") if cfg.freeze_kernels else ("kernels", "weights", "bias")
        self.updates += 1
        for name in names:
            self.model.params[name] = self.model.params[name] - self._update(name, grads[name])
        return loss

    def _update(self, name: str, grad: np.ndarray) -> np.ndarray:
        """The change to subtract from a parameter, from the chosen optimiser."""
        cfg, slot = self.config, self.slots.setdefault(name, {})
        grad = grad.astype(np.float64)
        rate = cfg.learning_rate * cfg.lr_decay ** self.epoch
        if cfg.optimizer == "sgd":
            return rate * grad
        if cfg.optimizer == "momentum":  # v = mu v + g; w -= lr v
            slot["velocity"] = cfg.momentum * slot.get("velocity", 0.0) + grad
            return rate * slot["velocity"]
        beta1, beta2, eps = 0.9, 0.999, 1e-8  # Adam (Kingma & Ba), bias-corrected
        slot["m"] = beta1 * slot.get("m", 0.0) + (1 - beta1) * grad
        slot["v"] = beta2 * slot.get("v", 0.0) + (1 - beta2) * grad * grad
        m_hat = slot["m"] / (1 - beta1 ** self.updates)
        v_hat = slot["v"] / (1 - beta2 ** self.updates)
        return rate * m_hat / (np.sqrt(v_hat) + eps)

    def run_epoch(self) -> EpochReport:
        """One pass over the training set in mini-batches, then evaluation on both sets.

        Raises TrainingDiverged (after restoring the weights from before this epoch, the
        optimiser state and the shuffling generator) if a loss or a weight stops being finite.
        """
        saved_params = {k: v.copy() for k, v in self.model.params.items()}
        saved_slots = {k: dict(v) for k, v in self.slots.items()}
        saved_updates, saved_rng = self.updates, self.rng.bit_generator.state
        count, size = len(self.train_images), self.config.batch_size
        order = self.rng.permutation(count) if self.config.shuffle else np.arange(count)
        losses = []
        for start in range(0, count, size):
            batch = order[start : start + size]
            # overflow is detected just below and reported as divergence, not as warnings
            with np.errstate(over="ignore", invalid="ignore"):
                losses.append(self.step(self.train_images[batch], self.train_labels[batch]))
            finite = np.isfinite(losses[-1]) and all(
                np.all(np.isfinite(v)) for v in self.model.params.values())
            if not finite:
                self.model.params, self.slots = saved_params, saved_slots
                self.updates = saved_updates
                self.rng.bit_generator.state = saved_rng
                raise TrainingDiverged(
                    f"training diverged in epoch {self.epoch + 1} (loss {losses[-1]:.3g}); "
                    "the weights from before this epoch were restored: lower the learning rate")
        self.epoch += 1
        train_loss = float(np.average(losses, weights=[min(size, count - s)
                                                       for s in range(0, count, size)]))
        _, train_accuracy = evaluate(self.model, self.train_images, self.train_labels)
        test_loss, test_accuracy = evaluate(self.model, self.test_images, self.test_labels)
        report = EpochReport(self.epoch, train_loss, train_accuracy, test_loss, test_accuracy)
        self.history.append(report)
        return report
