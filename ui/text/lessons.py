"""The convolution lessons' words (app_pages/lesson_1d, lesson_2d): reading a typed list of
numbers, the big monospace lines the pages write their sums in (always HTML-escaped), the
output-size formulas with numbers, and which inputs no window reads.

Pure: no Streamlit. Every number written here comes from cnn_core (conv1d, conv2d, explain.*)."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from cnn_core.explain import CellExplanation, sum_sign
from cnn_core.number_text import MINUS, number, parse_number

SEPARATORS = re.compile(r"[,;\s]+")


def parse_numbers(text: str, name: str, *, max_count: int) -> np.ndarray:
    """'1, 2, −3' -> array([1., 2., -3.]) (1D float64); ValueError says what is wrong.

    Separators: commas, semicolons or spaces; each number is read by
    cnn_core.number_text.parse_number (any minus-like dash, fractions such as 1/3).
    """
    pieces = [p for p in SEPARATORS.split(text.strip()) if p]
    if not pieces:
        raise ValueError(f"{name} is empty: type numbers separated by commas, e.g. 1, 2, 3")
    if len(pieces) > max_count:
        raise ValueError(f"{name} has {len(pieces)} numbers; this lesson takes at most "
                         f"{max_count}")
    values = []
    for piece in pieces:
        try:
            values.append(parse_number(piece))
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
    return np.array(values, dtype=np.float64)


def format_list(values: Sequence[float]) -> str:
    """[1, −2, 0.5] written as the notes write lists, with a real minus sign."""
    return "[" + ", ".join(number(v) for v in values) + "]"


def style(presenter: bool) -> str:
    """Static CSS (no user text) for the big monospace sums; bigger in presenter mode."""
    size = "2.1rem" if presenter else "1.45rem"
    small = "1.6rem" if presenter else "1.15rem"
    return f"""<style>
.lesson-sum, .lesson-output, .lesson-row {{
  font-family: "DejaVu Sans Mono", "Menlo", "Consolas", monospace; color: #111;
  background: #f3f3f3; border-left: 6px solid #222; padding: 0.45em 0.7em;
  margin: 0.3em 0 0.6em 0; line-height: 1.5; overflow-wrap: anywhere; font-size: {size};
}}
.lesson-row {{ font-size: {small}; border-left-style: dashed; }}
.lesson-row b {{ font-weight: 700; }}
</style>"""


def big_line(text: str, *, kind: str = "sum", label: str = "") -> str:
    """One line of large monospace text as HTML; ``text`` and ``label`` are escaped.

    kind: "sum" (the written sum), "output" (the output row) or "row" (smaller, dashed).
    """
    css = f"lesson-{kind}" if kind in ("sum", "output", "row") else "lesson-sum"
    head = f"<b>{html.escape(label)}</b> " if label else ""
    return f'<div class="{css}">{head}{html.escape(text)}</div>'


def written_sum_swapped(cell: CellExplanation) -> str:
    """A "convolve" cell written as C(i) = Σ_j f(j) g(i − j): f's index runs forward.

    Same terms as written_sum_1d(cell, "convolve") in reverse order, the kernel index
    written as c − j where c is the last input read (the notes' i): C[0] = f[−2]g[0+2] + ...
    """
    anchor = cell.terms[0].input_index[0]
    terms = sorted(cell.terms, key=lambda t: t.input_index[0])

    def g_index(j: int) -> str:
        return f"{number(anchor)}{MINUS}{j}" if j >= 0 else f"{number(anchor)}+{-j}"

    def wrapped(v: float) -> str:
        return f"({number(v)})" if v < 0 else number(v)

    symbols = " + ".join(f"f[{number(t.input_index[0])}]g[{g_index(t.input_index[0])}]"
                         for t in terms)
    values = " + ".join(f"{wrapped(t.input_value)}·{wrapped(t.kernel_value)}" for t in terms)
    pairs = [(number(t.input_value), number(t.kernel_value)) for t in terms]
    total = number(cell.value)
    return f"C[{number(anchor)}] = {symbols} = {values} {sum_sign(pairs, total)} {total}"


def formula_index(cell: CellExplanation) -> int:
    """The formula's i of a 1D output (explain.conv1d_cell): the f index its sum starts from,
    t·S − P_l for "correlate", t·S + k − 1 − P_l for "convolve" (t: the window's number)."""
    return cell.terms[0].input_index[0]


def outputs_label(indices: Sequence[int]) -> str:
    """How the output row is named: "C" for C[0], C[1]...; else "C[2..4]" or "C[0, 2, 4]"."""
    if list(indices) == list(range(len(indices))):
        return "C"
    steps = {b - a for a, b in itertools.pairwise(indices)}
    if steps <= {1}:
        return f"C[{number(indices[0])}..{number(indices[-1])}]"
    return "C[" + ", ".join(number(i) for i in indices) + "]"


class Unread(NamedTuple):
    """Cells of the 1D padded input (0 .. S_f + P_l + P_r − 1) that no window reads."""

    skipped: list[int]  # between two windows: the stride is longer than the kernel
    tail: list[int]  # after the last window: (S_f − S_g + P_l + P_r) is not a multiple of S


def never_read(cells: Sequence[CellExplanation], signal_size: int, kernel_size: int,
               left: int, right: int) -> Unread:
    """Which padded positions the windows of ``cells`` (explain.conv1d_cell) never cover."""
    read = {start + j for cell in cells for start in cell.window_start
            for j in range(kernel_size)}
    end = max(read) + 1
    unread = [p for p in range(signal_size + left + right) if p not in read]
    return Unread([p for p in unread if p < end], [p for p in unread if p >= end])


def size_latex(s_f: int, s_g: int, pads: tuple[int, int], stride: int, result: int, *,
               axis: str | None = None) -> str:
    """The output-size formula with numbers, the floor made visible when S does not divide.

    S_c = ⌊(S_f − S_g + P_l + P_r) / S⌋ + 1, written with 2P when both sides are padded
    alike on a 2D axis (``axis`` = "rows", "cols" or "" for both); ``result`` is cnn_core's
    answer.
    """
    sup = f"^{{\\text{{{axis}}}}}" if axis else ""
    if axis is not None and pads[0] == pads[1]:
        pad_symbols, pad_numbers = f"2P{sup}", f"2\\cdot {pads[0]}"
    else:
        pad_symbols, pad_numbers = "P_l + P_r", f"{pads[0]} + {pads[1]}"
    numerator = s_f - s_g + pads[0] + pads[1]
    lines = [f"S_c{sup} &= \\left\\lfloor \\frac{{S_f{sup} - S_g{sup} + {pad_symbols}}}{{S{sup}}}"
             " \\right\\rfloor + 1",
             f"&= \\left\\lfloor \\frac{{{s_f} - {s_g} + {pad_numbers}}}{{{stride}}}"
             " \\right\\rfloor + 1"]
    if numerator % stride:
        lines.append(f"&= \\left\\lfloor {numerator / stride:g} \\right\\rfloor + 1")
    lines.append(f"&= {result}")
    return "\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}"
