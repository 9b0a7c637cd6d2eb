"""ui.figures.fast_heatmap, the plotly heatmap builder the Kernel gallery still uses (the
playground moved to the map component): the same figure as the house heatmap, and cell
numbers that fit their cells or hide. Delete with the builder once no page uses it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.number_text import number
from tests.support.arrays import plotly_array
from ui.figures.fast_heatmap import cell_numbers, fast_heatmap
from ui.figures.matrix_heatmap import matrix_heatmap


@pytest.mark.parametrize("shape", [(3, 3), (6, 6), (16, 16), (30, 30)])
@pytest.mark.parametrize("kind", ["auto", "ink", "signed"])
def test_fast_heatmap_is_the_house_heatmap(shape, kind):
    values = np.random.default_rng(1).normal(size=shape)
    if kind == "ink":
        values = np.abs(values) / np.abs(values).max()
    options = dict(title="", kind=kind, outline=(1, 1, 2, 2), inner=(0, 0, 2, 2))
    fast = json.loads(fast_heatmap(values, **options).to_json())
    house = json.loads(matrix_heatmap(values, **options).to_json())
    house["layout"].pop("template")  # st.plotly_chart's theme replaces it
    if shape[1] > 16:  # no numbers in the cells: the fast figure sends no text, hover reads z
        assert "text" not in fast["data"][0] and "%{z:.4~g}" in fast["data"][0]["hovertemplate"]
        for key in ("text", "hovertemplate"):
            fast["data"][0].pop(key, None)
            house["data"][0].pop(key)
    assert fast == house
    np.testing.assert_array_equal(plotly_array(fast["data"][0]["z"]), values)


def test_titled_heatmap_lifts_its_title_above_the_column_numbers():
    fast = fast_heatmap(np.ones((3, 3)), title="Feature map").to_dict()["layout"]
    house = matrix_heatmap(np.ones((3, 3)), title="Feature map").to_dict()["layout"]
    assert fast["margin"]["t"] == house["margin"]["t"] + 22
    assert fast["title"]["text"] == "Feature map" and fast["title"]["yanchor"] == "top"


def test_clickable_heatmap_puts_a_marker_on_every_cell_centre():
    figure = fast_heatmap(np.arange(6.0).reshape(2, 3), title="t", clickable=True)
    spec = json.loads(figure.to_json())
    markers = spec["data"][1]
    assert markers["type"] == "scatter" and markers["mode"] == "markers"
    assert list(zip(plotly_array(markers["x"]), plotly_array(markers["y"]), strict=True)) == [
        (0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]
    assert spec["layout"]["yaxis"]["range"] == [1.5, -0.5]



def test_cell_numbers_shrink_to_fit_their_cells_or_hide():
    assert cell_numbers(np.ones((3, 3))) == (True, 2, 15)  # the house size where it fits
    assert cell_numbers(np.full((3, 3), 4 / 9)) == (True, 2, 13)  # "0.44" in a 33 px cell
    assert cell_numbers(np.tile([-4.0, 4.0], (8, 4))) == (True, 1, 12)  # "−4" in 15 px cells
    assert cell_numbers(np.ones((14, 14)))[0] is False  # 8.6 px cells: hover and tables
    assert cell_numbers(np.full((7, 7), 2.0), presenter=True) == (True, 1, 21)
    assert cell_numbers(np.ones((12, 12)), presenter=True)[0] is False  # 14 px at least


@given(st.integers(1, 32), st.integers(1, 32), st.sampled_from([0.5, 1, 4, 10, 250]),
       st.booleans(), st.booleans(), st.integers(0, 2**32 - 1))
def test_shown_cell_numbers_fit_their_cells_across_and_up(rows, cols, scale, whole,
                                                          presenter, seed):
    from ui.figures.fast_heatmap import DIGIT_EM, PLOT_PX, SMALL_CELL_PX, SMALLEST_FONT_PX

    values = np.random.default_rng(seed).normal(0, scale, (rows, cols))
    values = np.round(values) if whole else values
    numbers, decimals, font = cell_numbers(values, presenter)
    cell = min(PLOT_PX[presenter] / cols, SMALL_CELL_PX[presenter])
    longest = max(len(number(v, decimals=decimals)) for v in values.ravel())
    if numbers:
        assert font >= SMALLEST_FONT_PX[presenter]
        assert font * DIGIT_EM * longest <= cell and font <= 0.9 * cell
    else:
        assert font < SMALLEST_FONT_PX[presenter]


