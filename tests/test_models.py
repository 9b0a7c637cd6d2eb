"""ui.session.models: the default network, the notes' example model, and what a drawing becomes.

How we check that the default network reads drawn digits here: hand-made stroke digits
(polylines rasterised at 16x16 and 32x32, full size, small, and off-centre) through the
app's pipeline. Its accuracy on MNIST's test digits, scanned and drawn as cells, is
tests/test_default_network.py's.
"""

import itertools

import numpy as np
import pytest
import streamlit as st

from cnn_core import TinyCNN
from cnn_core.data import NOTES_EIGHT
from cnn_core.default_network import default_card, load_default_network
from cnn_core.drawing import prepare_drawing
from cnn_core.network import ConvNet
from cnn_core.network_spec import BlockSpec, NetworkSpec
from ui.session.models import (
    Origin,
    _cached_default,
    copy_model,
    current_model,
    describe,
    framing,
    is_default,
    model_input,
    notes_example_model,
    use_model,
)
from ui.session.state import ensure_defaults

# Digits as polylines in the unit square (x to the right, y down), drawn the way a
# student would on the grid.
STROKES = {
    0: [(.5, .1), (.3, .2), (.22, .5), (.3, .8), (.5, .9), (.7, .8), (.78, .5), (.7, .2),
        (.5, .1)],
    1: [(.35, .25), (.55, .1), (.55, .9)],
    2: [(.25, .25), (.4, .1), (.65, .12), (.72, .3), (.6, .5), (.25, .88), (.78, .88)],
    3: [(.25, .12), (.7, .12), (.45, .45), (.7, .6), (.7, .8), (.5, .9), (.25, .85)],
    4: [(.6, .9), (.6, .1), (.2, .65), (.8, .65)],
    5: [(.72, .1), (.3, .1), (.27, .45), (.6, .42), (.72, .62), (.62, .85), (.25, .88)],
    6: [(.68, .1), (.4, .3), (.27, .6), (.35, .85), (.6, .88), (.72, .68), (.55, .5),
        (.3, .6)],
    7: [(.22, .12), (.78, .12), (.45, .9)],
    8: [(.5, .5), (.3, .3), (.5, .1), (.7, .3), (.5, .5), (.28, .7), (.5, .9), (.72, .7),
        (.5, .5)],
    9: [(.7, .4), (.5, .5), (.3, .35), (.45, .12), (.7, .2), (.7, .4), (.65, .9)],
}


def stroke_digit(digit: int, n: int, *, scale: float = 1.0, dx: float = 0.0,
                 dy: float = 0.0, pen: float = 1.5) -> np.ndarray:
    """Rasterise a digit's polyline on an n x n grid; pen 1 is about n/10 cells wide."""
    grid = np.zeros((n, n))
    centres_y, centres_x = np.mgrid[0:n, 0:n] + 0.5
    half_width = 0.75 * n / 16 * pen
    points = [((x - .5) * scale + .5 + dx, (y - .5) * scale + .5 + dy)
              for x, y in STROKES[digit]]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        for t in np.linspace(0, 1, 4 * n):
            cx, cy = (x0 + t * (x1 - x0)) * n, (y0 + t * (y1 - y0)) * n
            near = (np.abs(centres_x - cx) <= half_width) & (np.abs(centres_y - cy) <= half_width)
            grid[near] = 1.0
    return grid


@pytest.fixture(scope="module")
def default():
    return _cached_default()  # the same cache_resource object the pages share


@pytest.fixture
def session():
    """A clean bare-mode session state with the app's defaults (the default network)."""
    st.session_state.clear()
    ensure_defaults()
    yield st.session_state
    st.session_state.clear()


def test_default_model_is_the_shipped_network_with_its_card(default):
    shipped = load_default_network()
    for name, value in shipped.params.items():
        np.testing.assert_array_equal(default.model.params[name], value)
    arch, card = default.model.arch, default_card()
    assert default.card == card
    assert (arch.n_kernels, arch.kernel_size, list(arch.image_shape), arch.pool_size,
            arch.n_classes) == tuple(card["architecture"][key] for key in (
                "kernels", "kernel_size", "input_shape", "pool_size", "classes"))


def test_default_model_is_read_only_and_copies_are_not(default):
    with pytest.raises(ValueError, match="read-only"):
        default.model.params["kernels"][0, 0, 0] = 1.0
    copy = copy_model(default.model)
    copy.params["kernels"][0, 0, 0] += 1.0
    assert copy.params["kernels"][0, 0, 0] != default.model.params["kernels"][0, 0, 0]


def test_describe_says_what_the_default_network_learned_from_and_its_accuracy(default,
                                                                            session):
    text = describe(current_model())
    card = default.card
    assert "MNIST" in text and "4,000 training digits" in text
    assert f"{card['test_accuracy']:.1%} of the 1,000 test digits" in text


def test_a_session_model_brings_its_framing_and_origin(default, session):
    toy = TinyCNN(1, 3, (5, 5), 2, 10)
    use_model(toy, Origin("trained here on the notes' toy set", "fill"))
    assert current_model() is toy and framing(toy) == "fill"
    assert describe(toy).endswith("trained here on the notes' toy set.")
    use_model(None)
    assert current_model() is default.model and framing(default.model) == "mnist"


TWO_BLOCKS = NetworkSpec((28, 28), (BlockSpec(8, 3, 0, 1, "max", 2),
                                    BlockSpec(16, 3, 0, 1, "max", 2)))


def test_a_session_convnet_is_described_framed_and_copied(default, session):
    net = ConvNet(TWO_BLOCKS, seed=3)
    use_model(net)  # nobody said how: 28x28 is MNIST's framing
    assert current_model() is net and framing(net) == "mnist" and not is_default(net)
    count = 8 * 9 + 8 + 16 * 8 * 9 + 16 + (16 * 6 * 6 + 1) * 10  # 28→26→13→11→6 (ceil)
    assert describe(net) == (f"Your network (2 blocks (8, 16 channels), 28x28 input, "
                             f"{count:,} parameters), from the Training page.")
    grid = stroke_digit(3, 16)
    np.testing.assert_array_equal(model_input(grid, net), prepare_drawing(grid, (28, 28)))
    copy = copy_model(net)
    assert isinstance(copy, ConvNet) and copy.spec == net.spec
    copy.params["block2.kernels"][0, 0, 0, 0] += 1.0
    assert copy.params["block2.kernels"][0, 0, 0, 0] != net.params["block2.kernels"][0, 0, 0, 0]
    np.testing.assert_array_equal(copy.params["dense.bias"], net.params["dense.bias"])


PLACEMENTS = [(1.0, 0, 0), (0.7, 0, 0), (0.7, -0.15, -0.1), (0.9, 0.08, 0)]


@pytest.mark.parametrize("size", [16, 32])
@pytest.mark.parametrize("pen", [1.0, 1.5, 2.0])
def test_hand_drawn_digits_are_read_correctly_most_of_the_time(default, size, pen):
    # 4 placements x 10 digits; measured 37-39 of 40 right (the 8x8 default read 33-38)
    drawings = [stroke_digit(d, size, scale=scale, dx=dx, dy=dy, pen=pen)
                for scale, dx, dy in PLACEMENTS for d in range(10)]
    predicted = default.model.predict(np.stack([model_input(g, default.model)
                                                for g in drawings]))
    right = predicted == np.tile(np.arange(10), len(PLACEMENTS))
    assert right.sum() >= 35
    assert right.reshape(len(PLACEMENTS), 10).sum(axis=1).min() >= 7


def test_fitting_is_what_rescues_small_off_centre_digits(default):
    drawings = [stroke_digit(d, 32, scale=0.7, dx=-0.15, dy=-0.1) for d in range(10)]
    raw = np.stack([model_input(g, default.model, fit=False) for g in drawings])
    fitted = np.stack([model_input(g, default.model) for g in drawings])
    assert np.sum(default.model.predict(raw) == np.arange(10)) <= 4
    assert np.sum(default.model.predict(fitted) == np.arange(10)) >= 9


def test_model_input_frames_drawings_as_mnist_for_the_default_network(default, session):
    grid = stroke_digit(4, 32, scale=0.6, dx=0.2)
    shape = default.model.arch.image_shape
    np.testing.assert_array_equal(model_input(grid, default.model),
                                  prepare_drawing(grid, shape, style="mnist"))
    np.testing.assert_array_equal(model_input(grid, default.model, fit=False),
                                  prepare_drawing(grid, shape, fit=False))


def test_model_input_fills_the_frame_for_a_model_of_the_8x8_or_5x5_sets(session):
    toy = TinyCNN(1, 3, (5, 5), 2, 10)
    use_model(toy, Origin("trained here on the notes' toy set", "fill"))
    np.testing.assert_array_equal(model_input(NOTES_EIGHT, toy, fit=False), NOTES_EIGHT)
    grid = stroke_digit(7, 16)
    np.testing.assert_array_equal(model_input(grid, toy),
                                  prepare_drawing(grid, (5, 5), style="fill"))


def test_model_input_refuses_a_non_square_model():
    with pytest.raises(ValueError, match="square"):
        model_input(np.zeros((8, 8)), TinyCNN(1, 3, (8, 6), 2, 10))


def test_notes_example_model_reproduces_the_notes_forward_pass():
    values = notes_example_model().forward(NOTES_EIGHT)
    np.testing.assert_array_equal(values["feature_maps"][0, 0], [[1, 2, 1], [0, 2, 0],
                                                                [1, 2, 1]])
    np.testing.assert_array_equal(values["pooled"][0, 0], [[2, 1], [2, 1]])
    np.testing.assert_array_equal(values["flattened"][0], [2, 1, 2, 1])
    probabilities = values["probabilities"][0]
    assert probabilities.sum() == pytest.approx(1.0)
    assert np.all(np.abs(probabilities - 0.1) < 0.01)  # small weights: near uniform


def test_notes_example_weights_are_seeded_randn_times_a_hundredth():
    model = notes_example_model(seed=3)
    rng = np.random.RandomState(3)
    np.testing.assert_array_equal(model.params["weights"], rng.randn(4, 10) * 0.01)
    np.testing.assert_array_equal(model.params["bias"], rng.randn(10) * 0.01)
    np.testing.assert_array_equal(notes_example_model(seed=3).params["weights"],
                                  model.params["weights"])
