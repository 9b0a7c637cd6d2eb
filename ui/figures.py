"""Pure figure builders: arrays in, plotly Figure out (testable without Streamlit).

Conventions: square cells, row 0 on top, numbers written in the cells of small maps with a
real minus sign, a diverging scale centred at 0 for signed maps and a sequential one from 0
for non-negative maps. Both scales are colour-blind safe, and the numbers carry the meaning.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

MINUS = "\u2212"
SIGNED_SCALE = "PuOr_r"  # purple (negative) - white - orange (positive); colour-blind safe
POSITIVE_SCALE = "Blues"
INK_SCALE = "Greys"
MAX_NUMBERED_WIDTH = 16


def format_number(value: float, decimals: int = 2) -> str:
    """Short, legible text of a number: no trailing zeros, a real minus sign, no "-0"."""
    if abs(value) < 0.5 * 10 ** (-decimals):
        return "0"
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace("-", MINUS)


def matrix_heatmap(values: np.ndarray, *, title: str = "", kind: str = "auto",
                   numbers: bool | None = None, decimals: int = 2,
                   outline: tuple[int, int, int, int] | None = None,
                   inner: tuple[int, int, int, int] | None = None,
                   presenter: bool = False, height: int | None = None) -> go.Figure:
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
    text = [[format_number(v, decimals) for v in row] for row in values]
    biggest = float(np.max(np.abs(values))) or 1.0
    scale = {"signed": dict(colorscale=SIGNED_SCALE, zmid=0, zmin=-biggest, zmax=biggest),
             "positive": dict(colorscale=POSITIVE_SCALE, zmin=0, zmax=max(biggest, 1e-12)),
             "ink": dict(colorscale=INK_SCALE, zmin=0, zmax=1)}[kind]
    font_size = (22 if presenter else 15) if cols <= 8 else (16 if presenter else 11)
    heatmap = go.Heatmap(
        z=values, text=text, texttemplate="%{text}" if numbers else None,
        textfont=dict(size=font_size, family="monospace"),
        hovertemplate="row %{y}, col %{x}: %{text}<extra></extra>",
        xgap=1, ygap=1, showscale=False, **scale)
    figure = go.Figure(heatmap)
    for box, dash, colour in ((inner, "dash", "#444"), (outline, "solid", "#d62728")):
        if box is not None:
            r, c, h, w = box
            figure.add_shape(type="rect", x0=c - 0.5, x1=c + w - 0.5, y0=r - 0.5, y1=r + h - 0.5,
                             line=dict(color=colour, width=4 if dash == "solid" else 2,
                                       dash=dash))
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


def probability_bars(probabilities: np.ndarray, *, labels: list[str] | None = None,
                     highlight: int | None = None, presenter: bool = False) -> go.Figure:
    """Bar chart of class probabilities, the highlighted class drawn darker, values on bars."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    labels = labels or [str(i) for i in range(probabilities.size)]
    colours = ["#1f4e9c" if i == highlight else "#9bb7dd" for i in range(probabilities.size)]
    figure = go.Figure(go.Bar(x=labels, y=probabilities, marker_color=colours,
                              text=[f"{p:.0%}" if p >= 0.005 else "" for p in probabilities],
                              textposition="outside",
                              hovertemplate="class %{x}: %{y:.4f}<extra></extra>"))
    figure.update_layout(height=260, margin=dict(l=30, r=10, t=10, b=30),
                         yaxis=dict(range=[0, 1.1], title="probability"),
                         xaxis=dict(type="category", title="class"),
                         font=dict(size=18 if presenter else 13), plot_bgcolor="white")
    return figure


def curves(series: dict[str, list[float]], *, x: list[int], y_title: str,
           y_range: tuple[float, float] | None = None) -> go.Figure:
    """Line chart of several named series over epochs (training curves)."""
    figure = go.Figure()
    for (name, values), dash in zip(series.items(), ("solid", "dash", "dot", "dashdot"),
                                    strict=False):
        figure.add_trace(go.Scatter(x=x, y=values, name=name, mode="lines+markers",
                                    line=dict(dash=dash)))
    figure.update_layout(height=280, margin=dict(l=40, r=10, t=10, b=40),
                         xaxis=dict(title="epoch"), yaxis=dict(title=y_title, range=y_range),
                         legend=dict(orientation="h", y=1.12), plot_bgcolor="white")
    return figure
