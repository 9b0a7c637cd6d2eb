"""What every page does first and last: ``start_page`` (shared state, its values from the
share link, title, intro, lesson banner, share row) and ``Page.keep_url`` (its values back
into the address bar as the student works).

A page lists what its share link holds as (Field, where) pairs (ui.session.share.Shared);
the drawing is in every link unless the page says ``drawing=False``.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from ui.session import state
from ui.session.lesson_links import lesson_banner
from ui.session.share import Shared, restore_from_url, write_url
from ui.widgets.share_link import share_link_box


class Page(NamedTuple):
    """A started page: its name, what its link holds, and whether presenter mode is on."""

    name: str
    shared: Shared
    drawing: bool  # whether the drawing goes into this page's link
    always: bool  # write every value, even one at its default (defaults that move with data)
    presenter: bool

    def keep_url(self) -> None:
        """Put the page's current values into the URL (only what changed). Call it where a
        change reruns: inside a fragment, a stroke or a step reruns only that fragment."""
        write_url(self.shared, always=self.always, drawing=self.drawing)


def start_page(name: str, title: str, shared: Shared | None = None, *, intro: str = "",
               caption: str = "", note: str = "", drawing: bool = True,
               always: bool = False) -> Page:
    """The page's opening: defaults in session state, the link's values (on the page's first
    run in a session, before any widget), the title, ``intro`` (markdown) and ``caption``,
    the banner of a lesson that opened this page, then the share row (``note``: what the
    link does not carry). ``shared=None``: a page without a share link (Home).
    """
    state.ensure_defaults()
    if shared is not None:
        restore_from_url(name, shared, drawing=drawing)
    st.title(title)
    if intro:
        st.markdown(intro)
    if caption:
        st.caption(caption)
    lesson_banner(name)
    if shared is not None:
        share_link_box(note)
    return Page(name, shared or [], drawing, always, bool(st.session_state[state.PRESENTER]))
