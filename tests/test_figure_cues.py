"""Nothing told by colour alone, and legible from the back row (ui.figures.cues in the figures).

Contrast is WCAG 2's: (L1 + 0.05) / (L2 + 0.05) of relative luminances; 3:1 is the least for
graphical objects and for large or bold text, 4.5:1 for body text.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import plotly.colors
import pytest

from tests.support.plotly_specs import as_sent
from ui.figures.cues import CORE, HALO, OUTLINE
from ui.figures.curves import curves
from ui.figures.spec import colour_scale

KINDS = ("signed", "positive", "ink")
# every scale a map can get: each kind, in the classroom default and in presenter mode
SCALES = [pytest.param(colour_scale(kind, presenter), id=f"{kind}{'-presenter' * presenter}")
          for kind in KINDS for presenter in (False, True)]
DARK_TEXT = "#444444"  # the dark cell text of plotly.js (Color.defaultLine) and of map.js
MAP_JS = Path(__file__).resolve().parents[1] / "ui/widgets/map/assets/map.js"


def map_js_colour(name: str) -> str:
    """A colour constant of the map component's script: const NAME = "#rrggbb";"""
    (colour,) = re.findall(rf'^const {name} = "(#[0-9a-f]{{6}})";', MAP_JS.read_text(),
                           flags=re.MULTILINE)
    return colour


def rgb(colour: str) -> tuple[float, float, float]:
    """"#rrggbb" or "rgb(r, g, b)" as three 0..1 floats."""
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return tuple(float(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3])


def luminance(colour: str) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def scale_colours(scale: list, count: int = 201) -> list[str]:
    return plotly.colors.sample_colorscale(scale, list(np.linspace(0, 1, count)))


def test_the_contrast_helper_gives_the_wcag_extremes():
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast("rgb(118, 118, 118)", "#ffffff") == pytest.approx(4.54, abs=0.01)


# ---- outlines ------------------------------------------------------------------------------

@pytest.mark.parametrize("scale", SCALES)
def test_some_tone_of_every_outline_contrasts_3_to_1_with_every_cell_colour(scale):
    for cell in scale_colours(scale):
        best = max(contrast(cell, tone) for tone in (HALO, OUTLINE, CORE))
        assert best >= 3, (scale, cell)


def test_a_red_outline_alone_would_not_stand_out_on_every_cell():
    # why the halo and the core: red on PuOr's dark orange or Blues' dark blue is under 3:1
    worst = min(contrast(cell, OUTLINE) for kind in KINDS
                for cell in scale_colours(colour_scale(kind)))
    assert worst < 2


def test_the_map_component_draws_outlines_and_cell_text_in_these_tones():
    # map.js keeps its own copies (it runs in the browser): they must be these
    assert [map_js_colour(name) for name in ("HALO", "OUTLINE", "CORE", "DARK_TEXT")] == [
        HALO, OUTLINE, CORE, DARK_TEXT]


# ---- numbers in the cells ------------------------------------------------------------------

@pytest.mark.parametrize("scale", SCALES)
def test_the_automatic_cell_text_colour_contrasts_3_to_1_on_every_cell(scale):
    # plotly.js and map.js write cell text white or #444, whichever contrasts more with it
    for cell in scale_colours(scale):
        assert max(contrast(cell, "#ffffff"), contrast(cell, DARK_TEXT)) >= 3.1, cell


@pytest.mark.parametrize("presenter", [False, True])
def test_the_scales_dark_ends_reach_7_to_1_against_white(presenter):
    signed = colour_scale("signed", presenter)
    ends = [signed[0][1], signed[-1][1], colour_scale("positive", presenter)[-1][1],
            colour_scale("ink", presenter)[-1][1]]
    assert all(contrast(end, "#ffffff") >= 7 for end in ends), ends


@pytest.mark.parametrize("kind, small", [("positive", [0.1]), ("signed", [0.45, 0.55])],
                         ids=["positive", "signed"])
def test_presenter_scales_show_values_near_zero_that_a_projector_would_wash_out(kind, small):
    # a tenth of the largest value: nearly white in the default scale, clearly tinted here
    default, presenter = (plotly.colors.sample_colorscale(colour_scale(kind, p), small)
                          for p in (False, True))
    for plain, strong in zip(default, presenter, strict=True):
        assert contrast(plain, "#ffffff") < 1.3
        assert contrast(strong, "#ffffff") > 1.6


def test_zero_stays_white_in_the_presenters_signed_scale():
    assert colour_scale("signed", presenter=True)[4] == [0.5, "rgb(247,247,247)"]


# ---- curves ----------------------------------------------------------------------------------

def test_train_and_test_curves_differ_in_dash_marker_and_colour_and_have_a_legend():
    figure = curves({"train": [1.0, 0.5], "test": [1.2, 0.8]}, x=[1, 2], y_title="loss")
    train, test = figure.data
    assert train.line.dash == "solid" and test.line.dash != "solid"
    assert train.marker.symbol != test.marker.symbol
    assert train.line.color != test.line.color
    assert train.mode == test.mode == "lines+markers"
    assert (train.name, test.name) == ("train", "test")
    assert figure.layout.showlegend is not False


@pytest.mark.parametrize("epochs, step", [(3, 1), (10, 1), (11, 2), (50, 5)])
def test_the_epoch_axis_ticks_whole_epochs_only(epochs, step):
    x = list(range(1, epochs + 1))
    axis = as_sent(curves({"train": [1.0] * epochs}, x=x, y_title="loss"))["layout"]["xaxis"]
    assert (axis["tickmode"], axis["tick0"], axis["dtick"]) == ("linear", 1, step)


# ---- presenter mode: labels big enough for the back row ---------------------------------------

def axes(figure) -> list[dict]:
    layout = as_sent(figure)["layout"]
    return [layout["xaxis"], layout["yaxis"]]


@pytest.mark.parametrize("build", [
    lambda presenter: curves({"train": [1.0]}, x=[1], y_title="loss", presenter=presenter),
], ids=["curves"])
def test_presenter_mode_sets_axis_labels_at_18_px(build):
    assert all(axis["tickfont"]["size"] == 18 for axis in axes(build(True)))
    assert all(axis.get("title", {}).get("font", {}).get("size", 18) == 18
               for axis in axes(build(True)))
    assert all("size" not in axis.get("tickfont", {}) for axis in axes(build(False)))
