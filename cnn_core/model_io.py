"""Saving and loading models as .npz: plain arrays only, never pickled objects.

Two kinds of file. A TinyCNN file (the first format, still written for a TinyCNN) holds
"kernels", "weights", "bias", "image_shape" and "pool_size". A ConvNet file holds
"format_version" ([2]), its architecture as integers ("input_shape" [H, W],
"n_classes" [C], "blocks" one row per block: BLOCK_COLUMNS) and its params under their own
names ("block1.kernels", ..., "dense.bias"). Loading checks the file's size and the arrays'
declared sizes before reading any data (a zip can claim little and unpack to gigabytes),
then keys, the architecture, shapes and finiteness.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np

from .model import TinyCNN
from .network import ConvNet
from .network_spec import BlockSpec, NetworkSpec

FILE_KEYS = ("kernels", "weights", "bias", "image_shape", "pool_size")
FORMAT_VERSION = 2
ARCHITECTURE_KEYS = ("format_version", "input_shape", "n_classes", "blocks")
BLOCK_COLUMNS = ("channels", "kernel_size", "padding", "stride", "pool", "pool_size", "bias")
POOL_CODES = ("none", "max", "avg")  # the "pool" column: 0, 1, 2
MAX_FILE_BYTES = 5_000_000
MAX_ARRAY_BYTES = 20_000_000


def save_model(model: TinyCNN | ConvNet) -> bytes:
    """The model as .npz bytes (for a download button or a file)."""
    buffer = io.BytesIO()
    if isinstance(model, ConvNet):
        spec = model.spec
        blocks = [[b.channels, b.kernel_size, b.padding, b.stride, POOL_CODES.index(b.pool),
                   b.pool_size, int(b.bias)] for b in spec.blocks]
        np.savez(buffer, **model.params, format_version=np.array([FORMAT_VERSION]),
                 input_shape=np.array(spec.input_shape), n_classes=np.array([spec.n_classes]),
                 blocks=np.array(blocks, dtype=np.int64))
    else:
        np.savez(buffer, **model.params, image_shape=np.array(model.arch.image_shape),
                 pool_size=np.array([model.arch.pool_size]))
    return buffer.getvalue()


def _check_members(data: bytes) -> None:
    """Refuse oversized or non-numeric arrays from their headers, before any is built."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        unpacked = sum(info.file_size for info in infos)
        if unpacked > MAX_ARRAY_BYTES:
            raise ValueError(f"model file unpacks to {unpacked:,} bytes; the limit is "
                             f"{MAX_ARRAY_BYTES:,}")
        for info in infos:
            with archive.open(info) as member:
                major, _ = np.lib.format.read_magic(member)
                read_header = (np.lib.format.read_array_header_1_0 if major == 1
                               else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(member)
            if dtype.hasobject:
                raise ValueError("model file contains pickled objects, which are refused")
            if not np.issubdtype(dtype, np.number):
                raise ValueError(f"model file array {info.filename!r} must contain only "
                                 f"numbers, not {dtype}")
            if int(np.prod(shape, dtype=np.float64)) * dtype.itemsize > MAX_ARRAY_BYTES:
                raise ValueError(f"model file array {info.filename!r} declares shape {shape}, "
                                 "far too large")


def load_model(data: bytes) -> TinyCNN | ConvNet:
    """A TinyCNN or a ConvNet from .npz bytes, or ValueError saying what is wrong with the
    file. Files without "format_version" are TinyCNN files."""
    if not isinstance(data, bytes | bytearray):
        raise ValueError("a model file must be given as bytes")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"model file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}")
    if not bytes(data[:4]) == b"PK\x03\x04":  # zip allows leading bytes; we do not
        raise ValueError("not a readable .npz model file (it does not start like a zip archive)")
    try:
        _check_members(data)
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            keys = sorted(archive.files)
            if "format_version" in keys:
                return _convnet(archive)
            if keys != sorted(FILE_KEYS):
                raise ValueError(f"model file must hold exactly {', '.join(FILE_KEYS)}; "
                                 f"it holds {', '.join(keys) or 'nothing'}")
            arrays = {key: archive[key] for key in FILE_KEYS}
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"not a readable .npz model file ({error})") from None
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise ValueError("model file contains pickled objects, which are refused") from None
        raise
    image_shape, pool_size = arrays["image_shape"], arrays["pool_size"]
    if image_shape.shape != (2,) or pool_size.shape != (1,) \
            or not np.issubdtype(image_shape.dtype, np.integer) \
            or not np.issubdtype(pool_size.dtype, np.integer):
        raise ValueError("model file's image_shape must be 2 integers and pool_size 1 integer")
    if not (1 <= image_shape.min() and image_shape.max() <= 64 and 1 <= pool_size[0] <= 8):
        raise ValueError(f"model file's image_shape {image_shape.tolist()} or pool size "
                         f"{pool_size.tolist()} is out of range")
    return TinyCNN.from_params(arrays, tuple(int(n) for n in image_shape), int(pool_size[0]))


def _integers(archive, key: str, shape: tuple[int | None, ...]) -> np.ndarray:
    """An integer array of the architecture, its shape checked (None: any length)."""
    value = archive[key]
    if not np.issubdtype(value.dtype, np.integer) or value.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(value.shape, shape,
                                                                     strict=True)):
        wanted = " x ".join("any" if n is None else str(n) for n in shape)
        raise ValueError(f"model file's {key} must be integers of shape {wanted}, got "
                         f"{value.dtype} of shape {value.shape}")
    return value


def _convnet(archive) -> ConvNet:
    """A ConvNet from an open archive that holds "format_version"."""
    missing = [key for key in ARCHITECTURE_KEYS if key not in archive.files]
    if missing:
        raise ValueError(f"model file has a format version but no {', '.join(missing)}: a "
                         f"ConvNet file holds {', '.join(ARCHITECTURE_KEYS)} and the params")
    version = _integers(archive, "format_version", (1,))[0]
    if version != FORMAT_VERSION:
        raise ValueError(f"model file has format version {version}; this app reads version "
                         f"{FORMAT_VERSION}")
    input_shape = _integers(archive, "input_shape", (2,))
    n_classes = _integers(archive, "n_classes", (1,))[0]
    rows = _integers(archive, "blocks", (None, len(BLOCK_COLUMNS)))
    blocks = []
    for number, row in enumerate(rows.tolist(), start=1):
        values = dict(zip(BLOCK_COLUMNS, row, strict=True))
        if values["pool"] not in range(len(POOL_CODES)) or values["bias"] not in (0, 1):
            raise ValueError(f"model file's block {number} has pool code {values['pool']} "
                             f"(0 none, 1 max, 2 avg) and bias {values['bias']} (0 or 1)")
        values["pool"], values["bias"] = POOL_CODES[values["pool"]], bool(values["bias"])
        blocks.append(BlockSpec(**values))
    spec = NetworkSpec(tuple(input_shape.tolist()), tuple(blocks), int(n_classes))
    try:
        expected = spec.param_shapes()
    except ValueError as error:
        raise ValueError(f"model file's architecture is impossible: {error}") from None
    keys = sorted(archive.files)
    if keys != sorted([*ARCHITECTURE_KEYS, *expected]):
        raise ValueError(f"model file must hold exactly {', '.join(ARCHITECTURE_KEYS)}, "
                         f"{', '.join(expected)}; it holds {', '.join(keys)}")
    return ConvNet.from_params(spec, {name: archive[name] for name in expected})
