"""Text a visitor controls (typed values, file names), made inert before Streamlit shows it."""

from __future__ import annotations

import re

MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+!|<>~$:])")


def plain(text: str) -> str:
    """Text (which may echo what a student typed) made inert for st.error / st.markdown.

    Backslash-escapes markdown punctuation, so "[x](http://…)", "**", ":red[…]" or "<b>"
    show as typed instead of becoming links, formatting or HTML.
    """
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
