"""Live plots of a training run: loss, gradient norm and task score per epoch.

:class:`TrainingPlots` is fed only the controller's throttled ``recordsArrived`` batches (through
the Training dock) and redraws at most every ``PLOT_INTERVAL_S`` during a run.

A redraw during a run only hands new data to the curves: the axes keep their ranges. Each change
of an axis range makes pyqtgraph generate and paint the axis, its ticks and its grid again (about
5 ms per axis, with the GIL held against the training thread) and can change the axis width,
which lays the whole plot out again. So the x axes show the planned epochs from the start, and a
y axis changes only when the data crosses a power of two (a decade on the log axis of the loss):
a few times per run, not at every redraw.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsItem,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from core.training import EpochRecord
from gui.widgets.legend_row import LegendRow
from gui.widgets.plots import ReadableAxis

#: curve colours of the training plots (categories, not values: a colour-blind safe set)
LOSS_COLOUR, GRAD_COLOUR, CLIPPED_COLOUR, SCORE_COLOUR = "#7b3fbf", "#2166ac", "#e08214", "#1a9850"


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


def _up_to_power_of_two(values: NDArray[np.float64]) -> tuple[float, float] | None:
    """(0, 2^k), the smallest such range holding the finite ``values`` (all >= 0); None when
    there are none."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return None
    top = float(finite.max())
    return 0.0, 2.0 ** math.ceil(math.log2(top)) if top > 0 else 1.0


def _decades(values: NDArray[np.float64]) -> tuple[float, float] | None:
    """(floor(log10 min), ceil(log10 max)) of the positive finite ``values``, at least one
    decade apart: a range of the log axis in its units; None when there are none."""
    positive = values[np.isfinite(values) & (values > 0)]
    if not positive.size:
        return None
    bottom = math.floor(math.log10(float(positive.min())))
    top = math.ceil(math.log10(float(positive.max())))
    return float(bottom), float(max(top, bottom + 1))


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


def _plot(title: str, left: tuple[str, str]) -> pg.PlotWidget:
    axes = {side: ReadableAxis(side) for side in ("left", "bottom")}  # labels never overlap
    widget = pg.PlotWidget(background="w", axisItems=axes)
    item = widget.getPlotItem()
    default = item.titleLabel
    item.layout.removeItem(default)
    widget.scene().removeItem(default)
    item.titleLabel = _ShrinkingTitle("", size="10pt", color="#222")
    item.layout.addItem(item.titleLabel, 0, 1)
    item.setTitle(title, size="10pt", color="#222")
    axes["left"].set_label_choices(*left)  # the long one where the plot is tall enough
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
    widget.setMinimumSize(110, 100)  # three plots share a narrow dock
    return widget


def _legend(widget: pg.PlotWidget) -> LegendRow:
    """A legend in a row under the plot, where it hides no curve."""
    item = widget.getPlotItem()
    legend = LegendRow(item.getViewBox(), max_columns=2, labelTextColor="#222", labelTextSize="8pt")
    item.layout.addItem(legend, 4, 1)  # under the view box, beside nothing
    item.legend = legend  # the plot's named curves are entered in it
    return legend


#: while training, the plots are redrawn at most this often (s): a pyqtgraph repaint costs
#: milliseconds of GUI-thread time, during which the training thread waits for the GIL (the
#: controller's batches come every 0.25 s: each is drawn)
PLOT_INTERVAL_S = 0.2


class TrainingPlots(QWidget):
    """Loss, gradient norm and task score per epoch, drawn at a bounded rate.

    During a run (between :meth:`start` and :meth:`finish`) the x axes show the planned epochs
    and the y axes only grow, to the next power of two (the loss and the gradient norm are never
    negative, so their axes start at 0) or, for the loss on its log axis, to whole decades; once
    the run is over every axis fits its data.

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
        #: the y range (bottom, top) each plot was given during the run, in its axis' units
        self._y_ranges: dict[pg.PlotWidget, tuple[float, float]] = {}

        self.loss_plot = _plot("Loss", ("mean per step", "mean"))  # one curve: its title says which
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen(LOSS_COLOUR, width=2))
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

        self.grad_plot = _plot("Gradient norm", ("mean per update", "mean"))
        grad_legend = _legend(self.grad_plot)
        self.grad_curve = self.grad_plot.plot(pen=pg.mkPen(GRAD_COLOUR, width=2), name="raw")
        self.clipped_curve = self.grad_plot.plot(
            pen=pg.mkPen(CLIPPED_COLOUR, width=2, style=Qt.PenStyle.DashLine),
            name="clipped",
        )
        grad_legend.refit()
        self.grad_plot.setToolTip(
            "Mean gradient norm per update: raw, and clipped (the same while clipping is off)"
        )
        self.score_plot = _plot("Task score", ("fraction correct", "fraction"))  # one curve
        self.score_curve = self.score_plot.plot(pen=pg.mkPen(SCORE_COLOUR, width=2))
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
        """Empty plots for a run of ``epochs`` epochs, whose x axes show them all.

        The new axes are painted at once: the controller starts the run's thread after this, and
        painted later they would compete with it for the GIL (several axes at about 5 ms each).
        """
        self.clear()
        self._live, self._y_ranges, self._planned = True, {}, max(epochs, 1)
        for plot in (self.loss_plot, self.grad_plot, self.score_plot):
            plot.setXRange(0, self._planned, padding=0.02)
        self.score_plot.setYRange(0.0, 1.0, padding=0.05)
        self.repaint()

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
            loss = self._loss.values
            log = self.log_check.isChecked()
            self._grow_y(self.loss_plot, _decades(loss) if log else _up_to_power_of_two(loss))
            self._grow_y(self.grad_plot, _up_to_power_of_two(self._grad.values))
        self._last_draw = time.monotonic()

    def show_epoch(self, epoch: int | None) -> None:
        """Mark ``epoch`` on the loss plot (None: no mark)."""
        self.replay_line.setVisible(epoch is not None)
        if epoch is not None:
            self.replay_line.setValue(epoch)

    def _grow_y(self, plot: pg.PlotWidget, wanted: tuple[float, float] | None) -> None:
        """Give ``plot`` a y range holding both ``wanted`` and the range it has had this run."""
        if wanted is None:
            return
        old = self._y_ranges.get(plot, wanted)
        new = (min(old[0], wanted[0]), max(old[1], wanted[1]))
        if new != self._y_ranges.get(plot):
            self._y_ranges[plot] = new
            plot.setYRange(*new, padding=0.02)

    def _on_log_check_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self._y_ranges.pop(self.loss_plot, None)
        if self._live:
            self.redraw()
        else:
            self.loss_plot.enableAutoRange()
