"""Predict mode: before the cursor (or the lesson) moves on, type the number the step computes.

With Lessons > Predict the next number (Ctrl+Shift+P) on, every forward move of the cursor
(Right, the time bar's buttons and slider, the Step menu, Play and To end: the time bar's
forward gate) and the lesson's Next first ask for a value - h(t) of the selected hidden unit
going forward, its δh(t) going backward, the step's term of a selected U, W or V gradient cell,
or whatever the lesson step names - check it with :func:`core.predict.judge`, name the likely
slip, add it to the score, and then move on. Play waits at each question; To end asks the next
number, then jumps. The score can be exported as CSV or JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRegularExpression, Qt
from PySide6.QtGui import QAction, QKeySequence, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.cursor import phase_and_step
from core.lesson_text import PlaceholderError
from core.modelio import atomic_write_text
from core.notation import NOTATIONS
from core.predict import Question, Score, judge, question
from core.selection import Selection
from core.trace import Trace
from gui.files import FileActions
from gui.lessons.panel import WrappedLine
from gui.lessons.player import LessonPlayer
from gui.session import Session
from gui.timebar import PlaybackActions

NUMBER = QRegularExpression(r"[+-]?(\d{1,7}\.?\d*|\.\d+)([eE][+-]?\d{1,2})?")
#: the largest magnitude a prediction may have
MAX_TYPED = 1e6
RIGHT_STYLE = "color: #1a7f37;"
WRONG_STYLE = "color: #b42318;"


def cursor_question_source(trace: Trace, position: int, selection: Selection | None) -> str | None:
    """What to ask before the cursor moves from ``position`` to the next one: h(t) of the
    selected (or first) hidden unit going forward, δh(t) going backward, or the step's term of
    a selected U, W or V cell; None at the end."""
    T = trace.T
    if position >= 2 * T:
        return None
    phase, t = phase_and_step(T, position + 1)
    unit = 1
    if selection is not None and selection.kind == "node" and selection.layer == "h":
        unit = selection.unit + 1
    if phase == "forward":
        return f"h[{unit}]({t})"
    if selection is not None and selection.kind == "cell" and selection.layer in ("U", "W", "V"):
        return f"grad {selection.layer}[{selection.row + 1},{selection.col + 1}]({t})"
    return f"dh[{unit}]({t})"


class PredictBox(QWidget):
    """The question, the field to type the value in, Check and Skip, the feedback and score."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompt = WrappedLine()
        self.edit = QLineEdit()
        self.edit.setValidator(QRegularExpressionValidator(NUMBER, self.edit))
        self.edit.setPlaceholderText("your value, e.g. 0.25")
        self.edit.setToolTip("Type the value the next step computes, then Enter")
        self.check_button = QPushButton("Check")
        self.check_button.setToolTip("Compare with the engine's value and move on (Enter)")
        self.skip_button = QPushButton("Skip")
        self.skip_button.setToolTip("Move on without predicting this one")
        self.feedback = WrappedLine()
        self.feedback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.score = QLabel("score 0 / 0")
        self.score.setToolTip("Right predictions of all made this session (Lessons > Export)")
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.check_button)
        row.addWidget(self.skip_button)
        top = QHBoxLayout()  # the score beside the question: one line less in a short dock
        top.addWidget(self.prompt, 1)
        top.addWidget(self.score, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        column.addLayout(top)
        column.addLayout(row)
        column.addWidget(self.feedback)


class PredictMode(QObject):
    """Asks before stepping while on; keeps the session's score.

    Attributes
    ----------
    toggle_action : Predict the next number (checkable, Ctrl+Shift+P).
    export_action : Export the prediction score as CSV or JSON.
    pending : the open question, or None.
    score : the immutable :class:`core.predict.Score` so far.
    """

    def __init__(
        self,
        window: QWidget,
        session: Session,
        player: LessonPlayer,
        playback: PlaybackActions,
        box: PredictBox,
        files: FileActions,
        show: Callable[[], None],
    ) -> None:
        super().__init__(window)
        self._window, self._session, self._player = window, session, player
        self._playback, self.box, self._files, self._show = playback, box, files, show
        self.pending: Question | None = None
        self._then: Callable[[], None] | None = None
        self.score = Score()
        self.toggle_action = QAction("&Predict the next number", window, checkable=True)
        self._keys(self.toggle_action, ["Ctrl+Shift+P"], "Before each step, type the value it "
                   "computes; a wrong one is matched to the common slip it comes from")  # fmt: skip
        self.toggle_action.toggled.connect(self._on_toggle_action_toggled)
        self.export_action = QAction("E&xport prediction score...", window)
        self._keys(self.export_action, [], "Save every prediction of this session as CSV or JSON")
        self.export_action.triggered.connect(lambda _checked=False: self.export())
        box.edit.returnPressed.connect(self.answer)
        box.check_button.clicked.connect(self.answer)
        box.skip_button.clicked.connect(self.skip)
        box.setVisible(False)

    def _keys(self, action: QAction, keys: list[str], tip: str) -> None:
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{tip} ({', '.join(keys)})" if keys else tip)
        action.setStatusTip(tip)
        self._window.addAction(action)

    @property
    def on(self) -> bool:
        return self.toggle_action.isChecked()

    # -- asking -----------------------------------------------------------------------------------
    def ask_cursor(self, move: Callable[[], None] | None = None) -> None:
        """The time bar's forward gate while predicting: ask for the value the next position
        computes, then make ``move`` (one step when None)."""
        if self.pending is not None:
            self.box.edit.setFocus()
            return
        s = self._session
        source = cursor_question_source(s.trace, s.position, s.selection)
        if source is None:
            return
        then = s.step if move is None else move
        self._ask(source, s.trace, s.notation.key, then, "Predict {} before it is computed:")

    def next_lesson_step(self) -> None:
        """The lesson's Next: ask first when predicting and the step names a quantity."""
        index = self._player.index + 1
        lesson = self._player.lesson
        state = self._player.peek(index)
        asked = lesson.steps[index].predict if lesson is not None and index < len(lesson) else None
        if not self.on or state is None or asked is None or lesson is None:
            self._player.next()
            return
        if self.pending is None:
            intro = f"Step {index + 1} computes {{}}. Your prediction:"
            self._ask(asked, state.trace(lesson.dataset), state.notation, self._player.next, intro)

    def _ask(
        self, source: str, trace: Trace, notation: str, then: Callable[[], None], intro: str
    ) -> None:
        try:
            q = question(source, trace, NOTATIONS[notation])
        except PlaceholderError:
            then()  # nothing this step can be asked about: move on
            return
        self.pending, self._then = q, then
        self._show()
        self.box.prompt.setText(intro.format(q.label))
        self.box.edit.clear()
        self.box.edit.setEnabled(True)
        self.box.edit.setFocus()

    def answer(self) -> None:
        """Check the typed value, show the verdict, add it to the score, move on."""
        q = self.pending
        if q is None:
            return
        try:
            typed = float(self.box.edit.text())
        except ValueError:
            self._say("Type a number first (or Skip).", False)
            return
        if not abs(typed) <= MAX_TYPED:
            self._say(f"Type a number between -{MAX_TYPED:g} and {MAX_TYPED:g}.", False)
            return
        verdict = judge(q, typed)
        self.score = self.score.add(verdict)
        self._say(verdict.message, verdict.right)
        self.box.score.setText(self.score.label)
        self._finish()

    def skip(self) -> None:
        if self.pending is not None:
            self._say(f"Skipped: {self.pending.label} = {self.pending.correct:.4g}.", True)
            self._finish()

    def _say(self, text: str, right: bool) -> None:
        self.box.feedback.setText(text)
        self.box.feedback.setStyleSheet(RIGHT_STYLE if right else WRONG_STYLE)

    def _finish(self) -> None:
        then, self.pending, self._then = self._then, None, None
        self.box.prompt.setText("Step on to get the next question.")
        self.box.edit.clear()
        self.box.edit.clearFocus()  # the arrow keys step again
        self.box.edit.setEnabled(False)
        if then is not None:
            then()

    # -- mode and export ------------------------------------------------------------------------
    def _on_toggle_action_toggled(self, on: bool) -> None:
        self._playback.stop()
        # every forward move (keys, buttons, menu, play, slider) asks first while predicting
        self._playback.set_forward_gate(self.ask_cursor if on else None)
        self.box.setVisible(on)
        if on:
            self._show()
            self.box.prompt.setText(
                "Step forward (Right) or press the lesson's Next for the first question."
            )
            self.box.edit.setEnabled(False)
        elif self.pending is not None:
            self.pending, self._then = None, None

    def export(self, path: str | None = None) -> bool:
        """Write the score: JSON for a ``.json`` name, else CSV. Never asks in a run nobody
        watches."""
        if path is None:
            if self._files.unattended is not None:
                return False
            path, _ = QFileDialog.getSaveFileName(
                self._window, "Export prediction score", "predictions.csv",
                "CSV (*.csv);;JSON (*.json)",
            )  # fmt: skip
            if not path:
                return False
        text = self.score.to_json() if Path(path).suffix.lower() == ".json" else self.score.to_csv()
        try:
            atomic_write_text(path, text)
        except (OSError, ValueError) as exc:
            self._files.show_error("Cannot export the prediction score", f"{path}: {exc}")
            return False
        return True
