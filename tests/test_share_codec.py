"""Share-link codec: exact round trips, and tampered links that never crash."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_core.drawing import GRID_SIZES
from ui.codecs.url import (
    bool_field,
    choice_field,
    choice_list_field,
    decode_params,
    drawing_field,
    encode_params,
    float_field,
    int_field,
    kernel_field,
    matrix_field,
    number_list_field,
)
from ui.codecs.url_values import decode_drawing, decode_kernel, encode_drawing, encode_kernel

FIELDS = [
    drawing_field("d", np.zeros((5, 5))),
    int_field("pad", 0, 0, 3),
    float_field("lr", 0.01, 1e-6, 10.0),
    choice_field("k", "identity", ("identity", "sobel_vertical")),
    bool_field("relu", True),
    kernel_field("kv", np.eye(3)),
    matrix_field("m", np.eye(2), max_size=8, max_abs=1e6),
    number_list_field("f", "1, 2, 3"),
    choice_list_field("kn", ["identity"], ("identity", "sobel_vertical"), max_count=4),
]


@given(size=st.sampled_from(GRID_SIZES), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=60)
def test_ink_drawings_round_trip_exactly(size, seed):
    grid = (np.random.default_rng(seed).random((size, size)) < 0.3).astype(float)
    text = encode_drawing(grid)
    assert text.startswith(f"{size}.b.")
    np.testing.assert_array_equal(decode_drawing(text), grid)


@given(size=st.sampled_from(GRID_SIZES), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=60)
def test_grey_drawings_round_trip_to_the_grids_three_decimals(size, seed):
    grid = np.round(np.random.default_rng(seed).random((size, size)), 3)
    text = encode_drawing(grid)
    np.testing.assert_array_equal(decode_drawing(text), grid)


def test_a_32_by_32_ink_drawing_fits_in_under_200_characters():
    grid = np.zeros((32, 32))
    grid[4:28, 10:14] = 1
    assert len(encode_drawing(grid)) < 200


def test_kernels_round_trip_exactly_including_ninths():
    kernel = np.array([[1 / 9, -2.5, 0], [1e-3, 7, -1 / 3]])
    np.testing.assert_array_equal(decode_kernel(encode_kernel(kernel)), kernel)


@pytest.mark.parametrize("text, reason", [
    ("", "empty"), ("1~2_3", "rectangular"), ("a~b", "numbers"), ("nan~1", "finite"),
    ("1e9", "within"), ("_".join(["1"] * 8), "rectangular"),
])
def test_bad_kernel_text_is_refused_with_a_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        decode_kernel(text)


@pytest.mark.parametrize("text", [
    "5.b.", "6.b.AAAA", "5.x.AAAA", "5.b.!!!!", "5.g.AAAA", "32.b.AAAA", "5.b.AAAAAAAAAA",
    "5.b", "", "5.g." + "A" * 5000,
])
def test_malformed_drawings_are_refused(text):
    with pytest.raises(ValueError):
        decode_drawing(text)


def test_a_compressed_bomb_is_refused_without_inflating_it():
    import base64
    import zlib
    bomb = base64.urlsafe_b64encode(zlib.compress(b"\0" * 2_000_000, 9)).decode().rstrip("=")
    assert len(bomb) < 4096
    with pytest.raises(ValueError, match="length"):
        decode_drawing(f"32.g.{bomb}")


def test_values_survive_encode_then_decode_and_defaults_are_left_out():
    values = {"d": np.eye(5), "pad": 2, "lr": 0.3, "k": "sobel_vertical", "relu": False,
              "kv": np.full((2, 2), -1.5), "m": np.arange(64.0).reshape(8, 8) - 1e5,
              "f": "3, −1, 4e-2; 1", "kn": ["sobel_vertical", "identity", "sobel_vertical"]}
    params = encode_params(values, FIELDS)
    decoded, problems = decode_params(params, FIELDS)
    assert problems == {}
    for name, value in values.items():
        np.testing.assert_array_equal(decoded[name], value)
    assert encode_params({"pad": 0}, FIELDS) == {}


def test_each_tampered_param_falls_back_to_its_default_with_a_notice():
    params = {"pad": "99", "lr": "nan", "k": "<script>alert(1)</script>", "relu": "yes",
              "d": "5.b.@@", "kv": "1~x"}
    decoded, problems = decode_params(params, FIELDS)
    assert decoded["pad"] == 0 and decoded["lr"] == 0.01 and decoded["k"] == "identity"
    assert decoded["relu"] is True
    assert set(problems) == {"pad", "lr", "k", "relu", "d", "kv"}
    assert not any("<script>" in reason for reason in problems.values())


@given(params=st.dictionaries(
    st.sampled_from(["d", "pad", "lr", "k", "relu", "kv", "m", "f", "kn", "other"]),
    st.one_of(st.text(max_size=60), st.binary(max_size=40).map(lambda b: b.hex()),
              st.lists(st.text(max_size=10), max_size=3),
              st.integers().map(str), st.floats().map(str))))
@settings(max_examples=1200, deadline=None)
def test_the_decoder_never_raises_and_always_returns_valid_values(params):
    decoded, problems = decode_params(params, FIELDS)
    assert set(decoded) == {f.name for f in FIELDS}
    assert 0 <= decoded["pad"] <= 3
    assert np.isfinite(decoded["lr"]) and 1e-6 <= decoded["lr"] <= 10
    assert decoded["k"] in ("identity", "sobel_vertical")
    assert decoded["d"].shape[0] in GRID_SIZES and np.all((decoded["d"] >= 0) & (decoded["d"] <= 1))
    assert np.all(np.isfinite(decoded["kv"]))
    assert decoded["m"].ndim == 2 and max(decoded["m"].shape) <= 8
    assert np.all(np.abs(decoded["m"]) <= 1e6)
    assert len(decoded["f"]) <= 200 and "<" not in decoded["f"]
    assert len(decoded["kn"]) <= 4 and set(decoded["kn"]) <= {"identity", "sobel_vertical"}
    assert set(problems) <= set(params) & {f.name for f in FIELDS}


@given(text=st.text(alphabet="0123456789.bgABCDEFabcdef-_=+/!", max_size=300))
@settings(max_examples=400, deadline=None)
def test_random_drawing_text_either_decodes_to_a_valid_grid_or_raises_value_error(text):
    try:
        grid = decode_drawing(text)
    except ValueError:
        return
    assert grid.shape[0] in GRID_SIZES and np.all((grid >= 0) & (grid <= 1))


@pytest.mark.parametrize("field, text", [
    (number_list_field("f", "1"), "1, <b>2</b>"), (number_list_field("f", "1"), "1" * 201),
    (matrix_field("m", np.eye(2), max_size=3), "1~2~3~4"),
    (matrix_field("m", np.eye(2), max_size=3, max_abs=10), "11"),
    (choice_list_field("kn", [], ("identity",), max_count=2), "identity.identity.identity"),
    (choice_list_field("kn", [], ("identity",), max_count=2), "identity.<script>"),
])
def test_the_lesson_and_list_fields_refuse_what_does_not_fit(field, text):
    decoded, problems = decode_params({field.name: text}, [field])
    assert field.name in problems
    assert np.array_equal(decoded[field.name], field.default)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_drawing_holding_nan_or_infinity_is_refused_not_written_as_blank(bad):
    grid = np.full((8, 8), 0.5)
    grid[3, 4] = bad
    with pytest.raises(ValueError, match="NaN or infinity"):
        encode_drawing(grid)
