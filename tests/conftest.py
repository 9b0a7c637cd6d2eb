"""Shared test settings: AppTest failures show their real error, not the public redaction
that .streamlit/config.toml asks for on a deployed app."""

import streamlit.config


def pytest_configure(config):
    streamlit.config.set_option("client.showErrorDetails", "full")
