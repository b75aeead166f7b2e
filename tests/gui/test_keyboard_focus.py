"""The stepping keys step whenever nobody is typing in a field: after Enter, a choice, a click
on a spin box's arrows, or Esc, the keyboard focus is back on the graph."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.docks.registry import DockId
from gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, settings: QSettings) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)  # wide enough for every toolbar field (the test screen is 800 x 800)
    w.show()
    w.activateWindow()
    qtbot.waitActive(w)
    return w


def _type_into(qtbot, field, text: str) -> None:
    """Click into the field's text and type ``text`` over what it holds."""
    edit = field.lineEdit()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(field.hasFocus)
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(edit, text)


def _press(key: Qt.Key) -> None:
    """A key press where the user's keyboard sends it: to the widget with the focus."""
    QTest.keyClick(QApplication.focusWidget(), key)


def test_the_graph_has_the_focus_at_start(window: MainWindow) -> None:
    assert window.unfolded.plot_widget().hasFocus()
    _press(Qt.Key.Key_Right)
    assert window.session.position == 1


def test_enter_in_the_k_field_gives_the_arrow_keys_back(window: MainWindow, qtbot) -> None:
    window.truncation_box.setCurrentIndex(window.truncation_box.findData("sliding"))
    _type_into(qtbot, window.k_box, "5")
    _press(Qt.Key.Key_Left)  # while typing, the arrow keys move the text cursor
    assert window.session.position == 0 and window.k_box.hasFocus()
    _press(Qt.Key.Key_Return)
    assert window.session.truncation == 5
    qtbot.waitUntil(window.unfolded.plot_widget().hasFocus)
    _press(Qt.Key.Key_Right)
    assert window.session.position == 1
    _press(Qt.Key.Key_End)
    assert window.session.cursor.at_end
    _press(Qt.Key.Key_Home)
    assert window.session.position == 0


def test_esc_from_a_field_gives_the_arrow_keys_back(window: MainWindow, qtbot) -> None:
    _type_into(qtbot, window.sequence_box, "1")
    _press(Qt.Key.Key_Right)
    assert window.session.position == 0
    _press(Qt.Key.Key_Escape)
    qtbot.waitUntil(window.unfolded.plot_widget().hasFocus)
    _press(Qt.Key.Key_Right)
    assert window.session.position == 1
    training = window.panels[DockId.TRAINING]  # from a field of a dock too
    window.docks[DockId.TRAINING].raise_()
    qtbot.mouseClick(training.lr_edit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(training.lr_edit.hasFocus)
    _press(Qt.Key.Key_Escape)
    qtbot.waitUntil(window.unfolded.plot_widget().hasFocus)
    _press(Qt.Key.Key_Right)
    assert window.session.position == 2


def test_a_click_on_the_arrows_of_the_sequence_box_keeps_the_keys_stepping(
    window: MainWindow, qtbot
) -> None:
    from main import open_task

    open_task(window, "temporal-xor")
    box = window.sequence_box
    up = QPoint(box.width() - 5, 4)  # the up arrow, right of the text
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=up)
    assert window.session.sequence_index == 1
    qtbot.waitUntil(window.unfolded.plot_widget().hasFocus)
    _press(Qt.Key.Key_Right)
    assert window.session.position == 1
