"""Builders for the forward-pass and backprop pages: small multiples, bars, tables, inputs.

Figures are pure (arrays in, plotly Figure out); the few helpers that draw widgets say so.
Every number they show is handed in from cnn_core; nothing here computes the network.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import state
from ui.figures import (
    INK_SCALE,
    POSITIVE_SCALE,
    SIGNED_SCALE,
    format_number,
    matrix_heatmap,
)


def _scale(values: np.ndarray, kind: str) -> dict:
    biggest = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
    biggest = biggest or 1.0
    if kind == "auto":
        kind = "signed" if np.nanmin(values) < 0 else "positive"
    return {"signed": dict(colorscale=SIGNED_SCALE, zmid=0, zmin=-biggest, zmax=biggest),
            "positive": dict(colorscale=POSITIVE_SCALE, zmin=0, zmax=biggest),
            "ink": dict(colorscale=INK_SCALE, zmin=0, zmax=1)}[kind]


def mosaic(maps: np.ndarray, *, kind: str = "auto", columns: int = 4, title: str = "",
           labels: list[str] | None = None, numbers: bool = False, decimals: int = 2,
           presenter: bool = False) -> go.Figure:
    """Small multiples: K maps (K, h, w) tiled `columns` to a row in one heatmap.

    Each tile has a label row above it ("k0", "k1", ... unless labels are given) and one
    blank column between tiles. One colour scale for all tiles, so they compare honestly.
    """
    maps = np.asarray(maps, dtype=np.float64)
    count, h, w = maps.shape
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    canvas = np.full((rows * (h + 1), columns * (w + 1) - 1), np.nan)
    kernel = np.full(canvas.shape, -1)
    labels = labels or [f"k{i}" for i in range(count)]
    annotations = []
    for index in range(count):
        top, left = (index // columns) * (h + 1) + 1, (index % columns) * (w + 1)
        canvas[top : top + h, left : left + w] = maps[index]
        kernel[top : top + h, left : left + w] = index
        annotations.append(dict(x=left + (w - 1) / 2, y=top - 1, text=labels[index],
                                showarrow=False, font=dict(size=15 if presenter else 11)))
    text = [["" if np.isnan(v) else format_number(v, decimals) for v in row] for row in canvas]
    heatmap = go.Heatmap(z=canvas, text=text, customdata=kernel,
                         texttemplate="%{text}" if numbers else None,
                         textfont=dict(size=14 if presenter else 10, family="monospace"),
                         hovertemplate="kernel %{customdata}: %{text}<extra></extra>",
                         xgap=1, ygap=1, showscale=False, hoverongaps=False,
                         **_scale(maps, kind))
    figure = go.Figure(heatmap)
    hidden = dict(showticklabels=False, showgrid=False, zeroline=False, constrain="domain")
    cell = 26 if numbers or presenter else 16
    figure.update_layout(
        title=dict(text=title, font=dict(size=20 if presenter else 14)),
        height=min(900, max(140, cell * canvas.shape[0] + (50 if title else 20))),
        margin=dict(l=5, r=5, t=40 if title else 10, b=5), annotations=annotations,
        xaxis=hidden, yaxis=dict(hidden, autorange="reversed", scaleanchor="x"),
        plot_bgcolor="white", dragmode=False)
    return figure


def signed_bars(values: np.ndarray, *, title: str = "", highlight: int | None = None,
                y_title: str = "", presenter: bool = False) -> go.Figure:
    """Bars of a signed vector (C,) with its values written on them (p − y, a gradient)."""
    values = np.asarray(values, dtype=np.float64)
    colours = ["#b35806" if v > 0 else "#542788" for v in values]
    if highlight is not None:
        colours[highlight] = "#1f4e9c"
    figure = go.Figure(go.Bar(x=[str(i) for i in range(values.size)], y=values,
                              marker_color=colours, text=[format_number(v, 3) for v in values],
                              textposition="outside", cliponaxis=False,
                              hovertemplate="class %{x}: %{y:.5f}<extra></extra>"))
    figure.update_layout(title=dict(text=title, font=dict(size=20 if presenter else 14)),
                         height=280, margin=dict(l=40, r=10, t=40 if title else 10, b=30),
                         xaxis=dict(type="category", title="class"),
                         yaxis=dict(title=y_title, zeroline=True, zerolinecolor="#444"),
                         font=dict(size=18 if presenter else 13), plot_bgcolor="white")
    return figure


def routing_figure(values: np.ndarray, winners: np.ndarray, *, title: str = "",
                   decimals: int = 2, presenter: bool = False) -> go.Figure:
    """A map (h, w) with the cells that won their pooling window outlined in red."""
    figure = matrix_heatmap(values, title=title, decimals=decimals, presenter=presenter)
    for r, c in zip(*np.nonzero(winners), strict=True):
        figure.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5,
                         line=dict(color="#d62728", width=3))
    return figure


def output_table(logits: np.ndarray, probabilities: np.ndarray) -> pd.DataFrame:
    """One row per class: the logit and the softmax probability."""
    return pd.DataFrame({"digit": np.arange(len(logits)), "logit": logits,
                         "probability": probabilities})


def fingerprint(array: np.ndarray) -> str:
    """A short hash of an array's values (to notice that the input changed)."""
    return hashlib.sha1(np.ascontiguousarray(array, dtype=np.float64).tobytes()).hexdigest()[:16]


def drawing_input(key_prefix: str) -> np.ndarray:
    """Draws the shared drawing panel and returns the current drawing (n, n).

    Uses ui.drawing_panel.drawing_panel when it exists; until then a bare drawing grid
    that writes strokes to the shared DRAWING key.
    """
    try:
        from ui.drawing_panel import drawing_panel
    except ModuleNotFoundError as error:
        if error.name != "ui.drawing_panel":
            raise
    else:
        return drawing_panel(key_prefix)
    from ui.grid import drawing_grid

    stroke = drawing_grid(state.drawing(), key=f"{key_prefix}_grid",
                          revision=st.session_state[state.DRAWING_REVISION],
                          label="Draw a digit (click or drag)")
    if stroke is not None:
        st.session_state[state.DRAWING] = stroke
    if st.button("Clear", key=f"{key_prefix}_clear"):
        state.set_drawing(np.zeros_like(state.drawing()))
        st.rerun(scope="fragment")
    return state.drawing()


def prediction_revealed(key_prefix: str, input_id: str) -> tuple[bool, int | None]:
    """Predict-then-reveal: draws a guess radio and a Reveal button (widgets).

    Returns (revealed, guess). The prediction stays hidden for this input until Reveal is
    pressed; a new drawing hides it again.
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
