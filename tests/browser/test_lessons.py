"""The convolution lessons in a real browser: play animates to the last position.

Runs the whole app (the router), opens the pages by URL; waits are on expected text.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cnn_core import conv2d
from cnn_core.explain import conv1d_cell, conv2d_cell, written_sum, written_sum_1d
from cnn_core.number_text import number
from tests.support.locators import map_drawn, map_numbers, map_panel
from tests.support.streamlit_server import start_streamlit, stop_streamlit

pytestmark = pytest.mark.browser

F, G = [1, 2, 3, 4, 5], [1, 0, -1]


def open_lesson(page: Page, base: str, path: str, first_sum: str) -> None:
    """Open base, then base + path, and wait for the page and the shared sidebar."""
    page.goto(base)
    expect(page.get_by_text("Presenter mode", exact=True)).to_be_attached(timeout=30_000)
    page.goto(f"{base}{path}")
    expect(page.get_by_text(first_sum, exact=True)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Presenter mode", exact=True)).to_be_attached(timeout=15_000)


def test_play_animates_the_1d_lesson_to_the_last_position_and_stops(page: Page, streamlit_app):
    open_lesson(page, streamlit_app("app.py"), "/lesson_1d", written_sum_1d(conv1d_cell(F, G, 0)))
    page.get_by_role("button", name="▶ Play").click()
    expect(page.get_by_role("button", name="⏸ Pause")).to_be_visible(timeout=10_000)
    last = written_sum_1d(conv1d_cell(F, G, 2))
    assert last == "C[2] = f[2+0]g[0] + f[2+1]g[1] + f[2+2]g[2] = 3·1 + 4·0 + 5·(−1) = −2"
    expect(page.get_by_text(last, exact=True)).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("slider")).to_have_attribute("aria-valuetext", "C[2]")
    assert page.get_by_test_id("stException").count() == 0


def test_the_2d_lesson_shows_the_notes_example_and_links_to_the_playground(page: Page,
                                                                         streamlit_app):
    image, kernel = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]]
    open_lesson(page, streamlit_app("app.py"), "/lesson_2d",
                written_sum(conv2d_cell(image, kernel, 0, 0)))
    expect(page.get_by_text("6×6 → 3×3")).to_be_visible()
    link = page.get_by_test_id("stPageLink-NavLink")
    expect(link).to_contain_text("Try it on your own drawing in the Playground", timeout=15_000)
    expect(link).to_have_attribute("href", "playground")
    assert page.get_by_test_id("stException").count() == 0


def test_the_written_sum_wraps_instead_of_overflowing_on_a_phone(browser, streamlit_app):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        open_lesson(phone, streamlit_app("app.py"), "/lesson_1d",
                    written_sum_1d(conv1d_cell(F, G, 0)))
        box = phone.locator(".lesson-sum").first
        width, scroll = box.evaluate("el => [el.clientWidth, el.scrollWidth]")
        assert scroll <= width <= 390
    finally:
        context.close()


def test_a_fresh_server_opened_at_a_lesson_url_still_runs_the_router(browser):
    url, server = start_streamlit("app.py")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/lesson_1d")
        expect(page.get_by_role("heading", name="Output size")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Presenter mode", exact=True)).to_be_attached(timeout=30_000)
    finally:
        context.close()
        stop_streamlit(server)


def expect_presenter_fonts(page: Page) -> None:
    """Presenter mode is on: its style sheet sets the root font to 125 % (20 px)."""
    page.wait_for_function(
        "getComputedStyle(document.documentElement).fontSize === '20px'", timeout=15_000)


def test_presenter_mode_stays_in_the_url_across_a_page_change_and_a_reload(page: Page,
                                                                          streamlit_app):
    base = streamlit_app("app.py")
    page.goto(f"{base}/lesson_2d?present=1")
    expect(page.get_by_text("6×6 → 3×3")).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(r"present=1"), timeout=15_000)
    page.get_by_test_id("stPageLink-NavLink").click()
    expect(page.get_by_role("heading", name="Convolution playground")).to_be_visible(
        timeout=30_000)
    expect(page).to_have_url(re.compile(r"/playground\?(.*&)?present=1"), timeout=15_000)
    page.reload()
    expect(page.get_by_role("heading", name="Convolution playground")).to_be_visible(
        timeout=30_000)
    expect_presenter_fonts(page)
    expect(page).to_have_url(re.compile(r"present=1"), timeout=15_000)


def test_a_lesson_link_with_present_1_opens_the_lesson_in_presenter_mode(page: Page,
                                                                        streamlit_app):
    page.goto(f"{streamlit_app('app.py')}/?lesson=edge-detection&present=1")
    expect(page.get_by_text("Lesson:").first).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(r"lesson=edge-detection"), timeout=15_000)
    expect(page).to_have_url(re.compile(r"present=1"), timeout=15_000)
    expect_presenter_fonts(page)


def test_the_2d_lessons_padded_input_is_ticked_and_hovered_from_minus_one(page: Page,
                                                                        streamlit_app):
    image, kernel = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]]
    cell = conv2d_cell(image, kernel, 0, 0, padding=(1, 1))
    open_lesson(page, streamlit_app("app.py"), "/lesson_2d?pr=1&pc=1", written_sum(cell))
    for map_id in ("input", "kernel", "output"):
        expect(map_panel(page, map_id)).to_have_attribute("data-revision", re.compile(r"\d"),
                                                          timeout=20_000)
    expected = conv2d(image, kernel, padding=1)
    assert map_numbers(page, "output") == [number(v, decimals=2) for v in expected.ravel()]
    assert map_numbers(page, "input")[:6] == ["0", "0", "0", "0", "0", "0"]  # the pad row
    canvas = map_panel(page, "input").locator("canvas.cnn-map-overlay")
    canvas.scroll_into_view_if_needed()
    box, drawn = canvas.bounding_box(), map_drawn(page, "input")
    x, y = drawn["origins"][0]
    for (row, col), text in (((0, 0), "row −1, col −1: 0"), ((2, 3), "row 1, col 2: 6")):
        page.mouse.move(box["x"] + x + (col + 0.5) * drawn["cell"],
                        box["y"] + y + (row + 0.5) * drawn["cell"])
        expect(page.locator(".cnn-map-tip").filter(visible=True)).to_have_text(text)
    assert page.get_by_test_id("stException").count() == 0
