"""Every chart with a text alternative: an accessible name always, its numbers on request.

Pages call ``show_chart(figure, numbers)`` instead of st.plotly_chart. The chart is named for
screen readers (its title, or ``label``). When the session's "Numbers as tables" toggle
(state.NUMBERS_AS_TABLES) is on, the chart is followed by its numbers in an st.table: a real
HTML table that screen readers walk cell by cell, row and column headers included, and that
copies as text. When it is off nothing more is built: ``numbers`` only refers to arrays the
page already has, turned into a table when one is shown, so a brush stroke pays nothing.

``numbers`` can be:
- a 2D array (rows, cols): rows "row 0", "row 1"..., columns "col 0"...; a ``Matrix`` names
  the axes differently ("true", "predicted") or counts them from another index (row −1);
- a 3D array (K, h, w) or ``Tiles``: the K maps stacked in one table, rows "k3, row 2";
- a mapping of column name to values (bars: class and probability; curves: epoch, train,
  test), one row per position;
- a pandas DataFrame, or a function returning one (called only when the table is shown).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from cnn_core.number_text import number
from ui.session.state import NUMBERS_AS_TABLES

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler


class Matrix(NamedTuple):
    """A 2D array with named axes, its first row and column numbered ``start``."""

    values: np.ndarray
    rows: str = "row"
    cols: str = "col"
    start: tuple[int, int] = (0, 0)


class Tiles(NamedTuple):
    """K maps (K, h, w) shown as small multiples, each named by its label ("k0"...)."""

    maps: np.ndarray
    labels: Sequence[str] | None = None


Numbers = (np.ndarray | Matrix | Tiles | Mapping[str, Sequence] | pd.DataFrame
           | Callable[[], pd.DataFrame])


def _names(axis: str, count: int, start: int = 0) -> list[str]:
    return [f"{axis} {number(i)}" for i in range(start, start + count)]


def matrix_table(values: np.ndarray, rows: str = "row", cols: str = "col",
                 start: tuple[int, int] = (0, 0)) -> pd.DataFrame:
    """(h, w) array -> table of h rows "row i" and w columns "col j" with the same values."""
    values = np.asarray(values)
    height, width = values.shape
    return pd.DataFrame(values, index=_names(rows, height, start[0]),
                        columns=_names(cols, width, start[1]))


def tiles_table(maps: np.ndarray, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """(K, h, w) maps -> one table of K·h rows named "<label>, row i" and w columns."""
    maps = np.asarray(maps)
    count, height, width = maps.shape
    labels = list(labels) if labels is not None else [f"k{k}" for k in range(count)]
    if len(set(labels)) < count:  # two tiles with one label ("3→8" twice): number them
        labels = [f"{k + 1}: {label}" for k, label in enumerate(labels)]
    index = [f"{label}, row {row}" for label in labels for row in range(height)]
    return pd.DataFrame(maps.reshape(count * height, width), index=index,
                        columns=_names("col", width))


def table_of(numbers: Numbers) -> pd.DataFrame:
    """The table that shows ``numbers`` (see the module docstring for what they can be)."""
    if callable(numbers):
        numbers = numbers()
    if isinstance(numbers, pd.DataFrame):
        return numbers
    if isinstance(numbers, Matrix):
        return matrix_table(*numbers)
    if isinstance(numbers, Tiles):
        return tiles_table(*numbers)
    if isinstance(numbers, Mapping):
        return pd.DataFrame({name: np.asarray(values) for name, values in numbers.items()})
    values = np.asarray(numbers)
    if values.ndim == 3:
        return tiles_table(values)
    if values.ndim == 1:
        return pd.DataFrame({"value": values})
    return matrix_table(values)


def styled(frame: pd.DataFrame) -> pd.DataFrame | Styler:
    """The table as shown: floats to 6 significant digits (st.table's default, 4 decimals,
    would write a probability of 2e-05 as 0.0000); the values underneath stay exact."""
    floats = list(frame.select_dtypes("float").columns)
    if not floats:
        return frame
    return frame.style.format(functools.partial(number, digits=6), subset=floats)


def marked_cells(mask: np.ndarray) -> str:
    """The cells a chart outlines, in words: "Outlined cells [row, col]: [0, 1], [2, 2]."."""
    cells = ", ".join(f"[{r}, {c}]" for r, c in zip(*np.nonzero(mask), strict=True))
    return f"Outlined cells [row, col]: {cells or 'none'}."


def chart_title(figure: go.Figure) -> str:
    """The figure's title text, "" if none; a SpecFigure is read without being built."""
    spec = figure.__dict__.get("_spec")
    if spec is not None:
        return (spec["layout"].get("title") or {}).get("text") or ""
    return figure.layout.title.text or ""


def numbers_shown() -> bool:
    """Whether this session asked for every chart's numbers as a table."""
    return bool(st.session_state.get(NUMBERS_AS_TABLES, False))


def show_chart(figure: go.Figure, numbers: Numbers | None = None, *,
               where: DeltaGenerator | None = None, label: str = "",
               marked: np.ndarray | None = None, **options: Any) -> Any:
    """st.plotly_chart(figure) with an accessible name, then its numbers if they are asked for.

    where: the container (a column...) to draw in, else the current one. label: the name
    for screen readers, by default the figure's title. marked: a bool mask of the cells the
    figure outlines, listed in words under the table. options go to st.plotly_chart (key,
    config, on_select...); width defaults to "stretch". Returns what st.plotly_chart returns.
    """
    target = st if where is None else where
    name = label or chart_title(figure)
    options.setdefault("width", "stretch")
    shown = target.plotly_chart(figure, alt=name or None, **options)
    if numbers is not None and numbers_shown():
        target.table(styled(table_of(numbers)), alt=f"The numbers of {name or 'the chart above'}")
        if marked is not None:
            target.caption(marked_cells(marked))
    return shown
