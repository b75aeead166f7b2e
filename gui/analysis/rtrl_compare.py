"""RTRL beside BPTT: the gradient accumulated forward and backward, and what each one costs.

Real-time recurrent learning (Williams & Zipser 1989; :mod:`core.rtrl`) adds every step's
gradient term while the forward sweep runs, so after forward step t it holds the gradient of
L(1) + ... + L(t); BPTT adds the same terms going back, so after backward step t it holds their
sum over s >= t. The panel shows, for the parameter chosen, both totals at the cursor as
heatmaps in the gradient colours, the largest difference between them at every cursor position
(it closes to rounding at the end of the backward sweep), and the work and memory each engine
counted: for this sequence, and as H and T grow (:func:`core.rtrl_compare.cost_growth`).

Every number is core's (:func:`core.rtrl_compare.known_at`, ``gap``, ``Costs.done``); the RTRL
pass costs O(T H^4), so it runs in an :class:`~gui.analysis.jobs.AnalysisJob` while the panel
can be seen, with progress and Cancel.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.cursor import Phase
from core.model import PARAM_NAMES, SRN
from core.notation import Notation
from core.rtrl import RTRLProgress
from core.rtrl_compare import (
    AT_H,
    AT_T,
    Comparison,
    CostPoint,
    compare_steps,
    cost_growth,
    known_at,
)
from gui.analysis.job_panel import JobPanel
from gui.encoding import Encoding, gradient, sign_text
from gui.panels.base import changed
from gui.session import Session
from gui.widgets.canvas import canvas
from gui.widgets.colormaps import CURSOR, INK
from gui.widgets.heatmap import Heatmap, index_ticks, style_plot

#: the two algorithms' colours in the plots (neither is a sign colour, red or blue)
COLOURS = {"rtrl": "#7b3294", "bptt": "#1b7837"}
NAMES = {"rtrl": "RTRL", "bptt": "BPTT"}
NEXT_KEY = "Ctrl+Alt+M"
#: the plots go in two rows when the panel is narrower than this and at least TWO_ROWS_HEIGHT high
TWO_ROWS_BELOW, TWO_ROWS_HEIGHT = 1000, 480


@dataclass(frozen=True, slots=True)
class RTRLView:
    """What changes with the cursor, the parameter or the notation (the comparison fixed)."""

    position: int
    param: str
    summary: str
    work: str
    titles: tuple[str, str]


@dataclass(frozen=True, slots=True)
class RTRLDisplay:
    """What the panel shows, read back from its widgets."""

    param: str
    rtrl: NDArray[np.floating]  # the matrix as drawn: (rows, columns) of the parameter
    bptt: NDArray[np.floating]
    titles: tuple[str, str]
    summary: str
    work: str
    gap: NDArray[np.floating]  # (2T + 1,) the curve drawn
    marker: float  # its cursor line
    growth: dict[str, tuple[NDArray[np.floating], NDArray[np.floating]]]  # "rtrl H" -> (x, y)


def position_text(phase: Phase, t: int) -> str:
    """ "start", "forward t = 3" or "backward t = 1"."""
    return "start" if phase == "start" else f"{phase} t = {t}"


def rtrl_view(
    comparison: Comparison, phase: Phase, t: int, position: int, p: str, notation: Notation
) -> RTRLView:
    """The texts at cursor (phase, t) for parameter p, in ``notation``; numbers from core."""
    result = comparison.result
    T = result.T
    L, P = notation["L"], notation[p]
    difference = float(comparison.gaps[p][position])
    if phase == "start":
        state = "neither has a gradient yet"
    elif phase == "forward":
        state = f"RTRL holds ∂({L}(1)+…+{L}({t}))/∂{P}; BPTT has not begun"
    else:
        state = f"RTRL is complete; BPTT holds Σ s≥{t} of ∂{L}(s)/∂{P}"
    summary = f"{position_text(phase, t)}: {state} · max |RTRL − BPTT| = {difference:.3g}"
    if comparison.truncated:
        summary += " (both untruncated)"
    r, b = result.costs, comparison.bptt_costs
    work = (
        f"counted for this sequence (T = {T}): RTRL {r.total:,} multiplications, "
        f"{r.memory:,} floats held · BPTT {b.total:,} multiplications, {b.memory:,} floats held"
        f" · done at the cursor: RTRL {r.done(phase, t):,}, BPTT {b.done(phase, t):,}"
    )
    titles = (f"RTRL ∂{L}/∂{P} so far", f"BPTT ∂{L}/∂{P} so far")
    return RTRLView(position, p, summary, work, titles)


def decade(k: int) -> str:
    """10^k as an axis label: 1, 10, 100, then 10³, 10⁴ ..."""
    if 0 <= k <= 2:
        return str(10**k)
    return "10" + str(k).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def as_cells(value: NDArray[np.floating]) -> NDArray[np.floating]:
    """A parameter as heatmap cells (n_x, n_y): columns (sending units) along x, rows along y."""
    return np.atleast_2d(value).T if value.ndim == 2 else value[None, :]


def comparison_items(trace: Any, net: Any) -> Iterator[Any]:
    """The job: RTRL's progress and the comparison (or why there is none), then cost points."""
    try:
        steps: Iterator[Any] = compare_steps(trace)
    except ValueError as exc:
        steps = iter([str(exc)])
    if not isinstance(net, SRN):  # a tapped delay line: no recurrence, no RTRL costs to count
        return steps
    return itertools.chain(steps, cost_growth(net))


class RTRLComparePanel(JobPanel[RTRLView]):
    """RTRL's running total beside BPTT's at the cursor, their gap, and their counted costs."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._comparison: Comparison | None = None
        self._failure = ""
        self._points: list[CostPoint] = []
        self._encodings: dict[str, Encoding] = {}

        self.param_box = QComboBox()
        self.param_box.setToolTip(f"the parameter whose gradients are shown ({NEXT_KEY}: next)")
        self.next_action = QAction("Next parameter", self)
        self.next_action.setShortcut(QKeySequence(NEXT_KEY))
        self.next_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.next_action.setToolTip("show the next parameter's gradients")
        self.next_action.triggered.connect(self._on_next_action_triggered)
        self.addAction(self.next_action)
        self.summary = QLabel(" ")
        self.summary.setWordWrap(True)
        self.summary.setToolTip(
            "RTRL (Williams & Zipser 1989) adds each step's gradient term going forward; BPTT "
            "adds the same terms going backward. Both end with the same gradient."
        )
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.param_box)
        bar.addWidget(self.summary, 1)
        self.work = QLabel(" ")
        self.work.setWordWrap(True)
        self.work.setStyleSheet("QLabel { padding: 0px 4px; }")
        self.work.setToolTip(
            "multiplications and floats counted by the engines as they work: RTRL carries "
            "dh/dθ (O(H⁴) a step, O(H³) floats), BPTT stores the sweep (O(H²) a step, O(T H))"
        )

        self.canvas = canvas()
        self.heat = (Heatmap(cursor=False), Heatmap(cursor=False))
        self.gap_plot = pg.PlotItem()
        self.gap_curve = self.gap_plot.plot(pen=pg.mkPen(INK, width=1.5))
        self.gap_marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(CURSOR, width=2))
        self.gap_plot.addItem(self.gap_marker)
        self.gap_plot.setTitle("max |RTRL − BPTT|", color=INK, size="9pt")
        self.gap_plot.setLabel("bottom", "cursor: forward, then backward")
        self.work_plot = self._growth_plot("multiplications / step", f"H (T = {AT_T})")
        self.memory_plot = self._growth_plot("floats held", f"T (H = {AT_H})")
        self.curves: dict[str, pg.PlotDataItem] = {}
        for plot, axis in ((self.work_plot, "H"), (self.memory_plot, "T")):
            for alg in ("rtrl", "bptt"):
                colour = COLOURS[alg]
                self.curves[f"{alg} {axis}"] = plot.plot(
                    pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                    symbolBrush=colour, symbolPen=None, name=NAMES[alg],
                )  # fmt: skip
        for plot in (self.gap_plot, self.work_plot, self.memory_plot):
            style_plot(plot)
        self._rows = 0
        self._place(two_rows=False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.job_bar)
        layout.addWidget(self.work)
        layout.addWidget(self.canvas, 1)
        self.param_box.currentIndexChanged.connect(self._on_param_box_changed)
        self.job.failed.connect(self._on_job_failed)
        self._start()

    def _growth_plot(self, title: str, bottom: str) -> pg.PlotItem:
        plot = pg.PlotItem()
        plot.setLogMode(x=True, y=True)
        plot.setTitle(title, color=INK, size="9pt")
        plot.setLabel("bottom", bottom)
        plot.addLegend(offset=(5, 5), labelTextColor=INK, labelTextSize="8pt")
        return plot

    def _place(self, two_rows: bool) -> None:
        """The five plots in one row, or in two (heatmaps and gap above, costs below)."""
        rows = 2 if two_rows else 1
        if rows == self._rows:
            return
        self._rows = rows
        layout = self.canvas.ci
        for item in (*(h.plot for h in self.heat), self.gap_plot, self.work_plot, self.memory_plot):
            if item.scene() is not None:
                layout.removeItem(item)
        places = (
            [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)] if two_rows else [(0, c) for c in range(5)]
        )
        items = (*(h.plot for h in self.heat), self.gap_plot, self.work_plot, self.memory_plot)
        for item, (row, col) in zip(items, places, strict=True):
            layout.addItem(item, row=row, col=col)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        size = event.size()
        self._place(size.width() < TWO_ROWS_BELOW and size.height() >= TWO_ROWS_HEIGHT)
        super().resizeEvent(event)

    # -- per trace --------------------------------------------------------------------------------
    def _start_job(self) -> None:
        trace, net = self.session.trace, self.session.net
        self._failure = ""
        self._comparison = None  # its numbers are another network's or sequence's
        self._points = []  # late points of an earlier job are dropped by the job's run id
        self._clear()
        self.job.start(lambda: comparison_items(trace, net))
        params = list(PARAM_NAMES)
        self.param_box.blockSignals(True)
        current = self.param_box.currentData() or "W"
        self.param_box.clear()
        for p in params:
            self.param_box.addItem(self.session.notation[p], p)
            tip = self.session.notation.tooltip(p)
            self.param_box.setItemData(self.param_box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.param_box.setCurrentIndex(params.index(current) if current in params else 1)
        self.param_box.blockSignals(False)

    def _on_job_progressed(self, items: list[Any]) -> None:
        for item in items:
            if isinstance(item, RTRLProgress):
                text = f"RTRL: step {item.t:,} / {item.T:,}, {item.done:,} multiplications"
                self.job_bar.report(item.t, item.T, text)
            elif isinstance(item, Comparison):
                self._set_comparison(item)
            elif isinstance(item, str):
                self._comparison, self._failure = None, item
                self._view = None
                self._refresh()
            elif isinstance(item, CostPoint):
                self._points.append(item)
        self._draw_growth()

    def _on_job_failed(self, error: BaseException) -> None:
        self._comparison, self._failure = None, f"No comparison: {error}"
        self._view = None
        self._refresh()

    def _set_comparison(self, comparison: Comparison) -> None:
        self._comparison = comparison
        result, trace = comparison.result, comparison.trace
        peaks = trace.gradient_peaks()
        self._encodings = {
            p: gradient(result.running[p], np.array([peaks[p][1]])) for p in PARAM_NAMES
        }
        self._view = None
        self._refresh()

    def _clear(self) -> None:
        """Nothing computed yet: grey cells (the "not yet computed" colour), no curves."""
        for heatmap in self.heat:
            n_x, n_y = heatmap.shape
            if n_x and n_y:
                heatmap.set_values(np.full((n_x, n_y), np.nan))
        self.gap_curve.setData([], [])
        for curve in self.curves.values():
            curve.setData([], [])

    def _draw_growth(self) -> None:
        for alg in ("rtrl", "bptt"):
            by_h = [p for p in self._points if p.algorithm == alg and p.T == AT_T]
            by_t = [p for p in self._points if p.algorithm == alg and p.H == AT_H]
            self.curves[f"{alg} H"].setData([p.H for p in by_h], [p.per_step for p in by_h])
            self.curves[f"{alg} T"].setData([p.T for p in by_t], [p.memory for p in by_t])
        for plot, axis in ((self.work_plot, "H"), (self.memory_plot, "T")):
            xs = sorted({getattr(p, axis) for p in self._points})
            ys = [float(c.yData.min()) for c in self._curves_of(axis) if c.yData is not None]
            ys += [float(c.yData.max()) for c in self._curves_of(axis) if c.yData is not None]
            if not xs or not ys:
                continue
            # the sizes run as x ticks; whole decades on y (no crowded minor labels)
            plot.getAxis("bottom").setTicks([[(np.log10(x), str(x)) for x in xs], []])
            lo, hi = int(np.floor(np.log10(min(ys)))), int(np.ceil(np.log10(max(ys))))
            hi = max(hi, lo + 1)
            plot.getAxis("left").setTicks([[(k, decade(k)) for k in range(lo, hi + 1)], []])
            plot.setYRange(lo, hi + 1.0, padding=0.02)  # a decade of room for the legend
            ends = np.log10([xs[0], xs[-1]])
            plot.setXRange(ends[0] - 0.2, ends[1] + 0.2, padding=0)  # end ticks not clipped

    def _curves_of(self, axis: str) -> list[pg.PlotDataItem]:
        return [self.curves[f"{alg} {axis}"] for alg in ("rtrl", "bptt")]

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> RTRLView:
        s = self.session
        p = self.param_box.currentData() or "W"
        if self._comparison is None:
            waiting = self._failure or ("computing RTRL…" if self.job.running else " ")
            return RTRLView(-1, p, waiting, " ", ("RTRL, forward", "BPTT, backward"))
        state = s.state
        return rtrl_view(self._comparison, state.phase, state.t, state.position, p, s.notation)

    def _apply(self, new: RTRLView, old: RTRLView | None) -> None:
        comparison = self._comparison
        colours = ""
        if comparison is not None and new.position >= 0:
            colours = f" · colours {self._encodings[new.param].range_text()}, {sign_text()}"
        self.summary.setText(new.summary + colours)
        self.work.setText(new.work)
        if comparison is None or new.position < 0:
            return
        if changed(new, old, "param"):
            self._show_param(comparison, new.param)
        if changed(new, old, "position", "param"):
            state = self.session.state
            r, b = known_at(comparison.result, comparison.trace, state.phase, state.t)
            for heatmap, value in zip(self.heat, (r[new.param], b[new.param]), strict=True):
                heatmap.set_values(as_cells(value))
            self.gap_marker.setValue(new.position)
        if changed(new, old, "titles"):
            for heatmap, title in zip(self.heat, new.titles, strict=True):
                heatmap.plot.setTitle(title, color=INK, size="9pt")

    def _show_param(self, comparison: Comparison, p: str) -> None:
        cells = as_cells(np.asarray(comparison.result.grads[p]))
        for heatmap in self.heat:
            heatmap.set_encoding(self._encodings[p])
            heatmap.set_grid(cells.shape[0], cells.shape[1])
            heatmap.plot.getAxis("bottom").setTicks(index_ticks(cells.shape[0]))
            heatmap.plot.getAxis("left").setTicks(index_ticks(cells.shape[1]))
        curve = comparison.gaps[p]
        self.gap_curve.setData(np.arange(len(curve)), curve)

    def _on_param_box_changed(self, index: int) -> None:
        self._refresh()

    def _on_next_action_triggered(self) -> None:
        count = self.param_box.count()
        if count:
            self.param_box.setCurrentIndex((self.param_box.currentIndex() + 1) % count)

    # -- reading ----------------------------------------------------------------------------------
    def displayed(self) -> RTRLDisplay:
        """What is drawn: both matrices (rows, columns), the texts, the gap curve and costs."""
        gy = self.gap_curve.yData
        growth = {}
        for key, curve in self.curves.items():  # the data given, not its logarithm as drawn
            x, y = curve.xData, curve.yData
            growth[key] = (np.zeros(0) if x is None else x, np.zeros(0) if y is None else y)
        return RTRLDisplay(
            param=self.param_box.currentData() or "",
            rtrl=self.heat[0].shown().T,
            bptt=self.heat[1].shown().T,
            titles=tuple(h.plot.titleLabel.text for h in self.heat),  # type: ignore[arg-type]
            summary=self.summary.text(),
            work=self.work.text(),
            gap=np.zeros(0) if gy is None else np.asarray(gy),
            marker=float(self.gap_marker.value()),
            growth=growth,
        )
