"""The drawing grid's messages, both ways (pure: no Streamlit): a drawing as the text the
browser seeds the grid with, and a finished stroke's payload
``{"r": revision, "n": size, "g": "0,1,0.5,..."}`` checked and turned back into a drawing.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def encode_grid(grid: np.ndarray) -> str:
    """(n, n) floats -> comma-separated row-major values rounded to 3 decimals ("0,1,0.5")."""
    flat = np.asarray(grid, dtype=np.float64).ravel()
    if np.all((flat == 0) | (flat == 1)):  # ink only, the usual case: "0" or "1" bytes
        text = np.full(2 * flat.size - 1, ord(","), dtype=np.uint8)
        text[::2] = np.where(flat == 1, ord("1"), ord("0"))
        return text.tobytes().decode("ascii")
    return ",".join(f"{v:.3f}".rstrip("0").rstrip(".") for v in flat)


def decode_stroke(value: Any, *, size: int, revision: int) -> np.ndarray | None:
    """Validate a ``stroke`` trigger payload and return the (size, size) float64 grid.

    Returns None for anything malformed: not a dict, a stroke drawn on an older revision
    (the user drew while Python was replacing the drawing), the wrong number of values,
    or values that are not finite numbers in 0..1.
    """
    if not isinstance(value, dict) or value.get("r") != revision:
        return None
    text = value.get("g")
    # Each value is at most 5 characters ("0.123") plus a comma.
    if not isinstance(text, str) or len(text) > size * size * 6:
        return None
    parts = text.split(",")
    if len(parts) != size * size:
        return None
    try:
        flat = np.array([float(p) for p in parts], dtype=np.float64)
    except ValueError:
        return None
    if not np.all(np.isfinite(flat)) or flat.min() < 0.0 or flat.max() > 1.0:
        return None
    return flat.reshape(size, size)
