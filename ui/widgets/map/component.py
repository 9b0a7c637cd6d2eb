"""The map component in Streamlit: ``map_view(maps, key=...)`` draws them, returns a picked cell.

A Custom Components v2 element whose JS and CSS (assets/map.js, map.css) are served once
per page load from /_stcore/bidi-components/cnn_playground.map/: a rerun sends only the
payload (ui.widgets.map.payload) and two short asset paths. Streamlit serves such asset
files only for components declared with an ``asset_dir``, which it reads from installed
packages' pyproject.toml; this app is not installed, so ``_declare_assets`` declares the
directory on the running app's component manager with the manager's own manifest method.
If that ever fails (another Streamlit version), the assets go inline on every rerun, as the
drawing grid's do: slower on the wire, same behaviour.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import streamlit as st

from ui.widgets.map.payload import Map, build_payload

PROJECT, COMPONENT = "cnn_playground", "map"
NAME = f"{PROJECT}.{COMPONENT}"
ASSETS = Path(__file__).parent / "assets"
HTML = ""  # the JS builds the DOM; html is the one part Streamlit always sends inline
_LOG = logging.getLogger(__name__)
_mount: Callable[..., Any] | None = None
_file_backed = False
_runtime: object | None = None  # the runtime the assets were last declared on


class Picked(NamedTuple):
    """A cell picked on a map (click, or Enter on a focused map): its map id, row, col;
    tile is the small multiple's index (None for a single map)."""

    map: str
    row: int
    col: int
    tile: int | None = None


def _declare_assets() -> bool:
    """Declare ASSETS as this component's asset_dir on the running app; True if it is."""
    try:
        from streamlit.components.v2.get_bidi_component_manager import (
            get_bidi_component_manager,
        )
        from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest

        manager = get_bidi_component_manager()
        if manager.get_component_asset_root(NAME) is None:
            manifest = ComponentManifest(name=PROJECT, version="1", components=[
                ComponentConfig(name=COMPONENT, asset_dir=ASSETS.name)])
            manager.register_from_manifest(manifest, ASSETS.parent)
        return manager.get_component_asset_root(NAME) == ASSETS.resolve()
    except Exception as error:  # any API change: fall back to inline assets
        _LOG.warning("map component assets go inline on every rerun: %s", error)
        return False


def _inline() -> Callable[..., Any]:
    return st.components.v2.component(
        NAME, html=HTML, css=(ASSETS / "map.css").read_text(encoding="utf-8"),
        js=(ASSETS / "map.js").read_text(encoding="utf-8"))


def _component() -> Callable[..., Any]:
    """The mounting callable, made on first use inside a running app (and its assets
    declared again on a new runtime, as AppTest makes one per test)."""
    global _mount, _file_backed, _runtime
    from streamlit.runtime import Runtime

    if not Runtime.exists():  # a bare `python script.py`: nothing is drawn anyway
        return _inline()
    runtime = Runtime.instance()
    if _mount is None:
        _file_backed = _declare_assets()
        _mount = (st.components.v2.component(NAME, html=HTML, css="map.css", js="map.js")
                  if _file_backed else _inline())
    elif _file_backed and runtime is not _runtime:  # once per runtime, not on every call
        _declare_assets()
    _runtime = runtime
    return _mount


def assets_sent_once() -> bool:
    """Whether the JS and CSS go by path (once per page load) rather than inline."""
    _component()
    return _file_backed


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

    result = _component()(key=key, data=payload, on_select_change=picked)
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
