"""Plotly figures as Streamlit sends them, read back the same way by every test."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io
import plotly.tools
from streamlit.testing.v1 import AppTest

from tests.support.arrays import plotly_array


def as_sent(figure: go.Figure) -> dict:
    """The figure JSON that st.plotly_chart sends, read back."""
    spec = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    return json.loads(plotly.io.to_json(spec, validate=False))


def validated(figure: go.Figure) -> dict:
    """The same figure after plotly's full validation (raises on any invalid property)."""
    sent = json.loads(go.Figure(figure.to_dict()).to_json())
    sent["layout"].pop("template")  # an empty template comes back filled with a stub
    return sent


def without_template(spec: dict) -> dict:
    """A sent spec as validation returns it: no template, no empty lists of shapes."""
    spec["layout"] = {key: value for key, value in spec["layout"].items()
                      if key != "template" and value != []}
    return spec


def z_of(spec: dict, trace: int = 0) -> np.ndarray:
    return plotly_array(spec["data"][trace]["z"])


def charts(at: AppTest) -> dict[str, dict]:
    """Every rendered plotly figure, keyed by its title text."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}


def chart_z(at: AppTest, title_start: str) -> np.ndarray:
    matches = [spec for title, spec in charts(at).items() if title.startswith(title_start)]
    assert len(matches) == 1, f"{title_start!r} among {list(charts(at))}"
    return z_of(matches[0])
