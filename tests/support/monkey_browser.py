"""The monkey in headless Chromium: random strokes on the drawing grid, clicks, typing, key
presses and page changes on the real app, from a seed.

Each step picks a kind of interaction by weight, then a visible element of that kind, and
does it as a user would (mouse, keyboard). A step that misses (the element went away in a
rerun) is a user's misclick, not a failure: failures are what the page then shows, an
exception box, or what the browser logs, a console error or an uncaught page error.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage, Error, Locator, Page

from tests.support.monkey_inputs import EDGE_TEXTS, odd_text

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
AREAS = '[data-testid="stMain"], [data-testid="stSidebar"]'
# Opening a page by URL makes Streamlit's frontend probe <page>/_stcore/health and
# /host-config before the real paths: two 404s that change nothing (streamlit issue 7074).
HARMLESS = [re.compile(r"/[a-z0-9_]+/_stcore/(health|host-config)$")]
KIND_WEIGHTS = {"stroke": 4.0, "grid keys": 1.5, "click": 3.0, "choose": 2.0, "type": 2.0,
                "table": 1.0, "slider": 1.0, "chart": 1.0, "keys": 1.0, "page": 1.0}
SELECTORS = {
    "stroke": ".cnn-grid",
    "grid keys": ".cnn-grid",
    "click": ('[data-testid="stMain"] button:not([disabled]), [data-testid="stSidebar"] '
              'button:not([disabled]), [data-testid="stRadio"] label, '
              'label:has(input[type="checkbox"]), [data-testid="stExpandSidebarButton"]'),
    "choose": '[data-testid="stSelectbox"]',
    "type": ('[data-testid="stTextInput"] input, [data-testid="stNumberInput"] input, '
             'textarea'),
    "table": '[data-testid="stDataFrame"]',
    "slider": '[role="slider"]',
    "chart": '.js-plotly-plot, canvas',
    "keys": "body",
    "page": '[data-testid="stSidebarNav"] a, [data-testid="stPageLink-NavLink"]',
}
# A fullscreen view covers the page until closed: a walk that opens one spends its next
# clicks missing, which tests nothing.
SKIPPED = re.compile(r"(Close )?[Ff]ullscreen|\?$")  # "?": its name could not be read
CLICK_MS = 3_000  # an element that cannot be clicked this long is a misclick, not a failure
KEYS = ("Tab", "Shift+Tab", "Escape", "Enter", "Space", "ArrowLeft", "ArrowRight", "ArrowUp",
        "ArrowDown", "Home", "End", "PageDown", "Backspace", "Delete", "a", "1", "-")


@dataclass
class BrowserErrors:
    """Console errors and uncaught page errors seen by one page."""

    seen: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        where = message.location.get("url", "")
        if message.type == "error" and not any(p.search(where) for p in HARMLESS):
            self.seen.append(f"console.error: {message.text} (at {where})")

    def page_error(self, error: Error) -> None:
        self.seen.append(f"pageerror: {error}")


class BrowserMonkey:
    """Random interactions on one page of the running app; ``trail`` says what it did."""

    def __init__(self, page: Page, seed: int, *, settle_ms: int = 120_000):
        self.page, self.rng, self.settle_ms = page, random.Random(seed), settle_ms
        self.errors = BrowserErrors()
        page.on("console", self.errors.console)
        page.on("pageerror", self.errors.page_error)
        self.trail: list[str] = []

    def settle(self) -> None:
        """Let a rerun start, then wait until no script or fragment run is in progress (at
        most settle_ms: long enough for Train's 50 epochs back to back on a busy machine)."""
        self.page.wait_for_timeout(150)
        self.page.locator(IDLE).wait_for(state="attached", timeout=self.settle_ms)

    def problems(self) -> list[str]:
        boxes = self.page.locator(EXCEPTION)
        found = [f"exception box: {boxes.nth(i).inner_text()[:500]}"
                 for i in range(boxes.count())]
        return found + self.errors.seen

    def step(self) -> None:
        """One random interaction: a kind by weight among those with something visible,
        then one visible element of that kind."""
        kinds = dict(KIND_WEIGHTS)
        while kinds:
            kind = self.rng.choices(list(kinds), weights=list(kinds.values()))[0]
            element = self._visible(SELECTORS[kind])
            if element is not None:
                break
            del kinds[kind]
        else:
            self.trail.append(f"{len(self.trail) + 1}. nothing to do")
            return
        try:
            text = getattr(self, "_" + kind.replace(" ", "_"))(element)
        except Error as error:  # the element moved or went away: a misclick
            text = f"{kind} {_name(element)!r}: missed ({str(error).splitlines()[0][:80]})"
            self.page.keyboard.press("Escape")  # what a user tries when something is in the way
        self.trail.append(f"{len(self.trail) + 1}. {text}")

    def _visible(self, selector: str) -> Locator | None:
        elements = self.page.locator(selector)
        count = elements.count()
        for index in self.rng.sample(range(count), min(count, 6)):
            element = elements.nth(index)
            if self._on_screen(element) and not SKIPPED.match(_name(element)):
                return element
        return None

    def _on_screen(self, element: Locator) -> bool:
        """Visible and not moved off the page's width (a collapsed sidebar keeps its
        elements "visible" off to the left)."""
        box = element.bounding_box() if element.is_visible() else None
        width = (self.page.viewport_size or {"width": 10_000})["width"]
        return box is not None and box["x"] + box["width"] > 0 and box["x"] < width

    def _point(self, element: Locator) -> tuple[float, float]:
        box = element.bounding_box()
        if box is None:
            raise Error("no bounding box")
        return (box["x"] + self.rng.uniform(0.05, 0.95) * box["width"],
                box["y"] + self.rng.uniform(0.05, 0.95) * box["height"])

    def _stroke(self, grid: Locator) -> str:
        grid.scroll_into_view_if_needed(timeout=CLICK_MS)
        start, end = self._point(grid), self._point(grid)
        steps = self.rng.choice((1, 2, 5, 12))
        self.page.mouse.move(*start)
        self.page.mouse.down()
        self.page.mouse.move(*end, steps=steps)
        self.page.mouse.up()
        return f"stroke on the grid from {start[0]:.0f},{start[1]:.0f} to {end[0]:.0f}," \
               f"{end[1]:.0f} in {steps} moves"

    def _grid_keys(self, grid: Locator) -> str:
        grid.focus(timeout=CLICK_MS)
        keys = [self.rng.choice(("ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Space",
                                 "Enter")) for _ in range(self.rng.randint(1, 6))]
        for key in keys:
            self.page.keyboard.press(key)
        return f"keys on the grid: {' '.join(keys)}"

    def _click(self, element: Locator) -> str:
        name = _name(element)
        element.click(timeout=CLICK_MS)
        return f"click {name!r}"

    def _choose(self, box: Locator) -> str:
        label = _name(box)
        options = self.page.get_by_role("listbox").get_by_role("option")
        for opener in (box.get_by_role("combobox"), box.get_by_role("button", name="Open")):
            opener.first.click(timeout=CLICK_MS)
            try:
                options.first.wait_for(timeout=1_500)
                break
            except Error:
                continue
        else:
            self.page.keyboard.press("Escape")
            return f"open select box {label!r}: no list showed"
        option = options.nth(self.rng.randrange(options.count()))
        name = _name(option)
        option.click(timeout=CLICK_MS)
        return f"choose {name!r} in select box {label!r}"

    def _type(self, field_: Locator) -> str:
        text = self.rng.choice(EDGE_TEXTS) if self.rng.random() < 0.4 else odd_text(self.rng)
        if field_.get_attribute("type") == "number":  # keys the browser lets through
            text = text[:40]
            field_.click(timeout=CLICK_MS)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(text)
        else:  # pasted: typing 10,000 characters key by key takes minutes
            field_.fill(text, timeout=CLICK_MS)
        field_.press("Enter", timeout=CLICK_MS)
        return f"type {text[:40]!r} + Enter into {_name(field_)!r}"

    def _table(self, table: Locator) -> str:
        table.scroll_into_view_if_needed(timeout=CLICK_MS)
        point = self._point(table)
        self.page.mouse.dblclick(*point)
        text = self.rng.choice((*EDGE_TEXTS, "2", "−1", "1/9", "abc"))
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        return f"double-click a table at {point[0]:.0f},{point[1]:.0f}, type {text!r} + Enter"

    def _slider(self, slider: Locator) -> str:
        slider.focus(timeout=CLICK_MS)
        keys = [self.rng.choice(("ArrowLeft", "ArrowRight", "Home", "End", "PageUp"))
                for _ in range(self.rng.randint(1, 4))]
        for key in keys:
            self.page.keyboard.press(key)
        return f"keys on slider {_name(slider)!r}: {' '.join(keys)}"

    def _chart(self, chart: Locator) -> str:
        chart.scroll_into_view_if_needed(timeout=CLICK_MS)
        point = self._point(chart)
        self.page.mouse.click(*point)
        return f"click a chart at {point[0]:.0f},{point[1]:.0f}"

    def _keys(self, _body: Locator) -> str:
        keys = [self.rng.choice(KEYS) for _ in range(self.rng.randint(1, 5))]
        for key in keys:
            self.page.keyboard.press(key)
        return f"press {' '.join(keys)}"

    def _page(self, link: Locator) -> str:
        name = _name(link)
        link.click(timeout=CLICK_MS)
        return f"go to page {name!r}"


def _name(element: Locator) -> str:
    """What a user reads on an element: its text, else its aria-label or title (one line)."""
    try:
        text = element.inner_text(timeout=1_000)
        text = text or element.get_attribute("aria-label", timeout=1_000) \
            or element.get_attribute("title", timeout=1_000) or ""
    except Error:
        return "?"
    return " ".join(text.split())[:40]
