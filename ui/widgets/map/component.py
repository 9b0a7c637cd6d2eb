"""The map component in Streamlit: ``map_view(maps, key=...)`` draws them, returns a picked cell.

A Custom Components v2 element whose JS and CSS (assets/map.js, map.css) are served once
per page load from /_stcore/bidi-components/cnn_playground.map/ (ui.widgets.served): a
rerun sends only the payload (ui.widgets.map.payload) and two short asset paths.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import streamlit as st

from ui.widgets.map.payload import Map, build_payload
from ui.widgets.served import ServedComponent

# the JS builds the DOM; html is the one part Streamlit always sends inline
MAP = ServedComponent("map", Path(__file__).parent / "assets", css="map.css", js="map.js")


class Picked(NamedTuple):
    """A cell picked on a map (click, or Enter on a focused map): its map id, row, col;
    tile is the small multiple's index (None for a single map)."""

    map: str
    row: int
    col: int
    tile: int | None = None


def _ignore_event() -> None:
    """CCv2 only reports a trigger that has an ``on_<name>_change`` callback."""


def decode_pick(value: Any, payload: dict) -> Picked | None:
    """Validate the ``select`` trigger value against the payload's maps; None if malformed."""
    if not isinstance(value, dict):
        return None
    entry = next((m for m in payload["maps"] if m["id"] == value.get("map")), None)
    row, col, tile = value.get("row"), value.get("col"), value.get("tile", 0)
    if entry is None or not entry.get("pick") or not all(
            type(v) is int for v in (row, col, tile)):
        return None
    count, height, width = entry["shape"]
    if not (0 <= row < height and 0 <= col < width and 0 <= tile < count):
        return None
    return Picked(entry["id"], row, col, tile if "tiles" in entry else None)


def _revision(key: str, payload: dict) -> int:
    """A counter per component that moves when its payload changes (not on every rerun,
    so an unchanged map is not redrawn and its data-revision stays)."""
    signature = zlib.crc32(json.dumps(payload, separators=(",", ":")).encode())
    store = f"_map_revision_{key}"
    revision, last = st.session_state.get(store, (0, None))
    if signature != last:
        revision += 1
        st.session_state[store] = (revision, signature)
    return revision


def map_view(maps: Map | Sequence[Map], *, key: str, columns: int | None = None,
             presenter: bool = False, revision: int | None = None,
             cell_px: int | None = None, side_px: int | None = None,
             on_select: Callable[[Picked], None] | None = None) -> Picked | None:
    """Draw one map or a row of maps (``columns`` to a row) as one Streamlit element.

    maps: ui.widgets.map.Map specs (a 2D array each, or a (K, h, w) stack of small
    multiples). key: a unique element key. revision: the counter each map's figure shows
    as data-revision once painted (default: one that moves whenever the payload changes).
    cell_px, side_px: the largest cell and map side in px. on_select: called (as a widget
    callback, before the rerun) with the cell picked on a ``pick=True`` map.

    Returns the cell picked on this run (a click, or Enter/Space on a focused map), else
    None. Raises ValueError for maps that cannot be drawn (see payload.build_payload).
    """
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string")
    payload = build_payload(maps, presenter=presenter, columns=columns, cell_px=cell_px,
                            side_px=side_px)
    payload["rev"] = _revision(key, payload) if revision is None else int(revision)

    def picked() -> None:
        if on_select is not None:
            cell = decode_pick((st.session_state.get(key) or {}).get("select"), payload)
            if cell is not None:
                on_select(cell)

    result = MAP.mount()(key=key, data=payload, on_select_change=picked)
    numbers_as_tables([maps] if isinstance(maps, Map) else maps, payload)
    return decode_pick(result.get("select"), payload)


def numbers_as_tables(maps: Sequence[Map], payload: dict) -> None:
    """Each map's numbers in a table (and its 1x1 outlined cells in words) when the session
    asked for "Numbers as tables", as ui.widgets.charts.show_chart does for plotly charts."""
    from ui.widgets.charts import Tiles, marked_cells, numbers_shown, styled, table_of

    if not numbers_shown():
        return
    for spec, entry in zip(maps, payload["maps"], strict=True):
        values = np.asarray(spec.values, dtype=np.float64)
        numbers = spec.table if spec.table is not None else (
            Tiles(values, entry["tiles"]["labels"]) if values.ndim == 3 else values)
        st.table(styled(table_of(numbers)), alt=f"The numbers of {entry['label']}")
        cells = [(r, c) for r, c, h, w in entry.get("boxes", []) if h == w == 1]
        if cells:
            mask = np.zeros(values.shape[-2:], dtype=bool)
            mask[tuple(np.array(cells).T)] = True
            st.caption(marked_cells(mask))
