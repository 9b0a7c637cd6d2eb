"""The Forward pass's walk through the blocks: every block's convolution, ReLU and pooling,
channel by channel as small multiples, each under its own anchored heading with its shape
and the output-size formula that gives it (cnn_core.stages).

A click on a tile of any block opens that block's map in the detail view (ui.network.detail).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from cnn_core.stages import Stage
from ui.text.network import stage_anchor
from ui.widgets.map import Map, map_view
from ui.widgets.map.component import Picked

BLOCK_KEY = "forward_block"  # the detail view's block (1, 2, 3) and output map (channel)
CHANNEL_KEY = "forward_kernel"
ROW_KEY, COL_KEY = "forward_row", "forward_col"  # the detail's cell of the output map
DETAIL_KEY = "forward_detail"  # the detail view open (a click on a tile opens it)
WHAT = {"conv": "signed: purple below 0, orange above",
        "relu": "max(0, x): the negatives become 0",
        "max pool": "the largest value of each window", "avg pool": "each window's mean"}


def tile_columns(count: int) -> int:
    """Small multiples to a row: all of them up to 8, else 8."""
    return min(count, 8)


def stage_caption(stage: Stage) -> str:
    """The shape under a stage, and the formula that computes it when there is one."""
    shape = f"Shape **{stage.shape_text}**"
    return f"{shape}: {stage.formula}" if stage.formula else shape


def open_detail(block: int, same_cells: bool):
    """A map_view callback: a tile of ``block`` picked -> the detail view opens on that map
    (and the picked cell too when the stage's cells are the feature map's: conv, ReLU)."""
    def picked(cell: Picked) -> None:
        if cell.tile is not None:
            st.session_state[DETAIL_KEY] = True
            st.session_state[BLOCK_KEY] = block
            st.session_state[CHANNEL_KEY] = cell.tile
            if same_cells:
                st.session_state[ROW_KEY], st.session_state[COL_KEY] = cell.row, cell.col
    return picked


def stage_map(stage: Stage) -> Map:
    """One block stage (C, h, w) as small multiples with one shared scale, tiles pickable."""
    layer = stage.key.split(".", 1)[1]
    kind = "signed" if layer == "conv" else "positive"
    count = stage.values.shape[0]
    return Map(stage.values, title=f"{stage.title}: {count} map{'s' if count > 1 else ''}",
               id=stage_anchor(stage.key), kind=kind, pick=True,
               numbers=stage.values.shape[-1] <= 5 or None,
               tile_columns=tile_columns(count),
               label=f"{stage.title}, {stage.shape_text}")


def show_blocks(stages: Sequence[Stage], presenter: bool) -> None:
    """Every block stage: heading (anchored), shape and formula, its maps (one element)."""
    for stage in stages:
        if not stage.block:
            continue
        layer = stage.key.split(".", 1)[1]
        st.subheader(stage.title, anchor=stage_anchor(stage.key))
        st.caption(f"{stage_caption(stage)} · {WHAT.get(layer, '')}. Click a tile to look "
                   "inside it below.")
        map_view(stage_map(stage), key=f"forward_{stage_anchor(stage.key)}",
                 presenter=presenter,
                 on_select=open_detail(stage.block, layer in ("conv", "relu")))
