"""Three students on one server at once: each keeps only their own drawing, kernel and model.

Three browser contexts (three Streamlit sessions) are driven in turn: each step is done in
all three before any of them is waited on, so their reruns overlap on the server. Then every
session goes back to the playground (the grid is remounted from the server's copy of the
drawing, not from the browser's) and must show only its own strokes, its own kernel and,
only for the one that trained, the learned kernel in the kernel picker. A reload would not
help here: it starts a new Streamlit session, with fresh state.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from playwright.sync_api import Expect, Locator, Page

from cnn_core import KERNEL_INFO, KERNELS, conv2d
from tests.support.locators import cell, texts_of
from tests.support.map_waits import wait_for_numbers
from ui.network.training_run import RECIPES

pytestmark = pytest.mark.browser

LOAD = 60_000
expect = Expect()  # this module's own expect: a busy 2-core server can take over 5 s
expect.set_options(timeout=30_000)
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
NONE_YET = "Learned kernels: none yet (train a model first)"


@dataclass
class Student:
    """One session: its page, the cells it paints, the kernel it picks, whether it trains."""

    page: Page
    cells: list[tuple[int, int]]
    kernel: str
    trains: bool = False

    @property
    def drawing(self) -> np.ndarray:
        grid = np.zeros((5, 5))
        for row, col in self.cells:
            grid[row, col] = 1.0
        return grid

    @property
    def kernel_name(self) -> str:
        return KERNEL_INFO[self.kernel].name

    def go(self, title: str) -> None:
        nav = self.page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name=re.compile(rf"\b{re.escape(title)}$")).click()


def playground_heading(page: Page) -> Locator:
    return page.get_by_role("heading", name="Convolution playground", exact=True)


def kernel_box(page: Page) -> Locator:
    return page.locator(".st-key-playground_kernel")


def open_kernel_list(page: Page) -> Locator:
    """Open the playground's kernel select box and return its list of options.

    Waits until the session is idle, and tries again if a late rerun redrew the box and
    closed the list before it showed.
    """
    listbox = page.get_by_role("listbox")
    for _ in range(3):
        expect(page.locator(IDLE)).to_be_attached()
        kernel_box(page).click()
        try:
            expect(listbox).to_be_visible(timeout=5_000)
        except AssertionError:
            page.keyboard.press("Escape")
            continue
        return listbox
    raise AssertionError("the kernel select box did not open in three tries")


def choose_kernel(page: Page, name: str) -> None:
    """Pick a kernel by its display name in the playground's select box."""
    open_kernel_list(page).get_by_role("option", name=name, exact=True).click()


def learned_options(page: Page) -> tuple[int, int]:
    """Open the kernel picker: how many "Learned kernel i" and "none yet" options it has."""
    listbox = open_kernel_list(page)
    expect(listbox.get_by_role("option", name=KERNEL_INFO["identity"].name)).to_be_visible()
    learned = listbox.get_by_role("option", name=re.compile(r"^Learned kernel \d+$")).count()
    none_yet = listbox.get_by_role("option", name=NONE_YET).count()
    page.keyboard.press("Escape")
    expect(listbox).to_have_count(0)
    return learned, none_yet


@pytest.fixture
def students(browser, streamlit_app) -> Iterator[list[Student]]:
    """Three sessions on the same server, each on the app's Home page."""
    url = streamlit_app("app.py")
    contexts = [browser.new_context(viewport={"width": 1100, "height": 900}) for _ in range(3)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.set_default_timeout(30_000)
            page.goto(url)
        for page in pages:
            expect(page.get_by_role("heading", name="CNN Playground")).to_be_visible(
                timeout=LOAD)
        yield [
            Student(pages[0], [(0, 0), (0, 1)], "sobel_vertical"),
            Student(pages[1], [(2, 2)], "box_blur"),
            Student(pages[2], [(4, 0), (3, 4)], "laplacian_4", trains=True),
        ]
    finally:
        for context in contexts:
            context.close()


def test_three_concurrent_sessions_keep_their_own_drawing_kernel_and_model(students):
    for s in students:
        s.go("Playground")
    for s in students:
        expect(playground_heading(s.page)).to_be_visible(timeout=LOAD)
        expect(cell(s.page, 4, 4)).to_be_visible(timeout=LOAD)

    # Clear in all three; a stroke drawn before the cleared grid arrives would be dropped
    # (it belongs to the old revision), so wait for the new revision before painting.
    for s in students:
        s.page.get_by_role("button", name="Clear").click()
    for s in students:
        expect(s.page.locator(".cnn-grid")).to_have_attribute("data-revision", "1")
        expect(s.page.locator('.cnn-cell[data-ink="1"]')).to_have_count(0)

    for s in students:
        for row, col in s.cells:
            cell(s.page, row, col).click()
    for s in students:
        wait_for_numbers(s.page, "input", texts_of(s.drawing))

    for s in students:
        choose_kernel(s.page, s.kernel_name)
    for s in students:
        expect(s.page.get_by_text(f"Kernel: {s.kernel_name}")).to_be_visible()
        wait_for_numbers(s.page, "feature", texts_of(conv2d(s.drawing, KERNELS[s.kernel])))

    # One student trains one epoch on the toy set while the others open the gallery.
    for s in students:
        s.go("Training" if s.trains else "Kernel gallery")
    for s in students:
        if s.trains:
            step = s.page.get_by_role("button", name="Step one epoch")
            expect(step).to_be_visible(timeout=LOAD)
            step.click()
    for s in students:
        if s.trains:
            expect(s.page.get_by_test_id("stProgress")).to_contain_text(
                f"Epoch 1 of {RECIPES['toy']['epochs']}")
        else:
            expect(s.page.get_by_role("heading", name="Kernel gallery")).to_be_visible()
            expect(s.page.locator('.cnn-cell[data-ink="1"]')).to_have_count(len(s.cells))

    for s in students:
        s.go("Playground")
    for s in students:
        page = s.page
        expect(playground_heading(page)).to_be_visible(timeout=LOAD)
        expect(page.locator('.cnn-cell[data-ink="1"]')).to_have_count(len(s.cells))
        for row, col in s.cells:
            expect(cell(page, row, col)).to_have_attribute("data-ink", "1")
        wait_for_numbers(page, "input", texts_of(s.drawing))
        expect(kernel_box(page).get_by_role("combobox")).to_have_value(s.kernel_name)
        expect(page.get_by_text(f"Kernel: {s.kernel_name}")).to_be_visible()
        wait_for_numbers(page, "feature", texts_of(conv2d(s.drawing, KERNELS[s.kernel])))
        n_learned = RECIPES["toy"]["n_kernels"]
        assert learned_options(page) == ((n_learned, 0) if s.trains else (0, 1))
        expect(page.get_by_test_id("stException")).to_have_count(0)
