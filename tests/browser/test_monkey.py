"""The random-clicking monkey in headless Chromium (issue 11): on the real app, random strokes
on the drawing grid, clicks, select boxes, typing, key presses and page changes, from a seed.

After each interaction (once the app is idle again) there must be no exception box and no
console error or uncaught page error (tests/support/monkey_browser.py). A failure prints the
seed and the trail. The AppTest monkey (tests/test_monkey.py) does the many interactions;
this one checks what only a browser does: real strokes, the frontend, fragment reruns.

    python -m pytest tests/browser/test_monkey.py                 # CI: 60 interactions
    python -m pytest tests/browser/test_monkey.py --monkey-long   # 4 walks of 80: 320
"""

from __future__ import annotations

import os
from unittest.mock import patch

import pytest
from playwright.sync_api import Error

from tests.support.monkey_browser import BrowserMonkey

pytestmark = pytest.mark.browser

APP = "./app.py"  # the app, under its own key: this module gets its own server (see app_url)
CI_WALK = 60  # interactions in the CI run's one walk
LONG_WALKS, LONG_WALK = 4, 80  # --monkey-long
LOAD_MS = 90_000  # first load on a busy 2-core machine


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "walk" not in metafunc.fixturenames:
        return
    first = metafunc.config.getoption("--monkey-seed")
    long = metafunc.config.getoption("--monkey-long")
    plans = [(first + i, LONG_WALK) for i in range(LONG_WALKS)] if long else [(first, CI_WALK)]
    metafunc.parametrize("walk", plans, ids=[f"seed{seed}" for seed, _ in plans])


@pytest.fixture(scope="module")
def app_url(streamlit_app) -> str:
    """A server of the app for the monkey alone, started with full error details, so that a
    failure shows the real error instead of .streamlit/config.toml's public redaction."""
    with patch.dict(os.environ, {"STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "full"}):
        return streamlit_app(APP)


def test_browser_monkey_finds_no_failure(browser, app_url, walk, request) -> None:
    seed, steps = walk
    long = " --monkey-long" if request.config.getoption("--monkey-long") else ""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        monkey = BrowserMonkey(page, seed)
        page.goto(app_url)
        page.get_by_role("heading", name="CNN Playground").wait_for(timeout=LOAD_MS)
        problems: list[str] = []
        while len(monkey.trail) < steps and not problems:
            monkey.step()
            try:
                monkey.settle()
            except Error:
                problems.append(f"the app was still running {monkey.settle_ms // 1000} s "
                                "after the interaction")
            problems += monkey.problems()
        missed = sum(": missed" in step for step in monkey.trail)
        print(f"browser monkey seed {seed}: {len(monkey.trail)} interactions ({missed} missed)")
        if problems:
            pytest.fail("\n".join([
                f"browser monkey, seed {seed}: failure after {len(monkey.trail)} interactions. "
                f"Replay (the same choices, as far as the page's timing allows): python -m "
                f"pytest tests/browser/test_monkey.py{long} --monkey-seed={seed} -k seed{seed}",
                *(f"  PROBLEM {p}" for p in problems), "  trail:",
                *(f"    {t}" for t in monkey.trail)]), pytrace=False)
        assert len(monkey.trail) == steps
    finally:
        context.close()
