"""The channel convolution and whole ConvNets against PyTorch in float64 (optional oracle).

Skipped where torch is not installed. PyTorch's conv2d is the same cross-correlation over
input channels; its pooling with ``ceil_mode=True`` keeps cut-off windows as the notes do
(an average over a cut-off window divides by the cells it holds, padding being 0).
"""

import numpy as np
import pytest

from cnn_core import (
    BlockSpec,
    ConvNet,
    NetworkSpec,
    conv2d_channels_backward,
    conv2d_channels_forward,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional

SWEEP = [(padding, stride) for padding in (0, 1, 2) for stride in (1, 2, 3)]
SWEEP += [((0, 2), (2, 1)), ((1, 0), (3, 2))]
SPECS = [
    NetworkSpec((28, 28), (BlockSpec(8, 3), BlockSpec(16, 3)), 10),  # the benchmark's net
    NetworkSpec((9, 8), (BlockSpec(3, 3, 1, 1, "max", 2), BlockSpec(2, 2, 0, 2, "avg", 3)), 4),
    NetworkSpec((10, 10), (BlockSpec(2, 3, 0, 1, "avg", 3), BlockSpec(3, 2, 1, 1, "none"),
                           BlockSpec(2, 2, 1, 2, "max", 2, False)), 3),
    NetworkSpec((7, 7), (BlockSpec(4, 3, 2, 2, "max", 3),), 5),
    NetworkSpec((5, 5), (BlockSpec(1, 3, bias=False),), 10),  # the notes' network
]


def _pair(value):
    return (value, value) if np.isscalar(value) else tuple(value)


@pytest.mark.parametrize(("padding", "stride"), SWEEP)
def test_conv2d_channels_forward_and_backward_equal_torch_conv2d(padding, stride):
    rng = np.random.default_rng(SWEEP.index((padding, stride)))
    images, kernels = rng.normal(size=(3, 4, 9, 8)), rng.normal(size=(5, 4, 3, 2))
    bias = rng.normal(size=5)
    out, cache = conv2d_channels_forward(images, kernels, bias, padding=padding, stride=stride)
    upstream = rng.normal(size=out.shape)
    grads = conv2d_channels_backward(upstream, cache)
    x, g, b = (torch.tensor(a, requires_grad=True) for a in (images, kernels, bias))
    theirs = F.conv2d(x, g, b, stride=_pair(stride), padding=_pair(padding))
    theirs.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(out, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    for ours, their in ((grads.images, x), (grads.kernels, g), (grads.bias, b)):
        np.testing.assert_allclose(ours, their.grad.numpy(), rtol=1e-11, atol=1e-12)


def _torch_loss(spec, params, images, labels):
    """The same network in PyTorch: (loss, {name: tensor with .grad after backward})."""
    tensors = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    x = torch.from_numpy(images)[:, None]
    for number, block in enumerate(spec.blocks, start=1):
        x = F.relu(F.conv2d(x, tensors[f"block{number}.kernels"],
                            tensors.get(f"block{number}.bias"), stride=block.stride,
                            padding=block.padding))
        if block.pool == "max":
            x = F.max_pool2d(x, block.pool_size, ceil_mode=True)
        elif block.pool == "avg":
            x = F.avg_pool2d(x, block.pool_size, ceil_mode=True)
    logits = x.flatten(1) @ tensors["dense.weights"] + tensors["dense.bias"]
    loss = F.cross_entropy(logits, torch.from_numpy(labels))
    loss.backward()
    return float(loss.detach()), logits.detach().numpy(), tensors


@pytest.mark.parametrize("spec", SPECS)
def test_convnet_logits_loss_and_every_gradient_equal_pytorch_float64(spec):
    model = ConvNet(spec, seed=1)
    rng = np.random.default_rng(2)
    for name in model.params:
        if name.endswith("bias"):
            model.params[name] = rng.normal(scale=0.3, size=model.params[name].shape)
    images = rng.random((6, *spec.input_shape))
    labels = rng.integers(0, spec.n_classes, size=6)
    loss, grads = model.loss_and_gradients(images, labels)
    their_loss, their_logits, tensors = _torch_loss(spec, model.params, images, labels)
    np.testing.assert_allclose(model.forward(images)["logits"], their_logits, rtol=1e-12,
                               atol=1e-12)
    assert loss == pytest.approx(their_loss, rel=1e-12)
    for name, value in grads.items():
        np.testing.assert_allclose(value, tensors[name].grad.numpy(), rtol=1e-10, atol=1e-13,
                                   err_msg=name)
