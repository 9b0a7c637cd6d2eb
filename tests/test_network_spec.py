"""Tests for cnn_core.network_spec: the architecture walk, parameter counts and refusals.

Oracles: shapes and counts worked out by hand from the formulas (conv out =
(n - k + 2P) // S + 1, pool out = ceil(n / s), a conv of C_in -> C_out channels holds
C_out * C_in * k * k weights plus C_out biases), and the shapes a built ConvNet really gives.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_core import BlockSpec, ConvNet, NetworkSpec

TWO_BLOCKS = NetworkSpec((28, 28), (BlockSpec(8), BlockSpec(16)), 10)


def test_the_benchmark_network_walks_28_26_13_11_6_and_flattens_to_576():
    layers = TWO_BLOCKS.layers()
    assert [(layer.block, layer.name, layer.shape) for layer in layers] == [
        (0, "input", (1, 28, 28)),
        (1, "conv", (8, 26, 26)), (1, "relu", (8, 26, 26)), (1, "max pool", (8, 13, 13)),
        (2, "conv", (16, 11, 11)), (2, "relu", (16, 11, 11)), (2, "max pool", (16, 6, 6)),
        (0, "flatten", (576,)), (0, "dense", (10,)),
    ]
    assert layers[1].formula == "(28 − 3 + 2×0) // 1 + 1 = 26"
    assert layers[6].formula == "ceil(11 / 2) = 6"  # the cut-off row and column are kept
    assert layers[7].formula == "16 × 6 × 6 = 576"
    assert TWO_BLOCKS.n_features == 576


def test_parameter_count_is_the_sum_of_kernels_biases_and_the_dense_layer():
    # block 1: 8 kernels of 1x3x3 + 8 biases; block 2: 16 of 8x3x3 + 16; dense: 576 x 10 + 10
    assert [layer.parameters for layer in TWO_BLOCKS.layers() if layer.parameters] == [
        8 * 9 + 8, 16 * 8 * 9 + 16, 576 * 10 + 10]
    assert TWO_BLOCKS.parameter_count == 80 + 1168 + 5770
    model = ConvNet(TWO_BLOCKS)
    assert sum(value.size for value in model.params.values()) == TWO_BLOCKS.parameter_count


def test_padding_stride_avg_pool_and_no_pool_follow_the_formulas():
    spec = NetworkSpec((9, 12), (BlockSpec(3, 3, padding=1, stride=2, pool="avg", pool_size=3),
                                 BlockSpec(2, 2, pool="none", bias=False)), 4)
    # block 1: (9 - 3 + 2) // 2 + 1 = 5, (12 - 3 + 2) // 2 + 1 = 6; pools to 2 x 2
    # block 2: 2 - 2 + 1 = 1 per axis, no pool, no bias: 2 * 3 * 2 * 2 weights
    shapes = [(layer.name, layer.shape) for layer in spec.layers()]
    assert shapes[1:] == [("conv", (3, 5, 6)), ("relu", (3, 5, 6)), ("avg pool", (3, 2, 2)),
                          ("conv", (2, 1, 1)), ("relu", (2, 1, 1)), ("flatten", (2,)),
                          ("dense", (4,))]
    assert spec.layers()[1].formula == ("(9 − 3 + 2×1) // 2 + 1 = 5; "
                                        "(12 − 3 + 2×1) // 2 + 1 = 6")
    assert spec.parameter_count == (3 * 9 + 3) + 2 * 3 * 4 + (2 + 1) * 4
    assert spec.param_shapes() == {"block1.kernels": (3, 1, 3, 3), "block1.bias": (3,),
                                   "block2.kernels": (2, 3, 2, 2), "dense.weights": (2, 4),
                                   "dense.bias": (4,)}


@st.composite
def _specs(draw):
    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        k = draw(st.integers(1, 4))
        blocks.append(BlockSpec(draw(st.integers(1, 4)), k, draw(st.integers(0, k - 1)),
                                draw(st.integers(1, 3)), draw(st.sampled_from(["max", "avg",
                                                                               "none"])),
                                draw(st.integers(1, 3)), draw(st.booleans())))
    shape = (draw(st.integers(4, 16)), draw(st.integers(4, 16)))
    return NetworkSpec(shape, tuple(blocks), draw(st.integers(2, 5)))


@settings(max_examples=60, deadline=None)
@given(spec=_specs())
def test_every_shape_of_the_walk_is_what_the_built_network_gives(spec):
    try:
        layers = spec.layers()
    except ValueError as error:
        assert "does not fit" in str(error)
        with pytest.raises(ValueError, match="does not fit"):
            ConvNet(spec)
        return
    model = ConvNet(spec)
    out = model.forward(np.random.default_rng(0).random((2, *spec.input_shape)))
    names = {"conv": "feature_maps", "relu": "activations"}
    for layer in layers:
        if layer.block and layer.name in names:
            assert out[f"block{layer.block}.{names[layer.name]}"].shape[1:] == layer.shape
        elif layer.block:
            assert out[f"block{layer.block}.pooled"].shape[1:] == layer.shape
    assert out["flattened"].shape == (2, *layers[-2].shape)
    assert sum(value.size for value in model.params.values()) == spec.parameter_count


# --- Refusals, before anything is built --------------------------------------------------------

def test_a_kernel_that_does_not_fit_the_map_from_the_block_before_is_named():
    spec = NetworkSpec((8, 8), (BlockSpec(4), BlockSpec(4), BlockSpec(4)), 10)
    # 8 -> 6 -> 3 -> 1 -> 1: block 3's 3x3 kernel meets a 1x1 map
    with pytest.raises(ValueError, match=r"^block 3: its 3x3 kernel does not fit the 1x1 map "
                                         r"coming out of block 2; use padding or a smaller "
                                         r"kernel$"):
        spec.check()


def test_a_first_kernel_larger_than_the_image_is_named_with_its_padding():
    with pytest.raises(ValueError, match=r"block 1: its 7x7 kernel does not fit the 4x5 input "
                                         r"image \(with padding 1 on each side\)"):
        NetworkSpec((4, 5), (BlockSpec(2, 7, padding=1),), 3).check()


@pytest.mark.parametrize(("spec", "message"), [
    (NetworkSpec((28, 28), (), 10), "1 to 3 blocks, got 0"),
    (NetworkSpec((28, 28), (BlockSpec(2),) * 4, 10), "1 to 3 blocks, got 4"),
    (NetworkSpec((28, 28), (BlockSpec(0),), 10), "block 1: channels must be a whole number "
                                                 "from 1 to 64, got 0"),
    (NetworkSpec((28, 28), (BlockSpec(4), BlockSpec(65)), 10), "block 2: channels"),
    (NetworkSpec((28, 28), (BlockSpec(2.5),), 10), "channels"),
    (NetworkSpec((28, 28), (BlockSpec(True),), 10), "channels"),
    (NetworkSpec((28, 28), (BlockSpec(2, 0),), 10), "kernel size"),
    (NetworkSpec((28, 28), (BlockSpec(2, 3, padding=3),), 10), "padding"),
    (NetworkSpec((28, 28), (BlockSpec(2, 3, padding=-1),), 10), "padding"),
    (NetworkSpec((28, 28), (BlockSpec(2, 3, stride=0),), 10), "stride"),
    (NetworkSpec((28, 28), (BlockSpec(2, pool="min"),), 10), "pool must be one of"),
    (NetworkSpec((28, 28), (BlockSpec(2, pool_size=0),), 10), "pool size"),
    (NetworkSpec((28, 28), (BlockSpec(2, bias="yes"),), 10), "bias must be True or False"),
    (NetworkSpec((28, 28), ((8, 3),), 10), "block 1 must be a BlockSpec"),
    (NetworkSpec((28, 28), (BlockSpec(2),), 1), "n_classes"),
    (NetworkSpec((0, 28), (BlockSpec(2),), 10), "input height and width"),
    (NetworkSpec((65, 28), (BlockSpec(2),), 10), "input height and width"),
    (NetworkSpec((28,), (BlockSpec(2),), 10), "input_shape must be"),
])
def test_impossible_specs_are_refused_with_a_message_that_names_the_problem(spec, message):
    with pytest.raises(ValueError, match=message):
        spec.check()
    with pytest.raises(ValueError, match=message):
        ConvNet(spec)


def test_no_pool_ignores_the_pool_size():
    spec = NetworkSpec((6, 6), (BlockSpec(2, 3, pool="none", pool_size=5),), 3)
    assert spec.layers()[-2].shape == (2 * 4 * 4,)
