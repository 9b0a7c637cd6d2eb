"""The Streamlit server and Chromium the browser tests and the browser benchmarks share.

Browser tests need Debian's chromium at /usr/bin/chromium (CI installs it); when it is
missing they fail with a clear message instead of skipping.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

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
