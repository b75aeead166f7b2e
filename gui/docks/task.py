"""The Task and data dock: generate a built-in task's data set, or ask for a sequence file.

:class:`TaskPanel` ``(session, controller=None)`` offers a built-in task of ``core.tasks.TASKS``,
its parameters and a data seed; "Generate" gives the session a new data set (and the task's
recommended network when asked to, or when the current one does not fit). Replacing a network with
unsaved changes goes through the panel's :meth:`~TaskPanel.ask`, so tests can answer it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.data import Dataset
from core.tasks import TASKS, ParamSpec, TaskSpec, make_task
from core.tdl import TDL
from gui.session import NetworkOrigin, Session
from gui.training.controller import TrainingController
from gui.widgets.forms import (
    NOTE_STYLE,
    SEED_MAX,
    after_colon,
    ask_yes_no,
    fit_narrow,
    hint_label,
    set_combo_data,
    show_hint,
)


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
        fit_narrow(form, self.task_box)
        fit_narrow(self.params_form)
        # the buttons one under the other and the network in its own line: a narrow dock
        # shows them whole
        self.fresh_note = QLabel()
        self.fresh_note.setWordWrap(True)
        self.fresh_note.setStyleSheet(NOTE_STYLE)
        self.fresh_note.setIndent(22)  # under the check box's text
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.params_box)
        column.addWidget(self.fresh_check)
        column.addWidget(self.fresh_note)
        column.addWidget(self.generate_button)
        column.addWidget(self.open_button)
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
        set_combo_data(self.task_box, name)

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
        new_net = None
        if replace:  # the same kind of network: Elman, Jordan or a tapped delay line
            window = net.window if isinstance(net, TDL) else None
            context = "hidden" if window is not None else net.context
            new_net = TASKS[name].network(dataset, context=context, window=window)
        source = {"task": name, "seed": seed, "params": dict(dataset.meta.get("params", params))}
        # a new network is untitled and unsaved: Save asks for a name rather than overwrite
        self.session.set_dataset(
            dataset,
            net=new_net,
            source=source,
            modified=replace or None,
            origin=NetworkOrigin.TASK,
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
        self.fresh_check.setText("Start a new network")
        self.fresh_note.setText(f"the recommended one: {spec.n_hidden} {spec.hidden} hidden units")
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
        for name, param in spec.param_specs.items():
            widget = _param_widget(param)
            label = name.replace("_", " ")
            widget.setToolTip(f"{label}: {param.describe()} (default {_shown(param.default)})")
            self.param_widgets[name] = widget
            self.params_form.addRow(f"{name.replace('_', ' ')}:", widget)
        self.params_box.setVisible(bool(spec.params))


def _param_widget(param: ParamSpec) -> QWidget:
    """A widget for one task parameter, chosen by the type of its default and limited to the
    parameter's bounds (``core.tasks.ParamSpec``)."""
    default = param.default
    if isinstance(default, bool):
        check = QCheckBox()
        check.setChecked(default)
        return check
    if isinstance(default, int):
        assert param.low is not None and param.high is not None
        spin = QSpinBox()
        spin.setRange(int(param.low), int(param.high))
        spin.setValue(default)
        return spin
    if isinstance(default, float):
        assert param.low is not None and param.high is not None
        dspin = QDoubleSpinBox()
        dspin.setDecimals(4)
        dspin.setRange(param.low, param.high)
        dspin.setSingleStep(max(abs(default) / 10.0, 0.01))
        dspin.setValue(default)
        return dspin
    line = QLineEdit(str(default))
    return line


def _shown(value: Any) -> str:
    """A parameter's default as the user reads it: on/off, a text in quotes, a number."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"“{value}”" if isinstance(value, str) else str(value)


def _shape(dataset: Dataset) -> str:
    n = len(dataset)
    return (
        f"{n} sequence{'s' * (n != 1)}, {dataset.n_in} input{'s' * (dataset.n_in != 1)}, "
        f"{dataset.n_out} output{'s' * (dataset.n_out != 1)}"
    )
