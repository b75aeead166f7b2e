"""A first-time user knows what to do: a hint until the first step, a list of every shortcut
read from the actions themselves, and a tooltip on every toolbar control and every dock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QHelpEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTabBar, QToolBar, QToolButton, QToolTip

from gui.docks.registry import DockId
from gui.main_window import MainWindow
from gui.shortcuts import GROUPS, action_name
from gui.timebar import START_HINT


@pytest.fixture
def window(qtbot, settings: QSettings) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.mark.parametrize("size", [(1280, 800), (1400, 900)], ids=["1280x800", "1400x900"])
def test_hint_shows_until_the_first_step(window: MainWindow, qtbot, size) -> None:
    window.resize(*size)
    hint = window.start_hint
    qtbot.waitUntil(lambda: hint.width() > 0 and hint.isVisible())
    assert hint.text() == START_HINT and "→" in hint.text() and "equation" in hint.text()
    # the whole text has room: wrapped if need be, never cut
    qtbot.waitUntil(lambda: hint.height() >= hint.heightForWidth(hint.width()))
    assert hint.geometry().bottom() < window.timebar.geometry().top()
    window.session.set_sequence(0)  # a new trace (cursor at the start) is not a step
    assert hint.isVisible()
    QTest.keyClick(window, Qt.Key.Key_Right)
    assert not hint.isVisible()
    QTest.keyClick(window, Qt.Key.Key_Left)  # back at the start: the hint stays gone
    assert window.session.position == 0 and not hint.isVisible()


def test_keyboard_shortcuts_lists_every_shortcut_grouped(window: MainWindow) -> None:
    window.help_actions["shortcuts"].trigger()
    dialog = window.shortcuts_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.text()
    names = [group for group, _ in dialog.groups]
    assert names == list(GROUPS)  # stepping, training, files, views, in this order
    with_keys = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(with_keys) >= 15
    for action in with_keys:
        native = QKeySequence.SequenceFormat.NativeText
        keys = ", ".join(k.toString(native) for k in action.shortcuts())  # all of its keys
        assert f"{keys}\t{action_name(action)}" in text, action.text()
    stepping = dict(dialog.groups)["Stepping"]
    assert ("Right", "Step forward") in stepping and ("Left", "Step back") in stepping
    assert ("Ctrl+T", "Train") in dict(dialog.groups)["Training"]
    assert ("Ctrl+S", "Save model") in dict(dialog.groups)["Files"]
    assert ("Esc", "Back to the graph") in dict(dialog.groups)["Views"]
    dialog.close()


def test_every_toolbar_control_has_a_tooltip(window: MainWindow) -> None:
    bars = window.findChildren(QToolBar)
    assert len(bars) >= 4  # file, settings, and the two graph views' own
    for bar in bars:
        for action in bar.actions():
            if action.isSeparator():
                continue
            widget = bar.widgetForAction(action)
            if widget is not None and not isinstance(widget, QToolButton):
                assert widget.toolTip(), (bar.windowTitle(), type(widget).__name__)
            else:
                tip = action.toolTip()
                assert tip and tip != action.text().replace("&", ""), action.text()
    for widget in (window.timebar.speed, window.timebar.slider, window.timebar.label):
        assert widget.toolTip()
    for button in window.timebar.buttons:
        assert button.toolTip() and button.toolTip() != button.text()


def _tooltip_after(qtbot, widget, pos: QPoint) -> str:
    """The tooltip a pointer resting at ``pos`` of ``widget`` pops up ("" for none)."""
    QToolTip.hideText()
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    event = QHelpEvent(QEvent.Type.ToolTip, pos, widget.mapToGlobal(pos))
    QApplication.sendEvent(widget, event)
    return QToolTip.text() if QToolTip.isVisible() else ""


def test_every_dock_says_what_it_shows(window: MainWindow, qtbot) -> None:
    for name, dock in window.docks.items():
        tip = dock.toggleViewAction().toolTip()
        assert tip and tip != dock.windowTitle(), name
        assert window.dock_tips.tip(dock) == tip
    loss = window.docks[DockId.LOSS]  # a dock on its own: its title bar
    assert _tooltip_after(qtbot, loss, QPoint(30, 6)) == window.dock_tips.tip(loss)
    below = loss.widget().geometry().center()  # its panel: no dock sentence there
    assert _tooltip_after(qtbot, loss, below) == ""
    deltas = window.docks[DockId.DELTAS]  # a tabbed dock: its tab
    bar = next(
        b
        for b in window.findChildren(QTabBar)
        if b.isVisible() and deltas.windowTitle() in [b.tabText(i) for i in range(b.count())]
    )
    index = [bar.tabText(i) for i in range(bar.count())].index(deltas.windowTitle())
    shown = _tooltip_after(qtbot, bar, bar.tabRect(index).center())
    assert shown == f"Deltas over time: {window.dock_tips.tip(deltas)}"
    QToolTip.hideText()


def test_no_two_actions_share_a_key(window: MainWindow) -> None:
    """Qt runs neither of two actions with the same window shortcut: each key does one thing."""
    owners: dict[str, str] = {}
    for action in window.findChildren(QAction):
        if action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut:
            continue  # works only inside its own widget
        for key in action.shortcuts():
            text = key.toString()
            assert text not in owners, f"{text}: {owners[text]} and {action.text()}"
            owners[text] = action.text()
