"""Opening a page under AppTest with some session state, alone or through app.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from ui.session.state import DRAWING

ROOT = Path(__file__).resolve().parents[2]


def open_page(page: str, drawing: np.ndarray | None = None, *, router: bool = False,
              timeout: float = 60, **state) -> AppTest:
    """The page (e.g. "app_pages/training.py") after one run, with no exception.

    drawing goes into the shared DRAWING key, every other keyword into session_state;
    router=True runs app.py first and switches to the page, as a visitor would.
    """
    at = AppTest.from_file(str(ROOT / ("app.py" if router else page)), default_timeout=timeout)
    if drawing is not None:
        at.session_state[DRAWING] = drawing
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if router:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
