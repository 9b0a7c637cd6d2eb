"""Locators the browser tests share: grid cells and the numbers written in heatmaps."""

from __future__ import annotations

import numpy as np
from playwright.sync_api import Locator, Page

from cnn_core.number_text import number


def cell(page: Page, row: int, col: int) -> Locator:
    """One cell of the drawing grid (inside the component's open shadow root)."""
    return page.locator(f'.cnn-cell[data-row="{row}"][data-col="{col}"]')


def map_texts(page: Page, title: str) -> Locator:
    """The numbers written in the cells of the plotly heatmap whose title contains title."""
    return page.locator(".js-plotly-plot").filter(has_text=title).locator(".heatmaplayer text")


def texts_of(values: np.ndarray) -> list[str]:
    """How a heatmap writes these values, row-major (real minus sign, no trailing zeros)."""
    return [number(v, decimals=2) for v in np.asarray(values).ravel()]
