"""Training curves: up to four named series over epochs, each with its own dash, marker
and colour (ui.figures.cues.CURVE_STYLES), whole-epoch ticks only. Pure: lists in, Figure out.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from ui.figures.cues import CURVE_STYLES, presenter_axis


def curves(series: dict[str, list[float]], *, x: list[int], y_title: str,
           y_range: tuple[float, float] | None = None, presenter: bool = False) -> go.Figure:
    """Line chart of up to four named series over epochs (training curves).

    Each series has its own dash, marker shape and colour (CURVE_STYLES), and a legend.
    """
    figure = go.Figure()
    for (name, values), (dash, symbol, colour) in zip(series.items(), CURVE_STYLES,
                                                      strict=False):
        figure.add_trace(go.Scatter(
            x=x, y=values, name=name, mode="lines+markers",
            line=dict(dash=dash, color=colour, width=3 if presenter else 2),
            marker=dict(symbol=symbol, color=colour, size=10 if presenter else 7)))
    # the legend sits in its own strip above the plot (the top margin), never over the lines
    figure.update_layout(height=320 if presenter else 280,
                         margin=dict(l=40, r=10, t=48 if presenter else 36, b=40),
                         xaxis=presenter_axis(dict(  # whole epochs only, at most ~10 ticks,
                             title=dict(text="epoch"), tickmode="linear", tick0=x[0] if x else 1,
                             dtick=max(1, math.ceil(len(x) / 10)),  # none past the last one
                             range=[x[0] - 0.5, x[-1] + 0.5] if x else None), presenter),
                         yaxis=presenter_axis(dict(title=dict(text=y_title), range=y_range),
                                              presenter),
                         legend=dict(orientation="h", x=0, xanchor="left", y=1.0,
                                     yanchor="bottom"),
                         font=dict(size=18 if presenter else 13))
    return figure
