"""The kernel gallery through AppTest: one map per kernel, each equal to conv2d, drawn by
the map component; a session network's kernels, a ConvNet's deeper ones per input channel."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from cnn_core import KERNEL_INFO, KERNELS, TinyCNN, conv2d, relu
from cnn_core.data import NOTES_EIGHT
from cnn_core.network import ConvNet
from cnn_core.network_spec import BlockSpec, NetworkSpec
from cnn_core.number_text import MINUS, number
from tests.support.arrays import page_maps
from ui.session import state

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages/gallery.py")


def maps(at: AppTest) -> list[np.ndarray]:
    """Every named kernel's map as the browser receives it (float32 -> float64), in order."""
    return [m.values[0].astype(np.float64) for key, m in page_maps(at).items()
            if key.startswith("named_")]


def effects(at: AppTest) -> str:
    """The list of kernel names and effects under the maps."""
    return next(m.value for m in at.markdown if m.value.startswith("- **"))


def gallery(drawing: np.ndarray, **values) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[state.DRAWING] = np.array(drawing, dtype=np.float64)
    for key, value in values.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def close(shown: np.ndarray, expected: np.ndarray) -> None:
    """The map equals the engine's array as float32 travels (what the browser draws)."""
    np.testing.assert_allclose(shown, np.float32(expected), rtol=0, atol=0)


def test_gallery_shows_every_named_kernel_with_its_name_and_effect():
    at = gallery(NOTES_EIGHT)
    sent = page_maps(at)
    assert [m.title for key, m in sent.items() if key.startswith("named_")] == [
        KERNEL_INFO[key].name for key in KERNELS]
    listed = effects(at)
    for key in KERNELS:
        assert f"- **{KERNEL_INFO[key].name}** (3×3): {KERNEL_INFO[key].description}" in listed
    for shown, key in zip(maps(at), KERNELS, strict=True):
        close(shown, conv2d(NOTES_EIGHT, KERNELS[key]))
    # one element for all the named maps: a stroke sends one payload, not eleven charts
    assert len([e for e in at.get("bidi_component")
                if e.proto.component_name.endswith(".map")]) == 1
    assert not at.get("plotly_chart")


def test_gallery_numbers_are_the_engines_with_a_real_minus_and_one_decimal():
    at = gallery(NOTES_EIGHT)
    blur = page_maps(at)["named_box_blur"]
    expected = conv2d(NOTES_EIGHT, KERNELS["box_blur"])
    assert blur.numbers == [number(float(np.float32(v)), decimals=1) for v in expected.ravel()]
    assert "0.6" in blur.numbers  # the blur's numbers are separate cells' texts, each fitted
    laplacian = page_maps(at)["named_laplacian_4"].numbers
    assert any(t.startswith(MINUS) for t in laplacian) and not any("-" in t for t in laplacian)


def test_gallery_maps_follow_a_big_drawing_and_hide_numbers():
    drawing = np.random.default_rng(2).random((32, 32)).round(2)
    at = gallery(drawing)
    sent = page_maps(at)
    assert all(not m.numbers for key, m in sent.items() if key.startswith("named_"))
    close(maps(at)[3], conv2d(drawing, KERNELS["sobel_vertical"]))
    assert sent["named_sobel_vertical"].values.shape == (1, 30, 30)


def test_presenter_mode_draws_fewer_wider_columns_of_bigger_cells():
    normal = gallery(NOTES_EIGHT)
    big = gallery(NOTES_EIGHT, **{state.PRESENTER: True})
    payloads = [json.loads(next(e for e in at.get("bidi_component")
                                if e.proto.component_name.endswith(".map")).proto.json)
                for at in (normal, big)]
    assert (payloads[0]["columns"], payloads[1]["columns"]) == (4, 3)
    assert payloads[1]["presenter"] and payloads[1]["cell"] > payloads[0]["cell"]


def test_gallery_relu_toggle_shows_rectified_maps():
    at = gallery(NOTES_EIGHT)
    at.toggle(key="gallery_relu").set_value(True).run()
    for shown, key in zip(maps(at), KERNELS, strict=True):
        close(shown, relu(conv2d(NOTES_EIGHT, KERNELS[key])))


def test_learned_kernels_join_the_gallery_once_a_model_exists():
    model = TinyCNN(n_kernels=2, kernel_size=3, image_shape=(5, 5), seed=1)
    at = gallery(NOTES_EIGHT, **{state.TRAINED_MODEL: model})
    sent = page_maps(at)
    learned = sent["learned_maps"]
    assert learned.entry["tiles"]["labels"] == ["k0", "k1"]
    for i in range(2):
        close(learned.values[i], conv2d(NOTES_EIGHT, model.params["kernels"][i]))
    close(sent["block1_kernels"].values, model.params["kernels"])


def test_without_a_network_of_its_own_the_gallery_says_how_to_get_one():
    at = gallery(NOTES_EIGHT)
    assert "learned_maps" not in page_maps(at)
    assert any("Train a network on the Training page" in c.value for c in at.caption)


def two_block_net() -> ConvNet:
    spec = NetworkSpec((8, 8), (BlockSpec(3, 3, 1, 1, "max", 2),
                                BlockSpec(4, 2, 0, 1, "max", 2)), 10)
    return ConvNet(spec, seed=3)


def test_a_convnets_first_block_kernels_are_its_gallery_maps():
    model = two_block_net()
    use = {state.TRAINED_MODEL: model}
    at = gallery(NOTES_EIGHT, **use)
    first = model.params["block1.kernels"][:, 0]  # (C_out, 1, k, k): one input channel
    sent = page_maps(at)
    close(sent["block1_kernels"].values, first)
    for i in range(3):
        close(sent["learned_maps"].values[i], conv2d(NOTES_EIGHT, first[i]))


def test_a_convnets_deeper_kernels_are_shown_per_input_channel():
    model = two_block_net()
    at = gallery(NOTES_EIGHT, **{state.TRAINED_MODEL: model})
    weights = model.params["block2.kernels"]  # (4 out, 3 in, 2, 2)
    shown = page_maps(at)["block2_out0"]
    assert shown.entry["tiles"]["labels"] == ["in 0", "in 1", "in 2"]
    close(shown.values, weights[0])
    (box,) = [b for b in at.selectbox if b.label == "Block 2: output channel"]
    assert box.options == [f"output channel {o} of 4" for o in range(4)]
    box.select(2).run()
    shown = page_maps(at)["block2_out2"]
    close(shown.values, weights[2])
    assert "block2_out0" not in page_maps(at)
    assert any("output channel 2 = Σ over its 3 input channels" in c.value for c in at.caption)


def test_gallery_runs_through_the_router():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/gallery.py").run()
    assert not at.exception
    assert at.title[0].value == "Kernel gallery"
    assert len(maps(at)) == len(KERNELS)
    assert not at.exception


def test_gallery_says_the_identity_map_is_cropped_and_names_prewitts_signs_by_edges():
    at = gallery(np.zeros((16, 16)))
    listed = effects(at)
    assert ("- **Identity** (14×14): Leaves the image unchanged (only the centre cell counts)."
            " Here the map is 14×14, not 16×16" in listed and "cropped" in listed)
    stroke = np.zeros((16, 16))
    stroke[:, 6:9] = 1.0  # a vertical stroke: paper | ink ink ink | paper
    vertical = conv2d(stroke, KERNELS["prewitt_vertical"])
    assert vertical[5, 4] > 0 and vertical[5, 8] < 0  # its left edge positive, right negative
    assert "positive on a stroke's left edge (paper on the left, ink on the right)" in listed
    horizontal = conv2d(stroke.T, KERNELS["prewitt_horizontal"])
    assert horizontal[4, 5] > 0 and horizontal[8, 5] < 0
    assert "positive on a stroke's top edge (paper above, ink below)" in listed


def test_every_deeper_block_of_a_three_block_net_has_its_own_picker_and_maps():
    spec = NetworkSpec((12, 12), (BlockSpec(3, 3, 1, 1, "max", 2), BlockSpec(4, 3, 1, 1, "none"),
                                  BlockSpec(2, 3, 0, 1, "avg", 2, bias=False)), 10)
    model = ConvNet(spec, seed=5)
    at = gallery(NOTES_EIGHT, **{state.TRAINED_MODEL: model})
    sent = page_maps(at)
    close(sent["block2_out0"].values, model.params["block2.kernels"][0])  # (3 in, 3, 3)
    close(sent["block3_out0"].values, model.params["block3.kernels"][0])  # (4 in, 3, 3)
    assert sent["block3_out0"].entry["tiles"]["labels"] == ["in 0", "in 1", "in 2", "in 3"]
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Block 2's output channel 0") and c.endswith("then ReLU.")
               and "bias" in c for c in captions)
    assert any(c.startswith("Block 3's output channel 0") and "bias" not in c
               and c.endswith("then ReLU and avg pooling.") for c in captions)


def test_numbers_as_tables_gives_every_named_map_its_table():
    at = gallery(NOTES_EIGHT, **{state.NUMBERS_AS_TABLES: True})
    tables = [t.value for t in at.table]
    assert len(tables) == len(KERNELS)
    laplacian = tables[list(KERNELS).index("laplacian_4")]
    assert list(laplacian.columns) == ["col 0", "col 1", "col 2"]
    np.testing.assert_allclose(laplacian.to_numpy(dtype=float),
                               conv2d(NOTES_EIGHT, KERNELS["laplacian_4"]))
