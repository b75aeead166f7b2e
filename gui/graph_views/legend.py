"""A one-line legend painted with the view's palette: colour bars, line and box swatches.

Colour bars and weight lines take their colours from :mod:`gui.encoding` (through
:func:`encoding_entries` and :mod:`gui.graph_views.theme`), and their words say which hue is
which sign, so the legend cannot disagree with what the views draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.encoding import Encoding, sign_text
from gui.graph_views.theme import bar_colours

Kind = Literal["bar", "line", "box", "ring", "disk"]
SWATCH = 22  # width of a line or box swatch, px
BAR = 64  # width of a colour bar, px
GAP = 14  # between entries, px


@dataclass(frozen=True, slots=True)
class Entry:
    """One legend entry.

    kind "bar": a colour bar of ``colours`` side by side (the first at the left end, the last
    at the right end) with ``text`` after it; "line": a line of width ``width`` per colour;
    "box": a translucent box; "ring": an unfilled circle; "disk": a circle filled with
    ``colours[0]``, outlined dashed in ``colours[1]`` (a node drawn that way).
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
            self.setToolTip("\n".join(e.text for e in entries))
            self.setFixedHeight(self.heightForWidth(max(self.width(), 1)))
            self.updateGeometry()
            self.update()

    def texts(self) -> tuple[str, ...]:
        return tuple(e.text for e in self._entries)

    def entries(self) -> tuple[Entry, ...]:
        return self._entries

    def swatch_rect(self, index: int) -> QRectF:
        """Where entry ``index``'s swatch (its colour bar, lines or box) is, in widget
        coordinates (for tooltips and tests); an empty rectangle when it is not shown."""
        line = self._line_height()
        for row, entries in enumerate(self._rows(self.width())):
            x = 6.0
            for e in entries:
                if e is self._entries[index]:
                    mid = row * line + 1 + line / 2
                    return QRectF(x, mid - 6, self._swatch_width(e), 12)
                x += self._entry_width(e) + GAP
        return QRectF()

    def _swatch_width(self, entry: Entry) -> int:
        if entry.kind == "bar":
            return BAR
        if entry.kind == "line":
            return SWATCH * max(1, len(entry.colours))
        return 14

    def _entry_width(self, entry: Entry) -> int:
        return self._swatch_width(entry) + 6 + self.fontMetrics().horizontalAdvance(entry.text)

    def _rows(self, width: int) -> list[list[Entry]]:
        """The entries wrapped into rows no wider than ``width``."""
        rows: list[list[Entry]] = [[]]
        used = 6
        for e in self._entries:
            w = self._entry_width(e) + GAP
            if rows[-1] and used + w > width:
                rows.append([])
                used = 6
            rows[-1].append(e)
            used += w
        return rows

    def _line_height(self) -> int:
        return self.fontMetrics().height() + 8

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return len(self._rows(width)) * self._line_height() + 2

    def sizeHint(self) -> QSize:
        width = 6 + sum(self._entry_width(e) + GAP for e in self._entries)
        return QSize(width, self.heightForWidth(max(self.width(), 200)))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self._line_height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wanted = self.heightForWidth(self.width())
        if wanted != self.height():
            self.setFixedHeight(wanted)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        text_colour = self.palette().color(self.foregroundRole())
        line = self._line_height()
        for row, entries in enumerate(self._rows(self.width())):
            x = 6.0
            for e in entries:
                x = self._paint_entry(painter, e, x, row * line + 1, line, text_colour, fm)
        painter.end()

    def _paint_entry(
        self,
        painter: QPainter,
        e: Entry,
        x: float,
        top: float,
        h: float,
        text_colour: QColor,
        fm: QFontMetrics,
    ) -> float:
        """Paint one entry at x; return where the next one starts."""
        mid = top + h / 2
        w = self._swatch_width(e)
        if e.kind == "bar":
            # the colours side by side, unblended: its ends are exactly the map's ends
            strip = QImage(len(e.colours), 1, QImage.Format.Format_RGB32)
            for k, colour in enumerate(e.colours):
                strip.setPixelColor(k, 0, colour)
            painter.drawImage(QRectF(x, mid - 6, w, 12), strip)
            painter.setPen(QPen(text_colour, 1.0))  # outside the bar: every colour shows
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(x - 0.5, mid - 6.5, w + 1, 13))
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
        elif e.kind == "disk":
            painter.setPen(QPen(e.colours[-1], 1.2, Qt.PenStyle.DashLine))
            painter.setBrush(e.colours[0])
            painter.drawEllipse(QRectF(x + 1, mid - 6, 12, 12))
        else:
            painter.setPen(QPen(e.colours[0], 2.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QRectF(x + 1, mid - 6, 12, 12))
        x += w + 6
        painter.setPen(text_colour)
        room = max(0, int(self.width() - x - 4))
        text = fm.elidedText(e.text, Qt.TextElideMode.ElideRight, room)  # a very narrow view
        advance = fm.horizontalAdvance(text)
        painter.drawText(
            QRectF(x, top, advance + 2, h),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            text,
        )
        return x + advance + GAP


def encoding_entries(
    named: Sequence[tuple[str, Encoding]], signs: bool = False
) -> tuple[Entry, ...]:
    """Colour bar entries for named encodings: names that share a colour scale (the same
    magnitude and gamma) share one bar, which spans [-m, m] when any of them is signed. With
    ``signs``, the first signed bar says which hue is which sign ("red +, blue −")."""
    groups: dict[tuple[float, float], tuple[list[str], Encoding]] = {}
    for name, enc in named:
        key = (enc.magnitude, enc.gamma)
        names, shared = groups.get(key, ([], enc))
        if not enc.one_signed:
            shared = replace(shared, one_signed=False)
        groups[key] = ([*names, name], shared)
    entries: list[Entry] = []
    told = not signs
    for names, enc in groups.values():
        text = enc.describe(", ".join(names))
        if not enc.one_signed and not told:
            text, told = f"{text} ({sign_text()})", True
        entries.append(Entry("bar", text, bar_colours(enc, BAR)))
    return tuple(entries)
