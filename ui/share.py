"""Share links in Streamlit: a page's state goes into the URL as the user works, and a
fresh browser that opens the URL sees the same view and numbers.

A page lists its shareable widgets as (Field, session_state key) pairs and calls
``restore_from_url`` before drawing its widgets and ``write_url`` after. The drawing is
always shared. Invalid parameters fall back to defaults with a small notice (as text).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.data import NOTES_EIGHT
from ui import state
from ui.share_codec import Field, decode_params, drawing_field, encode_params

DRAWING_FIELD = drawing_field("d", np.asarray(NOTES_EIGHT, dtype=np.float64))
_APPLIED = "_url_applied_pages"  # pages whose URL state was applied in this session
_NOTICES = "_url_notices"


def restore_from_url(page: str, shared: list[tuple[Field, str]]) -> None:
    """On this page's first run in the session, copy valid URL values into session_state.

    Call before the page's widgets are created (widget keys may only be set then).
    """
    applied = st.session_state.setdefault(_APPLIED, set())
    if page in applied:
        return
    applied.add(page)
    params = st.query_params.to_dict()
    fields = [DRAWING_FIELD] + [field for field, _ in shared]
    values, problems = decode_params(params, fields)
    if DRAWING_FIELD.name in params and DRAWING_FIELD.name not in problems:
        state.set_drawing(values[DRAWING_FIELD.name])
    for field, key in shared:
        if field.name in params and field.name not in problems:
            st.session_state[key] = values[field.name]
    st.session_state[_NOTICES] = [f"ignored '{name}' ({reason}); using the default"
                                  for name, reason in problems.items()]


def write_url(shared: list[tuple[Field, str]], *, always: bool = False) -> None:
    """Put the drawing and the page's current values into the URL (only if they changed).

    always: write every value, even one equal to its field's default.
    """
    values = {DRAWING_FIELD.name: state.drawing()}
    for field, key in shared:
        if key in st.session_state:
            values[field.name] = st.session_state[key]
    fields = [DRAWING_FIELD] + [field for field, _ in shared]
    try:
        params = encode_params(values, fields, always=always)
        if always and np.array_equal(values[DRAWING_FIELD.name], DRAWING_FIELD.default):
            params.pop(DRAWING_FIELD.name)
    except ValueError:  # a value the codec cannot hold (should not happen): keep the URL
        return
    keep = {k: v for k, v in st.query_params.to_dict().items() if k in ("lesson", "present")}
    params.update(keep)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def show_notices() -> None:
    """The notices about ignored URL parameters, once, as plain text."""
    notices = st.session_state.pop(_NOTICES, None)
    if notices:
        st.caption("Share link: " + "; ".join(notices))


def share_link_box() -> None:
    """A "Copy share link" expander: the full URL in a code box (which has a copy button)."""
    with st.popover("🔗 Share link"):
        base = st.context.url or ""
        query = "&".join(f"{k}={v}" for k, v in st.query_params.to_dict().items())
        st.code(f"{base}?{query}" if query else base, language=None)
        st.caption("Copy this link: it opens this page with the same drawing and settings.")
