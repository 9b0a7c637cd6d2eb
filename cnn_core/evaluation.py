"""What the trainer needs of either model, the notes' TinyCNN or a ConvNet, and evaluation.

Both models hold their numbers in ``params`` and offer ``loss_and_gradients`` and
``forward``; they differ in where the class count and the image checks live, and in which
params are the convolution's (what "freeze kernels" leaves as they are).
"""

from __future__ import annotations

import numpy as np

from .losses import check_labels
from .model import TinyCNN
from .network import ConvNet

Model = TinyCNN | ConvNet


def n_classes(model: Model) -> int:
    """How many classes the model tells apart."""
    return model.n_classes if isinstance(model, ConvNet) else model.arch.n_classes


def conv_param_names(model: Model) -> list[str]:
    """The convolution parameters, which ``freeze_kernels`` leaves as they are."""
    return model.conv_param_names() if isinstance(model, ConvNet) else ["kernels"]


def checked_images(model: Model, images: np.ndarray) -> np.ndarray:
    """Images checked by the model (its size, finite) as float64 (N, H, W)."""
    if isinstance(model, ConvNet):
        return model.check_images(images, np.float64)
    return model._images(images, np.float64)


def evaluate(model: Model, images: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Mean cross-entropy and accuracy (0..1) of the model on a set of images."""
    if len(images) == 0:
        return float("nan"), float("nan")
    if isinstance(model, ConvNet):  # no maps kept: a few hundred images at a time
        probabilities = model.probabilities(images)
    else:
        probabilities = model.forward(images)["probabilities"]
    labels = check_labels(labels, n_classes(model), count=len(images))
    picked = probabilities[np.arange(len(labels)), labels]
    loss = float(-np.mean(np.log(np.maximum(picked, np.finfo(np.float64).tiny))))
    return loss, float(np.mean(probabilities.argmax(axis=1) == labels))
