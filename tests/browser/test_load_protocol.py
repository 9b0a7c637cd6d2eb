"""benchmarks.load_protocol's client against a live server, no browser: the strokes it sends
come back as the feature map of exactly the drawing it sent, so the load it measures is the
real work (a Streamlit upgrade that changed the stroke message would fail here, not quietly
turn the benchmark into a measure of rejected strokes)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import websockets

from cnn_core import KERNELS, conv2d
from tests.support.protocol_client import Session

pytestmark = pytest.mark.browser  # needs the live server the browser tests start

APP = "app.py"


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
