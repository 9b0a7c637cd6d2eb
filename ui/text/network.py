"""What the network pages write in words and tables: two losses told apart, the logits table.

Pure: numbers in, text (or an HTML table) out, with cnn_core.number_text's formatter.
"""

from __future__ import annotations

import numpy as np

from cnn_core.number_text import number


def told_apart(before: float, after: float, digits: int = 4) -> tuple[str, str]:
    """Two numbers to the fewest significant digits (``digits`` to 12) that write them
    differently when they differ: 8.87e−05 → 8.85e−05, never 0.0001 → 0.0001."""
    for count in range(digits, 13):
        pair = number(before, digits=count), number(after, digits=count)
        if before == after or pair[0] != pair[1]:
            break
    return pair


TABLE_CSS = """<style>
.cnn-logits{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;
  color:inherit}
.cnn-logits th,.cnn-logits td{padding:.15em .6em;text-align:right;
  border-bottom:1px solid rgba(128,128,128,.3)}
.cnn-logits th{font-weight:600;opacity:.8}
.cnn-logits tr.top td{font-weight:700}
</style>"""


def output_table(logits: np.ndarray, probabilities: np.ndarray) -> str:
    """One row per class as an HTML table (st.html): the digit, its logit to 5 decimals with
    the real minus sign the rest of the app writes, its softmax probability to 5 decimals;
    the most probable digit's row bold. Each row carries its exact values (data-logit,
    data-p). Plain HTML is a few DOM nodes on a stroke, where an st.dataframe costs the
    browser about 15 ms and rewrites its cells 150 ms after the rest of the page."""
    logits = np.asarray(logits, np.float64).ravel()
    probabilities = np.asarray(probabilities, np.float64).ravel()
    top = int(np.argmax(probabilities))
    rows = "".join(
        f'<tr data-digit="{digit}" data-logit="{z!r}" data-p="{p!r}"'
        f'{" class=top" if digit == top else ""}><td>{digit}</td>'
        f"<td>{number(z, decimals=5, keep_zeros=True)}</td><td>{p:.5f}</td></tr>"
        for digit, (z, p) in enumerate(zip(logits.tolist(), probabilities.tolist(), strict=True)))
    return (f'{TABLE_CSS}<table class="cnn-logits"><caption style="caption-side:bottom;'
            f'text-align:left;opacity:.7">Logits and probabilities, one row per digit'
            f"</caption><thead><tr><th>digit</th><th>logit</th><th>probability</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>")


def stage_anchor(key: str) -> str:
    """The anchor of a forward-pass stage's heading (cnn_core.stages keys): "block1.max pool"
    → "stage-block1-max-pool". The Home overview links to forward_pass#stage-..., and the
    Forward pass gives each stage's heading this anchor, so a click lands on the stage."""
    return "stage-" + "".join(c if c.isalnum() else "-" for c in key.lower())
