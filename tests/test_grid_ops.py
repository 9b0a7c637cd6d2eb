"""ui/grid/ops.py (an uploaded image decoded into a drawing) and the grid component's
payload codec, checked against hand-made values."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from cnn_core.drawing import GRID_SIZES
from ui.grid import ops

PATTERN_3X3 = np.array(
    [
        [1.0, 0.5, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 0.25],
    ]
)


def dot(n: int, row: int, col: int) -> np.ndarray:
    g = np.zeros((n, n))
    g[row, col] = 1.0
    return g


def png_bytes(pixels: np.ndarray, mode: str = "L") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), mode=mode).save(buf, format="PNG")
    return buf.getvalue()


# --- decode_image_bytes -----------------------------------------------------------------------


def test_decode_png_round_trips_to_the_expected_grid():
    pixels = np.full((32, 32), 255, dtype=np.uint8)
    pixels[8:16, 4:8] = 0  # an 8x4 black bar on white paper
    expected = np.zeros((8, 8))
    expected[2:4, 1] = 1.0
    np.testing.assert_allclose(ops.decode_image_bytes(png_bytes(pixels), 8), expected, atol=1e-12)


def test_decode_transparent_png_treats_transparency_as_paper():
    rgba = np.zeros((16, 16, 4), dtype=np.uint8)  # fully transparent black
    rgba[4:12, 4:12] = [0, 0, 0, 255]  # opaque black square
    expected = np.zeros((4, 4))
    expected[1:3, 1:3] = 1.0
    out = ops.decode_image_bytes(png_bytes(rgba, mode="RGBA"), 4)
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_decode_jpeg_gives_the_drawing_within_compression_noise():
    pixels = np.full((64, 64), 255, dtype=np.uint8)
    pixels[16:48, 16:48] = 0
    buf = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buf, format="JPEG", quality=95)
    out = ops.decode_image_bytes(buf.getvalue(), 4)
    expected = np.zeros((4, 4))
    expected[1:3, 1:3] = 1.0
    np.testing.assert_allclose(out, expected, atol=0.05)


def test_decode_broken_png_raises_value_error():
    data = png_bytes(np.zeros((16, 16)))
    with pytest.raises(ValueError, match="could not read the image"):
        ops.decode_image_bytes(data[: len(data) // 2], 8)
    with pytest.raises(ValueError, match="could not read the image"):
        ops.decode_image_bytes(b"definitely not an image", 8)


def test_decode_refuses_too_many_pixels_before_decoding():
    data = png_bytes(np.zeros((100, 100)))
    with pytest.raises(ValueError, match="10,000 pixels; the limit is 9,999"):
        ops.decode_image_bytes(data, 8, max_pixels=9_999)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that states its size and holds no pixels: enough for a header check."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [6000, 20000, 100000])
def test_decode_names_the_pixel_limit_for_any_huge_image(side):
    with pytest.raises(ValueError, match=r"the limit is 4,000,000"):
        ops.decode_image_bytes(png_header_only(side, side), 8)


def test_decode_refuses_formats_other_than_png_and_jpeg():
    buf = io.BytesIO()
    Image.new("L", (4, 4)).save(buf, format="GIF")
    with pytest.raises(ValueError, match="only PNG and JPEG"):
        ops.decode_image_bytes(buf.getvalue(), 8)


def test_decode_rejects_empty_input():
    with pytest.raises(ValueError, match="empty"):
        ops.decode_image_bytes(b"", 8)


# --- the component's payload codec (imports Streamlit, no browser needed) -------------------


def test_stroke_payload_round_trips_rounded_to_three_decimals():
    from ui.grid.component import decode_stroke, encode_grid

    g = np.array([[0.0, 1.0], [0.5, 0.12345]])
    text = encode_grid(g)
    assert text == "0,1,0.5,0.123"
    out = decode_stroke({"r": 7, "n": 2, "g": text}, size=2, revision=7)
    np.testing.assert_array_equal(out, np.array([[0.0, 1.0], [0.5, 0.123]]))
    assert out.dtype == np.float64


def test_ink_only_drawings_take_the_byte_path_and_write_the_same_text():
    from ui.grid.component import encode_grid

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
    from ui.grid.component import decode_stroke

    assert decode_stroke(payload, size=2, revision=7) is None


def test_default_cell_size_makes_the_grid_about_320_px_wide():
    from ui.grid.component import default_cell_px

    for n in GRID_SIZES:
        assert 300 <= n * default_cell_px(n) <= 330
