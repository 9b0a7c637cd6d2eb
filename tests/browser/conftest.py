"""Fixtures for browser tests: a Streamlit server per script and a headless Chromium.

Browser tests need Debian's chromium at /usr/bin/chromium (CI installs it); when it is
missing they fail with a clear message instead of skipping.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def start_streamlit(script: str) -> tuple[str, subprocess.Popen]:
    """Start ``streamlit run <script>`` (path relative to the repo root); return (url, proc).

    Waits until /_stcore/health answers "ok" (at most 60 s); the caller must stop the process.
    """
    if not (REPO_ROOT / script).is_file():
        raise FileNotFoundError(f"no Streamlit script at {REPO_ROOT / script}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", script,
            "--server.headless", "true",
            "--server.port", str(port),
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if _healthy(url):
            return url, proc
        time.sleep(0.25)
    stop_streamlit(proc)
    log.seek(0)
    output = log.read().decode(errors="replace")
    raise RuntimeError(f"streamlit run {script} did not become healthy at {url}:\n{output}")


def stop_streamlit(proc: subprocess.Popen) -> None:
    """Terminate a server from start_streamlit (kill it if it ignores SIGTERM for 10 s)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


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
