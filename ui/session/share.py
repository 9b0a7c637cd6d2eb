"""Share links in Streamlit: a page's state goes into the URL as the user works, and a
fresh browser that opens the URL sees the same view and numbers.

A page lists its shareable values as (Field, where) pairs, ``where`` being a session_state
key or a Binding (for a value that lives in several keys), and calls ``restore_from_url``
before drawing its widgets and ``write_url`` after. The drawing is shared unless a page says
``drawing=False``. Invalid parameters fall back to defaults with a small notice (as text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import streamlit as st

from cnn_core.data import NOTES_EIGHT
from ui.codecs.url import Field, decode_params, drawing_field, encode_params
from ui.session import state

DRAWING_FIELD = drawing_field("d", np.asarray(NOTES_EIGHT, dtype=np.float64))
_APPLIED = "_url_applied_pages"  # pages whose URL state was applied in this session
NOTICES = "_url_notices"
KEPT_PARAMS = ("lesson", "present", "tables")  # the app's own, left in the URL by every page


class Binding(NamedTuple):
    """Where a shared value lives when it is not one session_state key."""

    get: Callable[[], Any]  # the current value, or None when there is none yet
    set: Callable[[Any], None]  # apply a value decoded from the URL


Shared = list[tuple[Field, str | Binding]]


def _fields(shared: Shared, drawing: bool) -> list[Field]:
    return ([DRAWING_FIELD] if drawing else []) + [field for field, _ in shared]


def restore_from_url(page: str, shared: Shared, *, drawing: bool = True) -> None:
    """On this page's first run in the session, copy valid URL values into session_state.

    Call before the page's widgets are created (widget keys may only be set then).
    """
    applied = st.session_state.setdefault(_APPLIED, set())
    if page in applied:
        return
    applied.add(page)
    params = st.query_params.to_dict()
    values, problems = decode_params(params, _fields(shared, drawing))
    if drawing and DRAWING_FIELD.name in params and DRAWING_FIELD.name not in problems:
        state.set_drawing(values[DRAWING_FIELD.name])
    for field, where in shared:
        if field.name in params and field.name not in problems:
            if isinstance(where, Binding):
                where.set(values[field.name])
            else:
                st.session_state[where] = values[field.name]
    for name in problems:  # out of the URL at once: the link box never shows them
        del st.query_params[name]
    st.session_state[NOTICES] = [f"ignored '{name}' ({reason}); using the default"
                                  for name, reason in problems.items()]


def write_url(shared: Shared, *, always: bool = False, drawing: bool = True) -> None:
    """Put the drawing and the page's current values into the URL (only if they changed).

    always: write every value, even one equal to its field's default.
    """
    values = {DRAWING_FIELD.name: state.drawing()} if drawing else {}
    for field, where in shared:
        value = where.get() if isinstance(where, Binding) else st.session_state.get(where)
        if value is not None:
            values[field.name] = value
    try:
        params = encode_params(values, _fields(shared, drawing), always=always)
        if drawing and always and np.array_equal(values[DRAWING_FIELD.name],
                                                 DRAWING_FIELD.default):
            params.pop(DRAWING_FIELD.name)
    except ValueError:  # a value the codec cannot hold (should not happen): keep the URL
        return
    keep = {k: v for k, v in st.query_params.to_dict().items() if k in KEPT_PARAMS}
    params.update(keep)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def forget_if_not_below(key: str, count: int, low: int = 0) -> None:
    """Drop a stored index that is not a whole number in low..count-1, so its widget starts
    at its default: a link made with a 16-kernel network opened with a 4-kernel one, or a
    choice the browser sent back as the option's old text (Streamlit then hands back that
    text instead of the number)."""
    value = st.session_state.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | np.integer) \
            or not low <= value < count:
        del st.session_state[key]
