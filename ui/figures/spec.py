"""Plotly specs without plotly's cost, and the colour scales every map uses (pure: no Streamlit).

Conventions: square cells, row 0 on top, numbers written in the cells of small maps with a
real minus sign (cnn_core.number_text.number), a diverging scale centred at 0 for signed
maps and a sequential one from 0 for non-negative maps. Both scales are colour-blind safe,
and the numbers carry the meaning. Nothing is told by colour alone, and presenter mode stays
legible: see ui.figures.cues.

Figures redrawn on every brush stroke are ``SpecFigure``s: a plain dict spec handed to
st.plotly_chart as it is, arrays packed with ``typed_array``. A test per builder validates
its spec with go.Figure once, instead of plotly doing it on every call."""

from __future__ import annotations

import base64
import copy
import functools

import numpy as np
import plotly.colors
import plotly.graph_objects as go

SIGNED_SCALE = "PuOr_r"  # purple (negative) - white - orange (positive); colour-blind safe
POSITIVE_SCALE = "Blues"
INK_SCALE = "Greys"
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
