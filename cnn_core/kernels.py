"""The named kernels of the notes, with a display name and what each one does."""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

import numpy as np


class KernelInfo(NamedTuple):
    """How the UI names a kernel and says in one line what it does."""

    name: str
    description: str


def _frozen(rows: list[list[float]], scale: float = 1.0) -> np.ndarray:
    array = np.array(rows, dtype=np.float64) / scale
    array.flags.writeable = False
    return array


_TABLE = {
    "identity": ([[0, 0, 0], [0, 1, 0], [0, 0, 0]], 1,
                 "Identity", "Leaves the image unchanged (only the centre cell counts)."),
    "prewitt_vertical": ([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], 1,
                         "Prewitt vertical edges",
                         "Finds vertical edges: positive on a stroke's left edge (paper on the "
                         "left, ink on the right), negative on its right edge."),
    "prewitt_horizontal": ([[-1, -1, -1], [0, 0, 0], [1, 1, 1]], 1,
                           "Prewitt horizontal edges",
                           "Finds horizontal edges: positive on a stroke's top edge (paper "
                           "above, ink below), negative on its bottom edge."),
    "sobel_vertical": ([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], 1,
                       "Sobel vertical edges",
                       "Vertical edges like Prewitt, with more weight on the centre row."),
    "sobel_horizontal": ([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], 1,
                         "Sobel horizontal edges",
                         "Horizontal edges like Prewitt, with more weight on the centre column."),
    "laplacian_4": ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], 1,
                    "Laplacian (4 neighbours)",
                    "Edges in every direction: compares a cell with its 4 neighbours."),
    "laplacian_8": ([[1, 1, 1], [1, -8, 1], [1, 1, 1]], 1,
                    "Laplacian (8 neighbours)",
                    "Edges in every direction, diagonals included: a cell against all 8."),
    "sharpen": ([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], 1,
                "Sharpen", "Boosts a cell against its neighbours, so edges look crisper."),
    "box_blur": ([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 9,
                 "Box blur", "Replaces each cell with the mean of its 3x3 neighbourhood."),
    "gaussian_blur": ([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 16,
                      "Gaussian blur", "A smoother blur: near cells weigh more than far ones."),
    "notes_example": ([[0, 0, 0], [0, 0, 0], [1, 0, 1]], 1,
                      "Notes' example kernel",
                      "The kernel of the notes' worked example: adds the two bottom corners."),
}

KERNELS: MappingProxyType = MappingProxyType(
    {key: _frozen(rows, scale) for key, (rows, scale, _, _) in _TABLE.items()})
"""key -> read-only 3x3 float64 kernel, exactly as printed in the notes."""

KERNEL_INFO: MappingProxyType = MappingProxyType(
    {key: KernelInfo(name, text) for key, (_, _, name, text) in _TABLE.items()})
"""key -> KernelInfo(display name, one-line description)."""


def kernel_bank(names: list[str] | tuple[str, ...], size: int = 3) -> np.ndarray:
    """Stack named kernels into a bank (K, size, size), for starting or freezing a model.

    A 3x3 kernel is centred in a larger size with zeros; a smaller size is refused.
    """
    bank = []
    for name in names:
        if name not in KERNELS:
            raise ValueError(f"unknown kernel {name!r}; known: {', '.join(KERNELS)}")
        if size < 3:
            raise ValueError(f"named kernels are 3x3 and need kernel size >= 3, got {size}")
        start = (size - 3) // 2
        kernel = np.zeros((size, size))
        kernel[start : start + 3, start : start + 3] = KERNELS[name]
        bank.append(kernel)
    if not bank:
        raise ValueError("no kernel names given")
    return np.stack(bank)
