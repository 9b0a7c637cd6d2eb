"""Max-pool windows laid out for tests that need to know which cell wins each window."""

from __future__ import annotations

import numpy as np


def pool_windows(maps: np.ndarray, size: int) -> np.ndarray:
    """Maps (N, C, H, W) cut into size x size windows: (N, C, ceil(H/size), ceil(W/size),
    size * size), the windows cut off at the bottom and right edges filled with -inf."""
    n, c, h, w = maps.shape
    ph, pw = -(-h // size), -(-w // size)
    padded = np.full((n, c, ph * size, pw * size), -np.inf)
    padded[:, :, :h, :w] = maps
    windows = padded.reshape(n, c, ph, size, pw, size).transpose(0, 1, 2, 4, 3, 5)
    return windows.reshape(n, c, ph, pw, size * size)
