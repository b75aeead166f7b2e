"""The Training dock: settings, controls, progress, live plots and replay.

:class:`TrainingPanel` ``(session, controller)`` shows the fields of a ``TrainConfig``, the Train /
Pause / Stop / Reset buttons, a progress bar, live plots (:mod:`gui.training.plots`) fed only by
the controller's throttled ``recordsArrived`` batches, and a replay slider over the run's
snapshots. The question before trained weights are discarded goes through the panel's
:meth:`~TrainingPanel.ask`, so tests can answer it; every error is shown as a sentence.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QAction, QKeySequence, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from core.tasks import TASKS, TaskSpec
from core.training import EpochRecord, Progress, TrainConfig
from core.truncation import NO_RECURRENCE, truncates
from gui.session import Session
from gui.training.controller import Snapshot, TrainingController, format_duration
from gui.training.plots import PLOT_INTERVAL_S, TrainingPlots
from gui.widgets.forms import (
    ERROR_STYLE,
    SEED_MAX,
    after_colon,
    ask_yes_no,
    hint_label,
    sentence,
    set_combo_data,
    show_hint,
)

INVALID_FIELD_STYLE = "QLineEdit { border: 1px solid #c0392b; }"
#: a number as typed: digits, a decimal point, an exponent (partial input is "intermediate")
NUMBER = QRegularExpression(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
TRUNCATION_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("Full BPTT", None),
    ("Sliding BPTT(k)", "sliding"),
    ("Chunked, cut every k", "chunked"),
)
UPDATE_CHOICES = (("After each sequence", "sequence"), ("After each epoch", "epoch"))


TRUNCATION_TIP = (
    "Full BPTT, or truncated: each loss term goes back k steps (sliding), "
    "or the sequence is cut into chunks of k steps (chunked).\n"
    "The same setting as the toolbar's Gradient: the explorer shows what training uses."
)


class TrainingPanel(QWidget):
    """Training settings, controls, progress, live plots and replay.

    Parameters
    ----------
    session : the network and data to train (settings follow a generated task's
        recommendations).
    controller : runs the training.

    Attributes
    ----------
    lr_edit, momentum_edit, clip_check, clip_edit, update_box, truncation_box, k_box,
    epochs_box, shuffle_check, seed_box : the settings.
    train_button, pause_button, stop_button, reset_button : the controls (Ctrl+T, Ctrl+P,
    Ctrl+., Ctrl+Shift+R).
    hint : why the settings are refused (Train is disabled meanwhile).
    progress : epoch, loss and time remaining.  status : how the last run ended.
    plots : the live plots (a :class:`TrainingPlots`).
    replay_slider, replay_label : scrub through the snapshots of the finished run.
    """

    def __init__(
        self, session: Session, controller: TrainingController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.controller = controller
        self._last_record: EpochRecord | None = None
        self._progress: Progress | None = None  # inside the epoch after the last record
        self._progress_drawn = 0.0
        self._total_epochs = 0

        settings = self._build_settings()
        controls = self._build_controls()
        left = QVBoxLayout()
        left.addWidget(settings)
        left.addLayout(controls)
        left.addWidget(self.hint)
        left.addStretch(1)
        settings_widget = QWidget()
        settings_widget.setLayout(left)
        left_widget = QScrollArea()  # scrolls down rather than forcing its height on the dock
        left_widget.setWidget(settings_widget)
        left_widget.setWidgetResizable(True)
        left_widget.setFrameShape(QFrame.Shape.NoFrame)
        # as wide as the settings, beside a vertical scroll bar: no field is cut at the right
        left_widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll_bar = left_widget.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        left_widget.setMinimumWidth(settings_widget.minimumSizeHint().width() + scroll_bar + 2)

        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # room for two lines whatever it says: a message that comes or goes (cleared when a run
        # starts, a summary when it ends) would otherwise resize the plots under it, and each
        # resize lays out and redraws their axes again
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing())
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.plots = TrainingPlots()
        replay = self._build_replay()
        right = QVBoxLayout()
        right.addWidget(self.progress)
        right.addWidget(self.status)
        right.addWidget(self.plots, 1)
        right.addLayout(replay)
        right_widget = QWidget()
        right_widget.setLayout(right)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)  # the user shares the width out
        self.splitter.addWidget(left_widget)
        self.splitter.addWidget(right_widget)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([330, 900])
        row = QHBoxLayout(self)
        row.setContentsMargins(2, 2, 2, 2)
        row.addWidget(self.splitter)

        controller.stateChanged.connect(self._on_controller_state_changed)
        controller.recordsArrived.connect(self._on_controller_records_arrived)
        controller.progressArrived.connect(self._on_controller_progress_arrived)
        controller.historyReset.connect(self._on_controller_history_reset)
        controller.finished.connect(self._on_controller_finished)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        session.networkChanged.connect(self._sync_controls)
        self._on_session_dataset_changed()
        self._on_controller_history_reset()
        self._on_controller_state_changed(controller.state)

    # -- construction -----------------------------------------------------------------------------
    def _build_settings(self) -> QGroupBox:
        box = QGroupBox("Settings")
        self.lr_edit = self._number_edit("0.1", "Learning rate η > 0: the step along -∇L")
        self.momentum_edit = self._number_edit(
            "0", "Momentum in [0, 1): v ← momentum·v − η·g, θ ← θ + v"
        )
        self.clip_check = QCheckBox("Clip ‖g‖ at")
        self.clip_check.setToolTip("Rescale the gradient when its global norm exceeds the maximum")
        self.clip_edit = self._number_edit("5", "Maximum global gradient norm, > 0")
        clip_row = QHBoxLayout()
        clip_row.addWidget(self.clip_check)
        clip_row.addWidget(self.clip_edit, 1)
        self.update_box = QComboBox()
        for text, value in UPDATE_CHOICES:
            self.update_box.addItem(text, value)
        self.update_box.setToolTip(
            "After each sequence: one update per sequence (Elman's online learning).\n"
            "After each epoch: one update with the mean gradient over all sequences."
        )
        self.truncation_box = QComboBox()
        for text, mode in TRUNCATION_CHOICES:
            self.truncation_box.addItem(text, mode)
        self.truncation_box.setToolTip(TRUNCATION_TIP)
        self.k_box = QSpinBox()
        self.k_box.setRange(1, 10_000)
        self.k_box.setValue(3)
        self.k_box.setPrefix("k = ")
        self.k_box.setToolTip("Truncation length k: how many steps a gradient travels back")
        truncation_row = QHBoxLayout()
        truncation_row.addWidget(self.truncation_box, 1)
        truncation_row.addWidget(self.k_box)
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(1, 1_000_000)
        self.epochs_box.setValue(100)
        self.epochs_box.setToolTip("Passes over the data set")
        self.shuffle_check = QCheckBox("Shuffle every epoch")
        self.shuffle_check.setChecked(True)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, SEED_MAX)
        self.seed_box.setToolTip("Seed of the shuffling: the same settings train identically")

        form = QFormLayout(box)
        form.addRow("Learning rate:", self.lr_edit)
        form.addRow("Momentum:", self.momentum_edit)
        form.addRow("Clipping:", clip_row)
        form.addRow("Update:", self.update_box)
        form.addRow("Gradient:", truncation_row)
        form.addRow("Epochs:", self.epochs_box)
        form.addRow("", self.shuffle_check)
        form.addRow("Shuffle seed:", self.seed_box)

        self.hint = hint_label()
        for edit in (self.lr_edit, self.momentum_edit, self.clip_edit):
            edit.textChanged.connect(self._on_settings_edited)
        for check in (self.clip_check, self.shuffle_check):
            check.toggled.connect(self._on_settings_edited)
        for combo in (self.update_box, self.truncation_box):
            combo.currentIndexChanged.connect(self._on_settings_edited)
        for spin in (self.k_box, self.epochs_box, self.seed_box):
            spin.valueChanged.connect(self._on_settings_edited)
        return box

    def _number_edit(self, text: str, tip: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setValidator(QRegularExpressionValidator(NUMBER, edit))  # refuses letters outright
        edit.setToolTip(tip)
        return edit

    def _build_controls(self) -> QHBoxLayout:
        def button(text: str, key: str, tip: str, slot: Callable[[], None]) -> QPushButton:
            b = QPushButton(text)
            b.setToolTip(f"{tip} ({QKeySequence(key).toString()})")
            b.clicked.connect(slot)
            # The shortcut lives on an action, not the button: a hidden button (its dock tabbed
            # away) ignores its shortcut, while the window can carry the action too.
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setStatusTip(tip)
            action.triggered.connect(b.click)  # click() does nothing while b is disabled
            self.addAction(action)
            self.shortcut_actions.append(action)
            return b

        self.shortcut_actions: list[QAction] = []

        self.train_button = button(
            "Train", "Ctrl+T", "Train the network on the data set", self._on_train_button_clicked
        )
        self.pause_button = button(
            "Pause",
            "Ctrl+P",
            "Hold training after the update in progress, or go on",
            self._on_pause_button_clicked,
        )
        self.stop_button = button(
            "Stop",
            "Ctrl+.",
            "End training after the update in progress, keeping the weights reached",
            self._on_stop_button_clicked,
        )
        self.reset_button = button(
            "Reset",
            "Ctrl+Shift+R",
            "Go back to the network as it was before training",
            self._on_reset_button_clicked,
        )
        row = QHBoxLayout()
        for b in (self.train_button, self.pause_button, self.stop_button, self.reset_button):
            row.addWidget(b)
        return row

    def _build_replay(self) -> QHBoxLayout:
        self.replay_slider = QSlider(Qt.Orientation.Horizontal)
        self.replay_slider.setToolTip(
            "Scrub through the networks of the finished run; the explorer shows the one selected"
        )
        self.replay_slider.valueChanged.connect(self._on_replay_slider_changed)
        self.replay_label = QLabel()
        self.replay_label.setMinimumWidth(120)
        row = QHBoxLayout()
        row.addWidget(QLabel("Replay:"))
        row.addWidget(self.replay_slider, 1)
        row.addWidget(self.replay_label)
        return row

    # -- settings ---------------------------------------------------------------------------------
    def config(self) -> TrainConfig | str:
        """The TrainConfig the widgets describe, or the reason they do not describe one."""
        config, reason, _ = self._validate()
        return config if config is not None else reason

    def _validate(self) -> tuple[TrainConfig | None, str, QLineEdit | None]:
        """(config, "", None), or (None, the reason, the field at fault when there is one)."""
        fields = [
            (self.lr_edit, "Learning rate", "greater than 0 (training would not move the weights)"),
            (self.momentum_edit, "Momentum", "at least 0 and below 1 (else updates never fade)"),
        ]
        if self.clip_check.isChecked():
            fields.append((self.clip_edit, "Maximum gradient norm", "greater than 0"))
        values: list[float] = []
        for edit, label, rule in fields:
            value = _number(edit.text(), label)
            if isinstance(value, str):
                return None, value, edit
            in_range = 0 <= value < 1 if edit is self.momentum_edit else value > 0
            if not in_range:
                return None, f"{label} must be {rule}.", edit
            values.append(value)
        mode = self.truncation_box.currentData()
        try:
            config = TrainConfig(
                lr=values[0],
                momentum=values[1],
                clip=values[2] if len(values) > 2 else None,
                update=self.update_box.currentData(),
                truncation=None if mode is None else self.k_box.value(),
                mode=mode or "sliding",
                shuffle=self.shuffle_check.isChecked(),
                seed=self.seed_box.value(),
                epochs=self.epochs_box.value(),
            )
        except ValueError as exc:
            return None, sentence(str(exc)), None
        return config, "", None

    def set_config(self, config: TrainConfig) -> None:
        """Show ``config`` in the widgets."""
        self.lr_edit.setText(f"{config.lr:g}")
        self.momentum_edit.setText(f"{config.momentum:g}")
        self.clip_check.setChecked(config.clip is not None)
        if config.clip is not None:
            self.clip_edit.setText(f"{config.clip:g}")
        set_combo_data(self.update_box, config.update)
        set_combo_data(self.truncation_box, None if config.truncation is None else config.mode)
        if config.truncation is not None:
            self.k_box.setValue(config.truncation)
        self.epochs_box.setValue(config.epochs)
        self.shuffle_check.setChecked(config.shuffle)
        self.seed_box.setValue(config.seed)

    def apply_recommendations(self, spec: TaskSpec) -> None:
        """The task's recommended training settings (shuffle and seed are kept, and so is the
        session's truncation unless the task recommends one: it is the explorer's too)."""
        keep: dict[str, Any] = {"shuffle": self.shuffle_check.isChecked()}
        keep["seed"] = self.seed_box.value()
        if spec.truncation is None:
            keep.update(truncation=self.session.truncation, mode=self.session.mode)
        self.set_config(spec.train_config(**keep))

    def ask(self, title: str, text: str) -> bool:
        """Ask a Yes/No question (tests replace this method)."""
        return ask_yes_no(self, title, text)

    # -- control slots ----------------------------------------------------------------------------
    def _on_train_button_clicked(self) -> None:
        config = self.config()
        if isinstance(config, str):
            show_hint(self.hint, config)
            return
        try:
            self.controller.start(config)
        except (ValueError, RuntimeError) as exc:
            self._show_status(f"Cannot train: {after_colon(str(exc))}", error=True)

    def _on_pause_button_clicked(self) -> None:
        if self.controller.state == "running":
            self.controller.pause()
        elif self.controller.state == "paused":
            self.controller.resume()

    def _on_stop_button_clicked(self) -> None:
        self.controller.stop()
        self.stop_button.setEnabled(False)  # until the run has stopped
        self._show_status("Stopping after the update in progress...")

    def _on_reset_button_clicked(self) -> None:
        if self.ask(
            "Reset the network?",
            "Go back to the network as it was before training? "
            "The weights reached by training are discarded.",
        ):
            self.controller.reset()
            self._show_status("The network is back to where training started.")

    def _on_settings_edited(self, *_args: object) -> None:
        mode = self.truncation_box.currentData()
        self.k_box.setEnabled(mode is not None)
        self.clip_edit.setEnabled(self.clip_check.isChecked())
        by_sequence = self.update_box.currentData() == "sequence"
        self.shuffle_check.setEnabled(by_sequence)
        self.shuffle_check.setToolTip(
            "Visit the sequences in a new random order every epoch"
            if by_sequence
            else "The mean gradient of an epoch does not depend on the order"
        )
        self._sync_controls()

    # -- controller slots -------------------------------------------------------------------------
    def _on_controller_state_changed(self, _state: str) -> None:
        self._sync_controls()

    def _on_controller_history_reset(self) -> None:
        self._last_record, self._progress = None, None
        running = self.controller.state != "idle"
        config = self.controller.config
        self._total_epochs = config.epochs if running and config else self.epochs_box.value()
        if running:
            self.plots.start(self._total_epochs)
        else:
            self.plots.clear()
        self.progress.setRange(0, max(self._total_epochs, 1))
        self.progress.setValue(0)
        self.progress.setFormat("Starting..." if running else "Not started")
        if running and not self.controller.follows_live:
            seconds = self.controller.session.trace_seconds
            took = f"{seconds:.1f} s" if seconds >= 1 else f"{1e3 * seconds:.0f} ms"
            self._show_status(
                "The explorer shows the network at Pause and at the end: one trace of this "
                f"sequence takes {took}, too long to redraw while training"
            )
        else:
            self._show_status("")
        self._sync_replay()
        self._sync_controls()

    def _on_controller_records_arrived(self, batch: list[EpochRecord]) -> None:
        self._last_record, self._progress = batch[-1], None
        # The progress bar repaints at once when its value changes: it follows the plots' pace.
        if self.plots.append(batch) or batch[-1].diverged is not None:
            self._update_progress()

    def _on_controller_progress_arrived(self, progress: Progress) -> None:
        self._progress = progress
        if time.monotonic() - self._progress_drawn >= PLOT_INTERVAL_S:
            self._update_progress()

    def _on_controller_finished(self, reason: str) -> None:
        stopped = self.controller.progress  # where a run stopped inside an epoch, if it did
        self._progress = stopped if stopped is not None and stopped.updates else None
        self.plots.finish()
        self._update_progress()
        last = self._last_record
        if reason == "finished" and last is not None:
            score = "" if last.score is None else f", score {last.score:.0%}"
            self._show_status(
                f"Finished {last.epoch} epochs in {format_duration(last.elapsed)}: "
                f"loss {last.loss:.4g}{score}. Step through the trained network in the explorer."
            )
        elif reason == "stopped":
            self._show_status(stopped_text(last, self.controller.progress))
        elif last is not None and last.diverged is not None:
            kept = last.epoch - 1
            where = "the starting weights" if kept == 0 else f"epoch {kept}"
            self._show_status(
                f"{sentence(reason.split('; kept')[0])} The weights were reverted to {where}, "
                "the last with finite values. Try a smaller learning rate or clip the gradient.",
                error=True,
            )
        elif reason.startswith("failed: "):
            self._show_status(f"Training failed: {after_colon(reason[8:])}", error=True)
        self._sync_replay()

    def _on_replay_slider_changed(self, index: int) -> None:
        snapshots = self.controller.snapshots
        if not 0 <= index < len(snapshots) or self.controller.state != "idle":
            return
        snapshot = self.controller.replay(index)
        self._show_replay(snapshot)

    # -- session slots ----------------------------------------------------------------------------
    def _on_session_dataset_changed(self) -> None:
        self.plots.score_plot.setVisible(self.session.dataset.scoring != "none")
        name = self.session.source.get("task")
        if isinstance(name, str) and name in TASKS:
            self.apply_recommendations(TASKS[name])

    # -- drawing ----------------------------------------------------------------------------------
    def _update_progress(self) -> None:
        record, progress = self._last_record, self._progress
        total = self._total_epochs
        if progress is not None:
            self._progress_drawn = time.monotonic()
            self.progress.setFormat(progress_text(progress, record, total, self.controller.state))
            return
        if record is None:
            return
        # QProgressBar.setValue repaints at once, inside this slot and so with the GIL held
        # against the training thread; with updates off it only schedules a paint, which Qt does
        # later in C++ without the GIL
        self.progress.setUpdatesEnabled(False)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(record.epoch, total))
        self.progress.setUpdatesEnabled(True)
        text = f"Epoch {record.epoch} / {total}   loss {record.loss:.4g}"
        if record.diverged is not None:
            text = (
                f"Diverged in epoch {record.epoch} / {total}   last finite loss {record.loss:.4g}"
            )
        elif self.controller.state == "idle":
            text += f"   took {format_duration(record.elapsed)}"
        else:
            left = record.elapsed / record.epoch * (total - record.epoch)
            text += f"   about {format_duration(left)} left"
            if self.controller.state == "paused":
                text += "   (paused)"
        self.progress.setFormat(text)

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(ERROR_STYLE if error else "")

    def _show_replay(self, snapshot: Snapshot) -> None:
        epoch, history = snapshot.epoch, self.controller.history
        if snapshot.updates:
            text = f"{snapshot_name(snapshot)} (where the run stopped)"
        elif epoch == 0:
            text = "epoch 0 (the starting network)"
        else:
            text = f"epoch {epoch}: loss {history[epoch - 1].loss:.4g}"
        self.replay_label.setText(text)
        self.plots.show_epoch(epoch)

    def _sync_replay(self) -> None:
        snapshots = self.controller.snapshots
        usable = self.controller.state == "idle" and len(snapshots) > 1
        self.replay_slider.blockSignals(True)
        self.replay_slider.setRange(0, max(len(snapshots) - 1, 0))
        self.replay_slider.setValue(len(snapshots) - 1 if usable else 0)
        self.replay_slider.blockSignals(False)
        self.replay_slider.setEnabled(usable)
        if usable:
            self.replay_label.setText(f"{snapshot_name(snapshots[-1])} (the final network)")
        else:
            self.replay_label.setText("available after a run")
        self.plots.show_epoch(None)

    def _sync_controls(self) -> None:
        state = self.controller.state
        idle = state == "idle"
        config, reason, culprit = self._validate()
        show_hint(self.hint, reason)
        for edit in (self.lr_edit, self.momentum_edit, self.clip_edit):
            edit.setStyleSheet(INVALID_FIELD_STYLE if edit is culprit else "")
        self.train_button.setEnabled(idle and config is not None)
        self.pause_button.setEnabled(not idle)
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        self.stop_button.setEnabled(not idle)
        self.reset_button.setEnabled(self.controller.has_run)
        for widget in (
            self.lr_edit,
            self.momentum_edit,
            self.clip_check,
            self.update_box,
            self.truncation_box,
            self.epochs_box,
            self.seed_box,
        ):
            widget.setEnabled(idle)
        applies = truncates(self.session.net.context)  # not for a tapped delay line
        self.truncation_box.setEnabled(idle and applies)
        self.truncation_box.setToolTip(TRUNCATION_TIP if applies else NO_RECURRENCE)
        self.clip_edit.setEnabled(idle and self.clip_check.isChecked())
        self.k_box.setEnabled(idle and applies and self.truncation_box.currentData() is not None)
        self.shuffle_check.setEnabled(idle and self.update_box.currentData() == "sequence")
        if not idle:
            self.replay_slider.setEnabled(False)
        if state == "paused":
            self.plots.redraw()
            self._update_progress()


def progress_text(progress: Progress, record: EpochRecord | None, total: int, state: str) -> str:
    """The progress bar's text inside an epoch: how far its pass has come, the last epoch's loss
    and, after a first epoch, the time left; or where the run stopped."""
    p = progress
    updates = _of(p.updates, p.n_updates, "update")
    if state == "idle":
        return (
            f"Stopped in epoch {p.epoch} / {total}: {updates}   took {format_duration(p.elapsed)}"
        )
    if p.stage == "updates":
        text = f"Epoch {p.epoch} / {total}: {updates}"
    elif p.stage == "loss":
        text = f"Epoch {p.epoch} / {total}: loss of {p.done:,} of {p.total:,} sequences"
    else:
        text = f"Epoch {p.epoch} / {total}: gradient of {p.done:,} of {p.total:,} sequences"
    if record is not None and record.diverged is None:
        per_epoch = record.elapsed / record.epoch
        left = per_epoch * (total - record.epoch) - (p.elapsed - record.elapsed)
        text += f"   last loss {record.loss:.4g}   about {format_duration(max(left, 0.0))} left"
    return text + ("   (paused)" if state == "paused" else "")


def _of(done: int, total: int, noun: str) -> str:
    """``"1 of 1 update"``, ``"505 of 10,000 updates"``."""
    return f"{done:,} of {total:,} {noun}{'' if total == 1 else 's'}"


def snapshot_name(snapshot: Snapshot) -> str:
    """``"epoch 12"``, or ``"epoch 12 + 340 updates"`` for a run stopped inside epoch 13."""
    if not snapshot.updates:
        return f"epoch {snapshot.epoch}"
    updates = "update" if snapshot.updates == 1 else "updates"
    return f"epoch {snapshot.epoch} + {snapshot.updates:,} {updates}"


def stopped_text(record: EpochRecord | None, progress: Progress | None) -> str:
    """How a stopped run ended: after a whole epoch, or inside one after its last whole update."""
    kept = "the network keeps the weights reached."
    if progress is None or not progress.updates:
        return f"Stopped after epoch {record.epoch if record is not None else 0}; {kept}"
    p = progress
    if p.updates < p.n_updates:
        return (
            f"Stopped in epoch {p.epoch} after {p.updates:,} of its {p.n_updates:,} updates; "
            "the network keeps the weights of the last one (no loss was measured for it)."
        )
    updates = "update" if p.n_updates == 1 else f"{p.n_updates:,} updates"
    return f"Stopped in epoch {p.epoch} after its {updates}, before its loss was measured; {kept}"


def _number(text: str, label: str) -> float | str:
    """``text`` as a finite float, or the reason it is not one."""
    try:
        value = float(text)
    except ValueError:
        return f"{label}: enter a number such as 0.1 or 1e-3."
    if not math.isfinite(value):
        return f"{label} must be a finite number."
    return value
