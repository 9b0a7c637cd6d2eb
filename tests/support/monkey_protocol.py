"""Talking to an AppTest session the way a browser does: every rerun sends each widget's
displayed value, and one interaction changes one of them.

A browser sends option widgets (selectbox, radio, segmented control, multiselect, select
slider) as the option text it shows, numbers as numbers inside the widget's bounds, a
button press as a trigger, the drawing grid's stroke as a component trigger, and a data
editor's edits as its edit state. AppTest's own set_value() needs the Python value behind an
option, which a random walk does not know, and it fails on a widget whose state no option
matches; sending the displayed text avoids both. ``Browser`` keeps what a browser keeps
between reruns. This uses AppTest's private ``_run`` (the public ``run`` cannot take a
hand-made message); Streamlit 1.67.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import NamedTuple

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.ButtonGroup_pb2 import ButtonGroup as ButtonGroupProto
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe, UnknownElement, Widget

from ui.widgets.grid.component import GRID

GRID_COMPONENT = GRID.name  # the drawing grid's registered name
NOT_HELD = ("FileUploader",)  # AppTest registers the files; it derives their state


class Action(NamedTuple):
    """One interaction: ``prepare`` changes what the browser holds (session state for a
    drawing or a table edit, an upload, a page switch), then one rerun sends every widget's
    held value with ``changed`` replacing some and ``omit`` leaving some out."""

    text: str  # for the trail: what a human does to replay it
    prepare: Callable[[], None] | None = None
    changed: tuple[WidgetState, ...] = ()
    omit: tuple[str, ...] = ()


def widgets(at: AppTest) -> list[Widget]:
    """Every enabled widget on screen, in page order (the sidebar's too)."""
    return [node for node in at._tree if isinstance(node, Widget) and not node.disabled]


def editors(at: AppTest) -> list[Dataframe]:
    """The keyed data editors on screen (AppTest takes their edits through session state)."""
    return [table for table in at.data_editor if table.key and not table.proto.disabled]


def grids(at: AppTest) -> list[UnknownElement]:
    """The drawing grids on screen (Custom Components v2 elements AppTest does not know)."""
    return [node for node in at._tree if isinstance(node, UnknownElement)
            and node.type == "bidi_component" and node.proto.component_name == GRID_COMPONENT]


def describe(widget: Widget) -> str:
    """How the trail names a widget: its type, label and key."""
    label = getattr(widget, "label", "") or ""
    return f"{type(widget).__name__} {label[:40]!r} [{widget.key}]"


def displayed_state(widget: Widget) -> WidgetState | None:
    """What a browser that just received this widget sends for it: the value it displays.

    AppTest computes it from session state; when that value is not one of the options (an
    app bug can put it there) the browser still shows and sends something, so fall back to
    the value the element carries, or send nothing.
    """
    try:
        return widget._widget_state
    except (ValueError, KeyError, TypeError, IndexError):
        proto, options = widget.proto, getattr(widget, "options", None)
        state = WidgetState(id=widget.id)
        if getattr(proto, "raw_value", ""):
            state.string_value = proto.raw_value
        elif options and isinstance(getattr(proto, "default", None), int):
            state.string_value = options[min(proto.default, len(options) - 1)]
        else:
            return None
        return state


class Browser:
    """What the browser holds between reruns: the value each mounted widget last sent.

    A browser keeps sending a widget's last value (for an option widget, the option text it
    last showed) until the user changes it, the app sets it (the element then carries
    ``set_value``), or the widget unmounts. AppTest instead re-derives every value from
    session state with the latest labels, which hides bugs such as a selectbox whose option
    texts change between reruns (issue 11, defect 1).
    """

    def __init__(self, timeout: float | None = None):
        self.timeout = timeout
        self.sent: dict[str, WidgetState] = {}

    def send(self, at: AppTest, changed: Iterable[WidgetState] = (), *,
             omit: Iterable[str] = ()) -> None:
        """One rerun: every widget's held value, with ``changed`` replacing (or adding to)
        them and the ids in ``omit`` left out (a hand-made message)."""
        changed = {state.id: state for state in changed}
        omit = set(omit)
        message = WidgetStates()
        for widget in (node for node in at._tree if isinstance(node, Widget)):
            if widget.id in omit:
                continue
            state = changed.pop(widget.id, None) or self._held(widget)
            if state is not None:
                message.widgets.append(state)
                if type(widget).__name__ not in NOT_HELD:
                    self.sent[widget.id] = _without_trigger(state)
        message.widgets.extend(changed.values())  # e.g. a grid stroke (not a Widget node)
        at._run(message, timeout=self.timeout)
        mounted = {node.id for node in at._tree if isinstance(node, Widget)}
        self.sent = {key: state for key, state in self.sent.items() if key in mounted}

    def _held(self, widget: Widget) -> WidgetState | None:
        if widget.id in self.sent and not getattr(widget.proto, "set_value", False):
            return self.sent[widget.id]
        return displayed_state(widget)


def _without_trigger(state: WidgetState) -> WidgetState:
    """A button's press is sent once; afterwards the browser sends it unpressed."""
    held = WidgetState()
    held.CopyFrom(state)
    if held.WhichOneof("value") == "trigger_value":
        held.trigger_value = False
    return held


def click(widget: Widget) -> WidgetState:
    return WidgetState(id=widget.id, trigger_value=True)


def pick_options(widget: Widget, chosen: list[str]) -> WidgetState:
    """Option widgets as the browser sends them: the chosen options' displayed text."""
    state = WidgetState(id=widget.id)
    if type(widget).__name__ in ("Selectbox", "Radio"):
        if chosen:
            state.string_value = chosen[0]
    else:
        state.string_array_value.data[:] = chosen
    return state


def may_unselect(widget: Widget) -> bool:
    """A segmented control that is not ``required`` can be clicked off (sends no option)."""
    return isinstance(widget.proto, ButtonGroupProto) and not widget.proto.required


def many_options(widget: Widget) -> bool:
    """Multiselect, or a button group in multi-select mode."""
    if isinstance(widget.proto, ButtonGroupProto):
        return widget.proto.click_mode == ButtonGroupProto.ClickMode.MULTI_SELECT
    return type(widget).__name__ == "Multiselect"


def number(widget: Widget, value: float) -> WidgetState:
    state = WidgetState(id=widget.id)
    if type(widget).__name__ == "NumberInput":
        state.double_value = value
    else:
        state.double_array_value.data[:] = [value]
    return state


def text(widget: Widget, value: str) -> WidgetState:
    return WidgetState(id=widget.id, string_value=value)


def flag(widget: Widget, value: bool) -> WidgetState:
    return WidgetState(id=widget.id, bool_value=value)


def stroke(grid: UnknownElement, payload: object) -> WidgetState:
    """A finished stroke on the drawing grid: the component's "stroke" trigger."""
    events = json.dumps([{"event": "stroke", "value": payload}])
    return WidgetState(id=_make_trigger_id(grid.proto.id, "events"), json_trigger_value=events)


def edit_table(at: AppTest, table: Dataframe, row: int, column: str, value: object) -> None:
    """Type ``value`` into one cell of a data editor, keeping the earlier edits (as a browser
    keeps them while the editor stays mounted)."""
    edits = at.session_state[table.key] if table.key in at.session_state else {}
    rows = {int(r): dict(cells) for r, cells in (edits or {}).get("edited_rows", {}).items()}
    rows.setdefault(row, {})[column] = value
    at.session_state[table.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
