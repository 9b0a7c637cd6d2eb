"""The playground's session keys, one place for each name the page and its views share."""

from __future__ import annotations

P = "playground_"  # prefix of the page's widgets (setup A)
B = "playground_b_"  # prefix of the compare view's second setup
LATEST = f"{P}matrices"  # the latest maps by name, for the downloads
PICKED = f"{P}picked"  # a click on a map picked a cell: the pickers need a full rerun


def last_good_key(prefix: str) -> str:
    """Where a setup keeps the last pipeline that worked (controls.result writes it)."""
    return f"{prefix}last_good"


LAST_GOOD = last_good_key(P)
