"""Labels that change text at every cursor step keep their size, so nothing relays out."""

from __future__ import annotations

import pyqtgraph as pg

from gui.panels.plots import SteadyLabel
from gui.session import Session


def test_reserved_label_keeps_the_size_of_its_longest_text(qtbot) -> None:
    canvas = pg.GraphicsLayoutWidget()
    qtbot.addWidget(canvas)
    label = SteadyLabel("", angle=-90)
    canvas.addItem(label)
    label.reserve(["short", "a much longer header text"])
    sizes = set()
    for text in ("short", "a much longer header text", "mid-size text", "x"):
        label.setText(text)
        sizes.add((label.minimumWidth(), label.minimumHeight()))
        assert label.text == text
    assert len(sizes) == 1  # the same room for every text


def test_gradient_row_headers_do_not_resize_while_stepping(qtbot) -> None:
    from gui.panels.gradients import GradientsPanel

    session = Session()
    panel = GradientsPanel(session)
    qtbot.addWidget(panel)
    panel.resize(700, 330)
    panel.show()
    qtbot.waitExposed(panel)
    heights = set()
    for k in range(2 * session.trace.T + 1):
        session.seek(k)
        heights.add(tuple(label.minimumHeight() for label in panel.row_labels))
    assert len(heights) == 1
    assert panel.displayed().rows[0] == "this step t = 1"  # the text still follows the cursor
