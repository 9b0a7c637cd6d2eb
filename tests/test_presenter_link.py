"""Presenter mode lives in the URL while it is on (present=1): a reload, a page change or a
lesson link keeps it, and turning it off takes it out."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest_pages import ROOT
from ui.session import state

APP = str(ROOT / "app.py")
PAGES = ["app_pages/playground.py", "app_pages/training.py", "app_pages/lesson_1d.py",
         "app_pages/backprop.py", "app_pages/home.py"]


def opened(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_presenter_toggle_writes_present_1_and_takes_it_out_again():
    at = opened()
    assert "present" not in at.query_params
    at.toggle(key=state.PRESENTER).set_value(True).run()
    assert at.query_params["present"] == "1"
    at.toggle(key=state.PRESENTER).set_value(False).run()
    assert "present" not in at.query_params


@pytest.mark.parametrize("page", PAGES)
def test_present_1_stays_in_the_url_after_a_page_change(page):
    at = opened(present="1")
    assert at.session_state[state.PRESENTER] is True
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["present"] == "1"


def test_a_lesson_link_with_present_1_keeps_it():
    at = opened(lesson="edge-detection", present="1")
    assert at.session_state[state.PRESENTER] is True
    assert at.query_params["lesson"] == "edge-detection"
    assert at.query_params["present"] == "1"
