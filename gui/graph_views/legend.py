"""A one-line legend painted with the view's palette: colour bars, line and box swatches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

Kind = Literal["bar", "line", "box", "ring"]
SWATCH = 22  # width of a line or box swatch, px
BAR = 64  # width of a colour bar, px
GAP = 14  # between entries, px


@dataclass(frozen=True, slots=True)
class Entry:
    """One legend entry.

    kind "bar": a colour bar from ``colours[0]`` through ``colours[1]`` to ``colours[2]`` with
    ``text`` after it; "line": a line of width ``width`` per colour; "box": a translucent box;
    "ring": an unfilled circle.
    """

    kind: Kind
    text: str
    colours: tuple[QColor, ...]
    width: float = 2.0


class Legend(QWidget):
    """Paints ``entries`` in one row; ``texts()`` returns what it shows (for tests)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: tuple[Entry, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_entries(self, entries: tuple[Entry, ...]) -> None:
        if entries != self._entries:
            self._entries = entries
            self.updateGeometry()
            self.update()

    def texts(self) -> tuple[str, ...]:
        return tuple(e.text for e in self._entries)

    def _swatch_width(self, entry: Entry) -> int:
        if entry.kind == "bar":
            return BAR
        if entry.kind == "line":
            return SWATCH * max(1, len(entry.colours))
        return 14

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        width = sum(
            self._swatch_width(e) + 6 + fm.horizontalAdvance(e.text) + GAP for e in self._entries
        )
        return QSize(width, fm.height() + 10)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.fontMetrics().height() + 10)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        text_colour = self.palette().color(self.foregroundRole())
        h = self.height()
        mid = h / 2
        x = 6.0
        for e in self._entries:
            w = self._swatch_width(e)
            if e.kind == "bar":
                grad = QLinearGradient(x, 0, x + w, 0)
                for stop, colour in zip((0.0, 0.5, 1.0), e.colours, strict=False):
                    grad.setColorAt(stop, colour)
                painter.setPen(QPen(text_colour, 0.6))
                painter.setBrush(grad)
                painter.drawRect(QRectF(x, mid - 6, w, 12))
            elif e.kind == "line":
                step = w / max(1, len(e.colours))
                for i, colour in enumerate(e.colours):
                    pen = QPen(colour, e.width)
                    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                    painter.setPen(pen)
                    left = x + i * step + 3
                    painter.drawLine(QPointF(left, mid), QPointF(left + step - 6, mid))
            elif e.kind == "box":
                painter.setPen(QPen(e.colours[0], 1.0))
                fill = QColor(e.colours[0])
                fill.setAlpha(90)
                painter.setBrush(fill)
                painter.drawRect(QRectF(x, mid - 7, w, 14))
            else:
                painter.setPen(QPen(e.colours[0], 2.0))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(QRectF(x + 1, mid - 6, 12, 12))
            x += w + 6
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(x, 0, fm.horizontalAdvance(e.text) + 2, h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                e.text,
            )
            x += fm.horizontalAdvance(e.text) + GAP
        painter.end()
