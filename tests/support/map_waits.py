"""In-page waits on the map component (ui/widgets/map) for browser tests and benchmarks:
a map found by id across the components' shadow roots, polled every animation frame until
it has painted these numbers (or these values); each records when it first held
(window.__doneAt), for click-to-update timings."""

from __future__ import annotations

import base64

import numpy as np
from playwright.sync_api import Page

FIND_PANEL = """(id) => {
  for (const host of document.querySelectorAll('.stBidiComponent *')) {
    const hit = host.shadowRoot?.querySelector(`.cnn-map[data-map-id="${id}"]`);
    if (hit) return hit;
  }
  return null;
}"""
SHOWS_NUMBERS = f"""([id, texts]) => {{
  const panel = ({FIND_PANEL})(id);
  const drawn = panel?.querySelector('canvas.cnn-map-overlay')?.__drawn;
  if (!drawn) return false;
  const shown = [...drawn.numbers].sort((a, b) => (a[0] || 0) - (b[0] || 0) || a[1] - b[1]
                                        || a[2] - b[2]).map((n) => n[3]);
  const done = shown.join('|') === texts.join('|');
  if (done && window.__doneAt == null) window.__doneAt = performance.now();
  return done;
}}"""
HOLDS_DATA = f"""([id, z]) => {{
  const panel = ({FIND_PANEL})(id);
  const root = panel?.closest('.cnn-maps');
  const data = root?.__view?.data;
  const entry = data?.maps.find((m) => m.id === id);
  const done = Boolean(entry && entry.z === z
                       && panel.getAttribute('data-revision') === String(data.rev));
  if (done && window.__doneAt == null) window.__doneAt = performance.now();
  return done;
}}"""
REVISION = f"""(id) => ({FIND_PANEL})(id)?.getAttribute('data-revision') ?? null"""


def sent_z(values: np.ndarray) -> str:
    """A map's values as the map component's payload carries them (base64 float32)."""
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f4").tobytes()).decode("ascii")


def wait_for_numbers(page: Page, map_id: str, texts: list[str], timeout: float = 30_000) -> None:
    """Wait until the map with this id has painted exactly these numbers, row-major."""
    page.wait_for_function(SHOWS_NUMBERS, arg=[map_id, texts], polling="raf", timeout=timeout)


def wait_for_values(page: Page, map_id: str, values: np.ndarray,
                    timeout: float = 30_000) -> None:
    """Wait until the map with this id has painted exactly these values (as float32)."""
    page.wait_for_function(HOLDS_DATA, arg=[map_id, sent_z(values)], polling="raf",
                           timeout=timeout)


def revision(page: Page, map_id: str) -> int | None:
    """The map's data-revision (moves once it has painted new data), None if absent."""
    value = page.evaluate(REVISION, map_id)
    return None if value is None else int(value)
