"""Convolution playground: draw, pick a kernel and settings, see every map and every sum."""

from __future__ import annotations

import functools
import html

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnn_core import KERNELS
from cnn_core.explain import conv2d_cell, pool_cell
from ui import state
from ui.charts import Numbers, show_chart
from ui.drawing_panel import drawing_canvas, drawing_controls
from ui.kernel_picker import CUSTOM, KernelPick, kernel_pick, kernel_select
from ui.lessons import lesson_banner, shows
from ui.playground_views import (
    ConvSettings,
    Pipeline,
    cell_numbers,
    conv_sentence,
    conv_sum,
    csv_zip,
    heatmap,
    matrix_csv,
    pool_box,
    pool_sentence,
    pool_sum,
    run_pipeline,
    size_notes,
)
from ui.safe_text import plain
from ui.share import restore_from_url, share_link_box, write_url
from ui.share_codec import bool_field, choice_field, int_field, kernel_field

P, B = "playground_", "playground_b_"
LATEST = f"{P}matrices"  # the latest maps by name, for the downloads
CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": [
    "zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
    "resetScale2d"], "toImageButtonOptions": {"format": "png", "scale": 2}}

state.ensure_defaults()
st.title("Convolution playground")
st.caption("Draw, pick a kernel and the settings: every map updates as you draw. Click a cell "
           "of the feature map or the pooled map to see the sum behind it.")


def settings_row(prefix: str, *, shared: bool, default_kernel: str) -> tuple[str, ConvSettings]:
    """Kernel, padding, stride, ReLU and pooling in one wrapping row; values survive pages.

    A control that the current lesson hides keeps the lesson's value and is not drawn.
    """
    keep = {"persist_state": "session"}

    def control(name: str, key: str, default, draw):
        if shows(name):
            return draw(key=key, **keep)
        return st.session_state.setdefault(key, default)

    with st.container(horizontal=True, gap="small", vertical_alignment="bottom"):
        if shows("kernel"):
            choice = kernel_select(prefix, shared=shared, default=default_kernel, width=250,
                                   label="Kernel g" if shared else "Kernel g (B)")
        else:
            choice = st.session_state[state.KERNEL_CHOICE]
        padding = control("padding", f"{prefix}padding", 0, functools.partial(
            st.segmented_control, "Padding P", [0, 1, 2, 3], default=0, required=True))
        stride = control("stride", f"{prefix}stride", 1, functools.partial(
            st.segmented_control, "Stride S", [1, 2, 3], default=1, required=True))
        relu_on = control("relu", f"{prefix}relu", True, functools.partial(
            st.toggle, "ReLU", value=True))
        pool = control("pooling", f"{prefix}pool", "max", functools.partial(
            st.segmented_control, "Pooling", ["max", "avg"], default="max", required=True))
        size = control("pooling", f"{prefix}pool_size", 2, functools.partial(
            st.segmented_control, "Pool size", [1, 2, 3, 4], default=2, required=True))
    return choice, ConvSettings(padding, stride, relu_on, pool, size)


def side(n: int, presenter: bool) -> int:
    """Figure height in px for an n-cell-wide map: square cells, capped to fit a laptop."""
    return min(420 if presenter else 300, max(230 if presenter else 190, 28 * n + 90))


def figure(values: np.ndarray, title: str, presenter: bool, **options) -> go.Figure:
    """A map as a heatmap sized for a narrow column, numbers shown only where they fit."""
    numbers, decimals = cell_numbers(values, presenter)
    wide = values.shape[1]
    return heatmap(values, title=title, numbers=numbers, decimals=decimals, presenter=presenter,
                   height=side(wide, presenter), tick_step=1 if wide <= 10 else 2 if wide <= 20
                   else 4, **options)


def big(text: str) -> None:
    """The notes' arithmetic in big monospace."""
    size = "1.6rem" if st.session_state[state.PRESENTER] else "1.2rem"
    st.markdown(f'<div style="font-family:monospace;font-size:{size};line-height:1.5;'
                f'overflow-wrap:anywhere">{html.escape(text)}</div>', unsafe_allow_html=True)


def result(prefix: str, image: np.ndarray, pick: KernelPick,
           settings: ConvSettings) -> Pipeline | None:
    """The pipeline for these inputs, or the last good one (with a message) if they fail."""
    good_key = f"{prefix}last_good"
    problem = pick.error or pick.warning
    if pick.kernel is not None:
        try:
            pipeline = run_pipeline(image, pick.kernel, settings, pick.label)
        except ValueError as error:
            problem = (f"These settings do not work: {error}. Try more padding, a smaller "
                       "stride or kernel, or a bigger grid.")
        else:
            st.session_state[good_key] = pipeline
            if pick.warning:
                st.warning(plain(pick.warning))
            return pipeline
    last = st.session_state.get(good_key)
    tail = (f" Still showing the last result that worked ({last.label}, "
            f"{last.settings.describe()})." if last is not None else "")
    (st.error if pick.error or pick.kernel is not None else st.info)(plain(problem + tail))
    return last


def clamped(key: str, size: int) -> int:
    """The inspector index stored under key, kept inside 0..size-1 (the map may shrink)."""
    value = min(max(int(st.session_state.get(key) or 0), 0), size - 1)
    st.session_state[key] = value
    return value


def select_cell(chart_key: str, row_key: str, col_key: str) -> None:
    """on_select callback: a click on a map's cell marker picks that [row, col]."""
    points = st.session_state[chart_key]["selection"]["points"]
    if points:
        st.session_state[row_key], st.session_state[col_key] = (int(points[0]["y"]),
                                                                int(points[0]["x"]))


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
    with columns[2]:
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
        st.markdown("**Inspect a feature-map cell**: click it on the map, or pick [row, col]")
        with st.container(horizontal=True):
            st.number_input("row", 0, out_h - 1, step=1, key=f"{P}row", width=110)
            st.number_input("col", 0, out_w - 1, step=1, key=f"{P}col", width=110)
        big(conv_sum(cell))
        st.caption(conv_sentence(cell, k))
    with right:
        st.markdown("**Inspect a pooled cell**: click it on the pooled map, or pick [row, col]")
        with st.container(horizontal=True):
            st.number_input("row", 0, pool_h - 1, step=1, key=f"{P}prow", width=110)
            st.number_input("col", 0, pool_w - 1, step=1, key=f"{P}pcol", width=110)
        big(pool_sum(pooled, s.pool))
        st.caption(pool_sentence(pooled, s.pool, "the ReLU map" if s.relu else "the feature map"))


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


@st.fragment
def workspace(pick: KernelPick, settings: ConvSettings,
              other: tuple[KernelPick, ConvSettings] | None) -> None:
    """Everything a brush stroke changes: the grid, the maps and the inspector."""
    presenter = st.session_state[state.PRESENTER]
    messages = st.container()  # filled after the drawing is known, shown above everything
    columns = st.columns([1.25, 1, 1, 1], gap="medium")
    with columns[0]:
        image = drawing_canvas(P)
    write_url(SHARED)  # in the fragment: a stroke reruns only this part of the page
    with messages:
        run = result(P, image, pick, settings)
    if run is None:
        return
    maps(run, columns, presenter)
    matrices = st.session_state.setdefault(LATEST, {})  # read by downloads() on click
    matrices.clear()
    matrices |= {"drawing": image, "input_as_seen": run.padded, "kernel": run.kernel,
                "feature_map": run.feature, "after_relu": run.activated, "pooled": run.pooled}
    if other is not None:
        run_b = result(B, image, *other)
        compare_views([("A", run), ("B", run_b)], presenter)
        if run_b is not None:
            matrices |= {"b_kernel": run_b.kernel, "b_feature_map": run_b.feature,
                         "b_pooled": run_b.pooled}


SHARED = [
    (choice_field("k", "notes_example", (*KERNELS, CUSTOM)), state.KERNEL_CHOICE),
    (kernel_field("kv", np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]])), state.CUSTOM_KERNEL),
    (int_field("pad", 0, 0, 3), f"{P}padding"),
    (int_field("s", 1, 1, 3), f"{P}stride"),
    (bool_field("relu", True), f"{P}relu"),
    (choice_field("pool", "max", ("max", "avg")), f"{P}pool"),
    (int_field("ps", 2, 1, 4), f"{P}pool_size"),
    (bool_field("cmp", False), f"{P}compare"),  # compare mode and its B settings
    (choice_field("kb", "sobel_vertical", (*KERNELS, CUSTOM)), f"{B}kernel"),
    (int_field("padb", 0, 0, 3), f"{B}padding"),
    (int_field("sb", 1, 1, 3), f"{B}stride"),
    (bool_field("relub", True), f"{B}relu"),
    (choice_field("poolb", "max", ("max", "avg")), f"{B}pool"),
    (int_field("psb", 2, 1, 4), f"{B}pool_size"),
]
restore_from_url("playground", SHARED)
lesson_banner()
share_link_box()
choice, settings = settings_row(P, shared=True, default_kernel="notes_example")
compare = shows("compare") and st.toggle("Compare with a second kernel or setting",
                                         key=f"{P}compare", persist_state="session")
pick = kernel_pick(choice, P)
other = None
if compare:
    choice_b, settings_b = settings_row(B, shared=False, default_kernel="sobel_vertical")
    other = (kernel_pick(choice_b, B, shared=False), settings_b)
if pick.description:
    st.caption(f"**{pick.label}**: {pick.description}")
drawing_controls(P)
workspace(pick, settings, other)
downloads()
