"""One-line texts: drawn when they fit; too long, left out or (with ``elide``) shortened."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from gui.widgets.text_line import TextLine


def ink_pixels(line: TextLine) -> int:
    """How many pixels are drawn in the text colour (dark on the white background)."""
    image = line.grab().toImage()
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).lightness() < 100
    )


def make(qtbot, **kwargs) -> TextLine:
    line = TextLine(Qt.AlignmentFlag.AlignHCenter, **kwargs)
    palette = line.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("white"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("black"))
    line.setPalette(palette)
    qtbot.addWidget(line)
    line.resize(120, 22)
    return line


def test_a_text_that_fits_is_drawn_and_a_long_one_is_left_out(qtbot) -> None:
    line = make(qtbot)
    line.setText("t = 3")
    assert line.text() == "t = 3" and ink_pixels(line) > 10
    line.setText("a text far too long for a line of a hundred and twenty pixels")
    assert ink_pixels(line) == 0  # not drawn at all rather than clipped mid-word


def test_an_eliding_line_shortens_a_long_text(qtbot) -> None:
    line = make(qtbot, elide=True)
    long = "a text far too long for a line of a hundred and twenty pixels"
    line.setText(long)
    assert line.text() == long  # the whole text is kept, only its drawing is shortened
    assert ink_pixels(line) > 10
    metrics = line.fontMetrics()
    shown = metrics.elidedText(long, Qt.TextElideMode.ElideRight, line.contentsRect().width() - 4)
    assert shown.endswith("…") and len(shown) < len(long)
