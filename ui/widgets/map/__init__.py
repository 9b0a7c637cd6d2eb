"""The map component: every heatmap of the app, drawn on canvas in the browser.

``Map`` and ``build_payload`` (ui.widgets.map.payload) are pure; ``map_view`` and ``Picked``
are imported lazily so that the payload stays importable (and testable) without Streamlit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ui.widgets.map.payload import Map, build_payload, hover_number, outlined_boxes

if TYPE_CHECKING:
    from ui.widgets.map.component import Picked, map_view

__all__ = ["Map", "Picked", "build_payload", "hover_number", "map_view", "outlined_boxes"]


def __getattr__(name: str) -> Any:
    if name in ("map_view", "Picked"):
        from ui.widgets.map import component

        return getattr(component, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
