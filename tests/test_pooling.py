"""Tests for cnn_core.pooling: max and average pooling, cut-off edge windows, ties.

Oracles: the notes' worked numbers, the plain-loop twins (the notes' max_pooling and
avg_pooling generalised to a stride), then PyTorch with ceil_mode=True (optional).
"""

import numpy as np
import pytest

from cnn_core import (
    avg_pool2d,
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_forward,
    pool_output_size,
)
from cnn_core.reference import avg_pool2d_loops, max_pool2d_loops

NOTES_FEATURE_MAP = [[1, 2, 1],
                     [0, 2, 0],
                     [1, 2, 1]]

SIZES = [1, 2, 3, 4]
STRIDES = [None, 1, 2, 3]


def _window_starts(n, size, stride):
    """Where windows start along one axis: every start inside the map, keeping a cut-off last
    window but never one that starts past the edge (so it holds no cell at all)."""
    starts = list(range(0, max(n - size, 0) + 1, stride))
    if starts[-1] + size < n:  # cells left over after the last full window
        starts.append(starts[-1] + stride)
    return [s for s in starts if s < n]


def _pool_by_definition(x, size, stride, reduce):
    """Pool a 2D map over windows x[r:r+size, c:c+size] (clipped to the map)."""
    rows = _window_starts(x.shape[0], size, stride)
    cols = _window_starts(x.shape[1], size, stride)
    return np.array([[reduce(x[r:r + size, c:c + size]) for c in cols] for r in rows])


# --- The notes' worked numbers ------------------------------------------------------------

def test_max_pool2d_of_the_notes_feature_map_gives_the_printed_output():
    np.testing.assert_array_equal(max_pool2d(NOTES_FEATURE_MAP), [[2, 1], [2, 1]])


def test_max_pool2d_then_flatten_gives_the_notes_dense_input():
    np.testing.assert_array_equal(max_pool2d(NOTES_FEATURE_MAP).flatten(), [2, 1, 2, 1])


def test_avg_pool2d_of_the_notes_feature_map_averages_only_real_cells():
    # windows [[1,2],[0,2]], [[1],[0]], [[1,2]], [[1]] -- as the notes' avg_pooling computes
    np.testing.assert_array_equal(avg_pool2d(NOTES_FEATURE_MAP), [[1.25, 0.5], [1.5, 1.0]])


def test_max_pool2d_keeps_cut_off_edge_windows():
    x = np.arange(25.0).reshape(5, 5)
    # 5x5 with 2x2 windows: the last row and column form windows of 2 and 1 cells
    np.testing.assert_array_equal(max_pool2d(x, 2), [[6, 8, 9], [16, 18, 19], [21, 23, 24]])


def test_avg_pool2d_divides_a_cut_off_window_by_its_real_cell_count():
    x = np.arange(25.0).reshape(5, 5)
    out = avg_pool2d(x, 2)
    assert out[0, 2] == (4 + 9) / 2
    assert out[2, 0] == (20 + 21) / 2
    assert out[2, 2] == 24.0


@pytest.mark.parametrize(
    ("n", "size", "stride", "expected"),
    [(3, 2, 2, 2), (4, 2, 2, 2), (5, 2, 2, 3), (6, 3, 2, 3), (2, 4, 4, 1), (7, 3, 1, 5)],
)
def test_pool_output_size_keeps_a_cut_off_last_window(n, size, stride, expected):
    assert pool_output_size(n, size, stride) == expected


# --- Against the loop twins -----------------------------------------------------------------

@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("size", SIZES)
def test_pools_match_the_loop_twins(size, stride):
    rng = np.random.default_rng(10 * size + (stride or 0))
    for _ in range(10):
        h, w = (int(v) for v in rng.integers(1, 11, size=2))
        x = rng.normal(size=(h, w))
        np.testing.assert_array_equal(max_pool2d(x, size, stride),
                                      max_pool2d_loops(x, size, stride))
        np.testing.assert_allclose(avg_pool2d(x, size, stride),
                                   avg_pool2d_loops(x, size, stride), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("size", SIZES)
def test_pools_match_their_definition_over_windows_that_hold_at_least_one_cell(size, stride):
    rng = np.random.default_rng(20 * size + (stride or 0))
    step = stride or size
    for _ in range(10):
        h, w = (int(v) for v in rng.integers(1, 11, size=2))
        x = rng.normal(size=(h, w))
        np.testing.assert_array_equal(max_pool2d(x, size, stride),
                                      _pool_by_definition(x, size, step, np.max))
        np.testing.assert_allclose(avg_pool2d(x, size, stride),
                                   _pool_by_definition(x, size, step, np.mean),
                                   rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
def test_pooling_never_makes_a_window_that_starts_past_the_edge(pool):
    # size 1, stride 3 on 5 cells: windows at 0 and 3; a third would start at 6, outside.
    x = np.arange(25.0).reshape(5, 5)
    out = pool(x, 1, 3)
    assert np.all(np.isfinite(out))
    np.testing.assert_array_equal(out, [[0, 3], [15, 18]])


@pytest.mark.parametrize(("size", "stride"), [(2, None), (3, 2), (2, 1), ((2, 3), (1, 2))])
def test_pools_work_over_the_last_two_axes_of_a_batch(size, stride):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 3, 7, 6))
    max_out, avg_out = max_pool2d(x, size, stride), avg_pool2d(x, size, stride)
    for a in range(2):
        for b in range(3):
            np.testing.assert_array_equal(max_out[a, b], max_pool2d(x[a, b], size, stride))
            np.testing.assert_array_equal(avg_out[a, b], avg_pool2d(x[a, b], size, stride))


def test_pools_take_different_sizes_and_strides_for_rows_and_columns():
    x = np.arange(24.0).reshape(4, 6)
    np.testing.assert_array_equal(max_pool2d(x, (2, 3)), [[8, 11], [20, 23]])
    y = np.arange(30.0).reshape(5, 6)
    # rows: 1-cell windows at 0, 2, 4; columns: 3-cell windows at 0, 2 and a cut-off one at 4
    np.testing.assert_array_equal(max_pool2d(y, (1, 3), (2, 2)),
                                  [[2, 4, 5], [14, 16, 17], [26, 28, 29]])
    np.testing.assert_array_equal(avg_pool2d(y, (1, 3), (2, 2)),
                                  [[1, 3, 4.5], [13, 15, 16.5], [25, 27, 28.5]])


def test_pool_window_larger_than_the_map_pools_the_whole_map():
    x = np.array([[1.0, 5.0], [3.0, 2.0]])
    np.testing.assert_array_equal(max_pool2d(x, 4), [[5.0]])
    np.testing.assert_array_equal(avg_pool2d(x, 4), [[2.75]])


# --- Ties: one winner per window --------------------------------------------------------------

def test_max_pool2d_backward_sends_a_tied_window_gradient_to_the_first_cell_only():
    x = np.array([[1.0, 3.0],
                  [3.0, 0.0]])
    out, cache = max_pool2d_forward(x, 2)
    assert out[0, 0] == 3.0
    d_x = max_pool2d_backward(np.array([[5.0]]), cache)
    # (0, 1) comes before (1, 0) in row-major order
    np.testing.assert_array_equal(d_x, [[0.0, 5.0], [0.0, 0.0]])


def test_max_pool2d_backward_ties_in_every_window_including_cut_off_ones():
    x = np.array([[2.0, 2.0, 7.0],
                  [2.0, 2.0, 7.0],
                  [4.0, 4.0, 1.0]])
    _, cache = max_pool2d_forward(x, 2)
    d_out = np.array([[1.0, 2.0], [3.0, 4.0]])
    d_x = max_pool2d_backward(d_out, cache)
    expected = np.zeros((3, 3))
    expected[0, 0] = 1.0  # four tied 2s: the top-left wins
    expected[0, 2] = 2.0  # cut-off column [7, 7]: the upper wins
    expected[2, 0] = 3.0  # cut-off row [4, 4]: the left wins
    expected[2, 2] = 4.0  # a one-cell window
    np.testing.assert_array_equal(d_x, expected)
    assert d_x.sum() == d_out.sum()


def test_max_pool2d_backward_of_a_constant_map_conserves_the_gradient_sum():
    x = np.zeros((2, 5, 5))
    _, cache = max_pool2d_forward(x, 2)
    d_out = np.random.default_rng(0).normal(size=(2, 3, 3))
    d_x = max_pool2d_backward(d_out, cache)
    assert np.count_nonzero(d_x) == d_out.size
    np.testing.assert_allclose(d_x.sum(), d_out.sum(), rtol=1e-12)
    np.testing.assert_array_equal(d_x[:, ::2, ::2], d_out)  # every window's first cell


def test_max_pool2d_backward_adds_up_when_overlapping_windows_share_a_winner():
    x = np.array([[0.0, 0.1, 0.2],
                  [0.3, 9.0, 0.4],
                  [0.5, 0.6, 0.7]])
    _, cache = max_pool2d_forward(x, 2, 1)
    d_x = max_pool2d_backward(np.array([[1.0, 2.0], [3.0, 4.0]]), cache)
    expected = np.zeros((3, 3))
    expected[1, 1] = 10.0
    np.testing.assert_array_equal(d_x, expected)


def test_avg_pool2d_backward_shares_a_cut_off_window_gradient_among_its_real_cells():
    _, cache = avg_pool2d_forward(np.zeros((3, 3)), 2)
    d_x = avg_pool2d_backward(np.array([[4.0, 2.0], [2.0, 1.0]]), cache)
    np.testing.assert_array_equal(d_x, [[1, 1, 1], [1, 1, 1], [1, 1, 1]])


# --- PyTorch (optional) ---------------------------------------------------------------------

def _torch_pools():
    torch = pytest.importorskip("torch")
    return torch, torch.nn.functional


def test_torch_ceil_mode_avg_pool_divides_a_cut_off_window_by_its_real_cells():
    # Checks the premise of the comparison below: with padding 0, PyTorch's ceil_mode
    # average divides a cut-off window by the cells it really holds, as the notes do.
    torch, functional = _torch_pools()
    x = torch.arange(25.0, dtype=torch.float64).reshape(1, 1, 5, 5)
    out = functional.avg_pool2d(x, 2, 2, ceil_mode=True, count_include_pad=False)
    assert out[0, 0, 2, 2].item() == 24.0
    assert out[0, 0, 0, 2].item() == (4 + 9) / 2


@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("size", SIZES)
def test_pools_match_torch_with_ceil_mode(size, stride):
    torch, functional = _torch_pools()
    rng = np.random.default_rng(30 * size + (stride or 0))
    for _ in range(6):
        h, w = (int(v) for v in rng.integers(size, 11, size=2))
        x = rng.normal(size=(2, 3, h, w))
        tx = torch.from_numpy(x)
        step = stride or size
        expected_max = functional.max_pool2d(tx, size, step, ceil_mode=True).numpy()
        expected_avg = functional.avg_pool2d(tx, size, step, ceil_mode=True,
                                             count_include_pad=False).numpy()
        np.testing.assert_array_equal(max_pool2d(x, size, stride), expected_max)
        np.testing.assert_allclose(avg_pool2d(x, size, stride), expected_avg,
                                   rtol=1e-13, atol=1e-13)


# --- Bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
@pytest.mark.parametrize(
    ("x", "message"),
    [
        ([["a", "b"], ["c", "d"]], "feature map must contain only numbers"),
        (None, "feature map must contain only numbers"),
        ([[1, 2], [3]], "feature map must be a rectangular array"),
        ([[1.0, np.nan], [0.0, 0.0]], "feature map contains NaN or infinity"),
        ([[1.0, -np.inf], [0.0, 0.0]], "feature map contains NaN or infinity"),
        ([1.0, 2.0], "feature map must be at least 2D"),
        (np.zeros((2, 0)), "feature map is empty"),
    ],
)
def test_pools_reject_a_bad_feature_map(pool, x, message):
    with pytest.raises(ValueError, match=message):
        pool(x)


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
@pytest.mark.parametrize(
    ("size", "stride", "message"),
    [
        (0, None, "pool size must be 1 or more"),
        (-1, None, "pool size must be 1 or more"),
        ((2, 0), None, "pool size must be 1 or more"),
        (1.5, None, "pool size must be whole numbers"),
        (2, 0, "pool stride must be 1 or more"),
        (2, -1, "pool stride must be 1 or more"),
        (2, 0.5, "pool stride must be whole numbers"),
    ],
)
def test_pools_reject_a_size_or_stride_below_one(pool, size, stride, message):
    with pytest.raises(ValueError, match=message):
        pool(np.ones((4, 4)), size, stride)
