"""Issue #15's target: a two-block ConvNet trained here reads >= 98 % of the 1,000 MNIST test
digits, trained in <= 2 minutes. Prints the accuracy, the training time, and how well the
net reads digits drawn on the 16, 28 and 32 grids, next to the shipped default network.

    python -m benchmarks.train_two_blocks              # the chosen recipe, on the test digits
    python -m benchmarks.train_two_blocks --validate [recipe...]  # candidates, on validation

The recipe was chosen with ``--validate`` (train: the first 350 digits of each class, scored
on the next 50), never on the 1,000 test digits. Seed fixed; one BLAS thread, as
cnn_core.default_network pins it (the script restarts itself with the thread variables set).
Times on a shared 2-core machine are noisy: run it with ``nice`` and read them as such.

Measured 2026-12-02 (load average 12-15 on 2 cores, niced): "turned longer" reads 98.1 % of
the test digits (97.9 % through the app's framing), trained in 193 s on the clock, 52 s of
CPU; drawn digits 87.7 / 97.3 / 97.1 % on the 16 / 28 / 32 grids, where the shipped
default network reads 93.6 / 97.3 / 97.3 %. Validation: "plain" 96.6 %, "drawn" 96.2 %,
"wide" 96.4 %, "turned" 97.6 %, "wide padded" 97.0 %, "turned longer" 98.2 %.
"""

from __future__ import annotations

import os
import sys
import time
from types import SimpleNamespace

import numpy as np

from cnn_core import BlockSpec, ConvNet, NetworkSpec
from cnn_core.augment import augment_digits, random_affine
from cnn_core.data import Dataset
from cnn_core.default_network import THREAD_VARIABLES, load_default_network
from cnn_core.drawing import prepare_drawing
from cnn_core.mnist import mnist_digits, mnist_validation
from cnn_core.train import TrainConfig, Trainer, evaluate
from tests.support.drawn_digits import GRIDS, drawn_accuracy

SEED = 3
LENET_LIKE = (BlockSpec(8, 3), BlockSpec(16, 3))  # 28 -> 26 -> 13 -> 11 -> 6, dense 576 -> 10
WIDE_PADDED = (BlockSpec(16, 3, padding=1), BlockSpec(16, 3, padding=1))  # 28-14-14-7
ADAM = dict(learning_rate=0.003, lr_decay=0.9, batch_size=32)
RECIPES = {  # name -> (blocks, epochs, augmentation: "none", "turned" or "drawn", config)
    "plain": (LENET_LIKE, 20, "none", ADAM),
    "drawn": (LENET_LIKE, 30, "drawn", dict(ADAM, lr_decay=0.93)),
    "wide": ((BlockSpec(16, 3), BlockSpec(16, 3)), 24, "drawn", ADAM),
    "turned": (LENET_LIKE, 30, "turned", dict(ADAM, lr_decay=0.92)),
    "wide padded": (WIDE_PADDED, 24, "turned", dict(ADAM, lr_decay=0.9)),
    "turned longer": (LENET_LIKE, 40, "turned", dict(ADAM, lr_decay=0.94)),
    "wide turned": ((BlockSpec(16, 3), BlockSpec(16, 3)), 30, "turned",
                    dict(ADAM, lr_decay=0.92)),
}
CHOSEN = "turned longer"  # 98.2 % on validation; "turned" 97.6 %, "plain" 96.6 %
AUGMENT = {"drawn_share": 0.5, "max_angle": 10.0, "max_scale_change": 0.1, "max_shift": 1.5}


def train(recipe: str, data: Dataset, seed: int = SEED) -> tuple[ConvNet, float, float]:
    """The recipe's net trained on data's training digits: (model, seconds on the clock,
    CPU seconds of this process: about the clock time of an idle machine, one BLAS thread)."""
    blocks, epochs, augmentation, settings = RECIPES[recipe]
    model = ConvNet(NetworkSpec((28, 28), blocks, 10), seed=seed)
    start, cpu = time.perf_counter(), time.process_time()
    trainer = Trainer(model, data.train_images, data.train_labels, data.train_images[:0],
                      data.train_labels[:0], TrainConfig(**settings, seed=seed,
                                                         dtype=np.float32))
    rng = np.random.default_rng([seed, 7])
    for _ in range(epochs):
        # each epoch a fresh changed copy of the same digits (labels unchanged)
        if augmentation == "drawn":  # turned, and half of them drawn as cells
            trainer.train_images = augment_digits(data.train_images, rng, 28, **AUGMENT)
        elif augmentation == "turned":  # only turned, scaled and shifted a little
            trainer.train_images = random_affine(data.train_images, rng, max_angle=10.0)
        trainer.run_epoch()
    return model, time.perf_counter() - start, time.process_time() - cpu


def drawn_figures(model, images: np.ndarray, labels: np.ndarray) -> list[float]:
    """Accuracy on the test digits drawn on each of GRIDS (tests/support/drawn_digits)."""
    shape = (model.spec.input_shape if isinstance(model, ConvNet)
             else model.arch.image_shape)
    reader = SimpleNamespace(arch=SimpleNamespace(image_shape=shape), forward=model.forward)
    return [drawn_accuracy(reader, images, labels, grid)[0] for grid in GRIDS]


def validate() -> None:
    """The recipes named on the command line (default: every one) on the validation split
    (350 per class train, 50 per class scored)."""
    data = mnist_validation()
    for recipe in [name for name in sys.argv[1:] if name in RECIPES] or RECIPES:
        model, seconds, cpu = train(recipe, data)
        _, accuracy = evaluate(model, data.test_images, data.test_labels)
        print(f"{recipe:10s} validation accuracy {accuracy:.1%} ({len(data.test_labels)} "
              f"digits), trained in {seconds:.0f} s ({cpu:.0f} s of CPU)", flush=True)


def main() -> None:
    """Train the chosen recipe on the 4,000 training digits; score the 1,000 test digits."""
    data = mnist_digits()
    model, seconds, cpu = train(CHOSEN, data)
    _, scans = evaluate(model, data.test_images, data.test_labels)
    framed = np.stack([prepare_drawing(x, (28, 28)) for x in data.test_images])
    _, app_path = evaluate(model, framed, data.test_labels)
    spec = model.spec
    print(f"two blocks ({', '.join(str(b.channels) for b in spec.blocks)} channels, "
          f"{spec.parameter_count:,} parameters), recipe {CHOSEN!r}, seed {SEED}")
    print(f"test accuracy {scans:.1%} on the {len(data.test_labels):,} MNIST test digits "
          f"({app_path:.1%} through the app's framing); trained in {seconds:.0f} s, "
          f"{cpu:.0f} s of CPU (target: >= 98 % in <= 120 s; on a shared machine the clock "
          "time is noisy, the CPU time less so)")
    default = load_default_network()
    for name, net in (("two blocks", model), ("default network", default)):
        figures = drawn_figures(net, data.test_images, data.test_labels)
        print(f"{name:16s} reads drawn digits: " + ", ".join(
            f"{grid}x{grid} grid {value:.1%}" for grid, value in zip(GRIDS, figures,
                                                                      strict=True)))


def _pin_blas_threads() -> None:
    """Restart this script with one BLAS thread unless it already runs with one."""
    if all(os.environ.get(name) == "1" for name in THREAD_VARIABLES):
        return
    env = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, "1")}
    os.execve(sys.executable, [sys.executable, "-m", "benchmarks.train_two_blocks",
                               *sys.argv[1:]], env)


if __name__ == "__main__":
    _pin_blas_threads()
    validate() if "--validate" in sys.argv[1:] else main()
