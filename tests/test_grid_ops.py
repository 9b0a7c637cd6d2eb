"""ui/grid/ops.py and the grid component's payload codec, checked against hand-made values."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

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


# --- clear / invert -----------------------------------------------------------------------


def test_clear_returns_paper_of_the_same_shape_without_touching_the_input():
    g = PATTERN_3X3.copy()
    out = ops.clear(g)
    np.testing.assert_array_equal(out, np.zeros((3, 3)))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(g, PATTERN_3X3)


def test_invert_is_one_minus_the_drawing():
    expected = np.array([[0.0, 0.5, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.75]])
    np.testing.assert_array_equal(ops.invert(PATTERN_3X3), expected)


# --- shift ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("up", [[0.0, 1.0, 0.0], [0.0, 0.0, 0.25], [0.0, 0.0, 0.0]]),
        ("down", [[0.0, 0.0, 0.0], [1.0, 0.5, 0.0], [0.0, 1.0, 0.0]]),
        ("left", [[0.5, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.25, 0.0]]),
        ("right", [[0.0, 1.0, 0.5], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]),
    ],
)
def test_shift_moves_content_one_cell_and_blanks_the_vacated_edge(direction, expected):
    np.testing.assert_array_equal(ops.shift(PATTERN_3X3, direction), np.array(expected))


def test_shift_never_wraps_ink_around_the_edge():
    g = dot(5, 0, 4)
    np.testing.assert_array_equal(ops.shift(g, "up"), np.zeros((5, 5)))
    np.testing.assert_array_equal(ops.shift(g, "right"), np.zeros((5, 5)))
    np.testing.assert_array_equal(ops.shift(g, "down"), dot(5, 1, 4))


def test_shift_rejects_an_unknown_direction():
    with pytest.raises(ValueError, match="direction must be one of"):
        ops.shift(PATTERN_3X3, "north")


# --- thicken ----------------------------------------------------------------------------------


def test_thicken_turns_a_single_dot_into_a_plus():
    expected = np.zeros((5, 5))
    expected[2, 1:4] = 1.0
    expected[1:4, 2] = 1.0
    np.testing.assert_array_equal(ops.thicken(dot(5, 2, 2)), expected)


def test_thicken_in_a_corner_stays_inside_the_grid_and_keeps_grey_levels():
    g = np.zeros((3, 3))
    g[0, 0] = 0.4
    expected = np.array([[0.4, 0.4, 0.0], [0.4, 0.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(ops.thicken(g), expected)


# --- resize_grid ------------------------------------------------------------------------------


def test_resize_32_to_8_equals_the_mean_of_each_4x4_block():
    rng = np.random.default_rng(0)
    g = rng.random((32, 32))
    expected = np.empty((8, 8))
    for r in range(8):
        for c in range(8):
            expected[r, c] = g[4 * r : 4 * r + 4, 4 * c : 4 * c + 4].mean()
    np.testing.assert_allclose(ops.resize_grid(g, 8), expected, rtol=0, atol=1e-12)


def test_resize_28_to_5_keeps_the_total_ink_per_area():
    rng = np.random.default_rng(1)
    g = rng.random((28, 28))
    out = ops.resize_grid(g, 5)
    assert out.shape == (5, 5)
    # Area averaging preserves the mean ink exactly.
    assert out.mean() == pytest.approx(g.mean(), abs=1e-12)


def test_resize_8_to_16_repeats_every_cell_as_a_2x2_block():
    g = np.arange(64, dtype=float).reshape(8, 8) / 63
    np.testing.assert_array_equal(ops.resize_grid(g, 16), np.kron(g, np.ones((2, 2))))


def test_resize_5_to_8_repeats_nearest_rows_and_keeps_every_source_cell():
    g = np.arange(25, dtype=float).reshape(5, 5) / 24
    idx = [0, 0, 1, 2, 2, 3, 4, 4]
    np.testing.assert_array_equal(ops.resize_grid(g, 8), g[np.ix_(idx, idx)])


def test_resize_8_to_5_averages_overlapping_areas():
    # Output cell 0 covers input cells 0 (fully) and 1 (0.6 of it); span is 1.6 cells.
    g = dot(8, 1, 1)
    out = ops.resize_grid(g, 5)
    assert out[0, 0] == pytest.approx((0.6 / 1.6) ** 2)
    assert out[0, 1] == pytest.approx((0.6 / 1.6) * (0.4 / 1.6))
    assert out.sum() == pytest.approx(g.sum() * (5 / 8) ** 2)


def test_resize_does_not_drop_a_one_cell_stroke():
    g = np.zeros((32, 32))
    g[:, 13] = 1.0
    out = ops.resize_grid(g, 8)
    np.testing.assert_allclose(out[:, 3], 0.25)
    assert out.sum() == pytest.approx(8 * 0.25)


def test_resize_to_the_same_size_is_a_copy():
    out = ops.resize_grid(PATTERN_3X3, 3)
    np.testing.assert_array_equal(out, PATTERN_3X3)
    assert out is not PATTERN_3X3


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (np.zeros((3, 4)), "square 2D"),
        (np.zeros(9), "square 2D"),
        (np.zeros((0, 0)), "square 2D"),
        (np.full((3, 3), np.nan), "NaN"),
        (np.full((3, 3), 2.0), "0..1"),
    ],
)
def test_operations_reject_bad_drawings_with_a_clear_message(grid, message):
    with pytest.raises(ValueError, match=message):
        ops.resize_grid(grid, 8)
    with pytest.raises(ValueError, match=message):
        ops.invert(grid)


GRID_SIZES = (5, 8, 16, 28, 32)


@pytest.mark.parametrize("start", GRID_SIZES)
@pytest.mark.parametrize("size", GRID_SIZES)
def test_resizing_full_ink_between_grid_sizes_stays_within_0_and_1(start, size):
    rng = np.random.default_rng(start * 100 + size)
    for grid in (np.ones((start, start)), (rng.random((start, start)) < 0.5).astype(float),
                 rng.random((start, start))):
        out = ops.resize_grid(grid, size)
        assert out.min() >= 0.0 and out.max() <= 1.0
        np.testing.assert_array_equal(ops.clear(out), np.zeros((size, size)))


def test_a_value_just_above_1_is_named_with_enough_digits_to_see_it():
    grid = np.ones((5, 5))
    grid[2, 2] = 1.0000000000000009
    with pytest.raises(ValueError) as raised:
        ops.invert(grid)
    message = str(raised.value)
    assert "1.0000000000000009" in message
    assert "0..1, got range 0..1" not in message


@pytest.mark.parametrize("size", [0, -3, 2.5, True, "8"])
def test_resize_rejects_a_bad_size(size):
    with pytest.raises(ValueError, match="size must be a positive integer"):
        ops.resize_grid(PATTERN_3X3, size)


# --- image_to_grid ----------------------------------------------------------------------------


def test_image_to_grid_dark_ink_on_light_paper():
    gray = np.full((8, 8), 255.0)
    gray[2:4, 4:6] = 0.0
    expected = np.zeros((4, 4))
    expected[1, 2] = 1.0
    np.testing.assert_allclose(ops.image_to_grid(gray, 4), expected, atol=1e-12)


def test_image_to_grid_light_ink_on_dark_background_gives_the_same_drawing():
    gray = np.zeros((8, 8))
    gray[2:4, 4:6] = 255.0
    expected = np.zeros((4, 4))
    expected[1, 2] = 1.0
    np.testing.assert_allclose(ops.image_to_grid(gray, 4), expected, atol=1e-12)


def test_image_to_grid_pads_a_wide_image_to_a_centred_square():
    # 4 rows x 8 columns: two paper rows are added above and below, so ink rows 1-2 of the
    # image land on rows 3-4 of the 8x8 drawing (no resampling at size 8).
    gray = np.full((4, 8), 255.0)
    gray[1:3, 3:5] = 0.0
    expected = np.zeros((8, 8))
    expected[3:5, 3:5] = 1.0
    np.testing.assert_array_equal(ops.image_to_grid(gray, 8), expected)


def test_image_to_grid_pads_a_tall_image_then_shrinks_by_area():
    # 8 rows x 4 columns, light ink on a dark background: two paper columns each side put
    # the ink on columns 3-4 of the padded 8x8, which half-fill output columns 1 and 2.
    gray = np.zeros((8, 4))
    gray[2:6, 1:3] = 255.0
    expected = np.zeros((4, 4))
    expected[1:3, 1:3] = 0.5
    np.testing.assert_allclose(ops.image_to_grid(gray, 4), expected, atol=1e-12)


def test_image_to_grid_stretches_grey_paper_to_zero_and_the_darkest_ink_to_one():
    gray = np.full((4, 4), 200.0)
    gray[1:3, 1:3] = 50.0
    expected = np.zeros((4, 4))
    expected[1:3, 1:3] = 1.0
    np.testing.assert_allclose(ops.image_to_grid(gray, 4), expected, atol=1e-12)


def test_image_to_grid_of_a_blank_image_is_blank():
    np.testing.assert_array_equal(ops.image_to_grid(np.full((6, 9), 240.0), 5), np.zeros((5, 5)))


def test_image_to_grid_grows_a_small_image_by_repeating_pixels():
    gray = np.array([[255.0, 0.0], [255.0, 255.0]])
    np.testing.assert_array_equal(
        ops.image_to_grid(gray, 4), np.kron([[0.0, 1.0], [0.0, 0.0]], np.ones((2, 2)))
    )


def test_image_to_grid_rejects_a_non_2d_image():
    with pytest.raises(ValueError, match="2D"):
        ops.image_to_grid(np.zeros((4, 4, 3)), 8)


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
    from ui.grid.component import SIZES, default_cell_px

    for n in SIZES:
        assert 300 <= n * default_cell_px(n) <= 330
