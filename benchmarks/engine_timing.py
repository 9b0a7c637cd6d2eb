"""Timing in turns for the engine benchmarks: every contender once per round, best and median.

Other processes may share this 2-core machine, so contenders are timed in turns, round after
round (each sees the same load), after warm-ups.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Timing(NamedTuple):
    """Seconds per run: best and median wall time, and the best CPU time of this process."""

    best: float
    median: float
    cpu: float

    def scaled(self, factor: float) -> Timing:
        return Timing(self.best * factor, self.median * factor, self.cpu * factor)


def race(contenders: dict[str, Callable[[], object]], repeat: int, warmup: int = 2,
         settle: float = 0.05) -> dict[str, Timing]:
    """Time every contender once per round for ``repeat`` rounds: {name: Timing}.

    ``settle`` seconds of sleep (untimed) after each run let a multi-threaded contender's
    spinning worker threads go idle before the next one is timed. CPU time (process_time)
    is less disturbed by other processes than wall time, so the table shows both.
    """
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
            time.sleep(settle)
    return {name: Timing(min(wall[name]), float(np.median(wall[name])), min(cpu[name]))
            for name in contenders}


def one_blas_thread(fn: Callable[[], None]) -> Callable[[], None]:
    """fn with numpy's BLAS limited to one thread (threadpoolctl ships with scikit-learn).

    One controller, made here: threadpool_limits() inspects every loaded library on each
    call (0.6-0.8 ms, a tenth of a training step), the controller's limit() does not.
    """
    from threadpoolctl import ThreadpoolController

    controller = ThreadpoolController()

    def run() -> None:
        with controller.limit(limits=1, user_api="blas"):
            fn()
    return run
