"""Share links on real pages: the URL follows the user's work, and a fresh session opened
with that URL shows the same numbers; tampered links never crash and are never echoed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from cnn_core import avg_pool2d, conv2d
from tests.test_page_playground import chart_z
from ui import state
from ui.share_codec import encode_drawing, encode_kernel

PLAYGROUND = str(Path(__file__).parents[1] / "app_pages" / "playground.py")


def fresh(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(page, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_the_url_follows_the_playground_and_reopens_with_the_same_numbers():
    drawing = np.zeros((8, 8))
    drawing[1:7, 2] = drawing[1, 2:6] = 1
    at = AppTest.from_file(PLAYGROUND, default_timeout=60)
    at.session_state[state.DRAWING] = drawing
    at.session_state[state.KERNEL_CHOICE] = "custom"
    at.session_state[state.CUSTOM_KERNEL] = np.array([[1.0, -1], [0.5, 1 / 9]])
    at.session_state["playground_padding"] = 1
    at.session_state["playground_stride"] = 2
    at.session_state["playground_pool"] = "avg"
    at.run()
    assert not at.exception
    params = {key: at.query_params[key] for key in at.query_params}
    assert params["d"] == encode_drawing(drawing) and params["pad"] == "1"

    reopened = fresh(PLAYGROUND, params)
    assert not reopened.exception
    kernel = np.array([[1.0, -1], [0.5, 1 / 9]])
    expected = conv2d(drawing, kernel, padding=1, stride=2)
    np.testing.assert_array_equal(chart_z(reopened, "Feature map"), expected)
    np.testing.assert_array_equal(chart_z(reopened, "Avg pool"),
                                  avg_pool2d(np.maximum(expected, 0), 2))


def test_a_tampered_link_falls_back_to_defaults_with_a_notice_and_echoes_nothing():
    script = "<script>alert(1)</script>"
    at = fresh(PLAYGROUND, {"pad": "99", "k": script, "d": "5.b.@@@", "kv": script,
                            "relu": "NaN", "ps": "1e308"})
    assert not at.exception
    notice = " ".join(c.value for c in at.caption if c.value.startswith("Share link"))
    for name in ("pad", "k", "d", "relu", "ps"):
        assert f"'{name}'" in notice
    everything = " ".join(str(e.value) for e in at.markdown) + notice
    assert "<script>" not in everything
    assert at.session_state["playground_padding"] == 0
    np.testing.assert_array_equal(chart_z(at, "Feature map"), [[1, 2, 1], [0, 2, 0], [1, 2, 1]])


def test_a_valid_link_with_one_bad_value_keeps_the_good_values():
    drawing = np.eye(5)
    at = fresh(PLAYGROUND, {"d": encode_drawing(drawing), "s": "7", "kv": encode_kernel([[2.0]]),
                            "k": "custom"})
    assert not at.exception
    np.testing.assert_array_equal(at.session_state[state.DRAWING], drawing)
    assert at.session_state["playground_stride"] == 1
    np.testing.assert_array_equal(chart_z(at, "Feature map"), 2 * drawing)


TRAINING = str(Path(__file__).parents[1] / "app_pages" / "training.py")


def test_the_training_link_carries_every_hyperparameter_and_the_seed():
    at = AppTest.from_file(TRAINING, default_timeout=60)
    at.session_state["training_dataset"] = "digits"
    at.run()
    at.session_state["training_learning_rate"] = 0.003
    at.session_state["training_seed"] = 42
    at.run()
    params = {key: at.query_params[key] for key in at.query_params}
    assert params["ds"] == "digits" and params["lr"] == "0.003" and params["seed"] == "42"
    reopened = fresh(TRAINING, params)
    assert not reopened.exception
    for key in ("training_dataset", "training_n_kernels", "training_learning_rate",
                "training_batch_size", "training_optimizer", "training_seed"):
        assert reopened.session_state[key] == at.session_state[key], key


def test_a_training_link_with_an_impossible_batch_size_uses_the_default():
    at = fresh(TRAINING, {"bs": "3", "opt": "rmsprop", "nk": "4"})
    assert not at.exception
    assert at.session_state["training_batch_size"] == 1
    assert at.session_state["training_optimizer"] == "adam"
    assert at.session_state["training_n_kernels"] == 4
