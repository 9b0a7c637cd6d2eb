"""The backprop page (AppTest) with a ConvNet of 1-3 blocks: the gradient of a kernel of any
block (output and input channel, cell) against the engine and finite differences, clicks,
share links, the SGD step on the session's working copy."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core.gradcheck import numerical_gradient
from cnn_core.network import ConvNet
from cnn_core.network_spec import BlockSpec, NetworkSpec
from cnn_core.network_trace import network_trace
from tests.support import apptest_pages
from tests.support.arrays import page_maps
from tests.support.backprop_page import (
    PAGE,
    a_four,
    assert_terms_add_up,
    checked_numbers,
    click,
    followed_kernel_of,
    open_page,
    two_blocks,
    written_terms,
)
from ui.session.models import model_input
from ui.session.state import TRAINED_MODEL


def convnet_finite_difference(model: ConvNet, x: np.ndarray, label: int, block: int,
                              cell: tuple[int, int, int, int]) -> float:
    """dL/dg of one block's kernel cell by central differences of the model's forward."""
    name = f"block{block}.kernels"

    def loss(value: np.ndarray) -> float:
        params = {k: v.copy() for k, v in model.params.items()}
        params[name][cell] = value[0]
        probe = ConvNet.from_params(model.spec, params)
        return float(-np.log(probe.forward(x)["probabilities"][0, label]))

    return float(numerical_gradient(loss, np.array([model.params[name][cell]]))[0])


@pytest.mark.parametrize("block, channel, in_channel, cell", [
    (1, 2, 0, (0, 1)), (1, 0, 0, (2, 2)), (2, 3, 1, (1, 0)), (2, 5, 3, (2, 1))])
def test_a_two_block_convnet_shows_each_blocks_gradient_and_its_check(block, channel,
                                                                      in_channel, cell):
    model = two_blocks(seed=1)
    drawing = a_four()
    at = open_page(drawing, backprop_label=4, **{TRAINED_MODEL: model,
                                                  "backprop_block": block,
                                                  "backprop_kernel": channel,
                                                  "backprop_in": in_channel,
                                                  "backprop_m": cell[0],
                                                  "backprop_n": cell[1]})
    x = model_input(drawing, model)
    trace = network_trace(model, x, 4)
    d_kernels = trace.blocks[block - 1].d_kernels
    maps = page_maps(at)
    np.testing.assert_allclose(maps["dkernel"].values[0], d_kernels[channel, in_channel],
                               rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(maps["dkernels"].values, d_kernels[:, in_channel], rtol=1e-6,
                               atol=1e-12)
    assert ("dout1" in maps) == (block == 1)  # the gradient passed back through block 2
    numeric = convnet_finite_difference(model, x, 4, block, (channel, in_channel, *cell))
    page_fd, page_bp = checked_numbers(at)
    assert page_bp == pytest.approx(d_kernels[(channel, in_channel, *cell)], rel=1e-5,
                                    abs=1e-9)
    assert page_fd == pytest.approx(numeric, rel=1e-5, abs=1e-9)
    assert page_bp == pytest.approx(numeric, rel=1e-4, abs=1e-8)
    assert written_terms(at)[2] == f"dL/dg({cell[0]},{cell[1]})"
    assert assert_terms_add_up(at) == pytest.approx(page_bp, rel=1e-3, abs=1e-9)


@pytest.mark.parametrize("block, in_channel", [(1, None), (2, 2)])
def test_a_click_on_a_convnets_kernel_changes_the_detail_and_the_link_keeps_the_choice(
        block, in_channel):
    model = two_blocks(seed=2)
    at = open_page(a_four(), backprop_label=4, **{TRAINED_MODEL: model})
    assert at.selectbox(key="backprop_block").value == 2  # the last block first
    at.selectbox(key="backprop_block").set_value(block).run()
    at.selectbox(key="backprop_kernel").set_value(3).run()
    if in_channel is not None:
        at.selectbox(key="backprop_in").set_value(in_channel).run()
    before = at.code[-1].value
    click(at, "backprop_maps_kernel", {"map": "kernel", "row": 0, "col": 2})
    assert written_terms(at)[2] == "dL/dg(0,2)" and at.code[-1].value != before
    link = dict(at.query_params)
    assert (link["bb"], link["bk"], link["m"], link["n"]) == (str(block), "3", "0", "2")
    assert link["bc"] == str(in_channel or 0)
    shown = at.code[-1].value
    again = AppTest.from_file(str(apptest_pages.ROOT / PAGE), default_timeout=60)
    again.session_state[TRAINED_MODEL] = model
    for name, value in link.items():
        again.query_params[name] = value
    again.run()
    assert not again.exception
    assert again.selectbox(key="backprop_block").value == block
    assert again.selectbox(key="backprop_kernel").value == 3
    assert again.code[-1].value == shown
    np.testing.assert_array_equal(page_maps(again)["dkernel"].values,
                                  page_maps(at)["dkernel"].values)


def test_an_sgd_step_on_a_convnet_changes_the_working_copy_and_its_maps_only():
    model = two_blocks(seed=3)
    before = {k: v.copy() for k, v in model.params.items()}
    at = open_page(a_four(), backprop_label=9, **{TRAINED_MODEL: model})
    shown = page_maps(at)["dkernel"].values.copy()
    at.button(key="backprop_step").click().run()
    assert not at.exception
    copy = at.session_state["backprop_model"]
    assert isinstance(copy, ConvNet) and copy is not model
    for name, value in before.items():
        np.testing.assert_array_equal(model.params[name], value)
    x = model_input(a_four(), model)
    (_, _, loss_before, loss_after), = at.session_state["backprop_model_steps"]
    assert loss_after < loss_before
    assert network_trace(copy, x, 9).loss == pytest.approx(loss_after, rel=1e-12)
    block = at.selectbox(key="backprop_block").value
    k = followed_kernel_of(at)
    np.testing.assert_allclose(page_maps(at)["dkernel"].values[0],
                               network_trace(copy, x, 9).blocks[block - 1].d_kernels[k, 0],
                               rtol=1e-6, atol=1e-12)
    assert not np.allclose(page_maps(at)["dkernel"].values, shown)


@pytest.mark.parametrize("block", [1, 2, 3])
def test_three_blocks_with_and_without_pooling_each_show_a_checked_gradient(block):
    spec = NetworkSpec((20, 20), (BlockSpec(3, 5, 2, 2, "none"), BlockSpec(5, 3, 1, 1, "max", 2),
                                  BlockSpec(2, 2, 0, 1, "avg", 3)), 10)
    model = ConvNet(spec, seed=4)
    at = open_page(a_four(), backprop_label=1, **{TRAINED_MODEL: model,
                                                  "backprop_block": block})
    heading = {1: "3 · No pooling in this block", 2: "3 · Max pooling routes the gradient",
               3: "3 · Average pooling shares the gradient"}[block]
    assert any(h.value.startswith(heading) for h in at.subheader)
    assert [f"dout{b}" in page_maps(at) for b in (1, 2)] == [block <= 1, block <= 2]
    x = model_input(a_four(), model)
    d_kernels = network_trace(model, x, 1).blocks[block - 1].d_kernels
    k = followed_kernel_of(at)
    m, n = at.selectbox(key="backprop_m").value, at.selectbox(key="backprop_n").value
    assert (m, n) == (spec.blocks[block - 1].kernel_size - 1, 0)
    page_fd, page_bp = checked_numbers(at)
    assert page_bp == pytest.approx(d_kernels[k, 0, m, n], rel=1e-5, abs=1e-9)
    assert page_fd == pytest.approx(page_bp, rel=1e-4, abs=1e-8)
    assert assert_terms_add_up(at) == pytest.approx(page_bp, rel=1e-3, abs=1e-9)


def test_a_link_made_for_a_deeper_network_falls_back_to_this_ones_blocks_and_channels():
    at = AppTest.from_file(str(apptest_pages.ROOT / PAGE), default_timeout=60)
    at.session_state[TRAINED_MODEL] = two_blocks(seed=0)
    for name, value in {"bb": "3", "bc": "9", "bk": "40", "m": "5"}.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    assert at.selectbox(key="backprop_block").value == 2  # no block 3: the last one
    assert at.selectbox(key="backprop_in").value == 0
    assert at.selectbox(key="backprop_kernel").value == -1  # the largest gradient
    assert written_terms(at)[2] == "dL/dg(2,0)"
