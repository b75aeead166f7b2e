"""What the painted grids share: cells under the mouse, a white layer, rotated labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QMouseEvent, QPainter, QPixmap, QRegion
from PySide6.QtWidgets import QWidget


def region_rects(region: QRegion) -> Iterable[QRect]:
    """The rectangles of ``region``: a QRegion iterates them, though the stubs do not say so."""
    return cast("Iterable[QRect]", region)


def wrapped_lines(text: str, metrics: QFontMetricsF, width: float, lines: int) -> list[str]:
    """``text`` broken at spaces into at most ``lines`` lines no wider than ``width``; the last
    line shortened with "…" only when the words do not fit in that many lines."""
    out: list[str] = []
    words = text.split(" ")
    while words and len(out) < lines:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words:
        out[-1] = f"{out[-1]} {' '.join(words)}"
    out[-1] = metrics.elidedText(out[-1], Qt.TextElideMode.ElideRight, width)
    return out


def draw_rotated(painter: QPainter, box: QRectF, text: str, font: QFont, lines: int = 1) -> None:
    """``text`` in ``font`` turned a quarter left, centred in ``box``: in up to ``lines`` lines
    across the box's width, each no longer than its height (shortened with "…" only when the
    words do not fit); in the painter's pen."""
    metrics = QFontMetricsF(font)
    shown = "\n".join(wrapped_lines(text, metrics, box.height(), lines))
    painter.save()
    painter.setFont(font)
    painter.translate(box.center())
    painter.rotate(-90)
    painter.drawText(
        QRectF(-box.height() / 2, -box.width() / 2, box.height(), box.width()),
        Qt.AlignmentFlag.AlignCenter,
        shown,
    )
    painter.restore()


class CellWidget(QWidget):
    """Base of the painted grids: subclasses implement ``cell_at(pos)`` (a cell or None).

    Signals: ``cellHovered(cell or None)`` as the mouse moves (None when it leaves),
    ``cellClicked(cell)`` on a left click on a cell.
    """

    cellHovered = Signal(object)
    cellClicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)

    def cell_at(self, pos: QPointF) -> object | None:
        raise NotImplementedError

    def white_layer(self) -> QPixmap:
        """A white pixmap of the widget's size in device pixels, for the parts drawn once."""
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.white)
        return pixmap

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.cellHovered.emit(self.cell_at(event.position()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.cellHovered.emit(None)
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton and cell is not None:
            self.cellClicked.emit(cell)
            event.accept()
            return
        super().mousePressEvent(event)
