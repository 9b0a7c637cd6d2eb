"""What the backprop page's tests share: opening it with some state, a drawn four, a
ConvNet of two blocks, a click on a map as the browser sends it, and the written detail
(its terms, its total, the finite-difference check) read back as numbers."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.components.v2.bidi_component.constants import EVENT_DELIM
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX
from streamlit.testing.v1 import AppTest

from cnn_core.network import ConvNet
from cnn_core.network_spec import BlockSpec, NetworkSpec
from tests.support import apptest_pages
from tests.support.arrays import page_maps

PAGE = "app_pages/backprop.py"
MINUS = "\u2212"


def open_page(drawing: np.ndarray | None = None, *, router: bool = False,
              **state) -> AppTest:
    """This page with a drawing and some session state; alone, or through app.py."""
    return apptest_pages.open_page(PAGE, drawing, router=router, **state)


def shown_number(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def a_four() -> np.ndarray:
    grid = np.zeros((16, 16))
    grid[1:10, 3] = 1.0
    grid[9, 3:13] = 1.0
    grid[1:15, 10] = 1.0
    return grid



TERM = re.compile(r"\(([^×()]+)×([^×()]+)\)")


def click(at: AppTest, key: str, value: dict) -> AppTest:
    """What the browser sends when a map cell is clicked: the component's "select" event
    (the map component's trigger, as Streamlit's frontend packs it), then one run."""
    element = next(e for e in at.get("bidi_component") if e.key == key)
    states = at._tree.get_widget_states()
    trigger = f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{element.proto.id}{EVENT_DELIM}events"
    states.widgets.append(WidgetState(id=trigger, json_trigger_value=json.dumps(
        [{"event": "select", "value": value}])))
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at


def written_terms(at: AppTest) -> tuple[list[tuple[float, float]], float, str]:
    """The detail's written products, its total, and where it says it is (dL/dg(m,n))."""
    text = at.code[-1].value
    pairs = [(shown_number(a), shown_number(b)) for a, b in TERM.findall(text)]
    return pairs, shown_number(text.split("  [")[0].split()[-1]), text.split(" = ")[0]


def checked_numbers(at: AppTest) -> tuple[float, float]:
    """(finite difference, backprop) as the check under the detail writes them."""
    check = next(md.value for md in at.markdown if "finite differences" in md.value)
    return tuple(shown_number(v) for v in re.findall(r"\*\*([^*]+)\*\*", check))


def assert_terms_add_up(at: AppTest) -> float:
    pairs, total, _ = written_terms(at)
    products = [a * b for a, b in pairs]
    # each factor is written to 4 significant digits: the sum can be off by that much
    slack = sum(abs(p) for p in products) * 2e-3 + 1e-12
    assert sum(products) == pytest.approx(total, abs=slack)
    return total


def two_blocks(seed: int = 0) -> ConvNet:
    """A ConvNet of two blocks: 4 channels padded with max pooling, 6 with stride 2 and
    average pooling (every rule the page writes)."""
    spec = NetworkSpec((16, 16), (BlockSpec(4, 3, 1, 1, "max", 2),
                                  BlockSpec(6, 3, 0, 2, "avg", 2)), 10)
    return ConvNet(spec, seed=seed)



def followed_kernel_of(at: AppTest) -> int:
    """The followed kernel as the dL/dkernel map's title names it ("= dL/dkernel k3[c0]")."""
    return int(re.search(r"k(\d+)", page_maps(at)["dkernel"].title).group(1))

