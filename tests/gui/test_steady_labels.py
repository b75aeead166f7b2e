"""Labels that change text at every cursor step keep their size, so nothing relays out."""

from __future__ import annotations

import pyqtgraph as pg

from gui.session import Session
from gui.widgets.plots import SteadyLabel


def test_gradient_row_headers_do_not_resize_while_stepping(qtbot) -> None:
    from gui.panels.gradients import GradientsPanel

    session = Session()
    panel = GradientsPanel(session)
    qtbot.addWidget(panel)
    panel.resize(700, 330)
    panel.show()
    qtbot.waitExposed(panel)
    places = set()
    for k in range(2 * session.trace.T + 1):
        session.seek(k)
        places.add(
            tuple(plot.rect.getRect() for pair in panel.grid.plots.values() for plot in pair)
        )
    assert len(places) == 1  # no plot moved as the headers changed
    assert panel.displayed().rows[0] == "this step t = 1"  # the text still follows the cursor


def test_steady_label_draws_plain_text_in_the_given_style(qtbot) -> None:
    canvas = pg.GraphicsLayoutWidget()
    qtbot.addWidget(canvas)
    canvas.setBackground("w")
    canvas.resize(300, 120)
    label = SteadyLabel("", color="#202020", size="9pt")
    canvas.addItem(label)
    label.setText("L = Σt L(t) = 1.5 <b>", color="#ff0000", size="14pt", bold=True)
    assert label.text == "L = Σt L(t) = 1.5 <b>"
    assert label.item.text() == label.text  # plain text: markup is shown, not parsed
    font = label.item.font()
    assert font.pointSizeF() == 14 and font.bold()
    canvas.show()
    qtbot.waitExposed(canvas)
    image = canvas.grab().toImage()
    reds = sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if (c := image.pixelColor(x, y)).red() > 200 and c.green() < 80 and c.blue() < 80
    )
    assert reds > 20  # the text is drawn, in red
