"""The forward-pass page (AppTest): the notes' numbers, and your drawing through the model.

Values are read back from what the page renders (plotly figure JSON, the logits table,
markdown) and compared with a direct cnn_core call.
"""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import TinyCNN
from cnn_core.data import NOTES_EIGHT
from tests.support import apptest_pages
from tests.support.arrays import plotly_array as array
from ui.session.models import default_model, model_input, notes_example_model
from ui.session.state import DRAWING, TRAINED_MODEL

PAGE = "app_pages/forward_pass.py"


def open_page(drawing: np.ndarray | None = None, *, router: bool = False,
              **state) -> AppTest:
    """This page with a drawing and some session state; alone, or through app.py."""
    return apptest_pages.open_page(PAGE, drawing, router=router, **state)


def figures(at: AppTest) -> dict[str, dict]:
    """Every plotly chart on the page, keyed by its title."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"].get("title", {}).get("text") or f"untitled {i}": spec
            for i, spec in enumerate(specs)}


def z(spec: dict) -> np.ndarray:
    return array(spec["data"][0]["z"])


def seven(size: int = 16) -> np.ndarray:
    grid = np.zeros((size, size))
    grid[2, 3:13] = 1.0
    for row in range(3, 14):
        grid[row, 12 - (row - 3) * 7 // 11] = 1.0
    return grid


def test_page_opens_through_the_router_and_predicts_the_default_drawing():
    at = open_page(router=True)
    assert any("The network says **8**" in m.value for m in at.markdown)
    arch = default_model().arch
    captions = " ".join(c.value for c in at.caption)
    assert f"Default network ({arch.n_kernels} kernels 3x3, 16x16 input" in captions
    assert "learned from MNIST's 4,000 training digits" in captions


def test_notes_example_mode_shows_the_notes_numbers():
    at = open_page(forward_notes=True)
    shown = figures(at)
    np.testing.assert_array_equal(z(shown["What the network sees (5x5)"]), NOTES_EIGHT)
    np.testing.assert_array_equal(z(shown["Kernel"]), [[0, 0, 0], [0, 0, 0], [1, 0, 1]])
    conv = [[1, 2, 1], [0, 2, 0], [1, 2, 1]]
    np.testing.assert_array_equal(z(shown["Feature map = conv(input, kernel)"]), conv)
    np.testing.assert_array_equal(z(shown["ReLU"]), conv)
    np.testing.assert_array_equal(z(shown["Max pooled 2x2"]), [[2, 1], [2, 1]])
    np.testing.assert_array_equal(z(shown["Flattened: 4 numbers"]), [[2, 1, 2, 1]])
    table = at.dataframe[0].value
    expected = notes_example_model().forward(NOTES_EIGHT)
    np.testing.assert_allclose([float(t.replace("\u2212", "-")) for t in table["logit"]],
                               expected["logits"][0], atol=5e-6)
    np.testing.assert_allclose(table["probability"], expected["probabilities"][0])
    assert np.all(np.abs(table["probability"] - 0.1) < 0.01)
    assert table["probability"].sum() == pytest.approx(1.0)
    best = int(expected["logits"][0].argmax())
    written = next(m.value for m in at.markdown if m.value.startswith(f"For digit {best}"))
    assert written.startswith(f"For digit {best}: z_{best} = (2×")
    assert written.endswith(f"= **{expected['logits'][0][best]:.4f}**".replace("-", "\u2212"))


def test_the_page_shows_what_the_default_model_computes_for_the_drawing():
    drawing = seven()
    at = open_page(drawing)
    model = default_model()
    x = model_input(drawing, model)
    expected = model.forward(x)
    shown = figures(at)
    np.testing.assert_allclose(z(shown["What the network sees (16x16)"]), x)
    np.testing.assert_allclose(z(shown["Feature maps (conv)"])[2:16, 0:14],
                               expected["feature_maps"][0, 0])
    np.testing.assert_allclose(at.dataframe[0].value["probability"],
                               expected["probabilities"][0])
    best = int(expected["probabilities"][0].argmax())
    assert best == 7
    bars = shown["untitled 1"]["data"][0]
    np.testing.assert_allclose(array(bars["y"]), expected["probabilities"][0])
    assert any(f"The network says **{best}**" in m.value for m in at.markdown)


def test_fit_toggle_off_feeds_the_drawing_without_cropping():
    drawing = np.zeros((16, 16))
    drawing[1:6, 1:3] = 1.0  # small, in a corner
    at = open_page(drawing)
    assert not np.allclose(model_input(drawing, default_model()),
                           model_input(drawing, default_model(), fit=False))
    at.toggle(key="forward_fit").set_value(False).run()
    x = model_input(drawing, default_model(), fit=False)
    np.testing.assert_allclose(z(figures(at)["What the network sees (16x16)"]), x)
    np.testing.assert_allclose(at.dataframe[0].value["probability"],
                               default_model().forward(x)["probabilities"][0])


def test_predict_then_reveal_hides_the_answer_until_reveal():
    at = open_page(forward_predict_first=True)
    assert not at.dataframe
    assert not any("The network says" in m.value for m in at.markdown)
    assert at.button(key="forward_reveal").disabled
    at.radio(key="forward_guess").set_value(3).run()
    at.button(key="forward_reveal").click().run()
    assert any("The network says **8**" in m.value for m in at.markdown)
    assert any("you guessed 3; the network picked 8" in m.value for m in at.markdown)
    assert len(at.dataframe) == 1
    # a new drawing hides the answer again
    at.session_state[DRAWING] = seven()
    at.run()
    assert not at.dataframe


def test_a_blank_drawing_gets_an_answer_and_a_note():
    at = open_page(np.zeros((8, 8)))
    assert any("blank" in i.value for i in at.info)
    assert len(at.dataframe) == 1


def test_a_drawing_above_1_is_clipped_with_a_warning_and_then_answered():
    at = open_page(seven())
    at.session_state[DRAWING] = np.full((8, 8), 1.5)  # not a drawing: values above 1
    at.run()
    assert not at.exception
    assert any("outside 0..1" in w.value and "clipped" in w.value for w in at.warning)
    model = default_model()
    expected = model.forward(model_input(np.ones((8, 8)), model))["probabilities"][0]
    np.testing.assert_allclose(at.dataframe[0].value["probability"], expected)


def test_a_trained_5x5_model_becomes_the_model_of_the_page():
    toy = TinyCNN(2, 3, (5, 5), 2, 10, seed=4)
    at = open_page(np.array(NOTES_EIGHT), **{TRAINED_MODEL: toy})
    assert "from the Training page" in " ".join(c.value for c in at.caption)
    np.testing.assert_allclose(at.dataframe[0].value["probability"],
                               toy.forward(NOTES_EIGHT)["probabilities"][0])
    at.button(key="forward_default").click().run()
    assert at.session_state[TRAINED_MODEL] is None
    assert "Default network" in " ".join(c.value for c in at.caption)



def test_the_logit_line_subtracts_a_negative_bias_and_the_table_writes_real_minus_signs():
    at = open_page(forward_notes=True)
    model, values = notes_example_model(), notes_example_model().forward(np.array(NOTES_EIGHT))
    best = int(values["logits"][0].argmax())
    bias = model.params["bias"][best]
    written = next(m.value for m in at.markdown if m.value.startswith(f"For digit {best}"))
    assert "+ \u2212" not in written
    sign = "\u2212" if bias < 0 else "+"
    assert f") {sign} {abs(bias):.4f}".rstrip("0") in written
    logits = at.dataframe[0].value["logit"].tolist()
    assert any(text.startswith("\u2212") for text in logits) and not any("-" in t for t in logits)
    shown = [float(text.replace("\u2212", "-")) for text in logits]
    np.testing.assert_allclose(shown, values["logits"][0], atol=5e-6)
