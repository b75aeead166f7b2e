"""Heatmaps of units over time, stacked on one time axis and painted by one widget.

The activations and deltas panels show a units x time heatmap per layer, a colour bar beside them
and an outline around the cursor's step, and a cursor step changes a column or two of them. As
pyqtgraph plots, each repaint of that column went through Python paint and bounds calls for every
plot, axis, label and image item of the canvas. Here one widget draws the rows with ``QPainter``:

- what changes only with the trace, the notation or the size (titles, axes, colour bars and their
  labels) is drawn once into a pixmap;
- a step repaints only the columns whose values changed and the cursor's old and new column: one
  copy of the row's image (its cells scaled to the row's size when they change) under a
  one-rectangle clip.

Geometry: the rows share the time axis, t from ``t_range[0]`` (left) to ``t_range[1]`` (right).
Cell (i, j) of a row - time step ``x0 + i``, unit j - is a column of width 1 in t, first unit at
the top; values are ``(n_x, n_y)`` arrays, time first like ``Trace.h``. Colours come from each
colour bar's :class:`gui.encoding.Encoding`, the same as every other view's, through its kept
pixel table (:func:`gui.widgets.colormaps.encoded_pixels`); NaN cells ("not yet computed") get the
encoding's grey (``BLANK``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QWidget

from gui.encoding import Encoding
from gui.widgets.cell_widget import CellWidget, draw_rotated, region_rects, wrapped_lines
from gui.widgets.colormaps import ARGB32, CURSOR, INK, bar_pixels, encoded_pixels
from gui.widgets.heatmap import index_ticks
from gui.widgets.matrix_grid import nice_ticks
from gui.widgets.ticks import readable_ticks

#: a cell under the mouse: (row key, time step t, unit index from 0)
TimeCell = tuple[str, int, int]
#: a drawn label and its rectangle in widget coordinates
LabelRect = tuple[QRectF, str]
Ticks = Sequence[tuple[float, str]]

MARGINS = (4, 4, 6, 4)  # left, top, right, bottom
LABEL_W = 18  # the rotated axis label left of a row's tick labels
AXIS_W = (26, 96)  # the least and most room for the units' tick labels, right-aligned
TITLE_H = 22  # a row's title above its cells
TICKS_H = 16  # time step numbers under each row
X_LABEL_H = 16  # "time step t" under the last row
BAR_GAP = 10  # between the cells and a colour bar
BAR_W = 14  # a colour bar's own width
BAR_AREA = BAR_GAP + BAR_W + 36 + LABEL_W  # bar, its numbers and its rotated label
CURSOR_PEN = 2.5  # px, the outline of the cursor's step


def unit_ticks(n: int, names: Sequence[str] = ()) -> tuple[tuple[int, str], ...]:
    """Left-axis ticks of n units: their names, or numbers from 1, as (unit index, label); the
    grid draws as many as a row has room for."""
    ticks = index_ticks(n, names=names, max_labels=n)[0]
    return tuple((round(pos), label) for pos, label in ticks)


@dataclass(frozen=True, slots=True)
class TimeRow:
    """One heatmap of the grid.

    key : its name (for values, titles, hover).  n_x, n_y : time steps and units.
    x0 : the time step of the first column.  y_ticks : (unit index, label) on its left axis.
    bar : which colour bar (index) colours it.  stretch : its share of the height.
    """

    key: str
    n_x: int
    n_y: int
    x0: int = 0
    y_ticks: Ticks = ()
    bar: int = 0
    stretch: int = 1


@dataclass(slots=True)
class _Bar:
    """A colour bar: its encoding and its label."""

    encoding: Encoding
    label: str = ""
    rect: QRectF = field(default_factory=QRectF)

    @property
    def levels(self) -> tuple[float, float]:
        return self.encoding.levels


class _Plot:
    """A row's values, its image and its rectangle in the widget."""

    def __init__(self, row: TimeRow) -> None:
        self.row = row
        self.values: NDArray[np.floating] = np.full((row.n_x, row.n_y), np.nan)
        self.rect = QRectF()  # the cells' area, widget coordinates
        self.title = ""
        self.title_h = float(TITLE_H)  # one line or two (the grid's relayout decides)
        self.label = ""
        self._image: QImage | None = None
        self._pixels: NDArray[np.uint32] = np.zeros((0, 0), np.uint32)

    def forget(self) -> None:
        self._image = None

    def image(self, bar: _Bar, ratio: float) -> QImage:
        """The cells at the size of the row's rectangle in device pixels: device pixel (c, r)
        shows cell ``(⌊(c + ½) · n_x / width⌋, ⌊(r + ½) · n_y / height⌋)``.

        Scaled here once per change, so that a repaint only copies pixels: Qt's scaled
        ``drawImage`` under a clip can pick a neighbouring cell for a pixel on a cell's
        border, and a repaint of one column then differs from a repaint of the whole row.
        """
        width = max(1, round(self.rect.width() * ratio))
        height = max(1, round(self.rect.height() * ratio))
        if self._image is None or (self._image.width(), self._image.height()) != (width, height):
            n_x, n_y = self.values.shape
            # one uint32 per pixel: indexing whole pixels is far faster than their bytes
            cells32 = encoded_pixels(bar.encoding, self.values.T)
            cols = ((np.arange(width) + 0.5) * (n_x / width)).astype(np.intp)
            rows = ((np.arange(height) + 0.5) * (n_y / height)).astype(np.intp)
            self._pixels = np.ascontiguousarray(cells32[rows][:, cols])
            self._image = QImage(self._pixels.data, width, height, 4 * width, ARGB32)
            self._image.setDevicePixelRatio(ratio)
        return self._image


class TimeGrid(CellWidget):
    """Rows of units x time heatmaps on a shared time axis, with colour bars on the right.

    Signals: ``cellHovered(cell or None)`` as the mouse moves, ``cellClicked(cell)`` on a left
    click; a cell is (row key, time step t, unit index).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # it paints every pixel
        self.rows: tuple[TimeRow, ...] = ()
        self.plots: dict[str, _Plot] = {}
        self.bars: list[_Bar] = []
        self.t_range = (-0.5, 0.5)
        self.x_ticks: Ticks = ()
        self.x_label = ""
        self.cursor_step: int | None = None
        self._static: QPixmap | None = None
        self._dirty = QRect()  # what awaits repainting (see _repaint)
        self._fonts = {"tick": QFont(self.font()), "title": QFont(self.font())}
        self._fonts["tick"].setPointSizeF(8.0)
        self._fonts["title"].setPointSizeF(10.0)
        self._fonts["label"] = QFont(self.font())
        self._fonts["label"].setPointSizeF(9.0)
        self._cursor_pen = QPen(QColor(CURSOR), CURSOR_PEN)
        self._cursor_pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        self._axis_w = float(AXIS_W[0])  # as wide as the widest unit label (set_rows)
        self.setMinimumSize(120, 60)

    # -- what to draw -----------------------------------------------------------------------------
    def set_rows(
        self,
        rows: Sequence[TimeRow],
        t_range: tuple[float, float],
        x_ticks: Ticks,
        n_bars: int,
    ) -> None:
        """New rows (blank until :meth:`set_values`) over time ``t_range``, with ``n_bars``
        colour bars; titles, labels and bar colours are kept by key and index."""
        old_plots, old_bars = self.plots, self.bars
        self.rows = tuple(rows)
        self.plots = {row.key: _Plot(row) for row in self.rows}
        for key, plot in self.plots.items():
            if key in old_plots:
                plot.title, plot.label = old_plots[key].title, old_plots[key].label
        unset = Encoding("unset", 1.0)
        self.bars = [old_bars[i] if i < len(old_bars) else _Bar(unset) for i in range(n_bars)]
        self.t_range = (float(t_range[0]), float(t_range[1]))
        self.x_ticks = tuple(x_ticks)
        metrics = QFontMetricsF(self._fonts["tick"])
        widest = max(
            (metrics.horizontalAdvance(label) for row in self.rows for _, label in row.y_ticks),
            default=0.0,
        )
        self._axis_w = min(max(widest + 10, AXIS_W[0]), AXIS_W[1])
        self._relayout()

    def set_bar(self, index: int, encoding: Encoding) -> None:
        """Colour bar ``index``: the encoding of its rows' values (fixed per trace)."""
        bar = self.bars[index]
        if bar.encoding == encoding:
            return
        bar.encoding = encoding
        for plot in self.plots.values():
            if plot.row.bar == index:
                plot.forget()
        self._invalidate()

    def set_bar_label(self, index: int, text: str) -> None:
        if self.bars[index].label != text:
            self.bars[index].label = text
            self._invalidate()

    def set_title(self, key: str, text: str) -> None:
        plot = self.plots[key]
        if plot.title != text:
            lines = self._title_lines(plot)
            plot.title = text
            if self._title_lines(plot) != lines:
                self._relayout()  # a title that now takes one line more or less
            else:
                self._invalidate()

    def set_axis_label(self, key: str, text: str) -> None:
        """The rotated label left of a row's unit numbers."""
        plot = self.plots[key]
        if plot.label != text:
            plot.label = text
            self._invalidate()

    def set_x_label(self, text: str) -> None:
        """The time axis' label, under the last row."""
        if text != self.x_label:
            self.x_label = text
            self._invalidate()

    def set_values(self, key: str, values: NDArray[np.floating]) -> None:
        """Draw ``values`` (n_x, n_y), NaN for blank cells; repaints only the columns that
        changed (none when all are equal)."""
        plot = self.plots[key]
        values = np.asarray(values, dtype=np.float64)
        if values.shape != plot.values.shape:
            raise ValueError(
                f"values of shape {values.shape} for row {key!r} of shape {plot.values.shape}"
            )
        old = plot.values
        same = (old == values) | (np.isnan(old) & np.isnan(values))
        moved = np.flatnonzero(~same.all(axis=1))
        if not len(moved):
            return
        plot.values = values.copy()
        plot.forget()
        first, last = int(moved[0]), int(moved[-1])
        x0 = plot.row.x0
        self._repaint(self._columns_rect(plot, x0 + first, x0 + last).toAlignedRect())

    def set_cursor(self, t: int | None) -> None:
        """Outline the column of step t in every row that has it (None: no outline)."""
        if t == self.cursor_step:
            return
        for step in (self.cursor_step, t):
            if step is not None:
                self._repaint(self._cursor_area(step))
        self.cursor_step = t

    # -- what is drawn ----------------------------------------------------------------------------
    def shown(self, key: str) -> NDArray[np.floating]:
        """A copy of the (n_x, n_y) values a row draws, NaN where blank."""
        return self.plots[key].values.copy()

    def title(self, key: str) -> str:
        return self.plots[key].title

    def axis_label(self, key: str) -> str:
        return self.plots[key].label

    def bar_levels(self, index: int) -> tuple[float, float]:
        return self.bars[index].levels

    def bar_encoding(self, index: int) -> Encoding:
        return self.bars[index].encoding

    def bar_rect(self, index: int) -> QRectF:
        """Where colour bar ``index`` is drawn (widget coordinates; its high end at the top)."""
        return QRectF(self.bars[index].rect)

    def bar_label(self, index: int) -> str:
        return self.bars[index].label

    def cursor_x(self, key: str | None = None) -> float | None:
        """The step outlined (in row ``key``; the first row by default), None when none is."""
        if self.cursor_step is None or not self.rows:
            return None
        plot = self.plots[key if key is not None else self.rows[0].key]
        return float(self.cursor_step) if self._has_step(plot, self.cursor_step) else None

    # -- pointing ---------------------------------------------------------------------------------
    def cell_at(self, pos: QPointF) -> TimeCell | None:
        """The (row key, t, unit) under a widget position, or None outside the cells."""
        for key, plot in self.plots.items():
            r = plot.rect
            if r.isEmpty() or not r.contains(pos):
                continue
            n_x, n_y = plot.values.shape
            i = math.floor((pos.x() - r.left()) * n_x / r.width())
            j = math.floor((pos.y() - r.top()) * n_y / r.height())
            if 0 <= i < n_x and 0 <= j < n_y:
                return key, plot.row.x0 + i, j
        return None

    def pos_of(self, key: str, t: int, unit: int) -> QPointF:
        """The widget position of the centre of the cell of step t and ``unit``."""
        plot = self.plots[key]
        n_x, n_y = plot.values.shape
        r = plot.rect
        i = t - plot.row.x0
        return QPointF(
            r.left() + (i + 0.5) * r.width() / n_x, r.top() + (unit + 0.5) * r.height() / n_y
        )

    # -- geometry ---------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(420, 380)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._relayout()
        super().resizeEvent(event)

    def _x_of(self, t: float) -> float:
        """The widget x of time t (on any row: they share the time axis)."""
        lo, hi = self.t_range
        left, _, right, _ = MARGINS
        x0 = left + LABEL_W + self._axis_w
        width = max(1.0, self.width() - x0 - right - BAR_AREA)
        return x0 + (t - lo) * width / max(hi - lo, 1e-12)

    def _relayout(self) -> None:
        """Place the rows and the colour bars in the widget's current size."""
        _, top, _, bottom = MARGINS
        line = math.ceil(QFontMetricsF(self._fonts["title"]).lineSpacing())
        titles = {  # a title wider than the grid takes a second line
            row.key: TITLE_H + line * (self._title_lines(self.plots[row.key]) - 1)
            for row in self.rows
        }
        fixed = sum(titles.values()) + len(self.rows) * TICKS_H + X_LABEL_H
        room = max(4.0 * len(self.rows), self.height() - top - bottom - fixed)
        total = sum(row.stretch for row in self.rows) or 1
        y = float(top)
        for row in self.rows:
            plot = self.plots[row.key]
            h = max(4.0, room * row.stretch / total)
            x_left, x_right = self._x_of(row.x0 - 0.5), self._x_of(row.x0 + row.n_x - 0.5)
            # whole pixels: a column's repaint covers its cells exactly
            plot.rect = QRectF(QRectF(x_left, y + titles[row.key], x_right - x_left, h).toRect())
            plot.title_h = titles[row.key]
            plot.forget()
            y += titles[row.key] + h + TICKS_H
        bar_x = self._x_of(self.t_range[1]) + BAR_GAP
        for index, bar in enumerate(self.bars):
            rects = [self.plots[r.key].rect for r in self.rows if r.bar == index]
            if rects:
                top_y, bottom_y = min(r.top() for r in rects), max(r.bottom() for r in rects)
                bar.rect = QRectF(bar_x, top_y, BAR_W, bottom_y - top_y)
            else:
                bar.rect = QRectF()
        self._invalidate()

    def _has_step(self, plot: _Plot, t: int) -> bool:
        return plot.row.x0 <= t < plot.row.x0 + plot.row.n_x

    def _columns_rect(self, plot: _Plot, first: int, last: int) -> QRectF:
        """The cells of steps first..last of a row, in widget coordinates."""
        n_x = plot.values.shape[0]
        r = plot.rect
        w = r.width() / max(n_x, 1)
        i0, i1 = first - plot.row.x0, last - plot.row.x0
        return QRectF(r.left() + i0 * w, r.top(), (i1 - i0 + 1) * w, r.height())

    def _cursor_rect(self, plot: _Plot, t: int) -> QRectF:
        return self._columns_rect(plot, t, t)

    def _cursor_area(self, t: int) -> QRect:
        """The pixels the outline of step t covers, in all rows (with the pen's width)."""
        area = QRect()
        pad = math.ceil(CURSOR_PEN / 2) + 1
        for plot in self.plots.values():
            if self._has_step(plot, t):
                rect = self._cursor_rect(plot, t).toAlignedRect()
                area = area.united(rect.adjusted(-pad, -pad, pad, pad))
        return area

    def _repaint(self, rect: QRect) -> None:
        """Repaint ``rect`` with what else awaits repainting, as one rectangle around both.

        Qt would repaint the several rectangles of a step (a column in two rows, the cursor's
        old and new column) as a region, painted one rectangle at a time; their bounding
        rectangle is a few columns wide and takes one pass.
        """
        self._dirty = self._dirty.united(rect)
        self.update(self._dirty)

    def _invalidate(self) -> None:
        """Draw the fixed parts again at the next paint (and repaint everything)."""
        self._static = None
        self.update()

    # -- painting ---------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        self._dirty = QRect()
        ratio = self.devicePixelRatioF()
        if self._static is None or self._static.size() != self.size() * ratio:
            self._static = self._paint_static()
        painter = QPainter(self)
        try:
            # one rectangle at a time: Qt draws a scaled image clipped to a region of several
            # rectangles far slower than clipped to one
            for part in region_rects(event.region()):
                painter.setClipRect(part)
                source = QRectF(QPointF(part.topLeft()) * ratio, QSizeF(part.size()) * ratio)
                painter.drawPixmap(QRectF(part), self._static, source)
                for plot in self.plots.values():
                    target = plot.rect.intersected(QRectF(part))
                    if not target.isEmpty():
                        image = plot.image(self.bars[plot.row.bar], ratio)
                        corner = (target.topLeft() - plot.rect.topLeft()) * ratio
                        painter.drawImage(target, image, QRectF(corner, target.size() * ratio))
                if self.cursor_step is not None:
                    painter.setPen(self._cursor_pen)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    for plot in self.plots.values():
                        if self._has_step(plot, self.cursor_step):
                            painter.drawRect(self._cursor_rect(plot, self.cursor_step))
        finally:
            painter.end()

    def _paint_static(self) -> QPixmap:
        """Background, titles, axes and colour bars: everything a step leaves alone."""
        pixmap = self.white_layer()
        painter = QPainter(pixmap)
        try:
            for index, row in enumerate(self.rows):
                plot = self.plots[row.key]
                self._paint_title(painter, plot)
                self._paint_units(painter, plot)
                self._paint_times(painter, plot, last=index == len(self.rows) - 1)
            for bar in self.bars:
                if not bar.rect.isEmpty():
                    self._paint_bar(painter, bar)
        finally:
            painter.end()
        return pixmap

    def _title_box(self, plot: _Plot, lines: int = 1) -> QRectF:
        """Where a row's title goes: centred over its cells, or over the whole width when it
        is wider than the cells."""
        metrics = QFontMetricsF(self._fonts["title"])
        r = plot.rect
        box = QRectF(r.left(), r.top() - plot.title_h, r.width(), plot.title_h - 2)
        if metrics.horizontalAdvance(plot.title) > box.width():
            left, right = MARGINS[0], self.width() - MARGINS[2]
            box = QRectF(left, box.top(), right - left, box.height())
        return box

    def _title_lines(self, plot: _Plot) -> int:
        """Whether a row's title takes one line or two (wider than the grid)."""
        metrics = QFontMetricsF(self._fonts["title"])
        room = self.width() - MARGINS[0] - MARGINS[2]
        return 1 if metrics.horizontalAdvance(plot.title) <= room else 2

    def title_lines(self, key: str) -> list[str]:
        """The lines of row ``key``'s title as drawn (one, or two where it is wider than the
        grid; shortened with "…" only when two lines cannot hold it)."""
        plot = self.plots[key]
        metrics = QFontMetricsF(self._fonts["title"])
        return wrapped_lines(plot.title, metrics, self._title_box(plot).width(), 2)

    def _paint_title(self, painter: QPainter, plot: _Plot) -> None:
        painter.setFont(self._fonts["title"])
        painter.setPen(QColor(INK))
        text = "\n".join(self.title_lines(plot.row.key))
        painter.drawText(self._title_box(plot), Qt.AlignmentFlag.AlignCenter, text)

    def unit_labels(self, key: str) -> list[LabelRect]:
        """The unit labels drawn left of row ``key``, each with its rectangle: a readable subset
        of the row's ticks (every unit where they fit, else every n-th:
        :func:`gui.widgets.ticks.readable_ticks`), elided only when a name is wider than the
        most room the axis takes."""
        plot = self.plots[key]
        r = plot.rect
        n_y = max(plot.values.shape[1], 1)
        metrics = QFontMetricsF(self._fonts["tick"])
        height = metrics.height()
        ticks = [(float(unit), label) for unit, label in plot.row.y_ticks]
        out = []
        for unit, label in readable_ticks(ticks, r.height() / n_y, lambda _label: height):
            y = r.top() + (unit + 0.5) * r.height() / n_y
            box = QRectF(r.left() - self._axis_w, y - height / 2, self._axis_w - 6, height)
            out.append((box, metrics.elidedText(label, Qt.TextElideMode.ElideRight, box.width())))
        return out

    def time_labels(self, key: str) -> list[LabelRect]:
        """The time step labels drawn under row ``key``, each with its rectangle (a readable
        subset of ``x_ticks``, as :meth:`unit_labels`)."""
        r = self.plots[key].rect
        metrics = QFontMetricsF(self._fonts["tick"])
        lo, hi = self.t_range
        pixels = (self._x_of(hi) - self._x_of(lo)) / max(hi - lo, 1e-12)
        ticks = [(float(t), label) for t, label in self.x_ticks]
        out = []
        for t, label in readable_ticks(ticks, pixels, metrics.horizontalAdvance):
            x, w = self._x_of(t), metrics.horizontalAdvance(label) + 2
            out.append((QRectF(x - w / 2, r.bottom() + 3.5, w, TICKS_H - 3), label))
        return out

    def _paint_units(self, painter: QPainter, plot: _Plot) -> None:
        """The left axis: a line, a tick and a number (or name) per labelled unit, the label."""
        r = plot.rect
        painter.setFont(self._fonts["tick"])
        painter.setPen(QPen(QColor(INK), 1.0))
        x = r.left() - 0.5
        painter.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
        for box, label in self.unit_labels(plot.row.key):
            y = box.center().y()
            painter.drawLine(QPointF(x - 4, y), QPointF(x, y))
            painter.drawText(
                box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label
            )
        if plot.label:
            box = QRectF(r.left() - self._axis_w - LABEL_W, r.top(), LABEL_W, r.height())
            painter.setPen(QColor(INK))
            draw_rotated(painter, box, plot.label, self._fonts["label"])

    def _paint_times(self, painter: QPainter, plot: _Plot, *, last: bool) -> None:
        """The time axis under a row: a line, a tick and a number per labelled step; under the
        last row also the axis label."""
        r = plot.rect
        painter.setFont(self._fonts["tick"])
        painter.setPen(QPen(QColor(INK), 1.0))
        y = r.bottom() + 0.5
        painter.drawLine(
            QPointF(self._x_of(self.t_range[0]), y), QPointF(self._x_of(self.t_range[1]), y)
        )
        for box, label in self.time_labels(plot.row.key):
            x = box.center().x()
            painter.drawLine(QPointF(x, y), QPointF(x, y + 4))
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
        if last and self.x_label:
            painter.setFont(self._fonts["label"])
            box = QRectF(r.left(), r.bottom() + TICKS_H, r.width(), X_LABEL_H)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.x_label)

    def _paint_bar(self, painter: QPainter, bar: _Bar) -> None:
        """A vertical colour bar, high values at the top, round numbers beside it, its label."""
        r = bar.rect
        # a pixel per value, the ends exactly the colours of the levels' ends
        ratio = painter.device().devicePixelRatioF()
        flipped = np.ascontiguousarray(bar_pixels(bar.encoding, round(r.height() * ratio))[::-1])
        painter.drawImage(r, QImage(flipped.data, 1, len(flipped), 4, ARGB32))
        painter.setPen(QPen(QColor(INK), 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(r.adjusted(-0.5, -0.5, 0.5, 0.5))
        font = self._fonts["tick"]
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        lo, hi = bar.levels
        count = max(1, min(5, int(r.height() / (2.2 * metrics.height()))))
        ticks, decimals = nice_ticks(lo, hi, count)
        for value in ticks:
            y = r.bottom() - (value - lo) / (hi - lo) * r.height()
            painter.drawLine(QPointF(r.right(), y), QPointF(r.right() + 4, y))
            label = f"{value:.{decimals}f}" if value else "0"
            box = QRectF(r.right() + 6, y - metrics.height() / 2, 34, metrics.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        if bar.label:
            box = QRectF(r.right() + 40, r.top(), LABEL_W, r.height())
            painter.setPen(QColor(INK))
            draw_rotated(painter, box, bar.label, self._fonts["label"])
