"""The sliding window, animated: play, pause, step and step back the kernel's window across
the (padded) input; the feature map fills in cell by cell and the current sum is written out
term by term (cnn_core.explain), as the 1D lesson's stepper (ui.widgets.stepper) does.

Playing reruns only the frame (a fragment with run_every, nested in the per-stroke fragment):
one step per tick, two maps and a sum, a few kB; the controls are not resent. They sit
outside the ticking fragment, so play, pause and a change of speed rerun the per-stroke
fragment, which redefines the timer (run_every is fixed when a fragment is defined).
The position is not in the share link: it is a moment of an animation, and the inspected
cell (which is shared) already points the window at any one place.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.explain import conv2d_cell, written_sum
from ui.playground.inspector import big
from ui.playground.keys import P
from ui.playground.maps import input_map
from ui.playground.pipeline import Pipeline, filled_so_far, slide_cell
from ui.widgets.map import Map, map_view

STEP, PLAYING, SPEED = f"{P}slide_step", f"{P}slide_playing", f"{P}slide_speed"
SLIDER = f"{P}slide_slider"  # the slider's own key: STEP is plain state (see frames)
SPEEDS = {"slow": 1.0, "fast": 0.4}  # seconds per step
PLAY, PAUSE = "▶ Play", "⏸ Pause"


def _toggle(count: int) -> None:
    playing = not st.session_state.get(PLAYING, False)
    if playing and st.session_state.get(STEP, 0) >= count - 1:
        st.session_state[STEP] = 0  # play again from the start
    st.session_state[PLAYING] = playing


def _step(by: int, count: int) -> None:
    st.session_state[PLAYING] = False
    st.session_state[STEP] = min(max(int(st.session_state.get(STEP) or 0) + by, 0), count - 1)


def _jump() -> None:
    st.session_state[PLAYING] = False
    st.session_state[STEP] = st.session_state[SLIDER]


def scale_of(feature: np.ndarray) -> tuple[str, tuple[float, float]]:
    """The whole feature map's kind and range, so colours stay put while it fills in."""
    biggest = float(np.max(np.abs(feature))) or 1.0
    if feature.min() < 0:
        return "signed", (-biggest, biggest)
    return "positive", (0.0, biggest)


def frame(run: Pipeline, step: int, presenter: bool) -> None:
    """One position: the window on the input, the map so far, the current sum written out."""
    s, (k_h, k_w) = run.settings, run.kernel.shape
    row, col = slide_cell(run.feature.shape, step)
    cell = conv2d_cell(run.image, run.kernel, row, col, padding=s.padding, stride=s.stride)
    kind, value_range = scale_of(run.feature)
    out_h, out_w = run.feature.shape
    map_view([input_map(run, (*cell.window_start, k_h, k_w), map_id="slide_input",
                        title=f"The window for C({row},{col}) on the input"),
              Map(filled_so_far(run.feature, step), f"C so far: {step + 1} of {out_h * out_w} "
                  "cells", id="slide_output", kind=kind, value_range=value_range,
                  boxes=[(row, col, 1, 1)], table=run.feature)],
             key=f"{P}slide_maps", columns=2, presenter=presenter)
    big(written_sum(cell))


def slide_section(run: Pipeline, presenter: bool) -> None:
    """The animation under its toggle: controls, then the current frame (see module doc)."""
    if not st.toggle("Slide the window step by step", key=f"{P}slide",
                     persist_state="session"):
        st.session_state[PLAYING] = False
        return
    count = run.feature.size
    step = st.session_state.get(STEP)
    st.session_state[STEP] = min(max(step if isinstance(step, int) else 0, 0), count - 1)
    if count < 2:
        st.session_state[PLAYING] = False
    speed = st.session_state.get(SPEED) if st.session_state.get(SPEED) in SPEEDS else "slow"
    run_every = SPEEDS[speed] if st.session_state.get(PLAYING, False) else None

    playing = st.session_state.get(PLAYING, False)
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        st.button("⏮ Back", key=f"{P}slide_back", on_click=_step, args=(-1, count),
                  disabled=count < 2)
        st.button(PAUSE if playing else PLAY, key=f"{P}slide_play", on_click=_toggle,
                  args=(count,), disabled=count < 2, help="Slide the window one cell a tick.")
        st.button("Step ⏭", key=f"{P}slide_forward", on_click=_step, args=(1, count),
                  disabled=count < 2)
        st.segmented_control("Speed", list(SPEEDS), default="slow", required=True,
                             key=SPEED, width=160)
        if count > 1 and not playing:
            # only while paused: a tick's rerun could carry the slider's previous value
            # back from the browser, which would move the window back and pause it
            st.session_state[SLIDER] = st.session_state[STEP]
            st.slider("Window position (cells row by row)", 0, count - 1, key=SLIDER,
                      on_change=_jump, width=280)

    @st.fragment(run_every=run_every)
    def frames() -> None:
        """One tick: the next position (the controls above are not resent)."""
        if st.session_state.get(PLAYING, False):
            if run_every is None:
                st.rerun()  # started elsewhere without redefining the timer
            st.session_state[STEP] = min(st.session_state[STEP] + 1, count - 1)
            if st.session_state[STEP] == count - 1:
                st.session_state[PLAYING] = False
                st.rerun()  # the end: the whole page, so the button says Play again
        frame(run, st.session_state[STEP], presenter)

    frames()
