"""Convolution playground: draw, pick a kernel and settings, see every map and every sum."""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from cnn_core import KERNELS
from ui.codecs.url import bool_field, choice_field, int_field, kernel_field
from ui.playground.compare import compare_views
from ui.playground.exports import downloads
from ui.playground.keys import LATEST, P
from ui.playground.maps import cell_pickers, maps
from ui.playground.pipeline import ConvSettings, Pipeline, SumsOverflow, run_pipeline
from ui.session import state
from ui.session.lesson_links import lesson_banner, shows
from ui.session.share import restore_from_url, write_url
from ui.text.safe import plain
from ui.widgets.drawing_panel import drawing_canvas, drawing_controls
from ui.widgets.kernel_picker import CUSTOM, KernelPick, kernel_pick, kernel_select
from ui.widgets.share_link import share_link_box

B = "playground_b_"
# on a phone the four columns stack: put the feature map's column right under the grid, so a
# student sees the map change while drawing (it came after the input and kernel, ~500 px on)
NARROW_SCREEN_CSS = f"""<style>
@media (max-width: 640px) {{
  [data-testid="stColumn"]:has(.st-key-{P}grid_column) {{ order: -2; }}
  [data-testid="stColumn"]:has(.st-key-{P}feature_column) {{ order: -1; }}
}}
</style>"""

state.ensure_defaults()
presenting = st.session_state[state.PRESENTER]
st.title("Convolution playground")
if not presenting:  # a projector's first screen is short: the grid comes first
    st.caption("Draw, pick a kernel and the settings: every map updates as you draw. Click a "
               "cell of the feature map or the pooled map to see the sum behind it.")


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


def result(prefix: str, image: np.ndarray, pick: KernelPick,
           settings: ConvSettings) -> Pipeline | None:
    """The pipeline for these inputs, or the last good one (with a message) if they fail."""
    good_key = f"{prefix}last_good"
    problem = pick.error or pick.warning
    if pick.kernel is not None:
        try:
            pipeline = run_pipeline(image, pick.kernel, settings, pick.label)
        except SumsOverflow as error:
            problem = f"Cannot compute this map: {error}. Type smaller numbers in the kernel."
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


@st.fragment
def workspace(pick: KernelPick, settings: ConvSettings,
              other: tuple[KernelPick, ConvSettings] | None) -> None:
    """Everything a brush stroke changes: the grid, the maps and the inspector."""
    presenter = st.session_state[state.PRESENTER]
    messages = st.container()  # filled after the drawing is known, shown above everything
    columns = st.columns([1.25, 1, 1, 1], gap="medium")
    with columns[0], st.container(key=f"{P}grid_column"):
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
    (int_field("r", 0, 0, 63), f"{P}row"),  # the inspected cells (kept inside the maps)
    (int_field("c", 0, 0, 63), f"{P}col"),
    (int_field("pr", 0, 0, 63), f"{P}prow"),
    (int_field("pc", 0, 0, 63), f"{P}pcol"),
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
# in presenter mode the settings fold under one line that says them, so that a projector's
# first screen (1280x720) reaches the grid instead of showing only controls
with (st.expander("Kernel and settings", key=f"{P}settings_box") if presenting
      else st.container()):
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
if presenting:
    st.caption(f"**{pick.label}**, {settings.describe()}" + (", compared with B" if compare
                                                             else ""))
st.html(NARROW_SCREEN_CSS)  # static text only
drawing_controls(P)
workspace(pick, settings, other)
cell_pickers()
downloads()
