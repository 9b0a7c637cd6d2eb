"""What the playground writes: its formulas with the live numbers and the inspector's sums
and sentences (pure: no Streamlit; every number from cnn_core).
"""

from __future__ import annotations

from cnn_core import (
    output_size,
    pool_output_size,
    unused_inputs,
)
from cnn_core.explain import CellExplanation, PoolCellExplanation, written_sum
from cnn_core.number_text import MINUS, number
from ui.playground.pipeline import Pipeline


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
