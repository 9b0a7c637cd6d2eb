"""An uploaded PNG or JPEG decoded (Pillow) into a drawing; the edits of a drawing are
cnn_core.drawing_edits (numpy only)."""

from __future__ import annotations

import io
import re

import numpy as np

from cnn_core.drawing_edits import image_to_grid


def _check_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    return int(size)


def decode_image_bytes(data: bytes, size: int, max_pixels: int = 4_000_000) -> np.ndarray:
    """Decode an uploaded PNG/JPEG into a (size, size) drawing via image_to_grid.

    The pixel count is checked from the header before any pixel is decoded (decompression
    bombs). Transparent pixels count as white paper; JPEG EXIF rotation is applied.
    """
    from PIL import Image, ImageOps

    size = _check_size(size)
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) == 0:
        raise ValueError("the uploaded file is empty")
    unreadable = "could not read the image (not a valid PNG or JPEG file)"
    try:
        im = Image.open(io.BytesIO(bytes(data)))
    except Image.DecompressionBombError as exc:  # Pillow's own cap, far above ours
        count = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(count.group(1)):,} pixels" if count else "too many pixels"
        raise ValueError(f"the image has {size}; the limit is {max_pixels:,}") from exc
    except Exception as exc:  # Pillow raises many types for garbage input; its text names
        raise ValueError(unreadable) from exc  # a Python object, which helps nobody
    with im:
        if im.format not in ("PNG", "JPEG"):
            raise ValueError(f"only PNG and JPEG images are supported, got {im.format}")
        w, h = im.size
        if w * h > max_pixels:
            raise ValueError(
                f"the image is {w}x{h} = {w * h:,} pixels; the limit is {max_pixels:,}"
            )
        try:
            im.load()
            im = ImageOps.exif_transpose(im)
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                rgba = im.convert("RGBA")
                im = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
            gray = np.asarray(im.convert("L"), dtype=np.float64)
        except Exception as exc:  # truncated or corrupt pixel data
            raise ValueError(f"{unreadable}: {exc}") from exc
    return image_to_grid(gray, size)
