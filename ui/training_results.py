"""The training page's results and model files: tallies of the test set (confusion matrix,
misclassified images) and the upload of a model (.npz) that becomes the session's model."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st

from cnn_core import TinyCNN
from cnn_core.model_io import load_model
from ui.models import Origin, guess_framing, use_model

UPLOAD_MESSAGE = "training_upload_message"  # ("success" | "error", text) after an upload


def install_uploaded_model(data: bytes) -> tuple[str, str]:
    """Make an uploaded .npz the session's model, or refuse it and keep the current one.

    Returns ("success" | "error", message). The file must load (cnn_core.model_io checks
    it) and be a digit classifier this app can feed: one conv block (a TinyCNN), 10 classes,
    a square input. Drawings are framed for it as ui.models.guess_framing says.
    """
    try:
        model = load_model(data)
        if not isinstance(model, TinyCNN):
            raise ValueError("it is a network of several conv blocks; the pages show "
                             "one-block networks (kernels, pooling, dense) for now")
        arch = model.arch
        if arch.n_classes != 10:
            raise ValueError(f"it has {arch.n_classes} classes; this app needs 10 (digits 0-9)")
        if arch.image_shape[0] != arch.image_shape[1]:
            raise ValueError(f"its input is {arch.image_shape[0]}x{arch.image_shape[1]}; "
                             "drawings are square")
    except ValueError as error:
        return "error", f"This file was refused: {error}. The current model is unchanged."
    use_model(model, Origin("loaded from a model file", guess_framing(arch.image_shape)))
    return "success", (f"Loaded a model with {arch.n_kernels} kernels of {arch.kernel_size}x"
                       f"{arch.kernel_size} for {arch.image_shape[0]}x{arch.image_shape[1]} "
                       "images: it is now the current model.")


def on_upload(key: str) -> None:
    """Callback of the model uploader: install the file, remember what happened."""
    file = st.session_state.get(key)
    if file is not None:
        st.session_state[UPLOAD_MESSAGE] = install_uploaded_model(file.getvalue())


def confusion_counts(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Confusion matrix (n_classes, n_classes): [t, p] = how many of class t were called p."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(true), np.asarray(predicted)), 1)
    return counts


class Mistakes(NamedTuple):
    """Misclassified images (M, H, W) with their true and predicted labels (M,)."""

    images: np.ndarray
    true: np.ndarray
    predicted: np.ndarray


def mistakes(images: np.ndarray, true: np.ndarray, predicted: np.ndarray,
             limit: int = 24) -> Mistakes:
    """The first `limit` images whose prediction differs from the true label."""
    wrong = np.flatnonzero(np.asarray(true) != np.asarray(predicted))[:limit]
    return Mistakes(images[wrong], np.asarray(true)[wrong], np.asarray(predicted)[wrong])
