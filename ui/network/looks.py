"""Where the network looks (issue #16): the occlusion map and the saliency map beside the
drawing, for the predicted digit (cnn_core.attribution). Behind a toggle: closed, a stroke
computes nothing here.

occlusion: drop[r, c] = p_t(image) − p_t(image with a blank patch over [r, c]), the mean
over the patch positions covering the cell (stride 1); saliency: ∂z_t / ∂x[r, c].
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from cnn_core.attribution import occlusion_map, saliency_map
from cnn_core.model import TinyCNN
from cnn_core.network import ConvNet
from cnn_core.number_text import number
from ui.widgets.map import Map, map_view

ANCHOR = "where-the-network-looks"
OPEN_KEY, PATCH_KEY = "forward_looks", "forward_patch"
PATCH_SIZES = (2, 3, 4, 5)
DEFAULT_PATCH = 3


@functools.cache
def _blas_controller():
    """threadpoolctl's controller (it ships with scikit-learn), made once: making one
    inspects every loaded library."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context with numpy's BLAS on one thread. The occluded copies' products otherwise
    wake BLAS's second thread, which stalls while another process holds the other core:
    two blocks of 16 channels on 28x28, measured under load, 1.7 s with two threads and
    0.13 s with one."""
    return _blas_controller().limit(limits=1, user_api="blas")


def patch_size() -> int:
    """The chosen patch side (a value the link or the browser left invalid: the default)."""
    value = st.session_state.get(PATCH_KEY)
    return value if value in PATCH_SIZES and not isinstance(value, bool) else DEFAULT_PATCH


def show_looks(model: TinyCNN | ConvNet, image: np.ndarray, presenter: bool) -> None:
    """The toggle, then (if on) the patch size, the drawing, occlusion and saliency maps."""
    st.subheader("Where the network looks", anchor=ANCHOR)
    if not st.toggle("Show where the network looks", key=OPEN_KEY,
                     help="Covers the drawing patch by patch, and follows the gradient back "
                          "to the input: computed on every stroke while this is on."):
        return
    if not image.any():
        st.info("Draw something first: on blank paper there is nothing to cover, and no "
                "ink whose change would move the score.")
        return
    if st.session_state.get(PATCH_KEY) not in PATCH_SIZES:
        st.session_state[PATCH_KEY] = DEFAULT_PATCH
    patch = st.segmented_control("Patch size (cells)", PATCH_SIZES, key=PATCH_KEY,
                                 format_func=lambda n: f"{n}×{n}",
                                 help="The blank square slid over the drawing, one cell at "
                                      "a time.") or patch_size()
    with one_blas_thread():
        occlusion = occlusion_map(model, image, patch=patch)
        saliency = saliency_map(model, image, target=occlusion.target)
    digit = occlusion.target
    side = image.shape[0]
    map_view([
        Map(image, title=f"What the network sees ({side}x{side})", id="looks-input",
            kind="ink", decimals=1),
        Map(occlusion.per_pixel, title=f"Occlusion: drop of p({digit}), patch {patch}×{patch}",
            id="looks-occlusion", kind="signed", decimals=2),
        Map(saliency.gradient, title=f"Saliency: ∂z{digit} / ∂x", id="looks-saliency",
            kind="signed", decimals=2),
    ], key="forward_looks_maps", columns=3, presenter=presenter)
    st.markdown(
        f"**Occlusion** (the network reads {digit} with p = "
        f"{number(occlusion.base_probability, decimals=3)}): orange cells are where a blank "
        f"{patch}×{patch} patch makes {digit} less likely, purple where covering them makes "
        f"it more likely; each cell is the mean drop of the patches that cover it.")
    st.markdown(
        f"**Saliency**: how fast the score z{digit} (before softmax) changes as each cell "
        "gets a little more ink: orange cells push towards "
        f"{digit}, purple ones away; it is the gradient backprop computes, taken with "
        "respect to the input instead of the weights.")
