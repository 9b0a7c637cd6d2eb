"""What the monkey types, draws and uploads: odd text, numbers at and past a widget's edges,
drawings of every size with random ink, grid strokes and files.

Every function takes the walk's own random generator, so a seed replays the same inputs.
Each returns the value and a short description for the trail a human replays by hand.
"""

from __future__ import annotations

import io
import random

import numpy as np

GRID_SIZES = (5, 8, 16, 28, 32)
ODD_SIZES = (1, 2, 3, 4, 6, 7, 9, 12, 15, 17, 27, 29, 31, 33, 40, 64)
LONG_TEXT = 10_000  # characters: the "10,000 characters"

# Text a student (or a cat on the keyboard) might type into any box.
ODD_TEXTS = (
    "", " ", "\t", "1e400", "-1e400", "−1e400", "1e308", "-1e308", "1.7976931348623157e308",
    "1e-400", "4.9e-324", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "−", "−1", "−0.5",
    "--1", "+1", "1/0", "0/0", "1/9", "1/3", "-2/3", "1e", "e", ".", "-", "abc", "None", "null",
    "0x10", "1_000", "١", "３", "½", "1,2,3", "1, 2, 3, 4, 5", "1,,2", ",", ";", "1;2", "[1, 2]",
    "1 2 3", "  2  ", "😀", "<b>x</b>", "**x**", "$x$", "\\n", "0", "-0", "1e5", "99999999999",
)
# The issue's own list, drawn more often: numbers past a float's edges and empty-ish text.
EDGE_TEXTS = ("1e400", "-1e400", "−1e400", "1e308", "-1e308", "nan", "inf", "−", "", "1e-400")
NUMBER_FORMS = ("int", "decimal", "minus", "huge", "tiny", "fraction", "exponent")
INK_KINDS = ("empty", "full", "dots", "noise", "grey", "strokes", "blob", "frame", "checker",
             "near one", "faint")
BAD_INK = ("nan cell", "inf cell", "above one", "below zero", "rounding above one",
           "not square")


def odd_text(rng: random.Random) -> str:
    """One of ODD_TEXTS, a 10,000-character string, or a list of random numbers."""
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(("9", "1,", "a", "−")) * (LONG_TEXT // 2) + "1" * (LONG_TEXT // 2)
    if roll < 0.45:
        return number_list_text(rng)
    if roll < 0.7:
        return rng.choice(EDGE_TEXTS)
    return rng.choice(ODD_TEXTS)


def number_text(rng: random.Random) -> str:
    """A number as a student might type it: 3, 0.25, −2, 1e308, 1/9, 1e-7..."""
    form = rng.choice(NUMBER_FORMS)
    if form == "int":
        return str(rng.randint(-9, 9))
    if form == "decimal":
        return f"{rng.uniform(-5, 5):.{rng.randint(1, 4)}f}"
    if form == "minus":
        return f"−{rng.randint(0, 9)}"
    if form == "huge":
        return rng.choice(("1e308", "-1e308", "1e300", "9e307", "12345678901234567890",
                           "1e309", "-2e308", "1e999"))  # the last three: past a float
    if form == "tiny":
        return rng.choice(("1e-7", "1e-300", "5e-324", "-1e-12"))
    if form == "fraction":
        return f"{rng.randint(-3, 3)}/{rng.randint(1, 9)}"
    return f"{rng.randint(1, 9)}e{rng.randint(-5, 5)}"


def number_list_text(rng: random.Random) -> str:
    """A comma-separated list of 0 to 12 numbers (the 1D lesson's f and g boxes)."""
    count = rng.choice((0, 1, 1, 2, 3, 3, 5, 8, 12))
    separator = rng.choice((", ", ",", " , ", ", "))
    return separator.join(number_text(rng) for _ in range(count))


def cell_text(rng: random.Random) -> str:
    """What goes into one cell of a text table (the custom kernel): a number, one of the
    issue's edge texts (1e400, nan, −, empty...) or other odd text."""
    roll = rng.random()
    return number_text(rng) if roll < 0.35 else rng.choice(EDGE_TEXTS) if roll < 0.7 \
        else odd_text(rng)


def cell_number(rng: random.Random) -> float | None:
    """What a browser's number column can hold: finite numbers, huge ones, or empty (None)."""
    return rng.choice((None, 0.0, 1.0, -1.0, 0.5, 1e308, -1e308, 1e-300, 123456789.0,
                       float(rng.randint(-9, 9)), round(rng.uniform(-3, 3), 3)))


def number_near_edges(rng: random.Random, low: float | None, high: float | None, step: float,
                      *, past_edges: bool) -> tuple[float, str]:
    """A number input's value: at an edge, one step inside, random inside, or past an edge.

    Past an edge (past_edges=True) is what only a hand-made message sends: the browser
    refuses to send a number outside [low, high].
    """
    low = -1e6 if low is None else low
    high = 1e6 if high is None else high
    if past_edges:
        return rng.choice(((low - step, "one step below min"), (high + step, "one step above max"),
                           (-1e308, "-1e308"), (1e308, "1e308"), (high * 10 + 1, "far above max")))
    choices = [(low, "min"), (high, "max"), (min(high, low + step), "min + step"),
               (max(low, high - step), "max - step")]
    if low > 0 and high / low > 1e6:  # a learning rate: spread over the decades
        inside = low * (high / low) ** rng.random()
    else:
        inside = low + step * round(rng.random() * (high - low) / step)  # on the step grid
    choices.append((min(high, inside), "random inside"))
    return rng.choice(choices)


def drawing_size(rng: random.Random) -> int:
    """A grid size: mostly the app's five, sometimes an odd one the app must resample."""
    return rng.choice(ODD_SIZES) if rng.random() < 0.2 else rng.choice(GRID_SIZES)


def random_drawing(rng: random.Random, size: int) -> tuple[np.ndarray, str]:
    """A (size, size) drawing in [0, 1] with one kind of random ink; (drawing, description)."""
    kind = rng.choice(INK_KINDS)
    gen = np.random.default_rng(rng.getrandbits(32))
    grid = np.zeros((size, size))
    if kind == "full":
        grid[:] = 1.0
    elif kind == "dots":
        grid[gen.random((size, size)) < 0.1] = 1.0
    elif kind == "noise":
        grid = (gen.random((size, size)) < 0.5).astype(np.float64)
    elif kind == "grey":
        grid = np.round(gen.random((size, size)), 3)
    elif kind == "strokes":
        for _ in range(gen.integers(1, 4)):
            r0, c0, r1, c1 = gen.integers(0, size, 4)
            steps = max(abs(r1 - r0), abs(c1 - c0)) + 1
            grid[np.linspace(r0, r1, steps).round().astype(int),
                 np.linspace(c0, c1, steps).round().astype(int)] = 1.0
    elif kind == "blob":
        r, c = np.mgrid[:size, :size]
        centre, radius = gen.uniform(0, size, 2), gen.uniform(0.5, size / 2 + 0.5)
        grid[(r - centre[0]) ** 2 + (c - centre[1]) ** 2 <= radius ** 2] = 1.0
    elif kind == "frame":
        grid[[0, -1], :] = grid[:, [0, -1]] = 1.0
    elif kind == "checker":
        grid = (np.indices((size, size)).sum(axis=0) % 2).astype(np.float64)
    elif kind == "near one":
        grid = np.where(gen.random((size, size)) < 0.5, 1.0, 0.999)
    elif kind == "faint":
        grid = np.where(gen.random((size, size)) < 0.3, 1e-9, 0.0)
    return grid, f"{size}x{size} {kind}"


def bad_drawing(rng: random.Random) -> tuple[np.ndarray, str]:
    """A drawing no browser sends, planted in session state: NaN, out of range, not square."""
    kind = rng.choice(BAD_INK)
    size = rng.choice(GRID_SIZES)
    grid, _ = random_drawing(rng, size)
    r, c = rng.randrange(size), rng.randrange(size)
    if kind == "nan cell":
        grid[r, c] = np.nan
    elif kind == "inf cell":
        grid[r, c] = rng.choice((np.inf, -np.inf))
    elif kind == "above one":
        grid[r, c] = 2.0
    elif kind == "below zero":
        grid[r, c] = -1.0
    elif kind == "rounding above one":
        grid[r, c] = 1.0000000000000009
    else:
        grid = np.zeros((size, rng.choice([s for s in GRID_SIZES if s != size])))
    return grid, f"{grid.shape[0]}x{grid.shape[1]} {kind} at [{r}, {c}]"


def grid_text(grid: np.ndarray) -> str:
    """The grid component's stroke payload text: row-major values, 3 decimals at most."""
    return ",".join(f"{v:.3f}".rstrip("0").rstrip(".") for v in np.asarray(grid).ravel())


def png_file(rng: random.Random) -> tuple[str, bytes, str, str]:
    """An image upload: (name, bytes, mime type, description); some are not images at all."""
    from PIL import Image  # only the upload action needs Pillow

    kind = rng.choice(("png", "png", "jpeg", "tiny", "wide", "empty", "garbage", "truncated"))
    width, height = {"tiny": (1, 1), "wide": (300, 7)}.get(
        kind, (rng.randint(2, 120), rng.randint(2, 120)))
    pixels = np.random.default_rng(rng.getrandbits(32)).integers(0, 256, (height, width))
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, "JPEG" if kind == "jpeg" else "PNG")
    data = {"empty": b"", "garbage": bytes(rng.getrandbits(8) for _ in range(64)),
            "truncated": buffer.getvalue()[:40]}.get(kind, buffer.getvalue())
    name = "drawing.jpg" if kind == "jpeg" else "drawing.png"
    return name, data, "image/jpeg" if kind == "jpeg" else "image/png", f"{kind} {width}x{height}"


def model_file(rng: random.Random) -> tuple[str, bytes, str, str]:
    """A model upload (.npz): a small random network, its bytes cut short, or not a model."""
    from cnn_core import TinyCNN
    from cnn_core.model_io import save_model

    kind = rng.choice(("model", "model", "truncated", "empty", "garbage"))
    size = rng.choice((5, 8, 16, 28))
    model = TinyCNN(n_kernels=rng.randint(1, 16), kernel_size=rng.choice((2, 3, 5)),
                    image_shape=(size, size), seed=rng.randint(0, 99))
    data = save_model(model)
    data = {"truncated": data[: len(data) // 2], "empty": b"",
            "garbage": bytes(rng.getrandbits(8) for _ in range(200))}.get(kind, data)
    return "model.npz", data, "application/octet-stream", f"{kind} ({size}x{size} input)"
