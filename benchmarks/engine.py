"""How fast is the engine? ``python -m benchmarks.engine`` prints a table; it asserts nothing.

Rows: one SGD epoch on the digits' train split (K=8, batch 32) by our TinyCNN/Trainer in
float64 and float32, by the notes' per-image loops (benchmarks/notes_loops.py, a fraction of
the epoch timed and scaled up), and by PyTorch CPU on the identical model when torch is
importable (best of 1 and 2 threads); a 28x28 batch-128 training step; single-image forward
times; and how long our recipe takes to reach 98 % test accuracy. Times are best-of-N with
the median beside it (other processes may share this machine), after warm-up runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from benchmarks.notes_loops import train_epoch_loops
from cnn_core import TinyCNN
from cnn_core.data import handwritten_digits
from cnn_core.train import TrainConfig, Trainer

K, BATCH, RATE = 8, 32, 0.01
TARGETS = {"loops": 100.0, "torch_8x8": 0.6, "torch_28x28": 1.0, "forward_32": 50e-6,
           "to_98": 2.0}


def timed(fn: Callable[[], object], repeat: int, warmup: int = 1) -> tuple[float, float]:
    """(best, median) seconds of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), float(np.median(times))


def _ours_epoch(images, labels, dtype) -> Callable[[], None]:
    """One epoch of Trainer.step over fixed batches (no evaluation), fresh model each time."""
    def run() -> None:
        model = TinyCNN(K, 3, images.shape[1:], 2, 10, seed=0)
        trainer = Trainer(model, images, labels, images[:0], labels[:0],
                          TrainConfig(learning_rate=RATE, batch_size=BATCH, optimizer="sgd",
                                      shuffle=False, dtype=dtype))
        for start in range(0, len(images), BATCH):
            trainer.step(images[start:start + BATCH], labels[start:start + BATCH])
    return run


def _torch_setup(images, labels, n_kernels=K):
    """(torch, model, optimiser, x, y) with our TinyCNN's initial weights, float32."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    ours = TinyCNN(n_kernels, 3, images.shape[1:], 2, 10, seed=0)

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = torch.nn.Conv2d(1, n_kernels, 3, bias=False)
            self.fc = torch.nn.Linear(ours.arch.n_features, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv(x)), 2, ceil_mode=True)
            return self.fc(x.flatten(1))

    net = Net()
    with torch.no_grad():
        net.conv.weight.copy_(torch.from_numpy(ours.params["kernels"][:, None]))
        net.fc.weight.copy_(torch.from_numpy(ours.params["weights"].T))
        net.fc.bias.zero_()
    x = torch.from_numpy(images[:, None].astype(np.float32))
    y = torch.from_numpy(labels.astype(np.int64))
    return torch, net, torch.optim.SGD(net.parameters(), lr=RATE), x, y


def _torch_epoch(images, labels) -> Callable[[], None]:
    torch, net, optimiser, x, y = _torch_setup(images, labels)

    def run() -> None:
        for start in range(0, len(x), BATCH):
            loss = torch.nn.functional.cross_entropy(net(x[start:start + BATCH]),
                                                     y[start:start + BATCH])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return run


def _torch_best(make: Callable[[], Callable[[], None]], repeat: int) -> tuple[float, float, int]:
    """Best (best, median, threads) of PyTorch at 1 and 2 threads."""
    import torch

    results = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        results.append((*timed(make(), repeat, warmup=2), threads))
    return min(results)


def _first_batch_loss_gap(images, labels) -> float:
    """|our loss - torch's| on the first batch with identical weights: the same model?"""
    torch, net, _, x, y = _torch_setup(images, labels)
    with torch.no_grad():
        theirs = float(torch.nn.functional.cross_entropy(net(x[:BATCH]), y[:BATCH]))
    ours = TinyCNN(K, 3, images.shape[1:], 2, 10, seed=0)
    return abs(ours.loss_and_gradients(images[:BATCH], labels[:BATCH],
                                       dtype=np.float32)[0] - theirs)


def _time_to_98(repeat: int = 3) -> tuple[float, float, int]:
    """(best, median seconds, epochs) of the recipe until test accuracy >= 0.98 (max 30)."""
    digits = handwritten_digits()
    epochs = []

    def run() -> None:
        trainer = Trainer(TinyCNN(16, 3, (8, 8), 2, 10, seed=2), *digits[:4],
                          TrainConfig(learning_rate=0.02, batch_size=32, optimizer="adam",
                                      lr_decay=0.8, seed=2, dtype=np.float32))
        while trainer.epoch < 30 and trainer.run_epoch().test_accuracy < 0.98:
            pass
        epochs.append(trainer.epoch if trainer.history[-1].test_accuracy >= 0.98 else -1)

    best, median = timed(run, repeat)
    return best, median, epochs[-1]


def _row(name: str, best: float, median: float, note: str = "") -> str:
    unit, scale = ("ms", 1e3) if best >= 1e-3 else ("µs", 1e6)
    return f"{name:<46} {best * scale:>10.1f} {median * scale:>10.1f} {unit:<3} {note}"


def main() -> None:
    digits = handwritten_digits()
    order = np.random.default_rng(0).permutation(len(digits.train_images))
    images, labels = digits.train_images[order], digits.train_labels[order]
    n_batches = -(-len(images) // BATCH)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [f"load average at start: {load} on {os.cpu_count()} cores", "",
             f"{'what':<46} {'best':>10} {'median':>10}", "-" * 84]
    table = {}
    for dtype in (np.float64, np.float32):
        table[dtype] = timed(_ours_epoch(images, labels, dtype), repeat=7, warmup=2)
        lines.append(_row(f"epoch, ours {np.dtype(dtype).name} (steps only)", *table[dtype],
                          f"{len(images)} images, {n_batches} batches"))
    trainer = Trainer(TinyCNN(K, 3, (8, 8), 2, 10, seed=0), *digits[:4],
                      TrainConfig(learning_rate=RATE, batch_size=BATCH, optimizer="sgd"))
    lines.append(_row("epoch, ours float64 run_epoch (+ evaluation)",
                      *timed(trainer.run_epoch, repeat=5)))

    timed_batches = 6
    params = TinyCNN(K, 3, (8, 8), 2, 10, seed=0).params
    part = timed(lambda: train_epoch_loops(params, images, labels, batch_size=BATCH,
                                           learning_rate=RATE, max_batches=timed_batches),
                 repeat=3, warmup=0)
    scale = len(images) / (timed_batches * BATCH)
    loops = (part[0] * scale, part[1] * scale)
    lines.append(_row("epoch, notes' loops (extrapolated)", *loops,
                      f"timed {timed_batches} of {n_batches} batches, x{scale:.2f}"))

    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch_epoch = _torch_best(lambda: _torch_epoch(images, labels), repeat=7)
        lines.append(_row(f"epoch, PyTorch {torch.__version__} float32", *torch_epoch[:2],
                          f"best at {torch_epoch[2]} thread(s); first-batch |Δloss| "
                          f"{_first_batch_loss_gap(images, labels):.1e}"))

    rng = np.random.default_rng(1)
    big_x, big_y = rng.random((128, 28, 28)), rng.integers(0, 10, 128)
    big_model = TinyCNN(K, 3, (28, 28), 2, 10, seed=0)
    big_trainer = Trainer(big_model, big_x, big_y, big_x[:0], big_y[:0],
                          TrainConfig(learning_rate=RATE, optimizer="sgd", dtype=np.float32))
    big_ours = timed(lambda: big_trainer.step(big_x, big_y), repeat=20, warmup=3)
    lines.append(_row("28x28 batch-128 step, ours float32", *big_ours))
    if torch is not None:
        big_torch = _torch_best(lambda: _torch_epoch_step(big_x, big_y), repeat=20)
        lines.append(_row("28x28 batch-128 step, PyTorch float32", *big_torch[:2],
                          f"best at {big_torch[2]} thread(s)"))

    forward = {}
    for size in (8, 28, 32):
        model = TinyCNN(K, 3, (size, size), 2, 10, seed=0)
        image = rng.random((size, size))
        forward[size] = timed(lambda m=model, x=image: m.forward(x), repeat=2000, warmup=50)
        lines.append(_row(f"forward, one {size}x{size} image, ours float64", *forward[size]))

    to_98 = _time_to_98()
    lines.append(_row("time to >= 98 % test accuracy (recipe, seed 2)", *to_98[:2],
                      f"{to_98[2]} epochs (float32, 16 kernels, Adam)"))

    lines += ["", "ratios (best times, same run)                       value   target"]
    speedup = loops[0] / table[np.float32][0]
    lines.append(f"{'notes loops / ours float32 (speed-up)':<50} {speedup:>7.0f}×  "
                 f">= {TARGETS['loops']:.0f}×")
    lines.append(f"{'notes loops / ours float64 (speed-up)':<50} "
                 f"{loops[0] / table[np.float64][0]:>7.0f}×")
    if torch is not None:
        lines.append(f"{'ours float32 / torch, 8x8 batch-32 epoch':<50} "
                     f"{table[np.float32][0] / torch_epoch[0]:>8.2f}  <= {TARGETS['torch_8x8']}")
        lines.append(f"{'ours float64 / torch, 8x8 batch-32 epoch':<50} "
                     f"{table[np.float64][0] / torch_epoch[0]:>8.2f}")
        lines.append(f"{'ours float32 / torch, 28x28 batch-128 step':<50} "
                     f"{big_ours[0] / big_torch[0]:>8.2f}  <= {TARGETS['torch_28x28']}")
    lines.append(f"{'forward 32x32 (µs)':<50} {forward[32][0] * 1e6:>8.1f}  "
                 f"<= {TARGETS['forward_32'] * 1e6:.0f}")
    lines.append(f"{'time to 98 % (s)':<50} {to_98[0]:>8.2f}  <= {TARGETS['to_98']}")
    print("\n".join(lines))


def _torch_epoch_step(images, labels) -> Callable[[], None]:
    """One training step of PyTorch on the whole (batch-sized) set."""
    torch, net, optimiser, x, y = _torch_setup(images, labels)

    def run() -> None:
        loss = torch.nn.functional.cross_entropy(net(x), y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return run


if __name__ == "__main__":
    main()
