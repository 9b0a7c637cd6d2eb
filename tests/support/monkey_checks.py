"""What counts as a failure after one monkey interaction, read from the AppTest tree.

- an exception element, or a traceback in any text on screen;
- a message that does not say what was wrong: empty, generic ("something went wrong"), or
  a bare Python exception name;
- a message that contradicts itself: "must lie in 0..1, got range 0..1" (the numbers it
  prints are inside the range it says they violate), or "Epoch 4 of 2";
- the app turning a valid drawing into one it may not hold (the contract of
  ui/state.py: a square grid of an allowed size, finite values in 0..1).
"""

from __future__ import annotations

import re

import numpy as np
from streamlit.testing.v1 import AppTest

from cnn_core.drawing import GRID_SIZES
from ui.session.state import DRAWING

MESSAGE_KINDS = ("error", "warning", "info", "success", "toast")
TEXT_KINDS = (*MESSAGE_KINDS, "markdown", "caption", "code", "text", "latex")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")
GENERIC = re.compile(r"something went wrong|an? (?:unexpected|unknown|internal) error|"
                     r"error (?:has )?occurred|\boops\b|please try again|^\W*error\W*$", re.I)
BARE_EXCEPTION = re.compile(r"^\W*\w*(?:Error|Exception)\b\W*('[^']*'|\S*)?\W*$")
NUMBER = r"[−-]?\d+(?:\.\d+)?(?:e[+−-]?\d+)?"
RANGE_CLAIM = re.compile(rf"\b(?:in|within|between) \[?({NUMBER}) ?(?:\.\.|to|and|,) ?"
                         rf"({NUMBER})\]?\b.*?\bgot (?:range |values? )?\[?({NUMBER}) ?"
                         rf"(?:\.\.|to|,) ?({NUMBER})", re.I | re.S)
EPOCH_PAST_END = re.compile(r"\bEpoch (\d+) of (\d+)\b")


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def texts(at: AppTest, kinds: tuple[str, ...] = TEXT_KINDS) -> list[tuple[str, str]]:
    """(kind, text) of every element of these kinds on screen, progress bars included
    (exceptions are reported on their own)."""
    found = []
    for kind in kinds:
        for element in at.get(kind):
            value = getattr(element, "value", None)
            if isinstance(value, str):
                found.append((kind, value))
    found += [("progress", bar.proto.text) for bar in at.get("progress")]
    return found


def message_problems(kind: str, text: str) -> list[str]:
    """Why one message on screen is a failure (empty list: it is fine)."""
    shown = f"{kind} {text[:300]!r}"
    problems = []
    if TRACEBACK.search(text):
        problems.append(f"traceback on screen: {shown}")
    if kind in MESSAGE_KINDS:
        plain = text.replace("\\", "").strip()
        if not plain:
            problems.append(f"empty {kind} message")
        elif GENERIC.search(plain) or BARE_EXCEPTION.match(plain):
            problems.append(f"message does not say what was wrong: {shown}")
    claim = RANGE_CLAIM.search(text.replace("\\", ""))
    if claim:
        low, high, got_low, got_high = (_number(n) for n in claim.groups())
        if low <= got_low <= got_high <= high:
            problems.append(f"message claims a range violation its numbers do not show: {shown}")
    for done, total in EPOCH_PAST_END.findall(text):
        if int(done) > int(total):
            problems.append(f"progress past its end: {shown}")
    return problems


def drawing_problem(drawing: object) -> str | None:
    """Why ``drawing`` is not one the app may hold, or None if it is fine."""
    if not isinstance(drawing, np.ndarray) or drawing.ndim != 2 \
            or drawing.shape[0] != drawing.shape[1] or drawing.shape[0] not in GRID_SIZES:
        return f"not a square grid of an allowed size: {getattr(drawing, 'shape', drawing)!r}"
    if not np.issubdtype(drawing.dtype, np.number) or not np.all(np.isfinite(drawing)):
        return f"not finite numbers (dtype {drawing.dtype})"
    if drawing.min() < 0 or drawing.max() > 1:
        return f"values outside 0..1: {float(drawing.min())!r}..{float(drawing.max())!r}"
    return None


def current_drawing(at: AppTest) -> object:
    return at.session_state[DRAWING] if DRAWING in at.session_state else None


def problems(at: AppTest, *, drawing_was_valid: bool) -> list[str]:
    """Every failure visible after an interaction (empty list: none)."""
    found = []
    for exception in at.exception:
        found.append(f"exception on screen: {exception.message}\n"
                     + "\n".join(line.rstrip() for line in exception.stack_trace))
    for kind, text in texts(at):
        found += message_problems(kind, text)
    if drawing_was_valid:
        problem = drawing_problem(current_drawing(at))
        if problem is not None:
            found.append(f"the app turned a valid drawing into an invalid one: {problem}")
    return found
