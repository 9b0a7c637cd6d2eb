"""The "where the network looks" rows of ``python -m benchmarks.engine`` (issue #16).

On the shipped default network (TinyCNN, 32 kernels 3x3, 16x16 input) and an MNIST test
digit drawn on a 16 grid and prepared for it as a page prepares a drawing: the occlusion
map at patch 3x3, stride 1 (196 occluded copies in one batch), the same map as a loop of
196 single forwards (what the batch saves), and the saliency map. For the deeper network,
the two-block 28x28 ConvNet of engine_network.py at patch 3 (676 copies). Target: at most
20 ms each of engine time for the default network. Alone: ``python -m
benchmarks.engine_attribution``.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from benchmarks import engine_network
from benchmarks.engine_timing import Timing, race
from cnn_core import ConvNet, occlusion_map, saliency_map
from cnn_core.default_network import load_default_network
from cnn_core.drawing import prepare_drawing

TARGET_MS = 20.0
OCCLUSION = "occlusion map, default net, patch 3 stride 1 (196 copies)"
SALIENCY = "saliency map, default net"


def digit_input(shape: tuple[int, int]) -> np.ndarray:
    """MNIST's first test digit clicked on a 16 grid (benchmarks.recognise's drawing), then
    prepare_drawing for a model of that input shape."""
    from cnn_core.mnist import mnist_digits
    from tests.support.drawn_digits import BIG, drawn_digits

    drawing = drawn_digits(mnist_digits().test_images[:1], 16, BIG)[0]
    return prepare_drawing(drawing, shape)


def _loop_of_forwards(model, image: np.ndarray, patch: int = 3) -> Callable[[], object]:
    """The occlusion map the slow way: one copy, one forward, per patch position."""
    out = image.shape[0] - patch + 1

    def run() -> np.ndarray:
        drop = np.empty((out, out))
        for i in range(out):
            for j in range(out):
                copy = image.copy()
                copy[i : i + patch, j : j + patch] = 0.0
                drop[i, j] = model.forward(copy)["probabilities"][0, 0]
        return drop
    return run


def attribution_times(repeat: int = 100) -> dict[str, Timing]:
    """{row name: Timing} of the occlusion and saliency maps, raced in turns."""
    model = load_default_network()
    image = digit_input(model.arch.image_shape)
    net = ConvNet(engine_network.SPEC, seed=0)
    digit = digit_input(engine_network.SPEC.input_shape)
    contenders = {
        OCCLUSION: lambda: occlusion_map(model, image),
        SALIENCY: lambda: saliency_map(model, image),
        "occlusion map, two blocks 28x28, patch 3 (676 copies)":
            lambda: occlusion_map(net, digit),
        "saliency map, two blocks 28x28": lambda: saliency_map(net, digit),
    }
    times = race(contenders, repeat, warmup=5, settle=0)
    loop = race({"loop": _loop_of_forwards(model, image)}, max(3, repeat // 20), warmup=1,
                settle=0)["loop"]
    times["occlusion map, default net, loop of 196 single forwards"] = loop
    return times


def main() -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average at start: {load} on {os.cpu_count()} cores\n")
    print(f"{'what':<58} {'best':>9} {'median':>9} {'cpu best':>9}")
    for name, timing in attribution_times().items():
        print(f"{name:<58} {timing.best * 1e3:>9.2f} {timing.median * 1e3:>9.2f} "
              f"{timing.cpu * 1e3:>9.2f} ms")
    print(f"target: the default network's rows <= {TARGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
