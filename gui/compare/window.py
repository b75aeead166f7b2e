"""Compare mode's window: two runs side by side under one time bar.

Columns A and B each hold the unfolded graph, the deltas over time and the gradients of one run
(the explorer's own :class:`~gui.graph_views.unfolded.UnfoldedGraphView`,
:class:`~gui.panels.DeltasPanel` and :class:`~gui.panels.GradientsPanel`, each observing that
run's :class:`~gui.compare.twins.TwinSession`). The third column holds the bias meter, the
difference of the gradients and the training of both. The time bar and its keys are the main
window's: one cursor drives the explorer and both runs.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from gui.compare.difference import BiasTable, DifferencePanel
from gui.compare.setup_bar import SetupBar
from gui.compare.training import COLOURS, CompareTraining
from gui.compare.twins import TwinPair, TwinSession
from gui.graph_views.unfolded import UnfoldedGraphView
from gui.panels import DeltasPanel, GradientsPanel
from gui.session import Session
from gui.timebar import PlaybackActions, TimeBar


class RunColumn(QWidget):
    """One run: a heading, its unfolded graph, its deltas and its gradients, stacked."""

    def __init__(self, side: str, session: TwinSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self.heading = QLabel()
        colour = COLOURS["AB".index(side)]
        self.heading.setStyleSheet(f"QLabel {{ font-weight: bold; color: {colour}; }}")
        self.unfolded = UnfoldedGraphView(session)
        self.deltas = DeltasPanel(session)
        self.gradients = GradientsPanel(session)
        split = QSplitter(Qt.Orientation.Vertical)
        for widget, stretch in ((self.unfolded, 5), (self.deltas, 3), (self.gradients, 4)):
            split.addWidget(widget)
            split.setStretchFactor(split.indexOf(widget), stretch)
        split.setSizes([300, 235, 315])  # shares of the height at 1400 x 900
        split.setChildrenCollapsible(False)
        column = QVBoxLayout(self)
        column.setContentsMargins(2, 2, 2, 2)
        column.setSpacing(2)
        column.addWidget(self.heading)
        column.addWidget(split, 1)

    def set_label(self, label: str) -> None:
        self.heading.setText(f"{self.side}: {label}")
        self.heading.setToolTip(
            f"Run {self.side}: the network on screen with {label}; everything else is shared"
        )


class CompareWindow(QWidget):
    """Compare mode, a window of its own beside the explorer.

    Parameters
    ----------
    session : the main window's session, whose network, sequence and cursor both runs follow.
    playback : the main window's stepping actions (their keys work here too).
    parent : the main window (the compare window closes with it).

    The window is deleted when closed, and with it both runs and their connections to the
    session: View > Compare opens a new one.
    """

    def __init__(
        self, session: Session, playback: PlaybackActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        # closed is gone: a hidden compare window would go on re-running and redrawing both
        # runs at every step of the explorer
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Unfold - Compare")
        self.session = session
        self.pair = TwinPair(session, self)
        self.setup = SetupBar()
        self.setup.show_choice(*self.pair.choice)
        self.columns = (
            RunColumn("A", self.pair.sessions[0]),
            RunColumn("B", self.pair.sessions[1]),
        )
        self.bias = BiasTable(self.pair)
        self.difference = DifferencePanel(self.pair)
        self.training = CompareTraining(self.pair)
        right = QSplitter(Qt.Orientation.Vertical)
        parts: tuple[tuple[QWidget, int], ...] = ((self.bias, 0), (self.difference, 3))
        for widget, stretch in (*parts, (self.training, 3)):
            right.addWidget(widget)
            right.setStretchFactor(right.indexOf(widget), stretch)
        right.setSizes([190, 330, 330])
        right.setChildrenCollapsible(False)
        body = QSplitter(Qt.Orientation.Horizontal)
        columns: tuple[tuple[QWidget, int], ...] = ((self.columns[0], 3), (self.columns[1], 3))
        for widget, stretch in (*columns, (right, 2)):
            body.addWidget(widget)
            body.setStretchFactor(body.indexOf(widget), stretch)
        body.setSizes([465, 465, 470])
        body.setChildrenCollapsible(False)
        self.body = body
        self.timebar = TimeBar(session, playback)
        self.addActions(playback.actions())  # Left/Right/Home/End/Space step here too
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.setup)
        layout.addWidget(body, 1)
        layout.addWidget(self.timebar)
        self.setup.choiceChanged.connect(self._on_setup_choice_changed)
        self.pair.twinsChanged.connect(self._on_pair_twins_changed)
        self.pair.problem.connect(self._on_pair_problem)
        self._on_pair_twins_changed()
        self.resize(1400, 900)

    def _on_setup_choice_changed(self, variation: str, value_a: object, value_b: object) -> None:
        try:
            self.pair.set_choice(variation, value_a, value_b)
        except ValueError as exc:  # the pair and both runs are left as they were
            self.setup.set_message(f"Not compared: {exc}")
            return
        self.setup.set_message("")

    def _on_pair_problem(self, text: str) -> None:
        self.setup.show_choice(*self.pair.choice)
        self.setup.set_message(text)

    def _on_pair_twins_changed(self) -> None:
        for column, label in zip(self.columns, self.pair.twin.labels, strict=True):
            column.set_label(label)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.training.shutdown()
        super().closeEvent(event)
