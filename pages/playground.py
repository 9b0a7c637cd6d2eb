"""Placeholder: this page is being built."""

import streamlit as st

from ui.state import ensure_defaults

ensure_defaults()
st.title("playground")
st.info("This page is coming soon.")
