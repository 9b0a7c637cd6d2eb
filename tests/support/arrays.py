"""Arrays as the browser receives them, decoded once for every test: plotly's typed arrays
({"dtype", "bdata", "shape"} base64, or plain lists) and the map component's maps."""

from __future__ import annotations

import base64
import json
from typing import NamedTuple

import numpy as np
from streamlit.testing.v1 import AppTest

from cnn_core.number_text import MINUS
from ui.widgets.map.component import MAP


def plotly_array(values: object) -> np.ndarray:
    """A plotly figure's array as numpy (float64), whether it is a list or typed base64."""
    if isinstance(values, dict):
        flat = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        shape = values.get("shape")
        flat = flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
        return flat.astype(np.float64)
    return np.array(values, dtype=np.float64)


class SentMap(NamedTuple):
    """One map as the map component receives it: values (K, h, w) as float32 or float64 (what the
    browser decodes), its title, the numbers written in its cells (row-major, "" when
    none are sent) and the whole entry for anything else (kind, boxes, ticks...)."""

    values: np.ndarray
    title: str
    numbers: list[str]
    entry: dict


def sent_map(entry: dict) -> SentMap:
    """Decode one entry of a map payload (ui.widgets.map.payload.build_payload)."""
    dtype = "<f8" if entry.get("dtype") == "f8" else "<f4"
    values = np.frombuffer(base64.b64decode(entry["z"]), dtype=dtype).reshape(entry["shape"])
    text = entry.get("text") or ""
    numbers = text.replace("-", MINUS).split(",") if text else []
    return SentMap(values, entry.get("title", ""), numbers, entry)


def sent_maps(at: AppTest) -> list[SentMap]:
    """Every map the page sent to the map component, in page order."""
    return [sent_map(entry) for element in at.get("bidi_component")
            if element.proto.component_name == MAP.name
            for entry in json.loads(element.proto.json)["maps"]]


def page_maps(at: AppTest) -> dict[str, SentMap]:
    """Every map the page sent to the map component, by map id, in page order."""
    return {sent.entry["id"]: sent for sent in sent_maps(at)}
