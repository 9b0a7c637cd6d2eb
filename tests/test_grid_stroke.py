"""ui/codecs/grid_stroke.py: the drawing grid's messages both ways, and the grid's cell size."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_core.drawing import GRID_SIZES
from ui.codecs.grid_stroke import decode_stroke, encode_grid
from ui.widgets.grid.component import default_cell_px


def test_stroke_payload_round_trips_rounded_to_three_decimals():
    g = np.array([[0.0, 1.0], [0.5, 0.12345]])
    text = encode_grid(g)
    assert text == "0,1,0.5,0.123"
    out = decode_stroke({"r": 7, "n": 2, "g": text}, size=2, revision=7)
    np.testing.assert_array_equal(out, np.array([[0.0, 1.0], [0.5, 0.123]]))
    assert out.dtype == np.float64


def test_ink_only_drawings_take_the_byte_path_and_write_the_same_text():
    rng = np.random.default_rng(3)
    for n in (5, 16, 32):
        ink = (rng.random((n, n)) < 0.3).astype(np.float64)
        general = ",".join(f"{v:.3f}".rstrip("0").rstrip(".") for v in ink.ravel())
        assert encode_grid(ink) == general
        assert encode_grid(ink).count("1") == int(ink.sum())


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "0,1,0,1",
        {"r": 6, "g": "0,1,0,1"},  # drawn on an older revision
        {"r": 7, "g": "0,1,0"},  # wrong length
        {"r": 7, "g": "0,1,nan,1"},
        {"r": 7, "g": "0,1,inf,1"},
        {"r": 7, "g": "0,1,2,1"},
        {"r": 7, "g": "0,1,x,1"},
        {"r": 7, "g": [0, 1, 0, 1]},
    ],
)
def test_malformed_stroke_payloads_are_ignored(payload):
    assert decode_stroke(payload, size=2, revision=7) is None


def test_default_cell_size_makes_the_grid_about_320_px_wide():
    for n in GRID_SIZES:
        assert 300 <= n * default_cell_px(n) <= 330
