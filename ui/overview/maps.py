"""What the overview draws for each stage of a forward pass (pure: Stage list in, Maps out).

Every stage with maps becomes one Map of one map component: the input as an ink map, each
block's conv, ReLU and pooling as small multiples (one tile per channel, one colour scale
per stage, no cell numbers: at 32 channels they would be unreadable and slow), the dense
layer's logits and the softmax probabilities as one column of 10 cells each, numbers
written, the most probable digit outlined. Flatten has no map (it is the last pooling's
numbers in one row): its shape is told in words. A map's id is the stage's anchor on the
Forward pass (ui.text.network).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cnn_core.stages import Stage
from ui.text.network import stage_anchor
from ui.widgets.map.payload import Map

SHORT_TITLES = {"input": "Input", "conv": "Conv", "relu": "ReLU", "max pool": "Max pool",
                "avg pool": "Avg pool", "flatten": "Flatten", "dense": "Logits",
                "softmax": "Probabilities"}
MAP_LESS = ("flatten",)  # stages told in words only


def short_title(stage: Stage) -> str:
    """"Conv 1", "Max pool 2", "Logits": a stage's name that fits above a small map."""
    name = stage.key.split(".", 1)[-1]
    return SHORT_TITLES[name] + (f" {stage.block}" if stage.block else "")


def shape_line(stage: Stage) -> str:
    """The stage's shape, and the formula that computes it when there is one:
    "32 × 14 × 14, side (16 − 3 + 2×0) // 1 + 1 = 14", "1568 (32 × 7 × 7 = 1568)"."""
    if stage.formula and stage.block:
        return f"{stage.shape_text}, side {stage.formula}"
    return stage.shape_text + (f" ({stage.formula})" if stage.formula else "")


NARROWEST_PX = 180  # the map component's narrowest column
MARGIN_PX = 10  # its room for outlines, left and right of a map
SMALLEST_CELL_PX = 2  # its smallest cell


def tile_columns(channels: int, width: int) -> int:
    """Small multiples per row: 4, fewer for fewer channels or tiles too wide for 4 to fit
    a column of the component at its smallest cells (2 px, one cell apart); so a stage's
    tiles stack into one column of the overview (32 channels of 14 x 14: 8 rows of 4)."""
    fit = (NARROWEST_PX - MARGIN_PX) // (SMALLEST_CELL_PX * (width + 1))
    return max(1, min(4, channels, fit))


def stage_map(stage: Stage) -> Map | None:
    """The stage as one Map (None for flatten); title: its short name and shape."""
    name = stage.key.split(".", 1)[-1]
    if name in MAP_LESS:
        return None
    title = f"{short_title(stage)} · {stage.shape_text}"
    label = f"{stage.title}, shape {stage.shape_text}: click to open it on the Forward pass"
    common = dict(title=title, id=stage_anchor(stage.key), label=label, pick=True)
    values = np.asarray(stage.values, dtype=np.float64)
    if stage.key == "input":
        return Map(values[0], kind="ink", numbers=False, **common)
    if stage.block:
        kind = "signed" if name == "conv" else "positive"
        channels, _, width = values.shape
        return Map(values, kind=kind, numbers=False, tile_columns=tile_columns(channels, width),
                   compact=True, **common)
    column = values.reshape(-1, 1)  # one row per digit: the row ticks are the digits
    if name == "dense":
        return Map(column, kind="signed", numbers=True, decimals=1, **common)
    best = int(np.argmax(column))  # the answer outlined: not by colour alone
    return Map(column, kind="positive", numbers=True, decimals=2, value_range=(0.0, 1.0),
               boxes=[(best, 0, 1, 1)], **common)


def overview_maps(stages: Sequence[Stage]) -> list[Map]:
    """Every stage that has a map, in the forward pass's order."""
    maps = (stage_map(stage) for stage in stages)
    return [spec for spec in maps if spec is not None]
