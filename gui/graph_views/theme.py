"""Colours of the graph views, taken from the widget's palette so they read on dark and light.

Signs use one diverging pair everywhere: blue for positive, red for negative (weights, activations
and deltas alike), neutral near the background for zero. Values map to colours through lookup
tables of ``N_LEVELS`` entries plus one "unknown" entry, so a cursor step is an integer index
operation on numpy arrays and never creates colours one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PySide6.QtGui import QBrush, QColor, QPalette

N_LEVELS = 255  # odd, so that the middle level is exactly zero
UNKNOWN = N_LEVELS  # index of the "not known yet" colour in every table


def _mix(a: QColor, b: QColor, f: float) -> QColor:
    """(1 - f) a + f b."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * f),
        round(a.green() + (b.green() - a.green()) * f),
        round(a.blue() + (b.blue() - a.blue()) * f),
    )


def _rgba(c: QColor, alpha: int = 255) -> tuple[int, int, int, int]:
    return c.red(), c.green(), c.blue(), alpha


@dataclass(frozen=True)
class Theme:
    """The colours of one palette.

    Attributes
    ----------
    background, foreground : the palette's base and text colours.
    positive, negative : the diverging pair (blue +, red -).
    neutral : the colour of a known zero.  unknown : the fill of a value not yet known.
    accent : the current step.  window : the truncation window.  loss : the loss nodes.
    node_lut : (N_LEVELS + 1, 4) uint8 RGBA, diverging, last row unknown.
    loss_lut : (N_LEVELS + 1, 4) uint8 RGBA, neutral -> loss colour, last row unknown.
    node_brushes, loss_brushes : one QBrush per row of the tables (object arrays, so that
        ``node_brushes[level_index(values, scale)]`` gives every node's brush at once).
    """

    background: QColor
    foreground: QColor
    positive: QColor
    negative: QColor
    neutral: QColor
    unknown: QColor
    accent: QColor
    window: QColor
    loss: QColor
    node_lut: NDArray[np.uint8]
    loss_lut: NDArray[np.uint8]
    node_brushes: NDArray[np.object_]
    loss_brushes: NDArray[np.object_]

    @property
    def dark(self) -> bool:
        return self.background.lightness() < 128

    def grey(self, f: float) -> QColor:
        """A grey between background (0) and foreground (1)."""
        return _mix(self.background, self.foreground, f)


def _brushes(lut: NDArray[np.uint8]) -> NDArray[np.object_]:
    """One QBrush per row of a lookup table, as an object array for fancy indexing."""
    out = np.empty(len(lut), dtype=object)
    for i, (r, g, b, a) in enumerate(lut.tolist()):
        out[i] = QBrush(QColor(r, g, b, a))
    return out


def theme_from_palette(palette: QPalette) -> Theme:
    """The view colours for a palette (dark or light)."""
    bg = palette.color(QPalette.ColorRole.Base)
    fg = palette.color(QPalette.ColorRole.Text)
    dark = bg.lightness() < 128
    positive = QColor("#5fa8f0" if dark else "#2166ac")
    negative = QColor("#f27059" if dark else "#c0392b")
    neutral = _mix(bg, fg, 0.18 if dark else 0.06)
    unknown = _mix(bg, fg, 0.07 if dark else 0.03)
    loss = QColor("#c39bff" if dark else "#7b3fbf")
    levels = np.linspace(-1.0, 1.0, N_LEVELS)
    node_lut = np.zeros((N_LEVELS + 1, 4), np.uint8)
    loss_lut = np.zeros((N_LEVELS + 1, 4), np.uint8)
    for i, v in enumerate(levels):
        node_lut[i] = _rgba(_mix(neutral, positive if v >= 0 else negative, abs(float(v))))
        loss_lut[i] = _rgba(_mix(neutral, loss, max(float(v), 0.0)))
    node_lut[UNKNOWN] = loss_lut[UNKNOWN] = _rgba(unknown)
    node_lut.setflags(write=False)
    loss_lut.setflags(write=False)
    return Theme(
        background=bg,
        foreground=fg,
        positive=positive,
        negative=negative,
        neutral=neutral,
        unknown=unknown,
        accent=QColor("#f0b429"),
        window=QColor("#17a2b8"),
        loss=loss,
        node_lut=node_lut,
        loss_lut=loss_lut,
        node_brushes=_brushes(node_lut),
        loss_brushes=_brushes(loss_lut),
    )


def level_index(values: NDArray[np.floating], scale: float, gamma: float = 1.0) -> NDArray[np.intp]:
    """Row of the lookup table for each value: -scale -> 0, 0 -> middle, +scale -> last level.

    The colour follows sign(v) |v / scale|^gamma: gamma < 1 makes small values (deltas that are
    fading away) visible without changing their sign. NaN (not known yet) maps to ``UNKNOWN``;
    values beyond the scale are clipped.
    """
    v = np.asarray(values, np.float64)
    known = np.isfinite(v)
    idx = np.full(v.shape, UNKNOWN, np.intp)
    scaled = np.clip(v[known] / scale, -1.0, 1.0)
    if gamma != 1.0:
        scaled = np.sign(scaled) * np.abs(scaled) ** gamma
    idx[known] = np.rint((scaled + 1.0) * 0.5 * (N_LEVELS - 1)).astype(np.intp)
    return idx


def contrast_text(fill: QColor, theme: Theme) -> QColor:
    """Black or white, whichever reads better on ``fill``."""
    luminance = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF()
    return QColor("#000000") if luminance > 0.55 else QColor("#ffffff")
