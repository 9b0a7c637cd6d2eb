"""Home: the whole network live as you draw, then what each page teaches, with links."""

import streamlit as st

from ui.overview.view import show_overview, stage_links
from ui.session.lesson_links import LESSONS as LESSON_LINKS
from ui.session.models import Model, current_model, describe
from ui.session.page import Page, start_page
from ui.session.state import TRAINED_MODEL
from ui.widgets.drawing_panel import drawing_canvas, drawing_controls

P = "home_"
SHARED = []  # the drawing only (a trained network is not in a link)

page = start_page(
    "home", "CNN Playground", SHARED,
    intro="Draw a digit and watch a convolutional neural network see it: every layer below "
          "follows your pen, from the input through convolution, ReLU and pooling to the "
          "probability of each digit. Every number comes from the tested `cnn_core` engine.",
    note="A network you trained is not in the link: it opens with the default network."
    if st.session_state.get(TRAINED_MODEL) is not None else "")


@st.fragment
def live(page: Page, model: Model) -> None:
    """A stroke reruns only this: the grid, the overview's maps and the URL."""
    left, right = st.columns([2, 5], gap="medium")
    with left:
        grid = drawing_canvas(P)
    with right:
        show_overview(grid, model, page.presenter)
    page.keep_url()


model = current_model()
drawing_controls(P)
st.caption(describe(model) + " Every stage below follows your pen; click one to open it on "
           "the Forward pass.")
live(page, model)
stage_links(model)

st.subheader("What each page teaches")
LESSONS = [
    ("app_pages/lesson_1d.py", "1D convolution",
     "Slide a kernel along a list of numbers: the index conventions, padding and stride."),
    ("app_pages/lesson_2d.py", "2D convolution",
     "The same on a grid: windows, [row, col] positions and the output-size formula."),
    ("app_pages/playground.py", "Playground",
     "Draw on a grid, pick a kernel (Sobel, Laplacian, blur...) and trace any cell's sum."),
    ("app_pages/gallery.py", "Kernel gallery",
     "Every named kernel applied to your drawing at once."),
    ("app_pages/forward_pass.py", "Forward pass",
     "Your drawing through the whole network, up to the probability of each digit."),
    ("app_pages/training.py", "Training", "Train the network live and watch its kernels change."),
    ("app_pages/backprop.py", "Backprop", "How the loss flows back to every kernel cell."),
]
for path, title, text in LESSONS:
    st.page_link(path, label=f"**{title}**: {text}")
st.caption("Every chart has its numbers as text too: turn on **Numbers as tables** in the "
           "sidebar (for screen readers, or to copy them).")

st.subheader("Lesson links for teachers")
st.markdown(
    "Each link opens a page with the settings chosen and some controls hidden, ready to "
    "project; add `&present=1` for presenter mode (bigger numbers, sidebar collapsed)."
)
for name, lesson in LESSON_LINKS.items():
    st.markdown(f"- [{lesson.title}](?lesson={name}): {lesson.intro}")
