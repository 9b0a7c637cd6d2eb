"""Lesson links: ?lesson=<name> opens the right page with its values and hidden controls."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ui.session import state
from ui.session.lesson_links import HIDDEN, LESSONS

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_lesson(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lesson"] = name
    return at.run()


@pytest.mark.parametrize("name", list(LESSONS))
def test_each_lesson_link_opens_its_page_with_its_values(name):
    lesson = LESSONS[name]
    at = open_lesson(name)
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"Lesson: {lesson.title}" in m.value for m in at.markdown)
    for key, value in lesson.values.items():
        assert at.session_state[key] == value
    np.testing.assert_array_equal(at.session_state[state.DRAWING], lesson.drawing)
    assert at.query_params["lesson"] == name


def labels(at: AppTest) -> set[str]:
    return {w.label for w in at.get("button_group")} | {t.label for t in at.toggle}


def test_edge_detection_hides_stride_and_pooling_until_the_teacher_shows_them():
    at = open_lesson("edge-detection")
    assert "Padding P" in labels(at)
    assert not {"Stride S", "Pooling", "Pool size"} & labels(at)
    at.button(key="lesson_show_all").click().run()
    assert not at.exception
    assert at.session_state[HIDDEN] == frozenset()
    assert {"Stride S", "Pooling", "Pool size"} <= labels(at)


def test_an_unknown_lesson_says_which_ones_exist_and_opens_home():
    at = open_lesson("<b>nope</b>")
    assert not at.exception
    notice = [c.value for c in at.caption if "Unknown lesson" in c.value]
    assert notice and "edge-detection" in notice[0] and "<b>" not in notice[0]
