"""Home: what each page teaches, with links."""

import streamlit as st

from ui.session.lesson_links import LESSONS as LESSON_LINKS
from ui.session.state import ensure_defaults

ensure_defaults()
st.title("CNN Playground")
st.markdown(
    "Draw a digit, pick a kernel, and watch a convolutional neural network see it: "
    "convolution, ReLU, pooling, dense + softmax and training, every number traceable to "
    "its arithmetic. Every number on every page comes from the tested `cnn_core` engine."
)
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
