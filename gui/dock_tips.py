"""One sentence per dock saying what it shows, on its title bar, its tab and its View menu entry.

A dock's own tooltip would also pop up over every part of its panel that has none, so the
sentence is shown by :class:`DockTips` only where the dock is named: the title bar (docked or
floating), the tab of a tabbed dock (after the dock's title, which the tab may elide), and the
dock's entry in the View menu.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QChildEvent, QEvent, QObject
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QToolTip

#: dock object name (without "dock_") -> what it shows, in one sentence
DOCK_TIPS: Mapping[str, str] = {
    "activations": "The hidden states h(t), outputs and targets at every time step, "
    "filled in as the forward sweep reaches them.",
    "deltas": "The error signals δ of every unit and time step, filled in as the backward "
    "sweep computes them from t = T down to 1.",
    "gradients": "Each weight's gradient: what the current backward step adds beside the sum "
    "accumulated so far.",
    "loss": "The loss of every time step and how much of the total is known at the cursor.",
    "inspector": "The equation of the node, edge or cell you click, written out with its numbers.",
    "task": "Generate a classic recurrent-network task or open your own sequence file.",
    "network": "Shape the network: hidden units, activation, output and loss, context (Elman "
    "or Jordan).",
    "training": "Train the network in the background, watch the loss fall, then replay the "
    "run epoch by epoch.",
    "state_space": "The hidden states projected on their two principal components, with a "
    "dendrogram of the mean state per input symbol.",
    "flow": "How far back each loss term's gradient reaches, and how fast it vanishes or "
    "explodes on the way.",
    "gradcheck": "Every gradient of the backward sweep compared with central finite differences.",
    "weights": "The network's weights as Hinton diagrams, heatmaps or a table.",
}


class DockTips(QObject):
    """Shows each dock's sentence over its title bar and its tab, and on its View menu entry.

    Parameters
    ----------
    window : the main window holding the docks (its tab bars are watched).
    docks : dock name -> dock; every name must have a sentence in ``tips``.
    tips : the sentences (``DOCK_TIPS`` by default).
    """

    def __init__(
        self,
        window: QMainWindow,
        docks: Mapping[str, QDockWidget],
        tips: Mapping[str, str] = DOCK_TIPS,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._tips = {dock: tips[name] for name, dock in docks.items()}
        for dock, tip in self._tips.items():
            action = dock.toggleViewAction()
            action.setToolTip(tip)
            action.setStatusTip(tip)
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
            tip = next((t for d, t in self._tips.items() if d.windowTitle() == title), "")
            return f"{title}: {tip}" if tip else ""  # the tab's text may be elided
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
