"""The drawing grid: a Streamlit Custom Components v2 widget (HTML, CSS and JS, no build);
its CSS and JS are served by path once per page load (ui.widgets.served), its short HTML
goes with each rerun.

Python sends the seed drawing, its revision, the brush and the label in ``data``; the
browser keeps the user's strokes and sends the whole grid back once per finished stroke as
the trigger value ``stroke`` (both message formats: ui.codecs.grid_stroke).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from cnn_core.drawing import GRID_SIZES
from ui.codecs.grid_stroke import decode_stroke, encode_grid
from ui.widgets.served import ServedComponent

TARGET_WIDTH_PX = 320

_HERE = Path(__file__).parent / "assets"
GRID = ServedComponent("drawing_grid", _HERE, css="grid.css", js="grid.js",
                       html=(_HERE / "grid.html").read_text(encoding="utf-8"))


def _ignore_event() -> None:
    """CCv2 only reports a trigger that has an ``on_<name>_change`` callback."""


def default_cell_px(size: int) -> int:
    """Cell size so the grid is about 320 px wide: round(320 / size), clamped to 8..64."""
    return max(8, min(64, round(TARGET_WIDTH_PX / size)))


def _validate_seed(grid: np.ndarray) -> np.ndarray:
    g = np.asarray(grid, dtype=np.float64)
    if g.ndim != 2 or g.shape[0] != g.shape[1] or g.shape[0] not in GRID_SIZES:
        raise ValueError(f"grid must be a square 2D array of size {GRID_SIZES}, "
                         f"got shape {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("grid must not contain NaN or infinite values")
    # Tolerate rounding noise such as 1.0000000002 from arithmetic on the drawing.
    return np.clip(g, 0.0, 1.0)


def drawing_grid(
    grid: np.ndarray,
    *,
    key: str,
    revision: int,
    brush: float = 1.0,
    cell_px: int | None = None,
    label: str = "Drawing grid",
) -> np.ndarray | None:
    """Show an editable square drawing; return the new grid after a stroke, else None.

    grid: (n, n) seed drawing, values 0..1, n in 5, 8, 16, 28, 32. The browser reloads it
    only on first mount or when ``revision`` changes, so bump ``revision`` whenever Python
    changes the drawing (clear, preset, invert, upload...) and do it before this call (in a
    callback) or follow it with ``st.rerun()``. Keep the drawing in your own session_state
    key (not ``key``): Streamlit drops widget state on a page switch, and on remount the
    component shows ``grid``.

    Returns a float64 (n, n) array once per finished stroke (pointer up, or Space/Enter),
    and None on every other run.
    """
    seed = _validate_seed(grid)
    n = seed.shape[0]
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string")
    if isinstance(revision, bool) or not isinstance(revision, int | np.integer):
        raise ValueError(f"revision must be an int, got {revision!r}")
    if not (isinstance(brush, int | float) and math.isfinite(brush) and 0.0 < brush <= 1.0):
        raise ValueError(f"brush must be a number in (0, 1], got {brush!r}")
    if cell_px is None:
        cell_px = default_cell_px(n)
    elif isinstance(cell_px, bool) or not isinstance(cell_px, int) or cell_px < 4:
        raise ValueError(f"cell_px must be an int >= 4, got {cell_px!r}")

    result = GRID.mount()(
        key=key,
        data={
            "size": n,
            "seed": encode_grid(seed),
            "revision": int(revision),
            "brush": round(float(brush), 3),
            "cellPx": cell_px,
            "label": str(label),
        },
        on_stroke_change=_ignore_event,
    )
    return decode_stroke(result.get("stroke"), size=n, revision=int(revision))
