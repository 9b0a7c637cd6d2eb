"""Tests for cnn_core.augment: each op against a loop twin or a hand-worked example."""

import numpy as np
import pytest

from cnn_core.augment import (
    PLUS,
    SQUARE2,
    affine,
    augment_digits,
    binarise,
    cells_of,
    draw_as_cells,
    random_affine,
    thicken,
    thin,
)
from cnn_core.drawing import prepare_drawing


def _filter_by_loops(image, footprint, pick):
    a, b = footprint.shape
    h, w = image.shape
    out = np.zeros_like(image)
    for r in range(h):
        for c in range(w):
            values = []
            for i in range(a):
                for j in range(b):
                    rr, cc = r + i - a // 2, c + j - b // 2
                    if footprint[i, j]:
                        values.append(image[rr, cc] if 0 <= rr < h and 0 <= cc < w else 0.0)
            out[r, c] = pick(values)
    return out


def _bilinear_by_loops(image, angle, scale, shift):
    h, w = image.shape
    a = np.deg2rad(angle)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    out = np.zeros_like(image)
    for r in range(h):
        for c in range(w):
            dy, dx = r - cy - shift[0], c - cx - shift[1]
            # invert p = M q with M = scale [[cos, -sin], [sin, cos]]
            sr = (np.cos(a) * dy + np.sin(a) * dx) / scale + cy
            sc = (-np.sin(a) * dy + np.cos(a) * dx) / scale + cx
            r0, c0 = int(np.floor(sr)), int(np.floor(sc))
            total = 0.0
            for rr, wr in ((r0, 1 - (sr - r0)), (r0 + 1, sr - r0)):
                for cc, wc in ((c0, 1 - (sc - c0)), (c0 + 1, sc - c0)):
                    if 0 <= rr < h and 0 <= cc < w:
                        total += wr * wc * image[rr, cc]
            out[r, c] = min(max(total, 0.0), 1.0)
    return out


def _digit():
    image = np.zeros((28, 28))
    image[6:22, 12:16] = 1.0  # a "1" with a grey rim
    image[6:22, 11] = image[6:22, 16] = 0.4
    return image


def test_binarise_inks_cells_at_or_above_the_threshold_per_image():
    images = np.array([[[0.2, 0.5], [0.7, 0.49]]] * 2)
    out = binarise(images, np.array([0.5, 0.2]))
    np.testing.assert_array_equal(out[0], [[0, 1], [1, 0]])
    np.testing.assert_array_equal(out[1], [[1, 1], [1, 1]])
    np.testing.assert_array_equal(binarise(images, 0.7)[0], [[0, 0], [1, 0]])


@pytest.mark.parametrize("footprint", [PLUS, SQUARE2, np.ones((3, 3), bool),
                                       np.array([[1, 0, 0, 1]], bool)])
def test_thicken_and_thin_match_their_loop_twins(footprint):
    images = np.random.default_rng(0).random((2, 7, 6))
    for op, pick in ((thicken, max), (thin, min)):
        out = op(images, footprint)
        for image, got in zip(images, out, strict=True):
            np.testing.assert_array_equal(got, _filter_by_loops(image, footprint, pick))


def test_a_dot_thickened_takes_the_pens_shape_and_thin_never_adds_ink():
    dot = np.zeros((1, 5, 5))
    dot[0, 2, 2] = 1.0
    np.testing.assert_array_equal(thicken(dot, PLUS)[0], np.pad(PLUS, 1).astype(float))
    square = np.zeros((5, 5))
    square[2:4, 2:4] = 1.0  # grows right and down
    np.testing.assert_array_equal(thicken(dot, SQUARE2)[0], square)
    line = np.zeros((1, 6, 6))
    line[0, :, 1:4] = 1.0  # three wide -> two wide
    assert thin(line).sum(axis=2).max() == 2
    images = np.random.default_rng(1).random((3, 6, 6))
    assert np.all(thin(images) <= images) and np.all(thicken(images) >= images)


def test_affine_identity_quarter_turn_and_whole_shift_are_exact():
    images = np.random.default_rng(2).random((3, 9, 9))
    np.testing.assert_array_equal(affine(images), images)
    np.testing.assert_allclose(affine(images, 90.0), np.rot90(images, axes=(1, 2)),
                               atol=1e-12)
    shifted = np.zeros_like(images)
    shifted[:, 2:, :-1] = images[:, :-2, 1:]
    np.testing.assert_array_equal(affine(images, shift=(2.0, -1.0)), shifted)


@pytest.mark.parametrize(("angle", "scale", "shift"), [
    (17.0, 1.0, (0.0, 0.0)), (-8.0, 0.9, (0.3, -1.2)), (30.0, 1.15, (-0.7, 0.4))])
def test_affine_matches_its_loop_twin(angle, scale, shift):
    image = np.random.default_rng(3).random((8, 10))
    np.testing.assert_allclose(affine(image[None], angle, scale, shift)[0],
                               _bilinear_by_loops(image, angle, scale, shift), atol=1e-12)


def test_a_rotation_keeps_the_ink_and_a_scale_multiplies_it_by_its_square():
    digit = _digit()[None]
    assert abs(affine(digit, 11.0).sum() / digit.sum() - 1) < 0.02
    assert abs(affine(digit, 0.0, 1.2).sum() / digit.sum() - 1.44) < 0.05
    with pytest.raises(ValueError, match="scale"):
        affine(digit, 0.0, 0.0)


def test_random_affine_is_fixed_by_the_generator_seed():
    images = np.stack([_digit()] * 4)
    first = random_affine(images, np.random.default_rng(5))
    np.testing.assert_array_equal(first, random_affine(images, np.random.default_rng(5)))
    assert not np.array_equal(first, random_affine(images, np.random.default_rng(6)))
    assert not np.array_equal(first[0], first[1])  # each image gets its own draw


def test_cells_of_a_frame_covering_the_grid_is_binarise_and_a_small_frame_is_a_block_mean():
    digit = _digit()
    np.testing.assert_array_equal(cells_of(digit, 28, 28.0, 0.0, 0.0, 0.5),
                                  binarise(digit[None], 0.5)[0])
    # frame of 14 cells at (1, 2) on a 16 grid: cell (1 + i, 2 + j) is a 2x2 mean
    cells = cells_of(digit, 16, 14.0, 1.0, 2.0, 0.5)
    means = digit.reshape(14, 2, 14, 2).mean(axis=(1, 3))
    np.testing.assert_array_equal(cells[1:15, 2:16], (means >= 0.5).astype(float))
    assert cells[0].sum() == 0 and cells[:, :2].sum() == 0


def test_draw_as_cells_goes_through_the_apps_path_and_is_seeded():
    digits = np.stack([_digit(), np.rot90(_digit())])
    out = draw_as_cells(digits, np.random.default_rng(7), 16)
    assert out.shape == (2, 16, 16) and 0.0 <= out.min() and out.max() <= 1.0
    assert np.all(out.sum(axis=(1, 2)) > 0)
    np.testing.assert_array_equal(out, draw_as_cells(digits, np.random.default_rng(7), 16))
    # one grid size, full frame, threshold 0.5, no pen: exactly prepare_drawing of the cells
    one = draw_as_cells(digits[:1], np.random.default_rng(0), 16, grid_sizes=(28, 28),
                        frame_fraction=(1.0, 1.0), thresholds=(0.5, 0.5), pens=(None,))
    expected = prepare_drawing(binarise(digits[:1], 0.5)[0], (16, 16))
    np.testing.assert_allclose(one[0], expected)


@pytest.mark.parametrize("bad", [np.zeros((4, 4)), np.zeros((2, 0, 3)), np.zeros((2, 3, 3, 1))])
def test_ops_reject_what_is_not_a_batch_of_images(bad):
    with pytest.raises(ValueError, match="batch"):
        thicken(bad)
    with pytest.raises(ValueError, match="28x28"):
        draw_as_cells(np.zeros((1, 16, 16)), np.random.default_rng(0), 16)


def test_augment_digits_with_every_change_off_is_the_plain_resampling():
    digits = np.stack([_digit(), np.rot90(_digit())])
    plain = augment_digits(digits, np.random.default_rng(0), 16, drawn_share=0.0, max_angle=0.0,
                           max_scale_change=0.0, max_shift=0.0, thick_share=0.0,
                           thin_share=0.0, binary_share=0.0)
    expected = np.stack([prepare_drawing(d, (16, 16), fit=False) for d in digits])
    np.testing.assert_allclose(plain, expected, atol=1e-12)


def test_augment_digits_is_seeded_and_every_output_is_a_valid_input():
    digits = np.stack([_digit(), np.rot90(_digit())] * 10)
    first = augment_digits(digits, np.random.default_rng(4), 14)
    np.testing.assert_array_equal(first, augment_digits(digits, np.random.default_rng(4), 14))
    assert first.shape == (20, 14, 14) and 0.0 <= first.min() and first.max() <= 1.0
    assert np.all(first.sum(axis=(1, 2)) > 0)
    drawn = augment_digits(digits, np.random.default_rng(4), 14, drawn_share=1.0)
    # drawn digits are fitted: the mass of each sits near the centre of the 14x14 input
    rows = np.arange(14)
    centres = (drawn.sum(axis=2) @ rows) / drawn.sum(axis=(1, 2))
    assert np.all(np.abs(centres - 14.5 * 14 / 28 + 0.5) < 0.75)
