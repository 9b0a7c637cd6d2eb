"""Pure figure builders: arrays in, plotly Figure out (testable without Streamlit).

Conventions: square cells, row 0 on top, numbers written in the cells of small maps with a
real minus sign, a diverging scale centred at 0 for signed maps and a sequential one from 0
for non-negative maps. Both scales are colour-blind safe, and the numbers carry the meaning.
Nothing is told by colour alone, and presenter mode stays legible: see ui.figure_cues.

Figures redrawn on every brush stroke are ``SpecFigure``s: a plain dict spec handed to
st.plotly_chart as it is, arrays packed with ``typed_array``. A test per builder validates
its spec with go.Figure once, instead of plotly doing it on every call.
"""

from __future__ import annotations

import base64
import copy
import functools
import math

import numpy as np
import plotly.colors
import plotly.graph_objects as go

from cnn_core.number_text import number
from ui.figure_cues import CURVE_STYLES, cell_font, highlight_cues, outline_shapes, presenter_axis

SIGNED_SCALE = "PuOr_r"  # purple (negative) - white - orange (positive); colour-blind safe
POSITIVE_SCALE = "Blues"
INK_SCALE = "Greys"
MAX_NUMBERED_WIDTH = 16
SCALE_NAMES = {"signed": SIGNED_SCALE, "positive": POSITIVE_SCALE, "ink": INK_SCALE}


@functools.cache
def colour_scale(kind: str, presenter: bool = False) -> list:
    """[[position, "rgb(...)"], ...] for a map kind: "signed", "positive" or "ink".

    Shared by every figure, never edited. In presenter mode the palest tints, which a
    projector washes out to the white of the page, are left out: the positive scale starts
    at a visible light blue, and the signed one goes from white at 0 straight to a clear
    purple or orange, so that values near zero still show.
    """
    steps = [list(step) for step in plotly.colors.get_colorscale(SCALE_NAMES[kind])]
    if not presenter or kind == "ink":  # black ink on white paper is already the most
        return steps
    colours = [colour for _, colour in steps]
    if kind == "positive":  # Blues' 9 colours: drop the two nearest to white
        kept = colours[2:]
        return [[i / (len(kept) - 1), colour] for i, colour in enumerate(kept)]
    # PuOr's 11 colours, white in the middle: drop the palest on each side of it
    kept = colours[:4] + colours[5:6] + colours[7:]
    return [[position, colour] for position, colour in
            zip((0, 0.15, 0.3, 0.45, 0.5, 0.55, 0.7, 0.85, 1), kept, strict=True)]


class SpecFigure(go.Figure):
    """A display figure whose spec is handed to st.plotly_chart as it is, unchecked.

    Building a go.Figure checks every property and deep-copies its template (0.7 ms even
    for an empty one), then st.plotly_chart's to_dict() deep-copies it all again: 2-4 ms a
    figure, and the forward-pass page redraws eleven per brush stroke on a 50 ms budget.
    A SpecFigure skips all of that: to_dict() returns the spec, copied one level deep
    (callers may add keys, not edit nested ones). Any other use of the plotly API
    (fig.layout, update_layout...) first builds the validated go.Figure from the spec,
    which from then on is the figure.
    """

    def __init__(self, spec: dict) -> None:  # no super().__init__(): that is the cost
        self.__dict__["_spec"] = spec

    def __getattr__(self, name: str):
        # Reached only for what go.Figure.__init__ would have set: build it now, once.
        spec = self.__dict__.get("_spec")
        if spec is None or name.startswith("__"):
            raise AttributeError(name)
        self.__dict__["_spec"] = None
        go.Figure.__init__(self, copy.deepcopy(spec))
        return getattr(self, name)

    def to_dict(self) -> dict:
        spec = self.__dict__.get("_spec")
        if spec is None:
            return super().to_dict()
        return {"data": [dict(trace) for trace in spec["data"]], "layout": dict(spec["layout"])}

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    def __reduce__(self):
        return (SpecFigure, (self.to_dict(),))


def typed_array(values: np.ndarray) -> dict:
    """A numeric array in plotly.js's typed-array JSON form, as plotly.py itself sends it:
    {"dtype": "f8", "bdata": base64 of the bytes, "shape": "rows, cols"}.

    plotly.js has no 64-bit integers: those go as int32 when they fit, else as float64.
    """
    values = np.asarray(values)
    if values.dtype.kind in "iu" and values.dtype.itemsize == 8:
        fits = values.size == 0 or (values.min() >= -2**31 and values.max() < 2**31)
        values = values.astype(np.int32 if fits else np.float64)
    values = np.ascontiguousarray(values)
    spec = {"dtype": values.dtype.str.lstrip("<|="),
            "bdata": base64.b64encode(values.tobytes()).decode("ascii")}
    if values.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in values.shape)
    return spec


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
    figure.update_layout(height=320 if presenter else 280, margin=dict(l=40, r=10, t=10, b=40),
                         xaxis=presenter_axis(dict(  # whole epochs only, at most ~10 ticks,
                             title=dict(text="epoch"), tickmode="linear", tick0=x[0] if x else 1,
                             dtick=max(1, math.ceil(len(x) / 10)),  # none past the last one
                             range=[x[0] - 0.5, x[-1] + 0.5] if x else None), presenter),
                         yaxis=presenter_axis(dict(title=dict(text=y_title), range=y_range),
                                              presenter),
                         legend=dict(orientation="h", y=1.12), plot_bgcolor="white",
                         font=dict(size=18 if presenter else 13))
    return figure
