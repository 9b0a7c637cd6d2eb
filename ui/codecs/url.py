"""Share links: a page's state as short query-string values, and back, safely: where the
URL is parsed (``decode_params``) and written (``encode_params``).

Pure functions (no Streamlit), so they can be fuzzed. Decoding never raises on bad input:
every field that is missing or invalid falls back to its default, and a short notice says
which ones were ignored. Nothing decoded here is ever rendered as HTML. A page lists its
fields (``int_field``, ``drawing_field``...); the drawing's and a matrix's own text formats
are ui.codecs.url_values; ui.session.share applies the values to the session."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnn_core.number_text import MINUS_LOOKALIKES
from ui.codecs.url_values import (
    MAX_KERNEL_ABS,
    MAX_VALUE_CHARS,
    decode_drawing,
    decode_kernel,
    encode_drawing,
    encode_kernel,
)


@dataclass(frozen=True)
class Field:
    """One shareable value: its query-string name, default, and text converters."""

    name: str
    default: Any
    parse: Callable[[str], Any]  # raises ValueError on bad text
    render: Callable[[Any], str] = str


def int_field(name: str, default: int, low: int, high: int) -> Field:
    """A whole number within [low, high]."""
    def parse(text: str) -> int:
        if len(text) > 12 or not text.lstrip("-").isdigit():
            raise ValueError("not a whole number")
        value = int(text)
        if not low <= value <= high:
            raise ValueError(f"outside {low}..{high}")
        return value
    return Field(name, default, parse)


def float_field(name: str, default: float, low: float, high: float) -> Field:
    """A finite number within [low, high]."""
    def parse(text: str) -> float:
        try:
            value = float(text[:32])
        except ValueError:
            raise ValueError("not a number") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"outside {low:g}..{high:g}")
        return value
    return Field(name, default, parse, lambda v: repr(float(v)))


def choice_field(name: str, default: str, choices: tuple[str, ...]) -> Field:
    """One of a fixed set of words."""
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError("unknown choice")
        return text
    return Field(name, default, parse)


def int_choice_field(name: str, default: int, choices: tuple[int, ...]) -> Field:
    """One of a fixed set of whole numbers (e.g. the batch sizes a slider offers)."""
    words = tuple(str(c) for c in choices)

    def parse(text: str) -> int:
        if text not in words:
            raise ValueError(f"not one of {', '.join(words)}")
        return int(text)
    return Field(name, default, parse)


def choice_list_field(name: str, default: list[str], choices: tuple[str, ...],
                      max_count: int = 16) -> Field:
    """A list of words from a fixed set (e.g. named kernels), written joined by dots."""
    def parse(text: str) -> list[str]:
        words = text.split(".") if text else []
        if len(words) > max_count or any(word not in choices for word in words):
            raise ValueError(f"not up to {max_count} known names")
        return words
    return Field(name, list(default), parse, ".".join)


def bool_field(name: str, default: bool) -> Field:
    """A yes/no flag written as 1/0."""
    def parse(text: str) -> bool:
        if text not in ("0", "1"):
            raise ValueError("not 0 or 1")
        return text == "1"
    return Field(name, default, parse, lambda v: "1" if v else "0")


def drawing_field(name: str, default: np.ndarray) -> Field:
    """The drawing, in encode_drawing's format."""
    return Field(name, default, decode_drawing, encode_drawing)


def kernel_field(name: str, default: np.ndarray) -> Field:
    """A custom kernel, in encode_kernel's format."""
    return Field(name, default, decode_kernel, encode_kernel)


def matrix_field(name: str, default: np.ndarray, max_size: int,
                 max_abs: float = MAX_KERNEL_ABS) -> Field:
    """A small matrix of numbers (a lesson's image or kernel), in encode_kernel's format."""
    return Field(name, default, lambda text: decode_kernel(text, max_size, max_abs),
                 encode_kernel)


# digits, point, exponent, fraction bar, signs (with every dash parse_number reads as a
# minus), separators
NUMBER_LIST_CHARS = frozenset("0123456789.eE+-/,; \t" + MINUS_LOOKALIKES)


def number_list_field(name: str, default: str, max_chars: int = 200) -> Field:
    """A typed list of numbers kept as the text the student typed ("1, 2, -3"). Only
    digits, signs, points, e, separators and spaces pass, so the text can hold no markup."""
    def parse(text: str) -> str:
        if len(text) > max_chars or not set(text) <= NUMBER_LIST_CHARS:
            raise ValueError("not a list of numbers")
        return text
    return Field(name, default, parse)


def decode_params(params: Mapping[str, Any],
                  fields: list[Field]) -> tuple[dict, dict[str, str]]:
    """Values for every field from query params: (values, {ignored param: reason}).

    A missing param takes its default silently; a present but invalid one takes its default
    and adds a notice naming the param (its value is not repeated back).
    """
    values, problems = {}, {}
    for field in fields:
        raw = params.get(field.name)
        if isinstance(raw, list | tuple):
            raw = raw[-1] if raw else None
        if raw is None:
            values[field.name] = field.default
            continue
        try:
            if not isinstance(raw, str) or len(raw) > MAX_VALUE_CHARS:
                raise ValueError("too long")
            values[field.name] = field.parse(raw)
        except (ValueError, TypeError, OverflowError) as error:
            values[field.name] = field.default
            problems[field.name] = str(error)
    return values, problems


def encode_params(values: Mapping[str, Any], fields: list[Field], *,
                  always: bool = False) -> dict[str, str]:
    """Query params for the given values; fields equal to their default are left out unless
    ``always`` (for pages whose defaults depend on other values)."""
    out = {}
    for field in fields:
        value = values.get(field.name, field.default)
        same = (np.array_equal(value, field.default) if isinstance(value, np.ndarray)
                else value == field.default)
        if always or not same:
            out[field.name] = field.render(value)
    return out


def architecture_field(name: str, default: tuple, *, max_blocks: int, max_channels: int,
                       kernel_sizes: tuple[int, ...], paddings: tuple[int, ...],
                       strides: tuple[int, ...], pool_sizes: tuple[int, ...],
                       pools: tuple[str, ...] = ("none", "max", "avg")) -> Field:
    """A network's blocks: (channels, kernel size, padding, stride, pool, pool size) per
    block, written "8.3.0.1.max.2-16.3.0.1.max.2" (blocks joined by "-"). Each number must
    be one the editor offers; whether the blocks fit the input is the page's check
    (cnn_core.network_spec), which says why when they do not."""
    def parse(text: str) -> tuple:
        parts = text.split("-")
        if not 1 <= len(parts) <= max_blocks:
            raise ValueError(f"not 1 to {max_blocks} blocks")
        blocks = []
        for part in parts:
            words = part.split(".")
            if len(words) != 6 or not all(w.isdigit() and len(w) <= 3
                                          for i, w in enumerate(words) if i != 4):
                raise ValueError("not channels.kernel.padding.stride.pool.size per block")
            channels, kernel, padding, stride, size = (int(w) for i, w in enumerate(words)
                                                      if i != 4)
            if not (1 <= channels <= max_channels and kernel in kernel_sizes
                    and padding in paddings and stride in strides and words[4] in pools
                    and size in pool_sizes):
                raise ValueError("a block setting outside what the editor offers")
            blocks.append((channels, kernel, padding, stride, words[4], size))
        return tuple(blocks)

    def render(blocks: tuple) -> str:
        return "-".join(".".join(str(v) for v in block) for block in blocks)
    return Field(name, tuple(default), parse, render)
