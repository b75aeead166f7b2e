"""A read-only view of styled text blocks, laid out by ``QTextLayout`` and painted directly.

The inspector shows a new worked example at every cursor step. In a ``QTextBrowser`` each one is
HTML to parse, a rich-text document to lay out and a viewport to repaint, twice as the scroll bars
adjust: about 5 ms of a step. Here the text is a tuple of :class:`Block` (a style and runs of
styled text); a new tuple is laid out line by line in C++ by ``QTextLayout`` and painted with
``QTextLayout.draw``. Equal content does nothing, the scroll position stays where the reader left
it, and the scroll bars appear and disappear only when the content's size asks for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QMenu, QScrollBar, QWidget

#: a laid-out paragraph and the content position (x, y) of its top left corner
Placed = list[tuple[QTextLayout, float, float]]


@dataclass(frozen=True, slots=True)
class Style:
    """How a block is drawn: font, colour, indent and spacing (px), and whether it wraps."""

    mono: bool = False
    bold: bool = False
    scale: float = 1.0
    color: str | None = None  # None: the palette's text colour
    indent: float = 0.0
    above: float = 0.0
    below: float = 0.0
    wrap: bool = True


#: the inspector's styles (what its style sheet used to say)
STYLES: dict[str, Style] = {
    "title": Style(bold=True, scale=1.17, below=2.0),
    "state": Style(color="#555555", below=6.0),
    "step": Style(bold=True, above=8.0),
    "cite": Style(color="#6a6a6a"),
    "eq": Style(mono=True, indent=12.0, above=2.0),
    "num": Style(mono=True, color="#1f4e79", indent=12.0, above=2.0),
    "result": Style(mono=True, bold=True, indent=12.0, above=2.0),
    "note": Style(color="#8a5a00", indent=12.0, above=1.0),
    "terms": Style(mono=True, color="#303030", indent=12.0, above=4.0, wrap=False),
    "term": Style(mono=True, color="#303030", indent=12.0, above=2.0),  # one term, wrapped
}
MARGIN = 4.0
LINE_SEPARATOR = "\u2028"


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph: its style (a key of ``STYLES``) and its runs of (style, text).

    A run's style sets its font weight and colour (the block's style sets font family, size,
    indent, spacing and wrapping). Text may hold line breaks ("\\n").
    """

    style: str
    runs: tuple[tuple[str, str], ...]

    @staticmethod
    def of(style: str, text: str) -> Block:
        """A block of one run in its own style."""
        return Block(style, ((style, text),))

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.runs)


class StyledText(QAbstractScrollArea):
    """Styled blocks of text, wrapped to the width, scrolled vertically (and horizontally for the
    lines that do not wrap). Read-only; Ctrl+C or the context menu copies the whole text.

    Parameters
    ----------
    parent : the Qt parent.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._blocks: tuple[Block, ...] = ()
        self._layouts: Placed = []  # layout, x, y of its top
        self._content = (0.0, 0.0)  # width of the widest unwrapped line, total height
        self._in_layout = False
        self._keep_extent = False
        #: how many times the blocks have been laid out (for tests: equal content lays out none)
        self.layout_count = 0
        self._fonts: dict[tuple[bool, bool, float], QFont] = {}
        self._formats: dict[tuple[str, str], QTextCharFormat] = {}
        self._wrap, self._no_wrap = QTextOption(), QTextOption()
        self._wrap.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self._no_wrap.setWrapMode(QTextOption.WrapMode.NoWrap)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # paintEvent fills what it is asked to paint: nothing under the viewport is repainted
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.copy_action = QAction("Copy text", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.setToolTip("Copy the whole explanation as plain text")
        self.copy_action.triggered.connect(self.copy)
        self.addAction(self.copy_action)

    # -- content ----------------------------------------------------------------------------------
    def set_blocks(self, blocks: tuple[Block, ...], *, keep_extent: bool = False) -> None:
        """Show these blocks; the same blocks again do nothing (no layout, no repaint).

        With ``keep_extent`` the scroll ranges only grow (a variant of the same text, such as
        the next step's worked example of the same item): a scroll bar whose range changes
        repaints, and the size of such texts varies by a line or a few characters.
        """
        blocks = tuple(blocks)
        if blocks == self._blocks:
            return
        self._blocks = blocks
        self._keep_extent = keep_extent
        self._layout()
        self.viewport().update()

    def blocks(self) -> tuple[Block, ...]:
        return self._blocks

    def toPlainText(self) -> str:
        """The text, one line per block (line breaks inside a block kept)."""
        return "\n".join(block.text for block in self._blocks)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.toPlainText())

    def laid_out(self) -> list[tuple[str, QRectF]]:
        """Every visual line: its text and its rectangle in content coordinates (for tests)."""
        out = []
        for layout, x, y in self._layouts:
            text = layout.text()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                r = line.naturalTextRect()
                rect = QRectF(x + r.x(), y + r.y(), r.width(), r.height())
                piece = text[line.textStart() : line.textStart() + line.textLength()]
                out.append((piece.replace(LINE_SEPARATOR, ""), rect))
        return out

    def fits(self, style: str, text: str) -> bool:
        """Whether every line of ``text`` in block style ``style`` fits the width unwrapped."""
        s = STYLES[style]
        metrics = QFontMetricsF(self._font(s, s.bold))
        room = self.viewport().width() - 2 * MARGIN - s.indent
        return all(metrics.horizontalAdvance(line) <= room for line in text.split("\n"))

    def content_size(self) -> tuple[float, float]:
        """(width of the widest line that does not wrap, height) of the laid-out content."""
        return self._content

    # -- layout -----------------------------------------------------------------------------------
    def _font(self, style: Style, bold: bool) -> QFont:
        key = (style.mono, bold, style.scale)
        font = self._fonts.get(key)
        if font is None:
            font = QFont(self.font())
            if style.mono:
                font.setFamilies(["DejaVu Sans Mono", "monospace"])
                font.setStyleHint(QFont.StyleHint.Monospace)
                font.setFixedPitch(True)
            if style.scale != 1.0:
                font.setPointSizeF(font.pointSizeF() * style.scale)
            font.setBold(bold)
            # no kerning or ligatures (none in the monospace lines): half the layout time
            font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
            self._fonts[key] = font
        return font

    def _format(self, block_style: str, run_style: str) -> QTextCharFormat:
        """The character format of a run in a block (made once per pair of styles)."""
        key = (block_style, run_style)
        fmt = self._formats.get(key)
        if fmt is None:
            style, run = STYLES[block_style], STYLES.get(run_style, STYLES[block_style])
            fmt = QTextCharFormat()
            fmt.setFont(self._font(style, run.bold))
            if run.color is not None:
                fmt.setForeground(QColor(run.color))
            self._formats[key] = fmt
        return fmt

    def _layout_at(self, width: float) -> tuple[Placed, float, float]:
        """Lay every block out to ``width`` px: the layouts with their positions, the widest
        unwrapped line and the total height. Line breaks in a block's text become Unicode line
        separators, which ``QTextLayout`` breaks at, so each block is one layout."""
        self.layout_count += 1
        layouts: Placed = []
        y, widest = MARGIN, 0.0
        for block in self._blocks:
            style = STYLES[block.style]
            y += style.above
            x = MARGIN + style.indent
            layout = QTextLayout(
                block.text.replace("\n", LINE_SEPARATOR), self._font(style, style.bold)
            )
            layout.setTextOption(self._wrap if style.wrap else self._no_wrap)
            if len(block.runs) > 1 or style.color is not None:
                formats, start = [], 0
                for run_style, text in block.runs:
                    f = QTextLayout.FormatRange()
                    f.start, f.length = start, len(text)
                    f.format = self._format(block.style, run_style)
                    formats.append(f)
                    start += len(text)
                layout.setFormats(formats)
            layout.setCacheEnabled(True)
            layout.beginLayout()
            line_y = 0.0
            line_width = max(10.0, width - x - MARGIN)
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(line_width)
                line.setPosition(QPointF(0.0, line_y))
                line_y += line.height()
                if not style.wrap:
                    widest = max(widest, x + line.naturalTextWidth() + MARGIN)
            layout.endLayout()
            layouts.append((layout, x, y))
            y += line_y + style.below
        return layouts, widest, y + MARGIN

    def _layout(self) -> None:
        """Lay the blocks out for the viewport and set the scroll bars' ranges.

        The vertical bar is always shown, so the width to wrap to never changes with the
        content. The horizontal bar is shown when a line that does not wrap is wider than the
        viewport; while the extent is kept (see :meth:`set_blocks`) it stays shown: showing or
        hiding a bar resizes the viewport and repaints the whole dock.
        """
        if self._in_layout:
            return
        self._in_layout = True
        try:
            frame = 2 * self.frameWidth()
            bar = self.verticalScrollBar()
            width = float(self.width() - frame - bar.sizeHint().width())
            layouts, widest, height = self._layout_at(width)
            self._layouts, self._content = layouts, (widest, height)
            on, off = Qt.ScrollBarPolicy.ScrollBarAlwaysOn, Qt.ScrollBarPolicy.ScrollBarAlwaysOff
            shown = self.horizontalScrollBarPolicy() == on
            keep = self._keep_extent
            need_h = widest > width or (keep and shown)
            if need_h != shown:
                self.setHorizontalScrollBarPolicy(on if need_h else off)
            h_bar = self.horizontalScrollBar().sizeHint().height() if need_h else 0
            view_h = float(self.height() - frame - h_bar)
            self._set_range(bar, max(0.0, height - view_h), view_h, keep)
            self._set_range(self.horizontalScrollBar(), max(0.0, widest - width), width, keep)
        finally:
            self._in_layout = False

    @staticmethod
    def _set_range(bar: QScrollBar, over: float, page: float, keep: bool) -> None:
        """Let a scroll bar scroll ``over`` px with a page of ``page`` px, setting its range and
        page only when they change (each change repaints it); with ``keep`` its range only
        grows. Its value is kept, clamped to the range."""
        maximum = math.ceil(over)
        if keep:
            maximum = max(maximum, bar.maximum())
        page = max(1, int(page))
        if bar.maximum() != maximum:
            bar.setRange(0, maximum)
        if bar.pageStep() != page:
            bar.setPageStep(page)
            bar.setSingleStep(20)

    # -- Qt events --------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        """The viewport's size changed (the dock, or a scroll bar shown or hidden): lay out
        again and fit the scroll ranges to the new size."""
        super().resizeEvent(event)
        self._keep_extent = False
        self._layout()

    def changeEvent(self, event: QEvent) -> None:
        """A new font (the application's or the widget's): make the styles' fonts again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fonts.clear()
            self._formats.clear()
            self._keep_extent = False
            self._layout()
            self.viewport().update()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), self.palette().base())
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
        top, bottom = event.rect().top() - dy, event.rect().bottom() - dy
        painter.setPen(self.palette().text().color())
        for layout, x, y in self._layouts:
            if y + layout.boundingRect().bottom() < top or y > bottom:
                continue  # not in the exposed part
            layout.draw(painter, QPointF(x + dx, y + dy))
        painter.end()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        menu.addAction(self.copy_action)
        menu.exec(event.globalPos())
        menu.deleteLater()
