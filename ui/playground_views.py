"""What the playground computes and writes, as pure functions: the pipeline, its formulas
with the live numbers, and the CSV exports (its maps' figures: ui.map_heatmap).

No Streamlit here (testable alone). Every number comes from cnn_core; this module only
orders the calls (conv2d -> relu -> pooling) and writes the notes' formulas.
"""

from __future__ import annotations

import io
import zipfile
from typing import NamedTuple

import numpy as np

from cnn_core import (
    avg_pool2d,
    conv2d,
    max_pool2d,
    output_size,
    pool_output_size,
    relu,
    unused_inputs,
)
from cnn_core.explain import CellExplanation, PoolCellExplanation, written_sum
from cnn_core.number_text import MINUS, number
from ui.map_heatmap import Box


class ConvSettings(NamedTuple):
    """The playground's knobs: padding P, stride S, ReLU on/off, pooling kind and size."""

    padding: int = 0
    stride: int = 1
    relu: bool = True
    pool: str = "max"  # "max" or "avg"
    pool_size: int = 2

    def describe(self) -> str:
        """One line for captions: "P = 0, S = 1, ReLU, max pool 2×2"."""
        act = "ReLU" if self.relu else "no ReLU"
        return (f"P = {self.padding}, S = {self.stride}, {act}, "
                f"{self.pool} pool {self.pool_size}×{self.pool_size}")


class Pipeline(NamedTuple):
    """One drawing through one kernel: every map the page shows, all (rows, cols) float64."""

    image: np.ndarray  # the drawing (n, n)
    kernel: np.ndarray  # (k_h, k_w)
    label: str  # the kernel's display name
    settings: ConvSettings
    padded: np.ndarray  # the input as the kernel sees it: (n + 2P, n + 2P)
    feature: np.ndarray  # conv2d(image, kernel, padding=P, stride=S)
    activated: np.ndarray  # relu(feature), or feature itself when ReLU is off
    pooled: np.ndarray  # max/avg pooling of activated, stride = size, cut-off windows kept


class SumsOverflow(ValueError):
    """The kernel's numbers are so large that the convolution's sums leave float's range."""


def run_pipeline(image: np.ndarray, kernel: np.ndarray, settings: ConvSettings,
                 label: str = "") -> Pipeline:
    """conv2d -> ReLU -> pooling with cnn_core; raises ValueError for a bad kernel or setting
    (SumsOverflow when the kernel's numbers make a sum overflow).

    feature = conv2d(f, g, padding=P, stride=S), out = (n - k + 2P) // S + 1 per axis;
    activated = max(0, feature); pooled = pool(activated, size) with ceil(out / size) cells.
    """
    if settings.pool not in ("max", "avg"):
        raise ValueError(f"pooling must be 'max' or 'avg', got {settings.pool!r}")
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, by name
        feature = conv2d(image, kernel, padding=settings.padding, stride=settings.stride)
    if not np.all(np.isfinite(feature)):
        raise SumsOverflow("these kernel values are too large: the sums overflow (beyond "
                           "±1.8e308, the largest number a float holds)")
    activated = relu(feature) if settings.relu else feature
    pool = max_pool2d if settings.pool == "max" else avg_pool2d
    pooled = pool(activated, settings.pool_size)
    padded = np.pad(np.asarray(image, dtype=np.float64), settings.padding)
    return Pipeline(np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64),
                    label, settings, padded, feature, activated, pooled)


def _m(value: float) -> str:
    return number(value)


def size_formula(input_size: int, kernel_size: int, padding: int, stride: int) -> str:
    """The notes' output size with live numbers: S_c = (S_f − S_g + 2P) / S + 1 = ... = 3.

    The value is cnn_core.output_size's; when S does not divide, the floor is written out.
    """
    out = output_size(input_size, kernel_size, padding=padding, stride=stride)
    top = input_size - kernel_size + 2 * padding
    inner = f"({input_size} {MINUS} {kernel_size} + {2 * padding}) / {stride}"
    if top % stride == 0:
        return f"S_c = (S_f {MINUS} S_g + 2P) / S + 1 = {inner} + 1 = {out}"
    return (f"S_c = ⌊(S_f {MINUS} S_g + 2P) / S⌋ + 1 = ⌊{inner}⌋ + 1 = "
            f"⌊{_m(top / stride)}⌋ + 1 = {out}")


def size_notes(pipeline: Pipeline) -> list[str]:
    """Per-axis output-size formulas, unread rows/columns, and the pooled size."""
    s, (n_rows, n_cols), (k_rows, k_cols) = (pipeline.settings, pipeline.image.shape,
                                             pipeline.kernel.shape)
    lines = []
    for axis, n, k in (("row", n_rows, k_rows), ("column", n_cols, k_cols)):
        lines.append(f"{axis}s: {size_formula(n, k, s.padding, s.stride)}")
        left = unused_inputs(n, k, padding=s.padding, stride=s.stride)
        if left:
            many = f"{left} {axis}s are" if left > 1 else f"{axis} is"
            lines.append(f"   stride {s.stride} leaves input unused: the last {many} never read")
    out_rows, out_cols = pipeline.feature.shape
    pooled = [pool_output_size(m, s.pool_size, s.pool_size) for m in (out_rows, out_cols)]
    lines.append(f"pooled: ⌈{out_rows} / {s.pool_size}⌉ × ⌈{out_cols} / {s.pool_size}⌉ = "
                 f"{pooled[0]} × {pooled[1]} (cut-off edge windows kept, as in the notes)")
    return lines


def conv_sentence(cell: CellExplanation, kernel_shape: tuple[int, int]) -> str:
    """Where the window of a feature-map cell sits, in [row, col] words."""
    (row, col), (top, left) = cell.output_index, cell.window_start
    padding = sum(t.is_padding for t in cell.terms)
    note = f" {padding} of its cells are padding zeros." if padding else ""
    return (f"Positions are [row, col], counted from 0 at the top left: C({row},{col}) is row "
            f"{row}, column {col} (the notes' 2D example names them (x, y)). It reads rows "
            f"{top}–{top + kernel_shape[0] - 1} and columns {left}–{left + kernel_shape[1] - 1} "
            f"of the input as the kernel sees it (outlined in red).{note}")


def conv_sum(cell: CellExplanation) -> str:
    """The notes' term-by-term sum from cnn_core.explain: C(0,0) = (1×1) + ... = −4."""
    return written_sum(cell)


def pool_sum(cell: PoolCellExplanation, kind: str) -> str:
    """A pooled cell written out: P(0,1) = max(1, 0, 2, 0) = 2, or the mean."""
    row, col = cell.output_index
    values = ", ".join(_m(v) for v in cell.values)
    if kind == "max":
        return f"P({row},{col}) = max({values}) = {_m(cell.value)}"
    total = " + ".join(_m(v) for v in cell.values)
    return f"P({row},{col}) = ({total}) / {len(cell.values)} = {_m(cell.value)}"


def pool_sentence(cell: PoolCellExplanation, kind: str, source: str) -> str:
    """Which window a pooled cell reads and, for max pooling, which cell won."""
    (r0, c0), (r1, c1) = cell.cells[0], cell.cells[-1]
    text = (f"P({cell.output_index[0]},{cell.output_index[1]}) reads rows {r0}–{r1}, columns "
            f"{c0}–{c1} of {source} ({len(cell.values)} cells, outlined in red).")
    if kind == "max" and cell.winner is not None:
        text += f" The winner is [{cell.winner[0]}, {cell.winner[1]}]"
        text += " (the first of the tied cells)." if cell.values.count(cell.value) > 1 else "."
    else:
        text += " Average pooling takes their mean (a cut-off window averages fewer cells)."
    return text


def pool_box(cell: PoolCellExplanation) -> Box:
    """(row, col, height, width) of a pooled cell's window, cut-off windows included."""
    (r0, c0), (r1, c1) = cell.cells[0], cell.cells[-1]
    return (r0, c0, r1 - r0 + 1, c1 - c0 + 1)


def matrix_csv(values: np.ndarray) -> str:
    """A matrix as CSV text, one line per row, full precision, ASCII minus for spreadsheets."""
    buffer = io.StringIO()
    np.savetxt(buffer, np.atleast_2d(values), fmt="%.10g", delimiter=",")
    return buffer.getvalue()


def csv_zip(matrices: dict[str, np.ndarray]) -> bytes:
    """Every matrix as <name>.csv inside one zip file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, values in matrices.items():
            archive.writestr(f"{name}.csv", matrix_csv(values))
    return buffer.getvalue()
