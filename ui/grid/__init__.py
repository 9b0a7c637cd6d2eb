"""The drawing grid component and the numpy operations on drawings.

``drawing_grid`` is imported lazily so that ``ui.grid.ops`` stays importable (and testable)
without loading Streamlit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ui.grid.component import drawing_grid

__all__ = ["drawing_grid"]


def __getattr__(name: str) -> Any:
    if name == "drawing_grid":
        from ui.grid.component import drawing_grid

        return drawing_grid
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
