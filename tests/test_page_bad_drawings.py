"""A drawing that is not a drawing (NaN, infinity, values outside 0..1, rounding noise),
found in session state, on every page with a grid: a message, never an exception."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest_pages import ROOT
from ui.session import state

GRID_PAGES = ["app_pages/playground.py", "app_pages/gallery.py", "app_pages/forward_pass.py",
              "app_pages/backprop.py"]


def with_nan() -> np.ndarray:
    grid = np.zeros((8, 8))
    grid[2:6, 3] = 1.0
    grid[0, 0] = np.nan
    return grid


def with_infinity() -> np.ndarray:
    grid = with_nan()
    grid[0, 0] = np.inf
    return grid


def out_of_range() -> np.ndarray:
    grid = with_nan()
    grid[0, 0], grid[7, 7] = 2.0, -0.5
    return grid


def rounding_noise() -> np.ndarray:
    grid = with_nan()
    grid[0, 0] = 1.0000000000000009
    return grid


def said(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.error, *at.warning, *at.info])


def run(page: str, grid: np.ndarray, *, router: bool = False) -> AppTest:
    at = AppTest.from_file(str(ROOT / ("app.py" if router else page)), default_timeout=60)
    if router:  # Home (a grid page too) runs first; the drawing breaks before the switch
        at.run()
        at.session_state[state.DRAWING] = grid
        at.switch_page(page).run()
    else:
        at.session_state[state.DRAWING] = grid
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", GRID_PAGES)
@pytest.mark.parametrize("make, words", [(with_nan, "NaN"), (with_infinity, "infinity"),
                                         (out_of_range, "outside 0..1")])
def test_a_broken_drawing_gets_a_message_and_a_usable_grid(page, make, words):
    at = run(page, make())
    assert words in said(at), said(at)
    grid = at.session_state[state.DRAWING]
    assert np.all(np.isfinite(grid)) and grid.min() >= 0 and grid.max() <= 1
    np.testing.assert_array_equal(grid[2:6, 3], 1.0)  # the rest of the drawing is kept


@pytest.mark.parametrize("page", GRID_PAGES)
def test_a_broken_drawing_is_repaired_through_the_router_too(page):
    at = run(page, with_nan(), router=True)
    assert "NaN" in said(at)


@pytest.mark.parametrize("make, words", [(with_nan, "NaN"), (out_of_range, "outside 0..1")])
def test_home_the_first_page_a_router_runs_repairs_a_broken_drawing(make, words):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state[state.DRAWING] = make()
    at.run()  # Home's links need the router: it is tested through app.py only
    assert not at.exception, [e.value for e in at.exception]
    assert words in said(at)
    grid = at.session_state[state.DRAWING]
    assert np.all(np.isfinite(grid)) and grid.min() >= 0 and grid.max() <= 1


@pytest.mark.parametrize("page", GRID_PAGES)
def test_rounding_noise_is_clipped_without_a_word(page):
    at = run(page, rounding_noise())
    assert at.session_state[state.DRAWING].max() == 1.0
    assert "0..1" not in said(at)
