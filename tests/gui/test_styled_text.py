"""The inspector's text view: styled blocks wrapped to the width, scrolled, copied."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.widgets.styled_text import Block, StyledText

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


def _shown(qtbot, height: int) -> StyledText:
    widget = StyledText()
    qtbot.addWidget(widget)
    widget.resize(320, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def view(qtbot) -> StyledText:
    return _shown(qtbot, 400)


def _blocks(n_terms: int = 12) -> tuple[Block, ...]:
    return (
        Block.of("title", "hidden unit h[1](4)"),
        Block.of("state", "at the cursor: backward t = 4"),
        Block("step", (("step", "delta"), ("cite", " (Eq. 10)"))),
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


def test_equal_blocks_do_nothing_and_the_scroll_position_stays(view, qtbot, settle) -> None:
    view.set_blocks(_blocks())
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0  # taller than 400 px
    bar.setValue(bar.maximum() // 2)
    settle(view.viewport())  # scrolled and painted
    counter = PaintCounter()
    view.viewport().installEventFilter(counter)
    view.set_blocks(_blocks())
    settle()  # a repaint asked for would have happened by now
    assert counter.count == 0  # the same text: no layout, no repaint
    kept = bar.value()
    view.set_blocks(_blocks(11), keep_extent=True)  # the next step of the same item
    qtbot.waitUntil(lambda: counter.count > 0)
    assert bar.value() == kept
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
    assert "delta (Eq. 10)" in text
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


# -- with a taller view and a longer explanation ----------------------------------------------
NUMBERS = " + ".join(f"(-0.{k:04d})·0.{k + 1:04d}" for k in range(1, 40)) + " = -0.3635"
TERMS = "\n".join(f"W[{k},1]·δh[{k}](5)   (-0.{k:04d})·0.{k:04d}   = -0.00{k}" for k in range(1, 9))


def explanation(lines: int = 1) -> tuple[Block, ...]:
    """A title, a state line, a step header with a citation, ``lines`` numbers blocks, a table."""
    return (
        Block.of("title", "hidden unit h[1](4)"),
        Block.of("state", "at the cursor: backward t = 4"),
        Block("step", (("step", "forward "), ("cite", "(Eqs. 1, 2)"))),
        Block.of("eq", "a[1](4) = b[1] + Σi W[1,i]·h[i](3) + Σi U[1,i]·x[i](4)"),
        *(Block.of("num", NUMBERS) for _ in range(lines)),
        Block.of("result", "a[1](4) = -0.3635"),
        Block.of("note", "δ at the last step has no future term"),
        Block.of("terms", TERMS),
    )


@pytest.fixture
def tall_view(qtbot) -> StyledText:
    return _shown(qtbot, 600)


def bar_on(widget: StyledText, orientation: str) -> bool:
    bar = widget.verticalScrollBar() if orientation == "v" else widget.horizontalScrollBar()
    return bar.isVisible()


def test_numbers_wrap_within_the_viewport_and_term_lines_do_not(tall_view) -> None:
    tall_view.set_blocks(explanation())
    width = tall_view.viewport().width()
    lines = tall_view.laid_out()
    num_lines = [(t, r) for t, r in lines if "·0.00" in t and "W[" not in t]
    assert len(num_lines) > 3  # the numbers wrap onto several lines
    assert all(r.right() <= width for _, r in num_lines)
    assert "".join(t for t, _ in num_lines) == NUMBERS  # nothing lost or repeated at the breaks
    eq_lines = [(t, r) for t, r in lines if "Σi" in t or "U[1,i]" in t]
    assert len(eq_lines) == 2 and all(r.right() <= width for _, r in eq_lines)  # wrapped once
    term_lines = [(t, r) for t, r in lines if t.startswith("W[")]
    assert [t for t, _ in term_lines] == TERMS.split("\n")  # one visual line per term
    assert max(r.right() for _, r in term_lines) > width  # too wide: scrolls instead of wrapping
    assert bar_on(tall_view, "h")


def test_a_narrower_view_wraps_the_numbers_onto_more_lines(tall_view) -> None:
    tall_view.set_blocks(explanation())
    before = len(tall_view.laid_out())
    tall_view.resize(220, 600)
    assert len(tall_view.laid_out()) > before
    numbers = [r for t, r in tall_view.laid_out() if "·0.00" in t and "W[" not in t]
    assert all(r.right() <= tall_view.viewport().width() for r in numbers)


def test_equal_blocks_lay_out_and_paint_nothing(qtbot, tall_view, settle) -> None:
    tall_view.set_blocks(explanation())
    settle(tall_view.viewport())  # laid out and painted
    counter = PaintCounter()
    tall_view.viewport().installEventFilter(counter)
    laid = tall_view.layout_count
    tall_view.set_blocks(explanation())  # equal, not the same objects
    settle()  # a repaint asked for would have happened by now
    assert tall_view.layout_count == laid and counter.count == 0
    tall_view.set_blocks(explanation(lines=2))
    qtbot.waitUntil(lambda: counter.count >= 1)
    assert tall_view.layout_count > laid
    tall_view.viewport().removeEventFilter(counter)


def test_vertical_scroll_position_survives_new_content(tall_view) -> None:
    tall_view.set_blocks(explanation(lines=6))
    bar = tall_view.verticalScrollBar()
    bar.setValue(bar.maximum() - 10)
    kept = bar.value()
    assert kept > 0
    tall_view.set_blocks(explanation(lines=7))  # new content, taller
    assert bar.value() == kept
    tall_view.set_blocks(explanation(lines=1))  # shorter: clamped to the new range
    assert bar.value() == bar.maximum() and bar.maximum() < kept


def test_no_horizontal_bar_when_every_line_fits(tall_view) -> None:
    tall_view.set_blocks((Block.of("title", "h[1](4)"), Block.of("num", NUMBERS)))
    assert not bar_on(tall_view, "h")
    # the vertical bar is always there (the wrap width never changes), with nothing to scroll
    assert bar_on(tall_view, "v") and tall_view.verticalScrollBar().maximum() == 0


def test_a_new_font_lays_the_text_out_again(view) -> None:
    view.set_blocks(_blocks())
    before = [rect.height() for _, rect in view.laid_out()]
    font = view.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    view.setFont(font)
    after = [rect.height() for _, rect in view.laid_out()]
    assert sum(after) > 1.3 * sum(before)  # taller lines in the bigger font


def test_resizing_fits_the_scroll_range_to_the_new_size(view) -> None:
    view.set_blocks(_blocks())
    view.set_blocks(_blocks(11), keep_extent=True)
    kept = view.verticalScrollBar().maximum()
    view.resize(320, 900)  # taller: less to scroll
    assert view.verticalScrollBar().maximum() < kept
    height = view.content_size()[1]
    assert view.verticalScrollBar().maximum() == max(0, round(height - view.viewport().height()))
