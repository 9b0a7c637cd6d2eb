"""cnn_core/number_text.py: the one number formatter (three styles) and the one parser of
typed numbers, checked against hand-written texts and Python's own float()."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnn_core.number_text import MINUS, MINUS_LOOKALIKES, number, parse_number


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (0.5, 2, "0.5"), (-1.25, 2, "\u22121.25"), (1 / 3, 2, "0.33"), (2.0, 2, "2"),
    (-0.004, 2, "0"), (0.004, 2, "0"), (-0.0, 2, "0"), (0.125, 1, "0.1"),
    (10.0, 0, "10"), (100.0, 0, "100"), (-20.0, 0, "\u221220"), (7.6, 0, "8"),
])
def test_decimals_drop_trailing_zeros_but_never_the_zeros_of_a_whole_number(value, decimals,
                                                                               text):
    assert number(value, decimals=decimals) == text


def test_keep_zeros_writes_every_decimal_and_no_signed_zero():
    assert number(-0.0051, decimals=5, keep_zeros=True) == "\u22120.00510"
    assert number(-0.000001, decimals=5, keep_zeros=True) == "0.00000"
    assert number(2, decimals=5, keep_zeros=True) == "2.00000"


@pytest.mark.parametrize(("value", "digits", "text"), [
    (-0.000556821, 6, "\u22120.000556821"), (8.87e-05, 3, "8.87e\u221205"),
    (-0.0, 4, "0"), (1234.5678, 4, "1235"), (2.5e-5, 6, "2.5e\u221205"),
])
def test_digits_write_significant_digits(value, digits, text):
    assert number(value, digits=digits) == text


@pytest.mark.parametrize(("value", "text"), [
    (-4.0, "\u22124"), (0.0001234, "0.000123"), (1234.5, "1234.5"), (-1 / 9, "\u22120.1111"),
])
def test_the_notes_style_writes_integers_bare_and_four_decimals(value, text):
    assert number(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
       st.integers(0, 6))
def test_every_style_reads_back_as_the_rounded_value(value, decimals):
    for text, close in ((number(value, decimals=decimals), 0.5 * 10 ** -decimals),
                        (number(value, digits=decimals + 1), abs(value) * 10 ** -decimals)):
        assert "-" not in text and not text.startswith(MINUS + "0" * len(text[1:]))
        back = float(text.replace(MINUS, "-"))
        assert back == pytest.approx(value, abs=close * 1.0001 + 1e-300)


@pytest.mark.parametrize("dash", [*MINUS_LOOKALIKES, "-"])
def test_every_minus_lookalike_reads_as_minus(dash):
    assert parse_number(f"{dash}2.5") == -2.5
    assert parse_number(f"1/{dash}4") == -0.25


@pytest.mark.parametrize(("text", "value"), [
    ("2", 2.0), (" 0.5 ", 0.5), ("1e-3", 0.001), ("1/9", 1 / 9), ("+3", 3.0), ("-1/-2", 0.5),
])
def test_numbers_and_fractions_parse_like_float_and_division(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(("text", "message"), [
    ("", "nothing is typed"), ("   ", "nothing is typed"), (None, "nothing is typed"),
    (math.nan, "nothing is typed"), ("two", "'two' is not a number"),
    ("nan", "'nan' is NaN or infinity"), ("-inf", "'-inf' is NaN or infinity"),
    ("1/0", "'1/0' divides by zero"), ("1e400", "'1e400' is too large"),
    ("1e300/1e-300", "is too large"), ("1/2/3", "is not a number"),
    ("x" * 30, "'" + "x" * 20 + "…' is not a number"),
])
def test_bad_texts_say_what_is_wrong_and_repeat_at_most_twenty_characters(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_number(text)


def test_a_billion_digit_exponent_is_too_large_not_slow():
    with pytest.raises(ValueError, match="too large"):
        parse_number("1e999999999")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_what_number_writes_parse_number_reads_back(value):
    assert parse_number(number(value, digits=17)) == np.float64(value)


def test_stage_anchors_are_url_safe_and_one_per_stage():
    from cnn_core.network import ConvNet
    from cnn_core.network_spec import BlockSpec, NetworkSpec
    from cnn_core.stages import network_stages
    from ui.text.network import stage_anchor

    spec = NetworkSpec((12, 12), (BlockSpec(2, 3, 1, 1, "max", 2), BlockSpec(3, 3, 0, 1, "avg", 2)))
    keys = [stage.key for stage in network_stages(ConvNet(spec), np.zeros((12, 12)))]
    anchors = [stage_anchor(key) for key in keys]
    assert stage_anchor("block1.max pool") == "stage-block1-max-pool"
    assert len(set(anchors)) == len(keys)
    assert all(a.replace("-", "").isalnum() and a.startswith("stage-") for a in anchors)
