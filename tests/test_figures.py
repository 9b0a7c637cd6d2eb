"""ui.figures' fast path: SpecFigure and typed_array, which the curves are built on.

A SpecFigure's spec goes to the browser unchecked, so these tests check it once: plotly's
own validation must accept it unchanged, and the numbers in it must be the engine's.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from _plotly_utils.utils import to_typed_array_spec

from tests.support.arrays import plotly_array
from tests.support.plotly_specs import as_sent
from ui.figures.curves import curves
from ui.figures.spec import SpecFigure, typed_array

# ---- typed_array -------------------------------------------------------------------------------

@pytest.mark.parametrize("values", [np.arange(12.0).reshape(3, 4) - 5.5, np.array([0.25, -1.0]),
                                    np.arange(6, dtype=np.int16).reshape(2, 3)])
def test_typed_array_is_what_plotly_itself_sends(values):
    assert typed_array(values) == to_typed_array_spec(values)
    np.testing.assert_array_equal(plotly_array(typed_array(values)), values)


def test_typed_array_sends_64_bit_integers_as_int32_which_plotly_js_can_read():
    spec = typed_array(np.array([[0, -3], [70_000, 5]], dtype=np.int64))
    assert spec["dtype"] == "i4"
    np.testing.assert_array_equal(plotly_array(spec), [[0, -3], [70_000, 5]])
    assert typed_array(np.array([2**40]))["dtype"] == "f8"  # too big for int32: exact as f8


def test_typed_array_keeps_nan_gaps():
    values = np.array([[1.0, np.nan]])
    np.testing.assert_array_equal(plotly_array(typed_array(values)), values)


# ---- SpecFigure --------------------------------------------------------------------------------

def spec_figure() -> SpecFigure:
    return SpecFigure({"data": [{"type": "heatmap", "z": typed_array(np.eye(2))}],
                       "layout": {"height": 200, "margin": {"t": 10}, "template": {}}})


def test_streamlit_gets_the_spec_without_a_go_figure_being_built():
    figure = spec_figure()
    sent = as_sent(figure)
    assert sent["layout"] == {"height": 200, "margin": {"t": 10}, "template": {}}
    np.testing.assert_array_equal(plotly_array(sent["data"][0]["z"]), np.eye(2))
    assert "_layout_obj" not in figure.__dict__  # plotly's object tree was never made


def test_spec_figure_to_dict_is_a_copy_callers_may_add_keys_to():
    figure = spec_figure()
    copied = figure.to_dict()
    copied["layout"]["width"] = 300
    copied["data"][0]["name"] = "x"
    assert "width" not in figure.to_dict()["layout"]
    assert "name" not in figure.to_dict()["data"][0]


def test_plotly_api_use_turns_a_spec_figure_into_a_validated_figure():
    figure = spec_figure()
    assert figure.layout.height == 200  # built on first use
    figure.update_layout(height=500)
    assert figure.to_dict()["layout"]["height"] == 500
    np.testing.assert_array_equal(plotly_array(figure.to_dict()["data"][0]["z"]), np.eye(2))
    with pytest.raises(ValueError):  # from now on plotly checks every change
        figure.update_layout(height="tall")


def test_spec_figure_survives_deepcopy_and_pickle():
    figure = spec_figure()
    for twin in (copy.deepcopy(figure), pickle.loads(pickle.dumps(figure))):
        assert isinstance(twin, SpecFigure)
        assert as_sent(twin) == as_sent(figure)


@pytest.mark.parametrize("epochs", [1, 2, 7, 10, 11, 30, 50])
def test_the_epoch_axis_ticks_whole_epochs_and_none_past_the_last(epochs):
    x = list(range(1, epochs + 1))
    axis = curves({"train": [1.0 / e for e in x]}, x=x, y_title="loss").layout.xaxis
    low, high = axis.range
    ticks = np.arange(axis.tick0, high + 1e-9, axis.dtick)
    ticks = ticks[ticks >= low]
    assert ticks.size and np.all(ticks == np.round(ticks)) and ticks.size <= 11
    assert ticks[0] == 1 and ticks[-1] <= epochs  # 30 epochs: no tick at 31 any more
    assert high < epochs + 1 and low > 0
