"""Numbers as text, both ways: the one formatter every page and written sum uses, and the one
parser of what a student types.

Written numbers carry a real minus sign (U+2212, the notes' "−4") and never read "−0".
Typed numbers accept that sign and its lookalikes (dashes a keyboard or a copied PDF gives),
and fractions such as "1/9".
"""

from __future__ import annotations

import math

MINUS = "\u2212"
# U+2212 minus, figure and en dashes, small and full-width hyphen-minus: all read as "-"
MINUS_LOOKALIKES = "\u2212\u2012\u2013\ufe63\uff0d"
_AS_HYPHEN = {ord(c): "-" for c in MINUS_LOOKALIKES}
SHOWN_CHARS = 20  # how much of a bad typed text a message repeats


def number(value: float, *, decimals: int | None = None, digits: int | None = None,
           keep_zeros: bool = False) -> str:
    """A number as the app writes it, in one of three styles:

    - neither option (the notes' sums): integers bare, others to 4 decimals, tiny ones
      (|v| < 0.001) to 3 significant digits: "3", "0.3333", "0.000123";
    - ``decimals=d`` (a map's cells): d decimals, trailing zeros dropped unless
      ``keep_zeros`` (a column of logits): "0.5", "−1.25", "0" for what rounds to 0;
    - ``digits=s`` (gradients, hovered values, tables): s significant digits:
      "−0.000556821", "8.87e−05".
    Always a real minus sign, and "0" for −0.0 (ReLU's) or what rounds to zero.
    """
    value = float(value) + 0.0  # -0.0 + 0.0 is 0.0: no "−0"
    if digits is not None:
        text = f"{value:.{digits}g}"
    elif decimals is not None:
        text = f"{value:.{decimals}f}"
        if "." in text and not keep_zeros:
            text = text.rstrip("0").rstrip(".")
    elif value.is_integer():
        text = f"{value:.0f}"
    elif abs(value) >= 1e-3:
        text = f"{value:.4f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3g}"
    if text.startswith("-") and not text.strip("-0."):  # rounded to zero: no sign
        text = text[1:]
    return text.replace("-", MINUS)


def shown(text: str) -> str:
    """A typed text as a message repeats it: quoted, cut at SHOWN_CHARS with "…"."""
    return f"'{text[:SHOWN_CHARS]}…'" if len(text) > SHOWN_CHARS else f"'{text}'"


def parse_number(text: object) -> float:
    """What a student typed -> float: "2", "−1" (or any minus lookalike), "0.5", "1e-3",
    "1/9". ValueError with the reason, the text repeated: "'two' is not a number",
    "nothing is typed", "'nan' is NaN or infinity", "'1/0' divides by zero", "'1e400' is too large".

    A fraction is its two numbers divided (never Fraction("1e999999999"), which would build
    a billion-digit integer); a number beyond float's range is named as too large.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        raise ValueError("nothing is typed")
    raw = str(text).strip()
    cleaned = raw.translate(_AS_HYPHEN)
    pieces = cleaned.split("/") if cleaned.count("/") == 1 else [cleaned]
    try:
        parts = [float(piece) for piece in pieces]
    except ValueError:
        raise ValueError(f"{shown(raw)} is not a number") from None
    if any(math.isnan(part) for part in parts) or any(
            piece.strip().lower().lstrip("+-") in ("inf", "infinity") for piece in pieces):
        raise ValueError(f"{shown(raw)} is NaN or infinity")
    if len(parts) == 2 and parts[1] == 0:
        raise ValueError(f"{shown(raw)} divides by zero")
    value = parts[0] / parts[1] if len(parts) == 2 else parts[0]
    if not math.isfinite(value):
        raise ValueError(f"{shown(raw)} is too large (beyond ±1.8e308)")
    return value
