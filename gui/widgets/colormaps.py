"""The Qt side of :mod:`gui.encoding`: its colour tables as pixels, QColors and QBrushes.

Every value colour on screen comes from :mod:`gui.encoding` (one diverging map, red positive,
blue negative, a grey for "not known yet"); this module only converts its RGBA tables, once per
table, into what Qt draws fastest - premultiplied ARGB32 pixels for the painted heatmaps, brushes
for squares and disks - so a cursor step is an index into a kept table. Beside them: the ink and
cursor colours of the panels, and the sequential map of the gradient flow's log-norms (a
magnitude on a log scale, which has no sign).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike, NDArray
from PySide6.QtGui import QBrush, QColor, QImage

from gui.encoding import UNKNOWN_HEX, Encoding, colour_table

#: the colour of a cell not yet computed at the cursor (the encoding's unknown grey)
BLANK = UNKNOWN_HEX
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


def qcolor(rgba: NDArray[np.uint8] | tuple[int, ...]) -> QColor:
    """An RGBA row of an encoding's table as a QColor."""
    r, g, b, a = (int(c) for c in rgba)
    return QColor(r, g, b, a)


@lru_cache(maxsize=4)
def table_pixels(gamma: float) -> NDArray[np.uint32]:
    """:func:`gui.encoding.colour_table` (gamma) as ARGB32 pixels, one uint32 per row, read-only
    (indexing whole pixels is far faster than their bytes)."""
    pixels = to_argb32(colour_table(gamma)).view(np.uint32).ravel()
    pixels.setflags(write=False)
    return pixels


def encoded_pixels(enc: Encoding, values: ArrayLike) -> NDArray[np.uint32]:
    """The ARGB32 pixel of every value, shaped like ``values`` (the unknown grey where NaN)."""
    return table_pixels(enc.gamma)[enc.index(values)]


def bar_pixels(enc: Encoding, n: int | None = None) -> NDArray[np.uint32]:
    """The encoding's colour bar (:meth:`gui.encoding.Encoding.bar`) as ARGB32 pixels, its low
    end first: ``n`` pixels whose ends are exactly the colours of the bar's ends (draw them one
    to one, a pixel per value), or the table's rows."""
    return np.ascontiguousarray(to_argb32(enc.bar(n)).view(np.uint32).ravel())


@lru_cache(maxsize=4)
def table_brushes(gamma: float) -> NDArray[np.object_]:
    """One QBrush per row of :func:`gui.encoding.colour_table` (gamma), as an object array, so
    that ``table_brushes(enc.gamma)[enc.index(values)]`` gives every mark's brush at once."""
    out = np.empty(len(colour_table(gamma)), dtype=object)
    for i, row in enumerate(colour_table(gamma)):
        out[i] = QBrush(qcolor(row))
    return out


def sign_colours(enc: Encoding) -> tuple[QColor, QColor]:
    """(positive, negative): the colours of +m and -m, the ends of the encoding's map."""
    return qcolor(enc.colour(enc.magnitude)), qcolor(enc.colour(-enc.magnitude))


def sequential() -> pg.ColorMap:
    """Viridis, for the gradient flow's log-norms (a magnitude without sign)."""
    return pg.colormap.get("viridis")
