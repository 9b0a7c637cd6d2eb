"""What the map component draws, as JSON: arrays and options in, one payload out (pure).

A page section's maps travel as one payload (one Streamlit element). Each map is a 2D array
(h, w), or a stack (K, h, w) drawn as small multiples with one shared scale. Values go as
base64 little-endian float32 (4 bytes a cell; NaN cells are gaps; float64 with "dtype": "f8"
when a value is beyond float32's range). The colour scale's stops
come from ui.figures.spec.colour_scale and its range is computed here, so the browser only maps
values to colours. Cell numbers are written by Python's formatter (cnn_core.number_text.number)
and sent as text, for maps narrow enough to have room for them; the browser only decides
whether they fit their cells. Hover values use ``hover_number``, which map.js mirrors.

Payload (map.js reads it; ui/widgets/map/component.py sends it)::

    {"v": 1, "rev": 3, "presenter": false, "columns": 2, "cell": 46, "side": 420,
     "scales": {"signed": [[0, "#2d004b"], ...]},
     "maps": [{"id": "m0", "title": "...", "label": "...", "kind": "signed",
               "shape": [K, h, w], "z": "<base64 float32>", "lo": -1.5, "hi": 1.5,
               "text": "0.5,-1.25,,3" (optional),
               "tiles": {"cols": 4, "labels": [...], "compact": true (optional)},
               "boxes": [[r, c, h, w], ...], "inner": [r, c, h, w], "pick": true,
               "start": [-1, -1] (optional)}]}
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnn_core.number_text import MINUS, number
from ui.figures.spec import colour_scale

FORMAT_VERSION = 1
KINDS = ("signed", "positive", "ink")
NUMBERED_UP_TO = 16  # maps wider than this never get cell numbers (no room)
HOVER_DIGITS = 4
Box = tuple[int, int, int, int]  # (row, col, height, width) in cells


@dataclass(frozen=True)
class Map:
    """One heatmap, or K small multiples with one colour scale.

    values: (h, w), or (K, h, w) for small multiples (tiles, labelled ``labels`` or k0,
    k1...). kind: "signed" (PuOr centred at 0), "positive" (Blues from 0), "ink" (Greys
    0..1) or "auto" (signed if any value < 0). numbers: write the values in the cells
    (None: for single maps at most 16 cells wide); they are shown only where they fit.
    boxes: three-tone outlines (row, col, height, width), e.g. picked cells or windows;
    inner: a dashed box (the image inside its padding). pick: clicks and Enter select a
    cell. value_range: (low, high) to share a scale between maps. start: the [row, col]
    that ticks and hover text give the first cell (a padded input's ticks read −1, 0...;
    picks stay array indices). compact: small multiples packed one cell apart, their labels
    in the hover only (an overview of many channels). table: what "Numbers as tables" shows
    for this map (a ui.widgets.charts Numbers: a Matrix with named axes...), by default its
    values; it is not sent to the browser.
    """

    values: np.ndarray
    title: str = ""
    id: str = ""
    kind: str = "auto"
    numbers: bool | None = None
    decimals: int = 2
    boxes: Sequence[Box] = ()
    inner: Box | None = None
    labels: Sequence[str] | None = None
    tile_columns: int = 4
    compact: bool = False
    pick: bool = False
    label: str = ""
    value_range: tuple[float, float] | None = None
    start: tuple[int, int] = (0, 0)
    table: object = None


def hover_number(value: float) -> str:
    """A hovered value: 4 significant digits of its float32, real minus sign, never "−0".

    map.js writes hover text with the same rule (a browser test compares them).
    """
    return number(float(np.float32(value)), digits=HOVER_DIGITS)


def outlined_boxes(mask: np.ndarray) -> list[Box]:
    """One 1x1 box per True cell of a (h, w) bool mask (pooling winners, a picked cell)."""
    return [(int(r), int(c), 1, 1) for r, c in zip(*np.nonzero(mask), strict=True)]


def hex_stops(kind: str, presenter: bool) -> list[list]:
    """ui.figures.spec.colour_scale(kind, presenter) as [[position, "#rrggbb"], ...]."""
    stops = []
    for position, colour in colour_scale(kind, presenter):
        red, green, blue = (int(part) for part in colour[4:-1].split(","))
        stops.append([round(float(position), 6), f"#{red:02x}{green:02x}{blue:02x}"])
    return stops


def checked_values(values: object, name: str) -> np.ndarray:
    """values as a finite-or-NaN float array (h, w) or (K, h, w); else ValueError."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"map {name}: values must be numbers ({error})") from None
    if array.ndim not in (2, 3):
        raise ValueError(f"map {name}: values must be 2D (h, w) or 3D (K, h, w), got "
                         f"shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"map {name}: values are empty (shape {array.shape})")
    if np.isinf(array).any():
        raise ValueError(f"map {name}: values must be finite (NaN marks a gap), got inf")
    return array


def scale_range(values: np.ndarray, kind: str) -> tuple[str, float, float]:
    """(kind, low, high): signed ±max|v| (zmid 0), positive 0..max, ink 0..1; NaN ignored."""
    finite = values[np.isfinite(values)]
    if kind == "auto":
        kind = "signed" if finite.size and finite.min() < 0 else "positive"
    biggest = float(np.max(np.abs(finite))) if finite.size else 0.0
    biggest = biggest or 1.0
    low, high = {"signed": (-biggest, biggest), "positive": (0.0, biggest),
                 "ink": (0.0, 1.0)}[kind]
    return kind, low, high


def _box(box: object, shape: tuple[int, int], name: str, what: str) -> list[int]:
    try:
        row, col, height, width = (int(v) for v in box)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(f"map {name}: {what} must be (row, col, height, width), "
                         f"got {box!r}") from None
    if height < 1 or width < 1 or row < 0 or col < 0 or row + height > shape[0] \
            or col + width > shape[1]:
        raise ValueError(f"map {name}: {what} {box!r} is not inside the {shape[0]}x{shape[1]} "
                         "map")
    return [row, col, height, width]


def cell_texts(values: np.ndarray, decimals: int) -> str:
    """The cells' numbers as Python writes them, comma-separated, row-major ("" for NaN).

    The real minus sign travels as "-" (JSON would spend 6 bytes on it); map.js puts it back.
    """
    texts = ["" if v != v else number(v, decimals=decimals) for v in values.ravel().tolist()]
    return ",".join(texts).replace(MINUS, "-")


def map_entry(spec: Map, index: int) -> dict:
    """One map of the payload (see the module docstring); ValueError on bad input."""
    name = repr(spec.id or spec.title or f"#{index}")
    values = checked_values(spec.values, name)
    tiles = values.ndim == 3
    stack = values if tiles else values[np.newaxis]
    if spec.kind not in (*KINDS, "auto"):
        raise ValueError(f"map {name}: kind must be one of {(*KINDS, 'auto')}, got {spec.kind!r}")
    kind, low, high = scale_range(values, spec.kind)
    if spec.value_range is not None:
        low, high = (float(v) for v in spec.value_range)
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"map {name}: value_range must be finite with low < high, "
                             f"got {spec.value_range!r}")
    # float32 halves what travels; a map with a value beyond float32's range (±3.4e38) goes
    # as float64 ("dtype": "f8"), so that no cell is ever drawn or hovered as inf
    wide = bool(np.nanmax(np.abs(stack), initial=0.0) > np.finfo(np.float32).max)
    sent = np.ascontiguousarray(stack, dtype="<f8" if wide else "<f4")
    entry = {"id": spec.id or f"m{index}", "title": spec.title,
             "label": spec.label or spec.title or f"map {index}", "kind": kind,
             "shape": list(stack.shape), "lo": low, "hi": high,
             "z": base64.b64encode(sent.tobytes()).decode("ascii")}
    if wide:
        entry["dtype"] = "f8"
    numbers = spec.numbers if spec.numbers is not None else (
        not tiles and values.shape[-1] <= NUMBERED_UP_TO)
    if numbers:  # written from the values the browser hovers and colours
        entry["text"] = cell_texts(sent.astype(np.float64), spec.decimals)
    if tiles:
        count = stack.shape[0]
        labels = [str(label) for label in spec.labels] if spec.labels is not None else [
            f"k{k}" for k in range(count)]
        if len(labels) != count:
            raise ValueError(f"map {name}: {count} tiles but {len(labels)} labels")
        entry["tiles"] = {"cols": max(1, min(int(spec.tile_columns), count)),
                          "labels": labels}
        if spec.compact:
            entry["tiles"]["compact"] = True
    if spec.boxes:
        entry["boxes"] = [_box(box, stack.shape[1:], name, "box") for box in spec.boxes]
    if spec.inner is not None:
        entry["inner"] = _box(spec.inner, stack.shape[1:], name, "inner")
    if spec.pick:
        entry["pick"] = True
    start = [int(v) for v in spec.start]
    if start != [0, 0]:
        entry["start"] = start
    return entry


def build_payload(maps: Map | Sequence[Map], *, revision: int = 0, presenter: bool = False,
                  columns: int | None = None, cell_px: int | None = None,
                  side_px: int | None = None) -> dict:
    """The JSON-able payload for one component: maps side by side, ``columns`` to a row.

    columns: maps per row (default: all in one row, at most 4). cell_px: the largest cell
    (default 46 px, 62 in presenter mode); side_px: the largest side of a map, or of each
    small multiple (default 420 px, 560).
    Raises ValueError for maps that cannot be drawn (wrong ndim, empty, inf, bad boxes,
    duplicate ids).
    """
    specs = [maps] if isinstance(maps, Map) else list(maps)
    if not specs:
        raise ValueError("no maps to draw")
    if not all(isinstance(spec, Map) for spec in specs):
        raise ValueError("maps must be Map instances")
    entries = [map_entry(spec, index) for index, spec in enumerate(specs)]
    ids = [entry["id"] for entry in entries]
    if len(set(ids)) != len(ids):
        raise ValueError(f"map ids must differ within one component, got {ids}")
    columns = min(len(entries), 4) if columns is None else int(columns)
    if columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns}")
    kinds = sorted({entry["kind"] for entry in entries})
    return {"v": FORMAT_VERSION, "rev": int(revision), "presenter": bool(presenter),
            "columns": columns, "cell": int(cell_px or (62 if presenter else 46)),
            "side": int(side_px or (560 if presenter else 420)),
            "scales": {kind: hex_stops(kind, presenter) for kind in kinds}, "maps": entries}
