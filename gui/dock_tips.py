"""What a dock shows, said over its title bar and its tab as well as on its View menu entry.

Each dock's sentence is its ``toggleViewAction``'s tooltip (from the dock registry). A dock's
own tooltip would also pop up over every part of its panel that has none, so the
sentence is shown by :class:`DockTips` only where the dock is named: the title bar (docked or
floating), the tab of a tabbed dock (after the dock's title, which the tab may elide), and the
dock's entry in the View menu.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QChildEvent, QEvent, QObject
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QToolTip


class DockTips(QObject):
    """Shows each dock's sentence (its View menu entry's tooltip) over its title bar and its tab.

    Parameters
    ----------
    window : the main window holding the docks (its tab bars are watched).
    docks : the docks, each with a tooltip on its ``toggleViewAction``.
    """

    def __init__(self, window: QMainWindow, docks: Iterable[QDockWidget]) -> None:
        super().__init__(window)
        self._window = window
        self._tips = {dock: dock.toggleViewAction().toolTip() for dock in docks}
        for dock in self._tips:
            dock.installEventFilter(self)  # its title bar, docked or floating
        # the tab bars of tabbed docks are children of the window, made and dropped as the
        # layout changes: watch those there are and those to come
        for bar in window.findChildren(QTabBar):
            bar.installEventFilter(self)
        window.installEventFilter(self)

    def tip(self, dock: QDockWidget) -> str:
        return self._tips[dock]

    def tip_at(self, widget: QObject, event: QHelpEvent) -> str:
        """The sentence for a tooltip request at ``event.pos()`` of ``widget``, or ""."""
        if isinstance(widget, QDockWidget) and widget in self._tips:
            content = widget.widget()
            on_title = content is None or event.pos().y() < content.geometry().top()
            return self._tips[widget] if on_title else ""
        if isinstance(widget, QTabBar) and widget.parent() is self._window:
            index = widget.tabAt(event.pos())
            title = widget.tabText(index) if index >= 0 else ""
            dock = next((d for d in self._tips if d.windowTitle() == title), None)
            if dock is None or not self._tips[dock]:
                return ""
            # a tab shows the dock's short title; its View menu entry has the whole one
            return f"{dock.toggleViewAction().text()}: {self._tips[dock]}"
        return ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window:
            if event.type() == QEvent.Type.ChildAdded and isinstance(event, QChildEvent):
                child = event.child()
                if isinstance(child, QTabBar):
                    child.installEventFilter(self)
            return False
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tip_at(watched, event)
            if text:
                QToolTip.showText(event.globalPos(), text, self._window)
                return True
        return False
