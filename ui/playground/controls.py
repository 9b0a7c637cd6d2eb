"""The playground's settings row (kernel, padding, stride, ReLU, pooling) and its run: the
pipeline for the current inputs, or the last one that worked with a message saying why."""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from ui.playground.keys import last_good_key
from ui.playground.maps import drawable
from ui.playground.pipeline import ConvSettings, Pipeline, SumsOverflow, run_pipeline
from ui.session import state
from ui.session.lesson_links import shows
from ui.text.safe import plain
from ui.widgets.kernel_picker import KernelPick, kernel_select


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
    good_key = last_good_key(prefix)
    problem = pick.error or pick.warning
    pipeline = None
    if pick.kernel is not None:
        try:
            pipeline = run_pipeline(image, pick.kernel, settings, pick.label)
        except SumsOverflow as error:
            problem = f"Cannot compute this map: {error}. Type smaller numbers in the kernel."
        except ValueError as error:
            problem = (f"These settings do not work: {error}. Try more padding, a smaller "
                       "stride or kernel, or a bigger grid.")
        else:
            if not all(drawable(m) for m in (pipeline.kernel, pipeline.feature,
                                             pipeline.pooled)):
                problem = ("These kernel values are too large to draw: a map holds numbers "
                           "up to ±3.4e38. Type smaller numbers in the kernel.")
                pipeline = None
    if pipeline is not None:
        st.session_state[good_key] = pipeline
        if pick.warning:
            st.warning(plain(pick.warning))
        return pipeline
    last = st.session_state.get(good_key)
    tail = (f" Still showing the last result that worked ({last.label}, "
            f"{last.settings.describe()})." if last is not None else "")
    (st.error if pick.error or pick.kernel is not None else st.info)(plain(problem + tail))
    return last
