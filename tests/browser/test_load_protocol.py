"""benchmarks.load_protocol's client against a live server, no browser: the strokes it sends
come back as the feature map of exactly the drawing it sent, so the load it measures is the
real work (a Streamlit upgrade that changed the stroke message would fail here, not quietly
turn the benchmark into a measure of rejected strokes). And, without a server, that it reads
the feature map (the map of id "feature") and no other map from the map component."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import websockets
from streamlit.proto.Element_pb2 import Element

from cnn_core import KERNELS, conv2d
from tests.support.protocol_client import GRID_COMPONENT, Session, feature_map
from ui.widgets.map import Map, build_payload

APP = "app.py"


def map_element(name: str, maps: list[Map]) -> Element:
    element = Element()
    element.bidi_component.component_name = name
    element.bidi_component.json = json.dumps(build_payload(maps))
    return element


def test_the_client_reads_the_map_of_id_feature_and_nothing_else():
    feature = np.arange(12.0).reshape(3, 4) - 5.5
    maps = [Map(np.ones((3, 4)), "After ReLU", id="relu"), Map(feature, "C", id="feature")]
    np.testing.assert_array_equal(feature_map(map_element("cnn_playground.map", maps)),
                                  feature.astype(np.float32))
    assert feature_map(map_element("cnn_playground.map", maps[:1])) is None
    assert feature_map(map_element(GRID_COMPONENT, maps)) is None


async def strokes(url: str, cells: list[tuple[int, int]]) -> list[np.ndarray]:
    address = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(address, subprotocols=["streamlit"], max_size=None) as sock:
        session = Session(sock, 8)
        await session.open(8)
        maps = [session.feature]
        for row, col in cells:
            await session.stroke(row, col)
            maps.append(session.feature)
        return maps


def same_as_sent(shown: np.ndarray, expected: np.ndarray) -> None:
    """shown equals expected as the page sends it (the map component sends float32)."""
    assert shown.shape == expected.shape
    np.testing.assert_array_equal(shown, expected.astype(shown.dtype))


@pytest.mark.browser  # needs the live server the browser tests start
def test_each_stroke_comes_back_as_the_feature_map_of_the_drawing_sent(streamlit_app):
    cells = [(3, 1), (5, 4)]
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync tests keep a loop running here
        maps = thread.submit(asyncio.run, strokes(streamlit_app(APP), cells)).result()
    drawing = np.zeros((8, 8))
    same_as_sent(maps[0], conv2d(drawing, KERNELS["notes_example"]))
    for (row, col), shown in zip(cells, maps[1:], strict=True):
        drawing[row, col] = 1.0
        expected = conv2d(drawing, KERNELS["notes_example"])
        assert expected.any()
        same_as_sent(shown, expected)
