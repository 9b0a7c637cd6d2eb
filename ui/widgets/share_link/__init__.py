"""The page's share row: a "Copy share link" button (a Components v2 element, share_link.js
and share_link.css beside this file), what the link opens, and the notices about URL
parameters that were ignored (ui.session.share.restore_from_url leaves them).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.session.share import NOTICES

_HERE = Path(__file__).parent
# a read-only definition shared by every session (multi-line text is taken as inline code)
_COPY_BUTTON = st.components.v2.component(
    "cnn_playground_share_link",
    js=(_HERE / "share_link.js").read_text(encoding="utf-8"),
    css=(_HERE / "share_link.css").read_text(encoding="utf-8"),
)


def share_link_box(note: str = "") -> None:
    """The page's share row: a "Copy share link" button, what the link opens (``note``: what
    it does not carry) and, once, the notices about ignored URL parameters, as plain text.

    The button copies the address bar, which Streamlit keeps in step with st.query_params
    (a link written here, mid-run, would be one change behind).
    """
    with st.container(horizontal=True, vertical_alignment="center"):
        _COPY_BUTTON(key="share_link")
        st.caption(f"The link opens this page as you see it. {note}".strip())
        notices = st.session_state.pop(NOTICES, None)
        if notices:
            st.caption("Share link: " + "; ".join(notices))
