"""The kernel gallery through AppTest: one map per kernel, each equal to conv2d."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from cnn_core import KERNEL_INFO, KERNELS, TinyCNN, conv2d, relu
from cnn_core.data import NOTES_EIGHT
from tests.support.arrays import plotly_array
from ui.session import state

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages/gallery.py")


def maps(at: AppTest) -> list[np.ndarray]:
    """Every rendered map's z, in page order."""
    out = []
    for chart in at.get("plotly_chart"):
        out.append(plotly_array(json.loads(chart.proto.spec)["data"][0]["z"]))
    return out


def names(at: AppTest) -> list[str]:
    return [m.value.strip("*") for m in at.markdown if m.value.startswith("**")]


def gallery(drawing: np.ndarray, **values) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[state.DRAWING] = np.array(drawing, dtype=np.float64)
    for key, value in values.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_gallery_shows_every_named_kernel_with_its_name_and_effect():
    at = gallery(NOTES_EIGHT)
    assert names(at) == [KERNEL_INFO[key].name for key in KERNELS]
    captions = [c.value for c in at.caption]
    for key in KERNELS:
        if not key.startswith("prewitt"):  # the gallery says their sign its own way
            assert any(c.startswith(KERNEL_INFO[key].description) for c in captions), key
    for shown, key in zip(maps(at), KERNELS, strict=True):
        np.testing.assert_allclose(shown, conv2d(NOTES_EIGHT, KERNELS[key]))


def test_gallery_maps_follow_a_big_drawing_and_hide_numbers():
    drawing = np.random.default_rng(2).random((32, 32)).round(2)
    at = gallery(drawing)
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert all(spec["data"][0].get("texttemplate") is None for spec in specs)
    np.testing.assert_allclose(maps(at)[3], conv2d(drawing, KERNELS["sobel_vertical"]))


def test_gallery_relu_toggle_shows_rectified_maps():
    at = gallery(NOTES_EIGHT)
    at.toggle(key="gallery_relu").set_value(True).run()
    for shown, key in zip(maps(at), KERNELS, strict=True):
        np.testing.assert_allclose(shown, relu(conv2d(NOTES_EIGHT, KERNELS[key])))


def test_learned_kernels_join_the_gallery_once_a_model_exists():
    model = TinyCNN(n_kernels=2, kernel_size=3, image_shape=(5, 5), seed=1)
    at = gallery(NOTES_EIGHT, **{state.TRAINED_MODEL: model})
    assert names(at)[-2:] == ["Learned kernel 0", "Learned kernel 1"]
    np.testing.assert_allclose(maps(at)[-1], conv2d(NOTES_EIGHT, model.params["kernels"][1]))


def test_gallery_runs_through_the_router():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/gallery.py").run()
    assert not at.exception
    assert at.title[0].value == "Kernel gallery"
    assert len(maps(at)) == len(KERNELS)


def test_gallery_says_the_identity_map_is_cropped_and_names_prewitts_signs_by_edges():
    at = gallery(np.zeros((16, 16)))
    captions = [c.value for c in at.caption]
    assert any("Identity" not in c and "14×14, not 16×16" in c and "cropped" in c
               for c in captions)
    stroke = np.zeros((16, 16))
    stroke[:, 6:9] = 1.0  # a vertical stroke: paper | ink ink ink | paper
    vertical = conv2d(stroke, KERNELS["prewitt_vertical"])
    assert vertical[5, 4] > 0 and vertical[5, 8] < 0  # its left edge positive, right negative
    assert any("positive on a stroke's left edge (paper on the left, ink on the right)" in c
               for c in captions)
    horizontal = conv2d(stroke.T, KERNELS["prewitt_horizontal"])
    assert horizontal[4, 5] > 0 and horizontal[8, 5] < 0
    assert any("positive on a stroke's top edge (paper above, ink below)" in c
               for c in captions)
