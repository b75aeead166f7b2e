"""A one-line text that changes on every cursor step without relaying out the window.

``QLabel.setText`` asks its parent layout to recompute (``updateGeometry``), and that request climbs
through every layout up to the main window, once per step. :class:`TextLine` paints its text itself:
its size hint is one line of the font, fixed when it is built, so a new text only repaints it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


class TextLine(QWidget):
    """One line of text, aligned left, centred or right; a text too long for it is not drawn (not
    clipped), or with ``elide`` drawn shortened with "…".

    Parameters
    ----------
    align : ``Qt.AlignLeft``, ``Qt.AlignHCenter`` or ``Qt.AlignRight`` (vertically centred).
    min_chars : the width hint in average characters.
    parent : the Qt parent.
    elide : shorten a text too long for the line instead of leaving the line empty.
    """

    def __init__(
        self,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        min_chars: int = 0,
        parent: QWidget | None = None,
        *,
        elide: bool = False,
    ) -> None:
        super().__init__(parent)
        self._text = ""
        self._align = align | Qt.AlignmentFlag.AlignVCenter
        self._min_chars = min_chars
        self._elide = elide
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        # it paints its whole rectangle (background, then text): a new text repaints it alone,
        # not the window, status bar or splitter under it
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.update()

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * self._min_chars + 8, metrics.height() + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.fontMetrics().height() + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().window())
        rect = self.contentsRect().adjusted(2, 0, -2, 0)
        text = self._text
        if self.fontMetrics().horizontalAdvance(text) > rect.width():
            if not self._elide:
                return
            text = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().windowText().color())
        painter.drawText(rect, int(self._align), text)
