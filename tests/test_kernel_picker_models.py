"""The kernel picker offers the session network's first-block kernels, TinyCNN or ConvNet."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from cnn_core import TinyCNN
from cnn_core.network import ConvNet
from cnn_core.network_spec import BlockSpec, NetworkSpec
from ui.widgets.kernel_picker import first_block_kernels

SPEC = NetworkSpec((12, 12), (BlockSpec(5, 3, 1, 1, "max", 2), BlockSpec(4, 3, 1, 1, "avg", 2)),
                   10)


def test_a_convnets_first_block_kernels_lose_their_one_input_channel():
    model = ConvNet(SPEC, seed=2)
    kernels = first_block_kernels(model)
    assert kernels.shape == (5, 3, 3)
    np.testing.assert_array_equal(kernels, model.params["block1.kernels"][:, 0])
    assert not np.array_equal(kernels, model.params["block2.kernels"][:5, 0])


def test_a_tiny_cnns_kernels_are_its_first_block_kernels():
    model = TinyCNN(n_kernels=3, kernel_size=3, image_shape=(5, 5), seed=4)
    np.testing.assert_array_equal(first_block_kernels(model), model.params["kernels"])


def picker_app() -> None:
    """A page that makes a ConvNet the session's model, then offers and resolves a kernel."""
    import streamlit as st

    from cnn_core.network import ConvNet
    from cnn_core.network_spec import BlockSpec, NetworkSpec
    from ui.session import state
    from ui.session.models import use_model
    from ui.widgets.kernel_picker import kernel_pick, kernel_select

    state.ensure_defaults()
    if st.session_state.get("make_convnet", True) and "made" not in st.session_state:
        spec = NetworkSpec((12, 12), (BlockSpec(5, 3, 1, 1, "max", 2),
                                      BlockSpec(4, 3, 1, 1, "avg", 2)), 10)
        use_model(ConvNet(spec, seed=2))
        st.session_state["made"] = True
    choice = kernel_select("t_")
    pick = kernel_pick(choice, "t_")
    st.session_state["picked_kernel"] = pick.kernel
    st.write(pick.label)


def test_the_picker_offers_and_resolves_a_convnets_first_block_kernels():
    at = AppTest.from_function(picker_app, default_timeout=30).run()
    assert not at.exception
    box = at.selectbox(key="t_kernel")
    assert [o for o in box.options if o.startswith("Learned kernel")] == [
        f"Learned kernel {i}" for i in range(5)]  # block 1's 5 channels, not block 2's 4
    box.select("learned:3").run()
    assert not at.exception
    expected = ConvNet(SPEC, seed=2).params["block1.kernels"][3, 0]
    np.testing.assert_array_equal(at.session_state["picked_kernel"], expected)


def test_without_a_network_of_its_own_the_picker_offers_none_yet():
    at = AppTest.from_function(picker_app, default_timeout=30)
    at.session_state["make_convnet"] = False
    at.run()
    assert not at.exception
    assert "Learned kernels: none yet (train a model first)" in at.selectbox(
        key="t_kernel").options
