"""Tiny app that drives the map component for tests/browser/test_map_component.py.

Sections (``?show=`` picks some, comma-separated; default all): a 5x5 signed map with
numbers that can be picked, values that test the hover formatter, a 28x28 ink map with a
padding box and a window, 16 small multiples 26x26, a row of three different maps,
(``?show=stack``) 32 small multiples 14x14 eight to a row, and
(``?show=many``) 20 maps 28x28 and 5 small numbered maps for timing. The Python side of a
pick (a callback on the 5x5 map, the return value on the tiles) is printed as text;
``Bump`` changes the 5x5, 28x28 and tiled maps' values.
"""

import sys
from pathlib import Path

import numpy as np
import streamlit as st

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from ui.widgets.map import Map, map_view, outlined_boxes  # noqa: E402

TRICKY = np.array([[1.0625, -0.00012345, 2.5e-7, 12345.6],
                   [0.125, -1.0, 9999.6, 0.0],
                   [-0.0, 1e-5, np.nan, 3.14159265],
                   [-2.0 / 3.0, 100.0, 0.30000001, -1234.5]])


def small_map(bump: int) -> np.ndarray:
    """A 5x5 signed map whose numbers change with every bump."""
    values = np.arange(25, dtype=np.float64).reshape(5, 5) / 4 - 3
    return values + bump * 0.5


def many_maps(bump: int) -> None:
    rng = np.random.default_rng(bump)
    big = [Map(rng.normal(size=(28, 28)), title=f"map {i}", id=f"big{i}") for i in range(20)]
    map_view(big, key="many_big", columns=4)
    small = [Map(rng.normal(size=(5, 5)), title=f"small {i}", id=f"small{i}") for i in range(5)]
    map_view(small, key="many_small", columns=5)


def main() -> None:
    """The demo page (only when Streamlit runs this file: tests import its arrays)."""
    state = st.session_state
    state.setdefault("bump", 0)
    state.setdefault("picked", None)
    presenter = st.query_params.get("present") == "1"
    shown = set((st.query_params.get("show") or "small,tricky,ink,tiles,row").split(","))

    st.title("Map component demo")
    if st.button("Bump"):
        state["bump"] += 1

    if "small" in shown:
        values = small_map(state["bump"])
        picked = state["picked"]
        boxes = [(picked.row, picked.col, 1, 1)] if picked and picked.map == "small" else []
        # a callback, as the playground's inspector: the pick is in state before the map
        map_view(Map(values, title="Small signed map", id="small", pick=True, boxes=boxes),
                 key="small_view", presenter=presenter, columns=2,
                 on_select=lambda cell: state.update(picked=cell))
        st.text(f"picked={tuple(picked) if picked else None}")
        st.text(f"bump={state['bump']}")
    if "tricky" in shown:
        map_view(Map(TRICKY, title="Tricky values", id="tricky", decimals=3), key="tricky_view",
                 presenter=presenter, columns=2)
    if "ink" in shown:
        ink = np.zeros((28, 28))
        ink[6:22, 12:16] = 1.0
        ink[23, state["bump"] % 28] = 1.0
        ink[6:9, 8:20] = 0.5
        map_view(Map(ink, title="Input f + padding (28×28)", id="ink", kind="ink",
                     inner=(2, 2, 24, 24), boxes=[(5, 10, 3, 3)]), key="ink_view",
                 presenter=presenter, columns=2)
    if "tiles" in shown:
        tiles = np.random.default_rng(state["bump"]).normal(size=(16, 26, 26))
        tile = map_view(Map(tiles, title="Feature maps (conv)", id="tiles", kind="signed",
                            pick=True), key="tiles_view", presenter=presenter)
        if tile is not None:
            state["tile_picked"] = tile
        st.text(f"tile_picked={tuple(state['tile_picked']) if 'tile_picked' in state else None}")
    if "stack" in shown:  # 32 channels 8 to a row, as a block's maps on the Forward pass
        stack = np.random.default_rng(7).normal(size=(32, 14, 14))
        map_view(Map(stack, title="32 channels", id="stack", kind="signed", tile_columns=8),
                 key="stack_view", presenter=presenter)
    if "row" in shown:
        kernel = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0]])
        relu = np.maximum(small_map(0), 0)
        winners = np.zeros((5, 5), dtype=bool)
        winners[1, 2] = winners[3, 4] = True
        map_view([Map(kernel, title="Kernel g (3×3)", id="kernel"),
                  Map(relu, title="ReLU (winners outlined)", id="relu",
                      boxes=outlined_boxes(winners)),
                  Map(np.array([[1.5, -2.25], [0.75, 3.0625]]), title="Pooled 2×2", id="pooled",
                      boxes=[(0, 1, 1, 1)])], key="row_view", presenter=presenter)
    if "many" in shown:
        many_maps(state["bump"])


if __name__ == "__main__":
    main()
