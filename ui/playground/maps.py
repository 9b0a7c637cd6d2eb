"""The playground's maps: the input (padded), the kernel, the feature map, the ReLU map and
the pooled map, with the windows the inspector reads outlined, and the inspector's written
sums under them; a click on the feature or pooled map picks the cell to inspect (or the
cell pickers, by number). Numbers from ui.playground.pipeline and cnn_core.explain."""

from __future__ import annotations

import functools
import html

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnn_core.explain import PoolCellExplanation, conv2d_cell, pool_cell
from ui.figures.fast_heatmap import Box, cell_numbers, fast_heatmap
from ui.playground.keys import LAST_GOOD, PICKED, P
from ui.playground.pipeline import Pipeline
from ui.session import state
from ui.text.playground import conv_sentence, conv_sum, pool_sentence, pool_sum, size_notes
from ui.widgets.charts import Numbers, show_chart

CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": [
    "zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
    "resetScale2d"], "toImageButtonOptions": {"format": "png", "scale": 2}}


def side(n: int, presenter: bool) -> int:
    """Figure height in px for an n-cell-wide map: square cells, capped to fit a laptop."""
    return min(420 if presenter else 300, max(230 if presenter else 190, 28 * n + 90))


def figure(values: np.ndarray, title: str, presenter: bool, **options) -> go.Figure:
    """A map as a heatmap sized for a narrow column, numbers shown only where they fit."""
    numbers, decimals, font = cell_numbers(values, presenter)
    wide = values.shape[1]
    return fast_heatmap(values, title=title, numbers=numbers, decimals=decimals,
                        presenter=presenter, height=side(wide, presenter),
                        tick_step=1 if wide <= 10 else 2 if wide <= 16 else 4, font_size=font,
                        **options)


def big(text: str) -> None:
    """The notes' arithmetic in big monospace."""
    size = "1.6rem" if st.session_state[state.PRESENTER] else "1.2rem"
    st.markdown(f'<div style="font-family:monospace;font-size:{size};line-height:1.5;'
                f'overflow-wrap:anywhere">{html.escape(text)}</div>', unsafe_allow_html=True)


def clamped(key: str, size: int) -> int:
    """The inspector index stored under key, kept inside 0..size-1 (the map may shrink)."""
    value = min(max(int(st.session_state.get(key) or 0), 0), size - 1)
    st.session_state[key] = value
    return value


def select_cell(chart_key: str, row_key: str, col_key: str) -> None:
    """on_select callback: a click on a map's cell marker picks that [row, col]."""
    event = st.session_state.get(chart_key) or {}
    points = (event.get("selection") or {}).get("points") or []
    if points and isinstance(points[0].get("x"), int | float) \
            and isinstance(points[0].get("y"), int | float):
        st.session_state[row_key], st.session_state[col_key] = (int(points[0]["y"]),
                                                                int(points[0]["x"]))
        st.session_state[PICKED] = True


def chart(figure: go.Figure, numbers: Numbers, key: str | None = None,
          cell_keys: tuple[str, str] | None = None) -> None:
    """A plotly chart (and its numbers, if asked); with cell_keys a click on a cell writes
    its [row, col] there."""
    select = {} if cell_keys is None else dict(
        on_select=functools.partial(select_cell, key, *cell_keys), selection_mode="points")
    show_chart(figure, numbers, config=CHART_CONFIG, key=key, **select)


def maps(run: Pipeline, columns: list, presenter: bool) -> None:
    """Input, kernel | feature map, ReLU | pooled, formulas, then the inspector under them.

    The windows the inspector reads are outlined: the conv window on the input, the pooling
    window on the ReLU map, and the picked cells themselves on the feature and pooled maps.
    """
    if st.session_state.pop(PICKED, False):
        st.rerun()  # the whole page, so that cell_pickers (outside the fragment) follow
    s, (out_h, out_w), k = run.settings, run.feature.shape, run.kernel.shape
    (pool_h, pool_w), n, h = run.pooled.shape, run.image.shape[0], run.padded.shape[0]
    row, col = clamped(f"{P}row", out_h), clamped(f"{P}col", out_w)
    prow, pcol = clamped(f"{P}prow", pool_h), clamped(f"{P}pcol", pool_w)
    cell = conv2d_cell(run.image, run.kernel, row, col, padding=s.padding, stride=s.stride)
    pooled = pool_cell(run.activated, prow, pcol, size=s.pool_size, kind=s.pool)
    with columns[1]:
        chart(figure(run.padded, f"Input f{' + padding' if s.padding else ''} ({h}×{h})",
                     presenter, kind="ink", inner=(s.padding, s.padding, n, n) if s.padding
                     else None, outline=(*cell.window_start, *k)), run.padded)
        chart(figure(run.kernel, f"Kernel g ({k[0]}×{k[1]})", presenter), run.kernel)
    with columns[2], st.container(key=f"{P}feature_column"):
        chart(figure(run.feature, f"Feature map C ({out_h}×{out_w})", presenter,
                     outline=(row, col, 1, 1), clickable=True), run.feature,
              f"{P}feature_chart", (f"{P}row", f"{P}col"))
        chart(figure(run.activated, f"After ReLU ({out_h}×{out_w})" if s.relu else
                     f"ReLU off: C as is ({out_h}×{out_w})", presenter,
                     outline=pool_box(pooled)), run.activated)
    with columns[3]:
        chart(figure(run.pooled, f"{s.pool.capitalize()} pool {s.pool_size}×{s.pool_size} "
                     f"({pool_h}×{pool_w})", presenter, outline=(prow, pcol, 1, 1),
                     clickable=True), run.pooled,
              f"{P}pooled_chart", (f"{P}prow", f"{P}pcol"))
    st.code("\n".join(size_notes(run)), language=None, wrap_lines=True)
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Inspect a feature-map cell**: click it on the map, or pick it below")
        big(conv_sum(cell))
        st.caption(conv_sentence(cell, k))
    with right:
        st.markdown("**Inspect a pooled cell**: click it on the pooled map, or pick it below")
        big(pool_sum(pooled, s.pool))
        st.caption(pool_sentence(pooled, s.pool, "the ReLU map" if s.relu else "the feature map"))


def cell_pickers() -> None:
    """The inspected cells by number (keyboard users), under the per-stroke fragment.

    Out of it, a stroke does not resend these four widgets; a click on a map reruns the
    whole page instead (see maps), so that they show the cell it picked.
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


def pool_box(cell: PoolCellExplanation) -> Box:
    """(row, col, height, width) of a pooled cell's window, cut-off windows included."""
    (r0, c0), (r1, c1) = cell.cells[0], cell.cells[-1]
    return (r0, c0, r1 - r0 + 1, c1 - c0 + 1)
