"""cnn_core.stages: every stage of the forward pass, for either model kind."""

import numpy as np
import pytest

from cnn_core import BlockSpec, ConvNet, NetworkSpec, TinyCNN
from cnn_core.data import NOTES_EIGHT
from cnn_core.stages import as_network, network_stages, spec_of


def test_a_tiny_cnn_gives_its_own_forward_numbers_stage_by_stage():
    model = TinyCNN(3, 3, (8, 8), 2, 10, seed=1)
    image = np.random.default_rng(0).random((8, 8))
    own = model.forward(image)
    stages = {stage.key: stage for stage in network_stages(model, image)}
    assert list(stages) == ["input", "block1.conv", "block1.relu", "block1.max pool",
                            "flatten", "dense", "softmax"]
    np.testing.assert_array_equal(stages["input"].values, image[None])
    for key, name in (("block1.conv", "feature_maps"), ("block1.relu", "activations"),
                      ("block1.max pool", "pooled")):
        np.testing.assert_allclose(stages[key].values, own[name][0], rtol=0, atol=1e-12)
    for key, name in (("flatten", "flattened"), ("dense", "logits"),
                      ("softmax", "probabilities")):
        np.testing.assert_allclose(stages[key].values, own[name][0], rtol=0, atol=1e-12)


def test_the_notes_example_stages_hold_the_notes_numbers():
    kernel = [[[0.0, 0, 0], [0, 0, 0], [1, 0, 1]]]
    model = TinyCNN.from_params({"kernels": kernel, "weights": np.zeros((4, 10)),
                                 "bias": np.zeros(10)}, (5, 5))
    stages = {stage.key: stage for stage in network_stages(model, NOTES_EIGHT)}
    np.testing.assert_array_equal(stages["block1.conv"].values[0],
                                  [[1, 2, 1], [0, 2, 0], [1, 2, 1]])
    np.testing.assert_array_equal(stages["block1.max pool"].values[0], [[2, 1], [2, 1]])
    assert stages["block1.conv"].formula == "(5 − 3 + 2×0) // 1 + 1 = 3"
    assert stages["block1.max pool"].formula == "ceil(3 / 2) = 2"
    assert stages["flatten"].shape_text == "4" and stages["block1.conv"].shape_text == \
        "1 × 3 × 3"
    np.testing.assert_allclose(stages["softmax"].values, np.full(10, 0.1))


def test_every_block_of_a_convnet_has_its_stages_in_order():
    spec = NetworkSpec((12, 12), (BlockSpec(2, 3, padding=1), BlockSpec(3, 3, pool="none"),
                                  BlockSpec(2, 2, stride=2, pool="avg")), 10)
    model = ConvNet(spec, seed=3)
    image = np.random.default_rng(1).random((12, 12))
    stages = network_stages(model, image)
    assert [s.key for s in stages] == [
        "input", "block1.conv", "block1.relu", "block1.max pool", "block2.conv",
        "block2.relu", "block3.conv", "block3.relu", "block3.avg pool", "flatten", "dense",
        "softmax"]
    own = model.forward(image)
    np.testing.assert_array_equal(stages[6].values, own["block3.feature_maps"][0])
    np.testing.assert_array_equal(stages[-1].values, own["probabilities"][0])
    assert [s.block for s in stages] == [0, 1, 1, 1, 2, 2, 3, 3, 3, 0, 0, 0]
    assert stages[2].title == "ReLU (block 1)"
    assert [s.values.shape for s in stages[:4]] == [(1, 12, 12), (2, 12, 12), (2, 12, 12),
                                                     (2, 6, 6)]


def test_as_network_keeps_a_convnet_and_spec_of_reads_either_kind():
    model = ConvNet(NetworkSpec((8, 8), (BlockSpec(2),), 10))
    assert as_network(model) is model
    tiny = TinyCNN(4, 3, (8, 8), 2, 10)
    assert spec_of(tiny) == NetworkSpec((8, 8), (BlockSpec(4, 3, 0, 1, "max", 2,
                                                           bias=False),), 10)
    with pytest.raises(ValueError, match="TinyCNN or a ConvNet"):
        as_network("not a model")


def test_an_image_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="8"):
        network_stages(TinyCNN(1, 3, (8, 8), 2, 10), np.zeros((5, 5)))
