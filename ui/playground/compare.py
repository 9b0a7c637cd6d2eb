"""The playground's compare view: setups A and B side by side on the same drawing."""

from __future__ import annotations

import streamlit as st

from ui.playground.maps import compare_maps
from ui.playground.pipeline import Pipeline


def compare_views(runs: list[tuple[str, Pipeline | None]], presenter: bool) -> None:
    """Setups A and B side by side on the same drawing: feature map and pooled map each,
    all four maps in one map component (a setup that fails says so instead)."""
    st.subheader("Compare")
    for column, (name, run) in zip(st.columns(2, gap="large"), runs, strict=True):
        with column:
            if run is None:
                st.info(f"{name}: nothing to show yet.")
            else:
                st.markdown(f"**{name}: {run.label}**, {run.settings.describe()}")
    shown = [(name, run) for name, run in runs if run is not None]
    if shown:
        compare_maps(shown, presenter)
