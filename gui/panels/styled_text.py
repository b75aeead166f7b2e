"""A read-only rich-text view painted from QTextLayouts, for text that is replaced on every step.

The inspector used a QTextBrowser and called ``setHtml`` on every cursor step; parsing the HTML,
relaying out the QTextDocument and repainting its scroll bars cost 6-7 ms of a 22 ms step. Here
the text is a tuple of styled blocks, each block is laid out with ``QTextLayout`` (Qt's own line
breaking) and painted with ``QTextLayout.draw``; a layout is redone only when the blocks or the
viewport width change, so a step costs well under a millisecond.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetricsF,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QScrollBar, QWidget

_Wrap = QTextOption.WrapMode
#: room around the text, as QTextDocument's default document margin
MARGIN = 4.0
MONO_FAMILY = "DejaVu Sans Mono"


@dataclass(frozen=True, slots=True)
class Style:
    """How a block or a run looks: font, colour (None: the palette's Text), wrapping and margins.

    ``scale`` multiplies the widget's font size. ``indent`` is the left margin; ``above`` and
    ``below`` are block margins in pixels, collapsed between neighbours (the larger of one block's
    ``below`` and the next one's ``above``), as in a QTextDocument.
    """

    mono: bool = False
    bold: bool = False
    scale: float = 1.0
    color: str | None = None
    wrap: _Wrap = _Wrap.WrapAtWordBoundaryOrAnywhere  # a QTextEdit's default
    indent: float = 0.0
    above: float = 0.0
    below: float = 0.0


#: the styles a block or a run can name (the inspector's former style sheet, rule by rule, at the
#: widget's font size as the QTextBrowser showed it)
STYLES: dict[str, Style] = {
    "body": Style(),
    "title": Style(bold=True, scale=1.2, below=2),  # an <h3>: Qt scales it by 1.2
    "state": Style(color="#555555", below=6),
    "step": Style(bold=True, above=8),
    "cite": Style(color="#6a6a6a"),
    "eq": Style(mono=True, indent=12, above=2),
    "num": Style(mono=True, indent=12, above=2, color="#1f4e79"),
    "result": Style(mono=True, bold=True, indent=12, above=2),
    "note": Style(color="#8a5a00", indent=12, above=1),
    "terms": Style(mono=True, wrap=_Wrap.NoWrap, indent=12, above=4, color="#303030"),
}


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph: its style (margins, wrapping, base font) and its runs of (style, text).

    Text may hold ``"\\n"``: a hard line break inside the block.
    """

    style: str
    runs: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, style: str, text: str) -> Block:
        """A block of one run in its own style."""
        return cls(style, ((style, text),))

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.runs)


@dataclass(slots=True)
class _Placed:
    """One hard line of a block: its layout, top-left corner in content coordinates and colour.

    ``height`` and ``line_height`` (the lowest of its lines) are those of the last line breaking.
    """

    layout: QTextLayout
    pos: QPointF
    color: QColor | None
    wraps: bool
    height: float = 0.0
    line_height: float = 0.0


class StyledText(QAbstractScrollArea):
    """Read-only styled text: ``set_blocks`` to show, ``toPlainText`` to read, Ctrl+C to copy.

    Scroll bars are shown only when needed, decided from the content (never from the bars' own
    state, so they cannot flicker); the vertical scroll position survives new content.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Base)
        self.viewport().setAutoFillBackground(True)
        self.copy_action = QAction("Copy text", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self._on_copy_action_triggered)
        self.addAction(self.copy_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._blocks: tuple[Block, ...] = ()
        self._fonts: dict[str, QFont] = {}
        self._formats: dict[tuple[str, str], QTextCharFormat] = {}
        self._make_fonts()
        self._placed: list[_Placed] = []
        self._laid_width = -1.0  # the viewport width the lines were broken for (-1: new content)
        self._content = QSize(0, 0)
        self._busy = False  # inside _fit: ignore the resizes that toggling a bar causes
        #: how many times the blocks were laid out (a test hook: equal content lays out nothing)
        self.layout_count = 0

    # -- content ----------------------------------------------------------------------------------
    def set_blocks(self, blocks: Sequence[Block]) -> None:
        """Show ``blocks``; equal content does nothing (no layout, no repaint)."""
        blocks = tuple(blocks)
        if blocks == self._blocks:
            return
        self._blocks = blocks
        self._laid_width = -1.0
        self._fit()
        self.viewport().update()

    def blocks(self) -> tuple[Block, ...]:
        return self._blocks

    def toPlainText(self) -> str:
        """The text, one line per block (hard line breaks kept)."""
        return "\n".join(b.text for b in self._blocks)

    def laid_out(self) -> list[tuple[str, QRectF]]:
        """Each visual line's text and its rectangle in content coordinates (a test hook)."""
        lines = []
        for placed in self._placed:
            text = placed.layout.text()
            for i in range(placed.layout.lineCount()):
                line = placed.layout.lineAt(i)
                start, n = line.textStart(), line.textLength()
                rect = line.naturalTextRect().translated(placed.pos)
                lines.append((text[start : start + n], rect))
        return lines

    def _on_copy_action_triggered(self) -> None:
        QApplication.clipboard().setText(self.toPlainText())

    # -- fonts ------------------------------------------------------------------------------------
    def _make_fonts(self) -> None:
        """One QFont per style (char formats for runs are made from them as first needed)."""
        self._fonts.clear()
        self._formats.clear()
        size = self.font().pointSizeF()
        for name, style in STYLES.items():
            font = QFont(MONO_FAMILY) if style.mono else QFont(self.font())
            if style.mono:
                font.setStyleHint(QFont.StyleHint.Monospace)
            font.setPointSizeF(size * style.scale)
            font.setBold(style.bold)
            self._fonts[name] = font
        self._space = max(QFontMetricsF(f).horizontalAdvance(" ") for f in self._fonts.values())

    def _format(self, block_style: str, run_style: str) -> QTextCharFormat:
        """A run's look inside a block: its own font, and its colour unless it has none."""
        key = (block_style, run_style)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            fmt.setFont(self._fonts[run_style])
            color = STYLES[run_style].color or STYLES[block_style].color
            if color is not None:
                fmt.setForeground(QColor(color))
            self._formats[key] = fmt
        return fmt

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._make_fonts()
            self._laid_width = -1.0
            self._fit()
            self.viewport().update()

    # -- layout -----------------------------------------------------------------------------------
    def _lay_out(self, width: float) -> None:
        """Break the blocks into lines for a viewport ``width``: the line positions, content size.

        The QTextLayouts are made once per content; a new width only breaks their lines again.
        """
        if width == self._laid_width:
            return
        if self._laid_width < 0:
            self._placed = self._make_layouts()
        self._laid_width = width
        self.layout_count += 1
        y, below, widest = MARGIN, 0.0, 0.0
        placed = iter(self._placed)
        for n, block in enumerate(self._blocks):
            style = STYLES[block.style]
            y += style.above if n == 0 else max(below, style.above)
            for _ in range(block.text.count("\n") + 1):
                p = next(placed)
                p.pos.setY(y)
                line_width = max(1.0, width - MARGIN - p.pos.x())
                height, lowest = 0.0, math.inf
                p.layout.beginLayout()
                while (line := p.layout.createLine()).isValid():
                    line.setLineWidth(line_width)
                    line.setPosition(QPointF(0.0, height))
                    line_height = math.ceil(line.height())  # whole pixels, as QTextDocument
                    height += line_height
                    lowest = min(lowest, line_height)
                    widest = max(widest, p.pos.x() + line.naturalTextWidth())
                p.layout.endLayout()
                p.height, p.line_height = height, lowest
                y += height
            below = style.below
        self._content = QSize(int(widest + MARGIN + 0.999), int(y + below + MARGIN + 0.999))

    def _make_layouts(self) -> list[_Placed]:
        """One QTextLayout per hard line of each block, with its font, wrapping and run formats."""
        placed = []
        for block in self._blocks:
            style = STYLES[block.style]
            option = QTextOption()
            option.setWrapMode(style.wrap)
            color = QColor(style.color) if style.color else None
            start = 0
            for text in block.text.split("\n"):
                layout = QTextLayout(text, self._fonts[block.style])
                layout.setTextOption(option)
                layout.setFormats(self._ranges(block, start, start + len(text)))
                layout.setCacheEnabled(True)
                wraps = style.wrap != _Wrap.NoWrap
                placed.append(_Placed(layout, QPointF(MARGIN + style.indent, 0.0), color, wraps))
                start += len(text) + 1
        return placed

    def _height_floor(self, width: float) -> float:
        """A lower bound on the content height at a viewport ``width`` wider than the current one.

        Wider lines only merge. At the current width a hard line's lines hold text of natural
        widths summing to S; a line at ``width`` holds at most its line width of text plus the
        whitespace it may end with (the longest run of spaces), so it needs at least
        S / (line width + that run) lines.
        """
        height = float(self._content.height()) - sum(p.height for p in self._placed)  # margins
        for p in self._placed:
            n = p.layout.lineCount()
            if n <= 1 or not p.wraps:
                height += p.height
                continue
            text = sum(p.layout.lineAt(i).naturalTextWidth() for i in range(n))
            run = max(map(len, re.findall(r"\s+", p.layout.text())), default=0)
            room = max(1.0, width - MARGIN - p.pos.x()) + run * self._space + 1.0
            height += max(1, math.ceil(text / room - 1e-9)) * p.line_height
        return height

    def _ranges(self, block: Block, start: int, end: int) -> list[QTextLayout.FormatRange]:
        """The format ranges of the runs that differ from the block's style, within [start, end)."""
        ranges = []
        pos = 0
        for run_style, text in block.runs:
            lo, hi = max(pos, start), min(pos + len(text), end)
            pos += len(text)
            if run_style == block.style or lo >= hi:
                continue
            r = QTextLayout.FormatRange()
            r.start, r.length = lo - start, hi - lo
            r.format = self._format(block.style, run_style)
            ranges.append(r)
        return ranges

    def _fit(self) -> None:
        """Lay out, show each scroll bar iff needed and set the ranges, in that order.

        The vertical bar is needed iff the content, laid out at the width without the bar, is
        taller than the viewport (a narrower width only makes it taller, so this cannot
        oscillate); the horizontal bar iff the widest line is wider than the viewport. While the
        bar is on, the lines are broken at the width beside it first, and the width without it is
        tried only when :meth:`_height_floor` cannot tell.
        """
        if self._busy:
            return
        self._busy = True
        try:
            v_bar, h_bar = self.verticalScrollBar(), self.horizontalScrollBar()
            v_ext, h_ext = v_bar.sizeHint().width(), h_bar.sizeHint().height()
            on = Qt.ScrollBarPolicy.ScrollBarAlwaysOn
            v_on = self.verticalScrollBarPolicy() == on
            full = self.maximumViewportSize()  # without the bars that are on
            full_w = full.width() + (v_ext if v_on else 0)
            full_h = full.height() + (h_ext if self.horizontalScrollBarPolicy() == on else 0)
            narrow_w = full_w - v_ext
            self._lay_out(narrow_w if v_on else full_w)
            # lines wider than the full width do not wrap: the same at either width
            room_h = full_h - (h_ext if self._content.width() > full_w else 0)
            need_v = self._content.height() > room_h
            if v_on and need_v and self._height_floor(full_w) <= room_h:
                self._lay_out(full_w)
                need_v = self._content.height() > room_h
            self._lay_out(narrow_w if need_v else full_w)
            need_h = self._content.width() > (narrow_w if need_v else full_w)
            _set_policy(self.setVerticalScrollBarPolicy, self.verticalScrollBarPolicy(), need_v)
            _set_policy(self.setHorizontalScrollBarPolicy, self.horizontalScrollBarPolicy(), need_h)
            viewport = self.viewport().size()
            self._lay_out(viewport.width())  # no-op unless the style spaces its bars differently
            _set_range(v_bar, self._content.height() - viewport.height(), viewport.height())
            _set_range(h_bar, self._content.width() - viewport.width(), viewport.width())
        finally:
            self._busy = False

    # -- events -----------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        dx, dy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        painter.translate(-dx, -dy)
        exposed = QRectF(event.rect()).translated(dx, dy)
        text_color = self.palette().text().color()
        for placed in self._placed:
            if placed.pos.y() > exposed.bottom() or placed.pos.y() + placed.height < exposed.top():
                continue
            painter.setPen(placed.color or text_color)
            placed.layout.draw(painter, placed.pos)
        painter.end()


def _set_policy(
    setter: Callable[[Qt.ScrollBarPolicy], None], policy: Qt.ScrollBarPolicy, on: bool
) -> None:
    """Set a scroll bar's policy to AlwaysOn or AlwaysOff, only if that changes it."""
    want = Qt.ScrollBarPolicy.ScrollBarAlwaysOn if on else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    if want != policy:
        setter(want)


def _set_range(bar: QScrollBar, maximum: int, page: int) -> None:
    """Set a scroll bar's range and page step, only where they change (the value is clamped)."""
    maximum = max(0, maximum)
    if bar.maximum() != maximum or bar.minimum() != 0:
        bar.setRange(0, maximum)
    if bar.pageStep() != page:
        bar.setPageStep(page)
    if bar.singleStep() != 20:
        bar.setSingleStep(20)
