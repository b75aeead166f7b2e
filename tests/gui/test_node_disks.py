"""Graph nodes drawn as disks of a size in pixels, each in its own colour."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen

from gui.graph_views.nodes import NodeDisks


def _view(qtbot, disks: NodeDisks) -> pg.PlotWidget:
    widget = pg.PlotWidget(background="w")
    qtbot.addWidget(widget)
    widget.resize(300, 300)
    widget.hideAxis("left")
    widget.hideAxis("bottom")
    widget.addItem(disks)
    widget.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _pixel(widget: pg.PlotWidget, x: float, y: float, dx: int = 0) -> QColor:
    scene = widget.getViewBox().mapViewToScene(QPointF(x, y))
    p = widget.mapFromScene(scene)
    return widget.grab().toImage().pixelColor(p.x() + dx, p.y())


def test_each_disk_has_its_brush_and_its_pixel_size(qtbot) -> None:
    disks = NodeDisks(size=20)
    widget = _view(qtbot, disks)
    disks.set_points(np.array([[2.0, 2.0], [5.0, 5.0], [8.0, 8.0]]))
    red, green, blue = (QBrush(QColor(c)) for c in ("#ff0000", "#00ff00", "#0000ff"))
    disks.set_brushes([red, green, blue])
    disks.set_pens([pg.mkPen(None)] * 3)
    assert _pixel(widget, 2, 2).name() == "#ff0000"
    assert _pixel(widget, 5, 5).name() == "#00ff00"
    assert _pixel(widget, 8, 8).name() == "#0000ff"
    assert _pixel(widget, 5, 5, dx=7).name() == "#00ff00"  # inside a radius of 10 px
    assert _pixel(widget, 5, 5, dx=14).name() == "#ffffff"  # outside it
    disks.set_brushes([blue, red, green])  # a cursor step: new colours, same places
    assert _pixel(widget, 2, 2).name() == "#0000ff"
    assert _pixel(widget, 5, 5).name() == "#ff0000"
    disks.set_size(40)  # a zoom: the disks grow in pixels
    assert _pixel(widget, 5, 5, dx=14).name() == "#ff0000"
    assert disks.brushes()[0] is blue


def test_bounds_are_the_centres_plus_the_pixel_radius(qtbot) -> None:
    disks = NodeDisks(size=20)
    widget = _view(qtbot, disks)
    disks.set_points(np.array([[2.0, 3.0], [6.0, 7.0]]))
    assert disks.dataBounds(0) == (2.0, 6.0) and disks.dataBounds(1) == (3.0, 7.0)
    widget.grab()  # a paint brings the view's transform up to date
    rect = disks.boundingRect()
    per_px = 10 / widget.getViewBox().width()  # data units per pixel along x
    assert rect.left() < 2.0 - 10 * per_px * 0.99 and rect.right() > 6.0 + 10 * per_px * 0.99
    widget.setRange(xRange=(0, 20), yRange=(0, 20), padding=0)  # zoom out: more units per px
    widget.grab()
    assert disks.boundingRect().left() < rect.left()
    disks.set_points(np.zeros((0, 2)))
    assert disks.boundingRect().isNull() and disks.dataBounds(0) == (None, None)


class _Paints(QObject):
    """Counts the paint events of a widget."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_new_pens_of_the_same_look_repaint_nothing(qtbot, settle) -> None:
    disks = NodeDisks(size=20)
    widget = _view(qtbot, disks)
    disks.set_points(np.array([[2.0, 2.0], [5.0, 5.0]]))
    red = QBrush(QColor("#ff0000"))
    disks.set_brushes([red, red])
    disks.set_pens([pg.mkPen("k", width=1.0), pg.mkPen("k", width=1.0)])
    first = [_pixel(widget, x, x, dx=9) for x in (2, 5)]  # the edges of the disks
    settle()
    paints = _Paints(widget.viewport())
    for _ in range(3):  # a view makes its pens anew whenever the known nodes change
        disks.set_pens([pg.mkPen("k", width=1.0), pg.mkPen("k", width=1.0)])
    settle()  # a repaint asked for would have happened by now
    assert paints.count == 0
    assert [_pixel(widget, x, x, dx=9) for x in (2, 5)] == first
    paints.count = 0  # (grabbing paints too)
    disks.set_pens([pg.mkPen("k", width=1.0), pg.mkPen("b", width=3.0)])  # another look
    qtbot.waitUntil(lambda: paints.count > 0)  # repainted on its own
    now = [_pixel(widget, x, x, dx=9) for x in (2, 5)]
    assert now[0] == first[0] and now[1] != first[1]


def _rgb(image: QImage) -> np.ndarray:
    """An image's pixels as (height, width, 3) float R, G, B."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w = image.height(), image.width()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    return rows[:, : 3 * w].reshape(h, w, 3).astype(np.float64)


def _painted_disk(side: int, centre: QPointF, diameter: float, pen: QPen, brush: QBrush):
    """QPainter's own antialiased disk on white, in a ``side`` x ``side`` image."""
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(pen)
    painter.setBrush(brush)
    painter.drawEllipse(centre, diameter / 2, diameter / 2)
    painter.end()
    return _rgb(image)


@pytest.mark.parametrize(
    "pen",
    [
        pg.mkPen((180, 180, 180), width=1.2),
        pg.mkPen((90, 90, 90), width=1.2, style=Qt.PenStyle.DashLine),
        QPen(Qt.PenStyle.NoPen),
    ],
    ids=["grey-pen", "dashed-pen", "no-pen"],
)
@pytest.mark.parametrize("colour", ["#ff0000", "#2166ac", "#f7f7f7", "#bdbdbd80"])
def test_a_drawn_disk_is_the_disk_qpainter_draws(qtbot, pen, colour) -> None:
    """The disk on screen equals QPainter's antialiased disk with the same pen and brush (to
    rounding), centred within a pixel of its point. Disks are placed on whole pixels, so the
    reference is tried at every tenth of a pixel about the point and the best one kept."""
    disks = NodeDisks(size=20.4)
    widget = _view(qtbot, disks)
    brush = QBrush(QColor(colour))
    disks.set_points(np.array([[5.0, 5.0]]))
    disks.set_brushes([brush])
    disks.set_pens([pen])
    point = widget.getViewBox().mapViewToScene(QPointF(5.0, 5.0))  # viewport pixels
    side = 40
    corner = (int(point.x()) - side // 2, int(point.y()) - side // 2)
    shown = _rgb(widget.viewport().grab().toImage().copy(*corner, side, side))
    assert np.abs(shown - 255.0).max() > 4  # something was drawn
    x0, y0 = point.x() - corner[0], point.y() - corner[1]  # the point in the cut-out
    # (QPainter's disk on white, not composed from masks as NodeDisks composes its disks)
    offsets = np.arange(-10, 11) / 10
    best = min(
        (
            np.abs(shown - _painted_disk(side, QPointF(x0 + dx, y0 + dy), 20.4, pen, brush)).max(),
            dx,
            dy,
        )
        for dx in offsets
        for dy in offsets
    )
    assert best[0] <= 1.0, best  # rounding only
