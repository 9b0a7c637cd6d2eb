"""The monkey's drawings: random ink put into session state (AppTest cannot paint the
grid), strokes sent through the grid component's trigger as the browser sends them, and
drawings no browser sends (NaN, out of 0..1, not square)."""

from __future__ import annotations

import random

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.support import monkey_inputs as inputs
from tests.support import monkey_protocol as protocol
from tests.support.monkey_checks import current_drawing
from tests.support.monkey_protocol import Action
from ui.session.state import DRAWING, DRAWING_REVISION


def draw_action(rng: random.Random, at: AppTest) -> Action:
    grid, note = inputs.random_drawing(rng, inputs.drawing_size(rng))
    bump = rng.random() < 0.5  # as ui.state.set_drawing does (a preset, an upload)

    def put() -> None:
        at.session_state[DRAWING] = grid
        if bump and DRAWING_REVISION in at.session_state:
            at.session_state[DRAWING_REVISION] += 1

    how = "with a revision bump" if bump else "as a stroke leaves it"
    return Action(f"put a drawing ({note}) in session_state['drawing'], {how}", put)


def stroke_action(rng: random.Random, at: AppTest, *, bad: bool = False) -> Action:
    """A finished stroke on the grid: a random line of ink (or an erased one) on the drawing,
    sent through the grid component's trigger as the browser sends it."""
    grid_element = rng.choice(protocol.grids(at))
    drawing = current_drawing(at)
    drawing = drawing if isinstance(drawing, np.ndarray) and drawing.ndim == 2 else None
    revision = at.session_state[DRAWING_REVISION] if DRAWING_REVISION in at.session_state else 0
    n = drawing.shape[0] if drawing is not None else 8
    new = np.clip(np.nan_to_num(drawing), 0, 1) if drawing is not None else np.zeros((n, n))
    r0, c0, r1, c1 = (rng.randrange(n) for _ in range(4))
    steps = max(abs(r1 - r0), abs(c1 - c0)) + 1
    rows = np.linspace(r0, r1, steps).round().astype(int)
    cols = np.linspace(c0, c1, steps).round().astype(int)
    # starting on ink erases (as the grid does); start elsewhere half the time
    ink = 0.0 if new[r0, c0] > 0 and rng.random() < 0.5 else rng.choice((1.0, 1.0, 0.5, 0.1))
    new[rows, cols] = ink
    payload = {"r": revision, "n": n, "g": inputs.grid_text(new)}
    note = f"{n}x{n}, ({r0}, {c0}) to ({r1}, {c1}), ink {ink}"
    if bad:
        broken = rng.choice(("stale revision", "wrong size", "garbage", "nan"))
        payload = {"stale revision": {**payload, "r": revision - 1},
                   "wrong size": {**payload, "n": n + 1},
                   "garbage": {"r": revision, "n": n, "g": inputs.odd_text(rng)},
                   "nan": {**payload, "g": ",".join(["nan"] * n * n)}}[broken]
        note += f", {broken}"
    return Action(f"stroke on grid [{grid_element.key}] ({note})",
                  changed=(protocol.stroke(grid_element, payload),))


def bad_drawing_action(rng: random.Random, at: AppTest) -> Action:
    grid, note = inputs.bad_drawing(rng)
    return Action(f"put a bad drawing ({note}) in session_state['drawing']",
                  lambda: at.session_state.__setitem__(DRAWING, grid))
