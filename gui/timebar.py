"""The time bar: step through the forward and the backward sweep, or play them.

Positions run from the start (0) through forward t = 1..T and backward t = T..1 (2T); see
``core.cursor``. Playback is a main-thread QTimer (the pattern of ndv's DimRow), never a thread.

Every move forward - Step forward (Right, the button, the Step menu), Play (each tick), To end
and the slider dragged forward - passes through one optional gate, which predict mode sets to
ask for the next number first (:meth:`PlaybackActions.set_forward_gate`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from core.cursor import phase_and_step
from gui.session import Session
from gui.widgets.text_line import TextLine

#: a gate on forward moves: called with the move, it makes it at once, later (after asking
#: something) or never
ForwardGate = Callable[[Callable[[], None]], None]


class PlaybackActions(QObject):
    """The stepping actions with their keyboard shortcuts, shared by the menu and the time bar.

    Left/Right step, Home/End jump, Space plays or pauses. The actions are added to the main
    window so their shortcuts work wherever the focus is inside it.
    """

    playingChanged = Signal(bool)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        icon = QStyle.StandardPixmap
        self.to_start = self._action(
            "To start", icon.SP_MediaSkipBackward, "Home", "Go to the start: only h(0) is known"
        )
        self.back = self._action("Step back", icon.SP_MediaSeekBackward, "Left", "One step back")
        self.play = self._action("Play", icon.SP_MediaPlay, "Space", "Play or pause the sweep")
        self.forward = self._action("Step forward", icon.SP_MediaSeekForward, "Right", "One on")
        self.to_end = self._action(
            "To end", icon.SP_MediaSkipForward, "End", "Go to the end of the backward sweep"
        )
        self.play.setCheckable(True)
        self.to_start.triggered.connect(self._on_to_start_triggered)
        self.back.triggered.connect(self._on_back_triggered)
        self.forward.triggered.connect(self._on_forward_triggered)
        self.to_end.triggered.connect(self._on_to_end_triggered)
        self.play.toggled.connect(self._on_play_toggled)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.set_speed(4.0)
        self._gate: ForwardGate | None = None

    def _action(self, text: str, icon: QStyle.StandardPixmap, key: str, tip: str) -> QAction:
        action = QAction(QApplication.style().standardIcon(icon), text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{tip} ({key})")
        action.setStatusTip(tip)
        return action

    def actions(self) -> list[QAction]:
        return [self.to_start, self.back, self.play, self.forward, self.to_end]

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def set_speed(self, steps_per_second: float) -> None:
        """Playback speed in cursor positions per second."""
        self.timer.setInterval(max(1, round(1000.0 / max(steps_per_second, 0.01))))

    def stop(self) -> None:
        self.play.setChecked(False)

    def set_forward_gate(self, gate: ForwardGate | None) -> None:
        """Send every forward move through ``gate`` (None: move at once). Playing waits at
        each tick until the gate makes the move."""
        self._gate = gate

    @property
    def gated(self) -> bool:
        return self._gate is not None

    def _forward(self, move: Callable[[], None]) -> None:
        if self._gate is None:
            move()
        else:
            self._gate(move)

    # -- slots ------------------------------------------------------------------------------------
    def _on_to_start_triggered(self) -> None:
        self._session.to_start()

    def _on_back_triggered(self) -> None:
        self._session.back()

    def _on_forward_triggered(self) -> None:
        self._forward(self._session.step)

    def _on_to_end_triggered(self) -> None:
        self._forward(self._session.to_end)

    def _on_play_toggled(self, on: bool) -> None:
        if on:
            if self._session.cursor.at_end:
                self._session.to_start()  # playing from the end starts again
            self.timer.start()
        else:
            self.timer.stop()
        self.play.setText("Pause" if on else "Play")
        pixmap = QStyle.StandardPixmap.SP_MediaPause if on else QStyle.StandardPixmap.SP_MediaPlay
        self.play.setIcon(QApplication.style().standardIcon(pixmap))
        self.playingChanged.emit(on)

    def _on_timer_timeout(self) -> None:
        if self._gate is not None:
            self.timer.stop()  # until the gate makes the move
        self._forward(self._play_step)

    def _play_step(self) -> None:
        self._session.step()
        if self._session.cursor.at_end:
            self.play.setChecked(False)
        elif self.play.isChecked() and not self.timer.isActive():
            self.timer.start()  # the gate let this step through: play on


class TimeBar(QWidget):
    """Buttons, a speed box, a slider over all 2T + 1 positions and the phase label."""

    def __init__(self, session: Session, actions: PlaybackActions, parent: QWidget | None = None):
        super().__init__(parent)
        self._session = session
        self._actions = actions
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.buttons: list[QToolButton] = []
        for action in actions.actions():
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            layout.addWidget(button)
            self.buttons.append(button)
        self.speed = QDoubleSpinBox(self)
        self.speed.setRange(0.5, 60.0)
        self.speed.setValue(4.0)
        self.speed.setSuffix(" steps/s")
        self.speed.setToolTip("Playback speed, cursor positions per second")
        self.speed.valueChanged.connect(actions.set_speed)
        layout.addWidget(self.speed)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.setToolTip("All positions: the start, forward t = 1..T, then backward t = T..1")
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        layout.addWidget(self.slider, 1)
        self.label = TextLine(parent=self)  # repaints, never relayouts, on every step
        self.label.setMinimumWidth(150)
        self.label.setToolTip("The phase of the sweep and the current time step")
        layout.addWidget(self.label)
        session.traceChanged.connect(self._on_session_trace_changed)
        session.cursorChanged.connect(self._on_session_cursor_changed)
        self._on_session_trace_changed()

    def _on_session_trace_changed(self) -> None:
        self.slider.blockSignals(True)
        self.slider.setRange(0, self._session.n_positions - 1)
        self.slider.setPageStep(max(1, self._session.trace.T // 10))
        self.slider.blockSignals(False)
        self._on_session_cursor_changed(self._session.position)

    def _on_session_cursor_changed(self, position: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(position)
        self.slider.blockSignals(False)
        self.label.setText(self._session.state.label)
        cursor = self._session.cursor
        self._actions.to_start.setEnabled(not cursor.at_start)
        self._actions.back.setEnabled(not cursor.at_start)
        self._actions.forward.setEnabled(not cursor.at_end)
        self._actions.to_end.setEnabled(not cursor.at_end)

    def _on_slider_value_changed(self, value: int) -> None:
        if value > self._session.position and self._actions.gated:
            self._on_session_cursor_changed(self._session.position)  # back to the cursor
            self._actions.forward.trigger()  # one step, through the gate
            return
        self._session.seek(value)

    def position_label(self, position: int) -> str:
        """The label of an arbitrary position, e.g. for slider tooltips."""
        phase, t = phase_and_step(self._session.trace.T, position)
        return phase if phase == "start" else f"{phase} t = {t}"


#: what a first-time user needs to start, shown above the time bar until the first step
START_HINT = (
    "Press → to step forward through time, ← to step back; "
    "click any node, edge or cell to see its equation"
)


class StartHint(QLabel):
    """A one-line hint above the time bar that goes away once the cursor has first moved.

    It wraps onto a second line rather than clip in a narrow window.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(START_HINT, parent)
        self._session = session
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(
            "QLabel { background: #fff8dc; color: #333; border-top: 1px solid #e6d9a8;"
            " padding: 4px 8px; }"
        )
        self.setToolTip(
            "Disappears after the first step; Help > Keyboard shortcuts lists every key"
        )
        session.cursorChanged.connect(self._on_session_cursor_changed)

    def _on_session_cursor_changed(self, position: int) -> None:
        if position > 0:  # the first step (a new trace puts the cursor back to 0)
            self.hide()
            self._session.cursorChanged.disconnect(self._on_session_cursor_changed)
