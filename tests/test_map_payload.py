"""The map component's payload: what Python sends the browser for every map.

Values travel as base64 float32 and must decode to the same numbers; cell numbers are the
Python formatter's text of those float32 values; the scale's range and stops are the ones
the plotly heatmaps used; bad input is a ValueError that names the map.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnn_core.number_text import MINUS, number
from tests.support.arrays import sent_map
from ui.figures.spec import colour_scale
from ui.widgets.map.payload import (
    NUMBERED_UP_TO,
    Map,
    build_payload,
    hex_stops,
    hover_number,
    outlined_boxes,
)


def decoded(entry: dict) -> np.ndarray:
    """The values the browser decodes from a map entry, shaped (K, h, w)."""
    return sent_map(entry).values


def texts(entry: dict) -> list[str]:
    """The cell numbers as the browser writes them (the real minus sign put back)."""
    return sent_map(entry).numbers


def only(maps: Map | list[Map], **options) -> dict:
    return build_payload(maps, **options)["maps"][0]


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 7), st.integers(1, 7)),
              elements=st.floats(-1e4, 1e4, allow_nan=False)))
def test_values_round_trip_through_float32_base64(values):
    entry = only(Map(values))
    assert entry["shape"] == [1, *values.shape]
    np.testing.assert_array_equal(decoded(entry)[0], values.astype(np.float32))


def test_cell_numbers_are_the_python_formatter_text_of_the_float32_values():
    values = np.array([[-1.25, 0.125, 2 / 3], [1e-4, -0.0, 12.5]])
    entry = only(Map(values, decimals=2))
    expected = [number(float(v), decimals=2) for v in values.astype(np.float32).ravel()]
    assert texts(entry) == expected
    assert texts(entry)[0] == f"{MINUS}1.25"  # a real minus sign on screen
    assert MINUS not in entry["text"]  # but 1 byte on the wire


def test_nan_cells_are_gaps_without_text_and_do_not_set_the_range():
    values = np.array([[np.nan, -2.0], [0.5, np.nan]])
    entry = only(Map(values))
    assert np.isnan(decoded(entry)[0, 0, 0]) and np.isnan(decoded(entry)[0, 1, 1])
    assert texts(entry) == ["", f"{MINUS}2", "0.5", ""]
    assert (entry["kind"], entry["lo"], entry["hi"]) == ("signed", -2.0, 2.0)


def test_all_nan_map_gets_a_unit_range_instead_of_zero_width():
    entry = only(Map(np.full((2, 2), np.nan), kind="positive"))
    assert (entry["lo"], entry["hi"]) == (0.0, 1.0)


@pytest.mark.parametrize(("values", "kind", "expected"), [
    ([[0.5, 3.0]], "auto", ("positive", 0.0, 3.0)),
    ([[0.5, -3.0]], "auto", ("signed", -3.0, 3.0)),
    ([[0.5, 0.25]], "ink", ("ink", 0.0, 1.0)),
    ([[0.0, 0.0]], "auto", ("positive", 0.0, 1.0)),
    ([[1.0, -0.5]], "signed", ("signed", -1.0, 1.0)),
])
def test_scale_range_is_centred_for_signed_and_from_zero_for_positive(values, kind, expected):
    entry = only(Map(np.array(values), kind=kind))
    assert (entry["kind"], entry["lo"], entry["hi"]) == expected


def test_value_range_shares_one_scale_between_maps():
    entries = build_payload([Map(np.ones((2, 2)), value_range=(-4, 4)),
                             Map(np.eye(2) * 3, value_range=(-4, 4))])["maps"]
    assert [(e["lo"], e["hi"]) for e in entries] == [(-4.0, 4.0), (-4.0, 4.0)]


@pytest.mark.parametrize("presenter", [False, True])
@pytest.mark.parametrize("kind", ["signed", "positive", "ink"])
def test_colour_stops_are_colour_scale_in_hex(kind, presenter):
    stops = hex_stops(kind, presenter)
    reference = colour_scale(kind, presenter)
    assert [position for position, _ in stops] == pytest.approx(
        [float(position) for position, _ in reference], abs=1e-6)
    for (_, hex_colour), (_, rgb) in zip(stops, reference, strict=True):
        channels = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        assert f"rgb({channels[0]},{channels[1]},{channels[2]})" == rgb


def test_payload_sends_the_stops_of_the_kinds_it_uses_only():
    payload = build_payload([Map(np.ones((2, 2)), kind="ink"),
                             Map(-np.ones((2, 2)))], presenter=True)
    assert set(payload["scales"]) == {"ink", "signed"}
    assert payload["scales"]["signed"] == hex_stops("signed", True)
    assert payload["scales"]["signed"] != hex_stops("signed", False)


def test_numbers_go_to_maps_up_to_sixteen_wide_and_never_to_tiles_by_default():
    assert "text" in only(Map(np.ones((3, NUMBERED_UP_TO))))
    assert "text" not in only(Map(np.ones((3, NUMBERED_UP_TO + 1))))
    assert "text" not in only(Map(np.ones((4, 3, 3))))
    assert len(texts(only(Map(np.ones((4, 3, 3)), numbers=True)))) == 36
    assert "text" not in only(Map(np.ones((2, 2)), numbers=False))


def test_tiles_are_labelled_k0_k1_and_their_columns_clamped_to_the_count():
    entry = only(Map(np.zeros((3, 2, 2)), tile_columns=8))
    assert entry["tiles"] == {"cols": 3, "labels": ["k0", "k1", "k2"]}
    named = only(Map(np.zeros((2, 2, 2)), labels=["3→8", "1→7"], tile_columns=1))
    assert named["tiles"] == {"cols": 1, "labels": ["3→8", "1→7"]}


def test_boxes_inner_and_pick_are_passed_as_lists():
    winners = np.array([[True, False], [False, True]])
    entry = only(Map(np.zeros((4, 4)), boxes=outlined_boxes(winners), inner=(1, 1, 2, 2),
                     pick=True))
    assert entry["boxes"] == [[0, 0, 1, 1], [1, 1, 1, 1]]
    assert entry["inner"] == [1, 1, 2, 2]
    assert entry["pick"] is True
    assert "pick" not in only(Map(np.zeros((2, 2))))


def test_payload_options_and_defaults():
    payload = build_payload([Map(np.zeros((2, 2)), id="a"), Map(np.zeros((2, 2)), title="B")],
                            revision=7, presenter=True)
    assert (payload["v"], payload["rev"], payload["presenter"]) == (1, 7, True)
    assert payload["columns"] == 2
    assert (payload["cell"], payload["side"]) == (62, 560)
    assert [m["id"] for m in payload["maps"]] == ["a", "m1"]
    assert [m["label"] for m in payload["maps"]] == ["map 0", "B"]
    assert build_payload(Map(np.zeros((2, 2))), cell_px=20)["cell"] == 20


def test_payload_is_json_and_a_28x28_map_costs_about_its_float32_bytes():
    entry_text = json.dumps(build_payload(Map(np.random.default_rng(0).random((28, 28)))))
    raw = 28 * 28 * 4
    assert 4 * raw / 3 < len(entry_text) < 4 * raw / 3 + 800


@pytest.mark.parametrize(("values", "message"), [
    (np.zeros(4), "2D"),
    (np.zeros((1, 2, 2, 2)), "2D"),
    (np.zeros((0, 3)), "empty"),
    (np.array([[1.0, np.inf]]), "finite"),
    (np.array([["a", "b"]]), "numbers"),
])
def test_bad_values_raise_value_errors_that_name_the_map(values, message):
    with pytest.raises(ValueError, match=message) as error:
        build_payload(Map(values, title="Feature map"))
    assert "Feature map" in str(error.value)


@pytest.mark.parametrize(("spec", "message"), [
    (Map(np.zeros((2, 2)), kind="rainbow"), "kind"),
    (Map(np.zeros((2, 2)), boxes=[(1, 1, 2, 1)]), "not inside"),
    (Map(np.zeros((2, 2)), boxes=[(0, 0, 0, 1)]), "not inside"),
    (Map(np.zeros((2, 2)), boxes=[(0, 0)]), "row, col"),
    (Map(np.zeros((2, 2)), inner=(-1, 0, 1, 1)), "not inside"),
    (Map(np.zeros((3, 2, 2)), labels=["a"]), "labels"),
    (Map(np.zeros((2, 2)), value_range=(1, 1)), "value_range"),
])
def test_bad_options_raise_value_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        build_payload(spec)


def test_bad_collections_raise_value_errors():
    with pytest.raises(ValueError, match="no maps"):
        build_payload([])
    with pytest.raises(ValueError, match="differ"):
        build_payload([Map(np.zeros((2, 2)), id="x"), Map(np.ones((2, 2)), id="x")])
    with pytest.raises(ValueError, match="columns"):
        build_payload(Map(np.zeros((2, 2))), columns=0)
    with pytest.raises(ValueError, match="Map"):
        build_payload([np.zeros((2, 2))])  # type: ignore[list-item]


@pytest.mark.parametrize("value", [1.0625, -0.00012345, 2.5e-7, 12345.6, 9999.6, 0.125,
                                   -2 / 3, 1e-5, 100.0, -1234.5, 3.14159265])
def test_hover_number_is_four_significant_digits_of_the_float32(value):
    text = hover_number(value)
    assert "-" not in text  # a real minus sign
    assert text.startswith(MINUS) == (value < 0)
    back = float(text.replace(MINUS, "-"))
    assert back == pytest.approx(float(np.float32(value)), rel=5e-4)


def test_hover_number_never_writes_minus_zero():
    assert hover_number(-0.0) == "0"
    assert hover_number(0.0) == "0"


def test_a_map_with_values_beyond_float32_goes_as_float64_and_writes_them():
    values = np.array([[1e39, -2.5], [0.0, -3e300]])
    entry = only(Map(values, decimals=2))
    assert entry["dtype"] == "f8"
    np.testing.assert_array_equal(decoded(entry)[0], values)  # never inf
    assert texts(entry) == [number(float(v), decimals=2) for v in values.ravel()]
    assert "dtype" not in only(Map(values / 1e300))  # in range: float32 as always
