"""Bar charts of one value per class: probabilities (0..1, HTML) and signed gradients (p − y).

The highlighted class (the prediction, the true label) is drawn darker, hatched and named
under its bar: never by colour alone (ui.figures.cues). Pure: arrays in, HTML or a SpecFigure
out.
"""

from __future__ import annotations

import numpy as np

from cnn_core.number_text import number
from ui.figures.cues import highlight_cues, presenter_axis
from ui.figures.spec import SpecFigure, typed_array


def signed_bars(values: np.ndarray, *, title: str = "", highlight: int | None = None,
                highlight_name: str = "true label", y_title: str = "",
                presenter: bool = False) -> SpecFigure:
    """Bars of a signed vector (C,) with its values written on them (p − y, a gradient).

    Orange bars are positive, purple negative (also up or down, and the signed numbers);
    the highlighted class is dark blue, hatched and named under its bar (highlight_name).
    """
    values = np.asarray(values, dtype=np.float64)
    labels = [str(i) for i in range(values.size)]
    colours = ["#b35806" if v > 0 else "#542788" for v in values]
    if highlight is not None:
        colours[highlight] = "#1f4e9c"
    cues, xaxis = highlight_cues(labels, highlight, highlight_name)
    bars = dict(type="bar", x=labels, y=typed_array(values), marker=dict(color=colours, **cues),
                text=[number(v, decimals=3) for v in values.tolist()],
                textposition="outside", cliponaxis=False,
                hovertemplate="class %{x}: %{y:.5f}<extra></extra>")
    layout = dict(title=dict(text=title, font=dict(size=20 if presenter else 14)),
                  height=280 if highlight is None else 310,
                  margin=dict(l=40, r=10, t=40 if title else 10, b=30 if highlight is None else 60),
                  xaxis=presenter_axis(dict(xaxis, title=dict(text="class")), presenter),
                  yaxis=presenter_axis(dict(title=dict(text=y_title), zeroline=True,
                                            zerolinecolor="#444"), presenter),
                  font=dict(size=18 if presenter else 13), plot_bgcolor="white", template={})
    return SpecFigure({"data": [bars], "layout": layout})


BAR_CSS = """<style>
.cnn-bars{display:flex;align-items:flex-end;gap:4px;padding-top:4px;
  font-size:var(--bars-font);color:inherit;font-variant-numeric:tabular-nums}
.cnn-bar-col{flex:1;display:flex;flex-direction:column;align-items:center;
  justify-content:flex-end;min-width:0;height:calc(var(--plot-h) + 4.2em)}
.cnn-bar{width:78%;background:#9bb7dd;min-height:1px}
.cnn-bar.top{background:#1f4e9c repeating-linear-gradient(45deg,transparent 0 5px,
  rgba(255,255,255,.35) 5px 7px)}
.cnn-bar-value{white-space:nowrap;font-size:.85em;opacity:.85}
.cnn-bar-label{border-top:1px solid currentColor;width:100%;text-align:center;padding-top:2px}
.cnn-bar-col.top .cnn-bar-label{font-weight:700}
.cnn-bar-note{font-size:.75em;height:1.3em;white-space:nowrap}
</style>"""


def probability_bars_html(probabilities: np.ndarray, *, highlight: int | None = None,
                          highlight_name: str = "predicted", presenter: bool = False) -> str:
    """The probability bars as plain HTML and CSS (st.html): one div per class, its height
    the probability (0..1 of the plot's height), the value above it to 0 decimals of a
    percent (none under 0.5%), the class under it; the highlighted class darker, hatched,
    bold and named under its bar (not by colour alone). Costs the browser a few DOM nodes
    instead of a plotly redraw on every stroke. Digits and numbers only: nothing typed by
    anyone goes in."""
    values = np.asarray(probabilities, dtype=np.float64).ravel()
    columns = []
    for digit, p in enumerate(values.tolist()):
        top = " top" if digit == highlight else ""
        shown = f"{p:.0%}" if p >= 0.005 else ""
        note = highlight_name if digit == highlight else ""
        columns.append(
            f'<div class="cnn-bar-col{top}" data-digit="{digit}" data-p="{p!r}">'
            f'<span class="cnn-bar-value">{shown}</span>'
            f'<div class="cnn-bar{top}" style="height:calc(var(--plot-h) * '
            f'{min(max(p, 0.0), 1.0):.5f})"></div>'
            f'<span class="cnn-bar-label">{digit}</span>'
            f'<span class="cnn-bar-note">{note}</span></div>')
    said = "; ".join(f"{d}: {number(p * 100, decimals=1)}%" for d, p in enumerate(values))
    name = f"Probability of each digit: {said}" + (
        f" ({highlight_name}: {highlight})" if highlight is not None else "")
    size = "--plot-h:200px;--bars-font:18px" if presenter else "--plot-h:150px;--bars-font:13px"
    return (f'{BAR_CSS}<div class="cnn-bars" role="img" aria-label="{name}" '
            f'style="{size}">{"".join(columns)}</div>')
