"""ui/codecs/image.py: an uploaded PNG or JPEG decoded into a drawing (Pillow, then
cnn_core.drawing_edits.image_to_grid), checked against hand-made pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ui.codecs.image import decode_image_bytes


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
    np.testing.assert_allclose(decode_image_bytes(png_bytes(pixels), 8), expected, atol=1e-12)


def test_decode_transparent_png_treats_transparency_as_paper():
    rgba = np.zeros((16, 16, 4), dtype=np.uint8)  # fully transparent black
    rgba[4:12, 4:12] = [0, 0, 0, 255]  # opaque black square
    expected = np.zeros((4, 4))
    expected[1:3, 1:3] = 1.0
    out = decode_image_bytes(png_bytes(rgba, mode="RGBA"), 4)
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_decode_jpeg_gives_the_drawing_within_compression_noise():
    pixels = np.full((64, 64), 255, dtype=np.uint8)
    pixels[16:48, 16:48] = 0
    buf = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buf, format="JPEG", quality=95)
    out = decode_image_bytes(buf.getvalue(), 4)
    expected = np.zeros((4, 4))
    expected[1:3, 1:3] = 1.0
    np.testing.assert_allclose(out, expected, atol=0.05)


def test_decode_broken_png_raises_value_error():
    data = png_bytes(np.zeros((16, 16)))
    with pytest.raises(ValueError, match="could not read the image"):
        decode_image_bytes(data[: len(data) // 2], 8)
    with pytest.raises(ValueError, match="could not read the image"):
        decode_image_bytes(b"definitely not an image", 8)


def test_decode_refuses_too_many_pixels_before_decoding():
    data = png_bytes(np.zeros((100, 100)))
    with pytest.raises(ValueError, match="10,000 pixels; the limit is 9,999"):
        decode_image_bytes(data, 8, max_pixels=9_999)


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
        decode_image_bytes(png_header_only(side, side), 8)


def test_decode_refuses_formats_other_than_png_and_jpeg():
    buf = io.BytesIO()
    Image.new("L", (4, 4)).save(buf, format="GIF")
    with pytest.raises(ValueError, match="only PNG and JPEG"):
        decode_image_bytes(buf.getvalue(), 8)


def test_decode_rejects_empty_input():
    with pytest.raises(ValueError, match="empty"):
        decode_image_bytes(b"", 8)
