"""Choosing a kernel: a named one of the notes, a custom matrix, or a trained model's.

The choice is a KERNELS key, "custom" or "learned:<i>" (state.KERNEL_CHOICE when shared).
A custom kernel is typed as text cells read by cnn_core.number_text.parse_number, so a
student can also type "1/9" or "–1"; empty cells, text, NaN and infinity become a message
naming the cell instead of an exception.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

import numpy as np
import pandas as pd
import streamlit as st

from cnn_core import KERNEL_INFO, KERNELS
from cnn_core.network import ConvNet
from cnn_core.number_text import parse_number
from ui.session import state
from ui.session.models import Model, current_model, model_source

CUSTOM = "custom"
LEARNED = "learned:"
NONE_YET = "learned:none"
CUSTOM_SIZES = tuple(range(1, 8))
PRESETS = ("identity", "zeros", "random", *(k for k in KERNELS if k != "identity"))


class KernelPick(NamedTuple):
    """A resolved choice: the matrix (None when there is no usable one) and what to say."""

    choice: str
    label: str
    description: str
    kernel: np.ndarray | None
    error: str | None = None
    warning: str | None = None


def first_block_kernels(model: Model) -> np.ndarray | None:
    """A model's kernels that read the drawing itself, (K, k, k): a TinyCNN's "kernels", or
    a ConvNet's "block1.kernels" (C_out, 1, k, k) without its one input channel; None if it
    has none of that shape."""
    params = getattr(model, "params", {})
    kernels = params.get("block1.kernels") if isinstance(model, ConvNet) else params.get(
        "kernels")
    if kernels is None:
        return None
    kernels = np.asarray(kernels, dtype=np.float64)
    if kernels.ndim == 4 and kernels.shape[1] == 1:  # block 1 reads one (grey) channel
        kernels = kernels[:, 0]
    return kernels if kernels.ndim == 3 and kernels.shape[0] > 0 else None


def learned_kernels() -> np.ndarray | None:
    """The session's trained (or uploaded) network's first-block kernels (K, k, k), or None
    when this session has no network of its own (the shared default's are not offered)."""
    if model_source() == "default":  # (without loading the default network)
        return None
    return first_block_kernels(current_model())


def kernel_options(n_learned: int) -> list[str]:
    """Named kernels, then "custom", then "learned:0".. (or the "none yet" placeholder)."""
    learned = [f"{LEARNED}{i}" for i in range(n_learned)] or [NONE_YET]
    return [*KERNELS, CUSTOM, *learned]


def kernel_label(choice: str) -> str:
    """Display name of a choice: "Sobel vertical edges", "Learned kernel 2", ..."""
    if choice in KERNEL_INFO:
        return KERNEL_INFO[choice].name
    if choice == CUSTOM:
        return "Custom kernel (edit the matrix)"
    if choice == NONE_YET:
        return "Learned kernels: none yet (train a model first)"
    return f"Learned kernel {choice.removeprefix(LEARNED)}"


def parse_kernel_cells(rows: list[list[object]]) -> tuple[np.ndarray, str | None]:
    """Typed rows -> (kernel (k, k) float64, warning or None); ValueError naming bad cells."""
    problems, values = [], []
    for r, row in enumerate(rows):
        values.append([])
        for c, raw in enumerate(row):
            try:
                values[-1].append(parse_number(raw))
            except ValueError as error:
                problems.append(f"cell [{r}, {c}]: {error}")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ValueError("Custom kernel: " + "; ".join(problems[:3]) + more +
                         ". Type a number in every cell, like 2, −1, 0.5 or 1/9.")
    kernel = np.array(values, dtype=np.float64)
    warning = "Custom kernel is all zeros: the map will be all zeros." if not kernel.any() else None
    return kernel, warning


def preset_kernel(name: str, size: int) -> np.ndarray:
    """A starting matrix (size, size): identity, zeros, random, or a named 3x3 kernel
    centred in zeros (cropped to its centre for sizes 1 and 2)."""
    kernel = np.zeros((size, size))
    if name == "identity":
        kernel[size // 2, size // 2] = 1.0
    elif name == "random":
        kernel = np.round(np.random.default_rng().normal(0, 1, (size, size)), 1)
    elif name in KERNELS:
        big = np.zeros((max(size, 3),) * 2)
        start = (big.shape[0] - 3) // 2
        big[start:start + 3, start:start + 3] = KERNELS[name]
        crop = (big.shape[0] - size) // 2
        kernel = big[crop:crop + size, crop:crop + size].copy()
    return kernel


def kernel_select(key_prefix: str, *, shared: bool = True, label: str = "Kernel",
                  default: str = "notes_example", width: int | str = "stretch") -> str:
    """A selectbox over kernel_options(); shared=True keeps it in step with KERNEL_CHOICE."""
    learned = learned_kernels()
    options = kernel_options(0 if learned is None else learned.shape[0])
    key = f"{key_prefix}kernel"
    if shared:
        current = st.session_state[state.KERNEL_CHOICE]
        if current not in options:
            st.session_state[state.KERNEL_CHOICE] = current = default
        if st.session_state.get(key) not in (current, NONE_YET):
            st.session_state[key] = current
    elif st.session_state.get(key) not in options:
        st.session_state[key] = default

    def _store() -> None:
        if shared and st.session_state[key] != NONE_YET:
            st.session_state[state.KERNEL_CHOICE] = st.session_state[key]

    return st.selectbox(label, options, key=key, format_func=kernel_label, on_change=_store,
                        width=width)


def kernel_pick(choice: str, key_prefix: str, *, shared: bool = True) -> KernelPick:
    """Resolve a choice to its matrix; for "custom" this draws the matrix editor here.

    shared=False (a second, comparison kernel) keeps its custom kernel under its own key,
    starting from state.CUSTOM_KERNEL, so two editors never overwrite each other.
    """
    if choice in KERNELS:
        info = KERNEL_INFO[choice]
        return KernelPick(choice, info.name, info.description, np.array(KERNELS[choice]))
    if choice == CUSTOM:
        store = state.CUSTOM_KERNEL if shared else f"{key_prefix}custom_kernel"
        if store not in st.session_state:
            st.session_state[store] = np.array(st.session_state[state.CUSTOM_KERNEL])
        return _custom_editor(key_prefix, store)
    learned = learned_kernels()
    index = choice.removeprefix(LEARNED)
    if learned is None or not index.isdigit() or int(index) >= learned.shape[0]:
        return KernelPick(choice, kernel_label(NONE_YET), "", None,
                          warning="No trained model yet: train one on the Training page and "
                                  "its kernels appear in this list.")
    return KernelPick(choice, kernel_label(choice),
                      "Learned by training: nobody designed it, and it may have no name.",
                      learned[int(index)].copy())


def cell_text(value: float) -> str:
    """A kernel value as typed text that parses back exactly: "2", "-0.5", "0.0625", "1/9"."""
    text = repr(float(value)).removesuffix(".0")
    fraction = Fraction(float(value)).limit_denominator(100)
    if len(text) > 6 and float(fraction) == float(value):
        return str(fraction)
    return text


def _table(kernel: np.ndarray) -> pd.DataFrame:
    text = [[cell_text(v) for v in row] for row in kernel]
    return pd.DataFrame(text, columns=[str(c) for c in range(kernel.shape[1])], dtype="string")


def _custom_editor(key_prefix: str, store: str) -> KernelPick:
    """Size and preset selectors plus a text-cell matrix editor for the kernel in store."""
    version_key, base_key = f"{key_prefix}custom_version", f"{key_prefix}custom_base"
    size_key, preset_key = f"{key_prefix}custom_size", f"{key_prefix}custom_preset"
    version = st.session_state.setdefault(version_key, 0)
    editor_key = f"{key_prefix}custom_editor_{version}"
    kernel = np.asarray(st.session_state[store], dtype=np.float64)
    if editor_key not in st.session_state or base_key not in st.session_state:
        # a fresh editor (first time, new version, back from another page) shows the kernel
        st.session_state[base_key] = _table(kernel)
        st.session_state[size_key] = kernel.shape[0]

    def _restart(new_kernel: np.ndarray) -> None:
        st.session_state[store] = new_kernel
        st.session_state[base_key] = _table(new_kernel)
        st.session_state[version_key] += 1

    def _resize() -> None:
        old, size = st.session_state[store], st.session_state.get(size_key)
        if size not in CUSTOM_SIZES:  # no usable value (a message may omit it): keep it
            st.session_state[size_key] = old.shape[0]
            return
        new, n = np.zeros((size, size)), min(size, old.shape[0])
        a, b = (size - n) // 2, (old.shape[0] - n) // 2
        new[a:a + n, a:a + n] = old[b:b + n, b:b + n]
        _restart(new)

    def _preset() -> None:
        size = st.session_state.get(size_key)
        if st.session_state.get(preset_key) in PRESETS and size in CUSTOM_SIZES:
            _restart(preset_kernel(st.session_state[preset_key], size))
            st.session_state[preset_key] = None

    with st.container(horizontal=True, gap="medium", vertical_alignment="top"):
        with st.container(width=190, gap="small"):
            st.selectbox("Size", CUSTOM_SIZES, key=size_key, on_change=_resize,
                         format_func=lambda k: f"{k}×{k}")
            st.selectbox("Start from", PRESETS, key=preset_key, index=None, on_change=_preset,
                         placeholder="a preset…",
                         format_func=lambda p: KERNEL_INFO[p].name if p in KERNEL_INFO else p)
        columns = st.session_state[base_key].columns
        edited = st.data_editor(
            st.session_state[base_key], key=editor_key, num_rows="fixed", width="content",
            column_config={c: st.column_config.TextColumn(c, width=48) for c in columns})
    description = "Your own kernel: type a number in each cell (−1, 0.5 and 1/9 all work)."
    try:
        cells = [[None if pd.isna(v) else v for v in row] for row in edited.values.tolist()]
        kernel, warning = parse_kernel_cells(cells)
    except ValueError as error:
        return KernelPick(CUSTOM, "Custom kernel", description, None, error=str(error))
    st.session_state[store] = kernel
    return KernelPick(CUSTOM, "Custom kernel", description, kernel, warning=warning)
