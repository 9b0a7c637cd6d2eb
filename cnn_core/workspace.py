"""One allocation carved into the large arrays of a training pass.

Why: freed one by one, a step's large arrays leave a free block at the top of the heap
bigger than the allocator's trim threshold (twice the largest block it has seen), which goes
back to the operating system after every step; the next step then pays a page fault per
4 KB to get it back, as much time as the arithmetic (training_pass.py found it first). One
block per call, reused by the next call, keeps it. The numbers do not depend on it: a
workspace too small for a request hands out a fresh array instead.
"""

from __future__ import annotations

import numpy as np

ALIGN = 64  # bytes: every array starts on a cache line


def aligned(nbytes: int) -> int:
    """nbytes rounded up to a whole number of ALIGN-byte lines."""
    return -(-int(nbytes) // ALIGN) * ALIGN


class Workspace:
    """Hands out arrays from one block of ``nbytes`` bytes; ``fresh`` counts the requests
    it could not serve (they got their own allocation)."""

    def __init__(self, nbytes: int) -> None:
        self._memory = np.empty(int(nbytes) + ALIGN, dtype=np.uint8)
        # the block itself may start anywhere: skip to the first aligned byte
        self._used = -self._memory.ctypes.data % ALIGN
        self.fresh = 0

    def take(self, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        """An uninitialised array of that shape and dtype, a view of the workspace."""
        nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
        if self._used + nbytes > self._memory.size:
            self.fresh += 1
            return np.empty(shape, dtype=dtype)
        start, self._used = self._used, self._used + aligned(nbytes)
        return self._memory[start : start + nbytes].view(dtype).reshape(shape)


def take(workspace: Workspace | None, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """workspace.take, or np.empty without a workspace."""
    return np.empty(shape, dtype=dtype) if workspace is None else workspace.take(shape, dtype)
