"""The playground's compare view: setups A and B side by side on the same drawing."""

from __future__ import annotations

import streamlit as st

from ui.playground.maps import chart, figure
from ui.playground.pipeline import Pipeline


def compare_views(runs: list[tuple[str, Pipeline | None]], presenter: bool) -> None:
    """Setups A and B side by side on the same drawing: feature map and pooled map each."""
    st.subheader("Compare")
    for column, (name, run) in zip(st.columns(2, gap="large"), runs, strict=True):
        with column:
            if run is None:
                st.info(f"{name}: nothing to show yet.")
                continue
            st.markdown(f"**{name}: {run.label}**, {run.settings.describe()}")
            inner = st.columns(2)
            h, w = run.feature.shape
            with inner[0]:
                chart(figure(run.feature, f"{name}: feature map ({h}×{w})", presenter),
                      run.feature)
            with inner[1]:
                ph, pw = run.pooled.shape
                chart(figure(run.pooled, f"{name}: pooled ({ph}×{pw})", presenter),
                      run.pooled)
