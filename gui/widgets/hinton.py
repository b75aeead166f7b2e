"""Hinton diagrams: a matrix as squares whose side gives the magnitude and whose colour the sign.

The classic weight display of tlearn and SNNS: cell (r, c) of a ``(rows, cols)`` matrix holds a
square centred on the cell, with side

    side = FULL · min(1, |value| / scale) · (the cell's shorter side in pixels),

filled with the value's own colour (:mod:`gui.encoding`: red +, blue -, stronger the larger, the
colour of the same value's heatmap cell, as corrplot's "square" method draws them), and ``scale``
the encoding's magnitude, fixed per trace (or per network), so a square grows or shrinks only
when its value does. Zero cells have no square; NaN cells ("not yet computed") are filled with the
encoding's grey like a heatmap's blank cells.

The geometry is that of :class:`gui.widgets.heatmap.Heatmap`: column c at x = x0 + c, row r at
y = r, so the item can share a heatmap's plot and its ``cell_at`` lookup. All squares of one colour
are drawn with a single ``QPainter.drawRects`` call, never one graphics item per cell; the squares
stay square however the plot is stretched, because their size is worked out in device pixels.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QSizePolicy, QStyleOptionGraphicsItem, QWidget

from gui.encoding import Encoding
from gui.widgets.colormaps import BLANK, INK, sign_colours, table_brushes

#: the side of a square at full scale, as a fraction of the cell (a gap keeps neighbours apart)
FULL = 0.9
#: the fill behind the cells, so that the matrix's extent shows where squares are small
BACKGROUND = "#f4f4f4"

Square = tuple[int, int, float, int]


def as_matrix(values: NDArray[np.floating]) -> NDArray[np.floating]:
    """A parameter array as a (rows, cols) matrix: a vector becomes one column."""
    arr = np.asarray(values, dtype=np.float64)
    return arr[:, None] if arr.ndim == 1 else arr


def hinton_squares(matrix: NDArray[np.floating], encoding: Encoding) -> list[Square]:
    """The squares of a matrix: (row, col, size, sign) for every finite non-zero cell.

    size = min(1, |value| / m) (:meth:`gui.encoding.Encoding.size`), the square's side as a
    fraction of a full square; sign is +1 or -1. Cells are listed row by row.
    """
    m = as_matrix(matrix)
    size = encoding.size(m)
    with np.errstate(invalid="ignore"):
        drawn = np.isfinite(m) & (m != 0)
    rows, cols = np.nonzero(drawn)
    return [
        (int(r), int(c), float(size[r, c]), 1 if m[r, c] > 0 else -1)
        for r, c in zip(rows, cols, strict=True)
    ]


class HintonItem(pg.GraphicsObject):
    """A Hinton diagram of a ``(rows, cols)`` matrix in a ViewBox (add it to a plot).

    Call :meth:`set_grid` with the matrix shape, :meth:`set_encoding` once per trace and
    :meth:`set_values` with the values; :meth:`squares` and :meth:`blank_cells` say what is drawn.
    """

    def __init__(self) -> None:
        super().__init__()
        self.x0 = 0.0
        self.grid_shape = (0, 0)
        self.encoding = Encoding("unset", 1.0)
        self._values: NDArray[np.floating] = np.zeros((0, 0))
        self._squares: list[Square] = []
        self._blank: list[tuple[int, int]] = []
        # per colour-table row: cell centres (n, 2) and sizes (n,); rects in device units
        self._centres: dict[int, NDArray[np.floating]] = {}
        self._sizes: dict[int, NDArray[np.floating]] = {}
        self._rects: dict[int, list[QRectF]] = {}
        self._rects_for: tuple[float, float] | None = None
        self._background = QBrush(QColor(BACKGROUND))
        self._blank_brush = QBrush(QColor(BLANK))
        self.setZValue(5)  # above a heatmap's image and blank rectangle sharing the plot

    # -- what to draw -----------------------------------------------------------------------------
    def set_grid(self, rows: int, cols: int, x0: float = 0.0) -> None:
        """Place cell (r, c) at x = x0 + c, y = r (a heatmap's (n_x, n_y) = (cols, rows))."""
        self.prepareGeometryChange()
        self.x0, self.grid_shape = float(x0), (int(rows), int(cols))
        self._values = np.full(self.grid_shape, np.nan)
        self._update()

    @property
    def full_scale(self) -> float:
        """The magnitude drawn as a full square: the encoding's."""
        return self.encoding.magnitude

    def set_encoding(self, encoding: Encoding) -> None:
        """The squares' colours and sizes (fixed per trace, so squares stay comparable)."""
        if encoding != self.encoding:
            self.encoding = encoding
            self._update()

    def set_values(self, values: NDArray[np.floating]) -> None:
        """Draw ``values`` (rows, cols) - a vector as one column - NaN for blank cells.

        Values equal to those drawn leave the item untouched (no repaint).
        """
        m = as_matrix(values)
        if m.shape != self.grid_shape:
            raise ValueError(f"matrix of shape {m.shape} on a Hinton grid of {self.grid_shape}")
        if np.array_equal(m, self._values, equal_nan=True):
            return
        self._values = m.copy()
        self._update()

    def _update(self) -> None:
        self._squares = hinton_squares(self._values, self.encoding) if self._values.size else []
        rows, cols = np.nonzero(np.isnan(self._values))
        self._blank = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]
        colours = self.encoding.index([self._values[s[0], s[1]] for s in self._squares])
        self._centres, self._sizes = {}, {}
        for colour in np.unique(colours).tolist():
            mine = [s for s, k in zip(self._squares, colours, strict=True) if k == colour]
            self._centres[colour] = np.array(
                [(self.x0 + c, r) for r, c, _, _ in mine], dtype=np.float64
            ).reshape(-1, 2)
            self._sizes[colour] = np.array([s[2] for s in mine], dtype=np.float64)
        self._rects_for = None
        self.update()

    # -- reading ----------------------------------------------------------------------------------
    def shown(self) -> NDArray[np.floating]:
        """A copy of the (rows, cols) matrix drawn (NaN where blank)."""
        return self._values.copy()

    def squares(self) -> list[Square]:
        """The squares drawn: (row, col, size, sign), size = min(1, |value| / scale)."""
        return list(self._squares)

    def blank_cells(self) -> list[tuple[int, int]]:
        """The (row, col) cells filled grey: NaN, not yet computed."""
        return list(self._blank)

    # -- painting ---------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        rows, cols = self.grid_shape
        return QRectF(self.x0 - 0.5, -0.5, cols, rows)

    def _device_rects(self, sx: float, sy: float) -> dict[int, list[QRectF]]:
        """Squares in item units for a view scale of (sx, sy) pixels per cell."""
        if self._rects_for != (sx, sy):
            px = FULL * min(sx, sy)  # a full square's side in pixels
            out: dict[int, list[QRectF]] = {}
            for colour, centres in self._centres.items():
                w = self._sizes[colour] * (px / sx)
                h = self._sizes[colour] * (px / sy)
                out[colour] = [
                    QRectF(x - wi / 2, y - hi / 2, wi, hi)
                    for (x, y), wi, hi in zip(centres.tolist(), w.tolist(), h.tolist(), strict=True)
                ]
            self._rects, self._rects_for = out, (sx, sy)
        return self._rects

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        if not self.grid_shape[0] or not self.grid_shape[1]:
            return
        painter.setPen(QPen(Qt.PenStyle.NoPen))
        painter.setBrush(self._background)
        painter.drawRect(self.boundingRect())
        if self._blank:
            painter.setBrush(self._blank_brush)
            painter.drawRects(
                [QRectF(self.x0 + c - 0.5, r - 0.5, 1.0, 1.0) for r, c in self._blank]
            )
        t = painter.deviceTransform()
        sx = float(np.hypot(t.m11(), t.m12())) or 1.0
        sy = float(np.hypot(t.m21(), t.m22())) or 1.0
        brushes = table_brushes(self.encoding.gamma)
        for colour, rects in self._device_rects(sx, sy).items():
            if rects:
                painter.setBrush(brushes[colour])
                painter.drawRects(rects)


class HintonKey(pg.GraphicsWidget):
    """A one-line legend: "■ + ■ −  side = |value| / <scale>", painted under a Hinton diagram."""

    def __init__(self) -> None:
        super().__init__()
        self._font = QFont()
        self._font.setPointSizeF(8.0)
        self._text = ""
        self.encoding = Encoding("unset", 1.0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsToShape, True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # fixed per trace
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(QSizeF(60, 18))
        self.setMaximumHeight(18)
        self.set_encoding(self.encoding)

    def set_encoding(self, encoding: Encoding) -> None:
        """The diagrams' encoding: the key's sign colours and its scale."""
        text = f"side = |value| / {encoding.magnitude:.3g}"
        if (text, encoding) != (self._text, self.encoding):
            self._text, self.encoding = text, encoding
            self.update()

    def text(self) -> str:
        """The legend's words ("+", "−" next to the coloured squares, then the scale)."""
        return f"■ + ■ − {self._text}"

    def swatch_rects(self) -> tuple[QRectF, QRectF]:
        """The "+" and the "−" square, in item coordinates."""
        return key_swatches(self.boundingRect(), self._font)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        paint_key(painter, self.boundingRect(), self._font, self._text, self.encoding)


def fitting_scale_text(text: str, metrics: QFontMetrics | QFontMetricsF, width: float) -> str:
    """The longest form of a key's "side = |value| / s" that fits: that, "|v| / s", "/ s" or ""."""
    scale = text.rsplit("/ ", 1)[-1]
    for shown in (text, f"|v| / {scale}", f"/ {scale}"):
        if metrics.horizontalAdvance(shown) <= width:
            return shown
    return ""


def paint_key(painter: QPainter, rect: QRectF, font: QFont, text: str, encoding: Encoding) -> None:
    """A Hinton key in ``rect``: "■ + ■ −" in the colours of +m and -m of the encoding, then as
    much of ``text`` ("side = |value| / s") as fits."""
    painter.save()
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    baseline = rect.center().y() + metrics.ascent() / 2 - 1
    swatches = key_swatches(rect, font)
    for color, label, swatch in zip(sign_colours(encoding), ("+", "−"), swatches, strict=True):
        painter.setPen(QPen(Qt.PenStyle.NoPen))
        painter.setBrush(QBrush(color))
        painter.drawRect(swatch)
        painter.setPen(QColor(INK))
        painter.drawText(QPointF(swatch.right() + 2, baseline), label)
    x = swatches[1].right() + 2 + metrics.horizontalAdvance("−") + 6
    painter.drawText(QPointF(x, baseline), fitting_scale_text(text, metrics, rect.right() - x - 2))
    painter.restore()


def key_swatches(rect: QRectF, font: QFont) -> tuple[QRectF, QRectF]:
    """Where a key in ``rect`` draws its "+" and its "−" square (:func:`paint_key`)."""
    metrics = QFontMetricsF(font)
    box = 9.0
    x, mid = rect.left() + 4.0, rect.center().y()
    plus = QRectF(x, mid - box / 2, box, box)
    x += box + 2 + metrics.horizontalAdvance("+") + 6
    return plus, QRectF(x, mid - box / 2, box, box)
