"""Step bars: a run of adjacent bars of fixed heights, of which a cursor shows a range.

The loss panel draws L(1..T) three times (known, visited, current step) and moves the shown
ranges at every cursor step. A :class:`pyqtgraph.PlotDataItem` would rebuild its curve, fill and
bounds on every ``setData``; here the heights are set once per trace and a step changes two
integers, so a cursor step repaints only the bars it adds or removes (and their neighbours).
A repaint makes rectangles for the shown bars that meet the exposed area only (a long sequence
has far more bars than the screen shows) and draws them with one ``drawRects`` call.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem


class StepBars(pg.GraphicsObject):
    """Bars of width 1 centred on t = 1..T with heights ``heights[t-1]``, steps first..last shown.

    Parameters
    ----------
    brush : the bars' fill.  pen : their outline (None for none).
    """

    def __init__(self, brush: object, pen: object = None) -> None:
        super().__init__()
        self._brush = QBrush(pg.mkBrush(brush))
        self._pen: QPen | None = None if pen is None else pg.mkPen(pen)
        self._heights = np.zeros(0)
        self._first, self._last = 1, 0
        self._bounds = QRectF()
        # paint() reads option.exposedRect, the part of the item to draw
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def set_heights(self, heights: NDArray[np.floating]) -> None:
        """The bar heights of steps 1..T (a new trace); no step shown until :meth:`show_steps`."""
        self.prepareGeometryChange()
        self._heights = np.asarray(heights, dtype=np.float64).copy()
        self._bounds = QRectF()
        if len(self._heights):
            top = float(max(0.0, self._heights.max()))
            self._bounds = QRectF(0.4, -0.1, len(self._heights) + 0.2, top + 0.2)
        self._first, self._last = 1, 0
        self.update()

    def show_steps(self, first: int, last: int) -> None:
        """Show steps first..last (1-based, inclusive; none when last < first)."""
        first, last = max(1, int(first)), min(len(self._heights), int(last))
        if last < first:
            first, last = 1, 0
        if (first, last) != (self._first, self._last):
            changed = self._changed_rect((self._first, self._last), (first, last))
            self._first, self._last = first, last
            self.update(changed)

    def setPen(self, pen: object) -> None:
        self._pen = None if pen is None else pg.mkPen(pen)
        self.update()

    def getData(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(x edges, heights) of the shown bars, as a step-mode curve gives them."""
        n = max(0, self._last - self._first + 1)
        x = np.arange(n + 1, dtype=np.float64) + self._first - 0.5
        return x, self._heights[self._first - 1 : self._first - 1 + n].copy()

    def _changed_rect(self, old: tuple[int, int], new: tuple[int, int]) -> QRectF:
        """Where the picture changes between two shown ranges: the bars shown in one and not
        the other, and their neighbours (whose outlines join theirs). A step of the cursor
        adds or removes a bar or two, so only they are repainted, not the whole run."""
        (a0, a1), (b0, b1) = old, new
        if a1 < a0 or b1 < b0:  # one range is empty: all of the other one changed
            parts = [(a0, a1), (b0, b1)]
        else:  # the steps at either end that are in one range only
            parts = [(min(a0, b0), max(a0, b0) - 1), (min(a1, b1) + 1, max(a1, b1))]
        parts = [(p0, p1) for p0, p1 in parts if p1 >= p0]
        if not parts:
            return QRectF()
        lo = max(1, min(p0 for p0, _ in parts) - 1)
        hi = min(len(self._heights), max(p1 for _, p1 in parts) + 1)
        top = float(max(0.0, self._heights[lo - 1 : hi].max()))
        margin = 0.02 * top + 1e-9  # the outline's pen width, in data units
        return QRectF(lo - 0.5, 0.0, hi - lo + 1.0, top).adjusted(-0.1, -margin, 0.1, margin)

    def boundingRect(self) -> QRectF:
        return QRectF(self._bounds)  # Qt asks at every repaint: made once per trace

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: object = None
    ) -> None:
        """Bar t covers x in [t - 0.5, t + 0.5]: draw the shown bars that meet the exposed
        area (widened by a bar for the outline's width). The outlines of neighbouring bars
        overlap on their shared edge, which is what a filled outline with separator lines
        between the bars draws."""
        exposed = option.exposedRect
        first = max(self._first, math.floor(exposed.left()))
        last = min(self._last, math.ceil(exposed.right()) + 1)
        if last < first:
            return
        painter.setBrush(self._brush)
        if self._pen is None:
            painter.setPen(Qt.PenStyle.NoPen)
        else:
            pen = QPen(self._pen)
            pen.setCosmetic(True)
            painter.setPen(pen)
        heights = self._heights[first - 1 : last].tolist()
        painter.drawRects([QRectF(t - 0.5, 0.0, 1.0, h) for t, h in enumerate(heights, first)])
