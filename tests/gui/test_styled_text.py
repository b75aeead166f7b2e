"""The inspector's text view: styled blocks wrapped to the width, scrolled, copied."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.panels.styled_text import Block, StyledText

LONG = " + ".join(f"(-0.{k:04d})·0.{k + 7:04d}" for k in range(1, 30))
TABLE = "\n".join(f"W[{k},1]·δh[{k}](5)  (-0.1877)·(-0.1307){' ' * 30}= -0.0245" for k in range(12))


class PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


@pytest.fixture
def view(qtbot) -> StyledText:
    v = StyledText()
    qtbot.addWidget(v)
    v.resize(320, 400)
    v.show()
    qtbot.waitExposed(v)
    return v


def _blocks(n_terms: int = 12) -> tuple[Block, ...]:
    return (
        Block.of("title", "hidden unit h[1](4)"),
        Block.of("state", "at the cursor: backward t = 4"),
        Block("step", (("step", "delta"), ("cite", " (seeds/004 eq. 45)"))),
        Block.of("eq", "δh[1](4) = (1 - h[1](4)²)·(Σi W[i,1]·δh[i](5))"),
        Block.of("num", LONG),
        Block.of("result", "δh[1](4) = -0.312"),
        Block.of("terms", "\n".join(TABLE.split("\n")[:n_terms])),
    )


def test_wrapped_styles_stay_inside_the_width_and_tables_do_not_wrap(view) -> None:
    view.set_blocks(_blocks())
    width = view.viewport().width()
    lines = view.laid_out()
    num = [(text, rect) for text, rect in lines if "(-0.0001)" in text or "·0.00" in text]
    assert len(num) > 3  # the long sum is wrapped over several lines
    assert all(rect.right() <= width for _, rect in num)
    table = [(text, rect) for text, rect in lines if text.startswith("W[") and "=" in text]
    assert len(table) == 12  # one visual line per table row: not wrapped
    assert all(text.endswith("= -0.0245") for text, _ in table)
    assert max(rect.right() for _, rect in table) > width  # so it scrolls sideways
    assert view.horizontalScrollBar().maximum() > 0
    tops = [rect.top() for _, rect in lines]
    assert tops == sorted(tops)  # lines follow one another down the page


def test_equal_blocks_do_nothing_and_the_scroll_position_stays(view, qtbot) -> None:
    view.set_blocks(_blocks())
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0  # taller than 400 px
    bar.setValue(bar.maximum() // 2)
    QApplication.processEvents()
    counter = PaintCounter()
    view.viewport().installEventFilter(counter)
    view.set_blocks(_blocks())
    QApplication.processEvents()
    assert counter.count == 0  # the same text: no layout, no repaint
    kept = bar.value()
    view.set_blocks(_blocks(11), keep_extent=True)  # the next step of the same item
    QApplication.processEvents()
    assert bar.value() == kept and counter.count > 0
    view.viewport().removeEventFilter(counter)
    assert view.blocks() == _blocks(11)


def test_scroll_ranges_follow_the_content_unless_kept(view) -> None:
    view.set_blocks(_blocks())
    tall = view.verticalScrollBar().maximum()
    short = (Block.of("title", "loss L(3)"), Block.of("eq", "L(3) = -log ŷ[2](3)"))
    view.set_blocks(short, keep_extent=True)
    assert view.verticalScrollBar().maximum() == tall  # kept: only grows
    assert view.horizontalScrollBar().isVisible()
    view.set_blocks(short[:1])  # another item: the ranges fit it again
    assert view.verticalScrollBar().maximum() == 0
    assert view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    view.set_blocks(_blocks())
    assert view.verticalScrollBar().maximum() == tall
    assert view.content_size()[1] > view.viewport().height()


def test_plain_text_and_copy(view) -> None:
    view.set_blocks(_blocks(2))
    text = view.toPlainText()
    assert text.splitlines()[0] == "hidden unit h[1](4)"
    assert "delta (seeds/004 eq. 45)" in text
    assert text.endswith(TABLE.split("\n")[1])
    QApplication.clipboard().clear()
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == text


def test_drawn_text_uses_the_styles_colours(view) -> None:
    view.set_blocks(_blocks())
    image = view.viewport().grab().toImage()
    colours = {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 1)
        for y in range(0, min(image.height(), 240), 1)
    }

    def near(target: str) -> bool:
        t = QColor(target)
        return any(
            abs(QColor(c).red() - t.red())
            + abs(QColor(c).green() - t.green())
            + abs(QColor(c).blue() - t.blue())
            < 30
            for c in colours
        )

    assert near("#1f4e79")  # the numbers' blue
    assert near("#000000") or near("#202020")  # the title and equations in the text colour
    assert len(colours) > 20  # anti-aliased text, not a blank page
