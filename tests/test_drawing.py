"""Tests for cnn_core.drawing: the area resampler, MNIST's framing, prepare_drawing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnn_core.drawing import (
    MNIST_CENTRE,
    area_resample,
    fill_frame,
    fit_to_frame,
    overlap_weights,
    prepare_drawing,
)


def _overlap_by_loops(n_in, n_out, box, start):
    """Each output cell [i, i+1) against each input cell laid out at start + j * box / n_in."""
    weights = np.zeros((n_out, n_in))
    width = box / n_in
    for i in range(n_out):
        for j in range(n_in):
            left, right = start + j * width, start + (j + 1) * width
            weights[i, j] = max(0.0, min(i + 1, right) - max(i, left))
    return weights


def _resample_by_loops(image, height, width):
    rows = _overlap_by_loops(image.shape[0], height, height, 0.0)
    cols = _overlap_by_loops(image.shape[1], width, width, 0.0)
    out = np.zeros((height, width))
    for i in range(height):
        for j in range(width):
            for r in range(image.shape[0]):
                for c in range(image.shape[1]):
                    out[i, j] += rows[i, r] * cols[j, c] * image[r, c]
    return out


def _mass_centre(image):
    rows, cols = np.indices(image.shape)
    return (image * rows).sum() / image.sum(), (image * cols).sum() / image.sum()


def _mnist_test_digits():
    mnist = pytest.importorskip("cnn_core.mnist")
    try:
        return mnist.mnist_digits().test_images
    except mnist.MnistUnavailable as error:
        pytest.skip(str(error))


# --- the resampler ---------------------------------------------------------------------------

@pytest.mark.parametrize(("n_in", "n_out", "box", "start"), [
    (32, 8, 8, 0.0), (5, 8, 8, 0.0), (28, 16, 16, 0.0), (3, 28, 20, 4.5), (7, 28, 8.57, 9.8),
    (28, 16, 12.3, 2.7), (10, 10, 10, -3.0), (28, 5, 5, 0.0)])
def test_overlap_weights_match_the_loop_twin(n_in, n_out, box, start):
    np.testing.assert_allclose(overlap_weights(n_in, n_out, box=box, start=start),
                               _overlap_by_loops(n_in, n_out, box, start), atol=1e-12)


@pytest.mark.parametrize(("shape", "out"), [((32, 32), (8, 8)), ((5, 5), (8, 8)),
                                            ((28, 28), (16, 16)), ((7, 4), (3, 9))])
def test_area_resample_matches_the_loop_twin(shape, out):
    image = np.random.default_rng(0).random(shape)
    np.testing.assert_allclose(area_resample(image, out), _resample_by_loops(image, *out),
                               atol=1e-12)


def test_shrinking_by_whole_blocks_gives_exact_block_means():
    image = np.random.default_rng(1).random((32, 32))
    expected = image.reshape(8, 4, 8, 4).mean(axis=(1, 3))
    np.testing.assert_allclose(area_resample(image, (8, 8)), expected, rtol=1e-15)


def test_growing_by_whole_blocks_repeats_cells_and_across_a_border_blends_two():
    image = np.random.default_rng(2).random((8, 8))
    np.testing.assert_array_equal(area_resample(image, (16, 16)),
                                  np.kron(image, np.ones((2, 2))))
    # 5 -> 8: input cell 0 spans output [0, 1.6): all of cell 0, 0.6 of cell 1
    dot = np.zeros((5, 5))
    dot[0, 0] = 1.0
    np.testing.assert_allclose(area_resample(dot, (8, 8))[:2, :2], [[1, 0.6], [0.6, 0.36]])


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40), st.integers(2, 40), st.integers(1, 40), st.integers(1, 40))
def test_area_resampling_keeps_the_ink(h, w, height, width):
    image = np.random.default_rng(h * 41 + w).random((h, w))
    out = area_resample(image, (height, width))
    assert out.shape == (height, width) and 0.0 <= out.min() and out.max() <= 1.0
    np.testing.assert_allclose(out.sum(), image.sum() * height * width / (h * w), rtol=1e-12)


# --- MNIST's framing ------------------------------------------------------------------------

@pytest.mark.parametrize("n", [5, 8, 16, 28, 32])
def test_a_single_dot_fills_the_box_and_its_mass_goes_to_the_centre(n):
    grid = np.zeros((n, n))
    grid[1, n - 2] = 1.0
    frame = fit_to_frame(grid)
    # a 1x1 crop scaled to 20 cells starting at 14.5 - 10 = 4.5: rows 5..23 full, 4 and 24 half
    expected_line = np.zeros(28)
    expected_line[5:24], expected_line[[4, 24]] = 1.0, 0.5
    np.testing.assert_allclose(frame, np.outer(expected_line, expected_line), atol=1e-12)
    np.testing.assert_allclose(_mass_centre(frame), (MNIST_CENTRE, MNIST_CENTRE))
    whole = fit_to_frame(grid, whole_cells=True)  # 4.5 rounds half up to 5: cells 5..24
    assert whole[5:25, 5:25].min() == 1.0 and whole.sum() == 400.0


def test_fitting_scales_the_longer_side_to_20_cells_and_keeps_the_aspect():
    grid = np.zeros((16, 16))
    grid[2:12, 6:11] = 1.0  # a 10 x 5 block: scale 2 -> 20 x 10
    frame = fit_to_frame(grid, whole_cells=True)
    rows, cols = np.flatnonzero(frame.any(axis=1)), np.flatnonzero(frame.any(axis=0))
    assert (rows.size, cols.size) == (20, 10)
    np.testing.assert_allclose(frame.sum(), 4 * grid.sum())  # ink grows by scale**2
    # start 14.5 - 2 * 5 = 4.5 rounds up to 5 (rows 5..24), 9.5 to 10: mass half a cell off
    np.testing.assert_allclose(_mass_centre(frame), (MNIST_CENTRE + 0.5, MNIST_CENTRE + 0.5))
    np.testing.assert_allclose(_mass_centre(fit_to_frame(grid)), (MNIST_CENTRE, MNIST_CENTRE))


def test_where_a_digit_is_drawn_does_not_change_its_frame():
    grid = np.zeros((32, 32))
    grid[3:9, 4:7], grid[8, 4:12] = 1.0, 0.5
    moved = np.roll(grid, (17, 13), axis=(0, 1))
    np.testing.assert_array_equal(fit_to_frame(grid), fit_to_frame(moved))


def test_a_lopsided_digit_is_kept_inside_the_frame():
    grid = np.zeros((20, 20))
    grid[0, :] = 1.0
    grid[:, 0] = 0.05  # a long faint stem: the mass sits on the top row
    frame = fit_to_frame(grid)
    np.testing.assert_allclose(frame.sum(), grid.sum())  # nothing cut off (scale 1)
    # the mass (row 0.45) asks for start 14.5 - 0.95 = 13.55; the box ends at 28 at most
    rows = np.flatnonzero(frame.any(axis=1))
    assert (rows[0], rows[-1]) == (8, 27)


def test_mnist_test_digits_framed_on_whole_cells_are_themselves():
    digits = _mnist_test_digits()
    for digit in digits:
        np.testing.assert_array_equal(fit_to_frame(digit, whole_cells=True), digit)
    fractional = np.stack([fit_to_frame(digit) for digit in digits[::10]])
    assert np.abs(fractional - digits[::10]).mean() < 0.05  # half-cell blur at most


def test_fill_frame_crops_to_the_ink_and_pads_to_a_centred_square():
    grid = np.zeros((8, 8))
    grid[2:5, 3] = 1.0  # 3 x 1 ink
    expected = np.zeros((3, 3))
    expected[:, 1] = 1.0
    np.testing.assert_array_equal(fill_frame(grid), expected)
    np.testing.assert_array_equal(fill_frame(np.zeros((6, 6))), np.zeros((6, 6)))


# --- prepare_drawing ----------------------------------------------------------------------

@pytest.mark.parametrize("n", [5, 8, 16, 28, 32])
@pytest.mark.parametrize("size", [8, 14, 16, 28])
def test_prepare_drawing_gives_the_models_shape_for_every_grid(n, size):
    grid = np.zeros((n, n))
    grid[1 : n - 1, n // 2] = 1.0
    out = prepare_drawing(grid, (size, size))
    assert out.shape == (size, size) and out.dtype == np.float64
    assert 0.0 <= out.min() and out.max() <= 1.0 and out.sum() > 0
    np.testing.assert_allclose(out, area_resample(fit_to_frame(grid), (size, size)))
    np.testing.assert_array_equal(prepare_drawing(np.zeros((n, n)), (size, size)), 0.0)


def test_prepare_drawing_without_fit_resamples_the_drawing_as_it_is():
    grid = (np.random.default_rng(3).random((32, 32)) < 0.3).astype(float)
    np.testing.assert_allclose(prepare_drawing(grid, (8, 8), fit=False),
                               grid.reshape(8, 4, 8, 4).mean(axis=(1, 3)))
    same = prepare_drawing(grid[:16, :16], (16, 16), fit=False)
    np.testing.assert_array_equal(same, grid[:16, :16])


def test_prepare_drawing_fill_style_fills_the_input_with_the_inks_square():
    grid = np.zeros((16, 16))
    grid[4:12, 6:10] = 1.0  # 8 x 4 ink -> padded to 8 x 8 -> 8x8 input unchanged
    expected = np.zeros((8, 8))
    expected[:, 2:6] = 1.0
    np.testing.assert_array_equal(prepare_drawing(grid, (8, 8), style="fill"), expected)


@pytest.mark.parametrize(("grid", "shape", "style", "message"), [
    (np.zeros((8, 9)), (16, 16), "mnist", "square"),
    (np.full((8, 8), 2.0), (16, 16), "mnist", r"\[0, 1\]"),
    (np.full((8, 8), np.nan), (16, 16), "mnist", "finite"),
    (np.zeros(8), (16, 16), "mnist", "2D"),
    (np.zeros((70, 70)), (16, 16), "mnist", "size"),
    (np.zeros((8, 8)), (16,), "mnist", "input_shape"),
    (np.zeros((8, 8)), (0, 16), "mnist", "input_shape"),
    (np.zeros((8, 8)), (16.5, 16), "mnist", "input_shape"),
    (np.zeros((8, 8)), "16", "mnist", "input_shape"),
    (np.zeros((8, 8)), (16, 16), "sklearn", "style"),
])
def test_prepare_drawing_rejects_what_is_not_a_drawing(grid, shape, style, message):
    with pytest.raises(ValueError, match=message):
        prepare_drawing(grid, shape, style=style)


def test_prepare_drawing_leaves_its_input_alone():
    grid = np.zeros((16, 16))
    grid[3:13, 7] = 1.0
    before = grid.copy()
    prepare_drawing(grid, (16, 16))
    np.testing.assert_array_equal(grid, before)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.sampled_from([(5, 5), (8, 8), (16, 16), (28, 28), (32, 32)]),
              elements=st.floats(0, 1)))
def test_prepare_drawing_output_is_always_a_valid_input(grid):
    out = prepare_drawing(grid, (16, 16))
    assert out.shape == (16, 16) and np.all(np.isfinite(out))
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert (out.sum() > 0) == (grid.sum() > 0)


# --- the benchmark's own drawing code agrees with ours (two writings, one answer) ----------

@pytest.mark.parametrize(("grid", "top", "box"), [(16, 0.0, 16.0), (16, 1.7, 12.3),
                                                  (28, 3.2, 21.0), (32, 0.4, 31.5)])
def test_the_benchmarks_cumulative_ink_weights_equal_overlap_weights(grid, top, box):
    from tests.support import drawn_digits as recognise
    np.testing.assert_allclose(recognise._cell_weights(grid, top, box),
                               overlap_weights(28, grid, box=box, start=top), atol=1e-12)


def test_the_benchmarks_thicker_pen_is_the_square_pen_of_augment():
    from cnn_core.augment import SQUARE2, cells_of, thicken
    from tests.support import drawn_digits as recognise

    digit = np.random.default_rng(5).random((28, 28)) ** 3
    drawn = recognise.draw_digit(digit, 16, 13.0, 1.5, 2.5, thick=True)
    plain = cells_of(digit, 16, 13.0, 1.5, 2.5, 0.5)
    np.testing.assert_array_equal(recognise.draw_digit(digit, 16, 13.0, 1.5, 2.5, thick=False),
                                  plain)
    np.testing.assert_array_equal(drawn, thicken(plain[None], SQUARE2)[0])
