"""cnn_core/drawing_edits.py: the drawing toolbar's edits, the one resampler's sizes, a grey
image made a drawing, and a broken drawing repaired, checked against hand-made values and
plain loops."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_core import drawing_edits as edits
from cnn_core.data import NOTES_EIGHT
from cnn_core.drawing import GRID_SIZES

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


# --- clear / invert -----------------------------------------------------------------------


def test_clear_returns_paper_of_the_same_shape_without_touching_the_input():
    g = PATTERN_3X3.copy()
    out = edits.clear(g)
    np.testing.assert_array_equal(out, np.zeros((3, 3)))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(g, PATTERN_3X3)


def test_invert_is_one_minus_the_drawing():
    expected = np.array([[0.0, 0.5, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.75]])
    np.testing.assert_array_equal(edits.invert(PATTERN_3X3), expected)


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
    np.testing.assert_array_equal(edits.shift(PATTERN_3X3, direction), np.array(expected))


def test_shift_never_wraps_ink_around_the_edge():
    g = dot(5, 0, 4)
    np.testing.assert_array_equal(edits.shift(g, "up"), np.zeros((5, 5)))
    np.testing.assert_array_equal(edits.shift(g, "right"), np.zeros((5, 5)))
    np.testing.assert_array_equal(edits.shift(g, "down"), dot(5, 1, 4))


def test_shift_rejects_an_unknown_direction():
    with pytest.raises(ValueError, match="direction must be one of"):
        edits.shift(PATTERN_3X3, "north")


# --- thicken ----------------------------------------------------------------------------------


def test_thicken_turns_a_single_dot_into_a_plus():
    expected = np.zeros((5, 5))
    expected[2, 1:4] = 1.0
    expected[1:4, 2] = 1.0
    np.testing.assert_array_equal(edits.thicken(dot(5, 2, 2)), expected)


def test_thicken_in_a_corner_stays_inside_the_grid_and_keeps_grey_levels():
    g = np.zeros((3, 3))
    g[0, 0] = 0.4
    expected = np.array([[0.4, 0.4, 0.0], [0.4, 0.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(edits.thicken(g), expected)


# --- resize -----------------------------------------------------------------------------------


def test_resize_32_to_8_equals_the_mean_of_each_4x4_block():
    rng = np.random.default_rng(0)
    g = rng.random((32, 32))
    expected = np.empty((8, 8))
    for r in range(8):
        for c in range(8):
            expected[r, c] = g[4 * r : 4 * r + 4, 4 * c : 4 * c + 4].mean()
    np.testing.assert_allclose(edits.resize(g, 8), expected, rtol=0, atol=1e-12)


def test_resize_28_to_5_keeps_the_total_ink_per_area():
    rng = np.random.default_rng(1)
    g = rng.random((28, 28))
    out = edits.resize(g, 5)
    assert out.shape == (5, 5)
    # Area averaging preserves the mean ink exactly.
    assert out.mean() == pytest.approx(g.mean(), abs=1e-12)


def test_resize_8_to_16_repeats_every_cell_as_a_2x2_block():
    g = np.arange(64, dtype=float).reshape(8, 8) / 63
    np.testing.assert_array_equal(edits.resize(g, 16), np.kron(g, np.ones((2, 2))))


def overlap_shares_by_loops(n_in: int, n_out: int) -> np.ndarray:
    """W[i, j]: the share of output cell i's span [i s, (i + 1) s), s = n_in / n_out, that
    input cell [j, j + 1) covers, by plain loops over the cells."""
    span = n_in / n_out
    weights = np.zeros((n_out, n_in))
    for i in range(n_out):
        for j in range(n_in):
            weights[i, j] = max(0.0, min((i + 1) * span, j + 1) - max(i * span, j)) / span
    return weights


def test_resize_5_to_8_gives_every_cell_its_overlap_shares():
    # Output cell 1 spans input [0.625, 1.25): 0.6 of it is input cell 0, 0.4 input cell 1.
    g = np.arange(25, dtype=float).reshape(5, 5) / 24
    out = edits.resize(g, 8)
    weights = overlap_shares_by_loops(5, 8)
    np.testing.assert_allclose(weights[1, :2], [0.6, 0.4])
    np.testing.assert_allclose(out, weights @ g @ weights.T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out[0, 0], g[0, 0])  # inside one input cell: a copy


@pytest.mark.parametrize(("start", "size"), [(5, 8), (8, 5), (16, 28), (28, 16), (32, 5)])
def test_resize_equals_the_overlap_shares_of_the_plain_loops(start, size):
    g = np.random.default_rng(start + size).random((start, start))
    weights = overlap_shares_by_loops(start, size)
    np.testing.assert_allclose(edits.resize(g, size), weights @ g @ weights.T, atol=1e-12)


def test_resize_8_to_5_averages_overlapping_areas():
    # Output cell 0 covers input cells 0 (fully) and 1 (0.6 of it); span is 1.6 cells.
    g = dot(8, 1, 1)
    out = edits.resize(g, 5)
    assert out[0, 0] == pytest.approx((0.6 / 1.6) ** 2)
    assert out[0, 1] == pytest.approx((0.6 / 1.6) * (0.4 / 1.6))
    assert out.sum() == pytest.approx(g.sum() * (5 / 8) ** 2)


def test_resize_does_not_drop_a_one_cell_stroke():
    g = np.zeros((32, 32))
    g[:, 13] = 1.0
    out = edits.resize(g, 8)
    np.testing.assert_allclose(out[:, 3], 0.25)
    assert out.sum() == pytest.approx(8 * 0.25)


def test_resize_to_the_same_size_is_a_copy():
    out = edits.resize(PATTERN_3X3, 3)
    np.testing.assert_array_equal(out, PATTERN_3X3)
    assert out is not PATTERN_3X3


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (np.zeros((3, 4)), "square"),
        (np.zeros(9), "2D"),
        (np.zeros((0, 0)), "size must be 2..64"),
        (np.full((3, 3), np.nan), "NaN"),
        (np.full((3, 3), 2.0), r"\[0, 1\]"),
    ],
)
def test_operations_reject_bad_drawings_with_a_clear_message(grid, message):
    with pytest.raises(ValueError, match=message):
        edits.resize(grid, 8)
    with pytest.raises(ValueError, match=message):
        edits.invert(grid)


@pytest.mark.parametrize("start", GRID_SIZES)
@pytest.mark.parametrize("size", GRID_SIZES)
def test_resizing_full_ink_between_grid_sizes_stays_within_0_and_1(start, size):
    rng = np.random.default_rng(start * 100 + size)
    for grid in (np.ones((start, start)), (rng.random((start, start)) < 0.5).astype(float),
                 rng.random((start, start))):
        out = edits.resize(grid, size)
        assert out.min() >= 0.0 and out.max() <= 1.0
        np.testing.assert_array_equal(edits.clear(out), np.zeros((size, size)))


def test_a_value_just_above_1_is_named_with_enough_digits_to_see_it():
    grid = np.ones((5, 5))
    grid[2, 2] = 1.0000000000000009
    with pytest.raises(ValueError) as raised:
        edits.invert(grid)
    message = str(raised.value)
    assert "1.0000000000000009" in message
    assert "0..1, got range 0..1" not in message


@pytest.mark.parametrize("size", [0, -3, 2.5, True, "8"])
def test_resize_rejects_a_bad_size(size):
    with pytest.raises(ValueError, match="size must be a positive integer"):
        edits.resize(PATTERN_3X3, size)


# --- image_to_grid ----------------------------------------------------------------------------


def test_image_to_grid_dark_ink_on_light_paper():
    gray = np.full((8, 8), 255.0)
    gray[2:4, 4:6] = 0.0
    expected = np.zeros((4, 4))
    expected[1, 2] = 1.0
    np.testing.assert_allclose(edits.image_to_grid(gray, 4), expected, atol=1e-12)


def test_image_to_grid_light_ink_on_dark_background_gives_the_same_drawing():
    gray = np.zeros((8, 8))
    gray[2:4, 4:6] = 255.0
    expected = np.zeros((4, 4))
    expected[1, 2] = 1.0
    np.testing.assert_allclose(edits.image_to_grid(gray, 4), expected, atol=1e-12)


def test_image_to_grid_pads_a_wide_image_to_a_centred_square():
    # 4 rows x 8 columns: two paper rows are added above and below, so ink rows 1-2 of the
    # image land on rows 3-4 of the 8x8 drawing (no resampling at size 8).
    gray = np.full((4, 8), 255.0)
    gray[1:3, 3:5] = 0.0
    expected = np.zeros((8, 8))
    expected[3:5, 3:5] = 1.0
    np.testing.assert_array_equal(edits.image_to_grid(gray, 8), expected)


def test_image_to_grid_pads_a_tall_image_then_shrinks_by_area():
    # 8 rows x 4 columns, light ink on a dark background: two paper columns each side put
    # the ink on columns 3-4 of the padded 8x8, which half-fill output columns 1 and 2.
    gray = np.zeros((8, 4))
    gray[2:6, 1:3] = 255.0
    expected = np.zeros((4, 4))
    expected[1:3, 1:3] = 0.5
    np.testing.assert_allclose(edits.image_to_grid(gray, 4), expected, atol=1e-12)


def test_image_to_grid_stretches_grey_paper_to_zero_and_the_darkest_ink_to_one():
    gray = np.full((4, 4), 200.0)
    gray[1:3, 1:3] = 50.0
    expected = np.zeros((4, 4))
    expected[1:3, 1:3] = 1.0
    np.testing.assert_allclose(edits.image_to_grid(gray, 4), expected, atol=1e-12)


def test_image_to_grid_of_a_blank_image_is_blank():
    np.testing.assert_array_equal(edits.image_to_grid(np.full((6, 9), 240.0), 5), np.zeros((5, 5)))


def test_image_to_grid_grows_a_small_image_by_repeating_pixels():
    gray = np.array([[255.0, 0.0], [255.0, 255.0]])
    np.testing.assert_array_equal(
        edits.image_to_grid(gray, 4), np.kron([[0.0, 1.0], [0.0, 0.0]], np.ones((2, 2)))
    )


def test_image_to_grid_rejects_a_non_2d_image():
    with pytest.raises(ValueError, match="2D"):
        edits.image_to_grid(np.zeros((4, 4, 3)), 8)


# --- nearest_size, is_grid_drawing and repair_drawing -----------------------------------------


def test_nearest_size_picks_the_closest_grid_and_the_smaller_on_a_tie():
    # 12 and 22 are ties (4 from 8 and 16; 6 from 16 and 28): the smaller size wins
    assert [edits.nearest_size(n) for n in (1, 6, 7, 12, 22, 24, 100)] == [5, 5, 8, 8, 16, 28, 32]


def test_a_grid_drawing_is_a_float64_square_of_a_grid_size_in_0_to_1():
    assert edits.is_grid_drawing(np.zeros((8, 8)))
    for bad in (np.zeros((8, 8), dtype=np.float32), np.zeros((6, 6)), np.zeros((8, 5)),
                np.full((8, 8), 1.5), np.full((8, 8), np.nan), [[0.0] * 8] * 8, None):
        assert not edits.is_grid_drawing(bad)


def test_repair_keeps_a_valid_drawing_and_says_nothing():
    grid, message = edits.repair_drawing(np.array(NOTES_EIGHT))
    np.testing.assert_array_equal(grid, NOTES_EIGHT)
    assert message is None


def test_repair_resamples_another_size_silently_and_keeps_the_ink():
    grid, message = edits.repair_drawing(np.ones((30, 30)))
    assert grid.shape == (28, 28) and message is None
    np.testing.assert_allclose(grid, 1.0)


@pytest.mark.parametrize(("value", "words"), [
    (np.full((8, 8), np.nan), "NaN, not a number"),
    (np.full((8, 8), 3.0), "clipped to 0..1"),
    ("text", "not a square grid"),
    (np.zeros((3, 4)), "not a square grid"),
])
def test_repair_names_what_was_wrong(value, words):
    grid, message = edits.repair_drawing(value)
    assert edits.is_grid_drawing(grid)
    assert words in message


def test_repair_is_silent_about_rounding_noise():
    grid = np.ones((8, 8))
    grid[0, 0] = 1.0000000000000009
    repaired, message = edits.repair_drawing(grid)
    assert message is None and repaired.max() == 1.0
