"""A grid of small matrix plots, painted by one widget.

The gradients panel shows every parameter twice, this step's terms above the sum so far, and all of
them change at every backward step. As a dozen pyqtgraph plots in one canvas, each repaint of a
matrix went through Python paint calls for the plot, its view box, its image and the items around
it - a few milliseconds per step for pictures that are ten small images. Here one widget draws
the grid with ``QPainter``:

- what changes only with the trace, the notation, the mode or the size (titles, axes, colour bars,
  Hinton keys) is drawn once into a pixmap;
- a step repaints only the matrices whose values changed, each one ``drawImage`` of a tiny image
  scaled into its rectangle (heatmap mode) or two ``drawRects`` calls (Hinton mode), and the row
  headers when their text changes.

Geometry: matrix cell (r, c) of plot (key, k) lies in column c and row r of the plot's rectangle,
first row at the top, like the heatmaps elsewhere (x = sending unit, y = receiving unit). A vector
is one column. Each plot has its :class:`gui.encoding.Encoding`: cells take their value's colour
from its kept pixel table (:func:`gui.widgets.colormaps.encoded_pixels`), NaN cells ("not yet
computed") its grey (``BLANK``); Hinton squares (:func:`gui.widgets.hinton.hinton_squares`) have
the side of their value's size and the same colour as its cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from gui.encoding import Encoding
from gui.widgets.cell_widget import CellWidget, draw_rotated, region_rects
from gui.widgets.colormaps import ARGB32, BLANK, INK, bar_pixels, encoded_pixels, table_brushes
from gui.widgets.hinton import BACKGROUND, FULL, Square, as_matrix, hinton_squares, paint_key
from gui.widgets.ticks import readable_ticks

#: a cell of the grid under the mouse: (key, plot row k, matrix row, matrix column)
Cell = tuple[str, int, int, int]
Ticks = Sequence[tuple[int, str]]
#: a drawn label and its rectangle in widget coordinates
LabelRect = tuple[QRectF, str]

MARGINS = (4, 4, 10, 4)  # left, top, right, bottom
TITLE_H = 22  # the titles above the first row of plots
AXIS_W = 26  # the left axis of each plot: row indices
AXIS_H = 18  # the bottom axis: column indices or names
SCALE_H = 32  # under each plot: a colour bar with its numbers, or a Hinton key
BAR_H = 11  # the colour bar's own height
GAP = 8  # between neighbouring plots


def nice_ticks(lo: float, hi: float, count: int) -> tuple[list[float], int]:
    """About ``count`` round values in [lo, hi] (steps 1, 2, 2.5, 5 times a power of ten), and
    the number of decimals that writes them exactly."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [], 0
    raw = (hi - lo) / max(1, count)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    i = first
    while i * step <= hi * (1 + 1e-9) + 1e-300:
        ticks.append(0.0 if i == 0 else i * step)
        i += 1
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if abs(step / 10.0**-decimals - round(step / 10.0**-decimals)) > 1e-6:
        decimals += 1  # 2.5, 0.25: one more digit
    return ticks, decimals


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the grid: a parameter drawn twice (plot rows 0 and 1).

    key : the parameter.  shape : (rows, cols) of its matrix, (n, 1) for a vector.
    x_ticks, y_ticks : (column or row index, label) for the bottom and the left axis.
    stretch : the column's share of the width.
    """

    key: str
    shape: tuple[int, int]
    x_ticks: Ticks = ()
    y_ticks: Ticks = ()
    stretch: int = 1


class GridPlot:
    """One matrix of the grid: its values, encoding (colours and Hinton sizes) and rectangle.

    Parameters
    ----------
    shape : (rows, cols) of the matrix.
    """

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape
        self.values: NDArray[np.floating] = np.full(shape, np.nan)
        self.encoding = Encoding("unset", 1.0)
        self.rect = QRectF()  # the cells' area, in widget coordinates
        self._image: QImage | None = None
        self._pixels: NDArray[np.uint32] = np.zeros((0, 0), np.uint32)
        self._squares: list[Square] | None = None
        self._square_rects: dict[int, list[QRectF]] | None = None

    @property
    def levels(self) -> tuple[float, float]:
        """The colour bar's range (the encoding's)."""
        return self.encoding.levels

    @property
    def scale(self) -> float:
        """The magnitude of a full Hinton square: the upper end of the colour range."""
        return self.encoding.magnitude

    def set_values(self, values: NDArray[np.floating]) -> bool:
        """Take ``values`` (the matrix's shape; a vector for one column); True if they changed."""
        m = as_matrix(values)
        if m.shape != self.shape:
            raise ValueError(f"matrix of shape {m.shape} in a plot of shape {self.shape}")
        if np.array_equal(m, self.values, equal_nan=True):
            return False
        self.values = m.copy()
        self._forget()
        return True

    def set_encoding(self, encoding: Encoding) -> None:
        self.encoding = encoding
        self._forget()

    def _forget(self) -> None:
        self._image = None
        self._squares = None
        self._square_rects = None

    # -- what is drawn ----------------------------------------------------------------------------
    def shown(self) -> NDArray[np.floating]:
        """A copy of the (rows, cols) matrix drawn, NaN where blank."""
        return self.values.copy()

    def squares(self) -> list[Square]:
        """The Hinton squares (row, col, size, sign), size = min(1, |value| / scale)."""
        if self._squares is None:
            self._squares = hinton_squares(self.values, self.encoding)
        return list(self._squares)

    def blank_cells(self) -> list[tuple[int, int]]:
        """The (row, col) cells drawn grey: NaN, not yet computed."""
        rows, cols = np.nonzero(np.isnan(self.values))
        return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]

    def image(self) -> QImage:
        """The heatmap: one opaque pixel per cell in its value's colour, grey where NaN."""
        if self._image is None:
            self._pixels = np.ascontiguousarray(encoded_pixels(self.encoding, self.values))
            rows, cols = self.shape
            self._image = QImage(self._pixels.data, cols, rows, 4 * cols, ARGB32)
        return self._image

    def square_rects(self) -> dict[int, list[QRectF]]:
        """Per colour-table row (the values' colours), the squares in widget coordinates
        (square whatever the cells)."""
        if self._square_rects is None:
            rows, cols = self.shape
            r = self.rect
            cw, ch = r.width() / cols, r.height() / rows
            full = FULL * min(cw, ch)
            out: dict[int, list[QRectF]] = {}
            squares = self.squares()
            colour_rows = self.encoding.index([self.values[s[0], s[1]] for s in squares])
            for (row, col, size, _), colour in zip(squares, colour_rows.tolist(), strict=True):
                side = size * full
                cx, cy = r.left() + (col + 0.5) * cw, r.top() + (row + 0.5) * ch
                out.setdefault(colour, []).append(QRectF(cx - side / 2, cy - side / 2, side, side))
            self._square_rects = out
        return self._square_rects

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        """The (row, col) under a widget position, or None outside the cells."""
        r = self.rect
        if r.isEmpty() or not r.contains(pos):
            return None
        rows, cols = self.shape
        col = int((pos.x() - r.left()) * cols / r.width())
        row = int((pos.y() - r.top()) * rows / r.height())
        return (row, col) if 0 <= row < rows and 0 <= col < cols else None

    def pos_of(self, row: int, col: int) -> QPointF:
        """The widget position of the centre of cell (row, col)."""
        rows, cols = self.shape
        r = self.rect
        return QPointF(
            r.left() + (col + 0.5) * r.width() / cols, r.top() + (row + 0.5) * r.height() / rows
        )


class MatrixGrid(CellWidget):
    """Columns of matrices drawn twice, under a title per column and beside a header per row.

    Heatmap mode colours each cell by its value over its plot's levels, with a colour bar under
    the plot; Hinton mode draws squares of side |value| / the upper level, with a key.

    Signals: ``cellHovered(cell or None)`` as the mouse moves, ``cellClicked(cell)`` on a left
    click; a cell is (key, plot row, matrix row, matrix column).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # it paints every pixel
        self.mode = "heatmap"
        self.columns: tuple[Column, ...] = ()
        self.plots: dict[str, tuple[GridPlot, GridPlot]] = {}
        self.titles: dict[str, str] = {}
        self.title_tips: dict[str, str] = {}
        self.headers = ("", "")
        #: the tooltip of a cell (set by the owner); None: no tooltip
        self.cell_tip: Callable[[Cell], str] | None = None
        self._title_rects: dict[str, QRectF] = {}
        self._header_rects: tuple[QRectF, QRectF] = (QRectF(), QRectF())
        self._static: QPixmap | None = None
        self._fonts = {"tick": QFont(self.font()), "title": QFont(self.font())}
        self._fonts["tick"].setPointSizeF(8.0)
        self._fonts["title"].setPointSizeF(10.0)
        self._fonts["header"] = QFont(self.font())
        self._fonts["header"].setPointSizeF(9.0)
        self.setMinimumSize(160, 2 * (AXIS_H + SCALE_H + 24) + TITLE_H)

    # -- what to draw -----------------------------------------------------------------------------
    def set_columns(self, columns: Sequence[Column]) -> None:
        """New columns: the plots start blank, their levels at (-1, 1)."""
        self.columns = tuple(columns)
        self.plots = {c.key: (GridPlot(c.shape), GridPlot(c.shape)) for c in self.columns}
        self.titles = {c.key: self.titles.get(c.key, c.key) for c in self.columns}
        self._relayout()

    def set_encoding(self, key: str, k: int, encoding: Encoding) -> None:
        """How plot (key, k) colours its values and sizes its Hinton squares (fixed per trace)."""
        plot = self.plots[key][k]
        if plot.encoding != encoding:
            plot.set_encoding(encoding)
            self._invalidate()

    def set_values(self, key: str, k: int, values: NDArray[np.floating]) -> None:
        """Draw ``values`` in plot (key, k); repaints only that plot, and only if they changed."""
        plot = self.plots[key][k]
        if plot.set_values(values):
            self.update(plot.rect.toAlignedRect())

    def set_title(self, key: str, text: str, tip: str = "") -> None:
        if (self.titles.get(key), self.title_tips.get(key)) != (text, tip):
            self.titles[key], self.title_tips[key] = text, tip
            self._invalidate()

    def set_headers(self, headers: tuple[str, str]) -> None:
        """The two row headers (drawn rotated, left of each row): repaints only them."""
        if headers != self.headers:
            self.headers = headers
            for rect in self._header_rects:
                self.update(rect.toAlignedRect())

    def set_mode(self, mode: str) -> None:
        """ "heatmap" or "hinton"."""
        if mode not in ("heatmap", "hinton"):
            raise ValueError(f"unknown mode {mode!r}; expected 'heatmap' or 'hinton'")
        if mode != self.mode:
            self.mode = mode
            self._invalidate()

    def bar_rect(self, key: str, k: int) -> QRectF:
        """Where plot (key, k)'s colour bar is drawn in heatmap mode (its high end at the right),
        in widget coordinates."""
        r = self.plots[key][k].rect
        return QRectF(r.left(), r.bottom() + AXIS_H + 3, r.width(), BAR_H)

    def key_text(self, key: str, k: int) -> str:
        """The Hinton key's words under plot (key, k)."""
        return f"■ + ■ − side = |value| / {self.plots[key][k].scale:.3g}"

    # -- pointing ---------------------------------------------------------------------------------
    def cell_at(self, pos: QPointF) -> Cell | None:
        for key, pair in self.plots.items():
            for k, plot in enumerate(pair):
                cell = plot.cell_at(pos)
                if cell is not None:
                    return key, k, cell[0], cell[1]
        return None

    def pos_of(self, key: str, k: int, row: int, col: int) -> QPointF:
        """The widget position of the centre of a cell."""
        return self.plots[key][k].pos_of(row, col)

    def tip_at(self, pos: QPointF) -> str:
        """The tooltip at a widget position: a cell's, or a title's."""
        cell = self.cell_at(pos)
        if cell is not None:
            return self.cell_tip(cell) if self.cell_tip is not None else ""
        for key, rect in self._title_rects.items():
            if rect.contains(pos):
                return self.title_tips.get(key, "")
        return ""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    # -- geometry ---------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(900, 360)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._relayout()
        super().resizeEvent(event)

    def _relayout(self) -> None:
        """Place the titles, row headers and plots in the widget's current size."""
        left, top, right, bottom = MARGINS
        header_w = 2 * QFontMetricsF(self._fonts["header"]).lineSpacing() + 6  # two lines
        x0 = left + header_w
        width = max(1.0, self.width() - x0 - right)
        block = max(1.0, (self.height() - top - bottom - TITLE_H - GAP) / 2)
        plot_h = max(4.0, block - AXIS_H - SCALE_H)
        total = sum(c.stretch for c in self.columns) or 1
        self._title_rects = {}
        x = x0
        for column in self.columns:
            w = width * column.stretch / total
            for k, plot in enumerate(self.plots[column.key]):
                y = top + TITLE_H + k * (block + GAP)
                cells = QRectF(x + AXIS_W, y, max(4.0, w - AXIS_W - GAP), plot_h)
                plot.rect = QRectF(cells.toRect())  # whole pixels: its repaint covers them all
                plot._square_rects = None
            self._title_rects[column.key] = QRectF(x, top, w, TITLE_H)
            x += w
        self._header_rects = tuple(  # type: ignore[assignment]
            QRectF(QRectF(left, top + TITLE_H + k * (block + GAP), header_w, block).toRect())
            for k in (0, 1)
        )
        self._invalidate()

    def _invalidate(self) -> None:
        """Draw the fixed parts again at the next paint (and repaint everything)."""
        self._static = None
        self.update()

    # -- painting ---------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if self._static is None or self._static.size() != self.size() * self.devicePixelRatioF():
            self._static = self._paint_static()
        region = event.region()
        ratio = self.devicePixelRatioF()
        plots = [p for pair in self.plots.values() for p in pair]
        # The matrices and headers paint every pixel of their rectangles: the fixed layer is
        # needed only outside them (a step's region has nothing else). Everything is clipped
        # to one rectangle at a time: Qt draws an image clipped to a region of several
        # rectangles (a step's) about ten times slower.
        own = [p.rect.toRect() for p in plots] + [r.toRect() for r in self._header_rects]
        painter = QPainter(self)
        try:
            for part in region_rects(region):
                if not any(r.contains(part) for r in own):
                    painter.setClipRect(part)
                    source = QRectF(QPointF(part.topLeft()) * ratio, QSizeF(part.size()) * ratio)
                    painter.drawPixmap(QRectF(part), self._static, source)
            for plot in plots:
                if region.intersects(plot.rect.toRect()):
                    painter.setClipRect(plot.rect)
                    self._paint_cells(painter, plot)
            painter.setFont(self._fonts["header"])
            painter.setPen(QColor(INK))
            for rect, text in zip(self._header_rects, self.headers, strict=True):
                if region.intersects(rect.toRect()):
                    painter.setClipRect(rect)
                    self._paint_header(painter, rect, text)
        finally:
            painter.end()

    def _paint_cells(self, painter: QPainter, plot: GridPlot) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        if self.mode == "heatmap":
            painter.drawImage(plot.rect, plot.image())
            return
        painter.fillRect(plot.rect, QColor(BACKGROUND))
        rows, cols = plot.shape
        cw, ch = plot.rect.width() / cols, plot.rect.height() / rows
        blank = plot.blank_cells()
        if blank:
            painter.setBrush(QBrush(QColor(BLANK)))
            x, y = plot.rect.left(), plot.rect.top()
            painter.drawRects([QRectF(x + c * cw, y + r * ch, cw, ch) for r, c in blank])
        brushes = table_brushes(plot.encoding.gamma)
        for colour, rects in plot.square_rects().items():
            painter.setBrush(brushes[colour])
            painter.drawRects(rects)

    def _paint_header(self, painter: QPainter, rect: QRectF, text: str) -> None:
        """Row header: rotated a quarter turn, centred on the row's plots, in two lines if one
        is too short."""
        painter.fillRect(rect, Qt.GlobalColor.white)
        draw_rotated(painter, rect, text, self._fonts["header"], lines=2)

    def _paint_static(self) -> QPixmap:
        """Background, titles, axes, colour bars or Hinton keys: everything a step leaves alone."""
        pixmap = self.white_layer()
        painter = QPainter(pixmap)
        painter.setPen(QColor(INK))
        for column in self.columns:
            title = self._title_rects[column.key]
            painter.setFont(self._fonts["title"])
            metrics = QFontMetricsF(self._fonts["title"])
            text = metrics.elidedText(
                self.titles.get(column.key, ""), Qt.TextElideMode.ElideRight, title.width()
            )
            plot_rect = self.plots[column.key][0].rect
            centred = QRectF(plot_rect.left(), title.top(), plot_rect.width(), title.height())
            box = centred if metrics.horizontalAdvance(text) <= centred.width() else title
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
            for plot in self.plots[column.key]:
                self._paint_axes(painter, plot, column)
                scale = QRectF(
                    plot.rect.left(), plot.rect.bottom() + AXIS_H, plot.rect.width(), SCALE_H
                )
                if self.mode == "heatmap":
                    self._paint_bar(painter, scale, plot.encoding)
                else:
                    key = QRectF(scale.left() - 6, scale.top(), scale.width() + 6, 18)
                    text = f"side = |value| / {plot.scale:.3g}"
                    paint_key(painter, key, self._fonts["tick"], text, plot.encoding)
        painter.end()
        return pixmap

    def axis_labels(self, key: str, k: int) -> tuple[list[LabelRect], list[LabelRect]]:
        """The tick labels drawn under and left of plot (key, k), each with its rectangle:
        (bottom axis, left axis); a readable subset of the column's ticks (every label where
        they fit, else every n-th: :func:`gui.widgets.ticks.readable_ticks`)."""
        column = next(c for c in self.columns if c.key == key)
        r = self.plots[key][k].rect
        rows, cols = column.shape
        metrics = QFontMetricsF(self._fonts["tick"])
        height = metrics.height()
        ys = readable_ticks(
            [(float(row), label) for row, label in column.y_ticks],
            r.height() / rows,
            lambda _label: height,
        )
        left = [
            (QRectF(r.left() - AXIS_W, r.top() + (row + 0.5) * r.height() / rows - height / 2,
                    AXIS_W - 6, height), label)
            for row, label in ys
        ]  # fmt: skip
        xs = readable_ticks(
            [(float(col), label) for col, label in column.x_ticks],
            r.width() / cols,
            metrics.horizontalAdvance,
        )
        bottom = []
        for col, label in xs:
            x = r.left() + (col + 0.5) * r.width() / cols
            w = metrics.horizontalAdvance(label) + 2
            bottom.append((QRectF(x - w / 2, r.bottom() + 4, w, AXIS_H - 4), label))
        return bottom, left

    def _paint_axes(self, painter: QPainter, plot: GridPlot, column: Column) -> None:
        """The left axis (row indices) and the bottom axis (column indices or names)."""
        r = plot.rect
        painter.setFont(self._fonts["tick"])
        pen = QPen(QColor(INK))
        pen.setWidthF(1.0)
        painter.setPen(pen)
        painter.drawLine(
            QPointF(r.left() - 0.5, r.top()), QPointF(r.left() - 0.5, r.bottom() + 0.5)
        )
        painter.drawLine(
            QPointF(r.left() - 0.5, r.bottom() + 0.5), QPointF(r.right(), r.bottom() + 0.5)
        )
        bottom, left = self.axis_labels(column.key, self.plots[column.key].index(plot))
        for box, label in left:
            y = box.center().y()
            painter.drawLine(QPointF(r.left() - 4, y), QPointF(r.left() - 0.5, y))
            painter.drawText(
                box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label
            )
        for box, label in bottom:
            x = box.center().x()
            painter.drawLine(QPointF(x, r.bottom() + 0.5), QPointF(x, r.bottom() + 4))
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)

    def _paint_bar(self, painter: QPainter, rect: QRectF, encoding: Encoding) -> None:
        """A horizontal colour bar of the encoding with round numbers under it."""
        bar = QRectF(rect.left(), rect.top() + 3, rect.width(), BAR_H)
        # a pixel per value, the ends exactly the colours of the levels' ends
        pixels = bar_pixels(encoding, round(bar.width() * painter.device().devicePixelRatioF()))
        strip = QImage(pixels.data, len(pixels), 1, 4 * len(pixels), ARGB32)
        painter.drawImage(bar, strip)
        painter.setPen(QColor(INK))
        painter.setFont(self._fonts["tick"])
        metrics = QFontMetricsF(self._fonts["tick"])
        lo, hi = encoding.levels
        for count in (5, 4, 3, 2, 1):
            ticks, decimals = nice_ticks(lo, hi, count)
            labels = [f"{v:.{decimals}f}" if v else "0" for v in ticks]
            widest = max((metrics.horizontalAdvance(t) for t in labels), default=0.0)
            spacing = (
                bar.width() * (ticks[1] - ticks[0]) / (hi - lo) if len(ticks) > 1 else bar.width()
            )
            if widest + 6 <= spacing:
                break
        if len(ticks) < 2:  # too narrow for two round numbers: the range in one label
            ticks = [(lo + hi) / 2]
            labels = [f"±{hi:.2g}" if lo == -hi else f"{lo:.2g} – {hi:.2g}"]
        for value, label in zip(ticks, labels, strict=True):
            x = bar.left() + (value - lo) / (hi - lo) * bar.width()
            painter.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + 3))
            w = metrics.horizontalAdvance(label) + 2
            box = QRectF(x - w / 2, bar.bottom() + 3, w, metrics.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
