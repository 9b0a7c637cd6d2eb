"""Step through a lesson's outputs: a slider over the positions and a play/pause button that
advances one position per tick (a fragment with run_every), stopping at the last one.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

PLAY, PAUSE = "▶ Play", "⏸ Pause"


def _toggle(play_key: str, step_key: str, count: int) -> None:
    playing = not st.session_state.get(play_key, False)
    step = st.session_state.get(step_key)
    if playing and (not isinstance(step, int) or step >= count - 1):
        st.session_state[step_key] = 0  # play again from the start
    st.session_state[play_key] = playing


def _jump(play_key: str, step_key: str, slider_key: str) -> None:
    st.session_state[play_key] = False
    st.session_state[step_key] = st.session_state[slider_key]


def stepper(prefix: str, count: int, render: Callable[[int], None], *,
            label: Callable[[int], str], interval: float = 1.2) -> None:
    """Slider plus play/pause over steps 0 .. count − 1; ``render(step)`` draws one step.

    Playing reruns only this fragment every ``interval`` s (st.fragment(run_every=...)),
    one step per tick, and stops at the last step. run_every is fixed when the fragment
    is defined, so starting or stopping forces one full rerun that redefines it.

    The step is plain state (``<prefix>_step``, which share links set); the slider has its
    own key and is shown only while paused: a tick's rerun could otherwise carry the
    slider's previous value back from a slow browser, moving the step back and pausing.
    """
    step_key, play_key = f"{prefix}_step", f"{prefix}_playing"
    slider_key, button_key = f"{prefix}_slider", f"{prefix}_play_button"
    if button_key not in st.session_state:  # first run, or back from another page
        st.session_state[play_key] = False
    step = st.session_state.get(step_key)
    step = step if isinstance(step, int) else 0  # None when a message omits the value
    st.session_state[step_key] = min(max(step, 0), count - 1)
    if count < 2:
        st.session_state[play_key] = False
    run_every = interval if st.session_state.get(play_key, False) else None

    @st.fragment(run_every=run_every)
    def steps() -> None:
        playing = st.session_state.get(play_key, False)
        if (run_every is not None) != playing:
            st.rerun()  # play/pause changed inside the fragment: redefine its timer
        if playing:
            st.session_state[step_key] = min(st.session_state[step_key] + 1, count - 1)
            if st.session_state[step_key] == count - 1:
                st.session_state[play_key] = False
                st.rerun()
        if count > 1:
            left, right = st.columns([1, 4], vertical_alignment="bottom")
            left.button(PAUSE if playing else PLAY, key=button_key,
                        on_click=_toggle, args=(play_key, step_key, count),
                        help="Slide the kernel one position per second.")
            if playing:
                right.markdown(f"Output position: **{label(st.session_state[step_key])}**")
            else:
                st.session_state[slider_key] = st.session_state[step_key]
                right.select_slider("Output position", options=list(range(count)),
                                    format_func=label, key=slider_key, on_change=_jump,
                                    args=(play_key, step_key, slider_key))
        render(st.session_state[step_key])

    steps()
