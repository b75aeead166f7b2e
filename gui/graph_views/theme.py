"""The graph views' colours: the palette's for the frame, :mod:`gui.encoding`'s for the values.

Background, text and greys follow the widget's palette, so the views read on dark and light.
Values - node fills, edge colours, legend bars - are never the palette's: they are
:mod:`gui.encoding`'s RGBA tables turned into Qt objects here, the same colours as the heatmaps,
the matrix grids and the Hinton diagrams. A table's brushes are made once per gamma and kept, so a
cursor step is an integer index operation on numpy arrays and never creates colours one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from PySide6.QtGui import QColor, QPalette

from gui.encoding import UNKNOWN_RGBA, Encoding, colour_table
from gui.widgets.colormaps import qcolor, sign_colours, table_brushes

__all__ = [
    "Theme",
    "bar_colours",
    "contrast_text",
    "label_colours",
    "qcolor",
    "sign_colours",
    "table_brushes",
    "theme_from_palette",
]


def _mix(a: QColor, b: QColor, f: float) -> QColor:
    """(1 - f) a + f b."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * f),
        round(a.green() + (b.green() - a.green()) * f),
        round(a.blue() + (b.blue() - a.blue()) * f),
    )


@lru_cache(maxsize=4)
def label_colours(gamma: float) -> NDArray[np.object_]:
    """Per row of :func:`gui.encoding.colour_table` (gamma), the text colour that reads on it
    (:func:`contrast_text`), as an object array of shared QColors."""
    table = colour_table(gamma)
    out = np.empty(len(table), dtype=object)
    black, white = QColor("#000000"), QColor("#ffffff")
    for i, row in enumerate(table):
        out[i] = black if contrast_text(qcolor(row)) == black else white
    return out


def bar_colours(enc: Encoding, n: int) -> tuple[QColor, ...]:
    """``n`` evenly spaced colours of the encoding's colour bar, its low end first and its high
    end (the colour of +m) last: a legend's bar, one colour per pixel."""
    bar = enc.bar()
    picks = np.rint(np.linspace(0, len(bar) - 1, n)).astype(np.intp)
    return tuple(qcolor(bar[k]) for k in picks)


@dataclass(frozen=True)
class Theme:
    """The colours of one palette.

    Attributes
    ----------
    background, foreground : the palette's base and text colours.
    unknown : the fill of a value not known yet (the encoding's grey).
    accent : the current step.  window : the truncation window.
    """

    background: QColor
    foreground: QColor
    unknown: QColor
    accent: QColor
    window: QColor

    @property
    def dark(self) -> bool:
        return self.background.lightness() < 128

    def grey(self, f: float) -> QColor:
        """A grey between background (0) and foreground (1)."""
        return _mix(self.background, self.foreground, f)


def theme_from_palette(palette: QPalette) -> Theme:
    """The view colours for a palette (dark or light)."""
    return Theme(
        background=palette.color(QPalette.ColorRole.Base),
        foreground=palette.color(QPalette.ColorRole.Text),
        unknown=qcolor(UNKNOWN_RGBA),
        accent=QColor("#f0b429"),
        window=QColor("#17a2b8"),
    )


def contrast_text(fill: QColor) -> QColor:
    """Black or white, whichever reads better on ``fill``."""
    luminance = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF()
    return QColor("#000000") if luminance > 0.55 else QColor("#ffffff")
