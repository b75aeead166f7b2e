"""Edge curves whose lines are stroked in device pixels.

The graph views draw their edges as ``PlotCurveItem``s with cosmetic pens (a width in pixels
whatever the zoom) under the view's data-to-pixel transform. For a pen wider than one pixel Qt
strokes such a path through the transform, which with antialiasing is about twenty times slower
than stroking the same path mapped to pixels first: 3.2 ms against 0.17 ms for the 40 W and V
edges that the unfolded view highlights at every backward step. :class:`DeviceCurve` maps the
path and strokes it without a transform; the picture is the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from gui.encoding import LEVELS


class DeviceCurve(pg.PlotCurveItem):
    """A ``PlotCurveItem`` (lines only: no fill, shadow or step mode) whose cosmetic pen strokes
    the path in device pixels. Other pens are drawn by ``PlotCurveItem.paint``."""

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        pen = pg.mkPen(self.opts["pen"])
        plain = (
            self.opts.get("fillLevel") is None
            and self.opts.get("shadowPen") is None
            and not self.opts.get("stepMode")
            and self._exportOpts is False
        )
        if not pen.isCosmetic() or not plain:
            super().paint(p, opt, widget)
            return
        if self.xData is None or len(self.xData) == 0:
            return
        path = p.transform().map(self.getPath())
        p.save()
        try:
            p.setTransform(QTransform())
            p.setRenderHint(QPainter.RenderHint.Antialiasing, bool(self.opts["antialias"]))
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
        finally:
            p.restore()


class EdgeLines(pg.GraphicsObject):
    """Line segments in groups, each group stroked with its own cosmetic pen in device pixels.

    The graph views colour every edge by its weight (:mod:`gui.encoding`), so edges need as
    many pens as there are weight colours. One item per pen would cost the scene a Python
    ``boundingRect`` call per item at every repaint; this one item holds a path per pen, built
    once per :meth:`set_groups`, mapped to pixels and stroked without a transform, as
    :class:`DeviceCurve` does.
    """

    def __init__(self, antialias: bool = False) -> None:
        super().__init__()
        self._groups: list[tuple[QPen, QPainterPath]] = []
        self._extent = QRectF()
        self._pad = 0.0
        self._antialias = antialias
        self._bounds: QRectF | None = None

    def set_groups(
        self, groups: Sequence[tuple[QPen, NDArray[np.float64]]], antialias: bool | None = None
    ) -> None:
        """The segments of each pen: ``(pen, (n, 2, 2) array of segment end points)``."""
        self.prepareGeometryChange()
        self._groups = []
        extent = QRectF()
        pad = 0.0
        for pen, segments in groups:
            pts = np.asarray(segments, dtype=np.float64).reshape(-1, 2)
            if not len(pts):
                continue
            path = pg.arrayToQPath(pts[:, 0], pts[:, 1], connect="pairs")
            self._groups.append((pen, path))
            extent = extent.united(path.boundingRect())
            pad = max(pad, pen.widthF())
        self._extent, self._pad = extent, pad / 2 + 1.0
        if antialias is not None:
            self._antialias = antialias
        self.update()

    def pens(self) -> list[QPen]:
        return [pen for pen, _ in self._groups]

    def boundingRect(self) -> QRectF:
        if self._bounds is None:  # kept until the groups or the zoom change
            if self._extent.isNull():
                self._bounds = QRectF()
            else:
                pw, ph = abs(self.pixelWidth()), abs(self.pixelHeight())
                pad = self._pad
                self._bounds = self._extent.adjusted(-pad * pw, -pad * ph, pad * pw, pad * ph)
        return QRectF(self._bounds)

    def prepareGeometryChange(self) -> None:
        self._bounds = None
        super().prepareGeometryChange()

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()  # the padding in data units follows the zoom

    def paint(
        self, p: QPainter, opt: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self._groups:
            return
        transform = p.transform()
        p.save()
        try:
            p.setTransform(QTransform())
            p.setRenderHint(QPainter.RenderHint.Antialiasing, self._antialias)
            p.setBrush(Qt.BrushStyle.NoBrush)
            for pen, path in self._groups:
                p.setPen(pen)
                p.drawPath(transform.map(path))
        finally:
            p.restore()


def by_strength(keys: NDArray[np.intp], classes: int) -> list[int]:
    """The distinct pen keys ``row * classes + width class`` of some edges (``row`` the weight's
    colour-table row), weakest first: by width class, then by the colour's distance from zero.
    Drawn in this order the strongest weights lie on top, whatever their sign."""
    return sorted(
        np.unique(keys).tolist(), key=lambda k: (k % classes, abs(k // classes - LEVELS // 2))
    )


def pen_groups(keys: NDArray[np.intp], drawn: NDArray[np.bool_]) -> dict[int, NDArray[np.intp]]:
    """The drawn edges of each pen key, in edge order: ``{key: indices}``.

    One sort instead of a comparison of every edge per key (a long sequence's unfolded graph
    has thousands of edges and dozens of pens).
    """
    index = np.flatnonzero(drawn)
    index = index[np.argsort(keys[index], kind="stable")]
    ordered = keys[index]
    cuts = np.flatnonzero(np.diff(ordered)) + 1
    return {
        int(group_keys[0]): members
        for group_keys, members in zip(np.split(ordered, cuts), np.split(index, cuts), strict=True)
        if len(members)
    }
