"""The 1D and 2D convolution lessons under AppTest, through the router.

What the pages show (the written sums, the output rows, the figures' numbers) is compared
with direct cnn_core calls; numpy.convolve is the independent oracle for the identity
Σj f(i−j) g(j) = Σj f(j) g(i−j).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import conv1d, conv2d, unused_inputs
from cnn_core.explain import (
    conv1d_cell,
    conv2d_cell,
    written_sum,
    written_sum_1d,
)
from cnn_core.number_text import MINUS
from tests.support.arrays import page_maps
from ui.session.state import PRESENTER
from ui.text.lessons import never_read, parse_numbers, written_sum_swapped

ROOT = Path(__file__).resolve().parent.parent
F, G = [1, 2, 3, 4, 5], [1, 0, -1]
IMAGE, KERNEL = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]]
SLIDING, FLIPPED, OTHER_FORM = 0, 1, 2  # the convention radio's options, in order


def open_page(page: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def big_lines(at: AppTest, kind: str = "sum") -> list[str]:
    """The text of every big monospace line of that kind, HTML unescaped."""
    found = []
    for element in at.markdown:
        if f'class="lesson-{kind}"' in element.value:
            found.append(html.unescape(re.sub(r"<[^>]+>", "", element.value)))
    return found


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def map_of(at: AppTest, name: str) -> list[list[float]]:
    """One of the 2D lesson's maps ("input", "kernel", "output") as the browser gets it."""
    return page_maps(at)[name].values[0].astype(float).tolist()


def row_text(values) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values).replace("-", MINUS) + "]"


def error_text(at: AppTest) -> str:
    """The one error shown, its markdown escapes removed."""
    assert len(at.error) == 1, [e.value for e in at.error]
    return re.sub(r"\\(.)", r"\1", at.error[0].value)


def set_convention(at: AppTest, option: int) -> None:
    radio = at.radio(key="lesson1d_convention")
    radio.set_value(radio.options[option])


# --- 1D: the notes' numbers --------------------------------------------------------------------

def test_1d_default_shows_the_notes_sliding_example():
    at = open_page("lesson_1d")
    assert big_lines(at) == [written_sum_1d(conv1d_cell(F, G, 0))]
    assert big_lines(at)[0] == ("C[0] = f[0+0]g[0] + f[0+1]g[1] + f[0+2]g[2] = "
                                "1·1 + 2·0 + 3·(−1) = −2")
    assert row_text(conv1d(F, G)) == "[−2, −2, −2]"
    assert big_lines(at, "output") == ["C = [−2, −2, −2]"]
    assert big_lines(at, "row") == []
    strip = charts(at)[0]
    texts = [t for trace in strip["data"] if trace.get("mode") == "text" for t in trace["text"]]
    assert texts.count("−2") == 3 and {"1", "2", "3", "4", "5"} <= set(texts)


def test_1d_step_control_moves_to_each_position_and_rewrites_the_sum():
    at = open_page("lesson_1d")
    for i in (2, 0, 1):
        at.select_slider(key="lesson1d_slider").set_value(i).run()
        assert big_lines(at) == [written_sum_1d(conv1d_cell(F, G, i))]
    assert big_lines(at)[0] == ("C[1] = f[1+0]g[0] + f[1+1]g[1] + f[1+2]g[2] = "
                                "2·1 + 3·0 + 4·(−1) = −2")


def test_1d_convolution_with_left_padding_two_shows_the_notes_padded_result():
    at = open_page("lesson_1d")
    set_convention(at, FLIPPED)
    at.number_input(key="lesson1d_pad_left").set_value(2).run()
    assert big_lines(at, "output") == ["C = [1, 2, 2, 2, 2]"]
    expected = conv1d(F, G, padding=(2, 0), mode="convolve")
    assert row_text(expected) == "[1, 2, 2, 2, 2]"
    for i in range(5):
        at.select_slider(key="lesson1d_slider").set_value(i).run()
        cell = conv1d_cell(F, G, i, padding=(2, 0), mode="convolve")
        assert big_lines(at) == [written_sum_1d(cell, "convolve")]
    assert big_lines(at)[0].startswith("C[4] = f[4−0]g[0] + f[4−1]g[1] + f[4−2]g[2] = ")


def test_1d_padding_cells_are_labelled_pad_in_the_strip():
    at = open_page("lesson_1d")
    set_convention(at, FLIPPED)
    at.number_input(key="lesson1d_pad_left").set_value(2).run()
    traces = charts(at)[0]["data"]
    hatched = [t for t in traces if t.get("fillpattern", {}).get("shape") == "/"]
    assert len(hatched) == 1
    texts = [t for trace in traces if trace.get("mode") == "text" for t in trace["text"]]
    assert texts.count("pad") == 2 and "f[−2]" in texts and "f[−1]" in texts


def test_1d_other_form_shows_both_rows_equal_and_the_swapped_sum():
    at = open_page("lesson_1d")
    set_convention(at, OTHER_FORM)
    at.number_input(key="lesson1d_pad_left").set_value(2).run()
    assert big_lines(at, "row") == ["Σj f(i−j) g(j) = [1, 2, 2, 2, 2]",
                                    "Σj f(j) g(i−j) = [1, 2, 2, 2, 2]"]
    assert big_lines(at) == ["C[0] = f[−2]g[0+2] + f[−1]g[0+1] + f[0]g[0−0] = "
                             "0·(−1) + 0·0 + 1·1 = 1"]
    assert any(r"j \,\to\, i - j" in latex.value for latex in at.latex)


@pytest.mark.parametrize("seed", range(20))
def test_the_other_form_equals_numpy_convolve_on_random_inputs(seed):
    rng = np.random.default_rng(seed)
    f = rng.integers(-9, 10, size=int(rng.integers(1, 12))).astype(float)
    g = rng.integers(-9, 10, size=int(rng.integers(1, 6))).astype(float)
    left, right = (int(p) for p in rng.integers(0, 5, size=2))
    stride = int(rng.integers(1, 4))
    if g.size > f.size + left + right:
        left += g.size
    full = np.convolve(f, g, mode="full")  # full[c] = Σj f(j) g(c − j)
    engine = conv1d(f, g, padding=(left, right), stride=stride, mode="convolve")
    for i, value in enumerate(engine):
        c = i * stride + g.size - 1 - left  # the notes' i: the last input read
        assert value == (full[c] if 0 <= c < full.size else 0.0)
        cell = conv1d_cell(f, g, i, padding=(left, right), stride=stride, mode="convolve")
        values = written_sum_swapped(cell).split(" = ")[2]
        pairs = re.findall(r"\(?(−?\d+)\)?·\(?(−?\d+)\)?", values)
        as_int = [(int(a.replace(MINUS, "-")), int(b.replace(MINUS, "-"))) for a, b in pairs]
        assert sum(a * b for a, b in as_int) == value


def test_1d_accepts_a_unicode_minus():
    at = open_page("lesson_1d")
    at.text_input(key="lesson1d_g").set_value("1, 0, −1").run()
    assert not at.error
    assert big_lines(at) == [written_sum_1d(conv1d_cell(F, G, 0))]


@pytest.mark.parametrize("widget, value, message", [
    ("lesson1d_f", "", "f is empty"),
    ("lesson1d_f", "1, two, 3", "f: 'two' is not a number"),
    ("lesson1d_f", "1, nan, 3", "f: 'nan' is NaN or infinity"),
    ("lesson1d_f", "1, 2/0, 3", "f: '2/0' divides by zero"),
    ("lesson1d_g", "1, 1, 1, 1, 1, 1", "does not fit in the padded input"),
    ("lesson1d_stride", 0, "stride must be 1 or more"),
    ("lesson1d_f", "1e308, 0, −1e308", "too large"),
])
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_1d_bad_input_shows_an_error_and_keeps_the_last_good_result(widget, value, message):
    at = open_page("lesson_1d")
    at.select_slider(key="lesson1d_slider").set_value(1).run()
    kept = big_lines(at)
    if isinstance(value, str):
        at.text_input(key=widget).set_value(value).run()
    else:
        at.number_input(key=widget).set_value(value).run()
    assert not at.exception
    assert message in error_text(at)
    assert big_lines(at) == kept
    assert big_lines(at, "output") == ["C = [−2, −2, −2]"]


def test_1d_user_text_never_reaches_unsafe_html_or_markdown():
    at = open_page("lesson_1d")
    at.text_input(key="lesson1d_f").set_value("<img src=x onerror=alert(1)>").run()
    assert "'<img' is not a number" in error_text(at) and not at.exception
    assert r"\<img" in at.error[0].value
    assert not any("<img" in element.value for element in at.markdown)
    at.text_input(key="lesson1d_f").set_value("[click](http://example.com)").run()
    assert r"\[click\]\(http\://examp…' is not a number" in at.error[0].value  # cut at 20


def test_1d_uneven_stride_lists_the_inputs_never_read():
    at = open_page("lesson_1d")
    at.text_input(key="lesson1d_f").set_value("1, 2, 3, 4, 5, 6").run()
    at.number_input(key="lesson1d_stride").set_value(2).run()
    assert [w.value for w in at.warning] == [
        "(S_f − S_g + P_l + P_r) is not a multiple of S = 2: the floor drops the last partial "
        "step, so the last 1 cell(s) are never read: f[5] = 6."]
    assert r"\left\lfloor 1.5 \right\rfloor + 1" in at.latex[-1].value
    assert at.latex[-1].value.rstrip("$\n ").endswith("= 2\\end{aligned}")


def test_1d_stride_longer_than_the_kernel_lists_the_skipped_cells():
    at = open_page("lesson_1d")
    at.text_input(key="lesson1d_g").set_value("1, 1").run()
    at.number_input(key="lesson1d_pad_right").set_value(1).run()
    at.number_input(key="lesson1d_stride").set_value(3).run()
    assert [w.value for w in at.warning] == [  # padded f: 1 2 [3] 4 5 [pad], windows at 0, 3
        "(S_f − S_g + P_l + P_r) is not a multiple of S = 3: the floor drops the last partial "
        "step, so the last 1 cell(s) are never read: f[5] (pad).",
        "The stride S = 3 is longer than g (2 cells): the cells between two windows are "
        "skipped: f[2] = 3."]


@pytest.mark.parametrize("size, k, pad, stride", [(6, 3, 0, 2), (7, 2, 1, 3), (5, 5, 0, 1),
                                                  (9, 4, 2, 4), (4, 1, 0, 3), (8, 3, 1, 5)])
def test_never_read_tail_agrees_with_unused_inputs(size, k, pad, stride):
    ones = np.ones(size), np.ones(k)
    count = conv1d(*ones, padding=pad, stride=stride).size
    cells = [conv1d_cell(*ones, i, padding=pad, stride=stride) for i in range(count)]
    unread = never_read(cells, size, k, pad, pad)
    assert len(unread.tail) == unused_inputs(size, k, padding=pad, stride=stride)
    assert unread.tail == list(range(size + 2 * pad - len(unread.tail), size + 2 * pad))
    gaps = [p for i in range(count - 1) for p in range(i * stride + k, (i + 1) * stride)]
    assert unread.skipped == gaps


def test_parse_numbers_reads_commas_spaces_and_dashes():
    np.testing.assert_array_equal(parse_numbers("1 ,2;−3  –4 0.5 1/4", "f", max_count=9),
                                  [1, 2, -3, -4, 0.5, 0.25])  # a fraction, as a kernel cell
    with pytest.raises(ValueError, match="at most 3"):
        parse_numbers("1, 2, 3, 4", "g", max_count=3)
    with pytest.raises(ValueError, match="g: 'inf' is NaN or infinity"):
        parse_numbers("inf", "g", max_count=3)


def test_play_advances_one_step_per_run_and_stops_at_the_last_position():
    at = open_page("lesson_1d")
    at.button(key="lesson1d_play_button").click().run()
    assert at.session_state["lesson1d_step"] == 1
    assert at.button(key="lesson1d_play_button").label == "⏸ Pause"
    at.run()  # what a run_every tick does: one more step, the last one, then stop
    assert at.session_state["lesson1d_step"] == 2
    assert at.session_state["lesson1d_playing"] is False
    assert at.button(key="lesson1d_play_button").label == "▶ Play"
    assert big_lines(at) == [written_sum_1d(conv1d_cell(F, G, 2))]
    at.button(key="lesson1d_play_button").click().run()  # at the end, play starts over
    assert at.session_state["lesson1d_step"] == 1


def test_while_playing_no_slider_can_carry_an_old_position_back():
    at = open_page("lesson_2d")
    at.button(key="lesson2d_play_button").click().run()
    assert at.session_state["lesson2d_playing"] is True
    # the slider is gone while playing (a slow browser could send its old value back on a
    # tick, moving the window back and pausing it); the position is written instead
    assert not [s for s in at.select_slider if s.key == "lesson2d_slider"]
    assert "Output position: **C(0,1)**" in [m.value for m in at.markdown]
    at.run()  # a tick
    assert at.session_state["lesson2d_step"] == 2 and at.session_state["lesson2d_playing"]
    at.button(key="lesson2d_play_button").click().run()  # pause: the slider is back, in step
    assert at.select_slider(key="lesson2d_slider").value == 2
    at.select_slider(key="lesson2d_slider").set_value(0).run()  # and moves the step
    assert at.session_state["lesson2d_step"] == 0


def test_coming_back_to_the_page_does_not_resume_an_old_animation():
    at = open_page("lesson_1d", lesson1d_playing=True)  # left mid-play; the slider key is gone
    assert at.session_state["lesson1d_playing"] is False
    assert at.session_state["lesson1d_step"] == 0
    assert at.button(key="lesson1d_play_button").label == "▶ Play"


def test_presenter_mode_makes_the_numbers_bigger():
    normal, big = open_page("lesson_1d"), open_page("lesson_1d", **{PRESENTER: True})
    assert "1.45rem" in normal.markdown[0].value and "2.1rem" in big.markdown[0].value
    sizes = [max(t["textfont"]["size"] for t in charts(at)[0]["data"] if "textfont" in t)
             for at in (normal, big)]
    assert sizes[1] > sizes[0] >= 22


# --- 2D ------------------------------------------------------------------------------------

def test_2d_default_is_the_notes_example_all_minus_four_stepped_cell_by_cell():
    at = open_page("lesson_2d")
    assert at.select_slider(key="lesson2d_slider").options == ["C(0,0)", "C(0,1)", "C(1,0)",
                                                             "C(1,1)"]
    for step, (row, col) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        at.select_slider(key="lesson2d_slider").set_value(step).run()
        expected = written_sum(conv2d_cell(IMAGE, KERNEL, row, col))
        assert big_lines(at) == [expected] and expected.endswith("= −4")
        maps = page_maps(at)
        assert list(maps) == ["input", "kernel", "output"]  # one element, three maps
        assert map_of(at, "output") == [[-4.0, -4.0], [-4.0, -4.0]]
        assert maps["output"].entry["boxes"] == [[row, col, 1, 1]]
        assert maps["input"].entry["boxes"] == [[row, col, 2, 2]]  # the 2x2 window read
        assert map_of(at, "input") == IMAGE and map_of(at, "kernel") == KERNEL
        assert maps["output"].numbers == ["−4"] * 4
        assert "start" not in maps["input"].entry and "inner" not in maps["input"].entry
    np.testing.assert_array_equal(conv2d(IMAGE, KERNEL), [[-4, -4], [-4, -4]])


def test_2d_says_positions_are_row_col_and_maps_the_notes_c10():
    at = open_page("lesson_2d")
    assert "[row, col]" in at.info[0].value and "**C(0,1)** here" in at.info[0].value
    assert big_lines(at, "row")[0] == ("the notes' C(1,0) is C(0,1) = (2×1) + (3×0) + (5×0) "
                                       "+ (6×−1) = −4")


def test_2d_padding_and_stride_per_axis_match_the_engine():
    at = open_page("lesson_2d")
    at.number_input(key="lesson2d_pad_rows").set_value(1).run()
    at.number_input(key="lesson2d_stride_cols").set_value(2).run()
    expected = conv2d(IMAGE, KERNEL, padding=(1, 0), stride=(1, 2))
    assert expected.shape == (4, 1)
    slider = at.select_slider(key="lesson2d_slider")
    assert slider.options == ["C(0,0)", "C(1,0)", "C(2,0)", "C(3,0)"]
    for step in range(4):
        at.select_slider(key="lesson2d_slider").set_value(step).run()
        cell = conv2d_cell(IMAGE, KERNEL, step, 0, padding=(1, 0), stride=(1, 2))
        assert big_lines(at) == [written_sum(cell)]
        assert map_of(at, "output") == expected.tolist()
        assert page_maps(at)["input"].entry["boxes"] == [[step, 0, 2, 2]]
    rows, cols = (latex.value for latex in at.latex[1:3])
    assert r"\frac{3 - 2 + 2\cdot 1}{1}" in rows and rows.rstrip("$\n ").endswith(
        "= 4\\end{aligned}")
    assert r"\left\lfloor 0.5 \right\rfloor" in cols and cols.rstrip("$\n ").endswith(
        "= 1\\end{aligned}")
    padded = page_maps(at)["input"]
    assert padded.entry["start"] == [-1, 0]  # its rows are ticked −1, 0, 1, 2, 3
    assert padded.entry["inner"] == [1, 0, 3, 3]  # the image inside the padding, dashed
    assert map_of(at, "input") == [[0, 0, 0], *IMAGE, [0, 0, 0]]


def test_2d_resizing_the_image_keeps_values_and_adds_zeros():
    at = open_page("lesson_2d")
    at.number_input(key="lesson2d_image_rows").set_value(4).run()
    grown = np.array([*IMAGE, [0, 0, 0]], dtype=float)
    assert map_of(at, "output") == conv2d(grown, KERNEL).tolist()


@pytest.mark.parametrize("state, message", [
    ({"lesson2d_image_src": np.array([[1.0, np.nan], [3, 4]]), "lesson2d_image_rev": 9},
     "Image f cell [0, 1] is empty"),
    ({"lesson2d_kernel_src": np.ones((5, 5)), "lesson2d_kernel_rev": 9},
     "does not fit in the padded input"),
    ({"lesson2d_stride_rows": 0}, "stride must be 1 or more"),
])
def test_2d_bad_input_shows_an_error_and_keeps_the_last_good_result(state, message):
    at = open_page("lesson_2d")
    at.select_slider(key="lesson2d_slider").set_value(3).run()
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    assert message in error_text(at)
    assert big_lines(at) == [written_sum(conv2d_cell(IMAGE, KERNEL, 1, 1))]
    assert map_of(at, "output") == [[-4.0, -4.0], [-4.0, -4.0]]


def test_2d_why_it_matters_strip_and_playground_link():
    at = open_page("lesson_2d")
    assert big_lines(at, "row")[1:] == ["P = 0, S = 1: 6×6 → 4×4", "P = 1, S = 1: 6×6 → 6×6",
                                        "P = 1, S = 2: 6×6 → 3×3"]
    assert conv2d(np.zeros((6, 6)), np.ones((3, 3)), padding=1, stride=2).shape == (3, 3)
    assert [link.proto.page for link in at.get("page_link")] == ["playground"]


@pytest.mark.parametrize("page", ["lesson_1d", "lesson_2d"])
def test_each_lesson_page_also_runs_on_its_own(page):
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=30).run()
    assert not at.exception and not at.error
    assert big_lines(at)


def test_1d_outputs_are_labelled_with_the_formulas_i_not_the_window_number():
    at = open_page("lesson_1d")
    set_convention(at, FLIPPED)
    at.run()
    # C(i) = Σj f(i−j) g(j): the first full window ends at f[2], so it is C(2) = 3 − 1 = 2
    assert big_lines(at)[0] == ("C[2] = f[2−0]g[0] + f[2−1]g[1] + f[2−2]g[2] = "
                                "3·1 + 2·0 + 1·(−1) = 2")
    texts = [t for trace in charts(at)[0]["data"] if trace.get("mode") == "text"
             for t in trace["text"]]
    assert {"C[2]", "C[3]", "C[4]"} <= set(texts) and "C[0]" not in texts
    assert at.select_slider(key="lesson1d_slider").options == ["C[2]", "C[3]", "C[4]"]
    assert big_lines(at, "output") == ["C[2..4] = [2, 2, 2]"]


def test_1d_sliding_with_left_padding_starts_at_a_negative_i():
    at = open_page("lesson_1d")
    at.number_input(key="lesson1d_pad_left").set_value(1).run()
    # C(i) = Σj f(i+j) g(j) reads f[−1], f[0], f[1] first: that is C(−1)
    assert big_lines(at)[0].startswith("C[−1] = f[−1+0]g[0] + f[−1+1]g[1] + f[−1+2]g[2] = ")
    assert big_lines(at, "output") == ["C[−1..2] = [−2, −2, −2, −2]"]


def test_2d_maps_grow_in_presenter_mode_and_give_their_numbers_as_tables():
    from ui.session.state import NUMBERS_AS_TABLES

    normal = open_page("lesson_2d")
    big = open_page("lesson_2d", **{PRESENTER: True, NUMBERS_AS_TABLES: True,
                                    "lesson2d_pad_cols": 1})
    payloads = [json.loads(next(e for e in at.get("bidi_component")
                                if e.proto.component_name.endswith(".map")).proto.json)
                for at in (normal, big)]
    assert payloads[1]["presenter"] and payloads[1]["cell"] > payloads[0]["cell"] >= 46
    tables = [t.value for t in big.table]
    assert len(tables) == 3  # input, kernel, output
    padded = tables[0]
    assert list(padded.columns) == ["col −1", "col 0", "col 1", "col 2", "col 3"]
    assert padded.iloc[0].tolist() == [0, 1, 2, 3, 0]  # row 0 of f between two pad zeros
