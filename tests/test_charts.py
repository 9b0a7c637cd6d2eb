"""ui.widgets.charts: the numbers behind every chart as tables, built only when they are
asked for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core.number_text import MINUS
from ui.figures.spec import SpecFigure
from ui.widgets.charts import (
    Matrix,
    Tiles,
    chart_title,
    marked_cells,
    matrix_table,
    styled,
    table_of,
    tiles_table,
)

RNG = np.random.default_rng(7)


def test_matrix_table_keeps_every_value_and_names_rows_and_columns():
    values = RNG.normal(size=(3, 4))
    table = matrix_table(values)
    np.testing.assert_array_equal(table.to_numpy(), values)
    assert list(table.index) == ["row 0", "row 1", "row 2"]
    assert list(table.columns) == ["col 0", "col 1", "col 2", "col 3"]


def test_matrix_table_numbers_padded_rows_from_minus_one_with_a_real_minus():
    table = table_of(Matrix(np.zeros((4, 3)), start=(-1, -1)))
    assert list(table.index) == [f"row {MINUS}1", "row 0", "row 1", "row 2"]
    assert list(table.columns) == [f"col {MINUS}1", "col 0", "col 1"]


def test_matrix_axes_can_be_named():
    table = table_of(Matrix(np.eye(2, dtype=np.int64), rows="true", cols="predicted"))
    assert list(table.index) == ["true 0", "true 1"]
    assert list(table.columns) == ["predicted 0", "predicted 1"]
    assert table.to_numpy().dtype == np.int64  # counts stay whole numbers


def test_tiles_table_stacks_the_maps_under_their_labels():
    maps = RNG.normal(size=(3, 2, 4))
    table = tiles_table(maps)
    np.testing.assert_array_equal(table.to_numpy(), maps.reshape(6, 4))
    assert list(table.index) == ["k0, row 0", "k0, row 1", "k1, row 0", "k1, row 1",
                                 "k2, row 0", "k2, row 1"]
    assert table.loc["k1, row 1"].tolist() == maps[1, 1].tolist()


def test_tiles_with_the_same_label_are_numbered_so_every_row_name_is_unique():
    table = table_of(Tiles(np.zeros((2, 1, 1)), ["3→8", "3→8"]))
    assert list(table.index) == ["1: 3→8, row 0", "2: 3→8, row 0"]


def test_table_of_reads_each_kind_of_numbers():
    np.testing.assert_array_equal(table_of(np.ones((2, 3))).to_numpy(), np.ones((2, 3)))
    assert table_of(np.zeros((4, 2, 2))).shape == (8, 2)  # a stack of maps
    assert table_of(np.array([1.0, 2.0]))["value"].tolist() == [1.0, 2.0]
    bars = table_of({"digit": np.arange(3), "probability": [0.5, 0.25, 0.25]})
    assert list(bars.columns) == ["digit", "probability"]
    assert bars["probability"].tolist() == [0.5, 0.25, 0.25]
    frame = pd.DataFrame({"a": [1]})
    assert table_of(frame) is frame
    assert table_of(lambda: frame) is frame


def test_styled_writes_six_significant_digits_real_minus_signs_and_no_negative_zero():
    frame = pd.DataFrame({"x": [-0.0, 2.5e-5, 1 / 3, -1.25], "n": [1, 2, 3, 4]})
    html = styled(frame).to_html()
    for text in (">0<", f">2.5e{MINUS}05<", ">0.333333<", f">{MINUS}1.25<"):
        assert text in html
    assert ">-0<" not in html and f">{MINUS}0<" not in html and ">-1.25<" not in html
    assert styled(frame).data is frame  # the exact values go along underneath


def test_marked_cells_lists_the_outlined_cells_in_reading_order():
    mask = np.array([[False, True], [True, True]])
    assert marked_cells(mask) == "Outlined cells [row, col]: [0, 1], [1, 0], [1, 1]."
    assert marked_cells(np.zeros((2, 2), dtype=bool)) == "Outlined cells [row, col]: none."


def test_chart_title_reads_a_spec_figure_without_building_it():
    figure = SpecFigure({"data": [{"type": "bar", "y": [1, 2]}],
                         "layout": {"title": {"text": "Kernel"}}})
    assert chart_title(figure) == "Kernel"
    assert "_layout_obj" not in figure.__dict__  # still a plain spec
    assert chart_title(SpecFigure({"data": [], "layout": {}})) == ""
    assert chart_title(go.Figure(layout=dict(title=dict(text="loss")))) == "loss"


def lazy_page() -> None:
    """A chart whose numbers fail if they are ever computed (they are, once asked for)."""
    import numpy as np
    import streamlit as st

    from ui.figures.spec import SpecFigure
    from ui.session.state import ensure_defaults
    from ui.widgets.charts import show_chart

    ensure_defaults()

    def numbers():
        st.session_state["built"] = st.session_state.get("built", 0) + 1
        return np.eye(2)

    figure = SpecFigure({"data": [{"type": "bar", "y": [1, 0]}],
                         "layout": {"title": {"text": "Identity"}}})
    show_chart(figure, numbers,
               marked=np.eye(2, dtype=bool))


@pytest.mark.parametrize("on", [False, True])
def test_numbers_are_built_and_shown_only_when_asked_for(on):
    at = AppTest.from_function(lazy_page)
    at.session_state["numbers_as_tables"] = on
    at.run()
    assert not at.exception
    chart = at.get("plotly_chart")[0]
    assert chart.proto.alt == "Identity"  # an accessible name either way
    assert len(at.table) == int(on)
    built = at.session_state["built"] if "built" in at.session_state else 0
    assert built == int(on)  # off: the numbers were never computed
    if on:
        np.testing.assert_array_equal(at.table[0].value.to_numpy(), np.eye(2))
        assert at.table[0].proto.alt == "The numbers of Identity"
        assert at.caption[0].value == "Outlined cells [row, col]: [0, 0], [1, 1]."
