"""Graph nodes drawn as disks of a size in pixels, each in its own colour."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPen

from gui.graph_views.nodes import NodeDisks, _bgra, _pen_key


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


def test_new_pens_of_the_same_look_reuse_the_drawn_disks(qtbot) -> None:
    disks = NodeDisks(size=20)
    widget = _view(qtbot, disks)
    disks.set_points(np.array([[2.0, 2.0], [5.0, 5.0]]))
    red = QBrush(QColor("#ff0000"))
    disks.set_brushes([red, red])
    disks.set_pens([pg.mkPen("k", width=1.0), pg.mkPen("k", width=1.0)])
    first = _pixel(widget, 5, 5)
    made = len(disks._sprites)
    for _ in range(3):  # a view makes its pens anew whenever the known nodes change
        disks.set_pens([pg.mkPen("k", width=1.0), pg.mkPen("k", width=1.0)])
        assert _pixel(widget, 5, 5) == first
    assert len(disks._sprites) == made == 1
    disks.set_pens([pg.mkPen("b", width=3.0)] * 2)  # another look: another pixmap
    _pixel(widget, 5, 5)
    assert len(disks._sprites) == 2


@pytest.mark.parametrize(
    "pen",
    [
        pg.mkPen((180, 180, 180), width=1.2),
        pg.mkPen((90, 90, 90), width=1.2, style=Qt.PenStyle.DashLine),
        QPen(Qt.PenStyle.NoPen),
    ],
)
@pytest.mark.parametrize("colour", ["#ff0000", "#2166ac", "#f7f7f7", "#bdbdbd80"])
def test_a_disk_composed_from_masks_is_the_disk_qpainter_draws(qtbot, pen, colour) -> None:
    disks = NodeDisks(size=20.4)
    brush = QBrush(QColor(colour))
    composed = _bgra(disks._sprite(pen, _pen_key(pen), brush, 1.0))
    drawn = _bgra(disks._disk_image(pen, pen, brush, 1.0))  # QPainter's own disk
    assert drawn[..., 3].max() == 255 or colour.endswith("80")  # something was drawn
    assert np.abs(composed - drawn).max() <= 1.0  # rounding only
