"""The common shape of a panel: rebuild per trace, then apply a small view state per change.

A panel observes the session (``traceChanged``, ``cursorChanged``, ``notationChanged``). On a new
trace it rebuilds what depends on the trace alone (full images, colour levels, ticks); on every
change it computes a small frozen view state with a pure function and applies only the fields that
differ from the last one, so stepping the cursor touches as little as possible.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui.session import Session
from gui.widgets.canvas import canvas, hover_label

ViewT = TypeVar("ViewT")


class Panel(QWidget, Generic[ViewT]):
    """Base class: subclasses build their widgets, then call :meth:`_start`.

    Subclasses implement ``_rebuild()`` (per trace), ``_compute_view() -> ViewT`` (pure: from the
    session's trace, state and notation) and ``_apply(new, old)`` (``old`` is None after a
    rebuild: apply everything).
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._view: ViewT | None = None
        self._on_screen = True  # False while its dock is closed or tabbed away
        self._stale = False  # a change arrived while off screen
        self._needs_rebuild = False  # a new trace arrived while off screen

    def _build_canvas(self, hint: str) -> None:
        """The usual body: a pyqtgraph canvas (``self.canvas``) above a hover line
        (``self.hover``) that starts with ``hint``."""
        self.canvas = canvas()
        self.hover = hover_label()
        self.hover.setText(hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.hover)

    def _start(self) -> None:
        self.session.traceChanged.connect(self._on_session_trace_changed)
        self.session.cursorChanged.connect(self._on_session_cursor_changed)
        self.session.notationChanged.connect(self._on_session_notation_changed)
        self._on_session_trace_changed()

    # -- slots ------------------------------------------------------------------------------------
    def _on_session_trace_changed(self) -> None:
        if not self._on_screen:  # a hidden panel rebuilds when it is shown, not per new trace
            self._needs_rebuild = self._stale = True
            return
        self._rebuild()
        self._view = None
        self._refresh()

    def _on_session_cursor_changed(self, position: int) -> None:
        self._refresh()

    def _on_session_notation_changed(self) -> None:
        self._refresh()

    def set_on_screen(self, on: bool) -> None:
        """Whether the panel can be seen (its dock's ``visibilityChanged``).

        Off screen, new traces, cursor and notation changes only mark the panel stale; it catches
        up when shown.
        """
        self._on_screen = on
        if on:
            self._catch_up()

    def _catch_up(self) -> None:
        """Apply the changes that arrived while off screen (before reading what is displayed)."""
        if self._needs_rebuild:
            self._needs_rebuild = False
            self._rebuild()
            self._view = None
        if self._stale:
            self._stale = False
            self._refresh()

    # -- the view state ---------------------------------------------------------------------------
    def _refresh(self) -> None:
        if not self._on_screen:
            self._stale = True
            return
        new = self._compute_view()
        if new != self._view:
            self._apply(new, self._view)
            self._view = new

    def _rebuild(self) -> None:
        raise NotImplementedError

    def _compute_view(self) -> ViewT:
        raise NotImplementedError

    def _apply(self, new: ViewT, old: ViewT | None) -> None:
        raise NotImplementedError


def changed(new: Any, old: Any, *fields: str) -> bool:
    """Whether any of the fields differs between two view states (always True without ``old``)."""
    return old is None or any(getattr(new, f) != getattr(old, f) for f in fields)
