"""Saving and loading a TinyCNN as .npz: plain arrays only, never pickled objects.

A file holds "kernels", "weights", "bias", "image_shape" and "pool_size". Loading checks the
file's size and the arrays' declared sizes before reading any data (a zip can claim little
and unpack to gigabytes), then keys, shapes and finiteness.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np

from .model import TinyCNN

FILE_KEYS = ("kernels", "weights", "bias", "image_shape", "pool_size")
MAX_FILE_BYTES = 5_000_000
MAX_ARRAY_BYTES = 20_000_000


def save_model(model: TinyCNN) -> bytes:
    """The model as .npz bytes (for a download button or a file)."""
    buffer = io.BytesIO()
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


def load_model(data: bytes) -> TinyCNN:
    """A TinyCNN from .npz bytes, or ValueError saying what is wrong with the file."""
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
