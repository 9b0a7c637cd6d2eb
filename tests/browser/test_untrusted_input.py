"""Markup from a visitor never runs: script-like values through every path a visitor controls
(query parameters of every page, the lesson name, uploaded file names, typed lists) stay text.

A payload that ran would open an alert (caught by the dialog handler), set window.pwned, or
leave an <img src="x"> in the page. Where the app echoes the value (a file name in an error),
it must be visible as the literal text.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import Expect, Page

pytestmark = pytest.mark.browser

APP = "app.py"
LOAD = 60_000
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
IMG = '<img src="x" onerror="window.pwned=1;alert(1)">'
SCRIPT = "<script>window.pwned=1;alert(1)</script>"
LINK = "[click](javascript:window.pwned=1)"
FILE_NAME = "<img src=x onerror=alert(1)>[click](javascript:alert(1))"  # browsers send " as %22
expect = Expect()
expect.set_options(timeout=30_000)

# every query parameter each page reads (and two it does not), each given a payload
PAGES = {
    "playground": ["d", "k", "kv", "pad", "s", "relu", "pool", "ps", "zz"],
    "gallery": ["d", "relu"],
    "lesson_1d": ["f", "g", "cv", "pl", "pr", "s", "i"],
    "lesson_2d": ["f", "g", "pr", "pc", "sr", "sc", "i"],
    "forward_pass": ["d", "nx", "pf", "fit", "fk"],
    "training": ["ds", "nk", "ks", "init", "fz", "lr", "ep", "bs", "opt", "seed"],
    "backprop": ["d", "nx", "y", "bk", "m", "n", "eta", "zz"],
}


def watch(page: Page) -> list[str]:
    """Record every dialog (an alert means a payload ran) and dismiss it."""
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def settle(page: Page) -> None:
    expect(page.locator(IDLE)).to_be_attached(timeout=LOAD)


def assert_inert(page: Page, dialogs: list[str]) -> None:
    settle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert dialogs == []
    assert page.evaluate("() => window.pwned") is None
    expect(page.locator('img[src="x"]')).to_have_count(0)
    expect(page.locator('a[href^="javascript:"]')).to_have_count(0)


@pytest.mark.parametrize("path", list(PAGES))
def test_script_like_query_parameters_never_run_on_any_page(page: Page, streamlit_app, path):
    dialogs = watch(page)
    names = PAGES[path]
    payloads = (IMG, SCRIPT, LINK)
    query = urlencode({name: payloads[i % 3] for i, name in enumerate(names)})
    page.goto(f"{streamlit_app(APP)}/{path}?{query}")
    expect(page.get_by_text("Share link:")).to_be_visible(timeout=LOAD)  # the notice
    assert_inert(page, dialogs)
    assert "<script>" not in page.url and "onerror" not in page.url  # dropped from the URL


def test_a_script_like_lesson_name_is_refused_as_text(page: Page, streamlit_app):
    dialogs = watch(page)
    page.goto(f"{streamlit_app(APP)}/?{urlencode({'lesson': IMG})}")
    expect(page.get_by_text("Unknown lesson link")).to_be_visible(timeout=LOAD)
    assert_inert(page, dialogs)


def test_upload_file_names_with_markup_are_shown_as_typed(page: Page, streamlit_app):
    dialogs = watch(page)
    page.goto(f"{streamlit_app(APP)}/playground")
    settle(page)
    page.get_by_role("button", name="Digits & upload").click()
    image_input = page.locator('input[type="file"]').first
    image_input.set_input_files({"name": f"{FILE_NAME}.png", "mimeType": "image/png",
                                 "buffer": b"not a png at all"})
    expect(page.get_by_test_id("stAlertContentError")).to_have_text(
        f"Could not use {FILE_NAME}.png: could not read the image (not a valid PNG or JPEG "
        "file). Your drawing was kept.", timeout=LOAD)
    assert_inert(page, dialogs)

    page.goto(f"{streamlit_app(APP)}/training")
    settle(page)
    model_input = page.locator('input[type="file"]').first
    model_input.set_input_files({"name": f"{FILE_NAME}.npz", "mimeType": "application/octet-stream",
                                 "buffer": b"PK\x03\x04 not a zip"})
    expect(page.get_by_test_id("stAlertContentError")).to_be_visible(timeout=LOAD)
    assert_inert(page, dialogs)


def test_typed_markup_in_the_1d_lesson_is_an_error_in_plain_text(page: Page, streamlit_app):
    dialogs = watch(page)
    page.goto(f"{streamlit_app(APP)}/lesson_1d")
    settle(page)
    box = page.get_by_role("textbox", name="f (the input)")
    box.fill(f"1, {IMG}")
    box.press("Enter")
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("is not a number",
                                                                        timeout=LOAD)
    assert_inert(page, dialogs)
