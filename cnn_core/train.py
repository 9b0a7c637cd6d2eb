"""Training a TinyCNN or a ConvNet: mini-batch SGD, SGD with momentum, and Adam.

A ``Trainer`` holds everything a run needs (model, optimiser state, random generators,
history, how far the current epoch has got) in plain attributes, so a page can keep it in
session state, run a few batches or a whole epoch, draw the curves, and stop or go on. An
optional augmentation hook changes each training mini-batch (never the evaluation), with
its own generator from the same seed. Same seed, same data, same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .evaluation import Model, checked_images, conv_param_names, evaluate, n_classes
from .losses import check_labels

Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]
__all__ = ["OPTIMIZERS", "EpochReport", "TrainConfig", "Trainer", "TrainingDiverged",
           "evaluate"]

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


@dataclass
class Trainer:
    """A training run over fixed train/test arrays; call ``step``, ``run_batches`` or
    ``run_epoch``. ``augment(images, rng) -> images`` (same shape), if given, changes every
    training mini-batch before its step."""

    model: Model
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    config: TrainConfig = field(default_factory=TrainConfig)
    epoch: int = 0
    history: list[EpochReport] = field(default_factory=list)
    augment: Augment | None = None

    def __post_init__(self) -> None:
        classes = n_classes(self.model)
        # keep the checked arrays: images of the model's size, finite; labels in range
        self.train_images = checked_images(self.model, self.train_images)
        self.train_labels = check_labels(self.train_labels, classes,
                                         count=len(self.train_images))
        if len(self.test_images):
            self.test_images = checked_images(self.model, self.test_images)
            self.test_labels = check_labels(self.test_labels, classes,
                                            count=len(self.test_images))
        self.rng = np.random.default_rng(self.config.seed)  # shuffling
        self.augment_rng = np.random.default_rng([self.config.seed, 1])  # augmentation only
        self.slots: dict[str, dict[str, np.ndarray]] = {}
        self.updates = 0
        self._start: dict | None = None  # the current epoch: where it began, how far it got

    @property
    def batches_per_epoch(self) -> int:
        """ceil(training images / batch size)."""
        return -(-len(self.train_images) // self.config.batch_size)

    @property
    def batches_done(self) -> int:
        """Mini-batches of the current epoch already run (0 between epochs)."""
        return 0 if self._start is None else len(self._start["losses"])

    def step(self, images: np.ndarray, labels: np.ndarray) -> float:
        """One update on one mini-batch; returns the loss before the update."""
        cfg = self.config
        loss, grads = self.model.loss_and_gradients(
            images, labels, dtype=cfg.dtype, train_kernels=not cfg.freeze_kernels)
        frozen = set(conv_param_names(self.model)) if cfg.freeze_kernels else set()
        names = [name for name in self.model.params if name not in frozen]
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
        """One pass over the training set in mini-batches (the rest of the current epoch if
        run_batches began it), then evaluation on both sets.

        Raises TrainingDiverged (after restoring the weights from before this epoch, the
        optimiser state and both generators) if a loss or a weight stops being finite.
        """
        report = self.run_batches(self.batches_per_epoch - self.batches_done)
        assert report is not None  # the count reaches the end of the epoch
        return report

    def run_batches(self, count: int) -> EpochReport | None:
        """Up to ``count`` more mini-batches of the current epoch (never past its end).

        Returns the epoch's report if it completed (evaluated as run_epoch does), else
        None; a page can call this a few batches at a time and stay responsive.
        Divergence is handled as in run_epoch.
        """
        if self._start is None:  # a new epoch: remember where it began, then shuffle
            self._start = {
                "params": {k: v.copy() for k, v in self.model.params.items()},
                "slots": {k: dict(v) for k, v in self.slots.items()},
                "updates": self.updates, "rng": self.rng.bit_generator.state,
                "augment_rng": self.augment_rng.bit_generator.state, "losses": []}
            total = len(self.train_images)
            self._start["order"] = (self.rng.permutation(total) if self.config.shuffle
                                    else np.arange(total))
        losses, size = self._start["losses"], self.config.batch_size
        for _ in range(max(0, min(int(count), self.batches_per_epoch - len(losses)))):
            batch = self._start["order"][len(losses) * size : (len(losses) + 1) * size]
            images = self.train_images[batch]
            if self.augment is not None:
                images = self._augmented(images)
            # overflow is detected just below and reported as divergence, not as warnings
            with np.errstate(over="ignore", invalid="ignore"):
                loss = self.step(images, self.train_labels[batch])
            if not (np.isfinite(loss) and all(np.all(np.isfinite(v))
                                              for v in self.model.params.values())):
                self._restore()
                raise TrainingDiverged(
                    f"training diverged in epoch {self.epoch + 1} (loss {loss:.3g}); "
                    "the weights from before this epoch were restored: lower the learning rate")
            losses.append(loss)
        if len(losses) < self.batches_per_epoch:
            return None
        self._start = None
        return self._finish_epoch(losses)

    def _augmented(self, images: np.ndarray) -> np.ndarray:
        out = np.asarray(self.augment(images.copy(), self.augment_rng))
        if out.shape != images.shape:
            raise ValueError(f"the augmentation returned shape {out.shape} for a batch of "
                             f"shape {images.shape}; it must keep the shape")
        return out

    def _restore(self) -> None:
        """Back to the start of the current epoch: weights, optimiser, both generators."""
        start, self._start = self._start, None
        self.model.params, self.slots = start["params"], start["slots"]
        self.updates = start["updates"]
        self.rng.bit_generator.state = start["rng"]
        self.augment_rng.bit_generator.state = start["augment_rng"]

    def _finish_epoch(self, losses: list[float]) -> EpochReport:
        self.epoch += 1
        count, size = len(self.train_images), self.config.batch_size
        train_loss = float(np.average(losses, weights=[min(size, count - s)
                                                       for s in range(0, count, size)]))
        _, train_accuracy = evaluate(self.model, self.train_images, self.train_labels)
        test_loss, test_accuracy = evaluate(self.model, self.test_images, self.test_labels)
        report = EpochReport(self.epoch, train_loss, train_accuracy, test_loss, test_accuracy)
        self.history.append(report)
        return report
