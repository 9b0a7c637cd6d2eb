"""The map component's Streamlit side: picks from the browser are validated, the revision
moves only when the maps change (its JS and CSS going by path: tests/test_served_components)."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ui.widgets.map import Map, build_payload
from ui.widgets.map.component import Picked, decode_pick

PAYLOAD = build_payload([Map(np.zeros((3, 4)), id="single", pick=True),
                         Map(np.zeros((5, 2, 2)), id="tiles", pick=True),
                         Map(np.zeros((2, 2)), id="still")])


@pytest.mark.parametrize(("value", "expected"), [
    ({"map": "single", "row": 2, "col": 3}, Picked("single", 2, 3)),
    ({"map": "tiles", "row": 1, "col": 0, "tile": 4}, Picked("tiles", 1, 0, 4)),
    ({"map": "single", "row": 3, "col": 0}, None),  # below the last row
    ({"map": "single", "row": 0, "col": -1}, None),
    ({"map": "tiles", "row": 0, "col": 0, "tile": 5}, None),
    ({"map": "still", "row": 0, "col": 0}, None),  # not pickable
    ({"map": "nope", "row": 0, "col": 0}, None),
    ({"map": "single", "row": True, "col": 0}, None),
    ({"map": "single", "row": 1.0, "col": 0}, None),
    ("single,1,1", None),
    (None, None),
])
def test_picks_are_checked_against_the_maps_sent(value, expected):
    assert decode_pick(value, PAYLOAD) == expected


APP = """
import numpy as np
import streamlit as st
from ui.widgets.map import map_view, Map

values = np.arange(6.0).reshape(2, 3) * st.session_state.setdefault("scale", 1)
picked = map_view(Map(values, title="demo", pick=True), key="maps")
st.text(f"picked={picked}")
st.text(f"revision={st.session_state['_map_revision_maps'][0]}")
"""


def run_app(scale: int = 1) -> AppTest:
    app = AppTest.from_string(APP, default_timeout=30)
    app.session_state["scale"] = scale
    return app.run()


def texts(app: AppTest) -> list[str]:
    return [text.value for text in app.text]


def test_map_view_runs_and_nothing_is_picked_at_first():
    app = run_app()
    assert not app.exception
    assert texts(app)[0] == "picked=None"


def test_revision_moves_when_the_maps_change_and_only_then():
    app = run_app()
    assert texts(app)[1] == "revision=1"
    app.run()
    assert texts(app)[1] == "revision=1"
    app.session_state["scale"] = 2
    app.run()
    assert texts(app)[1] == "revision=2"


def test_map_view_refuses_a_missing_key_and_bad_maps():
    app = AppTest.from_string(
        "import numpy as np\nfrom ui.widgets.map import map_view, Map\n"
        "map_view(Map(np.zeros(3)), key='k')\n", default_timeout=30).run()
    assert app.exception and "2D" in app.exception[0].message
    app = AppTest.from_string(
        "import numpy as np\nfrom ui.widgets.map import map_view, Map\n"
        "map_view(Map(np.zeros((2, 2))), key='')\n", default_timeout=30).run()
    assert app.exception and "key" in app.exception[0].message


TABLES = """
import numpy as np
import streamlit as st
from ui.session.state import NUMBERS_AS_TABLES
from ui.widgets.map import map_view, Map

st.session_state[NUMBERS_AS_TABLES] = True
winners = np.array([[False, True], [True, False]])
map_view([Map(np.array([[1.0, -2.0], [0.5, 4.0]]), title="pooled",
              boxes=[(0, 1, 1, 1), (1, 0, 1, 1), (0, 0, 2, 2)]),
          Map(np.arange(8.0).reshape(2, 2, 2), title="tiles", labels=["a", "b"])], key="maps")
"""


def test_numbers_as_tables_follow_every_map_with_its_outlined_cells_in_words():
    app = AppTest.from_string(TABLES, default_timeout=30).run()
    assert not app.exception
    pooled, tiles = (table.value for table in app.table)
    assert pooled.to_numpy().tolist() == [[1.0, -2.0], [0.5, 4.0]]
    assert list(tiles.index) == ["a, row 0", "a, row 1", "b, row 0", "b, row 1"]
    assert tiles.to_numpy().ravel().tolist() == list(range(8))
    assert [caption.value for caption in app.caption] == [
        "Outlined cells [row, col]: [0, 1], [1, 0]."]
