#!/usr/bin/env bash
# Installs everything the test suite needs (pip packages and Debian's chromium for the
# browser tests), then runs ruff and the whole pytest suite. pytest's exit code 5 ("no tests
# collected") is non-zero, so `set -e` turns it into a failure too.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
python -m pip install -q -r requirements-dev.txt
python -m ruff check .
python -m pytest "$@"
