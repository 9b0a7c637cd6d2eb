"""Widgets shared by the forward-pass and backprop pages: the drawing, predict-then-reveal."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st


def fingerprint(array: np.ndarray) -> str:
    """A short hash of an array's values (to notice that the input changed)."""
    data = np.ascontiguousarray(array, dtype=np.float64).tobytes()
    return hashlib.sha1(data).hexdigest()[:16]


def prediction_revealed(key_prefix: str, input_id: str) -> tuple[bool, int | None]:
    """Predict-then-reveal: draws a guess radio and a Reveal button.

    Returns (revealed, guess). The answer stays hidden for this input until Reveal is
    pressed; a new drawing (another input_id) hides it again.
    """
    revealed_key = f"{key_prefix}_revealed_for"
    guess = st.radio("Which digit will the network pick?", list(range(10)), index=None,
                     horizontal=True, key=f"{key_prefix}_guess")
    if st.session_state.get(revealed_key) == input_id:
        return True, guess
    if st.button("Reveal", key=f"{key_prefix}_reveal", disabled=guess is None,
                 type="primary"):
        st.session_state[revealed_key] = input_id
        return True, guess
    st.info("Make your guess first: the logits and probabilities stay hidden until you "
            "press Reveal.")
    return False, guess


def is_revealed(key_prefix: str, input_id: str) -> bool:
    """Whether the answer for this input has been revealed (see prediction_revealed)."""
    return st.session_state.get(f"{key_prefix}_revealed_for") == input_id
