"""The playground's maps through the map component: the input (padded) and the kernel in one
element, the feature map, the ReLU map and the pooled map in another, with the windows the
inspector reads outlined. A click (or Enter) on a cell of the feature or pooled map picks the
cell to inspect; the cell pickers (ui.playground.inspector) follow."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.explain import CellExplanation, PoolCellExplanation
from ui.playground.keys import PICKED, P
from ui.playground.pipeline import Pipeline
from ui.widgets.map import Map, Picked, map_view

Box = tuple[int, int, int, int]  # (row, col, height, width) in cells
PICK_KEYS = {"feature": (f"{P}row", f"{P}col"), "pooled": (f"{P}prow", f"{P}pcol")}


def select_cell(cell: Picked) -> None:
    """on_select callback: a picked feature-map or pooled cell becomes the inspected one.

    Runs before the fragment's rerun; PICKED asks maps() for a whole-page rerun, so that the
    cell pickers outside the fragment show the new numbers.
    """
    keys = PICK_KEYS.get(cell.map)
    if keys is not None:
        st.session_state[keys[0]], st.session_state[keys[1]] = cell.row, cell.col
        st.session_state[PICKED] = True


def pool_box(cell: PoolCellExplanation) -> Box:
    """(row, col, height, width) of a pooled cell's window, cut-off windows included."""
    (r0, c0), (r1, c1) = cell.cells[0], cell.cells[-1]
    return (r0, c0, r1 - r0 + 1, c1 - c0 + 1)


def input_map(run: Pipeline, window: Box, title: str | None = None,
              map_id: str = "input") -> Map:
    """The input as the kernel sees it (padding dashed) with one window outlined."""
    s, n, h = run.settings, run.image.shape[0], run.padded.shape[0]
    return Map(run.padded, title or f"Input f{' + padding' if s.padding else ''} ({h}×{h})",
               id=map_id, kind="ink", boxes=[window],
               inner=(s.padding, s.padding, n, n) if s.padding else None)


def input_maps(run: Pipeline, cell: CellExplanation, presenter: bool) -> None:
    """The input (padded) with the inspected cell's window, and the kernel: one element."""
    k_h, k_w = run.kernel.shape
    map_view([input_map(run, (*cell.window_start, k_h, k_w)),
              Map(run.kernel, f"Kernel g ({k_h}×{k_w})", id="kernel")],
             key=f"{P}input_maps", columns=1, presenter=presenter)


def result_maps(run: Pipeline, cells: tuple[tuple[int, int], tuple[int, int]],
                pooled: PoolCellExplanation, presenter: bool) -> None:
    """Feature map C, after ReLU and pooled, the inspected cells outlined: one element."""
    s, (out_h, out_w), (pool_h, pool_w) = run.settings, run.feature.shape, run.pooled.shape
    (row, col), (prow, pcol) = cells
    map_view([Map(run.feature, f"Feature map C ({out_h}×{out_w})", id="feature",
                  boxes=[(row, col, 1, 1)], pick=True),
              Map(run.activated, f"After ReLU ({out_h}×{out_w})" if s.relu else
                  f"ReLU off: C as is ({out_h}×{out_w})", id="relu", boxes=[pool_box(pooled)]),
              Map(run.pooled, f"{s.pool.capitalize()} pool {s.pool_size}×{s.pool_size} "
                  f"({pool_h}×{pool_w})", id="pooled", boxes=[(prow, pcol, 1, 1)], pick=True)],
             key=f"{P}result_maps", columns=2, presenter=presenter, on_select=select_cell)


def compare_maps(runs: list[tuple[str, Pipeline]], presenter: bool) -> None:
    """Each setup's feature map and pooled map, side by side: one element for both setups."""
    maps = []
    for name, run in runs:
        (h, w), (ph, pw) = run.feature.shape, run.pooled.shape
        maps += [Map(run.feature, f"{name}: feature map ({h}×{w})", id=f"{name.lower()}_feature"),
                 Map(run.pooled, f"{name}: pooled ({ph}×{pw})", id=f"{name.lower()}_pooled")]
    map_view(maps, key=f"{P}compare_maps", columns=len(maps), presenter=presenter)


def drawable(values: np.ndarray) -> bool:
    """Whether a map's values fit the component's float32 cells (|v| ≤ 3.4e38)."""
    return bool(np.all(np.abs(values[np.isfinite(values)]) <= np.finfo(np.float32).max))
