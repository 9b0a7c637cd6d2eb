"""Maps redrawn on every brush stroke: ui.figures.matrix_heatmap in about 1 ms, not 25.

``heatmap`` builds the layout once per shape and options (a test checks it gives the same
figure as matrix_heatmap), then only the values change. ``cell_numbers`` picks the font
that fits a map's numbers in its cells, or none. No Streamlit here (testable alone).
"""

from __future__ import annotations

import functools

import numpy as np

from cnn_core.number_text import number
from ui.figures.matrix_heatmap import matrix_heatmap
from ui.figures.spec import SpecFigure, typed_array

Box = tuple[int, int, int, int]  # (row, col, height, width)


@functools.lru_cache(maxsize=128)
def _template(shape: tuple[int, int], kind: str, numbers: bool | None, title: str,
              decimals: int, outline: Box | None, inner: Box | None, presenter: bool,
              height: int | None, tick_step: int | None, font_size: int | None) -> dict:
    """matrix_heatmap's spec for this shape and these options (values are set per call)."""
    spec = matrix_heatmap(np.zeros(shape), title=title, kind=kind, numbers=numbers,
                          decimals=decimals, outline=outline, inner=inner,
                          presenter=presenter, height=height, font_size=font_size).to_dict()
    layout = spec["layout"]
    layout.pop("template", None)  # 85% of the bytes, and st.plotly_chart's theme replaces it
    if title:  # matrix_heatmap's title overlaps the column numbers on top: lift it clear
        layout["margin"]["t"] += 22
        layout["title"].update(y=1, yref="container", yanchor="top", pad=dict(t=10))
    if tick_step is not None:
        layout["xaxis"]["dtick"] = layout["yaxis"]["dtick"] = tick_step
    return spec


def fast_heatmap(values: np.ndarray, *, title: str = "", kind: str = "auto",
                 numbers: bool | None = None, decimals: int = 2, outline: Box | None = None,
                 inner: Box | None = None, presenter: bool = False, height: int | None = None,
                 clickable: bool = False, tick_step: int | None = None,
                 font_size: int | None = None) -> SpecFigure:
    """ui.figures.matrix_heatmap(values, ...) in about 1 ms instead of about 25 ms.

    Maps without numbers in their cells send no text (hover reads z). clickable: an
    invisible marker on every cell centre, because Streamlit's plotly selection returns
    nothing for heatmap clicks but does for scatter points; a click gives the cell's
    [row, col] as the point's (y, x). tick_step: label every tick_step-th row and column.
    """
    values = np.asarray(values, dtype=np.float64)
    if kind == "auto":
        kind = "signed" if np.any(values < 0) else "positive"
    spec = _template(values.shape, kind, numbers, title, decimals, outline, inner, presenter,
                     height, tick_step, font_size)
    biggest = float(np.max(np.abs(values))) or 1.0
    low, high = {"signed": (-biggest, biggest), "positive": (0, max(biggest, 1e-12)),
                 "ink": (0, 1)}[kind]
    trace = dict(spec["data"][0], z=typed_array(values), zmin=low, zmax=high)
    text = None
    if trace.get("texttemplate") is not None:
        text = [[number(v, decimals=decimals) for v in row] for row in values]
        trace["text"] = text
    else:
        trace.pop("text", None)
        trace["hovertemplate"] = "row %{y}, col %{x}: %{z:.4~g}<extra></extra>"
    data, layout = [trace], spec["layout"]
    if clickable:
        rows, cols = np.indices(values.shape, dtype=np.int16)
        trace["hoverinfo"] = "skip"
        trace.pop("hovertemplate", None)
        shown = ({"text": [t for row in text for t in row]} if text is not None else
                 {"customdata": typed_array(values.ravel())})
        value = "%{text}" if text is not None else "%{customdata:.4~g}"
        data.append(dict(type="scatter", x=typed_array(cols.ravel()),
                         y=typed_array(rows.ravel()), mode="markers", showlegend=False,
                         marker=dict(size=12, opacity=0.01, color="black"), **shown,
                         hovertemplate=f"row %{{y}}, col %{{x}}: {value}<br>click to inspect"
                                       "<extra></extra>"))
        # markers would pad the autorange by their size: pin the axes to the cells
        layout = dict(layout, hovermode="closest", hoverdistance=-1, clickmode="event+select",
                      xaxis=dict(layout["xaxis"], range=[-0.5, values.shape[1] - 0.5],
                                 autorange=False),
                      yaxis=dict(layout["yaxis"], range=[values.shape[0] - 0.5, -0.5],
                                 autorange=False))
    return SpecFigure({"data": data, "layout": layout})


# A map's plot area at its narrowest (a quarter-page column at 1280 px, measured): the cells
# of a w-wide map are about PLOT_PX / w wide, and at most SMALL_CELL_PX for maps whose
# figure height, not the column, limits them (3x3 and smaller).
PLOT_PX = {False: 120, True: 166}  # {presenter: px}
SMALL_CELL_PX = {False: 33, True: 46}
SMALLEST_FONT_PX = {False: 10, True: 14}  # smaller numbers are hidden (hover, tables)
DIGIT_EM = 0.6  # a monospace character's width, in font sizes


def cell_numbers(values: np.ndarray, presenter: bool = False) -> tuple[bool, int, int]:
    """(numbers, decimals, font px) for a map in a quarter-page column.

    Decimals: 2 up to 6 cells wide, 1 beyond. The font is the house size (15 px, 11 beyond
    8 cells; 22 and 16 in presenter mode), made smaller if the longest number would not fit
    its cell, across or up; no numbers if that leaves less than 10 px (14 in presenter
    mode), rather than numbers spilling over their neighbours.
    """
    values = np.asarray(values, dtype=np.float64)
    wide = values.shape[1]
    decimals = 2 if wide <= 6 else 1
    biggest = float(np.max(np.abs(values))) if values.size else 0.0
    whole = bool(np.all(np.abs(values - np.round(values)) < 0.005))
    chars = (len(str(round(biggest))) + bool(np.any(values <= -0.005))
             + (0 if whole else 1 + decimals))  # at most this long as format_number writes it
    cell = min(PLOT_PX[presenter] / wide, SMALL_CELL_PX[presenter])
    house = (22 if presenter else 15) if wide <= 8 else (16 if presenter else 11)
    font = int(min(house, cell / (chars * DIGIT_EM), 0.9 * cell))
    return font >= SMALLEST_FONT_PX[presenter], decimals, font
