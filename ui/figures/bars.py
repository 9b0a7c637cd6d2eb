"""Bar charts of one value per class: probabilities (0..1) and signed gradients (p − y).

The highlighted class (the prediction, the true label) is drawn darker, hatched and named
under its bar: never by colour alone (ui.figures.cues). Pure: arrays in, SpecFigure out.
"""

from __future__ import annotations

import numpy as np

from cnn_core.number_text import number
from ui.figures.cues import highlight_cues, presenter_axis
from ui.figures.spec import SpecFigure, typed_array


def probability_bars(probabilities: np.ndarray, *, labels: list[str] | None = None,
                     highlight: int | None = None, highlight_name: str = "predicted",
                     presenter: bool = False) -> SpecFigure:
    """Bar chart of class probabilities, values on bars. The highlighted class is drawn
    darker, hatched, and named under its bar (highlight_name): not by colour alone."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    labels = [str(label) for label in labels or range(probabilities.size)]
    colours = ["#1f4e9c" if i == highlight else "#9bb7dd" for i in range(probabilities.size)]
    cues, xaxis = highlight_cues(labels, highlight, highlight_name)
    bars = dict(type="bar", x=labels, y=typed_array(probabilities),
                marker=dict(color=colours, **cues),
                text=[f"{p:.0%}" if p >= 0.005 else "" for p in probabilities.tolist()],
                textposition="outside", hovertemplate="class %{x}: %{y:.4f}<extra></extra>")
    layout = dict(height=260 if highlight is None else 290,
                  margin=dict(l=30, r=10, t=10, b=30 if highlight is None else 60),
                  yaxis=presenter_axis(dict(range=[0, 1.1], title=dict(text="probability")),
                                       presenter),
                  xaxis=presenter_axis(dict(xaxis, title=dict(text="class")), presenter),
                  font=dict(size=18 if presenter else 13), plot_bgcolor="white", template={})
    return SpecFigure({"data": [bars], "layout": layout})


def signed_bars(values: np.ndarray, *, title: str = "", highlight: int | None = None,
                highlight_name: str = "true label", y_title: str = "",
                presenter: bool = False) -> SpecFigure:
    """Bars of a signed vector (C,) with its values written on them (p − y, a gradient).

    Orange bars are positive, purple negative (also up or down, and the signed numbers);
    the highlighted class is dark blue, hatched and named under its bar (highlight_name).
    """
    values = np.asarray(values, dtype=np.float64)
    labels = [str(i) for i in range(values.size)]
    colours = ["#b35806" if v > 0 else "#542788" for v in values]
    if highlight is not None:
        colours[highlight] = "#1f4e9c"
    cues, xaxis = highlight_cues(labels, highlight, highlight_name)
    bars = dict(type="bar", x=labels, y=typed_array(values), marker=dict(color=colours, **cues),
                text=[number(v, decimals=3) for v in values.tolist()],
                textposition="outside", cliponaxis=False,
                hovertemplate="class %{x}: %{y:.5f}<extra></extra>")
    layout = dict(title=dict(text=title, font=dict(size=20 if presenter else 14)),
                  height=280 if highlight is None else 310,
                  margin=dict(l=40, r=10, t=40 if title else 10, b=30 if highlight is None else 60),
                  xaxis=presenter_axis(dict(xaxis, title=dict(text="class")), presenter),
                  yaxis=presenter_axis(dict(title=dict(text=y_title), zeroline=True,
                                            zerolinecolor="#444"), presenter),
                  font=dict(size=18 if presenter else 13), plot_bgcolor="white", template={})
    return SpecFigure({"data": [bars], "layout": layout})
