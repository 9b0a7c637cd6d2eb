"""Shared test settings: AppTest failures show their real error, not the public redaction
that .streamlit/config.toml asks for on a deployed app; the monkey's command-line options."""

import streamlit.config


def pytest_addoption(parser):
    group = parser.getgroup("monkey", "the random-clicking monkey (tests/test_monkey.py, "
                                      "tests/browser/test_monkey.py)")
    group.addoption("--monkey-long", action="store_true",
                    help="the long monkey run: >= 5,000 AppTest and >= 300 browser interactions")
    group.addoption("--monkey-seed", type=int, default=0,
                    help="first seed of the monkey's walks (default 0); a seed replays its walk")


def pytest_configure(config):
    streamlit.config.set_option("client.showErrorDetails", "full")
