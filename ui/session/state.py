"""Every session_state key the app shares between pages, and their defaults.

Pages call ``ensure_defaults()`` first, so each page also runs on its own (in a test).
Widget keys that belong to one page only live in that page, prefixed with its name.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.data import NOTES_EIGHT

DRAWING = "drawing"  # the student's drawing: square float array 0..1; its shape is the grid size
DRAWING_REVISION = "drawing_revision"  # bumped whenever Python changes the drawing
KERNEL_CHOICE = "kernel_choice"  # a key of cnn_core.KERNELS, "custom", or "learned:<i>"
CUSTOM_KERNEL = "custom_kernel"  # last valid custom kernel (2D float array)
TRAINED_MODEL = "trained_model"  # this session's TinyCNN after training, or None
TRAINED_ORIGIN = "trained_origin"  # ui.session.models.Origin of TRAINED_MODEL, or None
PRESENTER = "presenter_mode"  # classroom: bigger numbers and cells
NUMBERS_AS_TABLES = "numbers_as_tables"  # every chart followed by its numbers (ui.widgets.charts)
RESIZED_FROM = "drawing_resized_from"  # (drawing before the grid size changed, result)
DRAWING_PROBLEM = "drawing_problem"  # what was wrong with a drawing found in memory, once


def ensure_defaults() -> None:
    """Put every shared key in session_state if it is missing (safe to call every run)."""
    defaults = {
        DRAWING: lambda: np.array(NOTES_EIGHT, dtype=np.float64),
        DRAWING_REVISION: lambda: 0,
        KERNEL_CHOICE: lambda: "notes_example",
        CUSTOM_KERNEL: lambda: np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]]),
        TRAINED_MODEL: lambda: None,
        TRAINED_ORIGIN: lambda: None,
        PRESENTER: lambda: False,
        NUMBERS_AS_TABLES: lambda: False,
    }
    for key, make in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = make()


def set_drawing(grid: np.ndarray) -> None:
    """Replace the drawing from Python (preset, clear, upload...) so the grid reloads it."""
    st.session_state[DRAWING] = np.asarray(grid, dtype=np.float64)
    st.session_state[DRAWING_REVISION] += 1


def drawing() -> np.ndarray:
    """The current drawing (a copy-free read: do not modify it in place)."""
    return st.session_state[DRAWING]
