"""The backprop page's maps, as ui.widgets.map Map specs (pure: arrays in, specs out).

Gradients are often tiny (dL/dW of a confident network is 10⁻³ and less), so each map's
numbers get as many decimals as its largest value needs for three significant digits
(``fitted_decimals``), one decimal point for the whole map so that cells compare at a
glance: a cell coloured by its value is never written "0" (a cell that still rounds to 0
is under 0.5 % of the largest, too pale to see).
Map ids (what a click reports, and what tests read): "p", "dz", "input", "dW", "dpool", "dout{b}",
"relu", "drelu", "fmap", "delta", "window", "times_delta", "dkernel", "kernel", "dkernels".
"""

from __future__ import annotations

import math

import numpy as np

from ui.network.backprop_chain import BlockGradients, Chain
from ui.widgets.charts import Matrix, Tiles
from ui.widgets.map import Map, outlined_boxes

SIGNIFICANT = 3
MOST_DECIMALS = 8  # a confident network's dL/dW is 10⁻⁴ and less
FOLDED_FROM = 16  # dL/dW with more rows than this is drawn as one tile per digit
PICKED_KERNEL_MAPS = ("dkernel", "kernel")  # a click there picks the kernel cell
PICKED_TILES = "dkernels"  # a click there picks the output channel and the cell


def fitted_decimals(values: np.ndarray, least: int = 1) -> int:
    """Decimals that write the largest |value| with SIGNIFICANT significant digits:
    0.0123 -> 4 ("0.0123"), 2.5 -> 2, 150 -> 0 (at least ``least``, at most 8)."""
    finite = np.abs(np.asarray(values, dtype=np.float64))
    finite = finite[np.isfinite(finite)]
    largest = float(finite.max()) if finite.size else 0.0
    if largest == 0.0:
        return least
    needed = SIGNIFICANT - 1 - math.floor(math.log10(largest))
    return int(min(MOST_DECIMALS, max(least, needed, 0)))


def gradient_map(values: np.ndarray, title: str, map_id: str, **options) -> Map:
    """A signed map whose numbers show the significant digits (see fitted_decimals)."""
    return Map(values, title=title, id=map_id, kind="signed",
               decimals=fitted_decimals(values), **options)


def output_maps(chain: Chain) -> list[Map]:
    """p and dL/dz = p − y as two rows of ten cells, the true label outlined (maps, not
    plotly bars: two bar charts redrawn on every stroke were half the page's browser time)."""
    digits = np.arange(chain.probabilities.size)
    true = [(0, chain.label, 1, 1)]
    return [Map(chain.probabilities[None], title="p: each digit's probability (true label "
                "outlined)", id="p", kind="positive", boxes=true,
                decimals=fitted_decimals(chain.probabilities),
                table={"digit": digits, "probability": chain.probabilities}),
            gradient_map(chain.d_logits[None], "dL/dz = p − y", "dz", boxes=true,
                         table={"digit": digits, "dL/dz": chain.d_logits})]


def input_map(x: np.ndarray, title: str) -> Map:
    return Map(x, title=title, id="input", kind="ink", decimals=1)


def dense_maps(chain: Chain, channel: int) -> list[Map]:
    """dL/dW's rows that read one channel of the last block's pooled maps (P = ph pw rows,
    one column per digit), and the gradient folded back into that pooled map.

    Up to 16 rows (the notes' 2x2 pooled map) dL/dW is the (P, 10) matrix with its numbers;
    more rows are folded back into the pooled map's shape, one tile per digit d:
    pooled ⊗ (p_d − y_d), the same picture scaled by each digit's p − y.
    """
    rows = chain.dense_rows(channel)
    last = chain.blocks[-1]
    d_weights = chain.d_weights[rows]
    table = Matrix(d_weights, rows="flat", cols="digit", start=(rows.start, 0))
    title = f"dL/dW: k{channel}'s {d_weights.shape[0]} rows"
    if d_weights.shape[0] <= FOLDED_FROM:
        weights = gradient_map(d_weights, title, "dW", table=table)
    else:
        folded = d_weights.T.reshape(-1, *last.d_pooled.shape[1:])
        weights = gradient_map(folded, f"{title}, one tile per digit", "dW", table=table,
                               labels=[f"digit {d}" for d in range(len(folded))],
                               tile_columns=5)
    return [weights, gradient_map(last.d_pooled[channel], "dL/d(pooled map)", "dpool")]


def passed_back_maps(chain: Chain, block: int) -> list[Map]:
    """For a block before the last: dL/d(pooled maps) of that block and of each block
    between it and the last, as small multiples (each is the next block's dL/dinput)."""
    maps = []
    for later in range(len(chain.blocks), block, -1):
        d_input = chain.blocks[later - 1].d_input
        labels = [f"c{c}" for c in range(len(d_input))]
        maps.append(gradient_map(d_input, f"dL/d(block {later - 1} output) = dL/d(block "
                                 f"{later} input)", f"dout{later - 1}", labels=labels,
                                 numbers=False, tile_columns=min(8, len(d_input))))
    return maps


def routing_maps(block: BlockGradients, channel: int) -> list[Map]:
    """The ReLU output and its gradient, the cells max pooling picked outlined."""
    boxes = outlined_boxes(block.winners[channel]) if block.winners is not None else []
    title = "ReLU output (winners outlined)" if boxes else "ReLU output"
    return [Map(block.activations[channel], title=title, id="relu", kind="positive",
                decimals=fitted_decimals(block.activations[channel]), boxes=boxes),
            gradient_map(block.d_activations[channel], "dL/d(ReLU output)", "drelu",
                         boxes=boxes)]


def relu_maps(block: BlockGradients, channel: int) -> list[Map]:
    return [Map(block.feature_maps[channel], title="Feature map", id="fmap", kind="signed",
                decimals=fitted_decimals(block.feature_maps[channel])),
            gradient_map(block.d_feature_maps[channel], "δ = dL/d(feature map)", "delta")]


def kernel_maps(block: BlockGradients, channel: int, in_channel: int, window: np.ndarray,
                window_title: str, cell: tuple[int, int]) -> list[Map]:
    """The input cells a kernel cell touched, × δ, = dL/dkernel, and the kernel itself;
    the last two can be clicked to pick another cell (outlined)."""
    chosen = [(cell[0], cell[1], 1, 1)]
    name = f"k{channel}" + (f"[c{in_channel}]" if block.kernels.shape[1] > 1 else "")
    return [Map(window, title=window_title, id="window", kind="ink",
                decimals=fitted_decimals(window)),
            gradient_map(block.d_feature_maps[channel], "× δ", "times_delta"),
            gradient_map(block.d_kernels[channel, in_channel], f"= dL/dkernel {name}",
                         "dkernel", boxes=chosen, pick=True),
            Map(block.kernels[channel, in_channel], title=f"kernel {name} (click a cell)",
                id="kernel", kind="signed", pick=True, boxes=chosen,
                decimals=fitted_decimals(block.kernels[channel, in_channel]))]


def every_kernel_map(block: BlockGradients, in_channel: int, channel: int) -> Map:
    """dL/dkernel of every output channel (for one input channel) as small multiples;
    a click picks that channel's kernel and the cell."""
    grads = block.d_kernels[:, in_channel]
    labels = [f"k{o}" for o in range(len(grads))]
    return Map(grads, title=f"dL/dkernel of block {block.number}'s {len(grads)} kernels "
               f"(k{channel} followed; click a cell)", id=PICKED_TILES, kind="signed",
               labels=labels, tile_columns=min(8, len(grads)), pick=True,
               table=Tiles(grads, labels))
