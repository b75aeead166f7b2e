"""Graph nodes as disks of a fixed size in pixels, each with its own fill and outline.

The graph views recolour every node at every cursor step. ``pyqtgraph.ScatterPlotItem`` looks
each new brush up in its symbol atlas point by point in Python (about 1 ms for the 32 nodes of a
small network); :class:`NodeDisks` keeps the brushes and pens as given and draws the disks
from one small image per (pen, brush) pair, so a cursor step costs one list assignment and a
repaint of the disks whose look changed. A new colour's image is composed in numpy from two
masks drawn once per pen and size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gui.widgets.colormaps import ARGB32

#: what a pen draws: colour (ARGB), width and line style
PenKey = tuple[int, float, int]


def _pen_key(pen: QPen) -> PenKey:
    return (pen.color().rgba(), pen.widthF(), pen.style().value)


def _bgra(image: QImage) -> NDArray[np.float32]:
    """An ARGB32 image's pixels as (height, width, 4) float32 bytes, B G R A."""
    h, w = image.height(), image.width()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    return rows[:, : 4 * w].reshape(h, w, 4).astype(np.float32)


class NodeDisks(pg.GraphicsObject):
    """Disks of ``size`` pixels centred on data positions; one brush and one pen per disk.

    The disks keep their pixel size when the view zooms (like a scatter plot in ``pxMode``);
    the item's bounds for auto-ranging are the centres (:meth:`dataBounds`) plus
    :meth:`pixelPadding`.
    """

    def __init__(self, size: float = 10.0) -> None:
        super().__init__()
        self._pos: NDArray[np.float64] = np.zeros((0, 2))
        self._size = float(size)
        self._brushes: list[QBrush] = []
        self._pens: list[QPen] = []
        self._pen_keys: list[PenKey] = []
        self._extent = QRectF()
        self._bounds: QRectF | None = None
        self._no_pen = QPen(Qt.PenStyle.NoPen)
        #: (pen look, brush id) -> (brush, disk image, the image's pixel buffer or None)
        self._sprites: dict[tuple[PenKey, int], tuple[QBrush, QImage, object]] = {}
        self._pen_masks: dict[PenKey, tuple[NDArray[np.float32], NDArray[np.float32]]] = {}
        self._sprites_for: tuple[float, float] = (0.0, 0.0)
        # paint() reads option.exposedRect, the part of the item to draw
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    # -- data -------------------------------------------------------------------------------------
    def set_points(self, pos: NDArray[np.floating]) -> None:
        """The disk centres (N, 2) in data coordinates; brushes and pens reset to none."""
        self.prepareGeometryChange()
        self._pos = np.array(pos, dtype=np.float64).reshape(-1, 2)
        if len(self._pos):
            lo, hi = self._pos.min(axis=0), self._pos.max(axis=0)
            self._extent = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        else:
            self._extent = QRectF()
        self._brushes, self._pens, self._pen_keys = [], [], []
        self.informViewBoundsChanged()
        self.update()

    def set_size(self, size: float) -> None:
        """The disks' diameter in pixels."""
        if float(size) != self._size:
            self.prepareGeometryChange()
            self._size = float(size)
            self.update()

    def size(self) -> float:
        return self._size

    def set_brushes(self, brushes: Sequence[QBrush] | NDArray[np.object_]) -> None:
        """One fill per disk (in the order of the points). Only the disks whose brush object
        changed are repainted: a cursor step recolours a column or two of a graph."""
        old, self._brushes = self._brushes, list(brushes)
        if len(old) != len(self._brushes):
            self.update()
            return
        self._update_disks(
            [i for i, (a, b) in enumerate(zip(old, self._brushes, strict=True)) if a is not b]
        )

    def set_pens(self, pens: Sequence[QPen]) -> None:
        """One outline per disk; drawn in pixels whatever the zoom.

        The disks' pixmaps are cached by what a pen draws (colour, width, style), not by the pen
        object, so callers may make new pens every time; each distinct object is read once, and
        only the disks whose pen draws differently are repainted.
        """
        self._pens = list(pens)
        by_object: dict[int, PenKey] = {}
        keys = []
        for pen in self._pens:
            key = by_object.get(id(pen))
            if key is None:
                key = by_object[id(pen)] = _pen_key(pen)
            keys.append(key)
        old, self._pen_keys = self._pen_keys, keys
        if len(old) != len(keys):
            self.update()
            return
        self._update_disks([i for i, (a, b) in enumerate(zip(old, keys, strict=True)) if a != b])

    def _update_disks(self, changed: Sequence[int]) -> None:
        """Repaint the rectangle around these disks (data coordinates, with the pixel padding)."""
        if not len(changed) or not len(self._pos):
            return
        pos = self._pos[np.asarray(changed, dtype=np.intp)]
        lo, hi = pos.min(axis=0), pos.max(axis=0)
        pad = self.pixelPadding()
        pw, ph = abs(self.pixelWidth()), abs(self.pixelHeight())
        rect = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        self.update(rect.adjusted(-pad * pw, -pad * ph, pad * pw, pad * ph))

    def brushes(self) -> list[QBrush]:
        return list(self._brushes)

    def pens(self) -> list[QPen]:
        return list(self._pens)

    def points(self) -> NDArray[np.float64]:
        return self._pos.copy()

    # -- bounds -----------------------------------------------------------------------------------
    def dataBounds(
        self, ax: int, frac: float = 1.0, orthoRange: object = None
    ) -> tuple[float | None, float | None]:
        if not len(self._pos):
            return None, None
        column = self._pos[:, ax]
        return float(column.min()), float(column.max())

    def pixelPadding(self) -> float:
        return self._size / 2 + 2.0

    def boundingRect(self) -> QRectF:
        if self._bounds is None:  # kept until the points, the size or the zoom change
            if not len(self._pos):
                self._bounds = QRectF()
            else:
                pad = self.pixelPadding()
                pw, ph = self.pixelWidth(), self.pixelHeight()
                self._bounds = self._extent.adjusted(-pad * pw, -pad * ph, pad * pw, pad * ph)
        return QRectF(self._bounds)

    def prepareGeometryChange(self) -> None:
        self._bounds = None
        super().prepareGeometryChange()

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()  # the padding in data units follows the zoom

    # -- drawing ----------------------------------------------------------------------------------
    def _sprite(self, pen: QPen, pen_key: PenKey, brush: QBrush, ratio: float) -> QImage:
        """The disk drawn once for this pen and brush, as an image (made on first use).

        Keyed by the pen's look and the brush object's id; the cache holds the brush too, so
        no id is reused while its entry lives. A solid brush is composed in numpy from the
        pen's two masks (:meth:`_masks`) - a step meets a new colour or two per column, and an
        antialiased disk drawn by ``QPainter`` costs about four times as much - others are
        drawn by ``QPainter``.
        """
        key = (pen_key, id(brush))
        entry = self._sprites.get(key)
        if entry is not None:
            return entry[1]
        if len(self._sprites) > 1024:
            self._sprites.clear()
        if brush.style() == Qt.BrushStyle.SolidPattern:
            ring, disk = self._masks(pen, pen_key, ratio)
            colour = brush.color()
            alpha = colour.alphaF()
            # premultiplied B, G, R, A: the byte order of a little-endian ARGB32 pixel
            fill = (
                np.array(
                    [colour.blueF() * alpha, colour.greenF() * alpha, colour.redF() * alpha, alpha],
                    np.float32,
                )
                * 255.0
            )
            # the pen over the fill, as QPainter draws an ellipse: source over
            data = (ring + disk * fill + 0.5).astype(np.uint8)
            image = QImage(data.data, data.shape[1], data.shape[0], 4 * data.shape[1], ARGB32)
            image.setDevicePixelRatio(ratio)
            self._sprites[key] = (brush, image, data)
            return image
        image = self._disk_image(pen, pen, brush, ratio)
        self._sprites[key] = (brush, image, None)
        return image

    def _side(self, pen: QPen) -> float:
        return self._size + pen.widthF() + 4.0

    def _blank(self, pen: QPen, ratio: float) -> QImage:
        """A transparent image the size of a disk drawn with this pen."""
        side = max(1, round(self._side(pen) * ratio))
        image = QImage(side, side, ARGB32)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        return image

    def _disk_image(self, pen: QPen, outline: QPen, brush: QBrush, ratio: float) -> QImage:
        """The disk drawn by ``QPainter`` with ``outline`` and ``brush``, antialiased, in an
        image the size of a disk drawn with ``pen`` (a disk and its masks share one size)."""
        image = self._blank(pen, ratio)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(outline)
        painter.setBrush(brush)
        side, r = self._side(pen), self._size / 2
        painter.drawEllipse(QPointF(side / 2, side / 2), r, r)
        painter.end()
        return image

    def _masks(
        self, pen: QPen, pen_key: PenKey, ratio: float
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Per pen look: the outline alone (premultiplied BGRA, 0..255) and how much of the fill
        shows at each pixel (the inside's coverage, less what the outline covers; 0..1, shape
        (h, w, 1)), drawn by ``QPainter`` once per size."""
        masks = self._pen_masks.get(pen_key)
        if masks is None:
            ring = _bgra(self._disk_image(pen, pen, QBrush(Qt.BrushStyle.NoBrush), ratio))
            disk = _bgra(
                self._disk_image(pen, QPen(Qt.PenStyle.NoPen), QBrush(Qt.GlobalColor.white), ratio)
            )
            under = disk[..., 3:4] / 255.0 * (1.0 - ring[..., 3:4] / 255.0)  # fill seen
            masks = self._pen_masks[pen_key] = (ring, under.astype(np.float32))
        return masks

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        n = min(len(self._pos), len(self._brushes))
        if n == 0:
            return
        t = painter.transform()
        x, y = self._pos[:n, 0], self._pos[:n, 1]
        px = x * t.m11() + y * t.m21() + t.dx()
        py = x * t.m12() + y * t.m22() + t.dy()
        r = self._size / 2
        # only the disks that meet the part being repainted (a step's column, or the part of
        # a zoomed-in long sequence inside the view), in pixels
        area = t.mapRect(option.exposedRect)
        if widget is not None:
            area = area.intersected(QRectF(widget.rect()))
        pad = r + 4
        inside = (px > area.left() - pad) & (px < area.right() + pad)
        inside &= (py > area.top() - pad) & (py < area.bottom() + pad)
        shown = np.flatnonzero(inside)
        if not len(shown):
            return
        if len(self._pens) >= n:
            pens, pen_keys = self._pens, self._pen_keys
        else:
            pens, pen_keys = [self._no_pen] * n, [_pen_key(self._no_pen)] * n
        brushes = self._brushes
        ratio = painter.device().devicePixelRatioF()
        if (self._size, ratio) != self._sprites_for:
            self._sprites.clear()
            self._pen_masks.clear()
            self._sprites_for = (self._size, ratio)
        painter.save()
        painter.resetTransform()  # disks and outlines in pixels
        for i, cx, cy in zip(shown.tolist(), px[shown].tolist(), py[shown].tolist(), strict=True):
            sprite = self._sprite(pens[i], pen_keys[i], brushes[i], ratio)
            half = sprite.width() / ratio / 2
            painter.drawImage(QPointF(round(cx - half), round(cy - half)), sprite)
        painter.restore()
