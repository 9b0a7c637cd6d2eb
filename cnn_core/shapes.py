"""Checking inputs and computing output sizes, shared by every layer.

Every public function of the engine validates what it is given here, so a student's bad
input becomes a ValueError that names the problem instead of a silently wrong number.
"""

from __future__ import annotations

import numpy as np


def as_float_array(x: object, name: str, *, ndim: int | tuple[int, ...] | None = None,
                   dtype: type = np.float64) -> np.ndarray:
    """Return ``x`` as a finite float array, or raise ValueError saying what is wrong.

    ndim: the allowed number(s) of dimensions, or None for any.
    """
    try:
        array = np.asarray(x)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers ({error})") from None
    # dtype kinds, not np.issubdtype (a microsecond each): bool, ints, floats, complex and
    # timedelta are numbers; objects, strings, datetimes and records are not
    kind = array.dtype.kind
    if kind not in "biufcm":
        raise ValueError(f"{name} must contain only numbers, got values of type {array.dtype}")
    if kind == "c":
        raise ValueError(f"{name} must contain real numbers, not complex ones")
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and array.ndim not in allowed:
        wanted = " or ".join(f"{n}D" for n in allowed)
        raise ValueError(f"{name} must be {wanted}, got {array.ndim}D with shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    array = array.astype(dtype, copy=False)
    if np.count_nonzero(np.isfinite(array)) != array.size:  # cheaper than .all()
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def pair(value: object, name: str) -> tuple[int, int]:
    """Turn an int or a (first, second) pair into a tuple of two Python ints."""
    values = (value, value) if np.isscalar(value) else tuple(np.ravel(value).tolist())
    if len(values) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    out = []
    for v in values:
        if isinstance(v, bool) or not float(v).is_integer():
            raise ValueError(f"{name} must be whole numbers, got {value!r}")
        out.append(int(v))
    return out[0], out[1]


def check_padding_stride(padding: object, stride: object) -> tuple[tuple[int, int],
                                                                    tuple[int, int]]:
    """Validate padding (>= 0) and stride (>= 1), each an int or a pair."""
    pad = pair(padding, "padding")
    step = pair(stride, "stride")
    if min(pad) < 0:
        raise ValueError(f"padding must be 0 or more, got {padding!r}")
    if min(step) < 1:
        raise ValueError(f"stride must be 1 or more, got {stride!r}")
    return pad, step


def output_size(input_size: int, kernel_size: int, *, padding: int = 0, stride: int = 1) -> int:
    """Length of a convolution's output along one axis (the notes' formula, with floor).

    out = (S_f - S_g + 2P) // S + 1, for input S_f, kernel S_g, padding P, stride S.
    Raises ValueError when the kernel does not fit in the padded input.
    """
    return span_output_size(input_size, kernel_size, padding, padding, stride)


def span_output_size(input_size: int, kernel_size: int, pad_before: int, pad_after: int,
                     stride: int) -> int:
    """Like ``output_size`` with different padding on each side: (S_f - S_g + P_l + P_r)//S + 1."""
    for value, name in ((input_size, "input size"), (kernel_size, "kernel size")):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    for pad in (pad_before, pad_after):
        if isinstance(pad, bool) or int(pad) != pad or pad < 0:
            raise ValueError(f"padding must be a whole number, 0 or more, got "
                             f"{(pad_before, pad_after)!r}")
    if isinstance(stride, bool) or int(stride) != stride or stride < 1:
        raise ValueError(f"stride must be a whole number of at least 1, got {stride!r}")
    padded = int(input_size) + int(pad_before) + int(pad_after)
    if kernel_size > padded:
        raise ValueError(
            f"kernel of size {kernel_size} does not fit in the padded input of size {padded} "
            f"(input {input_size} + padding {pad_before}+{pad_after})"
        )
    return (padded - int(kernel_size)) // int(stride) + 1


def unused_inputs(input_size: int, kernel_size: int, *, padding: int = 0, stride: int = 1) -> int:
    """How many padded-input cells at the end are never read because the stride overshoots.

    unused = (S_f + 2P) - ((out - 1) * S + S_g)
    """
    out = output_size(input_size, kernel_size, padding=padding, stride=stride)
    return input_size + 2 * padding - ((out - 1) * stride + kernel_size)
