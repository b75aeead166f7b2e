"""The Lesson dock: the open lesson's title, "step k of n", the step's text with its live
numbers, Back and Next, and the progress of a step that trains."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.lessons.player import LessonPlayer
from gui.session import Session
from gui.training.controller import TrainingController

EMPTY = (
    "No lesson is open. Choose one from the Lessons menu, or open your own lesson file "
    "(Lessons > Open lesson file..., Ctrl+L)."
)
#: the lesson text is set this much larger than the window's font, to be read from a distance
TEXT_SCALE = 1.2


class WrappedLine(QLabel):
    """A word-wrapped label that keeps the height its lines need at its width, so that a tall
    dock squeezes the lesson text above (which scrolls) rather than cut the feedback off."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def _fit(self) -> None:
        needed = self.heightForWidth(self.width()) if self.width() > 0 else -1
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)


class LessonPanel(QWidget):
    """Shows the player's lesson; Back and Next drive it (their keys live on window actions)."""

    def __init__(
        self, session: Session, controller: TrainingController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.player = LessonPlayer(session, controller, self)
        self.controller = controller

        self.title = WrappedLine()  # two lines in a narrow column, and room for both
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.step_label = QLabel()
        self.step_label.setToolTip("Which step of the lesson is shown")
        self.text = QLabel(EMPTY)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        large = QFont(self.text.font())
        large.setPointSizeF(large.pointSizeF() * TEXT_SCALE)
        self.text.setFont(large)
        self.text.setToolTip("The step's text; its numbers are the engine's, as the views show")
        scroll = QScrollArea()
        scroll.setWidget(self.text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.text_area = scroll

        self.back_button = QPushButton("◀ Back")
        self.next_button = QPushButton("Next ▶")
        self.progress = QProgressBar()
        self.progress.setFormat("training %v / %m epochs")
        self.progress.setToolTip("The epochs this step trains, in the background")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop this step's training; the lesson goes on from there")
        self.stop_button.clicked.connect(self.player.stop)

        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.step_label, 1, Qt.AlignmentFlag.AlignCenter)
        buttons.addWidget(self.next_button)
        training = QHBoxLayout()
        training.addWidget(self.progress, 1)
        training.addWidget(self.stop_button)
        self.training_row = QWidget()
        self.training_row.setLayout(training)
        training.setContentsMargins(0, 0, 0, 0)

        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addWidget(scroll, 1)
        column.addWidget(self.training_row)
        column.addLayout(buttons)
        self.extra = QVBoxLayout()  # room for what the lesson's tools add below the buttons
        column.addLayout(self.extra)

        self.player.lessonChanged.connect(self._update)
        self.player.stepChanged.connect(self._update)
        self.player.textChanged.connect(self._on_player_text_changed)
        self.player.trainingChanged.connect(self._on_player_training_changed)
        controller.recordsArrived.connect(self._on_controller_records_arrived)
        self._on_player_training_changed(False)
        self._update()

    def set_tips(self, back_keys: str, next_keys: str) -> None:
        """Name the keys of the window's Back and Next actions in the buttons' tooltips."""
        self.back_button.setToolTip(f"The lesson's previous step ({back_keys})")
        self.next_button.setToolTip(f"The lesson's next step: the window follows ({next_keys})")

    # -- slots ------------------------------------------------------------------------------------
    def _update(self, *_args: object) -> None:
        lesson, index = self.player.lesson, self.player.index
        if lesson is None:
            self.title.setText("Lesson")
            self.step_label.setText("")
            self.text.setText(EMPTY)
        else:
            self.title.setText(lesson.title)
            self.title.setToolTip("\n".join(("Sources:", *lesson.sources)))
            shown = max(index, 0) + 1
            self.step_label.setText(f"step {shown} of {len(lesson)}")
            self.text.setText(self.player.text or "…")
        busy = self.player.training
        self.back_button.setEnabled(lesson is not None and index > 0 and not busy)
        self.next_button.setEnabled(
            lesson is not None and index + 1 < len(lesson or ()) and not busy
        )

    def _on_player_text_changed(self, text: str) -> None:
        if self.player.lesson is not None:
            self.text.setText(text or "…")

    def _on_player_training_changed(self, on: bool) -> None:
        self.training_row.setVisible(on)
        if on:
            self.progress.setRange(0, max(self.player.epochs, 1))
            self.progress.setValue(0)
            lesson = self.player.lesson
            step = self.player.index + 2  # the step being prepared
            if lesson is not None:
                self.step_label.setText(f"step {step} of {len(lesson)}: training")
        self._update()
        if on and self.player.lesson is not None:
            self.step_label.setText(
                f"step {self.player.index + 2} of {len(self.player.lesson)}: training"
            )

    def _on_controller_records_arrived(self, records: list[object]) -> None:
        if self.player.training:
            self.progress.setValue(
                min(self.progress.value() + len(records), self.progress.maximum())
            )
