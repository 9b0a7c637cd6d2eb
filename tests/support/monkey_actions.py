"""The monkey's possible next interactions, read from what is on screen now.

``choose`` picks like a curious student: often something that just appeared (the matrix
editor after "Custom kernel", the ink slider on a big grid), often the widget it just
changed, again (5×5 → 8×8 → 5×5; True label 3, then 5), otherwise a kind of interaction by
weight among those on screen and the element of that kind this session touched least. Among
option widgets every option not yet sent weighs the same, so a page's thirteenth kernel is
reached as surely as its first. Every choice comes from the walk's generator.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe, Widget

from tests.support import monkey_drawings as drawings
from tests.support import monkey_inputs as inputs
from tests.support import monkey_protocol as protocol
from tests.support.monkey_protocol import Action

FOLLOW = 0.6  # how often the next interaction uses an element that just appeared
AGAIN = 0.3  # how often it changes the widget it just changed, again
# How often each kind is picked when present: state-changing kinds (options, tables, text,
# drawings) weigh most, a table most (it is many text boxes); "hand-made" is what only a
# crafted message sends.
KIND_WEIGHTS = {"button": 3.0, "option": 4.0, "toggle": 1.5, "number": 2.5, "text": 3.0,
                "table": 6.0, "draw": 2.0, "stroke": 2.5, "upload": 0.5, "page": 1.0,
                "hand-made": 0.6}
KINDS = {"Button": "button", "DownloadButton": "button", "Selectbox": "option",
         "Radio": "option", "ButtonGroup": "option", "Multiselect": "option",
         "SelectSlider": "option", "Toggle": "toggle", "Checkbox": "toggle",
         "NumberInput": "number", "Slider": "number", "TextInput": "text", "TextArea": "text",
         "FileUploader": "upload"}


@dataclass
class Memory:
    """What a walk remembers of its session: how often it sent each widget and option
    (``count``), the widget it changed last, what was ever on screen and what just appeared."""

    count: Counter = field(default_factory=Counter)
    last: str | None = None
    shown: set[str] = field(default_factory=set)
    fresh: list[Widget | Dataframe] = field(default_factory=list)

    def look(self, at: AppTest) -> None:
        """Note what is on screen; ``fresh`` becomes what was never there before (nothing on
        the session's first look, when everything would be)."""
        elements = [w for w in protocol.widgets(at) if type(w).__name__ in KINDS]
        elements += protocol.editors(at)
        self.fresh = [e for e in elements if _name(e) not in self.shown] if self.shown else []
        self.shown |= {_name(e) for e in elements}


def _name(element: Widget | Dataframe) -> str:
    return f"editor {element.key}" if isinstance(element, Dataframe) else element.id


def _least_seen(rng: random.Random, items: list, memory: Memory):
    """One of items, each weighted 1 / (1 + times sent)."""
    return rng.choices(items, [1 / (1 + memory.count[_name(item)]) for item in items])[0]


def _room(widget: Widget, memory: Memory) -> float:
    """How much is left to explore in a widget: its options weighted 1 / (1 + times sent),
    so that every option of every widget is about as likely (1 for widgets without options)."""
    options = getattr(widget, "options", None) or ()
    return sum(1 / (1 + memory.count[widget.id, option]) for option in options) or 1.0


def option_action(rng: random.Random, widget: Widget, memory: Memory) -> Action:
    options = list(widget.options)
    if not options:
        return Action(f"leave {protocol.describe(widget)} (no options)")
    if protocol.many_options(widget):
        limit = getattr(widget, "max_selections", 0) or len(options)
        chosen = rng.sample(options, rng.randint(0, min(limit, len(options))))
    elif protocol.may_unselect(widget) and rng.random() < 0.15:
        chosen = []
    else:
        weights = [1 / (1 + memory.count[widget.id, option]) for option in options]
        chosen = rng.choices(options, weights)
    memory.count.update((widget.id, option) for option in chosen)
    return Action(f"choose {chosen} in {protocol.describe(widget)}",
                  changed=(protocol.pick_options(widget, chosen),))


def number_action(rng: random.Random, widget: Widget, *, past_edges: bool = False) -> Action:
    proto = widget.proto
    has_bounds = getattr(proto, "has_min", True), getattr(proto, "has_max", True)
    low = proto.min if has_bounds[0] else None
    high = proto.max if has_bounds[1] else None
    step = proto.step or 1.0
    value, note = inputs.number_near_edges(rng, low, high, step, past_edges=past_edges)
    if proto.data_type == 0:  # INT for both number_input and slider
        value = float(int(max(min(value, 9e18), -9e18)))
    return Action(f"set {protocol.describe(widget)} to {value!r} ({note})",
                  changed=(protocol.number(widget, value),))


def text_action(rng: random.Random, widget: Widget, *, past_edges: bool = False) -> Action:
    value = inputs.odd_text(rng)
    limit = getattr(widget.proto, "max_chars", 0)
    if limit and not past_edges:
        value = value[:limit]
    shown = value if len(value) <= 60 else f"{value[:20]}... ({len(value)} characters)"
    return Action(f"type {shown!r} into {protocol.describe(widget)}",
                  changed=(protocol.text(widget, value),))


def widget_action(rng: random.Random, widget: Widget, memory: Memory) -> Action:
    kind = KINDS[type(widget).__name__]
    memory.count[widget.id] += 1
    memory.last = widget.id
    if kind == "button":
        return Action(f"click {protocol.describe(widget)}", changed=(protocol.click(widget),))
    if kind == "toggle":
        value = bool(rng.random() < 0.5)
        return Action(f"set {protocol.describe(widget)} to {value}",
                      changed=(protocol.flag(widget, value),))
    if kind == "number":
        return number_action(rng, widget)
    if kind == "text":
        return text_action(rng, widget)
    if kind == "upload":
        return upload_action(rng, widget)
    return option_action(rng, widget, memory)


def upload_action(rng: random.Random, widget: Widget) -> Action:
    if rng.random() < 0.25:
        return Action(f"remove the file from {protocol.describe(widget)}", widget.clear)
    wants_model = "npz" in " ".join(widget.allowed_type)
    name, data, mime, note = (inputs.model_file if wants_model else inputs.png_file)(rng)
    return Action(f"upload {name} ({note}, {len(data)} bytes) to {protocol.describe(widget)}",
                  lambda: widget.upload(name, data, mime))


def table_action(rng: random.Random, table: Dataframe, at: AppTest, memory: Memory) -> Action:
    memory.count[_name(table)] += 1
    frame = table.value
    row, column = rng.randrange(len(frame)), rng.choice(list(frame.columns))
    numeric = frame[column].dtype.kind in "fiu"  # a number column takes numbers only
    value = inputs.cell_number(rng) if numeric else inputs.cell_text(rng)
    shown = value if not isinstance(value, str) or len(value) <= 60 else f"{value[:20]}..."
    return Action(f"type {shown!r} into cell [{row}, {column}] of data editor [{table.key}]",
                  lambda: protocol.edit_table(at, table, row, str(column), value))


def hand_made_action(rng: random.Random, at: AppTest, memory: Memory) -> Action:
    """What only a crafted message (or session state) sends: values past a widget's edges,
    a rerun without some widgets' values, a NaN or non-square drawing, a broken stroke."""
    shown = protocol.widgets(at)
    numbers = [w for w in shown if KINDS.get(type(w).__name__) == "number"]
    texts = [w for w in shown if KINDS.get(type(w).__name__) == "text"]
    ways = ["drawing"] + ["omit"] * bool(shown) + ["number"] * bool(numbers) \
        + ["text"] * bool(texts) + ["stroke"] * bool(protocol.grids(at))
    way = rng.choice(ways)
    if way == "number":
        return number_action(rng, rng.choice(numbers), past_edges=True)
    if way == "text":
        return text_action(rng, rng.choice(texts), past_edges=True)
    if way == "stroke":
        return drawings.stroke_action(rng, at, bad=True)
    if way == "omit":
        action = widget_action(rng, rng.choice(shown), memory)
        others = [w for w in shown if w.id not in {s.id for s in action.changed}]
        dropped = rng.sample(others, rng.randint(1, len(others))) if others else []
        names = ", ".join(str(w.key) for w in dropped)
        return action._replace(text=f"{action.text}, in a message without the values of "
                                    f"{names}", omit=tuple(w.id for w in dropped))
    return drawings.bad_drawing_action(rng, at)


def choose(rng: random.Random, at: AppTest, pages: list[str], memory: Memory) -> Action:
    """The next interaction (``memory``: this session's, updated here)."""
    memory.look(at)
    if memory.fresh and rng.random() < FOLLOW:
        element = rng.choice(memory.fresh)
        if isinstance(element, Dataframe):
            return table_action(rng, element, at, memory)
        return widget_action(rng, element, memory)
    again = [w for w in protocol.widgets(at) if w.id == memory.last]
    if again and KINDS.get(type(again[0]).__name__) in ("option", "number", "text") \
            and rng.random() < AGAIN:
        return widget_action(rng, again[0], memory)
    by_kind: dict[str, list[Widget]] = {}
    for widget in protocol.widgets(at):
        if type(widget).__name__ in KINDS:
            by_kind.setdefault(KINDS[type(widget).__name__], []).append(widget)
    present = {kind: KIND_WEIGHTS[kind] for kind in by_kind}
    present |= {"draw": KIND_WEIGHTS["draw"] * (1 if protocol.grids(at) else 0.2),
                "hand-made": KIND_WEIGHTS["hand-made"]}
    for kind, there in (("table", protocol.editors(at)), ("stroke", protocol.grids(at)),
                        ("page", pages)):
        if there:
            present[kind] = KIND_WEIGHTS[kind]
    kind = rng.choices(list(present), weights=list(present.values()))[0]
    if kind == "page":
        page = rng.choice(pages)
        return Action(f"go to page {page}", lambda: at.switch_page(page))
    if kind == "table":
        return table_action(rng, _least_seen(rng, protocol.editors(at), memory), at, memory)
    if kind == "draw":
        return drawings.draw_action(rng, at)
    if kind == "stroke":
        return drawings.stroke_action(rng, at)
    if kind == "hand-made":
        return hand_made_action(rng, at, memory)
    if kind == "option":
        widget = rng.choices(by_kind[kind], [_room(w, memory) for w in by_kind[kind]])[0]
    else:
        widget = _least_seen(rng, by_kind[kind], memory)
    return widget_action(rng, widget, memory)
