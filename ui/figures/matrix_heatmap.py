"""A 2D array as a plotly heatmap with the house conventions (validated go.Figure).

The lessons' heatmaps and ui.figures.fast_heatmap's template come from here. Pure: no
Streamlit. (The map component, ui.widgets.map, is to replace every heatmap builder.)
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnn_core.number_text import number
from ui.figures.cues import cell_font, outline_shapes
from ui.figures.spec import colour_scale

MAX_NUMBERED_WIDTH = 16


def matrix_heatmap(values: np.ndarray, *, title: str = "", kind: str = "auto",
                   numbers: bool | None = None, decimals: int = 2,
                   outline: tuple[int, int, int, int] | None = None,
                   inner: tuple[int, int, int, int] | None = None,
                   presenter: bool = False, height: int | None = None,
                   font_size: int | None = None) -> go.Figure:
    """A heatmap of a 2D array with the house conventions.

    kind: "signed" (diverging, zmid 0), "positive" (sequential from 0), "ink" (the drawing),
    or "auto" (signed if any value < 0). outline: (row, col, height, width) of a window to
    draw around; inner: the same for the real image inside padding (drawn dashed).
    """
    values = np.asarray(values, dtype=np.float64)
    rows, cols = values.shape
    if kind == "auto":
        kind = "signed" if np.any(values < 0) else "positive"
    if numbers is None:
        numbers = cols <= MAX_NUMBERED_WIDTH
    text = [[number(v, decimals=decimals) for v in row] for row in values]
    biggest = float(np.max(np.abs(values))) or 1.0
    scale = {"signed": dict(zmid=0, zmin=-biggest, zmax=biggest),
             "positive": dict(zmin=0, zmax=max(biggest, 1e-12)),
             "ink": dict(zmin=0, zmax=1)}[kind]
    scale["colorscale"] = colour_scale(kind, presenter)
    if font_size is None:
        font_size = (22 if presenter else 15) if cols <= 8 else (16 if presenter else 11)
    heatmap = go.Heatmap(
        z=values, text=text, texttemplate="%{text}" if numbers else None,
        textfont=cell_font(font_size, presenter),
        hovertemplate="row %{y}, col %{x}: %{text}<extra></extra>",
        xgap=1, ygap=1, showscale=False, **scale)
    figure = go.Figure(heatmap)
    if inner is not None:  # the real image inside the padding: dashed, not a colour
        r, c, h, w = inner
        figure.add_shape(type="rect", x0=c - 0.5, x1=c + w - 0.5, y0=r - 0.5, y1=r + h - 0.5,
                         line=dict(color="#444", width=2, dash="dash"))
    for shape in outline_shapes(*outline) if outline is not None else []:
        figure.add_shape(**shape)
    ticks = dict(tickmode="linear", dtick=1 if max(rows, cols) <= 16 else 4, showgrid=False,
                 zeroline=False, constrain="domain", tickfont=dict(size=18 if presenter else 12))
    side = height or min(420, max(160, 34 * max(rows, cols) + 70))
    figure.update_layout(
        title=dict(text=title, font=dict(size=20 if presenter else 14)),
        height=side, margin=dict(l=30, r=10, t=40 if title else 10, b=30),
        xaxis=dict(ticks, side="top", title=None),
        yaxis=dict(ticks, autorange="reversed", scaleanchor="x", title=None),
        plot_bgcolor="white", dragmode=False)
    return figure
