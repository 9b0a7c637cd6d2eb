"""The drawing grid in a real browser: strokes reach Python, seeds reach the browser.

Runs tests/browser/grid_demo_app.py, which prints the Python-side drawing as rows of 0/1
plus ``ink=``, ``strokes=`` and ``runs=`` lines. Waits are on expected text, never sleeps.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.locators import cell

pytestmark = pytest.mark.browser

DEMO = "tests/browser/grid_demo_app.py"


def expect_text(page: Page, text: str) -> None:
    expect(page.get_by_text(text, exact=True)).to_be_visible()


def python_rows(page: Page) -> list[str]:
    return page.get_by_test_id("stCode").inner_text().split()


def centre(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def strokes_sent(page: Page) -> str | None:
    return page.locator(".cnn-grid-root").get_attribute("data-strokes-sent")


def open_demo(page: Page, url: str) -> Page:
    page.goto(url)
    expect(cell(page, 0, 0)).to_be_visible(timeout=30_000)
    expect_text(page, "ink=0")
    return page


@pytest.fixture
def demo(page: Page, streamlit_app) -> Page:
    return open_demo(page, streamlit_app(DEMO))


def test_click_inks_a_cell_and_a_second_click_erases_it(demo: Page):
    target = cell(demo, 2, 3)
    target.click()
    expect_text(demo, "ink=1")
    assert python_rows(demo)[2] == "00010000"
    expect(target).to_have_attribute("aria-label", "row 3, column 4, ink 1")

    target.click()
    expect_text(demo, "ink=0")
    assert python_rows(demo)[2] == "00000000"
    expect(target).to_have_attribute("data-ink", "0")


def test_fast_drag_inks_every_crossed_cell_with_one_value_per_stroke(demo: Page):
    # One jump from column 1 to column 6: the JS must interpolate the cells in between.
    demo.mouse.move(*centre(cell(demo, 3, 1)))
    demo.mouse.down()
    demo.mouse.move(*centre(cell(demo, 3, 6)), steps=1)
    demo.mouse.up()
    assert strokes_sent(demo) == "1"
    expect_text(demo, "ink=6")
    expect_text(demo, "strokes=1")
    expect_text(demo, "runs=2")
    assert python_rows(demo)[3] == "01111110"


def test_drag_that_starts_on_ink_erases(demo: Page):
    demo.mouse.move(*centre(cell(demo, 3, 1)))
    demo.mouse.down()
    demo.mouse.move(*centre(cell(demo, 3, 6)), steps=3)
    demo.mouse.up()
    expect_text(demo, "ink=6")

    demo.mouse.move(*centre(cell(demo, 3, 2)))
    demo.mouse.down()
    demo.mouse.move(*centre(cell(demo, 3, 4)), steps=2)
    demo.mouse.up()
    expect_text(demo, "ink=3")
    expect_text(demo, "strokes=2")
    assert python_rows(demo)[3] == "01000110"


def test_diagonal_drag_leaves_no_gaps(demo: Page):
    demo.mouse.move(*centre(cell(demo, 0, 0)))
    demo.mouse.down()
    demo.mouse.move(*centre(cell(demo, 7, 7)), steps=1)
    demo.mouse.up()
    expect_text(demo, "strokes=1")
    rows = python_rows(demo)
    assert all(rows[i][i] == "1" for i in range(8))


def test_touch_tap_toggles_a_cell(browser, streamlit_app):
    context = browser.new_context(has_touch=True, viewport={"width": 800, "height": 900})
    try:
        page = open_demo(context.new_page(), streamlit_app(DEMO))
        cell(page, 4, 4).tap()
        expect_text(page, "ink=1")
        assert python_rows(page)[4] == "00001000"
        cell(page, 4, 4).tap()
        expect_text(page, "ink=0")
    finally:
        context.close()


def test_touch_drag_paints_instead_of_scrolling(browser, streamlit_app):
    context = browser.new_context(has_touch=True, viewport={"width": 800, "height": 900})
    try:
        page = open_demo(context.new_page(), streamlit_app(DEMO))
        cdp = context.new_cdp_session(page)

        def touch(kind: str, points: list[dict[str, float]]) -> None:
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        (x0, y), (x1, _) = centre(cell(page, 5, 0)), centre(cell(page, 5, 7))
        touch("touchStart", [{"x": x0, "y": y}])
        for i in range(1, 5):
            touch("touchMove", [{"x": x0 + (x1 - x0) * i / 4, "y": y}])
        touch("touchEnd", [])
        expect_text(page, "ink=8")
        expect_text(page, "strokes=1")
        assert python_rows(page)[5] == "11111111"
    finally:
        context.close()


def test_clear_button_reloads_the_seed_and_later_strokes_still_count(demo: Page):
    cell(demo, 1, 1).click()
    expect_text(demo, "ink=1")
    cell(demo, 6, 6).click()
    expect_text(demo, "ink=2")

    demo.get_by_role("button", name="Clear").click()
    expect_text(demo, "ink=0")
    expect(demo.locator('.cnn-cell[data-ink="1"]')).to_have_count(0)

    cell(demo, 5, 2).click()
    expect_text(demo, "ink=1")
    assert python_rows(demo)[5] == "00100000"


def test_keyboard_arrows_move_the_cursor_and_space_or_enter_toggle(demo: Page):
    grid = demo.locator(".cnn-grid")
    grid.focus()
    demo.keyboard.press("ArrowRight")
    demo.keyboard.press("ArrowRight")
    demo.keyboard.press("ArrowDown")
    expect(cell(demo, 1, 2)).to_have_class("cnn-cell cursor")
    expect(grid).to_have_attribute("aria-activedescendant", "cnn-cell-1-2")

    demo.keyboard.press("Space")
    expect_text(demo, "ink=1")
    assert python_rows(demo)[1] == "00100000"

    demo.keyboard.press("Enter")
    expect_text(demo, "ink=0")


def test_resizing_in_python_sends_a_new_seed(demo: Page):
    cell(demo, 0, 0).click()
    expect_text(demo, "ink=1")

    demo.get_by_text("16", exact=True).click()
    expect(demo.locator(".cnn-cell")).to_have_count(256)
    expect_text(demo, "ink=4")
    for row, col in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        expect(cell(demo, row, col)).to_have_attribute("data-ink", "1")
    expect(cell(demo, 2, 2)).to_have_attribute("data-ink", "0")

    cell(demo, 15, 15).click()
    expect_text(demo, "ink=5")
    assert python_rows(demo)[15] == "0" * 15 + "1"


def test_remount_shows_the_drawing_the_caller_kept(demo: Page):
    cell(demo, 2, 5).click()
    expect_text(demo, "ink=1")

    demo.get_by_text("Show grid").click()
    expect(demo.locator(".cnn-cell")).to_have_count(0)
    demo.get_by_text("Show grid").click()
    expect(cell(demo, 2, 5)).to_have_attribute("data-ink", "1")
    expect(demo.locator('.cnn-cell[data-ink="1"]')).to_have_count(1)


def test_grey_brush_paints_its_ink_level(demo: Page):
    demo.get_by_text("brush 0.5", exact=True).click()
    # The new brush arrives with the rerun; a stroke drawn before that still uses the old one.
    expect(demo.locator(".cnn-grid")).to_have_attribute("data-brush", "0.5")
    target = cell(demo, 3, 3)
    target.click()
    expect_text(demo, "ink=0.5")
    expect(target).to_have_attribute("aria-label", "row 4, column 4, ink 0.5")
    expect(target).to_have_css("background-color", "rgb(136, 136, 136)")
    target.click()
    expect_text(demo, "ink=0")


def test_label_is_text_not_html(demo: Page):
    label = demo.locator(".cnn-grid-label")
    expect(label).to_have_text("Draw a <b>digit</b>")
    expect(label.locator("b")).to_have_count(0)


def test_grid_fits_a_phone_with_square_cells(browser, streamlit_app):
    context = browser.new_context(viewport={"width": 320, "height": 700}, has_touch=True)
    try:
        page = open_demo(context.new_page(), streamlit_app(DEMO))
        grid = page.locator(".cnn-grid").bounding_box()
        assert grid is not None
        assert grid["x"] >= 0
        assert grid["x"] + grid["width"] <= 320
        assert grid["width"] == pytest.approx(grid["height"], abs=1)
        box = cell(page, 3, 3).bounding_box()
        assert box is not None
        assert box["width"] == pytest.approx(box["height"], abs=1)
    finally:
        context.close()
