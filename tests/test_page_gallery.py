"""The kernel gallery through AppTest: one map per kernel, each equal to conv2d."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from cnn_core import KERNEL_INFO, KERNELS, TinyCNN, conv2d, relu
from cnn_core.data import NOTES_EIGHT
from ui import state

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages/gallery.py")


def maps(at: AppTest) -> list[np.ndarray]:
    """Every rendered map's z, in page order."""
    out = []
    for chart in at.get("plotly_chart"):
        z = json.loads(chart.proto.spec)["data"][0]["z"]
        if isinstance(z, dict):
            shape = [int(n) for n in z["shape"].split(",")]
            z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
        out.append(np.asarray(z, dtype=np.float64))
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
    assert all(KERNEL_INFO[key].description in captions for key in KERNELS)
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
