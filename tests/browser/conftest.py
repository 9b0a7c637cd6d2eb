"""Fixtures of the browser tests: a Streamlit server per script (shared by the session) and
headless Debian Chromium; the server and browser helpers are tests/support/streamlit_server's."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Callable, Iterator

import pytest

from tests.support.streamlit_server import CHROMIUM, CHROMIUM_ARGS, start_streamlit, stop_streamlit


@pytest.fixture(scope="session")
def streamlit_app() -> Iterator[Callable[[str], str]]:
    """Factory: ``url = streamlit_app("app.py")`` starts (once per session) and returns a URL."""
    servers: dict[str, tuple[str, subprocess.Popen]] = {}

    def _url(script: str) -> str:
        if script not in servers:
            servers[script] = start_streamlit(script)
        return servers[script][0]

    yield _url
    for _, proc in servers.values():
        stop_streamlit(proc)


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright's sync API."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: browser tests need Debian's chromium "
            "(apt-get install chromium); scripts/test.sh installs it."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -r requirements-dev.txt")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        with contextlib.suppress(Exception):
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page (new browser context, so a new Streamlit session) per test."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    yield page
    context.close()
