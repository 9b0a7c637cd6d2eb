"""Landing on a stage of the Forward pass, and staying there while its maps paint.

``?stage=<anchor>`` in a link (the Home overview's, ui.overview.view) names the heading to
land on: Streamlit's page links navigate without reloading (the session, its drawing and
trained network stay) but drop a URL's #fragment, so the router takes the stage from the
query (``take_stage_request``, before the page runs) and, after the page has drawn its
headings, ``scroll_to`` scrolls there. A link ending in ``#stage-...`` (copied, shared) is
kept in view by ``scroll_to(None)``, which the Forward pass mounts: the same script
(stage_scroll.js) reads the URL's hash.
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

STAGE_PARAM = "stage"
_ANCHOR = re.compile(r"stage-[a-z0-9-]{1,40}")  # ui.text.network.stage_anchor's shape
_SCROLLER = st.components.v2.component(
    "cnn_playground_scroll_to_stage",
    js=(Path(__file__).parent / "stage_scroll.js").read_text(encoding="utf-8"))


def take_stage_request() -> str | None:
    """The anchor a link asked to scroll to (removed from the URL: once per click), or None
    for none or one that is not a stage anchor."""
    anchor = st.query_params.get(STAGE_PARAM)
    if anchor is None:
        return None
    del st.query_params[STAGE_PARAM]
    return anchor if _ANCHOR.fullmatch(anchor) else None


def scroll_to(anchor: str | None, key: str = "scroll_to_stage") -> None:
    """Scroll the browser to the stage heading with this id once the page has drawn it, and
    keep it in view while the maps above it grow; None: the URL's #stage-... hash, if any."""
    _SCROLLER(key=key, data={"anchor": anchor or ""})
