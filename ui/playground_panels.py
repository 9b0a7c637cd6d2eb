"""The playground's Streamlit pieces: its maps with the cell inspector, the compare view and
the downloads. The page (app_pages/playground.py) lays them out; the numbers come from
ui.playground_views (pure) and cnn_core, the map figures from ui.map_heatmap."""

from __future__ import annotations

import functools
import html

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnn_core.explain import conv2d_cell, pool_cell
from ui import state
from ui.charts import Numbers, show_chart
from ui.map_heatmap import cell_numbers, heatmap
from ui.playground_views import (
    Pipeline,
    conv_sentence,
    conv_sum,
    csv_zip,
    matrix_csv,
    pool_box,
    pool_sentence,
    pool_sum,
    size_notes,
)

P = "playground_"
LATEST = f"{P}matrices"  # the latest maps by name, for the downloads
LAST_GOOD = f"{P}last_good"  # the last pipeline that worked (the page's result() keeps it)
PICKED = f"{P}picked"  # a click on a map picked a cell: the pickers need a full rerun
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
    return heatmap(values, title=title, numbers=numbers, decimals=decimals, presenter=presenter,
                   height=side(wide, presenter), tick_step=1 if wide <= 10 else 2 if wide <= 16
                   else 4, font_size=font, **options)


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


def compare_views(runs: list[tuple[str, Pipeline | None]], presenter: bool) -> None:
    """Setups A and B side by side on the same drawing: feature map and pooled map each."""
    st.subheader("Compare")
    for column, (name, run) in zip(st.columns(2, gap="large"), runs, strict=True):
        with column:
            if run is None:
                st.info(f"{name}: nothing to show yet.")
                continue
            st.markdown(f"**{name}: {run.label}**, {run.settings.describe()}")
            inner = st.columns(2)
            h, w = run.feature.shape
            with inner[0]:
                chart(figure(run.feature, f"{name}: feature map ({h}×{w})", presenter),
                      run.feature)
            with inner[1]:
                ph, pw = run.pooled.shape
                chart(figure(run.pooled, f"{name}: pooled ({ph}×{pw})", presenter),
                      run.pooled)


def downloads() -> None:
    """One CSV per matrix (pick it) or all of them in a zip; PNG via each chart's toolbar.

    Drawn after the per-stroke fragment, not in it (a stroke then resends five widgets
    fewer): the files are made on click from the dict the fragment refills on every run.
    """
    matrices = st.session_state.get(LATEST)
    if not matrices:
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        name = st.selectbox("Download a matrix as CSV", list(matrices), key=f"{P}export",
                            width=260)
        st.download_button("CSV", lambda: matrix_csv(matrices[name]),
                           f"{name}.csv", "text/csv", key=f"{P}csv", on_click="ignore")
        st.download_button("All matrices (zip)", functools.partial(csv_zip, matrices),
                           "playground_matrices.zip", "application/zip", key=f"{P}zip",
                           on_click="ignore")
    st.caption("PNG: hover a chart and press the camera button in its toolbar.")
