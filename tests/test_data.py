"""Tests for cnn_core.data: the notes' digits verbatim, the digits split, drawing resampling."""

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnn_core.data import (
    NOTES_EIGHT,
    NOTES_TEST_TWO,
    NOTES_TWO,
    Dataset,
    _load_digits_arrays,
    downsample_drawing,
    handwritten_digits,
    toy_digits,
)
from cnn_core.drawing import area_resample

# Copied from the notes ("Extending to Multiple Images" and "Testing").
EIGHT = [[0, 1, 1, 1, 0],
         [0, 1, 0, 1, 0],
         [0, 1, 1, 1, 0],
         [0, 1, 0, 1, 0],
         [0, 1, 1, 1, 0]]
TWO = [[0, 1, 1, 1, 0],
       [0, 0, 0, 1, 0],
       [0, 0, 1, 0, 0],
       [0, 1, 0, 0, 0],
       [0, 1, 1, 1, 0]]
TEST_TWO = [[1, 1, 1, 1, 1],
            [0, 0, 0, 1, 0],
            [1, 0, 1, 0, 1],
            [0, 1, 0, 0, 0],
            [1, 1, 1, 1, 1]]


def _block_means_by_loops(grid: np.ndarray, block: int) -> np.ndarray:
    size = grid.shape[0] // block
    out = np.zeros((size, size))
    for i in range(size):
        for j in range(size):
            total = 0.0
            for di in range(block):
                for dj in range(block):
                    total += grid[i * block + di, j * block + dj]
            out[i, j] = total / (block * block)
    return out


def _row_hashes(images: np.ndarray) -> set[str]:
    return {hashlib.sha256(image.tobytes()).hexdigest() for image in images}


def test_importing_data_does_not_import_sklearn():
    code = "import sys, cnn_core.data; assert 'sklearn' not in sys.modules"
    root = Path(__file__).parent.parent
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


# --- the notes' images and the toy set -------------------------------------------------------

@pytest.mark.parametrize(("constant", "printed"),
                         [(NOTES_EIGHT, EIGHT), (NOTES_TWO, TWO), (NOTES_TEST_TWO, TEST_TWO)])
def test_notes_images_match_the_notes_verbatim(constant, printed):
    assert constant.dtype == np.float64
    np.testing.assert_array_equal(constant, np.array(printed, dtype=np.float64))


def test_notes_images_are_read_only():
    for constant in (NOTES_EIGHT, NOTES_TWO, NOTES_TEST_TWO):
        with pytest.raises(ValueError, match="read-only"):
            constant[0, 0] = 5.0


def test_toy_digits_train_on_eight_and_two_and_test_on_the_second_two():
    data = toy_digits()
    assert isinstance(data, Dataset)
    np.testing.assert_array_equal(data.train_images, np.array([EIGHT, TWO], dtype=np.float64))
    np.testing.assert_array_equal(data.test_images, np.array([TEST_TWO], dtype=np.float64))
    assert data.train_labels.tolist() == [8, 2]
    assert data.test_labels.tolist() == [2]
    assert data.train_labels.dtype == np.int64 and data.test_labels.dtype == np.int64
    assert data.n_classes == 10
    assert data.name == "notes toy digits"


# --- sklearn's handwritten digits --------------------------------------------------------------

def test_handwritten_digits_shapes_ranges_and_total():
    data = handwritten_digits()
    assert len(data.train_images) + len(data.test_images) == 1797
    assert data.train_images.shape[1:] == (8, 8) and data.test_images.shape[1:] == (8, 8)
    assert data.train_images.dtype == np.float64 and data.train_labels.dtype == np.int64
    both = np.concatenate([data.train_images, data.test_images])
    assert both.min() == 0.0 and both.max() == 1.0
    labels = np.concatenate([data.train_labels, data.test_labels])
    assert set(labels.tolist()) == set(range(10))
    assert data.n_classes == 10
    assert len(data.train_labels) == len(data.train_images)


@pytest.mark.parametrize("test_fraction", [0.25, 0.1, 0.5, 0.9])
def test_handwritten_digits_split_is_stratified(test_fraction):
    data = handwritten_digits(test_fraction=test_fraction)
    train_counts = np.bincount(data.train_labels, minlength=10)
    test_counts = np.bincount(data.test_labels, minlength=10)
    assert np.all(train_counts > 0) and np.all(test_counts > 0)
    totals = train_counts + test_counts
    assert np.all(np.abs(test_counts - test_fraction * totals) <= 1)


def test_handwritten_digits_same_seed_gives_identical_split():
    first, second = handwritten_digits(seed=3), handwritten_digits(seed=3)
    for a, b in zip(first[:4], second[:4], strict=True):
        np.testing.assert_array_equal(a, b)


def test_handwritten_digits_different_seed_gives_different_split():
    first, second = handwritten_digits(seed=0), handwritten_digits(seed=1)
    assert _row_hashes(first.test_images) != _row_hashes(second.test_images)


def test_handwritten_digits_train_and_test_are_disjoint_and_cover_everything():
    data = handwritten_digits()
    train, test = _row_hashes(data.train_images), _row_hashes(data.test_images)
    all_images, _ = _load_digits_arrays()
    assert len(_row_hashes(all_images)) == 1797  # the 1,797 images are all distinct
    assert train.isdisjoint(test)
    assert train | test == _row_hashes(all_images)


def test_handwritten_digits_callers_cannot_corrupt_the_cache():
    data = handwritten_digits()
    data.train_images[:] = 7.0
    data.train_labels[:] = 7
    images, labels = _load_digits_arrays()
    assert images.max() == 1.0 and not images.flags.writeable and not labels.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        images[0, 0, 0] = 1.0
    fresh = handwritten_digits()
    assert fresh.train_images.max() == 1.0
    assert set(fresh.train_labels.tolist()) == set(range(10))


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, float("nan"), True, "0.25"])
def test_handwritten_digits_rejects_bad_test_fraction(bad):
    with pytest.raises(ValueError, match="test_fraction"):
        handwritten_digits(test_fraction=bad)


# --- downsample_drawing ----------------------------------------------------------------------

def test_downsample_32_equals_4x4_block_means_by_loops():
    rng = np.random.default_rng(0)
    grid = (rng.random((32, 32)) < 0.3).astype(np.float64)
    grid[3:20, 9] = 1.0
    expected = _block_means_by_loops(grid, 4)
    np.testing.assert_array_equal(downsample_drawing(grid), expected)
    assert set(np.unique(expected * 16)) <= set(range(17))  # optdigits' 0..16 counts


def test_downsample_16_equals_2x2_block_means_by_loops():
    grid = (np.random.default_rng(1).random((16, 16)) < 0.5).astype(np.float64)
    np.testing.assert_array_equal(downsample_drawing(grid), _block_means_by_loops(grid, 2))


def test_area_resample_matches_block_means_on_real_valued_grids():
    rng = np.random.default_rng(2)
    for size, block in [(32, 4), (16, 2), (64, 8)]:
        grid = rng.random((size, size))
        np.testing.assert_allclose(area_resample(grid, (8, 8)), _block_means_by_loops(grid, block),
                                   rtol=1e-14, atol=1e-15)


def test_downsample_8_is_an_unchanged_copy():
    grid = np.random.default_rng(3).random((8, 8))
    out = downsample_drawing(grid)
    np.testing.assert_array_equal(out, grid)
    assert not np.shares_memory(out, grid)


def test_downsample_5_all_ones_gives_all_ones():
    np.testing.assert_array_equal(downsample_drawing(np.ones((5, 5))), np.ones((8, 8)))


def test_downsample_5_spreads_one_cell_by_area():
    # Input cell j spans [1.6j, 1.6(j+1)) output cells; output cell i is [i, i+1).
    # Cell 0 covers output 0 fully and 0.6 of output 1; cell 2 spans [3.2, 4.8): 0.8 + 0.8.
    corner, centre = np.zeros((5, 5)), np.zeros((5, 5))
    corner[0, 0], centre[2, 2] = 1.0, 1.0
    expected_corner = np.zeros((8, 8))
    expected_corner[:2, :2] = [[1.0, 0.6], [0.6, 0.36]]
    expected_centre = np.zeros((8, 8))
    expected_centre[3:5, 3:5] = 0.64
    np.testing.assert_allclose(downsample_drawing(corner), expected_corner, atol=1e-15)
    np.testing.assert_allclose(downsample_drawing(centre), expected_centre, atol=1e-15)


def test_downsample_5_equals_nearest_upsample_to_40_then_5x5_means():
    for image in (NOTES_EIGHT, NOTES_TWO, NOTES_TEST_TWO):
        upsampled = np.kron(image, np.ones((8, 8)))
        np.testing.assert_allclose(downsample_drawing(image),
                                   _block_means_by_loops(upsampled, 5), atol=1e-15)


def test_downsample_28_pads_two_cells_then_takes_4x4_means():
    grid = (np.random.default_rng(4).random((28, 28)) < 0.4).astype(np.float64)
    padded = np.zeros((32, 32))
    padded[2:30, 2:30] = grid
    np.testing.assert_array_equal(downsample_drawing(grid), _block_means_by_loops(padded, 4))
    edge = np.zeros((28, 28))
    edge[0, 0] = 1.0  # lands in the 2x2 inner corner of the first 4x4 block
    assert downsample_drawing(edge)[0, 0] == 1 / 16


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 64).filter(lambda n: n != 28).flatmap(
    lambda n: arrays(np.float64, (n, n), elements=st.floats(0, 1))))
def test_area_resampling_preserves_total_ink(grid):
    # Output cell area is (n/8)**2 input cells, so sum(out) * (n/8)**2 == sum(grid).
    n = grid.shape[0]
    out = downsample_drawing(grid)
    assert out.shape == (8, 8) and out.min() >= 0.0 and out.max() <= 1.0 + 1e-12
    np.testing.assert_allclose(out.sum() * (n / 8) ** 2, grid.sum(), rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (28, 28), elements=st.floats(0, 1)))
def test_downsample_28_preserves_ink_on_the_padded_32_grid(grid):
    np.testing.assert_allclose(downsample_drawing(grid).sum() * 16, grid.sum(), atol=1e-10)


@pytest.mark.parametrize(("bad", "message"), [
    (np.zeros(8), "2D"),
    (np.zeros((2, 8, 8)), "2D"),
    (np.zeros((8, 9)), "square"),
    (np.zeros((1, 1)), "size"),
    (np.zeros((65, 65)), "size"),
    (np.full((8, 8), np.nan), "finite"),
    (np.full((8, 8), np.inf), "finite"),
    (np.full((8, 8), "a"), "real numbers"),
    (np.full((8, 8), 1 + 1j), "real numbers"),
    ([[0, 1], [1]], "rectangular"),
    (np.full((8, 8), 1.5), r"\[0, 1\]"),
    (np.full((8, 8), -0.1), r"\[0, 1\]"),
])
def test_downsample_rejects_bad_grids(bad, message):
    with pytest.raises(ValueError, match=message):
        downsample_drawing(bad)
