"""Home: the live overview of the whole network (issue #16 item 1), through the router.

The maps the page sends equal cnn_core.stages.network_stages for the model in session (the
default TinyCNN, or a two-block ConvNet), each stage's shape and formula are written, every
stage links to its anchor on the Forward pass (presenter mode kept), a blank drawing asks
for a drawing, and the share link carries the drawing.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core.network import ConvNet
from cnn_core.network_spec import BlockSpec, NetworkSpec
from cnn_core.stages import network_stages
from tests.support.arrays import page_maps
from ui.codecs.url_values import encode_drawing
from ui.overview.maps import shape_line
from ui.session import state
from ui.text.network import stage_anchor
from ui.widgets.map import Map, build_payload

ROOT = Path(__file__).resolve().parents[1]
MAPLESS = {"flatten"}


def a_seven(size: int = 16) -> np.ndarray:
    """A 7 drawn on a size x size grid, with one grey cell."""
    drawing = np.zeros((size, size))
    drawing[3, 4:12] = 1.0
    for row in range(4, 14):
        drawing[row, 11 - (row - 4) // 2] = 1.0
    drawing[8, 6] = 0.5
    return drawing


def open_home(drawing: np.ndarray, **session) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state[state.DRAWING] = drawing
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def expected_stages(at: AppTest, model) -> list:
    """network_stages for the model, fed as the page feeds it (run inside the session's
    framing: ui.session.models.model_input)."""
    from cnn_core.drawing import prepare_drawing
    from ui.session.models import guess_framing

    spec_shape = (model.spec.input_shape if isinstance(model, ConvNet)
                  else model.arch.image_shape)
    framing = "mnist" if not isinstance(model, ConvNet) else guess_framing(spec_shape)
    image = prepare_drawing(at.session_state[state.DRAWING], spec_shape, style=framing)
    return network_stages(model, image)


def assert_maps_equal_stages(at: AppTest, stages: list) -> None:
    sent = page_maps(at)
    shown = [s for s in stages if s.key not in MAPLESS]
    assert list(sent) == [stage_anchor(s.key) for s in shown]  # one map per stage, in order
    for stage in shown:
        got = sent[stage_anchor(stage.key)]
        want = np.asarray(stage.values, dtype=np.float64)
        want = want.reshape(got.values.shape)  # (C, h, w); the head's (D,) as a column
        np.testing.assert_array_equal(got.values, want.astype(np.float32))
        assert stage.shape_text in got.title


def stage_link_queries(at: AppTest) -> dict[str, dict[str, list[str]]]:
    """The Forward pass links of the overview: label -> parsed query."""
    return {link.proto.label: parse_qs(link.proto.query_string)
            for link in at.get("page_link") if "stage=" in link.proto.query_string}


def test_the_overview_sends_every_stage_of_the_default_network():
    from ui.session.models import default_model

    at = open_home(a_seven())
    stages = expected_stages(at, default_model())
    assert [s.key for s in stages][:4] == ["input", "block1.conv", "block1.relu",
                                          "block1.max pool"]
    assert_maps_equal_stages(at, stages)
    sent = page_maps(at)
    assert sent[stage_anchor("block1.conv")].values.shape == (32, 14, 14)
    # 32 small tiles without numbers; the 10 logits and probabilities with theirs
    assert sent[stage_anchor("block1.conv")].numbers == []
    logits = sent[stage_anchor("dense")]
    assert len(logits.numbers) == 10 and all(logits.numbers)
    probabilities = stages[-1].values
    best = int(np.argmax(probabilities))
    # the answer is outlined on the probabilities, not told by colour alone
    assert sent[stage_anchor("softmax")].entry["boxes"] == [[best, 0, 1, 1]]
    assert any(f"says **{best}**" in m.value for m in at.markdown)
    assert not any("not in the link" in c.value for c in at.caption)  # nothing to warn of


def test_the_overview_follows_a_two_block_convnet_in_session():
    spec = NetworkSpec((16, 16), (BlockSpec(4, 3, 1, 1, "max", 2),
                                  BlockSpec(6, 3, 0, 1, "avg", 2)))
    model = ConvNet(spec, seed=1)
    at = open_home(a_seven(), **{state.TRAINED_MODEL: model})
    stages = expected_stages(at, model)
    assert [s.key for s in stages][4:7] == ["block2.conv", "block2.relu", "block2.avg pool"]
    assert_maps_equal_stages(at, stages)
    assert page_maps(at)[stage_anchor("block2.conv")].values.shape == (6, 6, 6)
    assert any("2 blocks (4, 6 channels)" in c.value for c in at.caption)  # which network
    assert any("you trained is not in the link" in c.value for c in at.caption)


def test_every_stage_links_to_its_anchor_on_the_forward_pass_with_its_shape():
    spec = NetworkSpec((16, 16), (BlockSpec(4, 3, 1, 1, "max", 2),
                                  BlockSpec(6, 3, 0, 1, "avg", 2)))
    model = ConvNet(spec, seed=1)
    at = open_home(a_seven(), **{state.TRAINED_MODEL: model})
    stages = network_stages(model, np.zeros((16, 16)))
    links = [link for link in at.get("page_link") if "stage=" in link.proto.query_string]
    assert [parse_qs(link.proto.query_string)["stage"] for link in links] == [
        [stage_anchor(s.key)] for s in stages]
    assert all(link.proto.page == "forward_pass" for link in links)
    for link, stage in zip(links, stages, strict=True):
        assert shape_line(stage) in link.proto.label  # shape, and the formula if any
    conv2 = next(s for s in stages if s.key == "block2.conv")
    assert shape_line(conv2) == "6 × 6 × 6, side (8 − 3 + 2×0) // 1 + 1 = 6"
    flatten = next(s for s in stages if s.key == "flatten")
    assert shape_line(flatten) == "54 (6 × 3 × 3 = 54)"
    assert not any("present" in query for query in stage_link_queries(at).values())


def test_stage_links_keep_presenter_mode():
    at = open_home(a_seven(), **{state.PRESENTER: True})
    queries = stage_link_queries(at)
    assert queries and all(query["present"] == ["1"] for query in queries.values())


def test_a_blank_drawing_asks_for_a_drawing_instead_of_maps_of_zeros():
    at = open_home(np.zeros((16, 16)))
    assert page_maps(at) == {}
    assert any("Draw something" in info.value for info in at.info)
    assert stage_link_queries(at)  # the links still say the network's shapes


def test_the_share_link_carries_the_drawing_both_ways():
    drawing = a_seven()
    at = open_home(drawing)
    assert at.query_params["d"] == encode_drawing(drawing)
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    fresh.query_params["d"] = encode_drawing(drawing)
    fresh.run()
    assert not fresh.exception
    np.testing.assert_array_equal(fresh.session_state[state.DRAWING], drawing)
    from ui.session.models import default_model

    assert_maps_equal_stages(fresh, expected_stages(fresh, default_model()))


@pytest.mark.parametrize(("asked", "scrolls"), [("stage-block1-conv", True),
                                                ("stage-softmax", True),
                                                ("javascript:alert(1)", False),
                                                ("stage-<b>", False)])
def test_a_stage_link_scrolls_the_page_it_opens_to_a_stage_anchor_only(asked, scrolls):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["stage"] = asked
    at.run()
    assert not at.exception
    scrollers = [e for e in at.get("bidi_component")
                 if e.proto.component_name.endswith("scroll_to_stage")]
    assert len(scrollers) == int(scrolls)
    if scrolls:
        assert f'"anchor": "{asked}"' in scrollers[0].proto.json
    assert "stage" not in at.query_params  # once per click: a rerun does not scroll again


def test_compact_tiles_are_marked_in_the_payload_and_nowhere_else():
    stack = np.arange(2 * 3 * 3, dtype=float).reshape(2, 3, 3)
    compact, plain = build_payload([Map(stack, id="a", compact=True), Map(stack, id="b")])["maps"]
    assert compact["tiles"]["compact"] is True and "compact" not in plain["tiles"]
    assert compact["tiles"]["labels"] == ["k0", "k1"]  # still there, for the hover


def test_numbers_as_tables_give_every_map_of_the_overview_its_table():
    at = open_home(a_seven(), **{state.NUMBERS_AS_TABLES: True})
    assert len(at.table) >= len(page_maps(at)) == 6


def test_a_network_that_reads_oblong_images_says_so_instead_of_failing():
    model = ConvNet(NetworkSpec((16, 12), (BlockSpec(2, 3, 0, 1, "max", 2),)), seed=1)
    at = open_home(a_seven(), **{state.TRAINED_MODEL: model})
    assert page_maps(at) == {}
    assert any("cannot read the drawing" in w.value and "16x12" in w.value for w in at.warning)


@pytest.mark.parametrize("width", [3, 7, 14, 28, 32, 64])
def test_a_stages_tiles_fit_the_narrowest_column_at_the_smallest_cells(width):
    from ui.overview.maps import MARGIN_PX, NARROWEST_PX, SMALLEST_CELL_PX, tile_columns

    room = NARROWEST_PX - MARGIN_PX
    columns = tile_columns(32, width)
    across = columns * width + (columns - 1)  # cells, one apart
    assert columns == 1 or across * SMALLEST_CELL_PX <= room
    assert columns == 4 or ((columns + 1) * width + columns) * SMALLEST_CELL_PX > room
    assert tile_columns(2, width) <= 2
