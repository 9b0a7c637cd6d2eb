"""The two-block ConvNet's rows of ``python -m benchmarks.engine``: its training step and
its single-image forward, ours and PyTorch's.

The net of the "deeper network" issue: 28x28 grey images, conv 3x3 to 8 channels, ReLU,
max pool 2, conv 3x3 to 16 channels, ReLU, max pool 2 (valid convolutions, cut-off windows
kept: 28 -> 26 -> 13 -> 11 -> 6), dense 576 -> 10. One training step is a forward and
backward pass over a batch of 64 and an SGD update; PyTorch runs the identical net from our
initial weights (``ceil_mode=True`` pooling), in float32 or float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmarks.engine_timing import Timing, one_blas_thread, race
from cnn_core import BlockSpec, ConvNet, NetworkSpec
from cnn_core.train import TrainConfig, Trainer

SPEC = NetworkSpec((28, 28), (BlockSpec(8, 3), BlockSpec(16, 3)), 10)
BATCH, RATE = 64, 0.01


def _batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    return rng.random((BATCH, *SPEC.input_shape)), rng.integers(0, SPEC.n_classes, BATCH)


def ours_step(dtype: type) -> Callable[[], None]:
    """Trainer.step (SGD) of the two-block net on one batch of 64."""
    images, labels = _batch()
    trainer = Trainer(ConvNet(SPEC, seed=0), images, labels, images[:0], labels[:0],
                      TrainConfig(learning_rate=RATE, batch_size=BATCH, optimizer="sgd",
                                  shuffle=False, dtype=dtype))
    return lambda: trainer.step(images, labels)


def _torch_net(dtype: type):
    """PyTorch's twin of ConvNet(SPEC, seed=0): (net function, its parameters)."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    params = {name: torch.tensor(value.astype(dtype), requires_grad=True)
              for name, value in ConvNet(SPEC, seed=0).params.items()}

    def net(x):
        for number in (1, 2):
            x = F.max_pool2d(F.relu(F.conv2d(x, params[f"block{number}.kernels"],
                                             params[f"block{number}.bias"])), 2,
                             ceil_mode=True)
        return x.flatten(1) @ params["dense.weights"] + params["dense.bias"]
    return net, params


def torch_step(threads: int, dtype: type) -> tuple[Callable[[], None], float]:
    """The same step in PyTorch at a thread count, and |its first loss - ours|."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    net, params = _torch_net(dtype)
    images, labels = _batch()
    x = torch.from_numpy(images[:, None].astype(dtype))
    y = torch.from_numpy(labels.astype(np.int64))
    optimiser = torch.optim.SGD(list(params.values()), lr=RATE)
    with torch.no_grad():
        gap = abs(float(F.cross_entropy(net(x), y))
                  - ConvNet(SPEC, seed=0).loss_and_gradients(images, labels, dtype=dtype)[0])

    def run() -> None:
        torch.set_num_threads(threads)
        loss = F.cross_entropy(net(x), y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return run, gap


def ours_forward() -> Callable[[], object]:
    """ConvNet.forward of one 28x28 image, every intermediate kept (what a page shows)."""
    model, image = ConvNet(SPEC, seed=0), np.random.default_rng(2).random(SPEC.input_shape)
    return lambda: model.forward(image)


def torch_forward(threads: int) -> Callable[[], object]:
    """PyTorch's forward of one image (logits only, no_grad), for reference."""
    import torch

    net, _ = _torch_net(np.float64)
    x = torch.from_numpy(np.random.default_rng(2).random((1, 1, *SPEC.input_shape)))

    def run() -> object:
        torch.set_num_threads(threads)
        with torch.no_grad():
            return net(x)
    return run


def step_times(with_torch: bool) -> dict[str, Timing]:
    """The training step: ours (float32, float64, float32 on one BLAS thread) and, if
    torch is importable, PyTorch's in both dtypes on 1 and 2 threads, raced in one run."""
    steps = {"ours float32": ours_step(np.float32), "ours float64": ours_step(np.float64),
             "ours float32 BLAS 1 thread": one_blas_thread(ours_step(np.float32))}
    if with_torch:
        for dtype in (np.float32, np.float64):
            for threads in (1, 2):
                steps[f"torch {dtype.__name__} {threads} thread"], _ = torch_step(threads,
                                                                                  dtype)
    return race(steps, repeat=25, warmup=3)
