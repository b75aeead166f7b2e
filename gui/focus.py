"""Keyboard focus goes back to the graph once a field has been edited, so the stepping keys step.

Left, Right, Home and End are the stepping shortcuts, but a text field with keyboard focus takes
them to move its text cursor (Qt lets a focused line edit override shortcuts). The rule: a field
keeps those keys only while the user is typing in it. Enter (``editingFinished`` with the focus
still in the field), choosing an item of a box, or clicking a spin box's arrows ends the edit
and gives the focus back to the graph; Esc does the same from any field of the window.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QFocusEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget


class GraphFocus(QObject):
    """Gives keyboard focus back to ``target`` (the graph) when an edit of a field ends.

    Parameters
    ----------
    target : the widget that should hold the focus while nobody types (the unfolded graph).
    window : the window whose Esc shortcut (``back_action``) returns the focus from any field.

    Attributes
    ----------
    back_action : "Back to the graph" (Esc).
    """

    def __init__(self, target: QWidget, window: QWidget) -> None:
        super().__init__(window)
        self._target = target
        self._focused_by_click: QObject | None = None  # a spin box a mouse press just focused
        self._arrow_click: QObject | None = None  # ... whose arrow is held down
        self.back_action = QAction("Back to the graph", window)
        self.back_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.back_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        tip = "Leave a text field, so that the arrow keys step through time again"
        self.back_action.setToolTip(f"{tip} (Esc)")
        self.back_action.setStatusTip(tip)
        self.back_action.triggered.connect(self.give_back)
        window.addAction(self.back_action)

    def watch(self, fields: Iterable[QWidget]) -> None:
        """Return the focus to the graph when an edit of one of ``fields`` ends."""
        for field in fields:
            if isinstance(field, QAbstractSpinBox):
                field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel does not take it
                field.editingFinished.connect(lambda f=field: self._on_field_editing_finished(f))
                field.installEventFilter(self)
                field.lineEdit().installEventFilter(self)  # a click in the text: typing
            elif isinstance(field, QComboBox):
                field.activated.connect(self.give_back)

    def give_back(self) -> None:
        """Put the keyboard focus on the graph."""
        self._target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_field_editing_finished(self, field: QWidget) -> None:
        if field.hasFocus():  # Enter; after a click elsewhere the focus has already moved on
            self.give_back()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A click on a spin box's arrows that gave it the focus changes its value without
        starting to type in it: the focus goes back once the button is released."""
        kind = event.type()
        if kind == QEvent.Type.FocusIn and isinstance(event, QFocusEvent):
            clicked = event.reason() == Qt.FocusReason.MouseFocusReason
            self._focused_by_click = watched if clicked else None
        elif kind == QEvent.Type.MouseButtonPress:
            # the arrows belong to the spin box itself, its text to the line edit inside
            arrows = watched is self._focused_by_click
            self._arrow_click = watched if arrows else None
            self._focused_by_click = None
        elif kind == QEvent.Type.MouseButtonRelease and watched is self._arrow_click:
            self._arrow_click = None
            self.give_back()
        return False
