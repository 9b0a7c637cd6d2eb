"""Kernel gallery: every named kernel (and any learned one) applied to your drawing at once."""

from __future__ import annotations

import streamlit as st

from cnn_core import KERNEL_INFO, KERNELS, conv2d, relu
from ui.codecs.url import bool_field
from ui.figures.fast_heatmap import fast_heatmap
from ui.session import state
from ui.session.share import restore_from_url, write_url
from ui.widgets.charts import show_chart
from ui.widgets.drawing_panel import drawing_canvas, drawing_controls
from ui.widgets.kernel_picker import learned_kernels
from ui.widgets.share_link import share_link_box

P = "gallery_"
PER_ROW = 4
NUMBERS_UP_TO = 8  # small multiples are narrow: numbers only for maps up to 8 cells wide

state.ensure_defaults()
SHARED = [(bool_field("relu", False), f"{P}relu")]
restore_from_url("gallery", SHARED)
st.title("Kernel gallery")
share_link_box("Learned kernels are not in the link.")
st.caption("The same drawing through every kernel of the notes (valid convolution: no "
           "padding, stride 1). Draw and watch all the feature maps change together.")
after_relu = st.toggle("Show the maps after ReLU (negative values become 0)", key=f"{P}relu",
                       persist_state="session")


def gallery_kernels() -> list[tuple[str, str, str, object]]:
    """(key, name, one-line effect, kernel) for every named kernel, then the learned ones."""
    items = [(key, KERNEL_INFO[key].name, KERNEL_INFO[key].description, KERNELS[key])
             for key in KERNELS]
    learned = learned_kernels()
    if learned is not None:
        items += [(f"learned:{i}", f"Learned kernel {i}",
                   "Learned by training: nobody designed it.", kernel)
                  for i, kernel in enumerate(learned)]
    return items


def gallery_text(key: str, effect: str, n: int, shape: tuple[int, int]) -> str:
    """The one-line effect under a map, with what this page's valid convolution changes."""
    text = effect
    if key == "identity":
        text += (f" Here the map is {shape[0]}×{shape[1]}, not {n}×{n}: without padding the "
                 "border cells have no full 3×3 window, so the border is cropped.")
    return text


@st.fragment
def gallery(after_relu: bool) -> None:
    """The drawing panel and one small feature map per kernel, name and effect underneath."""
    presenter = st.session_state[state.PRESENTER]
    panel, maps = st.columns([1, 2.8], gap="large")
    with panel:
        image = drawing_canvas(P)
        if learned_kernels() is None:
            st.caption("Train a model on the Training page and its learned kernels join "
                       "the gallery.")
    items = gallery_kernels()
    with maps:
        for start in range(0, len(items), PER_ROW):
            for column, (key, name, effect, kernel) in zip(
                    st.columns(PER_ROW), items[start:start + PER_ROW], strict=False):
                with column:
                    try:
                        feature = conv2d(image, kernel)
                    except ValueError as error:
                        st.warning(f"{name}: {error}")
                        continue
                    shown = relu(feature) if after_relu else feature
                    h, w = shown.shape
                    show_chart(fast_heatmap(shown, title=f"{h}×{w}", numbers=w <= NUMBERS_UP_TO,
                                            decimals=1, presenter=presenter, height=210),
                               shown, label=f"{name}: feature map {h}×{w}",
                               key=f"{P}map_{key}",
                               config={"displaylogo": False, "displayModeBar": False})
                    st.markdown(f"**{name}**")
                    st.caption(gallery_text(key, effect, image.shape[0], shown.shape))
    write_url(SHARED)  # in the fragment: a stroke reruns only this part


drawing_controls(P)
gallery(after_relu)
