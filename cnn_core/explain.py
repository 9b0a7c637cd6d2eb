"""One output cell, explained: which inputs it reads and the sum written term by term.

The pages write the notes' arithmetic (C(0,0) = (1×1) + (2×0) + (4×0) + (5×−1) = −4) from
these explanations, and the tests check that every written sum equals the engine's value.
Positions are [row, col] everywhere (the notes' 2D example labels them (x, y); we do not).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from .number_text import MINUS, number
from .pooling import pool_output_size
from .shapes import as_float_array, check_padding_stride, pair, span_output_size


class Term(NamedTuple):
    """One product of the sum: input value × kernel value."""

    input_index: tuple[int, ...]  # index in the ORIGINAL input; may be outside it (padding)
    input_value: float  # 0 for a padding cell
    kernel_index: tuple[int, ...]
    kernel_value: float
    is_padding: bool


class CellExplanation(NamedTuple):
    """An output cell, the window it reads (padded coordinates) and its terms."""

    output_index: tuple[int, ...]
    window_start: tuple[int, ...]  # top-left of the window in the PADDED input
    terms: list[Term]
    value: float  # sum of the products, computed here independently of the fast path


def sum_sign(products: list[tuple[str, str]], total: str,
             write: Callable[[float], str] = number) -> str:
    """"=" when the written products, multiplied and added exactly as written, write (with
    ``write``) as the written total; "≈" when the rounding of the terms shows in the total.

    products: the written factor pairs, e.g. [("1", "0.02486"), ...], total: e.g. "0.09945".
    """
    exact = sum((_decimal(a) * _decimal(b) for a, b in products), Decimal(0))
    return "=" if write(float(exact)) == total else "\u2248"


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(MINUS, "-"))


def _check_index(index: int, size: int, name: str) -> int:
    if isinstance(index, bool) or int(index) != index or not 0 <= index < size:
        raise ValueError(f"{name} {index!r} is outside 0..{size - 1}")
    return int(index)


def conv2d_cell(image: np.ndarray, kernel: np.ndarray, row: int, col: int, *,
                padding: int | tuple = 0, stride: int | tuple = 1) -> CellExplanation:
    """Explain output [row, col] of conv2d(image, kernel, padding=, stride=).

    C(i, j) = sum_m sum_n f_pad(i*S + m, j*S + n) g(m, n); the window starts at (i*S, j*S).
    """
    image = as_float_array(image, "image", ndim=2)
    kernel = as_float_array(kernel, "kernel", ndim=2)
    (pad_h, pad_w), (step_h, step_w) = check_padding_stride(padding, stride)
    out_h = span_output_size(image.shape[0], kernel.shape[0], pad_h, pad_h, step_h)
    out_w = span_output_size(image.shape[1], kernel.shape[1], pad_w, pad_w, step_w)
    row, col = _check_index(row, out_h, "row"), _check_index(col, out_w, "column")
    top, left = row * step_h, col * step_w
    terms = []
    for m in range(kernel.shape[0]):
        for n in range(kernel.shape[1]):
            r, c = top + m - pad_h, left + n - pad_w
            inside = 0 <= r < image.shape[0] and 0 <= c < image.shape[1]
            terms.append(Term((r, c), float(image[r, c]) if inside else 0.0, (m, n),
                              float(kernel[m, n]), not inside))
    return CellExplanation((row, col), (top, left), terms,
                           float(sum(t.input_value * t.kernel_value for t in terms)))


def conv1d_cell(signal: np.ndarray, kernel: np.ndarray, index: int, *,
                padding: int | tuple = 0, stride: int = 1,
                mode: str = "correlate") -> CellExplanation:
    """Explain output [index] of conv1d(signal, kernel, padding=, stride=, mode=).

    "correlate": C = sum_j f(s + j) g(j) with s = index*S - P_l (first input read);
    "convolve":  C = sum_j f(c - j) g(j) with c = index*S + k - 1 - P_l (last input read).
    Input indices are those of the original signal: f[-1] is a padding zero.
    """
    signal = as_float_array(signal, "signal", ndim=1)
    kernel = as_float_array(kernel, "kernel", ndim=1)
    left, right = pair(padding, "padding")
    size = span_output_size(signal.size, kernel.size, left, right, stride)
    stride = int(stride)
    index = _check_index(index, size, "output index")
    if mode not in ("correlate", "convolve"):
        raise ValueError(f"mode must be 'correlate' or 'convolve', got {mode!r}")
    start = index * stride
    anchor = start - left if mode == "correlate" else start + kernel.size - 1 - left
    terms = []
    for j in range(kernel.size):
        i = anchor + j if mode == "correlate" else anchor - j
        inside = 0 <= i < signal.size
        terms.append(Term((i,), float(signal[i]) if inside else 0.0, (j,), float(kernel[j]),
                          not inside))
    return CellExplanation((index,), (start,), terms,
                           float(sum(t.input_value * t.kernel_value for t in terms)))


def written_sum(explanation: CellExplanation, *, name: str = "C") -> str:
    """The 2D sum as the notes write it: C(0,0) = (1×1) + (2×0) + ... = −4, [row, col]."""
    where = ",".join(str(i) for i in explanation.output_index)
    pairs = [(number(t.input_value), number(t.kernel_value)) for t in explanation.terms]
    products = " + ".join(f"({a}×{b})" for a, b in pairs)
    total = number(explanation.value)
    return f"{name}({where}) = {products} {sum_sign(pairs, total)} {total}"


def written_sum_1d(explanation: CellExplanation, mode: str | None = None) -> str:
    """The 1D sum in symbols then numbers, as the notes do:
    C[1] = f[1+0]g[0] + f[1+1]g[1] + f[1+2]g[2] = 2·1 + 3·0 + 4·(−1) = −2.
    The output is named by the formula's i (the f index the symbols start from), not by
    the window's number: with "convolve" and no padding the first window is C[k − 1].
    The mode defaults to the one the terms show (input indices falling: "convolve").
    """
    first = explanation.terms[0].input_index[0]
    if mode is None:
        terms = explanation.terms
        mode = "convolve" if len(terms) > 1 and terms[1].input_index < terms[0].input_index \
            else "correlate"
    sign = "+" if mode == "correlate" else MINUS
    symbols = " + ".join(f"f[{number(first)}{sign}{t.kernel_index[0]}]g[{t.kernel_index[0]}]"
                         for t in explanation.terms)

    def wrapped(v: float) -> str:
        return f"({number(v)})" if v < 0 else number(v)

    values = " + ".join(f"{wrapped(t.input_value)}·{wrapped(t.kernel_value)}"
                        for t in explanation.terms)
    pairs = [(number(t.input_value), number(t.kernel_value)) for t in explanation.terms]
    total = number(explanation.value)
    return f"C[{number(first)}] = {symbols} = {values} {sum_sign(pairs, total)} {total}"


def written_logit(features: np.ndarray, weights: np.ndarray, bias: float) -> str:
    """One logit's dense sum: (f_0×w_0) + (f_1×w_1) + ... ± |b|, features (D,) to 3
    decimals, weights (D,) = W[:, c] and the bias b_c to 4; a negative bias is subtracted
    ("− 0.0051", never "+ −0.0051"). The total is number(z_c, decimals=4)."""
    terms = " + ".join(f"({number(f, decimals=3)}×{number(w, decimals=4)})"
                       for f, w in zip(np.ravel(features), np.ravel(weights), strict=True))
    bias_text = number(bias, decimals=4)
    sign = MINUS if bias_text.startswith(MINUS) else "+"
    return f"{terms} {sign} {bias_text.removeprefix(MINUS)}"


class PoolCellExplanation(NamedTuple):
    """A pooled cell: the cells of its window (cut-off windows hold fewer) and the result."""

    output_index: tuple[int, int]
    cells: list[tuple[int, int]]  # [row, col] of each real cell in the window, row-major
    values: list[float]
    winner: tuple[int, int] | None  # max pooling: the first cell holding the maximum
    value: float


def pool_cell(x: np.ndarray, row: int, col: int, *, size: int = 2, stride: int | None = None,
              kind: str = "max") -> PoolCellExplanation:
    """Explain pooled cell [row, col] of a 2D map x with the notes' pooling."""
    x = as_float_array(x, "feature map", ndim=2)
    size_h, size_w = pair(size, "pool size")
    step_h, step_w = (size_h, size_w) if stride is None else pair(stride, "pool stride")
    if min(size_h, size_w, step_h, step_w) < 1:
        raise ValueError("pool size and stride must be 1 or more")
    if kind not in ("max", "avg"):
        raise ValueError(f"pooling kind must be 'max' or 'avg', got {kind!r}")
    row = _check_index(row, pool_output_size(x.shape[0], size_h, step_h), "row")
    col = _check_index(col, pool_output_size(x.shape[1], size_w, step_w), "column")
    cells = [(r, c) for r in range(row * step_h, min(row * step_h + size_h, x.shape[0]))
             for c in range(col * step_w, min(col * step_w + size_w, x.shape[1]))]
    values = [float(x[r, c]) for r, c in cells]
    if kind == "max":
        best = max(values)
        winner = cells[values.index(best)]
        return PoolCellExplanation((row, col), cells, values, winner, best)
    return PoolCellExplanation((row, col), cells, values, None, sum(values) / len(values))
