"""Every stage of a network's forward pass for one image, told the same way for any model.

A page that shows a whole network (the Home overview, the Forward pass) walks this list
instead of knowing which model it holds: a TinyCNN (the notes' network, the default one) is
the one-block ConvNet without a conv bias, converted exactly (ConvNet.from_tiny_cnn), and
NetworkSpec.layers() gives every stage's shape with the formula that computes it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .model import TinyCNN
from .network import ConvNet
from .network_spec import NetworkSpec

TITLES = {"input": "Input", "conv": "Convolution", "relu": "ReLU", "max pool": "Max pooling",
          "avg pool": "Average pooling", "flatten": "Flatten", "dense": "Dense (logits)",
          "softmax": "Softmax (probabilities)"}


class Stage(NamedTuple):
    """One stage: what it is, its values for the image, its shape and how that is computed.

    key: "input", "block1.conv", "block1.relu", "block1.max pool", ..., "flatten", "dense",
    "softmax". values: maps (C, h, w) for the input and the blocks' stages, a vector
    (D,) for flatten, dense (the logits) and softmax. formula: the output-size formula with
    this network's numbers ("(16 − 3 + 2×0) // 1 + 1 = 14"), "" where nothing is computed.
    """

    key: str
    block: int  # 1, 2, 3 inside a block; 0 for the input and the head
    title: str  # "Convolution (block 1)"
    values: np.ndarray
    formula: str

    @property
    def shape_text(self) -> str:
        """The values' shape written for a student: "32 × 14 × 14", "1568"."""
        return " × ".join(str(n) for n in self.values.shape)


def as_network(model: TinyCNN | ConvNet) -> ConvNet:
    """The model as a ConvNet (a TinyCNN converted exactly; a ConvNet as it is)."""
    if isinstance(model, ConvNet):
        return model
    if isinstance(model, TinyCNN):
        return ConvNet.from_tiny_cnn(model)
    raise ValueError(f"model must be a TinyCNN or a ConvNet, got {type(model).__name__}")


def spec_of(model: TinyCNN | ConvNet) -> NetworkSpec:
    """The architecture of either model kind as a NetworkSpec."""
    return as_network(model).spec


def network_stages(model: TinyCNN | ConvNet, image: np.ndarray) -> list[Stage]:
    """Every stage of the forward pass of one image (H, W), input to softmax, in order.

    The values are the model's own forward (ConvNet.forward; a TinyCNN's numbers equal its
    own forward, tests/test_stages.py), the shapes and formulas NetworkSpec.layers()'.
    Raises ValueError for an image the model cannot take.
    """
    network = as_network(model)
    values = network.forward(image)
    stages = []
    for layer in network.spec.layers():
        if layer.name == "input":
            array = np.asarray(image, dtype=np.float64).reshape(layer.shape)  # checked above
        elif layer.block:
            name = {"conv": "feature_maps", "relu": "activations"}.get(layer.name, "pooled")
            array = values[f"block{layer.block}.{name}"][0]
        else:
            array = values["flattened" if layer.name == "flatten" else "logits"][0]
        key = f"block{layer.block}.{layer.name}" if layer.block else layer.name
        title = TITLES[layer.name] + (f" (block {layer.block})" if layer.block else "")
        stages.append(Stage(key, layer.block, title, array, layer.formula))
    stages.append(Stage("softmax", 0, TITLES["softmax"], values["probabilities"][0],
                        "p_c = e^(z_c) / Σ_k e^(z_k)"))
    return stages
