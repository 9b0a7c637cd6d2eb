"""A map's ``start``: what its ticks and hover call the first cell (a padded input's −1)."""

from __future__ import annotations

import numpy as np
import pytest

from ui.widgets.map import Map, build_payload


def test_a_map_counted_from_minus_one_says_so_and_an_ordinary_map_sends_nothing():
    padded = np.pad(np.arange(9.0).reshape(3, 3), 1)
    entries = build_payload([Map(padded, id="f", start=(-1, -1)), Map(padded, id="g")])["maps"]
    assert entries[0]["start"] == [-1, -1]
    assert "start" not in entries[1]
    assert entries[0]["shape"] == entries[1]["shape"] == [1, 5, 5]  # the values are the same


@pytest.mark.parametrize("start", [(-2, 0), (0, -3)])
def test_a_start_on_one_axis_keeps_the_other_at_zero(start):
    (entry,) = build_payload(Map(np.zeros((4, 4)), start=start))["maps"]
    assert entry["start"] == list(start)
