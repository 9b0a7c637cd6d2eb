"""The shared drawing kept valid: repaired when session state holds something else, and
resampled to another grid size from the drawing as the student left it.

The drawing lives in state.DRAWING; the drawing panel (ui.drawing_panel) reads it through
``checked_drawing`` and changes its size through ``resized``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.data import NOTES_EIGHT
from ui import state
from ui.grid import ops


def nearest_size(n: int) -> int:
    """The allowed grid size closest to n (ties go to the smaller one)."""
    return min(state.GRID_SIZES, key=lambda size: (abs(size - n), size))


def resized(grid: np.ndarray, size: int) -> np.ndarray:
    """The drawing at another grid size, resampled from the drawing as the student left it.

    While nobody changes the drawing between two size changes, each one resamples the
    drawing from before the first, not the last (greyed) result: 5 -> 8 -> 5 gives the
    original cells back exactly, and 16 -> 5 -> 8 is 16 -> 8 at once.
    """
    memory = st.session_state.get(state.RESIZED_FROM)
    source = grid
    if memory is not None and memory[1].shape == grid.shape and np.array_equal(memory[1], grid):
        source = memory[0]
    result = ops.resize_grid(source, size)
    st.session_state[state.RESIZED_FROM] = (np.array(source), result)
    return result


def _repair(grid: object) -> tuple[np.ndarray, str | None]:
    """A drawing made valid (square, an allowed size, finite, 0..1) and what was wrong.

    Silent for rounding noise (1.0000000000000009) and for another size (resampled); a
    message for anything else, which only session state can hold (a test, a hand-made
    message): what was not a number becomes paper, what lies outside 0..1 is clipped.
    """
    try:
        g = np.array(grid, dtype=np.float64)
    except (TypeError, ValueError):
        g = np.zeros(0)
    if g.ndim != 2 or g.shape[0] != g.shape[1] or g.shape[0] == 0:
        return np.array(NOTES_EIGHT, dtype=np.float64), (
            f"The drawing in memory was not a square grid (shape {g.shape}): it was replaced "
            "by the notes' 8.")
    problems = []
    broken = ~np.isfinite(g)
    if broken.any():
        kinds = " or ".join(word for word, found in (("NaN", np.isnan(g).any()),
                                                      ("infinity", np.isinf(g).any())) if found)
        problems.append(f"{int(broken.sum())} cell(s) held {kinds}, not a number: they are "
                        "paper now")
        g[broken] = 0.0
    noise = 1e-9
    if g.min() < -noise or g.max() > 1.0 + noise:
        problems.append(f"values outside 0..1 (from {g.min():.6g} to {g.max():.6g}) were "
                        "clipped to 0..1")
    g = np.clip(g, 0.0, 1.0)
    if g.shape[0] not in state.GRID_SIZES:  # another size: resample, keep the ink
        g = ops.resize_grid(g, nearest_size(g.shape[0]))
    message = ("The drawing in memory was not a valid drawing: " + "; ".join(problems) + "."
               if problems else None)
    return g, message


def checked_drawing() -> np.ndarray:
    """The shared drawing, repaired first if it is not a valid one (see _repair); the
    repair's message waits under state.DRAWING_PROBLEM for the next grid to show it."""
    state.ensure_defaults()
    grid = state.drawing()
    valid = (isinstance(grid, np.ndarray) and grid.dtype == np.float64 and grid.ndim == 2
             and grid.shape[0] == grid.shape[1] and grid.shape[0] in state.GRID_SIZES
             and np.all(np.isfinite(grid)) and grid.min() >= 0.0 and grid.max() <= 1.0)
    if not valid:
        repaired, message = _repair(grid)
        state.set_drawing(repaired)
        if message:
            st.session_state[state.DRAWING_PROBLEM] = message
    return state.drawing()
