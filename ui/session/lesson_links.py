"""Lesson presets a teacher can link to: ``?lesson=edge-detection`` opens a page with the
settings chosen and some controls hidden (TensorFlow Playground's hidable controls)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import streamlit as st

from cnn_core.data import NOTES_EIGHT, NOTES_TWO
from ui.session import state

HIDDEN = "hidden_controls"  # session key: the controls the current lesson hides
ACTIVE = "active_lesson"


class Lesson(NamedTuple):
    """A named starting point: which page, what it says, which values, what is hidden."""

    title: str
    page: str
    intro: str
    values: dict
    drawing: np.ndarray
    hidden: frozenset[str]


def _big(digit: np.ndarray) -> np.ndarray:
    """A notes digit as a 16x16 drawing (each cell a 3x3 block, centred)."""
    grid = np.zeros((16, 16))
    grid[0:15, 0:15] = np.kron(digit, np.ones((3, 3)))
    return np.roll(grid, (0, 1), axis=(0, 1))


LESSONS = {
    "edge-detection": Lesson(
        "Edge detection", "app_pages/playground.py",
        "Sobel kernels light up where ink starts or stops. Switch between the vertical and "
        "the horizontal one: which strokes of the 8 light up, and which sign do they get?",
        {state.KERNEL_CHOICE: "sobel_vertical", "playground_padding": 1,
         "playground_stride": 1, "playground_relu": False},
        _big(NOTES_EIGHT), frozenset({"stride", "pooling", "compare"})),
    "what-stride-does": Lesson(
        "What stride does", "app_pages/playground.py",
        "Change the stride: the window jumps S cells at a time, so the feature map shrinks. "
        "Watch the output-size formula, and find the inputs that are never read.",
        {state.KERNEL_CHOICE: "box_blur", "playground_padding": 0, "playground_stride": 2},
        _big(NOTES_TWO), frozenset({"kernel", "pooling", "compare", "relu"})),
    "train-on-two-digits": Lesson(
        "Train on two digits", "app_pages/training.py",
        "The notes' toy set: one 8 and one 2. Press Train and watch the loss fall; then ask "
        "the network about the test 2.",
        {"training_dataset": "toy"}, np.array(NOTES_TWO, dtype=float), frozenset()),
}


def apply_lesson(name: str) -> Lesson | None:
    """Set the lesson's values, drawing and hidden controls; None for an unknown name."""
    lesson = LESSONS.get(name)
    if lesson is None:
        return None
    for key, value in lesson.values.items():
        st.session_state[key] = value
    state.set_drawing(lesson.drawing)
    st.session_state[HIDDEN] = lesson.hidden
    st.session_state[ACTIVE] = name
    return lesson


def shows(control: str) -> bool:
    """Whether the current lesson (if any) leaves this control visible."""
    return control not in st.session_state.get(HIDDEN, frozenset())


def lesson_banner(page: str) -> None:
    """The banner of the lesson that opened ``page`` (a page file's name, "playground"): its
    title and task, with a button that shows every control again. Nothing on other pages."""
    lesson = LESSONS.get(st.session_state.get(ACTIVE, ""))
    if lesson is None or Path(lesson.page).stem != page:
        return
    with st.container(border=True):
        st.markdown(f"**Lesson: {lesson.title}**. {lesson.intro}")
        if st.session_state.get(HIDDEN):
            st.button("Show all controls", key="lesson_show_all",
                      on_click=lambda: st.session_state.update({HIDDEN: frozenset()}))
