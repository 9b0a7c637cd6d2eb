"""Kernel gallery: every named kernel (and the session network's) applied to your drawing."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import KERNEL_INFO, KERNELS, conv2d, relu
from cnn_core.network import ConvNet
from cnn_core.number_text import number
from ui.codecs.url import bool_field
from ui.session.models import current_model, model_source
from ui.session.page import Page, start_page
from ui.widgets.drawing_panel import drawing_canvas, drawing_controls
from ui.widgets.kernel_picker import learned_kernels
from ui.widgets.map import Map, map_view

P = "gallery_"
TILES_PER_ROW = 8  # a network's kernels and their maps, as small multiples

SHARED = [(bool_field("relu", False), f"{P}relu")]
page = start_page("gallery", "Kernel gallery", SHARED, note="Learned kernels are not in the link.",
                  caption="The same drawing through every kernel of the notes (valid "
                          "convolution: no padding, stride 1). Draw and watch all the feature "
                          "maps change together.")
after_relu = st.toggle("Show the maps after ReLU (negative values become 0)", key=f"{P}relu",
                       persist_state="session")


def gallery_text(key: str, effect: str, n: int, shape: tuple[int, int]) -> str:
    """The one-line effect of a kernel, with what this page's valid convolution changes."""
    text = effect
    if key == "identity":
        text += (f" Here the map is {shape[0]}×{shape[1]}, not {n}×{n}: without padding the "
                 "border cells have no full 3×3 window, so the border is cropped.")
    return text


def feature_map(image: np.ndarray, kernel: np.ndarray, after_relu: bool) -> np.ndarray:
    """conv2d(image, kernel), valid and stride 1, rectified if asked; ValueError if the
    kernel is bigger than the drawing."""
    feature = conv2d(image, kernel)
    return relu(feature) if after_relu else feature


def named_maps(image: np.ndarray, after_relu: bool) -> tuple[list[Map], list[str]]:
    """One map per named kernel (its own scale: a blur's and an edge's ranges differ), and
    the effect lines written under them."""
    maps, lines = [], []
    for key, kernel in KERNELS.items():
        info = KERNEL_INFO[key]
        shown = feature_map(image, kernel, after_relu)
        h, w = shown.shape
        maps.append(Map(shown, title=info.name, id=f"named_{key}", decimals=1,
                        label=f"{info.name}: feature map {h}×{w}"))
        lines.append(f"**{info.name}** ({h}×{w}): "
                     f"{gallery_text(key, info.description, image.shape[0], shown.shape)}")
    return maps, lines


def learned_maps(image: np.ndarray, kernels: np.ndarray, after_relu: bool) -> Map:
    """The network's first-block kernels on the drawing: K small multiples, one scale."""
    shown = np.stack([feature_map(image, kernel, after_relu) for kernel in kernels])
    count, h, w = shown.shape
    return Map(shown, title=f"Its {count} block-1 kernels on your drawing ({h}×{w} each)",
               id="learned_maps", decimals=1, numbers=w <= 8, tile_columns=TILES_PER_ROW,
               labels=[f"k{i}" for i in range(count)])


@st.fragment
def gallery(page: Page, after_relu: bool) -> None:
    """The drawing panel, a map per named kernel, then the network's kernels' maps."""
    panel, right = st.columns([1, 2.8], gap="large")
    with panel:
        image = drawing_canvas(P)
    with right:
        maps, lines = named_maps(image, after_relu)
        map_view(maps, key=f"{P}named", columns=3 if page.presenter else 4,
                 presenter=page.presenter)
        st.markdown("\n".join(f"- {line}" for line in lines))
    kernels = learned_kernels()
    if kernels is not None:
        st.subheader("Your network's kernels on your drawing")
        try:
            map_view(learned_maps(image, kernels, after_relu), key=f"{P}learned",
                     columns=1, presenter=page.presenter)
        except ValueError as error:  # a network's kernels bigger than this drawing
            st.warning(f"Your network's kernels cannot slide over this drawing: {error}")
    page.keep_url()  # in the fragment: a stroke reruns only this part


def network_kernels(presenter: bool) -> None:
    """The session network's kernels themselves: block 1's (they read the drawing), and
    for a ConvNet each deeper block's kernel of one output channel, one map per input
    channel (a kernel of block b is C_in × k × k)."""
    kernels = learned_kernels()
    if kernels is None:
        st.caption("Train a network on the Training page and its learned kernels join the "
                   "gallery.")
        return
    st.subheader("Your network's kernels")
    count, k = kernels.shape[0], kernels.shape[-1]
    map_view(Map(kernels, title=f"Block 1: {count} kernels {k}×{k}, each reads your drawing",
                 id="block1_kernels", numbers=True, tile_columns=TILES_PER_ROW,
                 labels=[f"k{i}" for i in range(count)]), key=f"{P}block1", presenter=presenter)
    model = current_model()
    if isinstance(model, ConvNet):
        for block in range(2, len(model.spec.blocks) + 1):
            deeper_kernels(model, block, presenter)


def deeper_kernels(model: ConvNet, block: int, presenter: bool) -> None:
    """Block ``block``'s kernel of one output channel (picked here): C_in maps k x k, one per
    input channel, and what the output channel adds up."""
    weights = model.params[f"block{block}.kernels"]  # (C_out, C_in, k, k)
    c_out, c_in, k = weights.shape[0], weights.shape[1], weights.shape[-1]
    key = f"{P}block{block}_{model_source()}"  # a new network starts at channel 0
    if st.session_state.get(key) not in range(c_out):
        st.session_state[key] = 0
    out = st.selectbox(f"Block {block}: output channel", range(c_out), key=key, width=320,
                       format_func=lambda o: f"output channel {o} of {c_out}")
    out = out if out in range(c_out) else 0  # None when a message omits the value
    map_view(Map(weights[out], title=f"Block {block}, output channel {out}: {c_in} kernels "
                 f"{k}×{k}, one per input channel", id=f"block{block}_out{out}",
                 numbers=True, tile_columns=TILES_PER_ROW,
                 labels=[f"in {i}" for i in range(c_in)]),
             key=f"{P}block{block}", presenter=presenter)
    bias = model.params.get(f"block{block}.bias")
    plus = f" + its bias {number(float(bias[out]), digits=3)}" if bias is not None else ""
    spec = model.spec.blocks[block - 1]
    then = "ReLU" if spec.pool == "none" else f"ReLU and {spec.pool} pooling"
    st.caption(f"Block {block}'s output channel {out} = Σ over its {c_in} input channels of "
               f"(channel i ⋆ kernel “in i”){plus}, then {then}.")


drawing_controls(P)
gallery(page, after_relu)
network_kernels(page.presenter)
