"""What the network pages write in words and tables: two losses told apart, the logits table.

Pure: numbers in, text (or an Arrow table) out, with cnn_core.number_text's formatter.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cnn_core.number_text import number


def told_apart(before: float, after: float, digits: int = 4) -> tuple[str, str]:
    """Two numbers to the fewest significant digits (``digits`` to 12) that write them
    differently when they differ: 8.87e−05 → 8.85e−05, never 0.0001 → 0.0001."""
    for count in range(digits, 13):
        pair = number(before, digits=count), number(after, digits=count)
        if before == after or pair[0] != pair[1]:
            break
    return pair


def output_table(logits: np.ndarray, probabilities: np.ndarray) -> pa.Table:
    """One row per class: the logit (as text, 5 decimals, with the real minus sign the rest
    of the app writes) and the softmax probability (never negative: a number).

    An Arrow table, which st.dataframe sends as it is: a pandas frame would first be
    converted to one, 1.5 ms of every brush stroke on the forward-pass page.
    """
    logit_text = [number(v, decimals=5, keep_zeros=True)
                  for v in np.asarray(logits, np.float64).tolist()]
    return pa.table({"digit": np.arange(len(logits)), "logit": logit_text,
                     "probability": np.asarray(probabilities, np.float64)})


def stage_anchor(key: str) -> str:
    """The anchor of a forward-pass stage's heading (cnn_core.stages keys): "block1.max pool"
    → "stage-block1-max-pool". The Home overview links to forward_pass#stage-..., and the
    Forward pass gives each stage's heading this anchor, so a click lands on the stage."""
    return "stage-" + "".join(c if c.isalnum() else "-" for c in key.lower())
