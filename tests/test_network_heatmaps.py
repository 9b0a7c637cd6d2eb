"""ui.figures.network_heatmaps and ui.figures.bars: what the forward-pass and backprop pages
draw, checked once.

The builders hand plain dict specs to the browser (ui.figures.spec.SpecFigure), skipping
plotly's validation; here plotly validates each spec and must change nothing, and the
numbers in the spec, written in the cells and shown on hover, are cnn_core's.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from cnn_core import TinyCNN
from cnn_core.data import NOTES_EIGHT
from cnn_core.number_text import MINUS, number
from tests.support.arrays import plotly_array
from tests.support.plotly_specs import as_sent, validated, without_template
from ui.figures.bars import signed_bars
from ui.figures.network_heatmaps import mosaic, network_heatmap
from ui.figures.spec import SpecFigure
from ui.text.network import output_table, told_apart

RNG = np.random.default_rng(1)
MAPS = RNG.normal(size=(5, 4, 4))


@pytest.fixture(scope="module")
def forward() -> dict:
    """A 3-kernel network on the notes' 8: every intermediate the forward page shows."""
    return TinyCNN(3, 3, (5, 5), 2, 10, seed=3).forward(np.array(NOTES_EIGHT))


@pytest.mark.parametrize("figure", [
    network_heatmap(MAPS[0], title="t", outlined=MAPS[0] > 0, presenter=True),
    network_heatmap(np.abs(MAPS[0]), kind="positive", numbers=False),
    network_heatmap(MAPS[0].clip(0, 1), kind="ink", decimals=1),
    network_heatmap(RNG.normal(size=(12, 20))),
    mosaic(MAPS, kind="signed", numbers=True, labels=list("abcde")),
    mosaic(np.abs(MAPS), kind="positive", columns=2, presenter=True),
    mosaic(RNG.normal(size=(130, 2, 2)), columns=16),
    signed_bars(MAPS[0, 0], highlight=2, y_title="dL/dz", title="p − y"),
], ids=["heatmap", "no-numbers", "ink", "large", "mosaic-numbers", "mosaic", "mosaic-130",
        "signed-bars"])
def test_every_builder_makes_a_valid_plotly_figure_as_it_is(figure):
    assert isinstance(figure, SpecFigure)
    sent = as_sent(figure)
    assert sent["layout"]["template"] == {}  # Streamlit's theme styles the chart
    assert without_template(sent) == validated(figure)  # validation would change nothing


def test_heatmap_sends_the_engines_numbers_and_writes_them_in_the_cells(forward):
    feature = forward["feature_maps"][0, 1]
    trace = as_sent(network_heatmap(feature, title="Feature map", decimals=2))["data"][0]
    np.testing.assert_array_equal(plotly_array(trace["z"]), feature)  # exactly, as float64
    assert trace["text"] == [[number(v, decimals=2) for v in row] for row in feature]
    assert trace["texttemplate"] == "%{text}"
    assert trace["hovertemplate"] == "row %{y}, col %{x}: %{text}<extra></extra>"
    biggest = np.abs(feature).max()
    assert (trace["zmin"], trace["zmax"]) == (pytest.approx(-biggest), pytest.approx(biggest))


def test_heatmap_of_a_big_map_hovers_the_value_instead_of_writing_it():
    values = np.linspace(-1, 1, 12 * 12).reshape(12, 12)
    trace = as_sent(network_heatmap(values))["data"][0]
    assert "text" not in trace and "texttemplate" not in trace
    assert trace["hovertemplate"] == "row %{y}, col %{x}: %{z:.3f}<extra></extra>"
    np.testing.assert_array_equal(plotly_array(trace["z"]), values)


def test_heatmap_scales_follow_the_house_conventions():
    signed = as_sent(network_heatmap(np.array([[-2.0, 1.0]])))["data"][0]
    positive = as_sent(network_heatmap(np.array([[0.0, 3.0]])))["data"][0]
    ink = as_sent(network_heatmap(np.array([[0.0, 0.5]]), kind="ink"))["data"][0]
    assert (signed["zmin"], signed["zmax"]) == (-2.0, 2.0)  # centred at 0
    assert (positive["zmin"], positive["zmax"]) == (0.0, 3.0)
    assert (ink["zmin"], ink["zmax"]) == (0.0, 1.0)
    assert signed["colorscale"][0][1] == "rgb(45,0,75)"  # PuOr_r: purple for negative
    assert positive["colorscale"][-1][1] == "rgb(8,48,107)"  # Blues
    assert signed["text"] == [[f"{MINUS}2", "1"]]


def test_outlined_cells_get_a_dark_red_and_white_box_each():
    values = np.array([[1.0, 0.0], [0.0, 2.0]])
    shapes = as_sent(network_heatmap(values, outlined=values > 0))["layout"]["shapes"]
    assert [(s["x0"], s["y0"], s["x1"], s["y1"]) for s in shapes] == (
        [(-0.5, -0.5, 0.5, 0.5)] * 3 + [(0.5, 0.5, 1.5, 1.5)] * 3)
    assert [s["line"]["color"] for s in shapes[:3]] == ["#111111", "#d62728", "#ffffff"]
    widths = [s["line"]["width"] for s in shapes[:3]]
    assert widths == sorted(widths, reverse=True)  # each drawn inside the one before


def test_mosaic_puts_every_map_in_its_own_tile_and_hovers_its_kernel(forward):
    maps = forward["feature_maps"][0]  # (3, 3, 3)
    sent = as_sent(mosaic(maps, kind="signed", columns=2))
    trace = sent["data"][0]
    canvas, owner = plotly_array(trace["z"]), plotly_array(trace["customdata"])
    assert canvas.shape == owner.shape == (2 * (3 + 1), 2 * (3 + 1) - 1)
    for k in range(3):
        top, left = (k // 2) * 4 + 1, (k % 2) * 4
        np.testing.assert_array_equal(canvas[top : top + 3, left : left + 3], maps[k])
        assert np.all(owner[top : top + 3, left : left + 3] == k)
    assert np.isnan(canvas).sum() == canvas.size - maps.size  # the rest are gaps
    assert trace["hoverongaps"] is False
    assert trace["hovertemplate"] == "kernel %{customdata}: %{z:.3f}<extra></extra>"
    assert [a["text"] for a in sent["layout"]["annotations"]] == ["k0", "k1", "k2"]


def test_mosaic_with_numbers_writes_them_and_leaves_gaps_blank():
    trace = as_sent(mosaic(MAPS[:2], numbers=True, decimals=1))["data"][0]
    text = np.array(trace["text"])
    assert list(text[1, :4]) == [number(v, decimals=1) for v in MAPS[0, 0]]
    assert text[0, 0] == "" and text[1, 4] == ""  # label row and the column between tiles
    assert trace["hovertemplate"] == "kernel %{customdata}: %{text}<extra></extra>"


def test_signed_bars_send_the_values_and_write_them_with_three_decimals():
    values = np.array([0.25, -0.5, 0.125])
    bars = as_sent(signed_bars(values, highlight=1))["data"][0]
    np.testing.assert_array_equal(plotly_array(bars["y"]), values)
    assert bars["text"] == ["0.25", f"{MINUS}0.5", "0.125"]
    assert bars["marker"]["color"] == ["#b35806", "#1f4e9c", "#b35806"]
    assert bars["hovertemplate"] == "class %{x}: %{y:.5f}<extra></extra>"


def test_output_table_lists_every_class_logit_and_probability(forward):
    logits, p = forward["logits"][0], forward["probabilities"][0]
    table = output_table(logits, p)
    assert isinstance(table, pa.Table)  # st.dataframe sends it without a pandas conversion
    assert table.column_names == ["digit", "logit", "probability"]
    assert table.column("digit").to_pylist() == list(range(10))
    written = table.column("logit").to_pylist()
    assert all(text.count(".") == 1 and len(text.split(".")[1]) == 5 for text in written)
    assert not any("-" in text for text in written)
    np.testing.assert_allclose([float(t.replace(MINUS, "-")) for t in written], logits,
                               atol=5e-6)
    np.testing.assert_array_equal(table.column("probability").to_numpy(), p)


def test_told_apart_writes_two_close_losses_with_enough_digits_to_differ():
    assert told_apart(8.87e-5, 8.85e-5) == ("8.87e\u221205", "8.85e\u221205")
    before, after = told_apart(0.123456781, 0.123456789)
    assert before != after and float(before) == pytest.approx(0.123456781, rel=1e-7)
    assert told_apart(2.5, 2.5) == ("2.5", "2.5")
    assert told_apart(2.302585, 0.5) == ("2.303", "0.5")
