"""The playground's inspector: the picked feature-map and pooled cells (kept inside their
maps), their sums written out as in the notes, and the pickers that choose them by number."""

from __future__ import annotations

import html
from typing import NamedTuple

import streamlit as st

from cnn_core.explain import CellExplanation, PoolCellExplanation, conv2d_cell, pool_cell
from ui.playground.keys import LAST_GOOD, P
from ui.playground.pipeline import Pipeline
from ui.session import state
from ui.text.playground import conv_sentence, conv_sum, pool_sentence, pool_sum


class Inspected(NamedTuple):
    """The inspected cells of one run: a feature-map cell and a pooled cell, explained."""

    cell: CellExplanation
    pooled: PoolCellExplanation

    @property
    def indices(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """((row, col), (pooled row, pooled col))."""
        return self.cell.output_index, self.pooled.output_index


def big(text: str) -> None:
    """The notes' arithmetic in big monospace."""
    size = "1.6rem" if st.session_state.get(state.PRESENTER) else "1.2rem"
    st.markdown(f'<div style="font-family:monospace;font-size:{size};line-height:1.5;'
                f'overflow-wrap:anywhere">{html.escape(text)}</div>', unsafe_allow_html=True)


def clamped(key: str, size: int) -> int:
    """The inspector index stored under key, kept inside 0..size-1 (the map may shrink)."""
    value = min(max(int(st.session_state.get(key) or 0), 0), size - 1)
    st.session_state[key] = value
    return value


def inspected(run: Pipeline) -> Inspected:
    """The cells the session inspects, clamped to this run's maps, explained by cnn_core."""
    s, (out_h, out_w), (pool_h, pool_w) = run.settings, run.feature.shape, run.pooled.shape
    row, col = clamped(f"{P}row", out_h), clamped(f"{P}col", out_w)
    prow, pcol = clamped(f"{P}prow", pool_h), clamped(f"{P}pcol", pool_w)
    return Inspected(
        conv2d_cell(run.image, run.kernel, row, col, padding=s.padding, stride=s.stride),
        pool_cell(run.activated, prow, pcol, size=s.pool_size, kind=s.pool))


def inspector(run: Pipeline, seen: Inspected) -> None:
    """The two inspected cells' sums and where their windows sit, side by side."""
    s = run.settings
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Inspect a feature-map cell**: click it on the map, or pick it below")
        big(conv_sum(seen.cell))
        st.caption(conv_sentence(seen.cell, run.kernel.shape))
    with right:
        st.markdown("**Inspect a pooled cell**: click it on the pooled map, or pick it below")
        big(pool_sum(seen.pooled, s.pool))
        st.caption(pool_sentence(seen.pooled, s.pool,
                                 "the ReLU map" if s.relu else "the feature map"))


def cell_pickers() -> None:
    """The inspected cells by number, under the per-stroke fragment.

    Out of it, a stroke does not resend these four widgets; a click on a map reruns the
    whole page instead (ui.playground.workspace), so that they show the cell it picked.
    """
    run = st.session_state.get(LAST_GOOD)
    if run is None:
        return
    (out_h, out_w), (pool_h, pool_w) = run.feature.shape, run.pooled.shape
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.number_input("C row", 0, out_h - 1, step=1, key=f"{P}row", width=120)
        st.number_input("C col", 0, out_w - 1, step=1, key=f"{P}col", width=120)
        st.number_input("Pooled row", 0, pool_h - 1, step=1, key=f"{P}prow", width=120)
        st.number_input("Pooled col", 0, pool_w - 1, step=1, key=f"{P}pcol", width=120)
