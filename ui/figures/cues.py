"""What tells a figure's meaning apart besides colour, and what keeps it legible on a projector.

Shared by the figure builders of ui.figures (pure: dicts for plotly specs, no Streamlit) and,
for the outline tones, by the map component (its map.js draws the same three tones).
- Curves differ in dash and marker shape as well as colour (Okabe-Ito, colour-blind safe).
- Outlines are boxes in three tones drawn over each other (dark halo, red band, white core):
  on any colour of the PuOr, Blues and Greys scales one of them contrasts at least 3:1.
- Streamlit's theme sets axis labels at about 12 px: presenter mode sets 18.
"""

from __future__ import annotations

OUTLINE, HALO, CORE = "#d62728", "#111111", "#ffffff"  # red box, dark edges, white core
CURVE_STYLES = (  # (dash, marker, colour): Okabe-Ito colours, each series also its own dash
    ("solid", "circle", "#0072B2"), ("dash", "square", "#D55E00"),
    ("dot", "diamond", "#009E73"), ("dashdot", "triangle-up", "#CC79A7"))



def presenter_axis(axis: dict, presenter: bool) -> dict:
    """``axis`` with its tick labels (and title, if it has one) at 18 px in presenter mode.

    Streamlit's chart theme sets both at about 12 px whatever layout.font says.
    """
    if not presenter:
        return axis
    big = dict(axis, tickfont=dict(axis.get("tickfont") or {}, size=18))
    if "title" in axis:
        big["title"] = dict(axis["title"], font=dict(size=18))
    return big
