"""The shared drawing kept valid: repaired when session state holds something else, and
resampled to another grid size from the drawing as the student left it.

The drawing lives in state.DRAWING; the drawing panel (ui.widgets.drawing_panel) reads it through
``checked_drawing`` and changes its size through ``resized``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.drawing_edits import is_grid_drawing, repair_drawing, resize
from ui.session import state


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
    result = resize(source, size)
    st.session_state[state.RESIZED_FROM] = (np.array(source), result)
    return result


def checked_drawing() -> np.ndarray:
    """The shared drawing, repaired first if it is not a valid one
    (cnn_core.drawing_edits.repair_drawing); the repair's message waits under
    state.DRAWING_PROBLEM for the next grid to show it."""
    state.ensure_defaults()
    grid = state.drawing()
    if not is_grid_drawing(grid):
        repaired, message = repair_drawing(grid)
        state.set_drawing(repaired)
        if message:
            st.session_state[state.DRAWING_PROBLEM] = message
    return state.drawing()
