"""Every page of the real app in headless Chromium: it loads cleanly, and its key flow works.

Each test opens the app's root (as a student following the link does), then reaches the
page through the sidebar. "Cleanly" means: no Streamlit exception box and no browser console
error or uncaught page error (see HARMLESS for the one kind of noise that is ignored). Waits
are on expected text, elements or Streamlit's own script state, never on sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import ConsoleMessage, Error, Expect, Locator, Page

from cnn_core import KERNELS, conv2d
from cnn_core.data import NOTES_EIGHT
from cnn_core.explain import (
    conv1d_cell,
    conv2d_cell,
    written_sum,
    written_sum_1d,
)
from cnn_core.number_text import number
from tests.support.locators import cell, texts_of
from tests.support.map_waits import wait_for_numbers
from ui.network.training_run import RECIPES, build_run
from ui.network.training_settings import recipe_settings
from ui.session.models import default_model, model_input

pytestmark = pytest.mark.browser

APP = "app.py"
LOAD = 60_000  # first use of a page may train the default network on a busy 2-core machine
F, G = [1, 2, 3, 4, 5], [1, 0, -1]  # the 1D lesson's default lists
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# This module's own expect (not the global one): reruns on a busy 2-core machine can take
# longer than Playwright's 5 s default; a failing wait still fails, only later.
expect = Expect()
expect.set_options(timeout=30_000)

# Known-harmless console noise, each with its reason. Opening a page by URL (/playground)
# makes Streamlit's frontend probe <page>/_stcore/health and /host-config before the real
# /_stcore/ paths (it guesses a base path from the URL): two 404s that change nothing.
# https://github.com/streamlit/streamlit/issues/7074
HARMLESS = [re.compile(r"/[a-z0-9_]+/_stcore/(health|host-config)$")]


@dataclass
class Errors:
    """Console errors and uncaught page errors seen by one page."""

    seen: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if any(pattern.search(where) for pattern in HARMLESS):
            return
        self.seen.append(f"console.error: {message.text} (at {where})")

    def page_error(self, error: Error) -> None:
        self.seen.append(f"pageerror: {error}")


@dataclass
class App:
    """A browser page on the running app plus what went wrong in it."""

    page: Page
    errors: Errors

    def go(self, title: str) -> None:
        """Follow the sidebar link to the page titled ``title``."""
        nav = self.page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name=re.compile(rf"\b{re.escape(title)}$")).click()

    def settle(self) -> None:
        """Wait until no script or fragment run is in progress."""
        expect(self.page.locator(IDLE)).to_be_attached(timeout=LOAD)

    def assert_clean(self) -> None:
        self.settle()
        expect(self.page.get_by_test_id("stException")).to_have_count(0)
        assert self.errors.seen == []


def open_app(page: Page, url: str) -> App:
    """Load the app's Home page in ``page``, collecting its console and page errors."""
    errors = Errors()
    page.on("console", errors.console)
    page.on("pageerror", errors.page_error)
    page.set_default_timeout(30_000)
    page.goto(url)
    expect(page.get_by_role("heading", name="CNN Playground")).to_be_visible(timeout=LOAD)
    return App(page, errors)


@pytest.fixture(scope="module")
def tour(browser, streamlit_app) -> Iterator[App]:
    """One session for the page-by-page tour (it only looks, so the pages can share it)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        yield open_app(context.new_page(), streamlit_app(APP))
    finally:
        context.close()


@pytest.fixture
def app(page: Page, streamlit_app) -> App:
    """A fresh session (its own browser context) on the app's Home page, for a flow."""
    return open_app(page, streamlit_app(APP))


def heading(page: Page, name: str) -> Locator:
    return page.get_by_role("heading", name=name, exact=True)


# What each page must show once loaded: real content, some of it checked against cnn_core.
def _home(page: Page) -> None:
    expect(page.locator(".cnn-map").first).to_be_visible(timeout=LOAD)  # the live overview
    links = page.get_by_test_id("stPageLink-NavLink")
    for title in ("1D convolution", "2D convolution", "Playground", "Kernel gallery",
                  "Forward pass", "Training", "Backprop"):  # what each page teaches
        expect(links.filter(has_text=f"{title}: ")).to_have_count(1)


def _lesson_1d(page: Page) -> None:
    expect(page.get_by_text(written_sum_1d(conv1d_cell(F, G, 0)), exact=True)).to_be_visible()
    expect(heading(page, "Output size")).to_be_visible()


def _lesson_2d(page: Page) -> None:
    image, kernel = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]]
    expect(page.get_by_text(written_sum(conv2d_cell(image, kernel, 0, 0)))).to_be_visible()
    expect(page.get_by_text("6×6 → 3×3")).to_be_visible()


def _playground(page: Page) -> None:
    expect(cell(page, 4, 4)).to_be_visible()
    wait_for_numbers(page, "feature", texts_of(conv2d(NOTES_EIGHT, KERNELS["notes_example"])))


def _gallery(page: Page) -> None:
    expect(page.locator('.cnn-map[data-map-id^="named_"]')).to_have_count(len(KERNELS))
    # one map checked number by number: Sobel's has negatives (a real minus sign)
    sobel = conv2d(NOTES_EIGHT, KERNELS["sobel_vertical"])
    assert sobel.min() < 0
    wait_for_numbers(page, "named_sobel_vertical", [number(v, decimals=1) for v in sobel.ravel()])


def _forward(page: Page) -> None:
    expect(page.get_by_text("The network says")).to_be_visible(timeout=LOAD)
    expect(probability_plot(page)).to_have_count(1)


def _training(page: Page) -> None:
    expect(page.get_by_text("Press Train to start")).to_be_visible()
    expect(page.get_by_role("button", name="Step one epoch")).to_be_visible()


def _backprop(page: Page) -> None:
    expect(page.get_by_text("Check by finite differences")).to_be_visible(timeout=LOAD)


# page title in the sidebar -> (its heading, a check that its content is really there)
PAGES = {
    "Home": ("CNN Playground", _home),
    "1D convolution": ("1D convolution: slide g along f", _lesson_1d),
    "2D convolution": ("2D convolution: slide a window over a grid", _lesson_2d),
    "Playground": ("Convolution playground", _playground),
    "Kernel gallery": ("Kernel gallery", _gallery),
    "Forward pass": ("Forward pass", _forward),
    "Training": ("Training", _training),
    "Backprop": ("Backprop", _backprop),
}


def open_page(app: App, title: str) -> Page:
    name, content = PAGES[title]
    app.go(title)
    expect(heading(app.page, name)).to_be_visible(timeout=LOAD)
    content(app.page)
    return app.page


@pytest.mark.parametrize("title", list(PAGES))
def test_page_opens_from_the_sidebar_without_errors(tour: App, title: str):
    tour.errors.seen.clear()
    if title == "Home":  # leave Home first, so Home too is reached through the sidebar
        open_page(tour, "2D convolution")
    open_page(tour, title)
    tour.assert_clean()


def test_playground_a_click_on_the_grid_changes_the_feature_map(app: App):
    page = open_page(app, "Playground")
    drawing = np.array(NOTES_EIGHT)
    drawing[3, 2] = 1.0  # fill the lower hole of the 8
    cell(page, 3, 2).click()
    expect(cell(page, 3, 2)).to_have_attribute("data-ink", "1")
    expected = conv2d(drawing, KERNELS["notes_example"])
    assert texts_of(expected) != texts_of(conv2d(NOTES_EIGHT, KERNELS["notes_example"]))
    wait_for_numbers(page, "feature", texts_of(expected))
    # the downloads sit outside the stroke's fragment: their files still hold this stroke
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV", exact=True).click()
    rows = Path(download.value.path()).read_text().splitlines()
    assert np.array_equal(np.array([row.split(",") for row in rows], dtype=float), drawing)
    app.assert_clean()


def test_1d_lesson_arrow_key_on_the_step_slider_writes_the_next_sum(app: App):
    page = open_page(app, "1D convolution")
    slider = page.get_by_role("slider")
    expect(slider).to_have_attribute("aria-valuetext", "C[0]")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "C[1]")
    second = written_sum_1d(conv1d_cell(F, G, 1))
    expect(page.get_by_text(second, exact=True)).to_be_visible()
    expect(page.get_by_text(written_sum_1d(conv1d_cell(F, G, 0)), exact=True)).to_have_count(0)
    app.assert_clean()


def epoch_line(epoch: int) -> str:
    """The page's "After epoch N" sentence, from a direct run of the toy recipe."""
    run = build_run(recipe_settings("toy"))
    for _ in range(epoch):
        run.trainer.run_epoch()
    last = run.trainer.history[-1]
    return (f"After epoch {last.epoch}: train loss {last.train_loss:.4f}, test loss "
            f"{last.test_loss:.4f}, train accuracy {last.train_accuracy:.0%}, test accuracy "
            f"{last.test_accuracy:.0%}")


def test_training_step_one_epoch_on_the_toy_set_draws_the_loss_curve(app: App):
    page = open_page(app, "Training")
    # switch away and back, so the toy set's recipe is chosen by a click, not by default
    page.get_by_text("Handwritten digits 8x8", exact=False).click()
    expect(page.get_by_role("radio", name=re.compile("Handwritten digits 8x8"))).to_be_checked()
    app.settle()
    page.get_by_text("The notes' toy set", exact=False).click()
    expect(page.get_by_role("radio", name=re.compile("toy set"))).to_be_checked()
    epochs = RECIPES["toy"]["epochs"]
    expect(page.get_by_role("slider", name="Epochs")).to_have_value(str(epochs))
    app.settle()

    loss = page.locator(".js-plotly-plot").filter(
        has=page.locator("text.ytitle", has_text="loss"))
    step = page.get_by_role("button", name="Step one epoch")
    for epoch in (1, 2):
        step.click()
        expect(page.get_by_test_id("stProgress")).to_contain_text(f"Epoch {epoch} of {epochs}")
        expect(page.get_by_text(epoch_line(epoch))).to_be_visible()
        expect(loss.locator(".scatterlayer .trace").first.locator(".point")).to_have_count(epoch)
    app.assert_clean()


def probability_plot(page: Page) -> Locator:
    """The forward page's probability bars (plain HTML: ui.figures.bars.probability_bars_html)."""
    return page.locator(".cnn-bars")


def said(probabilities: np.ndarray) -> str:
    """The forward page's verdict for these probabilities."""
    best = int(np.argmax(probabilities))
    return f"The network says {best} with {probabilities[best]:.1%} confidence."


def bar_texts(probabilities: np.ndarray) -> list[str]:
    """The percentages written on the probability bars (empty under 0.5 %)."""
    return [f"{p:.0%}" for p in probabilities if p >= 0.005]


def test_forward_pass_drawing_changes_the_probabilities(app: App):
    model = default_model()
    before = model.forward(model_input(NOTES_EIGHT, model))["probabilities"][0]
    drawing = np.array(NOTES_EIGHT)
    drawing[1, 2] = 1.0  # fill the upper hole: the 8 becomes a 9
    after = model.forward(model_input(drawing, model))["probabilities"][0]
    assert said(after) != said(before)

    page = open_page(app, "Forward pass")
    bars = probability_plot(page).locator(".cnn-bar-value:not(:empty)")
    expect(page.get_by_text(said(before), exact=True)).to_be_visible()
    expect(bars).to_have_text(bar_texts(before))
    cell(page, 1, 2).click()
    expect(cell(page, 1, 2)).to_have_attribute("data-ink", "1")
    expect(page.get_by_text(said(after), exact=True)).to_be_visible()
    expect(bars).to_have_text(bar_texts(after))
    app.assert_clean()


def test_share_link_opens_the_same_numbers_in_a_fresh_browser(app: App, browser):
    page = open_page(app, "Playground")
    drawing = np.array(NOTES_EIGHT)
    drawing[3, 2] = 1.0
    cell(page, 3, 2).click()
    expect(cell(page, 3, 2)).to_have_attribute("data-ink", "1")
    page.get_by_role("radiogroup", name="Padding P").get_by_role("radio", name="1").click()
    expected = texts_of(conv2d(drawing, KERNELS["notes_example"], padding=1))
    wait_for_numbers(page, "feature", expected)
    app.settle()
    page.get_by_role("button", name="Copy share link").click()
    link = page.get_by_role("textbox", name="Share link of this page")
    expect(link).to_have_value(re.compile(r"/playground\?.*pad=1"))
    url = link.input_value()

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        fresh = context.new_page()
        fresh.goto(url)
        wait_for_numbers(fresh, "feature", expected, timeout=LOAD)
        expect(cell(fresh, 3, 2)).to_have_attribute("data-ink", "1")
    finally:
        context.close()
    app.assert_clean()
