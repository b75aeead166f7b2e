"""A heatmap in a pyqtgraph plot: one array of cells, a cursor line, index ticks, cell lookup.

Arrays are drawn with time (or the sending unit) along x and units along y, first unit at the top,
as one :class:`pyqtgraph.ImageItem` - never one item per cell - so that a cursor step costs one
``setImage`` (``autoLevels=False``, levels fixed per trace) or nothing at all. Array convention:
shape ``(n_x, n_y)``, time first like ``Trace.h``. Values are coloured by a
:class:`gui.encoding.Encoding` (:meth:`Heatmap.set_encoding`, NaN cells in its "not yet computed"
grey), or by a pyqtgraph colour map and levels, whose NaN cells are transparent over the same grey.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from gui.encoding import Encoding
from gui.widgets.colormaps import ARGB32, BLANK, CURSOR, INK, encoded_pixels, to_argb32
from gui.widgets.plots import LitePlot
from gui.widgets.ticks import nice_stride

Ticks = list[list[tuple[float, str]]]


def index_ticks(
    n: int, *, first: int = 1, offset: float = 0.0, names: Sequence[str] = (), max_labels: int = 12
) -> Ticks:
    """Ticks for n cells centred at offset, offset+1, ...: names, or indices from ``first``.

    With more than ``max_labels`` cells, every stride-th is labelled (stride 1, 2, 5, 10, 20, ...),
    at indices that are multiples of the stride, and the first index when it is not too close.
    """
    stride = nice_stride(n, max_labels)
    keep = list(range((-first) % stride, n, stride))  # (first + i) % stride == 0
    if stride > 1 and (not keep or keep[0] > stride / 2):
        keep.insert(0, 0)
    return [[(offset + i, names[i] if i < len(names) else str(first + i)) for i in keep], []]


def style_plot(plot: pg.PlotItem) -> None:
    """Dark text and axes on a white canvas; no mouse panning or zooming, no context menu."""
    for side in ("left", "bottom", "top", "right"):
        axis = plot.getAxis(side)
        axis.setPen(INK)
        axis.setTextPen(INK)
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # static between steps
        axis.enableAutoSIPrefix(False)  # one scale per axis: no "(x0.001)" coming and going
    plot.hideButtons()
    plot.setMenuEnabled(False)
    plot.getViewBox().setMouseEnabled(x=False, y=False)


def masked_rows(full: NDArray[np.floating], lo: int, hi: int) -> NDArray[np.floating]:
    """A copy of ``full`` with rows outside ``lo:hi`` (the unknown time steps) set to NaN."""
    out = np.full(full.shape, np.nan, dtype=np.float64)
    lo, hi = max(lo, 0), min(hi, len(full))
    if hi > lo:
        out[lo:hi] = full[lo:hi]
    return out


def argb_table(lut: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A colour map's (n, 3) or (n, 4) uint8 RGB(A) lookup table as (n, 4) premultiplied ARGB32
    pixel bytes (:func:`gui.widgets.colormaps.to_argb32`), opaque where it has no alpha."""
    rgba = np.full((len(lut), 4), 255, np.uint8)
    rgba[:, : lut.shape[1]] = lut[:, :4]
    return to_argb32(rgba)


def lut_argb(
    image: NDArray[np.floating],
    levels: Sequence[float],
    table: NDArray[np.uint8],
    nan: NDArray[np.uint8] | None = None,
) -> NDArray[np.uint8]:
    """Colour a 2-d float image (rows, cols) by an (n, 4) ARGB32 table (:func:`argb_table`):

        index = clip(⌊(v - lo) · n / (hi - lo)⌋, 0, n - 1),   pixel = table[index],

    pyqtgraph's rounding. NaN cells get the pixel ``nan`` (default: transparent). Returns a
    C-contiguous (rows, cols, 4) uint8 array, the bytes of an :data:`ARGB32` image.
    """
    lo, hi = float(levels[0]), float(levels[1])
    n = len(table)
    scale = n / (hi - lo if hi != lo else 1.0)
    nans = np.isnan(image)
    scaled = np.where(nans, lo, image) - lo
    scaled *= scale
    np.clip(scaled, 0, n - 1, out=scaled)
    pixels = table[scaled.astype(np.intp)]
    pixels[nans] = 0 if nan is None else nan
    return np.ascontiguousarray(pixels)


class LutImage(pg.ImageItem):
    """An ImageItem that colours a float image with a precomputed RGBA table in numpy.

    ``ImageItem.render`` rebuilds a 256-entry Qt colour table (one ``qRgb`` call per entry) on
    every ``setImage``; here the table is made once - the encoding's
    (:func:`gui.widgets.colormaps.encoded_pixels`) after :meth:`set_encoding`, else the colour
    map's, looked up by :func:`lut_argb` - into an :data:`~gui.widgets.colormaps.ARGB32` image,
    which draws about ten times faster than pyqtgraph's RGBA8888. Other images (integer or
    multi-channel ones) fall back to ``ImageItem.render``.
    """

    image: NDArray[Any] | None  # ImageItem's array (set by ``setImage``)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._lut_source: NDArray[np.uint8] | None = None
        self._argb: NDArray[np.uint8] = np.zeros((0, 4), np.uint8)
        self._pixels: NDArray[np.uint8] = np.zeros((0, 0, 4), np.uint8)
        self.encoding: Encoding | None = None

    def set_encoding(self, encoding: Encoding) -> None:
        """Colour the values by ``encoding`` (its levels become the item's)."""
        if encoding != self.encoding:
            self.encoding = encoding
            self.setLevels(np.array(encoding.levels))  # marks the image for a new render

    def _table(self) -> NDArray[np.uint8] | None:
        """The colour map as an (n, 4) ARGB32 table (None without an array colour map)."""
        lut = self.lut
        if not isinstance(lut, np.ndarray) or lut.dtype != np.uint8 or lut.ndim != 2:
            return None
        if lut is not self._lut_source:
            self._lut_source, self._argb = lut, argb_table(lut)
        return self._argb

    def set_values(self, values: NDArray[np.floating], first: int, last: int) -> None:
        """A new array of the same shape, of which only x columns first..last differ.

        Only those columns are marked for repaint (``setImage`` marks the whole image, and with
        it everything drawn over or under it), so a forward step that adds one time step to a
        heatmap repaints one column. Shape changes go through ``setImage``.
        """
        if self.image is None or self.image.shape != values.shape or self.axisOrder != "col-major":
            self.setImage(values, autoLevels=False)
            return
        self.image = np.asarray(values).view()
        self._imageHasNans = None
        self._imageNanLocations = None
        self._renderRequired = True
        self.update(QRectF(first, 0.0, last - first + 1.0, float(values.shape[1])))
        self.sigImageChanged.emit()

    def render(self) -> None:
        image, levels = self.image, self.levels
        if self.encoding is not None and image is not None and image.ndim == 2:
            if self.axisOrder == "col-major":
                image = image.T
            pixels = encoded_pixels(self.encoding, image)
            self._pixels = np.ascontiguousarray(pixels).view(np.uint8).reshape(*pixels.shape, 4)
            self.qimage = pg.functions.ndarray_to_qimage(self._pixels, ARGB32)
            self._renderRequired = False
            self._unrenderable = False
            return
        table = self._table()
        if (
            image is None
            or image.size == 0
            or image.ndim != 2
            or image.dtype.kind != "f"
            or levels is None
            or np.ndim(levels) != 1
            or table is None
        ):
            super().render()
            return
        if self.axisOrder == "col-major":
            image = image.T
        self._pixels = lut_argb(image, levels, table)  # the QImage shares this memory
        self.qimage = pg.functions.ndarray_to_qimage(self._pixels, ARGB32)
        self._renderRequired = False
        self._unrenderable = False


class Heatmap:
    """Cells of an ``(n_x, n_y)`` array in a :class:`LitePlot`: x at ``x0, x0+1 ..``, y at ``0 ..``.

    Parameters
    ----------
    cursor : whether to outline the cursor's column (the current time step).

    Add ``heatmap.plot`` to a ``GraphicsLayout`` to show it.
    """

    def __init__(self, *, cursor: bool = True) -> None:
        self.plot = plot = LitePlot()
        self.image = LutImage(axisOrder="col-major")
        plot.addItem(self.image)
        box = plot.getViewBox()
        box.invertY(True)
        box.setDefaultPadding(0.0)
        # grey behind the cells: NaN cells are transparent, so "not yet computed" shows grey
        self.blank = QGraphicsRectItem()
        self.blank.setPen(QPen(Qt.PenStyle.NoPen))
        self.blank.setBrush(QBrush(QColor(BLANK)))
        self.blank.setZValue(-10)
        plot.addItem(self.blank, ignoreBounds=True)
        # the cursor's step: an outline around its column of cells
        self.cursor_item: QGraphicsRectItem | None = None
        if cursor:
            self.cursor_item = QGraphicsRectItem()
            pen = QPen(QColor(CURSOR), 2.5)
            pen.setCosmetic(True)
            self.cursor_item.setPen(pen)
            self.cursor_item.setZValue(10)
            plot.addItem(self.cursor_item, ignoreBounds=True)
        self.x0 = 0.0
        self.shape = (0, 0)
        self._rect = QRectF(-0.5, -0.5, 1, 1)

    def set_grid(self, n_x: int, n_y: int, x0: float = 0.0) -> None:
        """Place cells (i, j) at x = x0 + i, y = j and fit the view to them exactly."""
        self.x0, self.shape = float(x0), (int(n_x), int(n_y))
        self._rect = QRectF(x0 - 0.5, -0.5, n_x, n_y)
        self.image.setRect(self._rect)
        self.blank.setRect(self._rect)
        self.plot.setXRange(x0 - 0.5, x0 + n_x - 0.5, padding=0)
        self.plot.setYRange(-0.5, n_y - 0.5, padding=0)

    def set_levels(self, levels: tuple[float, float]) -> None:
        self.image.setLevels((float(levels[0]), float(levels[1])))

    def set_encoding(self, encoding: Encoding) -> None:
        """Colour the cells by ``encoding`` (the views' shared colours, :mod:`gui.encoding`)."""
        self.image.set_encoding(encoding)

    def set_values(self, values: NDArray[np.floating]) -> None:
        """Draw ``values`` (n_x, n_y), NaN for blank cells; the colour levels stay fixed.

        Values equal to those drawn (as in a forward sweep, where gradients stay blank) leave the
        image untouched, so it is neither re-coloured nor repainted.
        """
        old = self.image.image
        if old is None or old.shape != values.shape:
            self.image.setImage(values, autoLevels=False)
            self.image.setRect(self._rect)  # the rect scales by the image size: set it again
            return
        same = (old == values) | (np.isnan(old) & np.isnan(values))
        moved = np.flatnonzero(~same.all(axis=1))  # the x (time) columns whose values changed
        if len(moved):
            self.image.set_values(values, first=int(moved[0]), last=int(moved[-1]))

    def shown(self) -> NDArray[np.floating]:
        """A copy of the array the image currently draws (empty before the first ``set_values``)."""
        image = self.image.image
        return np.empty((0, 0)) if image is None else np.array(image, dtype=np.float64)

    def set_cursor(self, x: float | None) -> None:
        """Outline the column of cells at x, or hide the outline (None)."""
        if self.cursor_item is None:
            return
        self.cursor_item.setVisible(x is not None)
        if x is not None:
            self.cursor_item.setRect(QRectF(float(x) - 0.5, -0.5, 1.0, self.shape[1]))

    def cursor_x(self) -> float | None:
        """The x of the outlined column (None when hidden)."""
        if self.cursor_item is None or not self.cursor_item.isVisible():
            return None
        return float(self.cursor_item.rect().center().x())

    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """The cell (i, j) under a scene position, or None outside the cells."""
        box = self.plot.getViewBox()
        if not box.sceneBoundingRect().contains(scene_pos):
            return None
        p = box.mapSceneToView(scene_pos)
        i, j = round(p.x() - self.x0), round(p.y())
        if 0 <= i < self.shape[0] and 0 <= j < self.shape[1]:
            return i, j
        return None

    def scene_pos_of(self, i: int, j: int) -> QPointF:
        """The scene position of the centre of cell (i, j) (for tests and tooltips)."""
        return self.plot.getViewBox().mapViewToScene(QPointF(self.x0 + i, j))


def color_bar(
    cmap: pg.ColorMap, levels: tuple[float, float], label: str = "", horizontal: bool = False
) -> pg.ColorBarItem:
    """A non-interactive colour bar (the levels are fixed per trace, not dragged)."""
    bar = pg.ColorBarItem(
        values=(float(levels[0]), float(levels[1])),
        colorMap=cmap,
        interactive=False,
        width=14,
        orientation="horizontal" if horizontal else "vertical",
        colorMapMenu=False,
    )
    for side in ("left", "bottom", "top", "right"):
        axis = bar.getAxis(side)
        axis.setPen(INK)
        axis.setTextPen(INK)
        axis.enableAutoSIPrefix(False)  # plain numbers, not "(x0.001)" scaled ticks
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # fixed per trace
    bar.bar.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    if label:
        bar.getAxis("bottom" if horizontal else "right").setLabel(label, color=INK)
    # room for the end labels, so that neighbouring bars' numbers do not collide
    bar.layout.setContentsMargins(0, 0, 8, 0) if horizontal else bar.layout.setContentsMargins(
        0, 10, 0, 10
    )
    return bar
