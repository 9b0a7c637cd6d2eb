"""The forward-pass page (AppTest): the notes' numbers, and a drawing through any model.

Values are read back from what the page sends (the map component's arrays, the bars, the
logits table, markdown and code) and compared with direct cnn_core calls.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import TinyCNN
from cnn_core.attribution import occlusion_map, saliency_map
from cnn_core.data import NOTES_EIGHT
from cnn_core.network import ConvNet
from cnn_core.network_spec import BlockSpec, NetworkSpec
from cnn_core.network_trace import channel_contributions, network_trace
from cnn_core.number_text import MINUS, number
from cnn_core.stages import network_stages
from tests.support import apptest_pages
from tests.support.arrays import page_maps
from tests.support.backprop_page import click
from ui.figures.bars import probability_bars_html
from ui.session.models import default_model, model_input, notes_example_model
from ui.session.state import DRAWING, PRESENTER, TRAINED_MODEL
from ui.text.network import stage_anchor

PAGE = "app_pages/forward_pass.py"
ROOT = Path(__file__).resolve().parents[1]
TWO_BLOCKS = NetworkSpec((12, 12), (BlockSpec(4, 3, padding=1, stride=1, pool="max"),
                                    BlockSpec(6, 3, padding=0, stride=1, pool="avg")))


def open_page(drawing: np.ndarray | None = None, *, router: bool = False,
              **state) -> AppTest:
    """This page with a drawing and some session state; alone, or through app.py."""
    return apptest_pages.open_page(PAGE, drawing, router=router, **state)


def seven(size: int = 16) -> np.ndarray:
    grid = np.zeros((size, size))
    grid[2, 3:13] = 1.0
    for row in range(3, 14):
        grid[row, 12 - (row - 3) * 7 // 11] = 1.0
    return grid


def two_block_net(seed: int = 3) -> ConvNet:
    """A two-block ConvNet with conv biases that are not zero (so the bias shows)."""
    model = ConvNet(TWO_BLOCKS, seed)
    rng = np.random.default_rng(seed)
    for name in ("block1.bias", "block2.bias"):
        model.params[name] = rng.normal(0, 0.1, model.params[name].shape)
    return model


def logits_table(at: AppTest) -> list[dict[str, str]] | None:
    """The logits table's rows as sent (st.html), each row's data attributes and its three
    written cells (digit, logit, probability); None when the page shows no table."""
    bodies = [e.proto.body for e in at.get("html") if "cnn-logits" in e.proto.body]
    if not bodies:
        return None
    assert len(bodies) == 1
    rows = re.findall(r'<tr data-digit="(\d+)" data-logit="([^"]+)" data-p="([^"]+)"[^>]*>'
                      r"<td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", bodies[0])
    keys = ("digit", "logit_value", "p", "digit_text", "logit", "probability")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def probabilities_shown(at: AppTest) -> np.ndarray:
    """The probabilities the logits table was written from (each row's data-p)."""
    return np.array([float(row["p"]) for row in logits_table(at)])


def bars_shown(at: AppTest) -> np.ndarray:
    """The probabilities the HTML bars were drawn from (each bar's data-p), by digit."""
    body = next(e.proto.body for e in at.get("html") if "cnn-bars" in e.proto.body)
    found = re.findall(r'data-digit="(\d+)" data-p="([^"]+)"', body)
    assert [int(d) for d, _ in found] == list(range(len(found)))
    return np.array([float(p) for _, p in found])


def headings(at: AppTest) -> dict[str, str]:
    """Subheading anchors -> their text."""
    return {h.proto.anchor: h.value for h in at.subheader if h.proto.anchor}


def assert_every_stage_shown(at: AppTest, model, x: np.ndarray) -> None:
    """Every stage of cnn_core.stages: block maps, input and flatten sent as the engine
    computes them (float32 on the wire), each under a heading with its anchor."""
    maps, anchors = page_maps(at), headings(at)
    stages = network_stages(model, x)
    for stage in stages:
        assert stage_anchor(stage.key) in anchors, stage.key
        if stage.block or stage.key == "input":
            sent = maps[stage_anchor(stage.key)].values
            np.testing.assert_allclose(sent, stage.values, rtol=1e-6, atol=1e-6)
            assert any(stage.shape_text in c.value for c in at.caption), stage.key
        if stage.formula and stage.key != "dense":
            assert any(stage.formula in c.value for c in at.caption), stage.formula
    flat = maps[stage_anchor("flatten")].values[0]
    np.testing.assert_allclose(flat.ravel(), stages[-3].values, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(probabilities_shown(at), stages[-1].values)


def test_page_opens_through_the_router_and_predicts_the_default_drawing():
    at = open_page(router=True)
    assert any("The network says **8**" in m.value for m in at.markdown)
    arch = default_model().arch
    captions = " ".join(c.value for c in at.caption)
    assert f"Default network ({arch.n_kernels} kernels 3x3, 16x16 input" in captions


def test_the_default_network_shows_every_stage_of_the_engines_forward():
    drawing = seven()
    at = open_page(drawing)
    model = default_model()
    x = model_input(drawing, model)
    assert_every_stage_shown(at, model, x)
    expected = model.forward(x)["probabilities"][0]
    best = int(expected.argmax())
    assert best == 7
    assert not at.get("plotly_chart")  # every map is the map component, the bars HTML
    np.testing.assert_allclose(bars_shown(at), expected)
    assert any(f"The network says **{best}**" in m.value for m in at.markdown)


def test_a_two_block_convnet_shows_both_blocks_channel_by_channel():
    model = two_block_net()
    drawing = seven()
    at = open_page(drawing, **{TRAINED_MODEL: model})
    x = model_input(drawing, model)
    assert x.shape == (12, 12)
    assert_every_stage_shown(at, model, x)
    maps = page_maps(at)
    assert maps[stage_anchor("block2.conv")].values.shape == (6, 4, 4)
    assert maps[stage_anchor("block2.avg pool")].values.shape == (6, 2, 2)
    assert "(6 − 3 + 2×0) // 1 + 1 = 4" in " ".join(c.value for c in at.caption)


def test_three_blocks_with_padding_stride_and_no_pooling_are_walked_and_taken_apart():
    spec = NetworkSpec((20, 20), (BlockSpec(3, 5, padding=2, stride=2, pool="none"),
                                  BlockSpec(5, 3, padding=1, pool="avg", pool_size=3),
                                  BlockSpec(2, 2, pool="max")))
    model = ConvNet(spec, 1)
    drawing = seven()
    at = open_page(drawing, forward_detail=True, **{TRAINED_MODEL: model})
    x = model_input(drawing, model)
    assert_every_stage_shown(at, model, x)
    assert stage_anchor("block1.max pool") not in page_maps(at)  # block 1 does not pool
    at.selectbox(key="forward_block").set_value(1).run()
    at.session_state["forward_row"], at.session_state["forward_col"] = 9, 0  # the edge
    at.run()
    maps = page_maps(at)
    np.testing.assert_allclose(maps["detail-parts"].values.sum(axis=0),
                               maps["detail-output"].values[0], atol=1e-5)
    # the 5x5 window of cell [9, 0]: rows 9·2 − 2 = 16..20, cols −2..2, cut at the image
    assert maps["detail-input"].entry["boxes"] == [[16, 0, 4, 3]]
    summed = at.code[-2].value
    feature = network_stages(model, x)[1].values
    assert summed.rsplit(" ", 1)[-1] == number(float(feature[0, 9, 0]))


@pytest.mark.parametrize(("block", "channel"), [(1, 2), (2, 5)])
def test_the_detail_views_parts_add_up_with_the_bias_to_the_output_map(block, channel):
    model = two_block_net()
    drawing = seven()
    at = open_page(drawing, forward_detail=True, **{TRAINED_MODEL: model})
    at.selectbox(key="forward_block").set_value(block).run()
    at.selectbox(key="forward_kernel").set_value(channel).run()
    at.session_state["forward_row"], at.session_state["forward_col"] = 1, 2
    at.run()
    x = model_input(drawing, model)
    maps = page_maps(at)
    parts, output = maps["detail-parts"].values, maps["detail-output"].values[0]
    bias = model.params[f"block{block}.bias"][channel]
    np.testing.assert_allclose(parts.sum(axis=0) + bias, output, atol=1e-5)
    stage = {s.key: s for s in network_stages(model, x)}[f"block{block}.conv"]
    np.testing.assert_allclose(output, stage.values[channel], rtol=1e-6, atol=1e-6)
    trace = network_trace(model, x, 0)  # the label plays no part in the forward
    engine_parts = channel_contributions(model, trace, block, channel)
    np.testing.assert_allclose(parts, engine_parts, rtol=1e-6, atol=1e-6)
    kernels = maps["detail-kernels"].values
    np.testing.assert_allclose(kernels, model.params[f"block{block}.kernels"][channel],
                               rtol=1e-6)
    assert kernels.shape[0] == (1 if block == 1 else 4)  # C_in kernels
    summed, parts_written = at.code[-2].value, at.code[-1].value.splitlines()
    assert len(parts_written) == kernels.shape[0]  # one sum per input channel
    for c, line in enumerate(parts_written):
        assert line.startswith(f"part{c}(1,2) = ")
        assert line.rsplit(" ", 1)[-1] == number(float(engine_parts[c, 1, 2]))
    assert summed.startswith(f"map k{channel}(1,2) = ")
    assert summed.rsplit(" ", 1)[-1] == number(float(stage.values[channel, 1, 2]))


def test_notes_mode_shows_the_notes_numbers_and_the_dense_weights_as_a_map():
    at = open_page(forward_notes=True)
    maps = page_maps(at)
    np.testing.assert_array_equal(maps[stage_anchor("input")].values[0], NOTES_EIGHT)
    np.testing.assert_array_equal(maps["detail-kernels"].values[0],
                                  [[0, 0, 0], [0, 0, 0], [1, 0, 1]])
    conv = [[1, 2, 1], [0, 2, 0], [1, 2, 1]]
    np.testing.assert_array_equal(maps[stage_anchor("block1.conv")].values[0], conv)
    np.testing.assert_array_equal(maps[stage_anchor("block1.relu")].values[0], conv)
    np.testing.assert_array_equal(maps[stage_anchor("block1.max pool")].values[0],
                                  [[2, 1], [2, 1]])
    np.testing.assert_array_equal(maps[stage_anchor("flatten")].values[0], [[2, 1, 2, 1]])
    model = notes_example_model()
    weights = maps["dense-weights"]
    np.testing.assert_allclose(weights.values[0], model.params["weights"], rtol=1e-6)
    # every weight written to 3 decimals, one number a cell (the map fits or hides them)
    assert weights.numbers == [number(w, decimals=3)
                               for w in np.float32(model.params["weights"]).ravel()]
    expected = model.forward(NOTES_EIGHT)
    table = logits_table(at)
    assert [int(row["digit_text"]) for row in table] == list(range(10))
    np.testing.assert_allclose([float(row["logit"].replace(MINUS, "-")) for row in table],
                               expected["logits"][0], atol=5e-6)
    np.testing.assert_allclose([float(row["logit_value"]) for row in table],
                               expected["logits"][0], rtol=1e-12)
    np.testing.assert_allclose(probabilities_shown(at), expected["probabilities"][0],
                               rtol=1e-12)
    np.testing.assert_allclose([float(row["probability"]) for row in table],
                               expected["probabilities"][0], atol=5e-6)
    best = int(expected["logits"][0].argmax())
    written = next(m.value for m in at.markdown if m.value.startswith(f"For digit {best}"))
    assert written.startswith(f"For digit {best}: z_{best} = (2×")
    assert written.endswith(f"= **{number(expected['logits'][0][best], decimals=4)}**")
    bias = model.params["bias"][best]
    assert "+ \u2212" not in written
    assert f") {MINUS if bias < 0 else '+'} {abs(bias):.4f}".rstrip("0") in written


def test_fit_toggle_off_feeds_the_drawing_without_cropping():
    drawing = np.zeros((16, 16))
    drawing[1:6, 1:3] = 1.0  # small, in a corner
    at = open_page(drawing)
    at.toggle(key="forward_fit").set_value(False).run()
    x = model_input(drawing, default_model(), fit=False)
    assert not np.allclose(x, model_input(drawing, default_model()))
    np.testing.assert_allclose(page_maps(at)[stage_anchor("input")].values[0], x, atol=1e-6)
    np.testing.assert_allclose(probabilities_shown(at),
                               default_model().forward(x)["probabilities"][0])


def test_predict_then_reveal_hides_the_answer_until_reveal():
    at = open_page(forward_predict_first=True)
    assert logits_table(at) is None
    assert not any("The network says" in m.value for m in at.markdown)
    assert at.button(key="forward_reveal").disabled
    at.radio(key="forward_guess").set_value(3).run()
    at.button(key="forward_reveal").click().run()
    assert any("you guessed 3; the network picked 8" in m.value for m in at.markdown)
    assert len(logits_table(at)) == 10
    at.session_state[DRAWING] = seven()  # a new drawing hides the answer again
    at.run()
    assert logits_table(at) is None


def test_a_blank_drawing_gets_an_answer_a_note_and_no_attribution():
    at = open_page(np.zeros((8, 8)), forward_looks=True)
    assert any("blank" in i.value for i in at.info)
    assert any("Draw something first" in i.value for i in at.info)
    assert "looks-occlusion" not in page_maps(at)
    assert len(logits_table(at)) == 10


def test_a_drawing_above_1_is_clipped_with_a_warning_and_then_answered():
    at = open_page(seven())
    at.session_state[DRAWING] = np.full((8, 8), 1.5)  # not a drawing: values above 1
    at.run()
    assert not at.exception
    assert any("outside 0..1" in w.value and "clipped" in w.value for w in at.warning)
    model = default_model()
    expected = model.forward(model_input(np.ones((8, 8)), model))["probabilities"][0]
    np.testing.assert_allclose(probabilities_shown(at), expected)


def test_a_trained_5x5_model_becomes_the_model_of_the_page():
    toy = TinyCNN(2, 3, (5, 5), 2, 10, seed=4)
    at = open_page(np.array(NOTES_EIGHT), **{TRAINED_MODEL: toy})
    assert "from the Training page" in " ".join(c.value for c in at.caption)
    np.testing.assert_allclose(probabilities_shown(at),
                               toy.forward(NOTES_EIGHT)["probabilities"][0])
    at.button(key="forward_default").click().run()
    assert at.session_state[TRAINED_MODEL] is None
    assert "Default network" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("which", ["default", "two blocks"])
def test_where_the_network_looks_shows_the_engines_occlusion_and_saliency(which):
    model = default_model() if which == "default" else two_block_net()
    drawing = seven()
    state = {} if which == "default" else {TRAINED_MODEL: model}
    at = open_page(drawing, **state)
    assert "looks-occlusion" not in page_maps(at)  # closed: nothing computed
    at.toggle(key="forward_looks").set_value(True).run()
    at.segmented_control(key="forward_patch").set_value(4).run()
    x = model_input(drawing, model)
    maps = page_maps(at)
    occlusion = occlusion_map(model, x, patch=4)
    np.testing.assert_allclose(maps["looks-occlusion"].values[0], occlusion.per_pixel,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(maps["looks-saliency"].values[0],
                               saliency_map(model, x).gradient, rtol=1e-5, atol=1e-6)
    assert "patch 4×4" in maps["looks-occlusion"].title


def fresh(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_the_detail_view_is_closed_until_a_tile_is_clicked_then_shows_that_map():
    drawing = seven()
    at = open_page(drawing)
    assert not at.toggle(key="forward_detail").value
    assert not any(key.startswith("detail-") for key in page_maps(at))
    conv = stage_anchor("block1.conv")
    click(at, f"forward_{conv}", {"map": conv, "row": 4, "col": 6, "tile": 5})
    assert at.toggle(key="forward_detail").value
    assert at.selectbox(key="forward_kernel").value == 5
    maps = page_maps(at)
    model = default_model()
    feature = model.forward(model_input(drawing, model))["feature_maps"][0, 5]
    np.testing.assert_allclose(maps["detail-output"].values[0], feature, rtol=1e-6, atol=1e-6)
    assert maps["detail-output"].entry["boxes"] == [[4, 6, 1, 1]]  # the clicked cell
    assert at.code[-2].value.startswith("map k5(4,6) = ")


def test_the_share_link_carries_the_detail_view_and_the_patch_size():
    at = open_page(seven())
    at.toggle(key="forward_looks").set_value(True).run()
    at.segmented_control(key="forward_patch").set_value(5).run()
    at.toggle(key="forward_detail").set_value(True).run()
    at.selectbox(key="forward_kernel").set_value(7).run()
    params = {key: at.query_params[key] for key in at.query_params}
    assert params["op"] == "5" and params["fl"] == "1" and params["fk"] == "7"
    assert params["fd"] == "1"
    reopened = fresh(params)
    assert not reopened.exception
    assert reopened.segmented_control(key="forward_patch").value == 5
    assert reopened.selectbox(key="forward_kernel").value == 7
    np.testing.assert_allclose(page_maps(reopened)["looks-occlusion"].values,
                               page_maps(at)["looks-occlusion"].values)
    odd = fresh({"op": "9", "fl": "1"})  # a patch size not offered: the default, said
    assert odd.segmented_control(key="forward_patch").value == 3
    assert "'op'" in " ".join(c.value for c in odd.caption)



def test_numbers_as_tables_follow_the_maps_in_notes_mode():
    at = open_page(forward_notes=True, numbers_as_tables=True)
    tables = [t.value for t in at.table]
    weights = next(t for t in tables if list(t.columns)[:1] == ["digit 0"])
    np.testing.assert_allclose(weights.to_numpy(dtype=float),
                               notes_example_model().params["weights"])
    assert list(weights.index) == ["flat 0", "flat 1", "flat 2", "flat 3"]
    pooled = next(t for t in tables if t.shape == (2, 2))
    np.testing.assert_array_equal(pooled.to_numpy(dtype=float), [[2, 1], [2, 1]])
    assert list(pooled.index) == ["k0, row 0", "k0, row 1"]  # small multiples by tile


def test_presenter_mode_sends_every_map_in_its_presenter_sizes():
    at = open_page(forward_looks=True, **{PRESENTER: True})
    payloads = [json.loads(element.proto.json) for element in at.get("bidi_component")
                if element.proto.component_name.endswith(".map")]
    assert len(payloads) >= 6  # input, conv, ReLU, pool, detail, flatten, looks
    assert all(p["presenter"] and p["cell"] > 46 for p in payloads)


def test_the_html_bars_are_as_tall_as_the_probabilities_and_name_the_prediction():
    p = np.array([0.004, 0.0, 0.12, 0.876])
    html = probability_bars_html(p, highlight=3)
    heights = [float(h) for h in re.findall(r"var\(--plot-h\) \* ([0-9.]+)\)", html)]
    np.testing.assert_allclose(heights, p, atol=5e-6)
    assert re.findall(r'class="cnn-bar-value">([^<]*)<', html) == ["", "", "12%", "88%"]
    assert re.findall(r'class="cnn-bar-note">([^<]*)<', html) == ["", "", "", "predicted"]
    assert html.count('class="cnn-bar top"') == 1 and 'data-digit="3"' in html
    assert "3: 87.6%" in html and "(predicted: 3)" in html  # the accessible name says it all
    assert "--plot-h:200px" in probability_bars_html(p, presenter=True)
