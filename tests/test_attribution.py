"""cnn_core.attribution: occlusion against a loop of single forwards, saliency against
central finite differences, for the notes' TinyCNN and for ConvNets of 1-3 blocks.

Saliency: inputs are drawn until no feature map of any block is within MARGIN of ReLU's
kink at 0 and no max-pool window has its two largest cells within MARGIN. Then the target
logit is linear in each input cell around the image (a network of ReLUs, max pools and
linear layers is linear once its gates and winners are fixed), so a central difference is
exact but for rounding as long as its step changes no gate or winner: each step is checked
to leave them as they were, and shrunk tenfold until it does.
"""

import numpy as np
import pytest

from cnn_core import BlockSpec, ConvNet, NetworkSpec, TinyCNN, attribution
from cnn_core.attribution import occlusion_map, saliency_map
from cnn_core.default_network import load_default_network
from cnn_core.gradcheck import relative_error
from tests.support.pool_windows import pool_windows

STEP, MARGIN, TOLERANCE = 1e-3, 1e-4, 1e-6


def _tiny(seed=0, size=(9, 9), pool=2, kernels=4):
    model = TinyCNN(kernels, 3, size, pool, 5, seed=seed)
    model.params["bias"] = np.random.default_rng(seed).normal(scale=0.5, size=5)
    return model


def _convnet(spec, seed=0):
    model = ConvNet(spec, seed=seed)
    rng = np.random.default_rng(seed)
    for name in model.params:
        if name.endswith("bias"):  # non-zero biases, so a blank patch is not a no-op
            model.params[name] = rng.normal(scale=0.3, size=model.params[name].shape)
    return model


THREE_BLOCKS = NetworkSpec((10, 9), (BlockSpec(3, 3, 1, 1, "max", 2),
                                     BlockSpec(4, 2, 1, 2, "avg", 2, bias=False),
                                     BlockSpec(2, 2, 0, 1, "none")), 4)
TWO_BLOCKS = NetworkSpec((12, 12), (BlockSpec(4, 3), BlockSpec(5, 3, 1, 1, "max", 3)), 10)
ONE_BLOCK = NetworkSpec((8, 11), (BlockSpec(3, 4, 0, 2, "max", 2),), 3)

MODELS = {
    "tiny 9x9": lambda: _tiny(),
    "tiny 10x10 pool 3 (cut-off windows)": lambda: _tiny(1, (10, 10), pool=3),
    "three blocks 10x9": lambda: _convnet(THREE_BLOCKS, 1),
    "two blocks 12x12": lambda: _convnet(TWO_BLOCKS, 2),
    "one block 8x11 stride 2": lambda: _convnet(ONE_BLOCK, 3),
}


def _shape(model):
    return model.arch.image_shape if isinstance(model, TinyCNN) else model.spec.input_shape


def _probabilities(model, image):
    return model.forward(image)["probabilities"][0]


# --- Occlusion ------------------------------------------------------------------------------

def _occlusion_loops(model, image, patch, stride, fill, target):
    """drop[i, j] and per-pixel means, one occluded copy and one forward at a time."""
    base = _probabilities(model, image)[target]
    height, width = image.shape
    out_h, out_w = (height - patch) // stride + 1, (width - patch) // stride + 1
    drop = np.zeros((out_h, out_w))
    covering = [[[] for _ in range(width)] for _ in range(height)]
    for i in range(out_h):
        for j in range(out_w):
            copy = image.copy()
            copy[i * stride : i * stride + patch, j * stride : j * stride + patch] = fill
            drop[i, j] = base - _probabilities(model, copy)[target]
            for r in range(i * stride, i * stride + patch):
                for c in range(j * stride, j * stride + patch):
                    covering[r][c].append(drop[i, j])
    per_pixel = np.array([[np.mean(v) if v else np.nan for v in row] for row in covering])
    return drop, per_pixel


GEOMETRIES = [(1, 1), (2, 1), (3, 1), (2, 2), (3, 2), (4, 3), (2, 3), (3, 5), ("image", 1)]


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize(("patch", "stride"), GEOMETRIES)
def test_occlusion_map_equals_a_loop_of_single_forwards(name, patch, stride):
    model = MODELS[name]()
    rng = np.random.default_rng(GEOMETRIES.index((patch, stride)))
    image = rng.uniform(0.0, 1.0, size=_shape(model))
    patch = min(image.shape) if patch == "image" else patch
    target = int(rng.integers(model.forward(image)["logits"].shape[1]))
    found = occlusion_map(model, image, patch=patch, stride=stride, target=target)
    drop, per_pixel = _occlusion_loops(model, image, patch, stride, 0.0, target)
    assert found.drop.shape == ((image.shape[0] - patch) // stride + 1,
                                (image.shape[1] - patch) // stride + 1)
    np.testing.assert_allclose(found.drop, drop, rtol=0, atol=1e-12)
    np.testing.assert_allclose(found.per_pixel, per_pixel, rtol=0, atol=1e-12)  # NaNs alike
    np.testing.assert_allclose(found.probabilities, found.base_probability - drop, atol=1e-12)
    assert found.base_probability == pytest.approx(_probabilities(model, image)[target],
                                                   abs=1e-12)
    assert found.target == target and (found.patch, found.stride) == (patch, stride)
    assert np.ptp(found.drop) > 1e-6 or found.drop.size == 1  # the map is not flat


@pytest.mark.parametrize("fill", [1.0, 0.5, -2.0])
def test_occlusion_with_ink_or_any_fill_equals_the_loop(fill):
    model = _convnet(TWO_BLOCKS, 5)
    image = np.random.default_rng(5).uniform(size=(12, 12))
    found = occlusion_map(model, image, patch=3, stride=2, fill=fill, target=2)
    drop, _ = _occlusion_loops(model, image, 3, 2, fill, 2)
    np.testing.assert_allclose(found.drop, drop, rtol=0, atol=1e-12)


def test_occlusion_of_the_default_network_at_patch_3_equals_the_loop():
    model = load_default_network()
    image = np.zeros((16, 16))
    image[3:13, 7:9] = 1.0  # a "1"
    image[3:5, 5:7] = 0.6
    found = occlusion_map(model, image)
    drop, per_pixel = _occlusion_loops(model, image, 3, 1, 0.0, found.target)
    assert found.drop.shape == (14, 14)
    np.testing.assert_allclose(found.drop, drop, rtol=0, atol=1e-12)
    np.testing.assert_allclose(found.per_pixel, per_pixel, rtol=0, atol=1e-12)
    assert found.target == int(np.argmax(_probabilities(model, image)))
    # covering paper changes nothing: patches that cover no ink drop by exactly 0
    no_ink = np.array([[not image[found.region(i, j)].any() for j in range(14)]
                       for i in range(14)])
    assert no_ink.any() and np.all(found.drop[no_ink] == 0.0)
    assert np.max(found.drop) > 0.01  # covering the stroke matters


@pytest.mark.parametrize("name", ["tiny 9x9", "two blocks 12x12"])
def test_occlusion_in_batches_of_seven_equals_one_batch(name, monkeypatch):
    model = MODELS[name]()
    image = np.random.default_rng(7).uniform(size=_shape(model))
    whole = occlusion_map(model, image, patch=2)
    cells = model.params["kernels"].shape[0] if isinstance(model, TinyCNN) else 4
    monkeypatch.setattr(attribution, "MAX_MAP_CELLS", cells * image.size * 7)  # 7 a batch
    np.testing.assert_allclose(occlusion_map(model, image, patch=2).drop, whole.drop,
                               rtol=0, atol=1e-15)


def test_a_patch_the_size_of_the_image_leaves_a_blank_image():
    model = _tiny(3)
    image = np.random.default_rng(3).uniform(size=(9, 9))
    found = occlusion_map(model, image, patch=9, fill=0.25)
    blank = _probabilities(model, np.full((9, 9), 0.25))[found.target]
    assert found.drop.shape == (1, 1) and found.coverage.min() == 1
    assert found.probabilities[0, 0] == pytest.approx(blank, abs=1e-12)
    np.testing.assert_allclose(found.per_pixel, found.drop[0, 0])


def test_coverage_counts_the_regions_over_each_cell_and_gaps_are_nan():
    found = occlusion_map(_tiny(), np.random.default_rng(0).uniform(size=(9, 9)),
                          patch=2, stride=3)
    counts = np.zeros((9, 9), dtype=int)
    for i, j in np.ndindex(*found.drop.shape):
        counts[found.region(i, j)] += 1
    np.testing.assert_array_equal(found.coverage, counts)
    assert counts.max() == 1 and (counts == 0).any()  # stride 3 > patch 2: gaps
    assert np.array_equal(np.isnan(found.per_pixel), counts == 0)


# --- Saliency -------------------------------------------------------------------------------

def _gates(model, image):
    """The target-free forward's logits, ReLU gates and max-pool winners; and the smallest
    distance of any map from ReLU's kink or any window's top two cells from a tie."""
    out = model.forward(image)
    if isinstance(model, TinyCNN):
        layers = [("feature_maps", "max", model.arch.pool_size)]
    else:
        layers = [(f"block{b}.feature_maps", block.pool, block.pool_size)
                  for b, block in enumerate(model.spec.blocks, start=1)]
    gates, closest = [], np.inf
    for name, pool, size in layers:
        maps = out[name]
        gates.append(maps > 0)
        closest = min(closest, float(np.min(np.abs(maps))))
        if pool == "max" and size > 1:
            windows = pool_windows(maps, size)
            ordered = np.sort(windows, axis=-1)
            gaps = np.where(ordered[..., -1] < 0, np.inf, ordered[..., -1] - ordered[..., -2])
            closest = min(closest, float(np.min(gaps)))
            gates.append(np.where(ordered[..., -1] > 0, windows.argmax(axis=-1), -1))
    return out["logits"][0], gates, closest


def _kink_free_image(model, rng):
    for _ in range(100):
        image = rng.normal(size=_shape(model))
        if _gates(model, image)[2] > MARGIN:
            return image
    raise AssertionError("no kink-free image in 100 draws")


def _same(gates, others):
    return all(np.array_equal(a, b) for a, b in zip(gates, others, strict=True))


def _logit_finite_differences(model, image, target):
    """d z_target / d x by central differences whose steps change no gate or winner."""
    _, gates, _ = _gates(model, image)
    grad = np.zeros_like(image)
    for cell in np.ndindex(*image.shape):
        saved, step = image[cell], STEP
        while True:
            image[cell] = saved + step
            plus, plus_gates, _ = _gates(model, image)
            image[cell] = saved - step
            minus, minus_gates, _ = _gates(model, image)
            image[cell] = saved
            if _same(gates, plus_gates) and _same(gates, minus_gates):
                break
            step /= 10
            assert step > 1e-9, f"{cell}: every step crosses a kink"
        grad[cell] = (plus[target] - minus[target]) / (2 * step)
    return grad


SALIENCY_MODELS = {**MODELS,
                   "tiny 16x16, 6 kernels, pool 2": lambda: _tiny(4, (16, 16), kernels=6),
                   "the default network": load_default_network}


@pytest.mark.parametrize("name", SALIENCY_MODELS)
def test_saliency_equals_finite_differences_of_the_target_logit(name):
    model = SALIENCY_MODELS[name]()
    rng = np.random.default_rng(list(SALIENCY_MODELS).index(name))
    image = _kink_free_image(model, rng)
    logits = _gates(model, image)[0]
    for target in (None, int(np.argmin(logits))):
        found = saliency_map(model, image, target=target)
        expected_target = int(np.argmax(logits)) if target is None else target
        assert found.target == expected_target
        assert found.score == pytest.approx(logits[expected_target], abs=1e-12)
        numeric = _logit_finite_differences(model, image, expected_target)
        assert found.gradient.shape == image.shape
        assert np.any(numeric != 0), "the check is vacuous: the gradient is all zero"
        error = relative_error(found.gradient, numeric)
        assert error < TOLERANCE, f"relative error {error:.2e}"


def test_saliency_is_not_the_probability_gradient():
    # the logit's gradient, not softmax's: they differ (and the check above would see it)
    model = _tiny(2)
    image = _kink_free_image(model, np.random.default_rng(2))
    found = saliency_map(model, image)
    p = _probabilities(model, image)
    others = sum(p[c] * saliency_map(model, image, target=c).gradient for c in range(5))
    probability_gradient = p[found.target] * (found.gradient - others)
    assert relative_error(found.gradient, probability_gradient) > 0.1


# --- Defaults, blank images, bad arguments ---------------------------------------------------

@pytest.mark.parametrize("name", MODELS)
def test_the_default_target_is_the_predicted_class(name):
    model = MODELS[name]()
    image = np.random.default_rng(11).uniform(size=_shape(model))
    predicted = int(np.argmax(_probabilities(model, image)))
    assert occlusion_map(model, image).target == predicted
    assert saliency_map(model, image).target == predicted


def test_a_blank_image_has_a_flat_occlusion_map_and_a_zero_saliency():
    model = load_default_network()
    blank = np.zeros((16, 16))
    found = occlusion_map(model, blank)
    bias = model.params["bias"]
    softmax = np.exp(bias - bias.max()) / np.exp(bias - bias.max()).sum()
    assert found.target == int(np.argmax(bias))
    assert found.base_probability == pytest.approx(softmax[found.target], abs=1e-12)
    assert np.all(found.drop == 0.0) and np.all(found.per_pixel == 0.0)
    # every feature map sits on ReLU's kink, taken as slope 0 (the docstring says so)
    assert np.all(saliency_map(model, blank).gradient == 0.0)
    net = _convnet(TWO_BLOCKS, 6)  # with conv biases a blank image has maps that are not 0
    assert np.all(np.isfinite(saliency_map(net, np.zeros((12, 12))).gradient))
    assert np.all(np.isfinite(occlusion_map(net, np.zeros((12, 12))).drop))


BAD = [
    ({"patch": 0}, "patch size must be a whole number from 1 to 9, got 0"),
    ({"patch": 10}, "patch size must be a whole number from 1 to 9, got 10"),
    ({"patch": 2.0}, "patch size must be a whole number"),
    ({"patch": True}, "patch size must be a whole number"),
    ({"stride": 0}, "stride must be a whole number of at least 1, got 0"),
    ({"stride": 1.5}, "stride must be a whole number of at least 1"),
    ({"fill": float("nan")}, "fill must be a finite number"),
    ({"fill": "paper"}, "fill must be a finite number"),
    ({"target": 5}, "target (a class) must be a whole number from 0 to 4, got 5"),
    ({"target": -1}, "target (a class) must be a whole number from 0 to 4, got -1"),
    ({"target": 1.0}, "target (a class) must be a whole number"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD)
def test_bad_occlusion_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        occlusion_map(_tiny(), np.zeros((9, 9)), **kwargs)


@pytest.mark.parametrize("target", [5, -1, "3", 2.5])
def test_bad_saliency_targets_raise_clear_errors(target):
    with pytest.raises(ValueError, match=r"target \(a class\) must be a whole number"):
        saliency_map(_tiny(), np.zeros((9, 9)), target=target)


@pytest.mark.parametrize("function", [occlusion_map, saliency_map])
@pytest.mark.parametrize(("model", "image", "message"), [
    (_tiny(), np.zeros((8, 8)), "must be 9x9"),
    (_convnet(ONE_BLOCK), np.zeros((11, 8)), "must be 8x11"),
    (_tiny(), np.full((9, 9), np.nan), "NaN or infinity"),
    (_tiny(), np.zeros((2, 9, 9)), "give one image"),
    (_tiny(), "a drawing", "must contain only numbers"),
    ("a model", np.zeros((9, 9)), "model must be a TinyCNN or a ConvNet, got str"),
])
def test_bad_models_and_images_raise_clear_errors(function, model, image, message):
    with pytest.raises(ValueError, match=message):
        function(model, image)
