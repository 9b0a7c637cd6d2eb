"""Tests for cnn_core.explain: one output cell explained and its sum written term by term.

Oracles: the notes' worked numbers verbatim, then the engine's fast path (conv1d, conv2d,
max_pool2d, avg_pool2d) on random cases; the written sums are parsed back and re-added.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from cnn_core import avg_pool2d, conv1d, conv2d, max_pool2d
from cnn_core.explain import (
    conv1d_cell,
    conv2d_cell,
    pool_cell,
    written_sum,
    written_sum_1d,
)
from cnn_core.number_text import MINUS, number

F = [1, 2, 3, 4, 5]
G = [1, 0, -1]
IMAGE = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
KERNEL = [[1, 0], [0, -1]]


def _int(text: str) -> int:
    return int(text.replace(MINUS, "-"))


def _random_1d(rng: np.random.Generator):
    """Integer f, g (so every written number is exact), padding (maybe 0, maybe uneven)."""
    while True:
        f = rng.integers(-9, 10, size=int(rng.integers(1, 10)))
        g = rng.integers(-9, 10, size=int(rng.integers(1, 6)))
        pads = tuple(int(p) for p in rng.integers(0, 4, size=2))
        if g.size <= f.size + sum(pads):
            return f, g, pads, int(rng.integers(1, 4))


# --- The notes' worked numbers -------------------------------------------------------------

@pytest.mark.parametrize("i, text", [
    (0, "C[0] = f[0+0]g[0] + f[0+1]g[1] + f[0+2]g[2] = 1·1 + 2·0 + 3·(−1) = −2"),
    (1, "C[1] = f[1+0]g[0] + f[1+1]g[1] + f[1+2]g[2] = 2·1 + 3·0 + 4·(−1) = −2"),
    (2, "C[2] = f[2+0]g[0] + f[2+1]g[1] + f[2+2]g[2] = 3·1 + 4·0 + 5·(−1) = −2"),
])
def test_written_sum_1d_writes_the_notes_sliding_sums_symbols_then_numbers(i, text):
    assert written_sum_1d(conv1d_cell(F, G, i)) == text


@pytest.mark.parametrize("i, symbols, value", [
    (0, "C[0] = f[0−0]g[0] + f[0−1]g[1] + f[0−2]g[2]", 1),
    (1, "C[1] = f[1−0]g[0] + f[1−1]g[1] + f[1−2]g[2]", 2),
    (2, "C[2] = f[2−0]g[0] + f[2−1]g[1] + f[2−2]g[2]", 2),
    (3, "C[3] = f[3−0]g[0] + f[3−1]g[1] + f[3−2]g[2]", 2),
    (4, "C[4] = f[4−0]g[0] + f[4−1]g[1] + f[4−2]g[2]", 2),
])
def test_convolve_with_left_padding_two_writes_the_notes_padding_section(i, symbols, value):
    cell = conv1d_cell(F, G, i, padding=(2, 0), mode="convolve")
    text = written_sum_1d(cell, "convolve")
    assert text.startswith(symbols + " = ")
    assert text.endswith(f"= {value}")
    assert cell.value == value


def test_the_notes_negative_indices_are_padding_zeros():
    cell = conv1d_cell(F, G, 0, padding=(2, 0), mode="convolve")
    assert [t.input_index for t in cell.terms] == [(0,), (-1,), (-2,)]
    assert [t.is_padding for t in cell.terms] == [False, True, True]
    assert written_sum_1d(cell, "convolve").endswith("= 1·1 + 0·0 + 0·(−1) = 1")


@pytest.mark.parametrize("row, col, text", [
    (0, 0, "C(0,0) = (1×1) + (2×0) + (4×0) + (5×−1) = −4"),
    (0, 1, "C(0,1) = (2×1) + (3×0) + (5×0) + (6×−1) = −4"),  # the notes call it C(1,0)
    (1, 0, "C(1,0) = (4×1) + (5×0) + (7×0) + (8×−1) = −4"),  # the notes call it C(0,1)
    (1, 1, "C(1,1) = (5×1) + (6×0) + (8×0) + (9×−1) = −4"),
])
def test_written_sum_writes_the_notes_2d_example_in_row_col_order(row, col, text):
    assert written_sum(conv2d_cell(IMAGE, KERNEL, row, col)) == text


# --- Every written sum equals the engine, on random cases -----------------------------------

@pytest.mark.parametrize("mode", ["correlate", "convolve"])
@pytest.mark.parametrize("seed", range(12))
def test_every_written_1d_sum_adds_up_to_the_engine_value(mode, seed):
    f, g, pads, stride = _random_1d(np.random.default_rng(seed))
    engine = conv1d(f, g, padding=pads, stride=stride, mode=mode)
    sign = "+" if mode == "correlate" else MINUS
    for i, expected in enumerate(engine):
        cell = conv1d_cell(f, g, i, padding=pads, stride=stride, mode=mode)
        head, symbols, values, total = written_sum_1d(cell, mode).split(" = ")
        # named by the formula's i: the first f index read (correlate) or the last (convolve)
        formula_i = i * stride - pads[0] + (g.size - 1 if mode == "convolve" else 0)
        assert head == f"C[{formula_i}]".replace("-", MINUS)
        pairs = re.findall(r"\(?(−?\d+)\)?·\(?(−?\d+)\)?", values)
        assert len(pairs) == g.size
        assert sum(_int(a) * _int(b) for a, b in pairs) == expected == cell.value
        assert _int(total) == expected
        read = [(_int(a) + _int(j) if sign == "+" else _int(a) - _int(j), _int(k))
                for a, j, k in re.findall(rf"f\[(−?\d+)[{sign}](\d+)\]g\[(\d+)\]", symbols)]
        assert read == [(t.input_index[0], t.kernel_index[0]) for t in cell.terms]
        for t in cell.terms:
            inside = 0 <= t.input_index[0] < f.size
            assert t.is_padding is (not inside)
            assert t.input_value == (f[t.input_index[0]] if inside else 0)


@pytest.mark.parametrize("seed", range(12))
def test_every_written_2d_sum_adds_up_to_the_engine_value(seed):
    rng = np.random.default_rng(100 + seed)
    while True:
        image = rng.integers(-9, 10, size=tuple(rng.integers(1, 7, size=2)))
        kernel = rng.integers(-9, 10, size=tuple(rng.integers(1, 4, size=2)))
        pads = tuple(int(p) for p in rng.integers(0, 3, size=2))
        if all(kernel.shape[a] <= image.shape[a] + 2 * pads[a] for a in (0, 1)):
            break
    strides = tuple(int(s) for s in rng.integers(1, 4, size=2))
    engine = conv2d(image, kernel, padding=pads, stride=strides)
    padded = np.pad(image, ((pads[0],) * 2, (pads[1],) * 2))
    for (row, col), expected in np.ndenumerate(engine):
        cell = conv2d_cell(image, kernel, row, col, padding=pads, stride=strides)
        assert cell.window_start == (row * strides[0], col * strides[1])
        top, left = cell.window_start
        window = padded[top:top + kernel.shape[0], left:left + kernel.shape[1]]
        assert np.sum(window * kernel) == expected
        head, products, total = written_sum(cell).split(" = ")
        assert head == f"C({row},{col})"
        pairs = re.findall(r"\((−?\d+)×(−?\d+)\)", products)
        assert len(pairs) == kernel.size
        assert sum(_int(a) * _int(b) for a, b in pairs) == expected == cell.value
        assert _int(total) == expected


def test_conv1d_cell_values_match_the_engine_on_real_numbers_too():
    rng = np.random.default_rng(7)
    f, g = rng.normal(size=11), rng.normal(size=4)
    for mode in ("correlate", "convolve"):
        engine = conv1d(f, g, padding=(3, 1), stride=2, mode=mode)
        cells = [conv1d_cell(f, g, i, padding=(3, 1), stride=2, mode=mode).value
                 for i in range(engine.size)]
        np.testing.assert_allclose(cells, engine, rtol=1e-12, atol=1e-12)


# --- Pooling -------------------------------------------------------------------------------

def test_pool_cell_reproduces_the_notes_max_pooling_with_its_cut_off_edge_windows():
    relu_output = [[1, 2, 1], [0, 2, 0], [1, 2, 1]]
    got = [[pool_cell(relu_output, r, c).value for c in range(2)] for r in range(2)]
    assert got == [[2, 1], [2, 1]]
    corner = pool_cell(relu_output, 1, 1)
    assert corner.cells == [(2, 2)] and corner.values == [1.0]


@pytest.mark.parametrize("kind, engine", [("max", max_pool2d), ("avg", avg_pool2d)])
@pytest.mark.parametrize("shape, size, stride", [((5, 5), 2, None), ((7, 4), 3, 2),
                                                 ((4, 6), 2, 1), ((3, 3), 3, None)])
def test_pool_cell_matches_the_engine_everywhere(kind, engine, shape, size, stride):
    x = np.random.default_rng(3).normal(size=shape)
    pooled = engine(x, size=size, stride=stride)
    for (row, col), expected in np.ndenumerate(pooled):
        cell = pool_cell(x, row, col, size=size, stride=stride, kind=kind)
        assert cell.value == pytest.approx(expected, abs=1e-12)
        assert [x[r, c] for r, c in cell.cells] == cell.values
        if kind == "max":
            assert cell.values[cell.cells.index(cell.winner)] == max(cell.values)


def test_pool_cell_winner_is_the_first_cell_holding_the_maximum():
    assert pool_cell([[3, 3], [1, 3]], 0, 0).winner == (0, 0)


# --- number() and bad input ----------------------------------------------------------------

@pytest.mark.parametrize("value, text", [(-4.0, "−4"), (3, "3"), (0.5, "0.5"),
                                         (1 / 3, "0.3333"), (-2.25, "−2.25"), (0.0, "0")])
def test_number_writes_integers_bare_and_a_real_minus_sign(value, text):
    assert number(value) == text


def test_number_of_negative_zero_is_plain_zero():
    assert number(-0.0) == "0"


def test_conv1d_cell_accepts_a_whole_float_stride_like_conv1d_does():
    assert conv1d_cell(F, G, 1, stride=1.0).value == conv1d(F, G, stride=1.0)[1]


@pytest.mark.parametrize("call", [
    lambda: conv1d_cell(F, G, 3),
    lambda: conv1d_cell(F, G, -1),
    lambda: conv1d_cell(F, G, True),
    lambda: conv1d_cell(F, G, 0, mode="flip"),
    lambda: conv1d_cell(F, [1, 2, 3, 4, 5, 6], 0),
    lambda: conv1d_cell(F, G, 0, stride=0),
    lambda: conv1d_cell([], G, 0),
    lambda: conv1d_cell([1, float("nan"), 3], G, 0),
    lambda: conv2d_cell(IMAGE, KERNEL, 2, 0),
    lambda: conv2d_cell(IMAGE, KERNEL, 0, 0, stride=0),
    lambda: conv2d_cell(IMAGE, [[1, 2, 3, 4]], 0, 0),
    lambda: pool_cell(IMAGE, 2, 0),
    lambda: pool_cell(IMAGE, 0, 0, kind="median"),
    lambda: pool_cell(IMAGE, 0, 0, size=0),
])
def test_bad_positions_and_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_written_sum_1d_infers_the_convolve_mode_from_its_terms():
    from cnn_core.explain import conv1d_cell, written_sum_1d
    cell = conv1d_cell([1, 2, 3, 4, 5], [1, 0, -1], 1, padding=(2, 0), mode="convolve")
    assert written_sum_1d(cell) == written_sum_1d(cell, "convolve")
    assert "f[1−0]g[0] + f[1−1]g[1] + f[1−2]g[2]" in written_sum_1d(cell)


def test_number_keeps_the_decimals_of_large_non_integers():
    from cnn_core.explain import number
    assert number(1234.5) == "1234.5"
    assert number(-0.11111111) == "\u22120.1111"
    assert number(0.0001234) == "0.000123"
