"""Heatmaps of units over time, stacked on one time axis and painted by one widget.

The activations and deltas panels show a units x time heatmap per layer, a colour bar beside them
and an outline around the cursor's step, and a cursor step changes a column or two of them. As
pyqtgraph plots, each repaint of that column went through Python paint and bounds calls for every
plot, axis, label and image item of the canvas. Here one widget draws the rows with ``QPainter``:

- what changes only with the trace, the notation or the size (titles, axes, colour bars and their
  labels) is drawn once into a pixmap;
- a step repaints only the columns whose values changed and the cursor's old and new column: one
  copy of the row's image (its cells scaled to the row's size once, then recoloured column by
  column) under a one-rectangle clip.

A row keeps the array it shows (``set_known``: a trace's array and the range of its known rows,
not a copy), so that a cursor step moves a range instead of copying T x H values. A time axis of
more than ``MAX_STEPS`` steps is shown as a window of that many steps around the cursor
(:mod:`gui.widgets.time_window`); images are made for the steps of the window only.

Geometry: the rows share the time axis, t from ``t_range[0]`` (left) to ``t_range[1]`` (right):
the whole axis, or the window of it shown.
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
from gui.widgets.time_window import MAX_STEPS, follow

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
    """A row's values, its image and its rectangle in the widget.

    ``source`` (n_x, n_y) is what the row shows in rows ``known`` = [lo, hi) of it, times
    ``scale``, and blank elsewhere; ``cells`` = [i0, i1) are the cells in the window shown.
    """

    def __init__(self, row: TimeRow) -> None:
        self.row = row
        self.source: NDArray[np.floating] | None = None
        self.known = (0, 0)
        self.scale = 1.0
        self.cells = (0, row.n_x)
        self.rect = QRectF()  # the cells' area, widget coordinates
        self.title = ""
        self.title_h = float(TITLE_H)  # one line or two (the grid's relayout decides)
        self.label = ""
        self._image: QImage | None = None
        self._pixels: NDArray[np.uint32] = np.zeros((0, 0), np.uint32)
        self._cols: NDArray[np.intp] = np.zeros(0, np.intp)  # each pixel column's cell
        self._rows: NDArray[np.intp] = np.zeros(0, np.intp)  # each pixel row's unit

    @property
    def values(self) -> NDArray[np.floating]:
        """(cells shown, n_y) the values drawn, NaN where blank."""
        return self.cell_values(*self.cells)

    def cell_values(self, i0: int, i1: int) -> NDArray[np.floating]:
        """(i1 - i0, n_y) the values of cells i0..i1-1, NaN where blank."""
        out = np.full((i1 - i0, self.row.n_y), np.nan)
        lo, hi = max(self.known[0], i0), min(self.known[1], i1)
        if self.source is not None and hi > lo:
            part = self.source[lo:hi]
            out[lo - i0 : hi - i0] = part if self.scale == 1.0 else part * self.scale
        return out

    def forget(self) -> None:
        self._image = None

    def image(self, bar: _Bar, ratio: float) -> QImage:
        """The cells shown at the size of the row's rectangle in device pixels: device pixel
        (c, r) shows cell ``(⌊(c + ½) · n / width⌋, ⌊(r + ½) · n_y / height⌋)`` of the n shown.

        Scaled here once per change, so that a repaint only copies pixels: Qt's scaled
        ``drawImage`` under a clip can pick a neighbouring cell for a pixel on a cell's
        border, and a repaint of one column then differs from a repaint of the whole row.
        """
        width = max(1, round(self.rect.width() * ratio))
        height = max(1, round(self.rect.height() * ratio))
        if self._image is None or (self._image.width(), self._image.height()) != (width, height):
            values = self.values
            n_x, n_y = values.shape
            # one uint32 per pixel: indexing whole pixels is far faster than their bytes
            cells32 = encoded_pixels(bar.encoding, values.T)
            self._cols = ((np.arange(width) + 0.5) * (n_x / width)).astype(np.intp)
            self._rows = ((np.arange(height) + 0.5) * (n_y / height)).astype(np.intp)
            self._pixels = np.ascontiguousarray(cells32[self._rows][:, self._cols])
            self._image = QImage(self._pixels.data, width, height, 4 * width, ARGB32)
            self._image.setDevicePixelRatio(ratio)
        return self._image

    def recolour(self, bar: _Bar, i0: int, i1: int) -> None:
        """Colour the pixels of the shown cells i0..i1-1 (relative to the first shown) afresh
        in the image, if there is one (the pixels that a full redraw would give them)."""
        if self._image is None:
            return
        p0, p1 = np.searchsorted(self._cols, [i0, i1])  # the pixel columns of those cells
        if p1 <= p0:
            return
        first = self.cells[0]
        cells32 = encoded_pixels(bar.encoding, self.cell_values(first + i0, first + i1).T)
        self._pixels[:, p0:p1] = cells32[self._rows][:, self._cols[p0:p1] - i0]


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
        self.t_range = (-0.5, 0.5)  # the time shown: the whole axis or a window of it
        self.x_ticks: Ticks = ()
        self.max_steps = MAX_STEPS  # a longer axis is shown as a window this long
        self._axis = (0, 0)  # the steps of the whole time axis (first, last)
        self._axis_ticks: Ticks = ()  # the ticks given for the whole axis
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
        metrics = QFontMetricsF(self._fonts["tick"])
        widest = max(
            (metrics.horizontalAdvance(label) for row in self.rows for _, label in row.y_ticks),
            default=0.0,
        )
        self._axis_w = min(max(widest + 10, AXIS_W[0]), AXIS_W[1])
        self._axis = (math.ceil(t_range[0]), math.floor(t_range[1]))
        self._axis_ticks = tuple(x_ticks)
        self._show_steps(follow(None, self._axis[0], *self._axis, self.max_steps))

    def _show_steps(self, window: tuple[int, int]) -> None:
        """Show steps window[0]..window[1] of the time axis (all of it, or a window)."""
        first, last = window
        if window == self._axis:
            self.x_ticks = self._axis_ticks
        else:
            n = last - first + 1  # every step: the axis draws the subset that fits
            self.x_ticks = tuple(index_ticks(n, first=first, offset=first, max_labels=n)[0])
        self.t_range = (first - 0.5, last + 0.5)
        for plot in self.plots.values():
            x0, n_x = plot.row.x0, plot.row.n_x
            i0, i1 = min(max(0, first - x0), n_x), max(0, min(n_x, last - x0 + 1))
            plot.cells = (i0, max(i0, i1))
        self._relayout()

    def steps_shown(self) -> tuple[int, int]:
        """The steps (first, last) shown: the whole time axis, or a window of it around the
        cursor when it has more than ``max_steps`` steps."""
        return math.ceil(self.t_range[0]), math.floor(self.t_range[1])

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
        """Draw ``values`` (n_x, n_y) (a copy), NaN for blank cells; repaints only the columns
        that changed (none when all are equal)."""
        plot = self.plots[key]
        values = np.array(values, dtype=np.float64)
        shape = (plot.row.n_x, plot.row.n_y)
        if values.shape != shape:
            raise ValueError(f"values of shape {values.shape} for row {key!r} of shape {shape}")
        i0, i1 = plot.cells
        old, new = plot.values, values[i0:i1]
        same = (old == new) | (np.isnan(old) & np.isnan(new))
        moved = np.flatnonzero(~same.all(axis=1))
        plot.source, plot.known, plot.scale = values, (0, shape[0]), 1.0
        if len(moved):
            self._recolour(plot, i0 + int(moved[0]), i0 + int(moved[-1]) + 1)

    def set_known(
        self, key: str, source: NDArray[np.floating], lo: int, hi: int, scale: float = 1.0
    ) -> None:
        """Draw rows lo..hi-1 of ``source`` (n_x, n_y) times ``scale``, the other cells blank.

        The grid keeps ``source`` itself (a read-only array such as the trace's), so that a
        cursor step only moves lo and hi: it recolours and repaints the cells whose rows entered
        or left the range. Another array or scale repaints the whole row.
        """
        plot = self.plots[key]
        n_x = plot.row.n_x
        if source.shape != (n_x, plot.row.n_y):
            raise ValueError(f"values of shape {source.shape} for row {key!r}")
        lo, hi = max(0, lo), min(n_x, hi)
        hi = max(lo, hi)
        if source is not plot.source or scale != plot.scale:
            plot.source, plot.known, plot.scale = source, (lo, hi), float(scale)
            plot.forget()
            self._recolour(plot, 0, n_x)
            return
        (a0, a1), plot.known = plot.known, (lo, hi)
        if a1 <= a0 or hi <= lo:  # one of the ranges is empty: the other one changed
            changed = [(a0, a1), (lo, hi)]
        else:  # the rows at either end that are in one range only
            changed = [(min(a0, lo), max(a0, lo)), (min(a1, hi), max(a1, hi))]
        for r0, r1 in changed:
            if r1 > r0:
                self._recolour(plot, r0, r1)

    def _recolour(self, plot: _Plot, r0: int, r1: int) -> None:
        """Rows r0..r1-1 of the row's array changed: recolour and repaint those shown."""
        i0, i1 = plot.cells
        c0, c1 = max(r0, i0), min(r1, i1)
        if c1 <= c0:
            return
        plot.recolour(self.bars[plot.row.bar], c0 - i0, c1 - i0)
        x0 = plot.row.x0
        self._repaint(self._columns_rect(plot, x0 + c0, x0 + c1 - 1).toAlignedRect())

    def set_cursor(self, t: int | None) -> None:
        """Outline the column of step t in every row that has it (None: no outline). On a long
        time axis the window shown moves to centre on t when t leaves it."""
        if t is not None:
            window = follow(self.steps_shown(), t, *self._axis, self.max_steps)
            if window != self.steps_shown():
                self.cursor_step = t
                self._show_steps(window)
                return
        if t == self.cursor_step:
            return
        for step in (self.cursor_step, t):
            if step is not None:
                self._repaint(self._cursor_area(step))
        self.cursor_step = t

    # -- what is drawn ----------------------------------------------------------------------------
    def shown(self, key: str) -> NDArray[np.floating]:
        """A copy of the values a row draws, (steps shown, n_y), NaN where blank: all n_x steps,
        or those of the window shown (:meth:`steps_shown`)."""
        return self.plots[key].values

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
            n_x, n_y = plot.cells[1] - plot.cells[0], plot.row.n_y
            i = math.floor((pos.x() - r.left()) * n_x / r.width())
            j = math.floor((pos.y() - r.top()) * n_y / r.height())
            if 0 <= i < n_x and 0 <= j < n_y:
                return key, plot.row.x0 + plot.cells[0] + i, j
        return None

    def pos_of(self, key: str, t: int, unit: int) -> QPointF:
        """The widget position of the centre of the cell of step t and ``unit``."""
        plot = self.plots[key]
        n_x, n_y = plot.cells[1] - plot.cells[0], plot.row.n_y
        r = plot.rect
        i = t - plot.row.x0 - plot.cells[0]
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
            first, stop = (row.x0 + i for i in plot.cells)  # the steps shown
            x_left, x_right = self._x_of(first - 0.5), self._x_of(stop - 0.5)
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
        """Whether the row shows step t."""
        return plot.cells[0] <= t - plot.row.x0 < plot.cells[1]

    def _columns_rect(self, plot: _Plot, first: int, last: int) -> QRectF:
        """The cells of steps first..last of a row, in widget coordinates."""
        n_x = plot.cells[1] - plot.cells[0]
        r = plot.rect
        w = r.width() / max(n_x, 1)
        i0, i1 = (t - plot.row.x0 - plot.cells[0] for t in (first, last))
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
        n_y = max(plot.row.n_y, 1)
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
        subset of ``x_ticks``, as :meth:`unit_labels`), without one that would reach the colour
        bars (a six-digit last step of a long sequence's window is wider than the gap)."""
        r = self.plots[key].rect
        metrics = QFontMetricsF(self._fonts["tick"])
        lo, hi = self.t_range
        pixels = (self._x_of(hi) - self._x_of(lo)) / max(hi - lo, 1e-12)
        ticks = [(float(t), label) for t, label in self.x_ticks]
        right = self._x_of(hi) + BAR_GAP - 2  # where the colour bars begin, less a little air
        out = []
        for t, label in readable_ticks(ticks, pixels, metrics.horizontalAdvance):
            x, w = self._x_of(t), metrics.horizontalAdvance(label) + 2
            if x + w / 2 <= right:
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
