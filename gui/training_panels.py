"""Panels to choose a task, shape a network and train it while watching the loss fall.

* :class:`TaskPanel` ``(session, controller=None)``: a built-in task of ``core.tasks.TASKS``, its
  parameters and a data seed; "Generate" gives the session a new data set.
* :class:`NetworkPanel` ``(session, controller=None)``: hidden size, activation, output/loss
  pair, trained h(0), initialisation seed; "Apply" gives the session a new ``SRN.init`` network.
* :class:`TrainingPanel` ``(session, controller)``: the fields of a ``TrainConfig``, the Train /
  Pause / Stop / Reset buttons, a progress bar, live plots fed only by the controller's throttled
  ``recordsArrived`` batches, and a replay slider over the run's snapshots.

Every question before trained weights are discarded goes through the panel's :meth:`ask`
method, so tests can answer it. Every error is shown as a sentence in a hint or status label.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGraphicsItem,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.data import Dataset
from core.functions import HIDDEN_ACTIVATIONS, LOSS_OF_OUTPUT, OUTPUT_FUNCTIONS
from core.model import SRN
from core.tasks import TASKS, TaskSpec, make_task
from core.training import EpochRecord, TrainConfig
from gui.session import Session
from gui.training.controller import TrainingController, format_duration

SEED_MAX = 2**31 - 1
ERROR_STYLE = "QLabel { color: #c0392b; }"
INVALID_FIELD_STYLE = "QLineEdit { border: 1px solid #c0392b; }"
NOTE_STYLE = "QLabel { color: #555; }"
#: curve colours (the loss colour of the graph views' light theme, then a colour-blind safe set)
LOSS_COLOUR, GRAD_COLOUR, CLIPPED_COLOUR, SCORE_COLOUR = "#7b3fbf", "#2166ac", "#e08214", "#1a9850"
#: a number as typed: digits, a decimal point, an exponent (partial input is "intermediate")
NUMBER = QRegularExpression(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def ask_yes_no(parent: QWidget, title: str, text: str) -> bool:
    """A Yes/No question, No being the default."""
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    answer = QMessageBox.question(parent, title, text, buttons, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def hint_label() -> QLabel:
    """A red, wrapping label that says why something was refused (hidden while empty)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setVisible(False)
    return label


def show_hint(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def sentence(text: str) -> str:
    """``text`` with a capital first letter and a final full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def after_colon(text: str) -> str:
    """``text`` as the end of a sentence that began before a colon: one final full stop."""
    return text.strip().rstrip(".") + "."


def _set_combo_data(box: QComboBox, value: Any) -> None:
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)


# -- the task -----------------------------------------------------------------------------------
class TaskPanel(QWidget):
    """Generate the data set of a built-in task.

    Parameters
    ----------
    session : receives the data set (and a new network when needed).
    controller : when given, the panel is disabled while training runs.

    Signals
    -------
    openFileRequested() : the user asked to open a sequence file (the window shows the dialog).

    Attributes
    ----------
    task_box, seed_box, fresh_check, generate_button, open_button : the controls.
    param_widgets : parameter name -> its widget (QSpinBox, QDoubleSpinBox, QCheckBox, QLineEdit).
    hint : why the last Generate was refused.  data_label : what the session's data set is.
    """

    openFileRequested = Signal()

    def __init__(
        self,
        session: Session,
        controller: TrainingController | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.controller = controller
        self.param_widgets: dict[str, QWidget] = {}

        self.task_box = QComboBox()
        for name, spec in TASKS.items():
            self.task_box.addItem(spec.title, name)
            self.task_box.setItemData(
                self.task_box.count() - 1, spec.description, Qt.ItemDataRole.ToolTipRole
            )
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setStyleSheet(NOTE_STYLE)
        self.params_box = QGroupBox("Parameters")
        self.params_form = QFormLayout(self.params_box)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, SEED_MAX)
        self.seed_box.setToolTip("The same task, parameters and seed always give the same data")
        self.fresh_check = QCheckBox("Start a new network")
        self.fresh_check.setChecked(True)
        self.generate_button = QPushButton("Generate")
        self.generate_button.setToolTip("Make the data set and show it in the explorer")
        self.generate_button.clicked.connect(self._on_generate_button_clicked)
        self.open_button = QPushButton("Open sequence file...")
        self.open_button.setToolTip("Load sequences from a CSV, JSON or text file")
        self.open_button.clicked.connect(self.openFileRequested)
        self.hint = hint_label()
        self.data_label = QLabel()
        self.data_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Task:", self.task_box)
        form.addRow(self.description)
        form.addRow("Data seed:", self.seed_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button)
        buttons.addWidget(self.open_button)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.params_box)
        column.addWidget(self.fresh_check)
        column.addLayout(buttons)
        column.addWidget(self.hint)
        column.addWidget(self.data_label)
        column.addStretch(1)

        self.task_box.currentIndexChanged.connect(self._on_task_box_changed)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        if controller is not None:
            controller.stateChanged.connect(self._on_controller_state_changed)
        self._on_task_box_changed(self.task_box.currentIndex())
        self._on_session_dataset_changed()

    # -- public -----------------------------------------------------------------------------------
    @property
    def task_name(self) -> str:
        return str(self.task_box.currentData())

    def select_task(self, name: str) -> None:
        _set_combo_data(self.task_box, name)

    def param_values(self) -> dict[str, Any]:
        """The parameters as typed in the widgets, with the types of the task's defaults."""
        values: dict[str, Any] = {}
        for name, widget in self.param_widgets.items():
            if isinstance(widget, QCheckBox):
                values[name] = widget.isChecked()
            elif isinstance(widget, QSpinBox | QDoubleSpinBox):
                values[name] = widget.value()
            elif isinstance(widget, QLineEdit):
                values[name] = widget.text()
        return values

    def set_param_values(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            widget = self.param_widgets.get(name)
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            elif isinstance(widget, QDoubleSpinBox):
                widget.setValue(float(value))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(value))

    def generate(self) -> bool:
        """Make the task's data set and give it to the session; False when refused or cancelled.

        The network is replaced by the task's recommended one when "Start a new network" is
        checked or the current one does not fit the data; replacing a network with unsaved
        changes asks first.
        """
        name, seed, params = self.task_name, self.seed_box.value(), self.param_values()
        try:
            dataset = make_task(name, seed, **params)
        except ValueError as exc:
            show_hint(self.hint, f"Cannot generate the data: {after_colon(str(exc))}")
            return False
        show_hint(self.hint, "")
        net = self.session.net
        fits = (net.n_in, net.n_out) == (dataset.n_in, dataset.n_out)
        replace = self.fresh_check.isChecked() or not fits
        if replace and self.session.modified:
            why = "" if fits else f" It does not fit the new data ({_shape(dataset)})."
            question = (
                "The current network has changes that are not saved (trained weights or a new "
                f"architecture).{why} Replace it with a new network and discard them?"
            )
            if not self.ask("Discard the network?", question):
                return False
        new_net = TASKS[name].network(dataset, context=net.context) if replace else None
        source = {"task": name, "seed": seed, "params": dict(dataset.meta.get("params", params))}
        self.session.set_dataset(
            dataset, net=new_net, source=source, modified=False if replace else None
        )
        return True

    def ask(self, title: str, text: str) -> bool:
        """Ask a Yes/No question (tests replace this method)."""
        return ask_yes_no(self, title, text)

    # -- slots ------------------------------------------------------------------------------------
    def _on_generate_button_clicked(self) -> None:
        self.generate()

    def _on_task_box_changed(self, _index: int) -> None:
        spec = TASKS[self.task_name]
        self.task_box.setToolTip(spec.description)
        self.description.setText(spec.description)
        self._build_params(spec)
        self.fresh_check.setText(
            f"Start a new network ({spec.n_hidden} {spec.hidden} hidden units, recommended)"
        )
        self.fresh_check.setToolTip(
            "Replace the network by the task's recommended one; unchecked, the current network "
            "is kept when it fits the data"
        )
        show_hint(self.hint, "")

    def _on_session_dataset_changed(self) -> None:
        dataset, source = self.session.dataset, self.session.source
        name = source.get("task")
        if isinstance(name, str) and name in TASKS:
            self.select_task(name)
            params = source.get("params")
            if isinstance(params, Mapping):
                self.set_param_values(params)
            seed = source.get("seed")
            if isinstance(seed, int):
                self.seed_box.setValue(seed)
        self.data_label.setText(f"Current data: {dataset.name}, {_shape(dataset)}")

    def _on_controller_state_changed(self, state: str) -> None:
        idle = state == "idle"
        for widget in (self.task_box, self.params_box, self.seed_box, self.fresh_check):
            widget.setEnabled(idle)
        self.generate_button.setEnabled(idle)
        self.open_button.setEnabled(idle)
        self.generate_button.setToolTip(
            "Make the data set and show it in the explorer"
            if idle
            else "Stop training to change the data"
        )

    # -- internals --------------------------------------------------------------------------------
    def _build_params(self, spec: TaskSpec) -> None:
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self.param_widgets = {}
        for name, default in spec.params.items():
            widget = _param_widget(default)
            widget.setToolTip(f"{name} (default {default!r})")
            self.param_widgets[name] = widget
            self.params_form.addRow(f"{name.replace('_', ' ')}:", widget)
        self.params_box.setVisible(bool(spec.params))


def _param_widget(default: Any) -> QWidget:
    """A widget for one task parameter, chosen by the type of its default."""
    if isinstance(default, bool):
        check = QCheckBox()
        check.setChecked(default)
        return check
    if isinstance(default, int):
        spin = QSpinBox()
        spin.setRange(-1_000_000 if default < 0 else 0, 1_000_000)
        spin.setValue(default)
        return spin
    if isinstance(default, float):
        dspin = QDoubleSpinBox()
        dspin.setDecimals(4)
        dspin.setRange(-1e6, 1e6)
        dspin.setSingleStep(max(abs(default) / 10.0, 0.01))
        dspin.setValue(default)
        return dspin
    line = QLineEdit(str(default))
    return line


def _shape(dataset: Dataset) -> str:
    n = len(dataset)
    return (
        f"{n} sequence{'s' * (n != 1)}, {dataset.n_in} input{'s' * (dataset.n_in != 1)}, "
        f"{dataset.n_out} output{'s' * (dataset.n_out != 1)}"
    )


# -- the network --------------------------------------------------------------------------------
OUTPUT_CHOICES = tuple((f"{out} + {LOSS_OF_OUTPUT[out]}", out) for out in OUTPUT_FUNCTIONS)
#: (label, SRN.context, tooltip) of the context choices (core/model.py, core/jordan.py)
CONTEXT_CHOICES = (
    ("Elman: h(t-1)", "hidden", "Context units copy the previous hidden state (Elman 1990)"),
    ("Jordan: y(t-1)", "output", "Context units copy the previous output (Jordan 1986)"),
    (
        "Jordan, teacher forced: d(t-1)",
        "target",
        "Context units hold the previous target instead of the output (teacher forcing)",
    ),
)
#: the name of the initial context h0 for each context
INITIAL_CONTEXT = {"hidden": "h(0)", "output": "y(0)", "target": "d(0)"}


class NetworkPanel(QWidget):
    """Choose the architecture and build a fresh network for the current data.

    Parameters
    ----------
    session : receives the network; its network's configuration is shown.
    controller : when given, the panel is disabled while training runs.

    Attributes
    ----------
    hidden_box, activation_box, output_box, context_box, h0_check, seed_box, apply_button : the
        controls.
    summary : the current network in words.  hint : a warning or why Apply was refused.
    """

    def __init__(
        self,
        session: Session,
        controller: TrainingController | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.controller = controller
        self._shown_config: dict[str, Any] | None = None

        self.hidden_box = QSpinBox()
        self.hidden_box.setRange(1, 512)
        self.hidden_box.setToolTip("Number of hidden (context) units H")
        self.activation_box = QComboBox()
        for kind in HIDDEN_ACTIVATIONS:
            self.activation_box.addItem(kind, kind)
        self.activation_box.setToolTip("Hidden activation f in h(t) = f(a(t))")
        self.output_box = QComboBox()
        for text, out in OUTPUT_CHOICES:
            self.output_box.addItem(text, out)
        self.output_box.setToolTip("Output function g and the loss matched to it")
        self.context_box = QComboBox()
        for text, context, tip in CONTEXT_CHOICES:
            self.context_box.addItem(text, context)
            self.context_box.setItemData(
                self.context_box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        self.context_box.setToolTip(
            "What the context units feed back into the hidden layer: the previous hidden state "
            "(Elman 1990) or the previous output (Jordan 1986), optionally teacher forced"
        )
        self.context_box.currentIndexChanged.connect(self._on_context_box_changed)
        self.h0_check = QCheckBox("Train the initial state h(0)")
        self.h0_check.setToolTip("Update h(0) by its gradient like the other parameters")
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, SEED_MAX)
        self.seed_box.setToolTip("Seed of the random initial weights")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Build a new network with these settings for the current data")
        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.hint = hint_label()

        form = QFormLayout()
        form.addRow("Hidden units:", self.hidden_box)
        form.addRow("Activation:", self.activation_box)
        form.addRow("Output / loss:", self.output_box)
        form.addRow("Context:", self.context_box)
        form.addRow("", self.h0_check)
        form.addRow("Init seed:", self.seed_box)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.apply_button)
        column.addWidget(self.hint)
        column.addWidget(self.summary)
        column.addStretch(1)

        self.output_box.currentIndexChanged.connect(self._on_output_box_changed)
        session.networkChanged.connect(self._on_session_network_changed)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        if controller is not None:
            controller.stateChanged.connect(self._on_controller_state_changed)
        self._on_session_network_changed()

    def build(self) -> SRN:
        """The network the widgets describe, shaped for the session's data (ValueError if not)."""
        data = self.session.dataset
        return SRN.init(
            data.n_in,
            self.hidden_box.value(),
            data.n_out,
            hidden=self.activation_box.currentData(),
            output=self.output_box.currentData(),
            seed=self.seed_box.value(),
            train_h0=self.h0_check.isChecked(),
            context=self.context_box.currentData(),
        )

    def apply(self) -> bool:
        """Give the session the new network, asking before unsaved changes are discarded."""
        try:
            net = self.build()
        except ValueError as exc:
            show_hint(self.hint, f"Cannot build the network: {after_colon(str(exc))}")
            return False
        if self.session.modified and not self.ask(
            "Discard the network?",
            "The current network has changes that are not saved (trained weights or a new "
            "architecture). Replace it with a new untrained network and discard them?",
        ):
            return False
        self.session.set_network(net, modified=True)
        return True

    def ask(self, title: str, text: str) -> bool:
        """Ask a Yes/No question (tests replace this method)."""
        return ask_yes_no(self, title, text)

    # -- slots ------------------------------------------------------------------------------------
    def _on_apply_button_clicked(self) -> None:
        self.apply()

    def _on_context_box_changed(self) -> None:
        initial = INITIAL_CONTEXT[self.context_box.currentData()]
        self.h0_check.setText(f"Train the initial context {initial}")

    def _on_session_network_changed(self) -> None:
        net = self.session.net
        config = net.config()
        if config == self._shown_config:
            return  # training changes weights only: leave what the user is typing alone
        self._shown_config = config
        self.hidden_box.setValue(net.n_hidden)
        _set_combo_data(self.activation_box, net.hidden)
        _set_combo_data(self.output_box, net.output)
        _set_combo_data(self.context_box, net.context)
        self.h0_check.setChecked(net.train_h0)
        h0 = "trained" if net.train_h0 else "fixed"
        kind = {"hidden": "Elman", "output": "Jordan", "target": "Jordan, teacher forced"}
        self.summary.setText(
            f"Current network ({kind[net.context]}): {net.n_in} input{'s' * (net.n_in != 1)} → "
            f"{net.n_hidden} {net.hidden} hidden → {net.n_out} {net.output} "
            f"output{'s' * (net.n_out != 1)}, {net.loss_name}; {net.n_params} trainable "
            f"parameters, {INITIAL_CONTEXT[net.context]} {h0}."
        )
        self._on_output_box_changed()

    def _on_session_dataset_changed(self) -> None:
        self._on_output_box_changed()

    def _on_output_box_changed(self, _index: int = 0) -> None:
        suits = self.session.dataset.output
        chosen = self.output_box.currentData()
        show_hint(
            self.hint,
            ""
            if chosen == suits
            else f"Note: the data set {self.session.dataset.name!r} is meant for {suits} outputs "
            f"({LOSS_OF_OUTPUT.get(suits, '?')}).",
        )

    def _on_controller_state_changed(self, state: str) -> None:
        self.setEnabled(state == "idle")


# -- training -----------------------------------------------------------------------------------
TRUNCATION_CHOICES = (
    ("Full BPTT", None),
    ("Sliding BPTT(k)", "sliding"),
    ("Chunked, cut every k", "chunked"),
)
UPDATE_CHOICES = (("After each sequence", "sequence"), ("After each epoch", "epoch"))


class _Series:
    """A growing (n,) float array for a plot curve, amortised O(1) per appended value."""

    def __init__(self) -> None:
        self._data = np.empty(256)
        self.n = 0

    def extend(self, values: list[float]) -> None:
        need = self.n + len(values)
        if need > len(self._data):
            grown = np.empty(max(need, 2 * len(self._data)))
            grown[: self.n] = self._data[: self.n]
            self._data = grown
        self._data[self.n : need] = values
        self.n = need

    def clear(self) -> None:
        self.n = 0

    @property
    def values(self) -> NDArray[np.float64]:
        return self._data[: self.n]


class _ShrinkingTitle(pg.LabelItem):
    """A plot title that may be narrower than its text rather than widen its plot.

    ``LabelItem`` makes its text's width the label's minimum width; with a long title ("Gradient
    norm") above a plot squeezed into a narrow dock, the plot grew wider than its widget and the
    right part of its axes was cut off, drawing part of the run as the whole. Here the title gives
    way (its ends are cut at the plot's edges) and the plot fits its widget.
    """

    def updateMin(self) -> None:
        super().updateMin()
        height = self._sizeHint[Qt.SizeHint.MinimumSize][1]
        self._sizeHint[Qt.SizeHint.MinimumSize] = (0.0, height)
        self.setMinimumWidth(0)
        self.updateGeometry()


def _plot(title: str, left: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(background="w")
    item = widget.getPlotItem()
    default = item.titleLabel
    item.layout.removeItem(default)
    widget.scene().removeItem(default)
    item.titleLabel = _ShrinkingTitle("", size="10pt", color="#222")
    item.layout.addItem(item.titleLabel, 0, 1)
    item.setTitle(title, size="10pt", color="#222")
    item.setLabel("left", left)
    item.setLabel("bottom", "epoch")
    item.showGrid(x=True, y=True, alpha=0.2)
    item.setMenuEnabled(False)
    item.setClipToView(True)
    item.setDownsampling(auto=True, mode="peak")
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen("#444")
        axis.setTextPen("#222")
        axis.enableAutoSIPrefix(False)  # "(x1e+09)" beside a label reads badly; ticks say it
    # Axes (with their grid lines over the whole plot), title and legend are cached as pixmaps:
    # a new curve then repaints by blitting them instead of running their Python paint code.
    for part in (item.getAxis("left"), item.getAxis("bottom"), item.titleLabel):
        part.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    widget.setMinimumSize(120, 140)  # three plots share a narrow dock
    return widget


def _legend(widget: pg.PlotWidget, offset: tuple[int, int]) -> pg.LegendItem:
    """A legend in a corner where its curves rarely are: offset (x, y) from the left/top when
    positive, from the right/bottom when negative."""
    legend = widget.getPlotItem().addLegend(
        offset=offset, labelTextColor="#222", labelTextSize="8pt", verSpacing=-4
    )
    legend.setBrush(pg.mkBrush(255, 255, 255, 210))
    legend.setPen(pg.mkPen("#bbb"))
    legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return legend


#: while training, the plots are redrawn at most this often (s): a pyqtgraph repaint costs
#: milliseconds of GUI-thread time, during which the training thread waits for the GIL
PLOT_INTERVAL_S = 0.25


class TrainingPlots(QWidget):
    """Loss, gradient norm and task score per epoch, drawn at a bounded rate.

    During a run (between :meth:`start` and :meth:`finish`) the axes only grow, with headroom
    (x doubles, up to the planned epochs; y gets half the data's span on each side), so that
    they are laid out again rarely; once the run is over every axis fits its data.

    Attributes
    ----------
    loss_plot, grad_plot, score_plot : the plots.
    loss_curve, grad_curve, clipped_curve, score_curve : their curves; ``curve.getData()``
        gives the drawn arrays (the loss as log10 while ``log_check`` is on).
    log_check : log scale of the loss axis.  replay_line : the epoch the replay shows.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._epochs, self._loss, self._grad, self._clipped = (_Series() for _ in range(4))
        self._score_epochs, self._score = _Series(), _Series()
        self._live = False
        self._planned = 1  # epochs of the run
        self._last_draw = 0.0
        self._grown: set[pg.PlotWidget] = set()  # plots whose y range was set during the run

        self.loss_plot = _plot("Loss", "mean loss per step")
        _legend(self.loss_plot, (-8, 8))  # the loss falls: top right is free
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen(LOSS_COLOUR, width=2), name="loss")
        self.replay_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen("#555", width=1, style=Qt.PenStyle.DashLine)
        )
        self.replay_line.setVisible(False)
        self.loss_plot.addItem(self.replay_line, ignoreBounds=True)
        self.log_check = QCheckBox("log scale")
        self.log_check.setToolTip("Show the loss on a logarithmic axis")
        self.log_check.setChecked(True)
        self.log_check.toggled.connect(self._on_log_check_toggled)
        self.loss_plot.setLogMode(y=True)

        self.grad_plot = _plot("Gradient norm", "mean ‖g‖ per update")
        _legend(self.grad_plot, (-8, -8))  # the norm usually grows: bottom right is free
        self.grad_curve = self.grad_plot.plot(pen=pg.mkPen(GRAD_COLOUR, width=2), name="raw")
        self.clipped_curve = self.grad_plot.plot(
            pen=pg.mkPen(CLIPPED_COLOUR, width=2, style=Qt.PenStyle.DashLine),
            name="clipped",
        )
        self.grad_plot.setToolTip(
            "Mean gradient norm per update: raw, and clipped (the same while clipping is off)"
        )
        self.score_plot = _plot("Task score", "fraction correct")
        _legend(self.score_plot, (-8, -8))  # the score rises: bottom right is free
        self.score_curve = self.score_plot.plot(pen=pg.mkPen(SCORE_COLOUR, width=2), name="score")
        self.score_plot.setYRange(0.0, 1.0, padding=0.05)

        loss_column = QVBoxLayout()
        loss_column.setContentsMargins(0, 0, 0, 0)
        loss_column.addWidget(self.loss_plot, 1)
        loss_column.addWidget(self.log_check)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(loss_column, 1)
        row.addWidget(self.grad_plot, 1)
        row.addWidget(self.score_plot, 1)

    # -- the run ----------------------------------------------------------------------------------
    def clear(self) -> None:
        for series in (self._epochs, self._loss, self._grad, self._clipped):
            series.clear()
        self._score_epochs.clear()
        self._score.clear()
        for curve in (self.loss_curve, self.grad_curve, self.clipped_curve, self.score_curve):
            curve.setData([], [])
        self.replay_line.setVisible(False)

    def start(self, epochs: int) -> None:
        """Empty plots for a run of ``epochs`` epochs."""
        self.clear()
        self._live, self._grown, self._planned = True, set(), max(epochs, 1)
        self._grow_x(0)
        self.score_plot.setYRange(0.0, 1.0, padding=0.05)

    def append(self, records: list[EpochRecord]) -> bool:
        """Add completed epochs (a diverged record repeats the previous network: left out);
        True when the curves were redrawn (at most every ``PLOT_INTERVAL_S`` during a run)."""
        done = [r for r in records if r.diverged is None]
        if not done:
            return False
        self._epochs.extend([r.epoch for r in done])
        self._loss.extend([r.loss for r in done])
        self._grad.extend([r.grad_norm for r in done])
        self._clipped.extend([r.clipped_norm for r in done])
        scores = [(r.epoch, r.score) for r in done if r.score is not None]
        if scores:
            self._score_epochs.extend([e for e, _ in scores])
            self._score.extend([float(v) for _, v in scores])
        if self._live and time.monotonic() - self._last_draw < PLOT_INTERVAL_S:
            return False
        self.redraw()
        return True

    def finish(self) -> None:
        """The run is over: draw everything and fit the axes to the data.

        Auto-range comes first: the curves clip their data to the view while it is fixed, and
        drawn into the last range of the run they would keep only the epochs inside it (which
        auto-range would then fit, cutting off the end of the run).
        """
        self._live = False
        for plot in (self.loss_plot, self.grad_plot):
            plot.enableAutoRange()
        self.score_plot.enableAutoRange(axis="x")
        self.redraw()

    def redraw(self) -> None:
        """Hand the data to the curves (and, during a run, grow the y axes as needed)."""
        x = self._epochs.values
        self.loss_curve.setData(x, self._loss.values)
        self.grad_curve.setData(x, self._grad.values)
        self.clipped_curve.setData(x, self._clipped.values)
        self.score_curve.setData(self._score_epochs.values, self._score.values)
        if self._live and x.size:
            self._grow_x(int(x[-1]))
            loss = self._loss.values
            if self.log_check.isChecked():
                loss = np.log10(loss[loss > 0])
            self._grow_y(self.loss_plot, loss)
            self._grow_y(self.grad_plot, np.concatenate([self._grad.values, self._clipped.values]))
        self._last_draw = time.monotonic()

    def show_epoch(self, epoch: int | None) -> None:
        """Mark ``epoch`` on the loss plot (None: no mark)."""
        self.replay_line.setVisible(epoch is not None)
        if epoch is not None:
            self.replay_line.setValue(epoch)

    def _grow_x(self, epoch: int) -> None:
        """Show epochs 0..max(20, 2 epoch) (at most the planned ones) once ``epoch`` nears the
        right edge."""
        right = self.loss_plot.getPlotItem().getViewBox().viewRange()[0][1]
        if epoch and epoch < 0.95 * right:
            return
        right = min(self._planned, max(20, 2 * epoch))
        for plot in (self.loss_plot, self.grad_plot, self.score_plot):
            plot.setXRange(0, right, padding=0.02)

    def _grow_y(self, plot: pg.PlotWidget, values: NDArray[np.float64]) -> None:
        """Widen the y range when ``values`` leave it, with half their span as headroom on both
        sides."""
        finite = values[np.isfinite(values)]
        if not finite.size:
            return
        lo, hi = float(finite.min()), float(finite.max())
        bottom, top = plot.getPlotItem().getViewBox().viewRange()[1]
        if plot in self._grown and bottom <= lo and hi <= top:
            return
        span = hi - lo or abs(hi) or 1.0
        plot.setYRange(lo - 0.5 * span, hi + 0.5 * span, padding=0)
        self._grown.add(plot)

    def _on_log_check_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self._grown.discard(self.loss_plot)
        if self._live:
            self.redraw()
        else:
            self.loss_plot.enableAutoRange()


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
        left_widget = QScrollArea()  # scrolls rather than forcing its width on a narrow dock
        left_widget.setWidget(settings_widget)
        left_widget.setWidgetResizable(True)
        left_widget.setFrameShape(QFrame.Shape.NoFrame)
        left_widget.setMinimumWidth(160)

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
        controller.historyReset.connect(self._on_controller_history_reset)
        controller.finished.connect(self._on_controller_finished)
        session.datasetChanged.connect(self._on_session_dataset_changed)
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
        for text, value in TRUNCATION_CHOICES:
            self.truncation_box.addItem(text, value)
        self.truncation_box.setToolTip(
            "Full BPTT, or truncated: each loss term goes back k steps (sliding), "
            "or the sequence is cut into chunks of k steps (chunked)"
        )
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
            "Hold training after this epoch, or go on",
            self._on_pause_button_clicked,
        )
        self.stop_button = button(
            "Stop",
            "Ctrl+.",
            "End training after this epoch, keeping the weights reached",
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
        _set_combo_data(self.update_box, config.update)
        _set_combo_data(self.truncation_box, None if config.truncation is None else config.mode)
        if config.truncation is not None:
            self.k_box.setValue(config.truncation)
        self.epochs_box.setValue(config.epochs)
        self.shuffle_check.setChecked(config.shuffle)
        self.seed_box.setValue(config.seed)

    def apply_recommendations(self, spec: TaskSpec) -> None:
        """The task's recommended training settings (shuffle and seed are kept)."""
        self.set_config(
            spec.train_config(shuffle=self.shuffle_check.isChecked(), seed=self.seed_box.value())
        )

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
        self._show_status("Stopping after the current epoch...")

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
        self._last_record = None
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
        self._show_status("")
        self._sync_replay()
        self._sync_controls()

    def _on_controller_records_arrived(self, batch: list[EpochRecord]) -> None:
        self._last_record = batch[-1]
        # The progress bar repaints at once when its value changes: it follows the plots' pace.
        if self.plots.append(batch) or batch[-1].diverged is not None:
            self._update_progress()

    def _on_controller_finished(self, reason: str) -> None:
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
            epoch = last.epoch if last is not None else 0
            self._show_status(
                f"Stopped after epoch {epoch}; the network keeps the weights reached."
            )
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
        self._show_replay(snapshot.epoch)

    # -- session slots ----------------------------------------------------------------------------
    def _on_session_dataset_changed(self) -> None:
        self.plots.score_plot.setVisible(self.session.dataset.scoring != "none")
        name = self.session.source.get("task")
        if isinstance(name, str) and name in TASKS:
            self.apply_recommendations(TASKS[name])

    # -- drawing ----------------------------------------------------------------------------------
    def _update_progress(self) -> None:
        record = self._last_record
        if record is None:
            return
        total = self._total_epochs
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(record.epoch, total))
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

    def _show_replay(self, epoch: int) -> None:
        history = self.controller.history
        if epoch == 0:
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
            self.replay_label.setText(f"epoch {snapshots[-1].epoch} (the final network)")
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
        self.clip_edit.setEnabled(idle and self.clip_check.isChecked())
        self.k_box.setEnabled(idle and self.truncation_box.currentData() is not None)
        self.shuffle_check.setEnabled(idle and self.update_box.currentData() == "sequence")
        if not idle:
            self.replay_slider.setEnabled(False)
        if state == "paused":
            self.plots.redraw()
            self._update_progress()


def _number(text: str, label: str) -> float | str:
    """``text`` as a finite float, or the reason it is not one."""
    try:
        value = float(text)
    except ValueError:
        return f"{label}: enter a number such as 0.1 or 1e-3."
    if not math.isfinite(value):
        return f"{label} must be a finite number."
    return value
