"""The common shape of a panel: rebuild per trace, then apply a small view state per change.

A panel observes the session (``traceChanged``, ``cursorChanged``, ``notationChanged``). On a new
trace it rebuilds what depends on the trace alone (full images, colour levels, ticks); on every
change it computes a small frozen view state with a pure function and applies only the fields that
differ from the last one, so stepping the cursor touches as little as possible.

Off screen (a closed or tabbed-away dock) a panel only notes that it is stale and catches up when
shown. A paced change (``Session.paced``: a training run's network) is noted the same way and
the catching up left to the session's pacer, which runs one view per event-loop turn.
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

    A panel with a hover line (``self.hover``) reports what the mouse points at through
    :meth:`_hover_at`; the line then follows the cursor, the trace and the notation under a still
    mouse instead of keeping the number of the moment the mouse arrived.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._view: ViewT | None = None
        self._on_screen = True  # False while its dock is closed or tabbed away
        self._stale = False  # a change arrived while off screen
        self._needs_rebuild = False  # a new trace arrived while off screen
        self._hovered: tuple[Any, ...] | None = None  # hover_text's arguments under the mouse
        self._hovered_frame: tuple[Any, ...] = ()  # the shape of the trace it belongs to

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
        if not self._on_screen or self.session.paced:  # rebuilt when shown, or in a later turn
            self._needs_rebuild = self._stale = True
            self._defer()
            return
        self._needs_rebuild = self._stale = False
        self.session.pacer.cancel(self)
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
        """Apply the changes that arrived while off screen or paced (before reading what is
        displayed)."""
        self.session.pacer.cancel(self)
        if self._needs_rebuild:
            self._needs_rebuild = False
            self._rebuild()
            self._view = None
        if self._stale:
            self._stale = False
            self._update()

    # -- the view state ---------------------------------------------------------------------------
    def _refresh(self) -> None:
        if not self._on_screen or self.session.paced:
            self._stale = True
            self._defer()
            return
        if self._stale:  # a paced change waits: catch up with it (and this one) now
            self._catch_up()
            return
        self._update()

    def _defer(self) -> None:
        """Leave the update to the pacer while on screen (off screen, showing catches up)."""
        if self._on_screen:
            self.session.pacer.post(self, self._on_pacer_turn)

    def _on_pacer_turn(self) -> None:
        if self._on_screen:
            self._catch_up()

    def _update(self) -> None:
        """Compute the view state and apply what differs from the one drawn."""
        new = self._compute_view()
        if new != self._view:
            self._apply(new, self._view)
            self._view = new
        if self._hovered is not None:  # the mouse stayed: its readout follows the change
            if self._hover_frame() != self._hovered_frame:
                self._hovered = None  # another shape of trace: that cell may not exist
            self._write_hover()

    # -- the hover line ---------------------------------------------------------------------------
    def hover_text(self, *cell: Any) -> str:
        """The readout of ``cell`` at the cursor (panels with a hover line implement it)."""
        raise NotImplementedError

    def _hover_at(self, cell: tuple[Any, ...] | None) -> None:
        """The mouse points at ``cell`` (the arguments of :meth:`hover_text`) or at nothing."""
        self._hovered = cell
        self._hovered_frame = self._hover_frame()
        self._write_hover()

    def _write_hover(self) -> None:
        cell = self._hovered
        text = self.hover_text(*cell) if cell is not None else self._hover_hint()
        self.hover.setText(text)
        self._set_hover_tip(text if cell is not None else "")

    def _hover_hint(self) -> str:
        """The hover line's text while the mouse points at nothing."""
        return ""

    def _set_hover_tip(self, text: str) -> None:
        """Show the readout as a tooltip too (panels whose canvas has one override this)."""

    def _hover_frame(self) -> tuple[Any, ...]:
        """What decides whether a hovered cell still exists: steps and units of the trace."""
        net = self.session.trace.net
        return (self.session.trace.T, net.n_in, net.n_hidden, net.n_out, net.context, net.train_h0)

    def _rebuild(self) -> None:
        raise NotImplementedError

    def _compute_view(self) -> ViewT:
        raise NotImplementedError

    def _apply(self, new: ViewT, old: ViewT | None) -> None:
        raise NotImplementedError


def changed(new: Any, old: Any, *fields: str) -> bool:
    """Whether any of the fields differs between two view states (always True without ``old``)."""
    return old is None or any(getattr(new, f) != getattr(old, f) for f in fields)
