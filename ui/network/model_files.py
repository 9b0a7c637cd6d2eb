"""The training page's model files: the upload of a model (.npz) that becomes the session's
model (its tallies of the test set are cnn_core.results)."""

from __future__ import annotations

import streamlit as st

from cnn_core.model_io import load_model
from cnn_core.stages import spec_of
from ui.session.models import Origin, guess_framing, shape_text, use_model

UPLOAD_MESSAGE = "training_upload_message"  # ("success" | "error", text) after an upload


def install_uploaded_model(data: bytes) -> tuple[str, str]:
    """Make an uploaded .npz the session's model, or refuse it and keep the current one.

    Returns ("success" | "error", message). The file must load (cnn_core.model_io checks
    it) and be a digit classifier this app can feed: the notes' TinyCNN or a ConvNet of 1-3
    blocks, 10 classes, a square input. Drawings are framed for it as
    ui.session.models.guess_framing says.
    """
    try:
        model = load_model(data)
        spec = spec_of(model)
        if spec.n_classes != 10:
            raise ValueError(f"it has {spec.n_classes} classes; this app needs 10 (digits 0-9)")
        height, width = spec.input_shape
        if height != width:
            raise ValueError(f"its input is {height}x{width}; drawings are square")
    except ValueError as error:
        return "error", f"This file was refused: {error}. The current model is unchanged."
    use_model(model, Origin("loaded from a model file", guess_framing(spec.input_shape)))
    return "success", (f"Loaded a model ({shape_text(model)}): it is now the current "
                       "model.")


def on_upload(key: str) -> None:
    """Callback of the model uploader: install the file, remember what happened."""
    file = st.session_state.get(key)
    if file is not None:
        st.session_state[UPLOAD_MESSAGE] = install_uploaded_model(file.getvalue())
