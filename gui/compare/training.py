"""Training both runs of a twin from the same start on the same data, off the GUI thread.

``core.compare.train_twins`` is a plain generator (one ``TwinEpoch`` per epoch); it computes in
a child process (``core/child.py``: the window does not wait for the GIL while it trains), whose
records a :class:`~gui.training.worker.GeneratorWorker` reads in its own thread; Stop ends both
runs after the epoch in progress, and the records cross threads as immutable values. The plot
shows both loss curves on one axis with a legend, redrawn at most every ``REDRAW_MS`` while
training runs. A run id drops the
late signals of a run that was stopped or replaced. The networks on screen are not changed:
the comparison is of how the two configurations learn, the explorer keeps its network.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.child import ChildRun
from core.compare import TwinEpoch, train_twins, twin_networks
from core.limits import MAX_EPOCHS
from core.training import TrainConfig
from gui.compare.twins import TwinPair
from gui.training.worker import GeneratorWorker
from gui.widgets.legend_row import LegendRow
from gui.widgets.plots import ReadableAxis

#: the two curves' colours (categories, not values: the colour-blind safe pair of the training
#: plots' loss and clipped-norm curves)
COLOURS = ("#e08214", "#7b3fbf")
REDRAW_MS = 250


class CompareTraining(QWidget):
    """Epochs and learning rate, Train both / Stop, and the two loss curves.

    Signals: ``finished(str)`` with "finished", "stopped" or "failed: ..." when a run ends.
    """

    finished = Signal(str)

    def __init__(self, pair: TwinPair, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pair = pair
        self._worker: GeneratorWorker | None = None
        self._child: ChildRun | None = None  # the process computing the run
        self._run = 0
        self._error: BaseException | None = None
        self._stopping = False
        self.records: list[TwinEpoch] = []
        self._drawn = 0
        self.epochs = QSpinBox()
        self.epochs.setRange(1, MAX_EPOCHS)
        self.epochs.setValue(40)
        self.epochs.setPrefix("epochs ")
        self.epochs.setToolTip(f"Passes over the data set, for both runs (1..{MAX_EPOCHS:,})")
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(4)
        self.lr.setRange(0.0001, 10.0)
        self.lr.setSingleStep(0.01)
        self.lr.setValue(0.05)
        self.lr.setPrefix("lr ")
        self.lr.setToolTip("Learning rate of both runs (one update per sequence, no momentum)")
        self.actions_ = {
            "train": self._action("Train both", "Ctrl+T", "Train A and B from the same start"),
            "stop": self._action("Stop", "Ctrl+.", "Stop both runs after the epoch in progress"),
        }
        self.train_button = QPushButton("Train both")
        self.stop_button = QPushButton("Stop")
        for button, key in ((self.train_button, "train"), (self.stop_button, "stop")):
            action = self.actions_[key]
            button.setToolTip(f"{action.statusTip()} ({action.shortcut().toString()})")
            action.triggered.connect(button.click)  # click() does nothing while disabled
        self.train_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        self.status = QLabel("not trained")
        self.status.setWordWrap(True)
        self.plot = self._build_plot()
        controls = QHBoxLayout()
        for w in (self.epochs, self.lr, self.train_button, self.stop_button):
            controls.addWidget(w)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(controls)
        column.addWidget(self.status)
        column.addWidget(self.plot, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        pair.twinsChanged.connect(self._on_pair_twins_changed)

    def _action(self, text: str, key: str, tip: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        self.addAction(action)
        return action

    def _build_plot(self) -> pg.PlotWidget:
        axes = {side: ReadableAxis(side) for side in ("left", "bottom")}
        widget = pg.PlotWidget(background="w", axisItems=axes)
        item = widget.getPlotItem()
        item.setTitle("Loss of both runs", size="10pt", color="#222")
        axes["left"].set_label_choices("mean loss per step", "loss")
        item.setLabel("bottom", "epoch")
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setMenuEnabled(False)
        for side in ("left", "bottom"):
            item.getAxis(side).enableAutoSIPrefix(False)  # the ticks say the scale
        legend = LegendRow(item.getViewBox(), max_columns=2, labelTextColor="#222")
        item.layout.addItem(legend, 4, 1)
        item.legend = legend
        labels = self.pair.twin.labels
        self.curves = tuple(
            item.plot(pen=pg.mkPen(colour, width=2), name=f"{side}: {label}")
            for side, colour, label in zip("AB", COLOURS, labels, strict=True)
        )
        legend.refit()
        self.legend = legend
        widget.setMinimumSize(200, 150)
        return widget

    # -- control ----------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_running

    def start(self) -> None:
        """Train both sides of the pair's twin on the leader's data set (in a worker)."""
        if self.running:
            return
        leader, twin = self.pair.leader, self.pair.twin
        config = TrainConfig(lr=self.lr.value(), epochs=self.epochs.value(), update="sequence")
        net, dataset = leader.net, leader.dataset
        twin_networks(net, twin)  # a twin that cannot be built fails here, in this thread
        self._run += 1
        run = self._run
        self.records, self._drawn, self._error, self._stopping = [], 0, None, False
        for curve in self.curves:
            curve.setData([], [])
        self._name_curves()
        self._child = ChildRun(train_twins, net, twin, dataset, config, what="training")
        worker = GeneratorWorker(self._child.items)
        worker.yielded.connect(lambda rec: self._on_worker_yielded(run, rec))
        worker.errored.connect(lambda exc: self._on_worker_errored(run, exc))
        worker.finished.connect(lambda: self._on_worker_finished(run))
        self._worker = worker
        self.train_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.status.setText(f"training both for {config.epochs:,} epochs ...")
        self._timer.start()
        worker.start()

    def stop(self) -> None:
        """Ask both runs to stop after the epoch in progress (returns at once)."""
        if self._worker is not None and self._child is not None and self.running:
            self._stopping = True
            self._child.stop()  # it ends after the epoch in flight, which arrives

    def shutdown(self) -> None:
        """Abort, quit and wait: no thread outlives the window."""
        self._timer.stop()
        if self._worker is not None:
            self._run += 1
            if self._child is not None:  # the epoch in flight is not wanted: end it now
                self._child.kill()
            self._worker.quit_and_wait()
            self._worker, self._child = None, None

    # -- worker slots -----------------------------------------------------------------------------
    def _on_worker_yielded(self, run: int, record: TwinEpoch) -> None:
        if run == self._run:
            self.records.append(record)

    def _on_worker_errored(self, run: int, exc: BaseException) -> None:
        if run == self._run:
            self._error = exc

    def _on_worker_finished(self, run: int) -> None:
        if run != self._run:
            return
        self._timer.stop()
        self._redraw()
        if self._error is not None:
            reason = f"failed: {self._error}"
        elif self._stopping:
            reason = "stopped"
        else:
            reason = "finished"
        if self.records:
            last = self.records[-1]
            reason += f" after {last.epoch:,} epochs: loss A {last.a.loss:.4g}, B {last.b.loss:.4g}"
        self.status.setText(reason)
        self.train_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.finished.emit(reason)

    def _on_timer_timeout(self) -> None:
        self._redraw()

    def _on_pair_twins_changed(self) -> None:
        if not self.running:  # the curves were of another pair of runs
            self.records, self._drawn = [], 0
            for curve in self.curves:
                curve.setData([], [])
            self.status.setText("not trained")
            self._name_curves()

    # -- drawing ----------------------------------------------------------------------------------
    def _name_curves(self) -> None:
        for (_sample, label), side, text in zip(
            self.legend.items, "AB", self.pair.twin.labels, strict=True
        ):
            label.setText(f"{side}: {text}")
        self.legend.refit()

    def _redraw(self) -> None:
        if len(self.records) == self._drawn:
            return
        self._drawn = len(self.records)
        epochs = np.array([r.epoch for r in self.records], dtype=np.float64)
        for curve, side in zip(self.curves, ("a", "b"), strict=True):
            loss = np.array([getattr(r, side).loss for r in self.records], dtype=np.float64)
            curve.setData(epochs, loss)

    def curve_data(self) -> tuple[np.ndarray, ...]:
        """The drawn (epochs, loss A, loss B)."""
        xa, ya = self.curves[0].getData()
        _, yb = self.curves[1].getData()
        return tuple(np.asarray(v, dtype=np.float64) for v in (xa, ya, yb))
