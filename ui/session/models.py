"""Which network the pages show: the shared default model, the session's model, the notes'.

The default network is the one cnn_core.default_network trained on MNIST's handwritten
digits and ships as an .npz; it is read once (through model_io's checks) and cached with
``st.cache_resource``: one read-only object shared by every user (its arrays are locked;
copy it with ``copy_model`` before changing anything). ``current_model()`` is the session's
trained or uploaded model if there is one, else the default. A model also says how a
drawing is framed for it (``framing``): "mnist" for networks that learned from MNIST,
"fill" for the 8x8 and 5x5 sets, whose digits fill their frame.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st

from cnn_core import TinyCNN
from cnn_core.default_network import default_card, load_default_network
from cnn_core.drawing import prepare_drawing
from cnn_core.mnist import TRAIN_PER_CLASS
from cnn_core.network import ConvNet
from cnn_core.stages import spec_of
from ui.session.state import TRAINED_MODEL, TRAINED_ORIGIN

Model = TinyCNN | ConvNet  # the notes' one-block network, or one of 1-3 blocks

NOTES_SEED = 0  # the notes draw their dense weights unseeded; we fix a seed
NOTES_KERNEL = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (1.0, 0.0, 1.0))


class Origin(NamedTuple):
    """Where a session's model came from ("trained here on ...", said after its shape), and
    how drawings are framed for it ("mnist": centre of mass in a 28x28 frame, as MNIST;
    "fill": the ink's bounding square fills the frame, as the 8x8 and 5x5 sets)."""

    learned_from: str
    framing: str



class DefaultModel(NamedTuple):
    """The shipped default network and its card (what it learned from, its accuracy)."""

    model: TinyCNN
    card: dict


@st.cache_resource(show_spinner="Loading the default network…")
def _cached_default() -> DefaultModel:
    model = load_default_network()
    for value in model.params.values():
        value.flags.writeable = False  # shared by every session: nobody writes into it
    return DefaultModel(model, default_card())


def default_model() -> TinyCNN:
    """The shared, read-only default network (never train or change it: copy it)."""
    return _cached_default().model


def default_card_text() -> str:
    """What the default network learned from and how well it reads the test digits."""
    card = _cached_default().card
    return (f"learned from MNIST's {10 * TRAIN_PER_CLASS:,} training digits (augmented to "
            f"look like drawings): {card['test_accuracy']:.1%} of the "
            f"{card['test_digits']:,} test digits right")


def current_model() -> Model:
    """This session's trained or uploaded model if there is one, else the default."""
    model = st.session_state.get(TRAINED_MODEL)
    return model if model is not None else default_model()


def use_model(model: Model | None, origin: Origin | None = None) -> None:
    """Make ``model`` this session's model (None: back to the default)."""
    st.session_state[TRAINED_MODEL] = model
    st.session_state[TRAINED_ORIGIN] = origin if model is not None else None


def guess_framing(image_shape: tuple[int, int]) -> str:
    """The framing of a model nobody said anything about (an uploaded file): "fill" for the
    5x5 and 8x8 sets' input sizes, else "mnist"."""
    return "fill" if tuple(image_shape) in ((5, 5), (8, 8)) else "mnist"


def framing(model: Model) -> str:
    """How drawings are framed for this model: "mnist" or "fill" (see Origin)."""
    if model is default_model():
        return "mnist"
    origin = st.session_state.get(TRAINED_ORIGIN)
    return origin.framing if isinstance(origin, Origin) else guess_framing(
        spec_of(model).input_shape)


def is_default(model: Model) -> bool:
    """Whether this is the shared default network (which must never be changed)."""
    return model is default_model()


def copy_model(model: Model) -> Model:
    """An independent, writable copy of a model (same architecture, copied params)."""
    if isinstance(model, ConvNet):
        return ConvNet.from_params(model.spec, model.params)
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


def model_input(grid: np.ndarray, model: Model, *, fit: bool = True) -> np.ndarray:
    """The drawing (n, n) as the model's input (H, W), framed as its training images were
    (cnn_core.drawing.prepare_drawing with the model's framing). Raises ValueError for a
    drawing that is not one, or a model whose input is not square."""
    height, width = spec_of(model).input_shape
    if height != width:
        raise ValueError(f"this model expects {height}x{width} images; drawings are square")
    return prepare_drawing(grid, (height, width), fit=fit, style=framing(model))


def shape_text(model: Model) -> str:
    """A model's shape in a few words: "32 kernels 3x3, 16x16 input, 1,568 features" for the
    notes' kind, "2 blocks (8, 16 channels), 28x28 input, 7,610 parameters" for a ConvNet."""
    if isinstance(model, TinyCNN):
        arch = model.arch
        return (f"{arch.n_kernels} kernel{'s' if arch.n_kernels > 1 else ''} "
                f"{arch.kernel_size}x{arch.kernel_size}, {arch.image_shape[0]}x"
                f"{arch.image_shape[1]} input, {arch.n_features:,} features")
    spec = model.spec
    channels = ", ".join(str(block.channels) for block in spec.blocks)
    count = len(spec.blocks)
    return (f"{count} block{'s' if count > 1 else ''} ({channels} channel"
            f"{'s' if channels != '1' else ''}), {spec.input_shape[0]}x{spec.input_shape[1]} "
            f"input, {spec.parameter_count:,} parameters")


def describe(model: Model) -> str:
    """One line about a model: which one it is, its shape and what it learned from."""
    shape = shape_text(model)
    if is_default(model):
        return f"Default network ({shape}), {default_card_text()}."
    origin = st.session_state.get(TRAINED_ORIGIN)
    where = origin.learned_from if isinstance(origin, Origin) else "from the Training page"
    return f"Your network ({shape}), {where}."


def working_copy(key: str, base: Model, source: str) -> Model:
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
