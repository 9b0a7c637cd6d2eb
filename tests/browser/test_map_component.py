"""The map component in a real browser: what it writes, hovers, picks and downloads.

Runs tests/support/map_demo_app.py. Each map's canvas carries what it drew as a JS
property (``__drawn``: cell size, number font, the numbers written, tick labels), read
here instead of pixels; screenshots go to $MAP_SHOTS_DIR (default: pytest's tmp_path) to
be looked at. Waits are on expected text or attributes, never sleeps.
"""

from __future__ import annotations

import base64
import os
import struct
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Locator, Page, expect

from cnn_core.number_text import number
from tests.support.locators import cell_point
from tests.support.map_demo_app import TRICKY, small_map
from tests.support.streamlit_server import start_streamlit, stop_streamlit
from ui.widgets.map import hover_number

pytestmark = pytest.mark.browser

DEMO = "tests/support/map_demo_app.py"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ASSET = "/_stcore/bidi-components/cnn_playground.map/map.js"


def canvas(page: Page, map_id: str) -> Locator:
    return page.locator(f'.cnn-map[data-map-id="{map_id}"] canvas.cnn-map-overlay')


def drawn(page: Page, map_id: str) -> dict:
    return canvas(page, map_id).evaluate("c => c.__drawn")


def open_demo(page: Page, url: str, query: str = "", last: str = "pooled") -> Page:
    page.goto(f"{url}/{query}")
    expect(page.locator(f'.cnn-map[data-map-id="{last}"]')).to_have_attribute(
        "data-revision", "1", timeout=60_000)
    page.locator(IDLE).wait_for(state="attached")
    return page


@pytest.fixture
def demo(page: Page, streamlit_app) -> Page:
    return open_demo(page, streamlit_app(DEMO))


def hover_text(page: Page, map_id: str, row: int, col: int, tile: int = 0) -> str | None:
    page.mouse.move(*cell_point(page, map_id, row, col, tile))
    tip = page.locator(".cnn-map-tip").filter(visible=True)
    return tip.inner_text() if tip.count() else None


def test_hover_shows_each_cell_position_and_value(demo: Page):
    for (row, col), value in np.ndenumerate(TRICKY):
        expected = None if np.isnan(value) else f"row {row}, col {col}: {hover_number(value)}"
        assert hover_text(demo, "tricky", row, col) == expected


def test_hover_on_small_multiples_names_the_tile(demo: Page):
    tiles = np.random.default_rng(0).normal(size=(16, 26, 26))
    for tile, row, col in [(0, 0, 0), (5, 25, 3), (15, 12, 25)]:
        expected = f"k{tile}, row {row}, col {col}: {hover_number(tiles[tile, row, col])}"
        assert hover_text(demo, "tiles", row, col, tile) == expected


def test_js_hover_formatter_equals_python_on_ties_and_random_values(demo: Page):
    ties = [n / 16 for n in range(-3000, 3000, 7)] + [n / 1024 for n in range(1, 5000, 37)]
    rng = np.random.default_rng(3)
    randoms = (rng.standard_normal(500) * 10.0 ** rng.integers(-9, 9, 500)).tolist()
    values = [float(np.float32(v)) for v in ties + randoms + [0.0, -0.0, 1e-5, 9999.6]]
    module = demo.evaluate_handle(f"import('{ASSET}')")
    written = module.evaluate("(m, values) => values.map((v) => m.hoverNumber(v))", values)
    assert written == [hover_number(v) for v in values]


def test_written_numbers_are_the_python_formatters_and_fit_their_cells(demo: Page):
    pooled = np.array([[1.5, -2.25], [0.75, 3.0625]])
    cases = {"small": (small_map(0), 2), "tricky": (TRICKY, 3), "pooled": (pooled, 2),
             "relu": (np.maximum(small_map(0), 0), 2)}
    for map_id, (values, decimals) in cases.items():
        info = drawn(demo, map_id)
        written = {(r, c): text for _, r, c, text in info["numbers"]}
        if info["font"] == 0:  # too long for its cells at 10 px: hidden, never spilled
            assert map_id == "tricky" and written == {}
            continue
        assert info["font"] >= 10
        expected = {(r, c): number(float(np.float32(v)), decimals=decimals)
                    for (r, c), v in np.ndenumerate(values) if not np.isnan(v)}
        assert written == expected
        widths = canvas(demo, map_id).evaluate(
            "(c, [font, texts]) => { const x = document.createElement('canvas')"
            ".getContext('2d'); x.font = font; return texts.map((t) => x.measureText(t).width); }",
            [info["fontCss"], list(written.values())])
        assert max(widths) <= info["room"] < info["cell"]
    assert drawn(demo, "ink")["numbers"] == []  # 28 wide: no numbers sent
    assert drawn(demo, "tiles")["numbers"] == []


def test_ticks_are_thinned_on_big_maps_and_row_zero_is_on_top(demo: Page):
    small, big = drawn(demo, "small"), drawn(demo, "ink")
    assert small["rows"] == small["cols"] == [0, 1, 2, 3, 4]
    assert big["step"] > 1 and big["cols"] == list(range(0, 28, big["step"]))
    assert big["step"] * big["cell"] >= 12 * 1.25  # labels at least a line apart
    assert drawn(demo, "tiles")["rows"] == []  # small multiples: tile labels instead


def test_click_picks_a_cell_and_python_outlines_it(demo: Page):
    demo.mouse.click(*cell_point(demo, "small", 3, 1))
    expect(demo.get_by_text("picked=('small', 3, 1, None)")).to_be_visible()
    panel = demo.locator('.cnn-map[data-map-id="small"]')
    expect(panel).to_have_attribute("data-revision", "2")
    assert canvas(demo, "small").evaluate("c => c.closest('figure').__panel.m.boxes") == [
        [3, 1, 1, 1]]


def test_keyboard_moves_over_the_cells_and_enter_picks(demo: Page):
    target = canvas(demo, "small")
    target.focus()
    for key in ("ArrowRight", "ArrowRight", "ArrowDown"):
        demo.keyboard.press(key)
    tip = demo.locator(".st-key-small_view .cnn-map-tip")
    expect(tip).to_have_text(f"row 1, col 2: {hover_number(-1.25)}")
    demo.keyboard.press("Enter")
    expect(demo.get_by_text("picked=('small', 1, 2, None)")).to_be_visible()
    canvas(demo, "tiles").focus()
    for key in ["ArrowRight"] * 26 + ["ArrowDown"]:  # off k0's right edge into k1
        demo.keyboard.press(key)
    demo.keyboard.press("Space")
    expect(demo.get_by_text("tile_picked=('tiles', 1, 0, 1)")).to_be_visible()


def test_data_revision_moves_only_on_maps_whose_data_changed(demo: Page):
    small, tricky = (demo.locator(f'.cnn-map[data-map-id="{m}"]') for m in ("small", "tricky"))
    expect(small).to_have_attribute("data-revision", "1")
    demo.get_by_role("button", name="Bump").click()
    expect(demo.get_by_text("bump=1")).to_be_visible()
    expect(small).to_have_attribute("data-revision", "2")
    expect(tricky).to_have_attribute("data-revision", "1")
    written = {(r, c): t for _, r, c, t in drawn(demo, "small")["numbers"]}
    assert written[(0, 0)] == number(small_map(1)[0, 0], decimals=2)


def test_png_download_is_the_map_at_twice_its_size(demo: Page):
    info = drawn(demo, "small")
    with demo.expect_download() as download:
        demo.get_by_role("button", name="Download Small signed map as PNG").click()
    path = download.value.path()
    header = Path(path).read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert download.value.suggested_filename == "Small_signed_map.png"
    assert width == 2 * info["size"][0]
    assert height == 2 * (info["size"][1] + 14 + 12)  # the title above the map


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MAP_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def page_shot(page: Page, path: Path) -> None:
    """The whole app (its scrolling main area), not only the viewport."""
    main = page.locator('[data-testid="stMain"]')
    height = main.evaluate("m => m.scrollHeight")
    page.set_viewport_size({"width": page.viewport_size["width"], "height": height})
    page.screenshot(path=str(path))


def test_screenshots_wide_presenter_and_phone(browser, streamlit_app, tmp_path):
    url, folder = streamlit_app(DEMO), shots_dir(tmp_path)
    for name, (width, height), query in [("wide", (1400, 1000), ""),
                                         ("presenter", (1920, 1080), "?present=1"),
                                         ("phone", (390, 844), "")]:
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = open_demo(context.new_page(), url, query)
            small = drawn(page, "small")
            if name == "presenter":
                assert small["font"] >= 14 and small["cell"] >= 46
                assert "bold" in small["fontCss"]
            for map_id in ("small", "ink", "tiles", "pooled"):  # nothing wider than the page
                box = canvas(page, map_id).bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width
            page_shot(page, folder / f"map_{name}.png")
        finally:
            context.close()


def brightness(colour: str) -> float:
    """Mean of the channels of a CSS "rgb(r, g, b)" or "#rrggbb" colour."""
    if colour.startswith("#"):
        return sum(int(colour[i:i + 2], 16) for i in (1, 3, 5)) / 3
    return sum(float(v) for v in colour[colour.index("(") + 1:-1].split(",")[:3]) / 3


def test_dark_theme_backgrounds_and_labels_follow_the_theme(browser, tmp_path):
    os.environ["STREAMLIT_THEME_BASE"] = "dark"
    try:
        url, server = start_streamlit(DEMO)
    finally:
        del os.environ["STREAMLIT_THEME_BASE"]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = open_demo(context.new_page(), url)
        background, text, zero = canvas(page, "small").evaluate(
            "c => { const panel = c.closest('figure').__panel;"
            " const theme = c.getRootNode().querySelector('.cnn-maps').__view.theme;"
            " return [getComputedStyle(panel.stack).backgroundColor, theme.text,"
            " Array.from(panel.cells.getContext('2d').getImageData(2, 2, 1, 1).data)]; }")
        assert brightness(background) < 80  # the map's paper is the dark theme's
        assert brightness(text) > 180  # ticks and labels in the theme's light text
        assert zero[:3] == [247, 247, 247]  # cell colours stay the scale's: white at 0
        page_shot(page, shots_dir(tmp_path) / "map_dark.png")
    finally:
        context.close()
        stop_streamlit(server)


def test_twenty_big_maps_and_five_small_ones_draw_in_a_few_milliseconds(page, streamlit_app):
    page = open_demo(page, streamlit_app(DEMO), "?show=many", last="small4")
    costs = []
    for bump in range(1, 6):
        before = page.evaluate("() => ({...window.cnnMapStats})")
        page.get_by_role("button", name="Bump").click()
        for map_id in ("big19", "small4"):
            expect(page.locator(f'.cnn-map[data-map-id="{map_id}"]')).to_have_attribute(
                "data-revision", str(bump + 1))
        after = page.evaluate("() => window.cnnMapStats")
        assert after["renders"] - before["renders"] == 2  # two elements, each drawn once
        costs.append(after["ms"] - before["ms"])
    print(f"\n20 maps 28x28 + 5 maps 5x5 with numbers: {sorted(costs)} ms (median "
          f"{np.median(costs):.1f})")
    assert np.median(costs) < 40  # a few ms on a quiet machine; generous on a shared one


def test_assets_come_once_per_page_load_and_a_rerun_sends_only_the_arrays(browser,
                                                                          streamlit_app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if "bidi-components" in r.url
                else None)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        frames: list[str] = []
        cdp.on("Network.webSocketFrameReceived",
               lambda event: frames.append(event["response"]["payloadData"]))
        open_demo(page, streamlit_app(DEMO), "?show=small", last="small")
        assert sorted(url.rsplit("/", 1)[1] for url in fetched) == ["map.css", "map.js"]
        fetched.clear()
        frames.clear()
        page.get_by_role("button", name="Bump").click()
        expect(page.locator('.cnn-map[data-map-id="small"]')).to_have_attribute(
            "data-revision", "2")
        received = b"".join(base64.b64decode(frame) for frame in frames)
        assert fetched == []
        assert b"map.js" in received and b"hoverNumber" not in received  # a path, no code
        assert len(received) < 4000  # the 5x5 map's payload and the page's few texts
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1400])
def test_small_multiples_wrap_onto_more_rows_on_a_phone_instead_of_shrinking(
        browser, streamlit_app, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = open_demo(context.new_page(), streamlit_app(DEMO), "?show=stack", last="stack")
        info = drawn(page, "stack")
        per_row = len({x for x, _ in info["origins"]})
        rows = len({y for _, y in info["origins"]})
        assert per_row * (rows - 1) < 32 <= per_row * rows  # every tile placed, no empty row
        if width == 390:  # 8 to a row would make 14-cell tiles about 35 px wide
            assert per_row < 8 and 14 * info["cell"] >= 48
        else:
            assert per_row == 8
    finally:
        context.close()
