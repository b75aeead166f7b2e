"""The inspector's painted rich-text view: wrapping, scroll bars, copying and what it paints."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QApplication

from gui.panels.styled_text import Block, StyledText

NUMBERS = " + ".join(f"(-0.{k:04d})·0.{k + 1:04d}" for k in range(1, 40)) + " = -0.3635"
TERMS = "\n".join(f"W[{k},1]·δh[{k}](5)   (-0.{k:04d})·0.{k:04d}   = -0.00{k}" for k in range(1, 9))


def explanation(lines: int = 1) -> tuple[Block, ...]:
    """A title, a state line, a step header with a citation, ``lines`` numbers blocks, a table."""
    return (
        Block.of("title", "hidden unit h[1](4)"),
        Block.of("state", "at the cursor: backward t = 4"),
        Block("step", (("step", "forward "), ("cite", "(seeds/004 eq. 1-2)"))),
        Block.of("eq", "a[1](4) = b[1] + Σi W[1,i]·h[i](3) + Σi U[1,i]·x[i](4)"),
        *(Block.of("num", NUMBERS) for _ in range(lines)),
        Block.of("result", "a[1](4) = -0.3635"),
        Block.of("note", "δ at the last step has no future term"),
        Block.of("terms", TERMS),
    )


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


@pytest.fixture
def view(qtbot) -> StyledText:
    widget = StyledText()
    qtbot.addWidget(widget)
    widget.resize(320, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def bar_on(widget: StyledText, orientation: str) -> bool:
    bar = widget.verticalScrollBar() if orientation == "v" else widget.horizontalScrollBar()
    return bar.isVisible()


def test_numbers_wrap_within_the_viewport_and_term_lines_do_not(view) -> None:
    view.set_blocks(explanation())
    width = view.viewport().width()
    lines = view.laid_out()
    num_lines = [(t, r) for t, r in lines if "·0.00" in t and "W[" not in t]
    assert len(num_lines) > 3  # the numbers wrap onto several lines
    assert all(r.right() <= width for _, r in num_lines)
    assert "".join(t for t, _ in num_lines) == NUMBERS  # nothing lost or repeated at the breaks
    eq_lines = [(t, r) for t, r in lines if "Σi" in t or "U[1,i]" in t]
    assert len(eq_lines) == 2 and all(r.right() <= width for _, r in eq_lines)  # wrapped once
    term_lines = [(t, r) for t, r in lines if t.startswith("W[")]
    assert [t for t, _ in term_lines] == TERMS.split("\n")  # one visual line per term
    assert max(r.right() for _, r in term_lines) > width  # too wide: scrolls instead of wrapping
    assert bar_on(view, "h")


def test_a_narrower_view_wraps_the_numbers_onto_more_lines(view) -> None:
    view.set_blocks(explanation())
    before = len(view.laid_out())
    view.resize(220, 600)
    assert len(view.laid_out()) > before
    numbers = [r for t, r in view.laid_out() if "·0.00" in t and "W[" not in t]
    assert all(r.right() <= view.viewport().width() for r in numbers)


def test_equal_blocks_lay_out_and_paint_nothing(qtbot, view) -> None:
    view.set_blocks(explanation())
    qtbot.wait(20)
    counter = PaintCounter()
    view.viewport().installEventFilter(counter)
    laid = view.layout_count
    view.set_blocks(explanation())  # equal, not the same objects
    qtbot.wait(20)
    assert view.layout_count == laid and counter.paints == 0
    view.set_blocks(explanation(lines=2))
    qtbot.wait(20)
    assert view.layout_count > laid and counter.paints >= 1
    view.viewport().removeEventFilter(counter)


def test_vertical_scroll_position_survives_new_content(view) -> None:
    view.set_blocks(explanation(lines=6))
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() - 10)
    kept = bar.value()
    assert kept > 0
    view.set_blocks(explanation(lines=7))  # new content, taller
    assert bar.value() == kept
    view.set_blocks(explanation(lines=1))  # shorter: clamped to the new range
    assert bar.value() == bar.maximum() and bar.maximum() < kept


def test_the_vertical_bar_shows_exactly_when_the_text_is_taller_than_the_view(view) -> None:
    view.set_blocks(explanation(lines=1))
    assert not bar_on(view, "v")
    assert max(r.bottom() for _, r in view.laid_out()) < view.viewport().height()
    view.set_blocks(explanation(lines=2))
    assert bar_on(view, "v")
    assert view.verticalScrollBar().maximum() > 0
    assert max(r.bottom() for _, r in view.laid_out()) > view.viewport().height()
    view.set_blocks(explanation(lines=1))
    assert not bar_on(view, "v")
    # growing the window until the tall text fits removes the bar
    view.set_blocks(explanation(lines=2))
    assert bar_on(view, "v")
    view.resize(320, 1000)
    assert not bar_on(view, "v")


def test_no_horizontal_bar_when_every_line_fits(view) -> None:
    view.set_blocks((Block.of("title", "h[1](4)"), Block.of("num", NUMBERS)))
    assert not bar_on(view, "h") and not bar_on(view, "v")


def test_plain_text_is_one_line_per_block_with_hard_breaks_kept(view) -> None:
    view.set_blocks(explanation())
    text = view.toPlainText().split("\n")
    assert text[:3] == [
        "hidden unit h[1](4)",
        "at the cursor: backward t = 4",
        "forward (seeds/004 eq. 1-2)",
    ]
    assert text[-8:] == TERMS.split("\n")


def test_ctrl_c_copies_the_text(qtbot, view) -> None:
    view.set_blocks(explanation())
    QApplication.clipboard().setText("")
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == view.toPlainText()
    assert view.copy_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Copy)
    assert view.copy_action in view.actions() and view.copy_action.text() == "Copy text"


def test_paints_the_title_and_the_numbers_in_their_colour(view) -> None:
    view.set_blocks(explanation())
    image = view.grab().toImage()
    background = view.palette().base().color().rgb()
    title = next(r for t, r in view.laid_out() if t == "hidden unit h[1](4)")
    frame = view.frameWidth()
    title_pixels = {
        image.pixel(x + frame, y + frame)
        for x in range(int(title.left()), int(title.right()))
        for y in range(int(title.top()), int(title.bottom()))
    }
    assert title_pixels - {background}
    colours = {
        QColor(image.pixel(x, y)).name()
        for x in range(image.width())
        for y in range(0, image.height(), 1)
    }
    assert "#1f4e79" in colours  # the substituted numbers
    view.set_blocks(tuple(b for b in explanation() if b.style != "num"))
    image = view.grab().toImage()
    colours = {QColor(image.pixel(x, y)).name() for x in range(image.width()) for y in range(300)}
    assert "#1f4e79" not in colours
