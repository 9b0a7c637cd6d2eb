"""A playground student without a browser: Streamlit's websocket protocol, spoken as the
browser speaks it (the protobuf BackMsg / ForwardMsg), for benchmarks.load_protocol.

``Session.open`` opens the playground from a share link with a blank drawing;
``Session.stroke`` inks one cell and sends the grid exactly as the drawing grid sends a
finished stroke (its ``stroke`` trigger value, whole grid, on the page's fragment), then
reads the rerun's reply: the feature map's values, or the error shown. The feature map is
read from the map component's payload (a BidiComponent element named ``*.map``; the map of
id "feature"), decoded by tests.support.arrays.sent_map as float32, as the browser reads it.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import numpy as np
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.support.arrays import sent_map
from ui.codecs.grid_stroke import encode_grid
from ui.codecs.url_values import encode_drawing
from ui.widgets.grid.component import GRID
from ui.widgets.map.component import MAP

GRID_COMPONENT, MAP_COMPONENT = GRID.name, MAP.name  # the components' registered names
FEATURE_MAP_ID = "feature"  # ui.playground.maps: the map "Feature map C (h×w)"
TIMEOUT_S = 120.0


def feature_map(element) -> np.ndarray | None:
    """The playground's feature map C (h, w) if this new_element is the map component that
    carries it (the map of id FEATURE_MAP_ID in its payload), else None."""
    if element.WhichOneof("type") != "bidi_component" or \
            element.bidi_component.component_name != MAP_COMPONENT:
        return None
    for entry in json.loads(element.bidi_component.json or "{}").get("maps", []):
        if entry.get("id") == FEATURE_MAP_ID:
            return sent_map(entry).values[0]
    return None


@dataclass
class Reply:
    """What one rerun sent back: the feature map (and when it came), any exception."""

    feature: np.ndarray | None = None
    feature_at: float | None = None
    grid: dict | None = None  # the drawing grid element: its widget id, data, fragment
    errors: list[str] = field(default_factory=list)
    page_script_hash: str = ""


class Session:
    """One student: a websocket to the server and the state a browser would keep."""

    def __init__(self, socket: websockets.ClientConnection, grid: int) -> None:
        self.socket, self.drawing = socket, np.zeros((grid, grid))
        self.context = BackMsg().rerun_script.context_info
        self.context.timezone, self.context.locale = "UTC", "en-US"
        self.trigger_id = self.fragment_id = self.page_script_hash = ""
        self.revision, self.feature = 0, None

    async def send(self, message: BackMsg) -> None:
        message.rerun_script.context_info.CopyFrom(self.context)
        await self.socket.send(message.SerializeToString())

    async def read_run(self) -> Reply:
        """ForwardMsgs up to the end of one script run."""
        reply = Reply()
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(self.socket.recv(), TIMEOUT_S))
            kind = message.WhichOneof("type")
            if kind == "new_session":
                reply.page_script_hash = message.new_session.page_script_hash
            elif kind == "script_finished":
                return reply
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                self._read_element(message.delta, reply)

    @staticmethod
    def _read_element(delta, reply: Reply) -> None:
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception" or (kind == "alert" and element.alert.format == 1):
            reply.errors.append(element.exception.message or element.alert.body)
        elif (values := feature_map(element)) is not None:
            reply.feature, reply.feature_at = values, time.perf_counter()
        elif kind == "bidi_component" and element.bidi_component.component_name == GRID_COMPONENT:
            reply.grid = {"id": element.bidi_component.id, "fragment": delta.fragment_id,
                          "data": json.loads(element.bidi_component.json or "{}")}

    async def open(self, grid: int) -> None:
        """The playground from a share link with a blank grid x grid drawing."""
        message = BackMsg()
        message.rerun_script.page_name = "playground"
        message.rerun_script.query_string = f"d={encode_drawing(self.drawing)}"
        self.context.url = "http://127.0.0.1/playground"
        await self.send(message)
        reply = await self.read_run()
        if reply.grid is None or reply.feature is None or reply.errors:
            raise RuntimeError(f"playground did not open as expected: {reply.errors}")
        data = reply.grid["data"].get("data", reply.grid["data"])
        if data.get("size") != grid:
            raise RuntimeError(f"opened a {data.get('size')} grid, not {grid}")
        self.page_script_hash = reply.page_script_hash
        self.trigger_id = f"$$STREAMLIT_INTERNAL_KEY_{reply.grid['id']}__events"
        self.fragment_id, self.revision = reply.grid["fragment"], int(data["revision"])
        self.feature = reply.feature

    async def stroke(self, row: int, col: int) -> tuple[float, float]:
        """Ink one cell as a finished stroke; -> (latency, turnaround) in ms."""
        self.drawing[row, col] = 1.0
        value = {"r": self.revision, "n": len(self.drawing), "g": encode_grid(self.drawing)}
        message = BackMsg()
        message.rerun_script.page_script_hash = self.page_script_hash
        message.rerun_script.fragment_id = self.fragment_id
        widget = message.rerun_script.widget_states.widgets.add()
        widget.id = self.trigger_id
        widget.json_trigger_value = json.dumps([{"event": "stroke", "value": value}])
        sent = time.perf_counter()
        await self.send(message)
        reply = await self.read_run()
        done = time.perf_counter()
        if reply.errors:
            raise RuntimeError(f"error on screen: {reply.errors[0][:200]}")
        if reply.feature is None or np.array_equal(reply.feature, self.feature):
            raise RuntimeError("the feature map did not change")
        self.feature = reply.feature
        return 1000 * (reply.feature_at - sent), 1000 * (done - sent)
