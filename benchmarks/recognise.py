"""Does the network read what students draw? ``python -m benchmarks.recognise`` prints it.

On MNIST's 1,000 test digits: (a) the grey 28x28 scans; (b) the digits drawn as cells on
16, 28 and 32 grids -- each digit's 28x28 frame area-resampled onto 75-100 % of the grid
at a random place, a cell is ink where its value >= 0.5 (what clicking gives), every
second digit with a pen one cell thicker -- then the app's path (prepare_drawing with fit
on) and the network; (c) the same with small digits (frame 60 % of the grid); a confusion
matrix; sklearn's 8x8 test split as drawings on the 8 grid; and the network the app had
before (sklearn 8x8 TinyCNN, its own 8x8 path). Times the forward of one drawing.

The drawing here is written separately from cnn_core.augment (area weights from the
cumulative ink, a shifted-maximum pen), so no score is the training generator meeting
itself. Timings are noisy on a shared machine; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cnn_core.drawing import prepare_drawing
from tests.support.drawn_digits import (
    BIG,
    GRIDS,
    SMALL,
    accuracy,
    drawn_accuracy,
    drawn_digits,
    grey_accuracy,
)


def _confusion(labels: np.ndarray, predicted: np.ndarray) -> str:
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (labels, predicted), 1)
    lines = ["true \\ read " + " ".join(f"{c:>4}" for c in range(10))]
    lines += [f"{r:>11} " + " ".join(f"{v:>4}" for v in matrix[r]) for r in range(10)]
    return "\n".join(lines)


def _report(name: str, model, prepare=None) -> None:
    from cnn_core.data import handwritten_digits
    from cnn_core.mnist import mnist_digits

    data = mnist_digits()
    test = data.test_images, data.test_labels
    if prepare is None:
        grey, _ = grey_accuracy(model, *test)
    else:
        grey, _ = accuracy(model, np.stack([prepare(x) for x in test[0]]), test[1])
    print(f"\n{name}\n  (a) grey 28x28 scans: {grey:.1%}")
    everything = []
    for label, fraction in (("(b) drawn, frame 75-100 %", BIG), ("(c) small, frame 60 %", SMALL)):
        row = []
        for grid in GRIDS:
            score, predicted = drawn_accuracy(model, *test, grid, fraction, prepare)
            row.append(f"{grid}: {score:.1%}")
            if fraction == BIG:
                everything.append(predicted)
        print(f"  {label}: " + ", ".join(row))
    digits = handwritten_digits()
    shape = model.arch.image_shape
    sk_prepare = prepare or (lambda x: prepare_drawing(x, shape))
    sk, _ = accuracy(model, np.stack([sk_prepare(x) for x in digits.test_images]),
                     digits.test_labels)
    print(f"  sklearn 8x8 test split (450) drawn on the 8 grid: {sk:.1%}")
    print("  confusion, (b) on all three grids:\n" + _confusion(np.tile(test[1], 3),
                                                           np.concatenate(everything)))


def _time_forward(model) -> None:
    from cnn_core.mnist import mnist_digits

    drawing = drawn_digits(mnist_digits().test_images[:1], 16, BIG)[0]
    x = prepare_drawing(drawing, model.arch.image_shape)
    for _ in range(200):
        model.forward(x)
    runs = []
    for _ in range(2000):
        start = time.perf_counter()
        model.forward(x)
        runs.append(time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(200):
        prepare_drawing(drawing, model.arch.image_shape)
    prep = (time.perf_counter() - start) / 200
    print(f"\nforward of one prepared drawing: best {min(runs) * 1e6:.0f} us, median "
          f"{np.median(runs) * 1e6:.0f} us; prepare_drawing (16 grid): {prep * 1e6:.0f} us "
          "(shared machine: noisy)")


def train_old_default():
    """The default network the app had before (ui/models.py until issue #12), retrained:
    TinyCNN 16 kernels 3x3 on sklearn's 8x8 digits (75 % split, seed 0), Adam 0.02
    decaying by 0.8 per epoch, batches of 32, float32, 12 epochs, seed 2 (98 % on its test
    split)."""
    from cnn_core import TinyCNN
    from cnn_core.data import handwritten_digits
    from cnn_core.train import TrainConfig, Trainer

    data = handwritten_digits()
    model = TinyCNN(16, 3, (8, 8), 2, 10, seed=2)
    trainer = Trainer(model, data.train_images, data.train_labels, data.test_images,
                      data.test_labels, TrainConfig(learning_rate=0.02, lr_decay=0.8,
                                                    batch_size=32, seed=2, dtype=np.float32))
    for _ in range(12):
        trainer.run_epoch()
    return model


def old_model_input(grid: np.ndarray) -> np.ndarray:
    """The old 8x8 path: the ink's bounding square (fill_frame), then downsample_drawing."""
    from cnn_core.data import downsample_drawing
    from cnn_core.drawing import fill_frame

    return downsample_drawing(fill_frame(grid))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-before", action="store_true", help="skip the old network")
    args = parser.parse_args()
    from cnn_core.default_network import CARD_PATH, load_default_network

    model = load_default_network()
    print(f"default network: {CARD_PATH.with_suffix('.npz').name}")
    _report("After: the shipped default network (MNIST)", model)
    _time_forward(model)
    if not args.no_before:
        _report("Before: sklearn 8x8 TinyCNN, its own 8x8 path", train_old_default(),
                prepare=old_model_input)


if __name__ == "__main__":
    main()
