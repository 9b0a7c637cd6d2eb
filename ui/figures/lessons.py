"""Figures of the convolution lessons: the 1D strip, and the 2D lesson's padded input.

Padding cells of the strip are hatched and labelled "pad" (never marked by colour alone);
the window being read has a thick black border; numbers are large monospace with a real
minus sign. ``strip_table`` is the strip's text alternative (ui.widgets.charts shows it
under the strip). The 2D lesson's maps are drawn by the map component (ui.widgets.map).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cnn_core.explain import CellExplanation
from cnn_core.number_text import number

WINDOW_FILL = "#ffd966"  # amber: the cells being multiplied (also outlined, so not colour alone)
HATCH = dict(shape="/", fgcolor="#8a8a8a", bgcolor="rgba(255,255,255,0)", size=8, solidity=0.15)
ROW_F, ROW_G, ROW_C = 0.0, 1.5, 3.0
HALF = 0.42  # half the height (and width) of a cell


def _boxes(cells: Sequence[tuple[float, float]]) -> tuple[list, list]:
    """x, y of closed rectangles around (x, y) cell centres, separated by None."""
    xs, ys = [], []
    for x, y in cells:
        xs += [x - HALF, x + HALF, x + HALF, x - HALF, x - HALF, None]
        ys += [y - HALF, y - HALF, y + HALF, y + HALF, y - HALF, None]
    return xs, ys


def hatch_trace(cells: Sequence[tuple[float, float]], *, name: str = "padding") -> go.Scatter:
    """A hatched, dotted-outlined overlay over the given (x, y) cell centres."""
    xs, ys = _boxes(cells)
    return go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillpattern=HATCH,
                      line=dict(color="#555", width=1, dash="dot"), name=name,
                      hoverinfo="skip", showlegend=False)


def _cells(figure: go.Figure, centres: list[tuple[float, float]], *, fill: str,
           border: str = "#222", width: float = 1.5) -> None:
    xs, ys = _boxes(centres)
    figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=fill,
                                line=dict(color=border, width=width), hoverinfo="skip",
                                showlegend=False))


def _text(figure: go.Figure, xs: list[float], ys: list[float], texts: list[str], size: int,
          colour: str = "#111") -> None:
    figure.add_trace(go.Scatter(x=xs, y=ys, text=texts, mode="text", hoverinfo="skip",
                                textfont=dict(size=size, family="monospace", color=colour),
                                showlegend=False))


def _formula_indices(cell: CellExplanation, count: int, stride: int) -> list[int]:
    """The formula's i of every output, from the current one's (the f index its sum starts
    from): one stride apart, as the windows are."""
    (current,) = cell.output_index
    first = cell.terms[0].input_index[0] - current * stride
    return [first + t * stride for t in range(count)]


def signal_strip(signal: np.ndarray, *, padding: tuple[int, int], cell: CellExplanation,
                 outputs: np.ndarray, stride: int, presenter: bool = False) -> go.Figure:
    """The padded f, g under the window it reads, and the outputs C under their windows.

    signal (S_f,), outputs (S_c,); cell: explain.conv1d_cell of the current output. Row f
    shows every padded cell (pad cells hatched, labelled "pad" and "f[−1]"-style indices
    of the original signal); row g shows g[j] under the f cell it multiplies (flipped for
    "convolve"); row C puts each output under the first cell of its window (t·S), named by
    the formula's i (C[2] for the first "convolve" window of a 3-cell g without padding).
    """
    left, right = padding
    size = signal.size + left + right
    big = (30 if presenter else 22) if size <= 12 else (22 if presenter else 15)
    small = 17 if presenter else 12
    (current,) = cell.output_index
    window = {cell.window_start[0] + j for j in range(len(cell.terms))}
    figure = go.Figure()
    positions = list(range(size))
    _cells(figure, [(p, ROW_F) for p in positions if p not in window], fill="white")
    _cells(figure, [(p, ROW_F) for p in sorted(window)], fill=WINDOW_FILL, width=4)
    pads = [p for p in positions if not 0 <= p - left < signal.size]
    if pads:
        figure.add_trace(hatch_trace([(p, ROW_F) for p in pads]))
        _text(figure, pads, [ROW_F + 0.3] * len(pads), ["pad"] * len(pads), small, "#333")
    values = [number(signal[p - left]) if p not in pads else "0" for p in positions]
    _text(figure, positions, [ROW_F - (0.12 if p in pads else 0) for p in positions], values,
          big)
    _text(figure, positions, [ROW_F - 0.72] * size, [f"f[{number(p - left)}]" for p in positions],
          small, "#333")
    g_at = [t.input_index[0] + left for t in cell.terms]
    _cells(figure, [(p, ROW_G) for p in g_at], fill=WINDOW_FILL, width=4)
    _text(figure, g_at, [ROW_G] * len(g_at), [number(t.kernel_value) for t in cell.terms],
          big)
    _text(figure, g_at, [ROW_G + 0.68] * len(g_at),
          [f"g[{t.kernel_index[0]}]" for t in cell.terms], small, "#333")
    starts = [i * stride for i in range(outputs.size)]
    _cells(figure, [(p, ROW_C) for i, p in enumerate(starts) if i != current], fill="white")
    _cells(figure, [(starts[current], ROW_C)], fill=WINDOW_FILL, width=4)
    _text(figure, starts, [ROW_C] * len(starts), [number(v) for v in outputs], big)
    _text(figure, starts, [ROW_C + 0.68] * len(starts),
          [f"C[{number(i)}]" for i in _formula_indices(cell, len(starts), stride)], small, "#333")
    figure.update_layout(
        height=400 if presenter else 330, margin=dict(l=36, r=6, t=6, b=6),
        plot_bgcolor="white", paper_bgcolor="white", dragmode=False, showlegend=False,
        xaxis=dict(visible=False, range=[-0.6, max(size, 3) - 0.4], fixedrange=True),
        yaxis=dict(range=[ROW_C + 1.0, ROW_F - 1.05], fixedrange=True, showgrid=False,
                   zeroline=False, tickvals=[ROW_F, ROW_G, ROW_C], ticktext=["f", "g", "C"],
                   tickfont=dict(size=big, family="monospace", color="#111")))
    return figure


def strip_table(signal: np.ndarray, *, padding: tuple[int, int], cell: CellExplanation,
                outputs: np.ndarray, stride: int) -> pd.DataFrame:
    """What signal_strip draws, as text: one row per cell of the padded f.

    Columns: the cell ("f[−1]"), its value ("0 (pad)" for padding), the g value that
    multiplies it in the current window ("g[2] = −1"), and the output whose window starts
    there ("C[1] = −2", the current one marked "(now)"). Blank where the strip is blank.
    """
    left, right = padding
    size = signal.size + left + right
    (current,) = cell.output_index
    g_under = {t.input_index[0] + left: f"g[{t.kernel_index[0]}] = {number(t.kernel_value)}"
               for t in cell.terms}
    names = _formula_indices(cell, outputs.size, stride)
    c_at = {t * stride: f"C[{number(names[t])}] = {number(v)}" + (" (now)" if t == current
                                                                  else "")
            for t, v in enumerate(outputs.tolist())}
    values = [number(signal[p - left]) if 0 <= p - left < signal.size else "0 (pad)"
              for p in range(size)]
    return pd.DataFrame({"cell": [f"f[{number(p - left)}]" for p in range(size)],
                         "f": values, "g (this window)": [g_under.get(p, "") for p in range(size)],
                         "C (window starts here)": [c_at.get(p, "") for p in range(size)]})


def padded(image: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    """image (H, W) with P_rows zero rows above and below, P_cols zero columns each side."""
    pad_h, pad_w = padding
    return np.pad(np.asarray(image, dtype=np.float64), ((pad_h, pad_h), (pad_w, pad_w)))
