"""The architecture editor's pure parts: the share link's "arch" field, which engine a set of
blocks builds, the kernel maps of deeper blocks, and how a run's length is written."""

import numpy as np
import pytest

from cnn_core import ConvNet, TinyCNN
from cnn_core.kernels import kernel_bank
from ui.codecs.url import decode_params, encode_params
from ui.network.architecture import (
    ARCH_FIELD,
    LENET_LIKE,
    build_model,
    is_notes_network,
    kernels_of,
    multiply_adds,
    network_spec,
)
from ui.network.training_run import (
    IMAGES_PER_RERUN,
    REFERENCE_MULTIPLY_ADDS,
    images_per_rerun,
    run_length_text,
)
from ui.network.training_views import kernel_maps_of

THREE_BLOCKS = ((4, 5, 2, 1, "avg", 3), (16, 3, 1, 2, "none", 2), (2, 1, 0, 3, "max", 4))


@pytest.mark.parametrize("blocks", [((8, 3, 0, 1, "max", 2),), LENET_LIKE, THREE_BLOCKS])
def test_an_architecture_survives_a_share_link(blocks):
    params = encode_params({"arch": blocks}, [ARCH_FIELD], always=True)
    values, problems = decode_params(params, [ARCH_FIELD])
    assert problems == {} and values["arch"] == blocks


@pytest.mark.parametrize("text", [
    "17.3.0.1.max.2",  # 17 channels: the editor offers 1-16
    "0.3.0.1.max.2",
    "8.6.0.1.max.2",  # no 6x6 kernel in the editor
    "8.3.4.1.max.2",  # padding 4
    "8.3.0.4.max.2",  # stride 4
    "8.3.0.1.median.2",
    "8.3.0.1.max.9",
    "8.3.0.1.max",  # five parts
    "8.3.0.1.max.2-8.3.0.1.max.2-8.3.0.1.max.2-8.3.0.1.max.2",  # four blocks
    "8.3.-1.1.max.2", "8.3.0.1.max.2-", "", "<b>8</b>.3.0.1.max.2", "8" * 5000,
])
def test_a_tampered_architecture_is_refused_and_the_default_kept(text):
    values, problems = decode_params({"arch": text}, [ARCH_FIELD])
    assert values["arch"] == ARCH_FIELD.default and "arch" in problems


def test_the_notes_blocks_build_the_notes_tinycnn_with_todays_numbers():
    blocks = ((4, 3, 0, 1, "max", 2),)
    assert is_notes_network(blocks)
    model = build_model(blocks, (8, 8), 10, seed=7, kernel_init="random")
    today = TinyCNN(4, 3, (8, 8), 2, 10, seed=7)
    assert isinstance(model, TinyCNN)
    for name, value in today.params.items():
        np.testing.assert_array_equal(model.params[name], value)


@pytest.mark.parametrize("blocks", [((4, 3, 1, 1, "max", 2),), ((4, 3, 0, 2, "max", 2),),
                                    ((4, 3, 0, 1, "avg", 2),), LENET_LIKE])
def test_any_other_blocks_build_a_convnet_of_that_spec(blocks):
    assert not is_notes_network(blocks)
    model = build_model(blocks, (28, 28), 10, seed=1, kernel_init="random")
    assert isinstance(model, ConvNet) and model.spec == network_spec(blocks, (28, 28), 10)
    assert [k.shape for k in kernels_of(model)] == [
        model.params[f"block{n}.kernels"].shape for n in range(1, len(blocks) + 1)]


def test_named_kernels_start_block_one_of_a_convnet_too():
    names = ("sobel_vertical", "prewitt_horizontal")
    model = build_model(LENET_LIKE, (28, 28), 10, seed=0, kernel_init=names)
    bank = kernel_bank([names[i % 2] for i in range(8)], 3)
    np.testing.assert_array_equal(model.params["block1.kernels"][:, 0], bank)


def test_blocks_that_shrink_below_the_kernel_get_the_engines_message():
    with pytest.raises(ValueError, match=r"block 2: its 3x3 kernel does not fit the 2x2 map "
                                         r"coming out of block 1"):
        build_model(LENET_LIKE, (5, 5), 10, seed=0, kernel_init="random")


def test_a_deeper_blocks_kernels_are_tiles_a_row_per_output_channel_a_column_per_input():
    model = build_model(LENET_LIKE, (28, 28), 10, seed=2, kernel_init="random")
    kernels = kernels_of(model)
    first, second = kernel_maps_of(kernels, 4, presenter=False)
    assert first.values.shape == (8, 3, 3) and first.labels[0] == "k0"
    np.testing.assert_array_equal(first.values[5], kernels[0][5, 0])
    assert second.values.shape == (16 * 8, 3, 3) and second.tile_columns == 8
    output, channel_in = 11, 6  # the tile at row 11, column 6
    np.testing.assert_array_equal(second.values[output * 8 + channel_in],
                                  model.params["block2.kernels"][output, channel_in])
    assert second.labels[output * 8 + channel_in] == "11←6"
    assert "after epoch 4" in second.title and "16 filters of 8 kernels" in second.title


def test_one_kernel_gets_its_numbers_written_a_whole_bank_does_not():
    one = kernel_maps_of((np.full((1, 1, 3, 3), -0.17),), 0, presenter=False)[0]
    many = kernel_maps_of((np.zeros((8, 1, 3, 3)),), 0, presenter=False)[0]
    assert one.numbers is True and many.numbers is False


@pytest.mark.parametrize("epoch, target, text", [
    (3, 30, "Epoch 3 of 30"), (30, 30, "Epoch 30 of 30"),
    (9, 1, "Epoch 9 (Epochs is set to 1)"),
])
def test_a_run_past_the_epochs_setting_never_reads_epoch_9_of_1(epoch, target, text):
    assert run_length_text(epoch, target) == text


def test_multiply_adds_count_every_conv_weight_at_every_output_cell_and_the_dense_layer():
    spec = network_spec(LENET_LIKE, (28, 28), 10)
    assert multiply_adds(spec) == 8 * 9 * 26 * 26 + 16 * 8 * 9 * 11 * 11 + 576 * 10


def test_a_heavy_network_trains_proportionally_fewer_images_per_rerun():
    light = build_model(LENET_LIKE, (28, 28), 10, seed=0, kernel_init="random")
    assert images_per_rerun(light) == IMAGES_PER_RERUN
    heavy_blocks = ((16, 7, 3, 1, "none", 2),) * 3
    heavy = build_model(heavy_blocks, (28, 28), 10, seed=0, kernel_init="random")
    cost = multiply_adds(network_spec(heavy_blocks, (28, 28), 10))
    assert cost > 50 * REFERENCE_MULTIPLY_ADDS
    assert images_per_rerun(heavy) == IMAGES_PER_RERUN * REFERENCE_MULTIPLY_ADDS // cost
