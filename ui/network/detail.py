"""The Forward pass's detail view, in the spirit of CNN Explainer: one output map of one block
taken apart. Its C_in kernels, each input channel's contribution (that channel correlated
with its kernel, cnn_core.network_trace.channel_contributions), and their sum plus the bias,
which is the output map; then one cell's arithmetic written out, channel by channel.

map[o](i, j) = Σ_c Σ_{m,n} x_pad[c](i·S + m, j·S + n) · g[o, c](m, n) + b[o]
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core.explain import conv2d_cell, sum_sign, written_sum
from cnn_core.network import ConvNet
from cnn_core.network_trace import channel_contributions, network_trace
from cnn_core.number_text import number
from ui.network.walk import BLOCK_KEY, CHANNEL_KEY, COL_KEY, DETAIL_KEY, ROW_KEY, tile_columns
from ui.session.share import forget_if_not_below
from ui.widgets.map import Map, map_view
from ui.widgets.map.component import Picked

ANCHOR = "inside-one-map"
NUMBERED_UP_TO = 8  # input and contribution tiles at most this wide get their numbers


def _pick_cell(cell: Picked) -> None:
    """map_view callback: a cell of the output map picked -> its arithmetic is written."""
    st.session_state[ROW_KEY], st.session_state[COL_KEY] = cell.row, cell.col


def chosen(key: str, count: int) -> int:
    """A stored index kept inside 0..count-1 (a link or a bigger network may leave it out)."""
    value = st.session_state.get(key)
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        return 0
    return int(min(max(value, 0), count - 1))


def window_box(row: int, col: int, size: int, stride: int, padding: int,
               shape: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The part of the input window of output cell [row, col] that lies inside the input
    (row, col, height, width), None if it lies wholly in the padding."""
    top, left = row * stride - padding, col * stride - padding
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + size, shape[0]), min(left + size, shape[1])
    return (r0, c0, r1 - r0, c1 - c0) if r1 > r0 and c1 > c0 else None


def cell_lines(block_input: np.ndarray, kernels: np.ndarray, parts: np.ndarray, bias: float,
               row: int, col: int, padding: int, stride: int, channel: int) -> list[str]:
    """The cell's sum written out: one line per input channel (its window's products, by
    cnn_core.explain), then the channels' parts plus the bias."""
    lines = []
    for c in range(len(parts)):
        explained = conv2d_cell(block_input[c], kernels[c], row, col, padding=padding,
                                stride=stride)
        lines.append(written_sum(explained, name=f"part{c}"))
    texts = [number(float(p)) for p in parts[:, row, col]]
    bias_text = number(bias)
    total = number(float(parts[:, row, col].sum() + bias))
    pairs = [(t, "1") for t in (*texts, bias_text)]
    added = " + ".join(f"({t})" if t.startswith("\u2212") else t for t in texts)
    lines.append(f"map k{channel}({row},{col}) = {added} + bias {bias_text} "
                 f"{sum_sign(pairs, total)} {total}")
    return lines


def show_detail(network: ConvNet, image: np.ndarray, label: int, presenter: bool, *,
                behind_toggle: bool = True) -> None:
    """Pick a block and one of its output maps (select boxes, or a click on a tile above),
    then see its kernels, contributions, their sum plus the bias, and one cell's sum.

    ``behind_toggle``: shown only while its toggle is on (a click on a tile turns it on).
    Open, it is about a fifth of what a stroke costs the browser on this page (its maps,
    select boxes and written sums), so it stays closed while a student draws."""
    blocks = network.spec.blocks
    st.subheader("Inside one output map", anchor=ANCHOR)
    if behind_toggle and not st.toggle("Take one output map apart", key=DETAIL_KEY,
                     help="Its kernels, each input channel's part, and one cell's sum, "
                          "redrawn on every stroke while this is on."):
        st.caption("Click a tile of a block above (or turn this on) to see how one output "
                   "map adds up: one kernel per input channel, plus the bias.")
        return
    st.markdown("An output map of a block adds up one kernel per input channel: each input "
                "channel is correlated with its own kernel, and the parts are summed with "
                "the map's bias. Pick a block and a map (or click a tile above), then click a "
                "cell of the output map to see its sum.")
    forget_if_not_below(BLOCK_KEY, len(blocks) + 1, low=1)
    left, right = st.columns(2)
    block = left.selectbox("Block", range(1, len(blocks) + 1), key=BLOCK_KEY,
                           format_func=lambda b: f"block {b}")
    spec = blocks[block - 1]
    forget_if_not_below(CHANNEL_KEY, spec.channels)
    channel = right.selectbox("Output map", range(spec.channels), key=CHANNEL_KEY,
                              format_func=lambda k: f"k{k}")
    trace = network_trace(network, image, label)
    seen = trace.blocks[block - 1]
    parts = channel_contributions(network, trace, block, channel)
    kernels = network.params[f"block{block}.kernels"][channel]
    bias_name = f"block{block}.bias"
    bias = float(network.params[bias_name][channel]) if bias_name in network.params else 0.0
    output = seen.feature_maps[channel]
    if ROW_KEY in st.session_state:
        row, col = chosen(ROW_KEY, output.shape[0]), chosen(COL_KEY, output.shape[1])
    else:  # until a cell is picked: the map's strongest cell, whose sum says the most
        row, col = (int(i) for i in np.unravel_index(np.argmax(np.abs(output)), output.shape))
    c_in, k = kernels.shape[0], spec.kernel_size
    window = window_box(row, col, k, spec.stride, spec.padding, seen.input.shape[1:])
    labels = [f"c{c}" for c in range(c_in)]
    what = "the image" if block == 1 else f"block {block - 1}'s pooled maps"
    st.caption(f"Block {block} reads {what}: {c_in} channel{'s' if c_in > 1 else ''} of "
               f"{seen.input.shape[1]}×{seen.input.shape[2]}; kernels {c_in}×{k}×{k} for "
               f"each of its {spec.channels} output maps; padding {spec.padding}, stride "
               f"{spec.stride}.")
    small = seen.input.shape[-1] <= NUMBERED_UP_TO
    columns = tile_columns(c_in)
    wide = c_in > 2  # many channels: each stack gets the page's width, kernels 4 to a row
    map_view([
        Map(seen.input, title=f"Input channels ({what})", id="detail-input",
            kind="ink" if block == 1 else "positive", labels=labels, tile_columns=columns,
            numbers=small, boxes=[window] if window else ()),
        Map(kernels, title=f"Kernels g[k{channel}, c]", id="detail-kernels", kind="signed",
            labels=labels, tile_columns=min(c_in, 4), numbers=True),
        Map(parts, title="Each channel's part: x[c] ⋆ g[k, c]", id="detail-parts",
            kind="signed", labels=labels, tile_columns=columns,
            numbers=output.shape[-1] <= NUMBERED_UP_TO, boxes=[(row, col, 1, 1)]),
        Map(output, title=f"Sum + bias ({number(bias)}) = map k{channel}", id="detail-output",
            kind="signed", pick=True, boxes=[(row, col, 1, 1)]),
    ], key="forward_detail_maps", columns=1 if wide else 2, presenter=presenter,
        on_select=_pick_cell)
    st.markdown(f"**Cell ({row},{col}) of map k{channel}**: its channels' parts plus the "
                "bias (click another cell of the output map to change it):")
    lines = cell_lines(seen.input, kernels, parts, bias, row, col, spec.padding, spec.stride,
                       channel)
    st.code(lines[-1], language=None, wrap_lines=True)
    with st.expander(f"Each part: the window of each input channel times its kernel "
                     f"({c_in} sum{'s' if c_in > 1 else ''} of {k * k} products)",
                     expanded=c_in <= 2):
        st.code("\n".join(lines[:-1]), language=None, wrap_lines=True)
