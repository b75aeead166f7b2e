"""The Network dock: shape a fresh network for the current data.

:class:`NetworkPanel` ``(session, controller=None)`` offers hidden size, activation, output/loss
pair, context (Elman or Jordan), trained h(0) and initialisation seed; "Apply" gives the session a
new ``SRN.init`` network. The "Network" choice "Tapped delay line" builds Bodén's (2001 §4)
feedforward network over the window x(t), ..., x(t-omega) instead (``core.tdl``), with its
window from the "Window" box; context and h(0) do not apply to it. Discarding unsaved changes
goes through :meth:`~NetworkPanel.ask`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.functions import HIDDEN_ACTIVATIONS, LOSS_OF_OUTPUT, OUTPUT_FUNCTIONS
from core.limits import MAX_LAYER_SIZE, MAX_WINDOW
from core.model import SRN
from core.tdl import TDL
from gui.session import NetworkOrigin, Session
from gui.training.controller import TrainingController
from gui.widgets.forms import (
    SEED_MAX,
    after_colon,
    ask_yes_no,
    fit_narrow,
    hint_label,
    set_combo_data,
    show_hint,
)

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
#: (label, kind, tooltip) of the network choices
NETWORK_CHOICES = (
    (
        "Simple recurrent network",
        "srn",
        "Hidden units fed back through context units and W (Elman 1990, Jordan 1986)",
    ),
    (
        "Tapped delay line",
        "tdl",
        "A feedforward network over the window x(t), x(t-1), …, x(t-ω) (Bodén 2001 §4): no "
        "recurrence, trained by ordinary backpropagation at every step",
    ),
)
#: the summary's name of each kind of recurrent network
KIND = {"hidden": "Elman", "output": "Jordan", "target": "Jordan, teacher forced"}


class NetworkPanel(QWidget):
    """Choose the architecture and build a fresh network for the current data.

    Parameters
    ----------
    session : receives the network; its network's configuration is shown.
    controller : when given, the panel is disabled while training runs.

    Attributes
    ----------
    network_box, window_box, hidden_box, activation_box, output_box, context_box, h0_check,
        seed_box, apply_button : the controls.
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
        #: how Apply hands the new network over: the session's ``set_network``, or the window's
        #: ``Retracer.set_network`` (a long sequence is traced in the background)
        self.hand_network: Callable[..., None] = session.set_network
        self._shown_config: dict[str, Any] | None = None

        self.network_box = QComboBox()
        for text, kind, tip in NETWORK_CHOICES:
            self.network_box.addItem(text, kind)
            self.network_box.setItemData(
                self.network_box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        self.network_box.setToolTip(
            "A simple recurrent network (memory in its context units) or a tapped delay line "
            "(memory only in a fixed window of past inputs, Bodén 2001 §4)"
        )
        self.window_box = QSpinBox()
        self.window_box.setRange(0, MAX_WINDOW)
        self.window_box.setValue(3)
        self.window_box.setToolTip(
            f"ω, how many past inputs the tapped delay line sees besides x(t): 0 to {MAX_WINDOW}"
        )
        self.hidden_box = QSpinBox()
        self.hidden_box.setRange(1, MAX_LAYER_SIZE)
        self.hidden_box.setToolTip(f"Number of hidden (context) units H, 1 to {MAX_LAYER_SIZE}")
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
        form.addRow("Network:", self.network_box)
        form.addRow("Window ω:", self.window_box)
        form.addRow("Hidden units:", self.hidden_box)
        form.addRow("Activation:", self.activation_box)
        form.addRow("Output / loss:", self.output_box)
        form.addRow("Context:", self.context_box)
        form.addRow("", self.h0_check)
        form.addRow("Init seed:", self.seed_box)
        fit_narrow(form, self.network_box, self.activation_box, self.output_box, self.context_box)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.apply_button)
        column.addWidget(self.hint)
        column.addWidget(self.summary)
        column.addStretch(1)

        self.output_box.currentIndexChanged.connect(self._on_output_box_changed)
        self.network_box.currentIndexChanged.connect(self._on_network_box_changed)
        session.networkChanged.connect(self._on_session_network_changed)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        if controller is not None:
            controller.stateChanged.connect(self._on_controller_state_changed)
        self._on_session_network_changed()

    def build(self) -> SRN | TDL:
        """The network the widgets describe, shaped for the session's data (ValueError if not)."""
        data = self.session.dataset
        if self.network_box.currentData() == "tdl":
            return TDL.init(
                data.n_in,
                self.hidden_box.value(),
                data.n_out,
                window=self.window_box.value(),
                hidden=self.activation_box.currentData(),
                output=self.output_box.currentData(),
                seed=self.seed_box.value(),
            )
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
        try:
            self.hand_network(net, origin=NetworkOrigin.USER, modified=True)
        except ValueError as exc:  # e.g. its trace over the data would be too large
            show_hint(self.hint, f"Cannot use the network: {after_colon(str(exc))}")
            return False
        return True

    def ask(self, title: str, text: str) -> bool:
        """Ask a Yes/No question (tests replace this method)."""
        return ask_yes_no(self, title, text)

    # -- slots ------------------------------------------------------------------------------------
    def _on_apply_button_clicked(self) -> None:
        self.apply()

    def _on_network_box_changed(self) -> None:
        delay_line = self.network_box.currentData() == "tdl"
        self.window_box.setEnabled(delay_line)
        self.context_box.setEnabled(not delay_line)  # a tapped delay line has no context units
        self.h0_check.setEnabled(not delay_line)

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
        set_combo_data(self.activation_box, net.hidden)
        set_combo_data(self.output_box, net.output)
        delay_line = isinstance(net, TDL)
        set_combo_data(self.network_box, "tdl" if delay_line else "srn")
        if isinstance(net, TDL):
            self.window_box.setValue(net.window)
            taps = f"x(t)…x(t-{net.window})" if net.window else "x(t)"
            self.summary.setText(
                f"Current network (tapped delay line, window ω = {net.window}): {net.n_in} "
                f"input{'s' * (net.n_in != 1)} seen as {taps}, {net.n_taps} buffer units → "
                f"{net.n_hidden} {net.hidden} hidden → {net.n_out} {net.output} "
                f"output{'s' * (net.n_out != 1)}, {net.loss_name}; {net.n_params} trainable "
                "parameters, no recurrence."
            )
        else:
            set_combo_data(self.context_box, net.context)
            self.h0_check.setChecked(net.train_h0)
            h0 = "trained" if net.train_h0 else "fixed"
            self.summary.setText(
                f"Current network ({KIND[net.context]}): {net.n_in} input{'s' * (net.n_in != 1)} "
                f"→ {net.n_hidden} {net.hidden} hidden → {net.n_out} {net.output} "
                f"output{'s' * (net.n_out != 1)}, {net.loss_name}; {net.n_params} trainable "
                f"parameters, {INITIAL_CONTEXT[net.context]} {h0}."
            )
        self._on_network_box_changed()
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
            else f"Note: the data set “{self.session.dataset.name}” is meant for {suits} outputs "
            f"({LOSS_OF_OUTPUT.get(suits, '?')}).",
        )

    def _on_controller_state_changed(self, state: str) -> None:
        self.setEnabled(state == "idle")
