"""The overview in Streamlit: the current model's every stage for the drawing, as one map
component, the shapes and the links that open a stage on the Forward pass."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.stages import Stage, network_stages, spec_of
from ui.overview.maps import overview_maps, shape_line, short_title
from ui.session import state
from ui.session.models import Model, model_input
from ui.text.network import stage_anchor
from ui.widgets.map import map_view
from ui.widgets.stage_scroll import STAGE_PARAM

FORWARD_PAGE = "app_pages/forward_pass.py"
MAP_KEY = "home_overview_maps"
SIDE_PX = {False: 420, True: 480}  # the logits' column of 10 cells stays under a screen


def kept_modes() -> dict[str, str]:
    """present=1 / tables=1 while their mode is on, for a link to keep them."""
    return {param: "1" for param, key in (("present", state.PRESENTER),
                                           ("tables", state.NUMBERS_AS_TABLES))
            if st.session_state.get(key)}


def stage_link_params(stage_key: str) -> dict[str, str]:
    """The query of a link to one stage on the Forward pass (modes kept)."""
    return {STAGE_PARAM: stage_anchor(stage_key), **kept_modes()}


def open_stage(anchor: str) -> None:
    """Go to the Forward pass, scrolled to the stage whose anchor this is."""
    st.switch_page(FORWARD_PAGE, query_params={STAGE_PARAM: anchor, **kept_modes()})


def model_stages(model: Model) -> list[Stage]:
    """The model's stages with their shapes (values of a blank image: only shapes are read)."""
    return network_stages(model, np.zeros(spec_of(model).input_shape))


def stage_links(model: Model) -> None:
    """One link per stage, in order, each with its shape and formula: outside the stroke's
    fragment (they change with the model, not with the drawing)."""
    st.markdown("**Open a stage on the Forward pass** (its shape, and how its side is "
                "computed):")
    with st.container(horizontal=True, gap="small", key="home_stage_links"):
        for stage in model_stages(model):
            st.page_link(FORWARD_PAGE, label=f"{short_title(stage)}: {shape_line(stage)}",
                         query_params=stage_link_params(stage.key),
                         help=f"Open {stage.title} on the Forward pass")


def show_overview(grid: np.ndarray, model: Model, presenter: bool) -> None:
    """The model's every stage for ``grid`` (the drawing) as one map component, and its
    answer; or why there is nothing to show. A click on a stage opens it on the Forward pass."""
    if not np.any(grid):
        st.info("Draw something on the grid: every layer of the network appears here and "
                "follows your pen.")
        return
    try:
        stages = network_stages(model, model_input(grid, model))
    except ValueError as error:
        st.warning(f"This network cannot read the drawing: {error}")
        return
    maps = overview_maps(stages)
    # one column per stage: the component keeps as many side by side as fit (180 px each),
    # read left to right, top to bottom; on a phone one under the other
    picked = map_view(maps, key=MAP_KEY, columns=len(maps), presenter=presenter,
                      side_px=SIDE_PX[presenter])
    probabilities = stages[-1].values
    best = int(np.argmax(probabilities))
    st.markdown(f"The network says **{best}** ({probabilities[best]:.1%}).")
    if picked is not None:
        open_stage(picked.map)
