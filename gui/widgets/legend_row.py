"""A plot legend in a row of its own under the plot, wrapped to the plot's width.

A ``pyqtgraph.LegendItem`` laid over a plot hides the data under it; in a row of its own it
hides nothing, but with its entries side by side it is as wide as all of them, and a canvas
narrower than that draws its plots wider than itself and cuts their right part off. A
:class:`LegendRow` puts as many entries side by side as the plot above it is wide and takes as
many lines as that needs: every entry stays readable at any dock width.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsWidget

#: the height of one line of entries (an entry's sample is 20 px high), px
LINE = 22


class LegendRow(pg.LegendItem):
    """A legend as wide as ``follow`` (the plot it is put under), its entries wrapped into lines.

    The caller puts it in a layout under the plot, e.g. ``canvas.addItem(legend, row=1, col=0)``.

    Parameters
    ----------
    follow : the item whose width the legend keeps to (its plot).
    max_columns : the most entries side by side (as many as fit when the plot is wide).
    **kwargs : passed to ``pg.LegendItem`` (``labelTextColor``, ``labelTextSize``, ...).
    """

    def __init__(self, follow: QGraphicsWidget, max_columns: int = 3, **kwargs: Any) -> None:
        super().__init__(colCount=max_columns, **kwargs)
        self._follow = follow
        self._max_columns = max_columns
        self.layout.setContentsMargins(2, 1, 2, 1)
        self.setFixedHeight(LINE)
        # never wider than the plot it is under: it wraps instead (its entries would otherwise
        # be its least width, and widen the plot beyond its canvas)
        self.setMinimumWidth(0)
        follow.geometryChanged.connect(self.refit)

    def lines(self) -> int:
        """How many lines the entries take."""
        return -(-len(self.items) // self.columnCount) if self.items else 0

    def refit(self) -> None:
        """Put as many entries side by side as the plot's width has room for (call after adding
        entries or changing their texts; the plot's resizes call it too)."""
        left, _, right, _ = self.layout.getContentsMargins()
        room = self._follow.size().width() - left - right - 4
        columns = 1
        for n in range(min(self._max_columns, len(self.items)), 1, -1):
            if self._width(n) <= room:
                columns = n
                break
        self.setColumnCount(columns)
        need = self.layout.effectiveSizeHint(Qt.SizeHint.MinimumSize).height()
        self.setFixedHeight(max(LINE * max(1, self.lines()), need))

    def _width(self, columns: int) -> float:
        """The width of the entries in ``columns`` columns (each as wide as its widest)."""
        spacing = self.layout.horizontalSpacing()
        widths = [0.0] * columns
        for i, (sample, label) in enumerate(self.items):
            entry = sample.width() + spacing + label.minimumWidth() + spacing
            widths[i % columns] = max(widths[i % columns], entry)
        return sum(widths)
