"""The drawing grid and the map component send their JS and CSS by path (served once per
page load by ui.widgets.served), not their text on every rerun: in every runtime (AppTest
makes one per test, as a second server process would)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui.widgets.grid.component import GRID
from ui.widgets.map.component import MAP

APP = """
import numpy as np
from ui.widgets.grid import drawing_grid
from ui.widgets.map import Map, map_view
drawing_grid(np.zeros((5, 5)), key="grid", revision=0)
map_view(Map(np.arange(6.0).reshape(2, 3), title="demo"), key="maps")
"""


@pytest.mark.parametrize("attempt", [1, 2])  # a second runtime declares the folders again
def test_both_components_send_file_names_not_file_contents(attempt):
    app = AppTest.from_string(APP, default_timeout=30).run()
    assert not app.exception
    sent = {e.proto.component_name: e.proto for e in app.get("bidi_component")}
    assert set(sent) == {"cnn_playground.drawing_grid", "cnn_playground.map"}
    for component, (js, css) in ((GRID, ("grid.js", "grid.css")), (MAP, ("map.js", "map.css"))):
        proto = sent[component.name]
        assert (proto.js_source_path, proto.css_source_path) == (js, css)
        assert proto.js_content == proto.css_content == ""
        assert component.by_path
    assert 'class="cnn-grid"' in sent[GRID.name].html_content  # the short HTML still goes
