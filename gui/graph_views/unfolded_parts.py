"""Pieces of the unfolded view that do not depend on the session: axes, heatmap strips, bundles.

Level of detail: a few thousand edges are drawn one by one (grouped by pen into a handful of
``PlotCurveItem``s with ``connect="pairs"``); beyond that, or when a column is too narrow to see
them, every layer becomes a heatmap strip (one ``ImageItem`` per layer, a cell per node) and the
U, W, V edges of a step become one bundled band each (one ``QGraphicsPathItem`` for all steps).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from core.graphs import UNFOLDED_LAYERS
from gui.widgets.colormaps import ARGB32, to_argb32

#: half the width of a node strip in bundled mode, in columns
STRIP = 0.25
#: how far a bundle narrows in its middle (fraction of its ends)
WAIST = 0.4


class StepAxis(pg.AxisItem):
    """The top axis: column headers ``t = 0 .. T`` at whole steps, spaced to stay readable."""

    def __init__(self) -> None:
        super().__init__("top")
        self._T = 0

    def set_T(self, T: int) -> None:
        self._T = int(T)
        self.picture = None
        self.update()

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        if size <= 0 or maxVal <= minVal:
            return [(1.0, 0.0)]
        per_label = 62.0 * (maxVal - minVal) / size  # columns one label needs
        step = 1.0
        for mult in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
            step = float(mult)
            if step >= per_label:
                break
        return [(step, 0.0)]

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        out = []
        for spacing, values in super().tickValues(minVal, maxVal, size):
            keep = [v for v in values if -1e-9 <= v <= self._T + 1e-9]
            out.append((spacing, keep))
        return out

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"t = {round(v)}" for v in values]

    def visible_strings(self) -> list[str]:
        """The headers currently drawn (for tests)."""
        lo, hi = self.range
        ticks = self.tickValues(lo, hi, self.width() or 1)
        values = [v for _, vs in ticks for v in vs]
        return self.tickStrings(values, 1.0, 1.0)


def nice_step(need: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 ... that is at least ``need``."""
    if need <= 1:
        return 1
    exp = 10 ** math.floor(math.log10(need))
    for m in (1, 2, 5, 10):
        if m * exp >= need:
            return int(m * exp)
    return int(10 * exp)


def strip_pixels(lut: NDArray[np.uint8]) -> NDArray[np.uint32]:
    """A (levels, 4) RGBA colour table as ARGB32 pixels, one uint32 per level, with a fully
    transparent pixel appended (the table :func:`strip_image` looks colours up in)."""
    return np.append(to_argb32(lut).view(np.uint32).ravel(), np.uint32(0))


def strip_image(
    rows_by_t: NDArray[np.intp], first_t: int, T: int, gaps: bool, table: NDArray[np.uint32]
) -> tuple[NDArray[np.uint8], float, float]:
    """A layer's heatmap as a row-major image of ARGB32 pixels (:class:`ArgbImage`), and its x
    extent.

    ``rows_by_t`` is (steps, units): the colour-table row of each node for steps first_t..T;
    ``table`` the colour table's pixels (:func:`strip_pixels`). The image has one row per unit
    (unit 0 on top, i.e. the last row, since the view's y axis points up) and one column per
    step 0..T (transparent where the layer has no node), or two with ``gaps`` (the second
    transparent, so that the bundles between the columns show). Colours are looked up as one
    uint32 per pixel, which is ten times faster than indexing an (levels, 4) table. Returns
    (image, x0, width).
    """
    clear = len(table) - 1  # fully transparent
    steps, units = rows_by_t.shape
    per_step = 2 if gaps else 1
    index = np.full((units, per_step * (T + 1)), clear, np.intp)
    cols = per_step * np.arange(first_t, first_t + steps)
    index[:, cols] = rows_by_t.T[::-1]  # unit 0 in the last row
    image = table[index].view(np.uint8).reshape(units, per_step * (T + 1), 4)
    return image, (-STRIP if gaps else -0.5), float(T + 1)


class ArgbImage(pg.ImageItem):
    """An ImageItem of premultiplied ARGB32 pixel bytes (rows, cols, 4), drawn as they are.

    pyqtgraph makes an RGBA8888 ``QImage`` of a uint8 RGBA image, which the raster engine
    converts pixel by pixel at every scaled paint (see :data:`gui.widgets.colormaps.ARGB32`).
    Other images fall back to ``ImageItem.render``.
    """

    def render(self) -> None:
        image = self.image
        if (
            image is None
            or image.dtype != np.uint8
            or image.ndim != 3
            or image.shape[2] != 4
            or self.axisOrder != "row-major"
        ):
            super().render()
            return
        self._pixels = np.ascontiguousarray(image)  # the QImage shares this memory
        self.qimage = pg.functions.ndarray_to_qimage(self._pixels, ARGB32)
        self._renderRequired = False
        self._unrenderable = False


def _waisted(x0: float, x1: float, lo: float, hi: float, vertical: bool) -> QPolygonF:
    """A band from one strip to another that narrows in the middle (reads as a bundle)."""
    if vertical:  # from (x0..x1, lo) up to (x0..x1, hi)
        xm, w = (x0 + x1) / 2, (x1 - x0) / 2 * WAIST
        ym = (lo + hi) / 2
        pts = [(x0, lo), (xm - w, ym), (x0, hi), (x1, hi), (xm + w, ym), (x1, lo)]
    else:  # from (x0, lo..hi) right to (x1, lo..hi)
        ym, h = (lo + hi) / 2, (hi - lo) / 2 * WAIST
        xm = (x0 + x1) / 2
        pts = [(x0, lo), (xm, ym - h), (x1, lo), (x1, hi), (xm, ym + h), (x0, hi)]
    return QPolygonF([QPointF(x, y) for x, y in pts])


def w_bundle(t: int, band: tuple[float, float]) -> QPolygonF:
    """The bundled W edges h(t-1) -> h(t) between the hidden strips of columns t-1 and t."""
    return _waisted(t - 1 + STRIP, t - STRIP, band[0] - 0.5, band[1] + 0.5, vertical=False)


def jordan_bundle(t: int, y_band: tuple[float, float], h_band: tuple[float, float]) -> QPolygonF:
    """A Jordan network's bundled W edges y(t-1) -> h(t): from the output strip of column t-1
    down to the hidden strip of column t."""
    x0, x1 = t - 1 + STRIP, t - STRIP
    pts = [
        (x0, y_band[1] + 0.5),
        (x0, y_band[0] - 0.5),
        (x1, h_band[0] - 0.5),
        (x1, h_band[1] + 0.5),
    ]
    return QPolygonF([QPointF(x, y) for x, y in pts])


def recurrent_bundle(
    t: int, bands: Mapping[str, tuple[float, float]], jordan: bool = False
) -> QPolygonF:
    """The bundled W edges into column t: h(t-1) -> h(t), or y(t-1) -> h(t) when ``jordan``."""
    return jordan_bundle(t, bands["y"], bands["h"]) if jordan else w_bundle(t, bands["h"])


class BundleItem(pg.GraphicsObject):
    """The bundled edges of every step, painted for the visible steps only.

    One polygon per bundle (W between the hidden strips of columns t-1 and t; U, V and the loss
    edges between the bands of column t). When a column is narrower than ``MIN_BUNDLE_PX`` the
    bundles would merge anyway, so each kind is painted as one band over the visible range.
    """

    MIN_BUNDLE_PX = 5.0

    def __init__(self) -> None:
        super().__init__()
        self._T = 0
        self._bands: dict[str, tuple[float, float]] = {}
        self._brush = QBrush()
        self._jordan = False
        self._recurrent = True

    def set_geometry(
        self,
        T: int,
        bands: dict[str, tuple[float, float]],
        jordan: bool = False,
        recurrent: bool = True,
    ) -> None:
        """Steps 1..T of layer bands ``bands``; ``jordan``: W edges leave the outputs;
        ``recurrent`` False: no W at all (a tapped delay line)."""
        self.prepareGeometryChange()
        self._T, self._bands, self._jordan = int(T), dict(bands), bool(jordan)
        self._recurrent = bool(recurrent)
        self.update()

    def set_brush(self, brush: QBrush | QColor) -> None:
        self._brush = QBrush(brush)
        self.update()

    def boundingRect(self) -> QRectF:
        if not self._bands:
            return QRectF()
        lo, hi = self._bands["x"][0] - 0.5, self._bands["L"][1] + 0.5
        return QRectF(-0.5, lo, self._T + 1.0, hi - lo)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if not self._bands or self._T < 1:
            return
        vb = self.getViewBox()
        (x0, x1), _ = vb.viewRange() if vb is not None else ((0.0, self._T), None)
        first, last = max(1, math.floor(x0)), min(self._T, math.ceil(x1) + 1)
        if last < first:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._brush)
        column_px = abs(painter.transform().m11())
        pairs = list(itertools.pairwise(UNFOLDED_LAYERS))
        if column_px < self.MIN_BUNDLE_PX:
            h = self._bands["y" if self._jordan else "h"]  # Jordan: W leaves the outputs
            if self._recurrent:
                painter.drawRect(QRectF(first - 1, h[0] - 0.5, last - first + 1, h[1] - h[0] + 1))
            for lower, upper in pairs:
                lo, hi = self._bands[lower][1] + 0.5, self._bands[upper][0] - 0.5
                painter.drawRect(QRectF(first - STRIP, lo, last - first + 2 * STRIP, hi - lo))
            return
        for t in range(first, last + 1):
            if self._recurrent:
                painter.drawPolygon(recurrent_bundle(t, self._bands, self._jordan))
            for lower, upper in pairs:
                lo, hi = self._bands[lower][1] + 0.5, self._bands[upper][0] - 0.5
                painter.drawPolygon(_waisted(t - STRIP, t + STRIP, lo, hi, vertical=True))


class Veil(QGraphicsItem):
    """A filled band over the x range ``extent`` (y from ``area``), of which a moving edge
    repaints only the strip it crosses.

    The unfolded view veils the steps the cursor has not reached. As a rectangle item, every
    step repainted the old and the new rectangle, most of the view; here the item's bounds are
    the whole ``area`` it can cover, and a new extent repaints the strips between the old and
    the new edges: a column per step.
    """

    def __init__(self) -> None:
        super().__init__()
        self._brush = QBrush()
        self._area = QRectF()
        self._extent: tuple[float, float] | None = None

    def set_brush(self, brush: QBrush | QColor) -> None:
        self._brush = QBrush(brush)
        self.update()

    def set_area(self, area: QRectF) -> None:
        """The largest rectangle it may cover (its bounds): the graph's columns and layers."""
        if area != self._area:
            self.prepareGeometryChange()
            self._area = QRectF(area)
            self.update()

    def set_extent(self, extent: tuple[float, float] | None) -> None:
        """Cover x in [extent[0], extent[1]] (None: nothing)."""
        old, self._extent = self._extent, extent
        if old == extent:
            return
        if old is None or extent is None:
            shown = old if extent is None else extent
            assert shown is not None  # both None returned above
            self.update(self._band(shown))
            return
        for a, b in zip(old, extent, strict=True):  # each edge sweeps the strip between
            if a != b:
                self.update(self._band((min(a, b), max(a, b))))

    def extent(self) -> tuple[float, float] | None:
        return self._extent

    def _band(self, extent: tuple[float, float]) -> QRectF:
        return QRectF(extent[0], self._area.top(), extent[1] - extent[0], self._area.height())

    def boundingRect(self) -> QRectF:
        return QRectF(self._area)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if self._extent is not None:
            painter.fillRect(self._band(self._extent), self._brush)
