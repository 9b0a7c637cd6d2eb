"""The playground's per-stroke part: the drawing grid, the maps and the inspector, the
sliding window and the compare view, in one fragment (a brush stroke reruns only this)."""

from __future__ import annotations

import streamlit as st

from ui.playground.compare import compare_views
from ui.playground.controls import result
from ui.playground.inspector import inspected, inspector
from ui.playground.keys import LATEST, PICKED, B, P
from ui.playground.maps import input_maps, result_maps
from ui.playground.pipeline import ConvSettings
from ui.playground.slide import slide_section
from ui.session.page import Page
from ui.text.playground import size_notes
from ui.widgets.drawing_panel import drawing_canvas
from ui.widgets.kernel_picker import KernelPick

# on a phone the columns stack: put the result maps' column right under the grid, so a
# student sees the feature map change while drawing (the input and kernel come after it)
NARROW_SCREEN_CSS = f"""<style>
@media (max-width: 640px) {{
  [data-testid="stColumn"]:has(.st-key-{P}grid_column) {{ order: -2; }}
  [data-testid="stColumn"]:has(.st-key-{P}feature_column) {{ order: -1; }}
}}
</style>"""


@st.fragment
def workspace(page: Page, pick: KernelPick, settings: ConvSettings,
              other: tuple[KernelPick, ConvSettings] | None) -> None:
    """Everything a brush stroke changes: the grid, the maps and the inspector, the sliding
    window (and setup B's maps when comparing); the matrices shown are kept for downloads."""
    if st.session_state.pop(PICKED, False):
        st.rerun()  # a map's cell was picked: the whole page, so that the pickers follow
    messages = st.container()  # filled after the drawing is known, shown above everything
    columns = st.columns([1.25, 1, 2], gap="medium")
    with columns[0], st.container(key=f"{P}grid_column"):
        image = drawing_canvas(P)
    page.keep_url()  # in the fragment: a stroke reruns only this part of the page
    with messages:
        run = result(P, image, pick, settings)
    if run is None:
        return
    seen = inspected(run)
    with columns[1]:
        input_maps(run, seen.cell, page.presenter)
    with columns[2], st.container(key=f"{P}feature_column"):
        result_maps(run, seen.indices, seen.pooled, page.presenter)
    st.code("\n".join(size_notes(run)), language=None, wrap_lines=True)
    inspector(run, seen)
    matrices = st.session_state.setdefault(LATEST, {})  # read by downloads() on click
    matrices.clear()
    matrices |= {"drawing": image, "input_as_seen": run.padded, "kernel": run.kernel,
                 "feature_map": run.feature, "after_relu": run.activated, "pooled": run.pooled}
    slide_section(run, page.presenter)
    if other is not None:
        run_b = result(B, image, *other)
        compare_views([("A", run), ("B", run_b)], page.presenter)
        if run_b is not None:
            matrices |= {"b_kernel": run_b.kernel, "b_feature_map": run_b.feature,
                         "b_pooled": run_b.pooled}
