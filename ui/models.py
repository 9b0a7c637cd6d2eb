"""Which network the pages show: the shared default model, the session's model, the notes'.

The default TinyCNN is trained on the handwritten digits at first use and cached with
``st.cache_resource``: one read-only object shared by every user (its arrays are locked;
copy it with ``copy_model`` before changing anything). ``current_model()`` is the session's
trained or uploaded model if there is one, else the default.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st

from cnn_core import TinyCNN
from cnn_core.data import downsample_drawing, handwritten_digits
from cnn_core.train import EpochReport, TrainConfig, Trainer
from ui.grid.ops import resize_grid
from ui.state import TRAINED_MODEL

# The measured recipe: about 98 % test accuracy in 1-2 s on two cores.
DEFAULT_EPOCHS = 12
DEFAULT_SEED = 2
NOTES_SEED = 0  # the notes draw their dense weights unseeded; we fix a seed
NOTES_KERNEL = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (1.0, 0.0, 1.0))


class DefaultModel(NamedTuple):
    """The trained default network and its per-epoch report (the last one is final)."""

    model: TinyCNN
    history: list[EpochReport]


def train_default_model() -> DefaultModel:
    """Train the default network: 16 kernels 3x3, 8x8 input, pool 2, 10 classes.

    Adam, learning rate 0.02 decaying by 0.8 per epoch, batches of 32, float32 maths,
    12 epochs on sklearn's handwritten digits; seed 2 everywhere, so it is deterministic.
    """
    data = handwritten_digits()
    model = TinyCNN(16, 3, (8, 8), 2, 10, seed=DEFAULT_SEED)
    config = TrainConfig(learning_rate=0.02, batch_size=32, optimizer="adam", lr_decay=0.8,
                         seed=DEFAULT_SEED, dtype=np.float32)
    trainer = Trainer(model, data.train_images, data.train_labels, data.test_images,
                      data.test_labels, config)
    for _ in range(DEFAULT_EPOCHS):
        trainer.run_epoch()
    for value in model.params.values():
        value.flags.writeable = False  # shared by every session: nobody writes into it
    return DefaultModel(model, list(trainer.history))


@st.cache_resource(show_spinner="Training the default network on handwritten digits…")
def _cached_default() -> DefaultModel:
    return train_default_model()


def default_model() -> TinyCNN:
    """The shared, read-only default network (never train or change it: copy it)."""
    return _cached_default().model


def default_report() -> EpochReport:
    """The default network's final epoch: its train and test loss and accuracy."""
    return _cached_default().history[-1]


def current_model() -> TinyCNN:
    """This session's trained or uploaded model if there is one, else the default."""
    model = st.session_state.get(TRAINED_MODEL)
    return model if model is not None else default_model()


def is_default(model: TinyCNN) -> bool:
    """Whether this is the shared default network (which must never be changed)."""
    return model is default_model()


def copy_model(model: TinyCNN) -> TinyCNN:
    """An independent, writable copy of a model (same architecture, copied params)."""
    return TinyCNN.from_params(model.params, model.arch.image_shape, model.arch.pool_size)


def notes_example_model(seed: int = NOTES_SEED) -> TinyCNN:
    """The notes' worked example: one kernel [[0,0,0],[0,0,0],[1,0,1]] on a 5x5 image.

    Dense weights (4, 10) and bias (10,) are randn * 0.01, drawn in that order from
    np.random.RandomState(seed) as the notes do (they did not fix a seed, so their printed
    logits cannot be reproduced; ours are fixed).
    """
    rng = np.random.RandomState(seed)
    weights = rng.randn(4, 10) * 0.01
    bias = rng.randn(10) * 0.01
    return TinyCNN.from_params({"kernels": [NOTES_KERNEL], "weights": weights, "bias": bias},
                               (5, 5))


def fit_drawing(grid: np.ndarray) -> np.ndarray:
    """Crop a drawing (n, n) to its ink and pad it to a centred square (s, s), s >= 2.

    The handwritten digits fill their frame (every one spans all 8 rows), so a small digit
    drawn in a corner is cropped to its ink's bounding box and padded with paper to a
    square, keeping its shape. A blank drawing is returned unchanged.
    """
    grid = np.asarray(grid, dtype=np.float64)
    rows, cols = np.flatnonzero(grid.any(axis=1)), np.flatnonzero(grid.any(axis=0))
    if rows.size == 0:
        return grid.copy()
    crop = grid[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = crop.shape
    side = max(height, width, 2)
    square = np.zeros((side, side))
    top, left = (side - height) // 2, (side - width) // 2
    square[top : top + height, left : left + width] = crop
    return square


def model_input(grid: np.ndarray, model: TinyCNN, *, fit: bool = True) -> np.ndarray:
    """The drawing (n, n) as the model's input (H, W): optionally fitted, then resampled.

    8x8 models get cnn_core.data.downsample_drawing (area means, the dataset's own
    pipeline); other sizes (a model trained on the notes' 5x5 toy set) get the same area
    resampling from ui.grid.ops.resize_grid. Both check the drawing (values in 0..1) and
    leave one of the right size unchanged. Raises ValueError for a drawing that is not one.
    """
    grid = np.asarray(grid, dtype=np.float64)
    height, width = model.arch.image_shape
    if height != width:
        raise ValueError(f"this model expects {height}x{width} images; drawings are square")
    square = fit_drawing(grid) if fit else grid
    if height == 8:
        return downsample_drawing(square)
    return resize_grid(square, height)


def describe(model: TinyCNN) -> str:
    """One line about a model: which one it is and its shape."""
    arch = model.arch
    shape = (f"{arch.n_kernels} kernel{'s' if arch.n_kernels > 1 else ''} "
             f"{arch.kernel_size}x{arch.kernel_size}, {arch.image_shape[0]}x"
             f"{arch.image_shape[1]} input, {arch.n_features} features")
    if is_default(model):
        report = default_report()
        return (f"Default network ({shape}), trained on the handwritten digits: "
                f"{report.test_accuracy:.0%} of the test digits right.")
    return f"Your network from the Training page ({shape})."


def working_copy(key: str, base: TinyCNN, source: str) -> TinyCNN:
    """This session's changeable copy of ``base``, kept under ``key`` in session state.

    The copy is remade when ``source`` (which model it came from) changes, and then the
    list under f"{key}_steps" (what was done to the old copy) is emptied; the shared
    default model itself is never changed.
    """
    if st.session_state.get(f"{key}_source") != source or key not in st.session_state:
        st.session_state[key] = copy_model(base)
        st.session_state[f"{key}_source"] = source
        st.session_state[f"{key}_steps"] = []
    return st.session_state[key]


def model_source() -> str:
    """Which model current_model() is: "default" or the id of the session's model."""
    model = st.session_state.get(TRAINED_MODEL)
    return "default" if model is None else f"session:{id(model)}"
