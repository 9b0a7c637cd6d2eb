"""The playground's per-stroke part: the drawing grid, the maps and the inspector, and the
compare view, in one fragment (a brush stroke reruns only this)."""

from __future__ import annotations

import streamlit as st

from ui.playground.compare import compare_views
from ui.playground.controls import result
from ui.playground.keys import LATEST, B, P
from ui.playground.maps import maps
from ui.playground.pipeline import ConvSettings
from ui.session.page import Page
from ui.widgets.drawing_panel import drawing_canvas
from ui.widgets.kernel_picker import KernelPick

# on a phone the four columns stack: put the feature map's column right under the grid, so a
# student sees the map change while drawing (it came after the input and kernel, ~500 px on)
NARROW_SCREEN_CSS = f"""<style>
@media (max-width: 640px) {{
  [data-testid="stColumn"]:has(.st-key-{P}grid_column) {{ order: -2; }}
  [data-testid="stColumn"]:has(.st-key-{P}feature_column) {{ order: -1; }}
}}
</style>"""


@st.fragment
def workspace(page: Page, pick: KernelPick, settings: ConvSettings,
              other: tuple[KernelPick, ConvSettings] | None) -> None:
    """Everything a brush stroke changes: the grid, the maps and the inspector (and setup B's
    maps when comparing); the matrices shown are kept for the downloads."""
    messages = st.container()  # filled after the drawing is known, shown above everything
    columns = st.columns([1.25, 1, 1, 1], gap="medium")
    with columns[0], st.container(key=f"{P}grid_column"):
        image = drawing_canvas(P)
    page.keep_url()  # in the fragment: a stroke reruns only this part of the page
    with messages:
        run = result(P, image, pick, settings)
    if run is None:
        return
    maps(run, columns, page.presenter)
    matrices = st.session_state.setdefault(LATEST, {})  # read by downloads() on click
    matrices.clear()
    matrices |= {"drawing": image, "input_as_seen": run.padded, "kernel": run.kernel,
                 "feature_map": run.feature, "after_relu": run.activated, "pooled": run.pooled}
    if other is not None:
        run_b = result(B, image, *other)
        compare_views([("A", run), ("B", run_b)], page.presenter)
        if run_b is not None:
            matrices |= {"b_kernel": run_b.kernel, "b_feature_map": run_b.feature,
                         "b_pooled": run_b.pooled}
