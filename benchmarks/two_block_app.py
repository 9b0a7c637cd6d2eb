"""The app with a two-block network of 16 channels each in every session, for
benchmarks.browser --two-blocks (issue: the Forward pass with two blocks of 16 channels).

The network is ConvNet(TWO_BLOCKS_16, seed 0), untrained: what a stroke costs does not
depend on the weights' values, only on the shapes (28x28 → 16×26×26 → 16×13×13 →
16×11×11 → 16×5×5 → 400 → 10).
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

from cnn_core.network import ConvNet
from cnn_core.network_spec import BlockSpec, NetworkSpec
from ui.session.state import TRAINED_MODEL

TWO_BLOCKS_16 = NetworkSpec((28, 28), (BlockSpec(16, 3, pool="max"), BlockSpec(16, 3, pool="max")))

if st.session_state.get(TRAINED_MODEL) is None:
    st.session_state[TRAINED_MODEL] = ConvNet(TWO_BLOCKS_16, 0)
runpy.run_path(str(Path(__file__).resolve().parents[1] / "app.py"), run_name="__main__")
