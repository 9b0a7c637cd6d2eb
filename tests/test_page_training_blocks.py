"""The training page with the architecture editor (AppTest): presets, the layer table, a
message instead of a run for blocks that do not fit, two-block runs becoming the session's
model, their maps, share links, model files, and the Epochs slider moved below the run."""

import numpy as np
from streamlit.testing.v1 import AppTest

from cnn_core import BlockSpec, ConvNet, NetworkSpec
from cnn_core.model_io import load_model, save_model
from cnn_core.number_text import number
from cnn_core.results import confusion_counts
from tests.support import apptest_pages
from tests.support.arrays import page_maps
from ui.network.training_run import ERROR, RUN, build_run
from ui.network.training_settings import recipe_settings
from ui.session.state import TRAINED_MODEL

PAGE = "app_pages/training.py"


def open_page(**params: str) -> AppTest:
    """The page opened from a link holding ``params``."""
    at = AppTest.from_file(str(apptest_pages.ROOT / PAGE), default_timeout=120)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def lenet_on_digits() -> AppTest:
    at = open_page(ds="digits")
    at.button(key="training_preset_lenet").click().run()
    return at


def page_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def test_the_lenet_preset_writes_every_layers_shape_by_its_formula_and_the_parameters():
    at = lenet_on_digits()
    assert at.radio(key="training_blocks").value == 2
    spec = NetworkSpec((8, 8), (BlockSpec(8, 3), BlockSpec(16, 3)), 10)
    text = page_text(at)
    for layer in spec.layers():
        if layer.formula:
            assert layer.formula in text, layer
    assert "(8 − 3 + 2×0) // 1 + 1 = 6" in text and "ceil(6 / 2) = 3" in text
    assert any(f"{spec.parameter_count:,} parameters" in e.label for e in at.expander)


def test_blocks_that_do_not_fit_the_toy_images_are_said_before_training():
    at = open_page()  # the toy set: 5x5 images
    at.button(key="training_preset_lenet").click().run()
    assert any("do not make a network for 5x5 images" in e.value and
               "block 2: its 3x3 kernel does not fit the 2x2 map coming out of block 1"
               in e.value for e in at.error)
    at.button(key="training_train").click().run()
    assert not at.exception and RUN not in at.session_state
    assert "block 2" in at.session_state[ERROR]


def test_a_two_block_epoch_makes_the_session_model_a_convnet_and_shows_its_kernels():
    at = lenet_on_digits()
    at.button(key="training_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state[RUN]
    model = at.session_state[TRAINED_MODEL]
    assert isinstance(model, ConvNet) and run.epoch == 1
    assert [b.channels for b in model.spec.blocks] == [8, 16]
    assert "Your network (2 blocks (8, 16 channels)" in page_text(at)
    maps = page_maps(at)
    np.testing.assert_allclose(maps["kernels_block1"].values,
                               model.params["block1.kernels"][:, 0], rtol=1e-6)
    np.testing.assert_allclose(maps["kernels_block2"].values,
                               model.params["block2.kernels"].reshape(128, 3, 3), rtol=1e-6)
    data = run.trainer
    counts = confusion_counts(data.test_labels, model.predict(data.test_images), 10)
    confusion = maps["confusion"]
    np.testing.assert_array_equal(confusion.values[0], counts)
    assert confusion.numbers == [str(n) for n in counts.ravel()]
    assert confusion.entry["kind"] == "positive"


def test_a_share_link_carries_the_architecture_and_a_tampered_one_keeps_the_default():
    at = open_page(ds="digits", arch="4.3.1.1.avg.2-16.3.0.2.none.2")
    assert at.radio(key="training_blocks").value == 2
    assert at.slider(key="training_n_kernels").value == 4
    assert at.radio(key="training_b1_pool").value == "avg"
    assert at.select_slider(key="training_b2_stride").value == 2
    assert str(at.query_params["arch"]) == "4.3.1.1.avg.2-16.3.0.2.none.2"
    tampered = open_page(ds="digits", arch="99.3.0.1.max.2")
    assert tampered.radio(key="training_blocks").value == 1
    assert tampered.slider(key="training_n_kernels").value <= 16
    assert str(tampered.query_params.get("arch")) != "99.3.0.1.max.2"


def test_a_two_block_model_file_uploads_and_downloads():
    model = ConvNet(NetworkSpec((16, 16), (BlockSpec(4, 3), BlockSpec(8, 3, padding=1)),
                                10), seed=3)
    at = open_page()
    at.file_uploader(key="training_upload").set_value(("model.npz", save_model(model),
                                                       "application/octet-stream")).run()
    assert any("it is now the current model" in s.value for s in at.success)
    loaded = at.session_state[TRAINED_MODEL]
    assert isinstance(loaded, ConvNet) and loaded.spec == model.spec
    back = load_model(save_model(loaded))
    for name, value in model.params.items():
        np.testing.assert_array_equal(back.params[name], value)


def test_epochs_moved_below_the_run_stops_it_there_and_says_so():
    at = open_page(ep="5")
    for _ in range(3):
        at.button(key="training_step").click().run()
    at.slider(key="training_epochs").set_value(1).run()
    progress = at.get("progress")[0].proto.text
    assert progress == "Epoch 3 (Epochs is set to 1)" and "of 1" not in progress
    assert any("stopped at epoch 3, past the 1 Epochs now set" in c.value for c in at.caption)
    at.button(key="training_train").click().run()
    at.button(key="training_step").click().run()
    assert at.session_state[RUN].epoch == 3 and not at.session_state[RUN].running
    assert not any("3 of 1" in i.value for i in at.info)


def test_the_toy_sets_one_kernel_is_a_map_with_each_cells_own_number():
    at = open_page()
    at.button(key="training_step").click().run()
    kernel = at.session_state[RUN].snapshots[1][0][0, 0]
    sent = page_maps(at)["kernels_block1"]
    np.testing.assert_allclose(sent.values[0], kernel, rtol=1e-6)
    assert sent.numbers == [number(float(np.float32(v)), decimals=2) for v in kernel.ravel()]
    assert "confusion" in page_maps(at)


def test_recipe_settings_are_what_the_page_starts_a_run_with():
    at = open_page()
    at.button(key="training_step").click().run()
    assert at.session_state[RUN].settings == recipe_settings("toy")
    direct = build_run(recipe_settings("toy"))
    direct.trainer.run_epoch()
    assert direct.trainer.history == at.session_state[RUN].trainer.history


def test_a_heavy_network_is_said_to_be_slow_before_training():
    heavy = "-".join(["16.7.3.1.none.2"] * 3)
    at = open_page(ds="mnist16", arch=heavy)
    assert any("multiply-adds per image" in w.value and "takes minutes" in w.value
               for w in at.warning)
    light = open_page(ds="mnist16", arch="8.3.0.1.max.2-16.3.0.1.max.2")
    assert not any("multiply-adds per image" in w.value for w in light.warning)
    assert "One image costs" in page_text(light)
