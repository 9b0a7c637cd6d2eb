"""One kernel cell's gradient written out term by term, and checked by finite differences.

dL/dg[m, n] = sum over the feature map (i, j) of x[i + m, j + n] * delta[i, j], with
delta = dL/d(feature map) from cnn_core.backprop.backprop_trace: the backprop page writes
this sum with the real numbers, and checks its total against (L(g + eps) - L(g - eps)) / 2eps.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .backprop import checked_image
from .explain import sum_sign
from .gradcheck import numerical_gradient
from .losses import check_labels
from .model import TinyCNN
from .number_text import number
from .shapes import as_float_array


class GradientTerm(NamedTuple):
    """One product of a kernel cell's gradient: input value × upstream gradient."""

    map_index: tuple[int, int]  # [i, j] in the feature map
    input_index: tuple[int, int]  # [i + m, j + n] in the input
    input_value: float
    upstream: float  # dL/d(feature map)[i, j]


class KernelGradientCell(NamedTuple):
    """dL/dg[m, n] and the terms it sums, one per feature-map cell, row-major."""

    kernel_index: tuple[int, int]
    terms: list[GradientTerm]
    value: float  # the sum, computed here independently of conv2d_backward

    def window(self) -> np.ndarray:
        """The input window the sum reads, x[m : m + h, n : n + w], as (h, w)."""
        h, w = (i + 1 for i in self.terms[-1].map_index)
        return np.array([t.input_value for t in self.terms]).reshape(h, w)


def kernel_gradient_cell(image: np.ndarray, d_feature_map: np.ndarray,
                         m: int, n: int) -> KernelGradientCell:
    """Explain dL/dg[m, n] for one kernel: image (H, W), d_feature_map (h, w) -> terms.

    dL/dg[m, n] = sum_i sum_j x[i + m, j + n] * delta[i, j], k = H - h + 1. The window of
    the input that the sum reads is x[m : m + h, n : n + w].
    """
    image = as_float_array(image, "image", ndim=2)
    delta = as_float_array(d_feature_map, "upstream gradient", ndim=2)
    k_h, k_w = image.shape[0] - delta.shape[0] + 1, image.shape[1] - delta.shape[1] + 1
    if min(k_h, k_w) < 1:
        raise ValueError(f"upstream gradient {delta.shape} is larger than the image {image.shape}")
    for value, size, name in ((m, k_h, "kernel row"), (n, k_w, "kernel column")):
        if isinstance(value, bool) or int(value) != value or not 0 <= value < size:
            raise ValueError(f"{name} {value!r} is outside 0..{size - 1}")
    m, n = int(m), int(n)
    terms = [GradientTerm((i, j), (i + m, j + n), float(image[i + m, j + n]),
                          float(delta[i, j]))
             for i in range(delta.shape[0]) for j in range(delta.shape[1])]
    return KernelGradientCell((m, n), terms, float(sum(t.input_value * t.upstream
                                                       for t in terms)))


def written_kernel_gradient(cell: KernelGradientCell, *, skip_zeros: bool = True,
                            digits: int = 4) -> str:
    """The sum as text: dL/dg(0,2) = (1×0.0123) + (1×−0.004) = 0.0083, [row, col]; "≈"
    instead of "=" before the total when the written terms do not add up to it (sum_sign).

    skip_zeros leaves out terms whose input or upstream gradient is exactly 0 (they add
    nothing) and says how many were left out.
    """
    shown = [t for t in cell.terms if not skip_zeros or (t.input_value and t.upstream)]

    def short(value: float) -> str:  # significant digits: gradients are often tiny
        return number(value, digits=digits)

    pairs = [(short(t.input_value), short(t.upstream)) for t in shown]
    products = " + ".join(f"({a}×{b})" for a, b in pairs)
    left_out = len(cell.terms) - len(shown)
    where = f"dL/dg({cell.kernel_index[0]},{cell.kernel_index[1]})"
    note = f"  [{left_out} terms with a zero factor left out]" if left_out else ""
    total = short(cell.value)
    return f"{where} = {products or '0'} {sum_sign(pairs, total, short)} {total}{note}"


def kernel_cell_finite_difference(model: TinyCNN, image: np.ndarray, label: int,
                                  kernel: int, m: int, n: int, eps: float = 1e-6) -> float:
    """dL/dg[kernel, m, n] by central differences: (L(g + eps) - L(g - eps)) / (2 eps)."""
    image = checked_image(model, image)
    labels = check_labels(label, model.arch.n_classes, count=1)
    count, k_h, k_w = model.params["kernels"].shape
    for value, size, name in ((kernel, count, "kernel"), (m, k_h, "kernel row"),
                              (n, k_w, "kernel column")):
        if isinstance(value, bool) or int(value) != value or not 0 <= value < size:
            raise ValueError(f"{name} {value!r} is outside 0..{size - 1}")
    probe = TinyCNN.from_params(model.params, model.arch.image_shape, model.arch.pool_size)

    def loss(value: np.ndarray) -> float:
        probe.params["kernels"][kernel, m, n] = value[0]
        return probe.loss_and_gradients(image[None], labels, train_kernels=False)[0]

    start = np.array([probe.params["kernels"][kernel, m, n]])
    return float(numerical_gradient(loss, start, eps=eps)[0])
