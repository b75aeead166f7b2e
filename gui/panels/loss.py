"""The loss of each time step, L(t), for the current sequence (Eqs. 5, 6, 7, 8).

Bars appear as the forward sweep computes them; the cursor's step is drawn in orange, and in the
backward sweep the steps whose deltas are already known are drawn darker. The title gives the total
L = Σt L(t) (or the part known so far).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.bptt import Trace
from core.cursor import StepState
from core.explain import fmt
from core.notation import Notation
from core.selection import Selection
from gui.panels.base import Panel, changed
from gui.session import Session
from gui.widgets.bars import StepBars
from gui.widgets.colormaps import CURSOR, INK
from gui.widgets.heatmap import index_ticks, style_plot
from gui.widgets.legend_row import LegendRow
from gui.widgets.plots import ReadableAxis
from gui.widgets.text_line import TextLine

HINT = "hover a bar for its value · click to inspect L(t)"
#: neutral greys: a bar's height is the loss, and red and blue mean the signs of values elsewhere
#: (``gui.encoding``); darker once the backward sweep has visited the step
_KNOWN, _VISITED = "#d4d4d4", "#737373"


@dataclass(frozen=True, slots=True)
class LossView:
    """What the panel shows: L(1..known), the cursor step t, deltas known from backward_from."""

    known: int
    t: int
    backward_from: int
    title: str
    y_label: str
    legend: tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class LossDisplay:
    """The bars drawn: ``loss`` (T,) with NaN for unknown steps, the highlighted step, title."""

    loss: NDArray[np.floating]
    cursor: int | None
    visited: NDArray[np.bool_]
    title: str
    hover: str


def loss_view(trace: Trace, state: StepState, notation: Notation) -> LossView:
    """The view state: which losses are known and the title with the (partial) total."""
    L, k = notation["L"], state.forward_known
    if k == trace.T:
        title = f"{L} = Σt {L}(t) = {fmt(trace.loss)}"
    elif k == 0:
        title = f"{L}(t): none computed yet ({trace.T} steps ahead)"
    else:
        title = f"{L} so far = Σ(t ≤ {k}) {L}(t) = {fmt(trace.loss_until(k))}"
    legend = (f"{L}(t)", f"{L}(t) with δ known (backward)", "cursor step")
    return LossView(k, state.t, state.backward_from, title, f"{L}(t)", legend)


class LossPanel(Panel[LossView]):
    """Bars of L(t) over t = 1..T, known steps only during the forward sweep.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._build_canvas(HINT)
        # the title changes at every forward step: as a line above the canvas it repaints
        # alone, where a title in the canvas made each step repaint the whole plot under it
        self.title = TextLine(Qt.AlignmentFlag.AlignHCenter, elide=True)
        font = self.title.font()
        font.setPointSizeF(10.0)
        self.title.setFont(font)
        palette = self.title.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("white"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(INK))
        self.title.setPalette(palette)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.title)
        self.plot = self.canvas.addPlot(axisItems={"bottom": ReadableAxis("bottom")})
        style_plot(self.plot)
        self.plot.setLabel("bottom", "time step t")
        self.known = self._step_curve(_KNOWN)
        self.visited = self._step_curve(_VISITED)
        self.current = self._step_curve(CURSOR)
        self.line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(CURSOR, style=Qt.PenStyle.DashLine)
        )
        self.plot.addItem(self.line, ignoreBounds=True)
        # the legend sits in its own row under the plot, so it never hides a bar
        self.legend = LegendRow(self.plot, max_columns=3, labelTextColor=INK)
        self.canvas.addItem(self.legend, row=1, col=0)
        for color in (_KNOWN, _VISITED, CURSOR):  # bar-shaped samples for the step curves
            sample = pg.BarGraphItem(x=[0], height=[1], width=1, brush=color, pen="#555555")
            self.legend.addItem(sample, "")
        self.canvas.scene().sigMouseMoved.connect(self._on_canvas_mouse_moved)
        self.canvas.scene().sigMouseClicked.connect(self._on_canvas_mouse_clicked)
        self._steps: int | None = None  # the T the time axis was set up for
        self._start()

    def _step_curve(self, color: str) -> StepBars:
        curve = StepBars(color, pg.mkPen("#555555", width=1))
        self.plot.addItem(curve)
        return curve

    # -- per trace --------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        trace = self.session.trace
        T = trace.T
        top = float(trace.loss_t.max()) if T else 1.0
        self.plot.setXRange(0.5, T + 0.5, padding=0.01)
        self.plot.setYRange(0.0, top * 1.08 if top > 0 else 1.0, padding=0)
        if self._steps == T:  # a new network on the same sequence (training): the same ticks,
            return  # and setting them again would generate and paint the time axis again
        self._steps = T
        self.plot.getAxis("bottom").setTicks(index_ticks(T, first=1, offset=1, max_labels=T))
        pen = pg.mkPen("#555555", width=1) if T <= 100 else None  # outlines blur long sequences
        for curve in (self.known, self.visited, self.current):
            curve.setPen(pen)

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> LossView:
        s = self.session
        return loss_view(s.trace, s.state, s.notation)

    def _apply(self, new: LossView, old: LossView | None) -> None:
        loss = np.asarray(self.session.trace.loss_t)
        if old is None:  # a new trace: the bar heights, then the shown ranges
            for bars in (self.known, self.visited, self.current):
                bars.set_heights(loss)
        if changed(new, old, "known"):
            self.known.show_steps(1, new.known)
        if changed(new, old, "backward_from"):
            self.visited.show_steps(new.backward_from, len(loss))
        if changed(new, old, "t", "known"):
            self.line.setVisible(new.t >= 1)
            self.line.setValue(new.t)
            shown = 1 <= new.t <= new.known
            self.current.show_steps(new.t, new.t if shown else new.t - 1)
        if changed(new, old, "title"):
            self.title.setText(new.title)
        if changed(new, old, "y_label", "legend"):
            self.plot.setLabel("left", new.y_label)
            for (_, label), text in zip(self.legend.items, new.legend, strict=True):
                label.setText(text)
            self.legend.refit()

    # -- reading and pointing ---------------------------------------------------------------------
    def displayed(self) -> LossDisplay:
        """The bar heights drawn (NaN where no bar), the orange step and the title."""
        self._catch_up()
        T = self.session.trace.T
        loss = np.full(T, np.nan)
        visited = np.zeros(T, bool)
        x, y = self.known.getData()
        if y is not None and len(y):
            loss[: len(y)] = y
        x, y = self.visited.getData()
        if y is not None and len(y):
            visited[int(x[0] + 0.5) - 1 :] = True
        x, y = self.current.getData()
        cursor = int(x[0] + 0.5) if y is not None and len(y) else None
        return LossDisplay(loss, cursor, visited, self.title.text(), self.hover.text())

    def hover_text(self, t: int) -> str:
        """The exact loss of step t, or when it is computed."""
        L, trace = self.session.notation["L"], self.session.trace
        if t > self.session.state.forward_known:
            return f"{L}({t}) = ?  (computed at forward t = {t})"
        return f"{L}({t}) = {trace.loss_t[t - 1]:.6g}"

    def _step_at(self, pos: QPointF) -> int | None:
        box = self.plot.getViewBox()
        if not box.sceneBoundingRect().contains(pos):
            return None
        t = round(box.mapSceneToView(pos).x())
        return t if 1 <= t <= self.session.trace.T else None

    def _hover_hint(self) -> str:
        return HINT

    def _on_canvas_mouse_moved(self, pos: QPointF) -> None:
        t = self._step_at(pos)
        self._hover_at((t,) if t is not None else None)

    def _on_canvas_mouse_clicked(self, event: object) -> None:
        if event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        t = self._step_at(event.scenePos())  # type: ignore[attr-defined]
        if t is not None:
            self.session.select(Selection("node", "L", t=t))
