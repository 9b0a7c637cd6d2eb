"""Locators the browser tests share: grid cells and the numbers written in maps."""

from __future__ import annotations

import re

import numpy as np
from playwright.sync_api import Locator, Page, expect

from cnn_core.number_text import number


def cell(page: Page, row: int, col: int) -> Locator:
    """One cell of the drawing grid (inside the component's open shadow root)."""
    return page.locator(f'.cnn-cell[data-row="{row}"][data-col="{col}"]')


def map_panel(page: Page, map_id: str) -> Locator:
    """The map component's panel of the map with this id (ui.widgets.map.Map.id); its
    data-revision attribute moves once the map is painted with new data."""
    return page.locator(f'.cnn-map[data-map-id="{map_id}"]')


def map_drawn(page: Page, map_id: str) -> dict:
    """What the map component painted last on this map: "numbers" [[tile, row, col, text]],
    "font" (px, 0 when the numbers are hidden), "cell", "room" (px), "fontCss"."""
    return map_panel(page, map_id).locator("canvas.cnn-map-overlay").evaluate("c => c.__drawn")


def map_numbers(page: Page, map_id: str) -> list[str]:
    """The numbers written in a map's cells, row-major (tile by tile), as a student reads them."""
    numbers = sorted(map_drawn(page, map_id)["numbers"], key=lambda n: (n[0] or 0, n[1], n[2]))
    return [text for *_, text in numbers]


def painted(page: Page, map_id: str, timeout: float = 60_000) -> str:
    """The map's data-revision once it has been painted at least once."""
    panel = map_panel(page, map_id)
    expect(panel).to_have_attribute("data-revision", re.compile(r"^[1-9]\d*$"),
                                    timeout=timeout)
    return panel.get_attribute("data-revision")


def cell_point(page: Page, map_id: str, row: int, col: int, tile: int = 0) -> tuple[float, float]:
    """Page coordinates of the centre of cell [row, col] of tile ``tile`` of a map."""
    target = map_panel(page, map_id).locator("canvas.cnn-map-overlay")
    target.scroll_into_view_if_needed()
    box, info = target.bounding_box(), map_drawn(page, map_id)
    x, y = info["origins"][tile]
    return box["x"] + x + (col + 0.5) * info["cell"], box["y"] + y + (row + 0.5) * info["cell"]


def texts_of(values: np.ndarray) -> list[str]:
    """How a heatmap writes these values, row-major (real minus sign, no trailing zeros)."""
    return [number(v, decimals=2) for v in np.asarray(values).ravel()]
