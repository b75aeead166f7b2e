"""A widget of cells under the mouse: hovering and clicking report the cell, whatever it is."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QWidget


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
