"""Plays a lesson in the window: each step moves the session, and the lesson text follows it.

The steps themselves are pure (:func:`core.lessons.apply`); the player keeps the
:class:`~core.lessons.LessonState` of every step already visited, so Back is exact and free and
Next to a visited step does not train again. A step that trains runs in the training
controller's worker (progress and Stop in the Training dock and in the lesson panel); the step
is shown when the run ends, on the network it reached.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core import lesson_text
from core.lessons import (
    Lesson,
    LessonState,
    apply,
    before_training,
    initial_state,
    load_lesson,
    train_config,
)
from gui.session import NetworkOrigin, Session
from gui.training.controller import TrainingController


class LessonPlayer(QObject):
    """The open lesson and its current step.

    Signals
    -------
    lessonChanged() : a lesson was opened (or closed).
    stepChanged(int) : step ``index`` (0-based) is shown, its text rendered.
    trainingChanged(bool) : a step's training started (True) or ended (False).
    failed(str) : a step could not be shown (its training failed); the lesson stays where it was.
    textChanged(str) : the step's text with its numbers, again whenever the trace or notation
        changes (the numbers are always those the views show).
    dockRequested(str) : the step shown names a dock to raise (a ``core.lessons.DOCK_NAMES``
        name, the window's dock registry name).
    """

    lessonChanged = Signal()
    textChanged = Signal(str)
    stepChanged = Signal(int)
    trainingChanged = Signal(bool)
    failed = Signal(str)
    dockRequested = Signal(str)

    def __init__(
        self, session: Session, controller: TrainingController, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._controller = controller
        self._lesson: Lesson | None = None
        self._states: list[LessonState] = []  # the state of every step visited so far
        self._index = -1
        self._pending: int | None = None  # the step whose training runs
        self._text = ""
        controller.finished.connect(self._on_controller_finished)
        session.notationChanged.connect(self._rerender)
        session.traceChanged.connect(self._rerender)

    # -- read access ------------------------------------------------------------------------------
    @property
    def lesson(self) -> Lesson | None:
        return self._lesson

    @property
    def index(self) -> int:
        """The step shown, 0-based (-1 before the first)."""
        return self._index

    @property
    def training(self) -> bool:
        return self._pending is not None

    @property
    def text(self) -> str:
        """The current step's text with its live numbers."""
        return self._text

    @property
    def epochs(self) -> int:
        """The epochs the running step trains (0 when none)."""
        if self._lesson is None or self._pending is None:
            return 0
        train = self._lesson.steps[self._pending].train
        return int(train["epochs"]) if train else 0

    def peek(self, index: int) -> LessonState | None:
        """The state step ``index`` will show, when it is known without training (else None)."""
        lesson = self._lesson
        if lesson is None or not 0 <= index < len(lesson):
            return None
        if index < len(self._states):
            return self._states[index]
        if index != len(self._states) or lesson.steps[index].train is not None:
            return None
        return apply(lesson, self._previous(index), index)

    # -- control ----------------------------------------------------------------------------------
    def read(self, path: str | Path) -> Lesson:
        """Read and validate a lesson file; LessonError (naming file, step, field) if bad."""
        return load_lesson(path)

    def start(self, lesson: Lesson) -> None:
        """Show ``lesson``'s network and data, then its first step."""
        if self._pending is not None:
            self._controller.stop()
        self._pending = None
        self._session.set_dataset(
            lesson.dataset,
            lesson.net,
            source={"lesson": lesson.title, **(lesson.task or {})},
            modified=False,
            origin=NetworkOrigin.USER,
        )
        self._lesson, self._states, self._index = lesson, [], -1
        self.lessonChanged.emit()
        self.go(0)

    def next(self) -> None:
        if self._lesson is not None and self._index + 1 < len(self._lesson):
            self.go(self._index + 1)

    def back(self) -> None:
        if self._lesson is not None and self._index > 0:
            self.go(self._index - 1)

    def stop(self) -> None:
        """Stop a step's training; the step is shown on the network reached so far."""
        if self._pending is not None:
            self._controller.stop()

    def go(self, index: int) -> None:
        """Show step ``index``: a visited one at once, the next new one after its training."""
        lesson = self._lesson
        if lesson is None or self._pending is not None or not 0 <= index < len(lesson):
            return
        if index < len(self._states):
            self._show(index)
            return
        while len(self._states) < index:  # steps skipped over are applied without training
            self._advance(len(self._states), train=False)
        self._advance(index, train=True)

    # -- internals --------------------------------------------------------------------------------
    def _previous(self, index: int) -> LessonState:
        assert self._lesson is not None
        return self._states[index - 1] if index > 0 else initial_state(self._lesson)

    def _advance(self, index: int, *, train: bool) -> None:
        assert self._lesson is not None
        lesson, previous = self._lesson, self._previous(index)
        step = lesson.steps[index]
        if step.train is None or not train:
            trained = previous.net if step.train is not None else None
            self._states.append(apply(lesson, previous, index, trained))
            if train:
                self._show(index)
            return
        start = before_training(lesson, previous, index)
        self._follow(start)
        config = train_config(lesson, start, step)
        try:
            self._controller.start(config)
        except (RuntimeError, ValueError) as exc:
            self.failed.emit(f"Step {index + 1} cannot train: {exc}")
            return
        self._pending = index
        self.trainingChanged.emit(True)

    def _on_controller_finished(self, reason: str) -> None:
        index, self._pending = self._pending, None
        if index is None or self._lesson is None:
            return
        self.trainingChanged.emit(False)
        if reason.startswith("failed"):
            self.failed.emit(f"Step {index + 1}'s training {reason}")
            return
        previous = self._previous(index)
        self._states.append(apply(self._lesson, previous, index, self._session.net))
        self._show(index)

    def _show(self, index: int) -> None:
        self._index = index
        self._follow(self._states[index])
        self._rerender()
        self.stepChanged.emit(index)
        assert self._lesson is not None
        shown = self._lesson.steps[index].show
        if shown is not None:
            self.dockRequested.emit(shown)

    def _follow(self, state: LessonState) -> None:
        """Make the window show ``state``: network, sequence, truncation, notation, cursor and
        selection, each only if it differs (so views redraw only what changed)."""
        s = self._session
        if s.net is not state.net:
            s.set_network(state.net, origin=NetworkOrigin.USER)
        if s.sequence_index != state.sequence:
            s.set_sequence(state.sequence)
        s.set_truncation(state.truncation, state.mode)
        s.set_notation(state.notation)
        s.seek(state.position)
        if s.selection != state.selection:
            s.select(state.selection)

    def _rerender(self) -> None:
        if self._lesson is None or self._index < 0:
            self._text = ""
            self.textChanged.emit("")
            return
        step = self._lesson.steps[self._index]
        try:
            text, _ = lesson_text.render(step.text, self._session.trace, self._session.notation)
        except lesson_text.PlaceholderError as exc:  # checked on opening; kept as a sentence
            text = f"{step.text}\n({exc})"
        if text != self._text:
            self._text = text
            self.textChanged.emit(text)
