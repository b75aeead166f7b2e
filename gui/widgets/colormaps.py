"""Colour maps and level ranges shared by the panels.

Signed quantities (deltas, gradients, tanh and linear activations) use a diverging map centred at 0
with a symmetric range, so white means zero and the colour's hue gives the sign (blue negative, red
positive). Probabilities and other one-signed quantities use viridis. Cells not yet computed at the
cursor are NaN, which the image leaves transparent over a grey background (``BLANK``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike, NDArray
from PySide6.QtGui import QImage

#: ColorBrewer RdBu, from strongly negative (blue) through white to strongly positive (red)
_RDBU = (
    "#053061",
    "#2166ac",
    "#4393c3",
    "#92c5de",
    "#d1e5f0",
    "#f7f7f7",
    "#fddbc7",
    "#f4a582",
    "#d6604d",
    "#b2182b",
    "#67001f",
)

#: the background shown through NaN cells: "not yet computed at the cursor"
BLANK = "#bdbdbd"
#: the colour of the cursor's time-step marker
CURSOR = "#ff8c00"
#: text and axis colour
INK = "#202020"


#: the image format that the raster engine draws fastest: 32-bit premultiplied ARGB, its own. A
#: scaled ``drawImage`` of an RGBA8888 image converts every pixel and is about ten times slower.
ARGB32 = QImage.Format.Format_ARGB32_Premultiplied


def to_argb32(rgba: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """RGBA bytes (..., 4) as the bytes of premultiplied ARGB32 pixels (:data:`ARGB32`).

    Each pixel is the native uint32 ``A << 24 | R' << 16 | G' << 8 | B'`` with the colour
    premultiplied by alpha, ``R' = round(R · A / 255)``; returned as uint8 (..., 4).
    """
    c = np.asarray(rgba, dtype=np.uint32)
    a = c[..., 3]
    r, g, b = ((c[..., i] * a + 127) // 255 for i in range(3))
    pixels = (a << 24) | (r << 16) | (g << 8) | b
    return np.ascontiguousarray(pixels, dtype=np.uint32).view(np.uint8).reshape(c.shape)


def diverging() -> pg.ColorMap:
    """Blue - white - red, for signed values on a symmetric range."""
    return pg.ColorMap(np.linspace(0.0, 1.0, len(_RDBU)), list(_RDBU), name="RdBu")


def sequential() -> pg.ColorMap:
    """Viridis, for one-signed values such as probabilities."""
    return pg.colormap.get("viridis")


def symmetric_levels(*arrays: ArrayLike) -> tuple[float, float]:
    """(-m, m) with m the largest magnitude in the arrays (1 when all are zero or empty)."""
    peak = max((float(np.max(np.abs(a))) for a in arrays if np.size(a)), default=0.0)
    peak = peak if np.isfinite(peak) and peak > 0 else 1.0
    return -peak, peak


def value_levels(*arrays: ArrayLike) -> tuple[float, float]:
    """(min, max) over the arrays, widened to a non-empty range."""
    sizes = [np.asarray(a) for a in arrays if np.size(a)]
    if not sizes:
        return 0.0, 1.0
    lo = min(float(np.min(a)) for a in sizes)
    hi = max(float(np.max(a)) for a in sizes)
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def activation_scale(kind: str, h: ArrayLike) -> tuple[pg.ColorMap, tuple[float, float]]:
    """The colour map and range of a hidden activation: its natural range where it has one.

    tanh: [-1, 1] diverging; logistic: [0, 1] sequential; relu: [0, max] sequential;
    linear: symmetric diverging.
    """
    if kind == "tanh":
        return diverging(), (-1.0, 1.0)
    if kind == "logistic":
        return sequential(), (0.0, 1.0)
    if kind == "relu":
        return sequential(), (0.0, max(float(np.max(h)), 1e-12))
    return diverging(), symmetric_levels(h)


def output_scale(kind: str, *arrays: ArrayLike) -> tuple[pg.ColorMap, tuple[float, float]]:
    """The colour map and range of outputs and targets: [0, 1] for probabilities."""
    if kind in ("softmax", "logistic"):
        lo, hi = value_levels(*arrays)
        return sequential(), (min(0.0, lo), max(1.0, hi))
    return diverging(), symmetric_levels(*arrays)
