"""StepBars: the loss panel's bars show exactly the asked range of steps, and draw them."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from gui.widgets.bars import StepBars


def test_shown_range_and_data() -> None:
    bars = StepBars("#3182bd", "#555555")
    heights = np.array([1.0, 3.0, 2.0, 0.5])
    bars.set_heights(heights)
    x, y = bars.getData()
    assert len(x) == 1 and len(y) == 0  # nothing shown until asked
    bars.show_steps(2, 3)
    x, y = bars.getData()
    np.testing.assert_array_equal(x, [1.5, 2.5, 3.5])
    np.testing.assert_array_equal(y, [3.0, 2.0])
    bars.show_steps(3, 99)  # clamped to T
    np.testing.assert_array_equal(bars.getData()[1], [2.0, 0.5])
    bars.show_steps(4, 3)  # empty
    assert len(bars.getData()[1]) == 0
    heights[:] = 0.0  # the bars keep their own copy
    bars.show_steps(1, 4)
    np.testing.assert_array_equal(bars.getData()[1], [1.0, 3.0, 2.0, 0.5])


def test_bars_are_painted_where_shown(qtbot) -> None:
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.setBackground("w")
    bars = StepBars("#ff0000", None)
    widget.addItem(bars)
    bars.set_heights(np.array([1.0, 1.0, 1.0]))
    widget.setXRange(0.5, 3.5, padding=0)
    widget.setYRange(0.0, 2.0, padding=0)
    bars.show_steps(2, 2)
    widget.show()
    qtbot.waitExposed(widget)
    image = widget.grab().toImage()
    vb = widget.getPlotItem().getViewBox()

    def colour_at(x: float, y: float) -> QColor:
        scene = vb.mapViewToScene(pg.Point(x, y))
        pos = widget.mapFromScene(scene)
        return image.pixelColor(pos.x(), pos.y())

    assert colour_at(2.0, 0.5) == QColor("#ff0000")  # step 2 is drawn
    assert colour_at(1.0, 0.5) != QColor("#ff0000")  # steps 1 and 3 are not
    assert colour_at(3.0, 0.5) != QColor("#ff0000")
    assert colour_at(2.0, 1.5) != QColor("#ff0000")  # above the bar's height


def _render(bars: StepBars, exposed: QRectF, clip: bool) -> QImage:
    """Paint the bars into a 300 x 100 image, 50 px per step and 40 px per unit of height,
    told (as the view tells an item) that only ``exposed`` needs drawing."""
    image = QImage(300, 100, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.translate(0, 100)
    painter.scale(50, -40)
    if clip:
        painter.setClipRect(exposed)
    option = QStyleOptionGraphicsItem()
    option.exposedRect = exposed
    bars.paint(painter, option)
    painter.end()
    return image


def test_a_partial_repaint_draws_what_a_full_one_draws_there(qtbot) -> None:
    bars = StepBars("#3182bd", "#555555")
    bars.set_heights(np.array([1.0, 2.0, 1.5, 2.0, 1.0]))
    bars.show_steps(1, 5)
    full = _render(bars, QRectF(0.0, -1.0, 7.0, 4.0), clip=False)
    for left in (0.2, 1.45, 2.5, 2.6, 3.55, 4.9):  # on edges, inside bars, at the ends
        exposed = QRectF(left, -1.0, 0.7, 4.0)
        part = _render(bars, exposed, clip=True)
        area = QTransform().translate(0, 100).scale(50, -40).mapRect(exposed).toRect()
        area = area.intersected(QRect(0, 0, 300, 100))
        assert part.copy(area) == full.copy(area), left
    bars.show_steps(2, 3)  # bars outside the shown range are not drawn, even when exposed
    part = _render(bars, QRectF(3.7, -1.0, 2.0, 4.0), clip=True)
    assert part.pixelColor(220, 90) == QColor("white")  # step 5
