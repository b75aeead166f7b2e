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


def draw_rotated(painter: QPainter, box: QRectF, text: str, font: QFont) -> None:
    """``text`` in ``font`` turned a quarter left, centred in ``box``, shortened with "…" to
    fit its height; in the painter's pen."""
    shown = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, box.height())
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
