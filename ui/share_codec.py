"""Share links: the page's state as short query-string values, and back, safely.

Pure functions (no Streamlit), so they can be fuzzed. Decoding never raises on bad input:
every field that is missing or invalid falls back to its default, and a short notice says
which ones were ignored. Nothing decoded here is ever rendered as HTML.

Drawing format: "<n>.<kind>.<payload>" with n the grid size, kind "b" (ink only: one bit per
cell, packed) or "g" (grey levels: thousandths as 16-bit ints, zlib-compressed), payload in
base64url without padding. A 32x32 ink drawing takes 171 characters.
"""

from __future__ import annotations

import base64
import binascii
import math
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnn_core.drawing import GRID_SIZES
from cnn_core.number_text import MINUS_LOOKALIKES

MAX_VALUE_CHARS = 4096
MAX_KERNEL_SIZE = 7
MAX_KERNEL_ABS = 1000.0


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_drawing(grid: np.ndarray) -> str:
    """A square drawing (values 0..1, size in GRID_SIZES) as a short URL-safe string."""
    grid = np.asarray(grid, dtype=np.float64)
    n = grid.shape[0]
    if grid.ndim != 2 or grid.shape != (n, n) or n not in GRID_SIZES:
        raise ValueError(f"drawing must be square with size in {GRID_SIZES}, got {grid.shape}")
    if np.all((grid == 0) | (grid == 1)):
        return f"{n}.b.{_b64encode(np.packbits(grid.ravel().astype(np.uint8)).tobytes())}"
    thousandths = np.round(np.clip(grid, 0, 1) * 1000).astype("<u2")
    return f"{n}.g.{_b64encode(zlib.compress(thousandths.tobytes(), 9))}"


def decode_drawing(text: str) -> np.ndarray:
    """Inverse of encode_drawing; ValueError with a short reason for anything malformed."""
    if not isinstance(text, str) or len(text) > MAX_VALUE_CHARS:
        raise ValueError("drawing is too long")
    parts = text.split(".")
    if len(parts) != 3 or parts[0] not in {str(n) for n in GRID_SIZES} or parts[1] not in "bg" \
            or len(parts[1]) != 1:
        raise ValueError("drawing is not in the form size.kind.data")
    n, cells = int(parts[0]), int(parts[0]) ** 2
    try:
        raw = _b64decode(parts[2])
    except (binascii.Error, ValueError):
        raise ValueError("drawing data is not valid base64") from None
    if parts[1] == "b":
        if len(raw) != math.ceil(cells / 8):
            raise ValueError("drawing data has the wrong length")
        bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8))[:cells]
        return bits.reshape(n, n).astype(np.float64)
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, 2 * cells + 1)  # bounded: no decompression bomb
    except zlib.error:
        raise ValueError("drawing data is not valid compressed data") from None
    if len(data) != 2 * cells or inflater.unconsumed_tail:
        raise ValueError("drawing data has the wrong length")
    values = np.frombuffer(data, dtype="<u2").astype(np.float64) / 1000
    if values.max() > 1:
        raise ValueError("drawing values must be within 0..1")
    return values.reshape(n, n)


def encode_kernel(kernel: np.ndarray) -> str:
    """A small kernel as rows separated by "_" and values by "~" (shortest exact floats)."""
    kernel = np.asarray(kernel, dtype=np.float64)
    return "_".join("~".join(repr(float(v)) for v in row) for row in kernel)


def decode_kernel(text: str, max_size: int = MAX_KERNEL_SIZE,
                  max_abs: float = MAX_KERNEL_ABS) -> np.ndarray:
    """Inverse of encode_kernel: a rectangular, finite matrix up to max_size x max_size
    (7x7 for a kernel), |values| <= max_abs."""
    if not isinstance(text, str) or not text or len(text) > 24 * max_size ** 2:
        raise ValueError("matrix text is empty or too long")
    rows = [row.split("~") for row in text.split("_")]
    if len(rows) > max_size or any(len(r) != len(rows[0]) for r in rows) \
            or len(rows[0]) > max_size:
        raise ValueError(f"matrix must be rectangular and at most {max_size}x{max_size}")
    try:
        kernel = np.array([[float(v) for v in row] for row in rows])
    except ValueError:
        raise ValueError("matrix values must be numbers") from None
    if not np.all(np.isfinite(kernel)) or np.max(np.abs(kernel)) > max_abs:
        raise ValueError(f"matrix values must be finite and within ±{max_abs:g}")
    return kernel


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
