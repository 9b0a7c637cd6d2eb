"""Figure builders for the forward-pass and backprop pages: heatmaps, small multiples, bars.

Pure functions: arrays in, plotly Figure out, with ui.figures' conventions (square cells,
row 0 on top, numbers with a real minus sign, PuOr diverging scale centred at 0 for signed
maps, Blues from 0 for non-negative ones). A brush stroke redraws about ten of these, so
each is a ui.figures.spec.SpecFigure: one plain dict, validated once by a test instead of on
every call (plotly's validation and copies cost 2-4 ms a figure; this path 0.1-0.3 ms).
Arrays go as typed arrays (binary, base64), not as lists of Python floats, and the layout
carries an empty template: Streamlit's theme styles the chart anyway, and plotly's default
template would add 3 KB and 10 ms to every figure.
"""

from __future__ import annotations

import numpy as np

from cnn_core.number_text import number
from ui.figures.cues import cell_font, outline_shapes, presenter_axis
from ui.figures.spec import SpecFigure, colour_scale, typed_array


def _scale(values: np.ndarray, kind: str, presenter: bool) -> dict:
    finite = values[np.isfinite(values)]
    biggest = float(np.max(np.abs(finite))) if finite.size else 0.0
    biggest = biggest or 1.0
    if kind == "auto":
        kind = "signed" if finite.size and finite.min() < 0 else "positive"
    low = -biggest if kind == "signed" else 0.0
    high = 1.0 if kind == "ink" else biggest
    return dict(colorscale=colour_scale(kind, presenter), zmin=low, zmax=high)


def _text(values: np.ndarray, decimals: int) -> list[list[str]]:
    """The cells' numbers as text, row by row ("" for the gaps of a mosaic)."""
    return [["" if v != v else number(v, decimals=decimals) for v in row]  # v != v: NaN
            for row in values.tolist()]


def _figure(data: list[dict], *, title: str, height: int, presenter: bool,
            annotations: list | None = None, shapes: list | None = None,
            ticks: bool = True, width_cells: int = 1) -> SpecFigure:
    axis = dict(showgrid=False, zeroline=False, constrain="domain", showticklabels=ticks,
                ticks="outside" if ticks else "", tickmode="linear",
                dtick=1 if width_cells <= 16 else 4)
    layout = dict(
        title=dict(text=title, font=dict(size=20 if presenter else 14)), height=height,
        margin=dict(l=30 if ticks else 5, r=10, b=10 if ticks else 5,
                    t=(40 if title else 10) + (30 if ticks else 0)),
        xaxis=presenter_axis(dict(axis, side="top"), presenter),
        yaxis=presenter_axis(dict(axis, autorange="reversed", scaleanchor="x"), presenter),
        annotations=annotations or [], shapes=shapes or [], plot_bgcolor="white",
        dragmode=False, template={})
    return SpecFigure({"data": data, "layout": layout})


def network_heatmap(values: np.ndarray, *, title: str = "", kind: str = "auto",
                    numbers: bool | None = None, decimals: int = 2, presenter: bool = False,
                    outlined: np.ndarray | None = None) -> SpecFigure:
    """A 2D array (h, w) as a heatmap, numbers in the cells when h and w are at most 10.

    outlined: a bool mask (h, w) of cells to draw a box around (pooling winners): dark,
    red and white (ui.figures.cues.outline_shapes), so it shows on any cell colour.
    """
    values = np.asarray(values, dtype=np.float64)
    rows, cols = values.shape
    small = max(rows, cols) <= 10
    numbers = small if numbers is None else numbers
    cell = (62 if presenter else 46) if small else (30 if presenter else 22)
    font = (18 if presenter else 12) if small else (14 if presenter else 9)
    trace = dict(type="heatmap", z=typed_array(values), xgap=1, ygap=1, showscale=False,
                 **_scale(values, kind, presenter))
    if numbers:
        trace.update(text=_text(values, decimals), texttemplate="%{text}",
                     textfont=cell_font(font, presenter),
                     hovertemplate="row %{y}, col %{x}: %{text}<extra></extra>")
    else:  # no text to build: hovering shows the value
        trace.update(hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>")
    shapes = [shape for r, c in zip(*np.nonzero(outlined), strict=True)
              for shape in outline_shapes(r, c, 1, 1, line=3)] if outlined is not None else []
    height = min(600, rows * cell + (70 if title else 35) + 10)
    return _figure([trace], title=title, height=height, presenter=presenter, shapes=shapes,
                   width_cells=max(rows, cols))


def mosaic(maps: np.ndarray, *, kind: str = "auto", columns: int = 4, title: str = "",
           labels: list[str] | None = None, numbers: bool = False, decimals: int = 2,
           presenter: bool = False) -> SpecFigure:
    """Small multiples: K maps (K, h, w) tiled `columns` to a row in one heatmap.

    Each tile has a label above it ("k0", "k1", ... unless labels are given) in one blank
    row (two for tiles taller than 4) and one blank column between tiles. One colour scale
    for all tiles, so they compare honestly.
    """
    maps = np.asarray(maps, dtype=np.float64)
    count, h, w = maps.shape
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    gap = 1 if h <= 4 else 2  # blank rows above each tile, for its label
    canvas = np.full((rows * (h + gap), columns * (w + 1) - 1), np.nan)
    # which tile a cell is in, for the hover; gaps say 0 but hover skips them (hoverongaps)
    owner = np.zeros(canvas.shape, dtype=np.int8 if count <= 127 else np.int16)
    labels = labels or [f"k{i}" for i in range(count)]
    annotations = []
    for index in range(count):
        top, left = (index // columns) * (h + gap) + gap, (index % columns) * (w + 1)
        canvas[top : top + h, left : left + w] = maps[index]
        owner[top : top + h, left : left + w] = index
        annotations.append(dict(x=left + (w - 1) / 2, y=top - (gap + 1) / 2, text=labels[index],
                                showarrow=False, font=dict(size=15 if presenter else 11)))
    trace = dict(type="heatmap", z=typed_array(canvas), customdata=typed_array(owner),
                 xgap=1, ygap=1, showscale=False, hoverongaps=False,
                 **_scale(maps, kind, presenter))
    if numbers:
        trace.update(text=_text(canvas, decimals), texttemplate="%{text}",
                     textfont=cell_font(14 if presenter else 10, presenter),
                     hovertemplate="kernel %{customdata}: %{text}<extra></extra>")
    else:  # no text to build: hovering shows the value
        trace.update(hovertemplate="kernel %{customdata}: %{z:.3f}<extra></extra>")
    cell = 26 if numbers or presenter else 14
    height = min(900, max(120, cell * canvas.shape[0] + (50 if title else 20)))
    return _figure([trace], title=title, height=height, presenter=presenter,
                   annotations=annotations, ticks=False)


