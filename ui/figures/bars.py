"""The probability bars, one per class, as plain HTML and CSS.

The highlighted class (the prediction) is drawn darker, hatched and named under its bar:
never by colour alone. Pure: probabilities in, HTML out.
"""

from __future__ import annotations

import numpy as np

from cnn_core.number_text import number

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
