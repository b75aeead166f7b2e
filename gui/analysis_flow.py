"""How far back the loss reaches, and proof that the gradients are right.

:class:`GradientFlowPanel` draws the gradient flow matrix F[s, t] = ||dL(s)/dh(t)|| of
:mod:`core.gradient_flow` as a heatmap of log10 F (rows s = loss step, columns t = hidden step,
blank above the diagonal), the truncation window on top of it (outlined; the pairs truncation cuts
off are dimmed) and beside it the spectral radius of the per-step Jacobians
J(t) = diag(f'(a(t))) W, with rho(W) and 1 as reference lines (for a Jordan network the loop
runs through the output, J(t) = diag(f'(a(t))) W J_g(t-1) V, and the reference is rho(W V);
teacher forcing opens the loop). Each row is one loss term followed
back through the Jacobian chain of seeds/004 eq. 45; a row that fades to the left is the vanishing
gradient of seeds/001 section 5.1 (Bengio, Simard and Frasconi 1994).

:class:`GradCheckPanel` runs :func:`core.gradcheck.gradient_check` on the current sequence with
the trace's truncation and tabulates, per parameter, how well BPTT's analytic gradient
(seeds/004 eq. 84-88) agrees with central finite differences of the objective it follows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGraphicsRectItem,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.gradcheck import GradCheck, gradient_check
from core.gradient_flow import (
    flow_matrix,
    jacobians_spectral_radius,
    loop_matrix,
    spectral_radius,
    within_window,
)
from core.model import PARAM_NAMES
from core.notation import Notation
from gui.panels.base import Panel, changed
from gui.session import Session
from gui.widgets.colormaps import CURSOR, INK, sequential
from gui.widgets.heatmap import Heatmap, color_bar, index_ticks, style_plot

FLOW_HINT = "hover a cell · outlined: kept by truncation · pale: cut off · white: exactly 0"
#: the fewest decades the colour scale spans below the largest norm is not limited; at most this
MAX_DECADES = 16.0
#: tolerance on the relative error for a parameter to pass
TOL = 1e-6
#: the check re-runs by itself on a new trace when T * H is at most this
AUTO_CHECK_SIZE = 2000
PASS_COLOUR, FAIL_COLOUR = "#1a7f37", "#c62828"
WINDOW_PEN = "#000000"


# -- the gradient flow ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FlowView:
    """What changes without a new trace: the cursor marker and the notation's labels.

    marker : ("row", s) during the forward sweep (L(s) has just been computed), ("column", t)
        during the backward sweep (dL/dh(t) is being computed), None at the start.
    labels : (colour bar, Jacobian curve, rho(W) line, plot title).
    """

    marker: tuple[str, int] | None
    labels: tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class FlowDisplay:
    """What the flow panel draws.

    image : (T, T) log10 ||dL(s)/dh(t)||, rows s, columns t; NaN above the diagonal, -inf where a
        norm is exactly 0 (drawn in the lowest colour).
    window : (T, T) bool, the pairs (s, t) the trace's truncation keeps (outlined).
    radii : (T,) rho(J(t)) for t = 1..T.  radius_W : rho(W).
    marker : as :class:`FlowView`.  radius_cursor : the step marked on the radius plot, or None.
    label : the colour bar's label.  legend : the radius plot's legend entries.  hover : the text
        under the canvas.  levels : the colour scale's range (log10).
    """

    image: NDArray[np.floating]
    window: NDArray[np.bool_]
    radii: NDArray[np.floating]
    radius_W: float
    marker: tuple[str, int] | None
    radius_cursor: float | None
    label: str
    legend: tuple[str, ...]
    hover: str
    levels: tuple[float, float]


def flow_view(phase: str, t: int, notation: Notation, context: str = "hidden") -> FlowView:
    """The view state at a cursor (phase, t), labelled in ``notation``; ``context`` is the
    network's (a Jordan network's loop runs through V and W, ``core.gradient_flow.loop_matrix``)."""
    marker = None if phase == "start" else ("row" if phase == "forward" else "column", t)
    L, h, W, V = notation["L"], notation["h"], notation["W"], notation["V"]
    loop = {"hidden": f"ρ({W})", "output": f"ρ({W}{V})", "target": "teacher forcing: no loop"}
    return FlowView(
        marker,
        (
            f"log10 ‖∂{L}(s)/∂{h}(t)‖",
            f"ρ(∂{h}(t)/∂{h}(t-1))",
            loop[context],
            f"how far ∂{L}(s) reaches back",
        ),
    )


def log_flow(F: NDArray[np.floating]) -> NDArray[np.floating]:
    """log10 of the flow matrix: NaN stays NaN, exact zeros become -inf (without a warning)."""
    with np.errstate(divide="ignore"):
        return np.log10(F)


def flow_levels(image: NDArray[np.floating]) -> tuple[float, float]:
    """(lo, hi) over the finite entries, at most ``MAX_DECADES`` wide and never empty."""
    finite = image[np.isfinite(image)]
    if not finite.size:
        return -1.0, 0.0
    hi = float(finite.max())
    lo = max(float(finite.min()), hi - MAX_DECADES)
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def window_outline(mask: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Segments around the True cells of ``mask`` (row s drawn at y = s - 1, column t at x = t).

    Returns x and y of point pairs (for ``connect="pairs"``): every cell edge whose neighbour
    across it is outside the mask.
    """
    xs: list[float] = []
    ys: list[float] = []
    padded = np.pad(mask, 1)
    for r, c in zip(*np.nonzero(mask), strict=True):
        x, y = c + 1.0, float(r)  # cell centre
        pr, pc = r + 1, c + 1
        if not padded[pr - 1, pc]:  # above
            xs += [x - 0.5, x + 0.5]
            ys += [y - 0.5, y - 0.5]
        if not padded[pr + 1, pc]:  # below
            xs += [x - 0.5, x + 0.5]
            ys += [y + 0.5, y + 0.5]
        if not padded[pr, pc - 1]:  # left
            xs += [x - 0.5, x - 0.5]
            ys += [y - 0.5, y + 0.5]
        if not padded[pr, pc + 1]:  # right
            xs += [x + 0.5, x + 0.5]
            ys += [y - 0.5, y + 0.5]
    return np.array(xs, np.float64), np.array(ys, np.float64)


class GradientFlowPanel(Panel[FlowView]):
    """log10 ||dL(s)/dh(t)|| for the current sequence, the truncation window and rho(J(t)).

    The matrix is the full (untruncated) flow of :func:`core.gradient_flow.flow_matrix`
    (seeds/004 eq. 45 with each loss term kept apart); the outline marks what the trace's
    truncation keeps, so the pale cells are the contributions truncated BPTT throws away.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._build_canvas(FLOW_HINT)
        self.map = Heatmap(cursor=False)
        plot = self.map.plot
        plot.setLabel("bottom", "hidden step t")
        plot.setLabel("left", "loss step s")
        plot.getAxis("left").setWidth(40)
        # exact zeros (loss terms that are not scored) in white, not in the lowest colour
        self.zeros = pg.ImageItem(axisOrder="row-major")
        self.zeros.setZValue(4)
        plot.addItem(self.zeros, ignoreBounds=True)
        # pale veil over the pairs truncation cuts off
        self.veil = pg.ImageItem(axisOrder="row-major")
        self.veil.setZValue(5)
        plot.addItem(self.veil, ignoreBounds=True)
        self.outline = pg.PlotCurveItem(pen=pg.mkPen(WINDOW_PEN, width=2.0), connect="pairs")
        self.outline.setZValue(6)
        plot.addItem(self.outline, ignoreBounds=True)
        self.marker = QGraphicsRectItem()
        pen = QPen(QColor(CURSOR), 3.0)
        pen.setCosmetic(True)
        self.marker.setPen(pen)
        self.marker.setZValue(10)
        self.marker.setVisible(False)
        plot.addItem(self.marker, ignoreBounds=True)
        self.bar = color_bar(sequential(), (-1.0, 0.0))
        self.bar.setImageItem(self.map.image)
        self.radius_plot = pg.PlotItem()
        style_plot(self.radius_plot)
        rp = self.radius_plot
        rp.setLabel("bottom", "step t", color=INK)
        rp.setLabel("left", "spectral radius", color=INK)
        self.legend = rp.addLegend(offset=(4, 4), labelTextSize="8pt", labelTextColor=INK)
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 210))
        self.radius_curve = rp.plot(
            pen=pg.mkPen("#1f77b4", width=2), symbol="o", symbolSize=5, symbolBrush="#1f77b4"
        )
        self.radius_W_line = rp.plot(pen=pg.mkPen("#d62728", width=1.5, style=Qt.PenStyle.DashLine))
        self.one_line = rp.plot(
            pen=pg.mkPen("#555555", width=1, style=Qt.PenStyle.DotLine), name="1"
        )
        self.radius_cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen(CURSOR, width=2))
        rp.addItem(self.radius_cursor, ignoreBounds=True)
        c = self.canvas
        c.addItem(plot, row=0, col=0)
        c.addItem(self.bar, row=0, col=1)
        c.addItem(rp, row=0, col=2)
        grid = c.ci.layout
        grid.setHorizontalSpacing(14)
        grid.setColumnStretchFactor(0, 3)
        grid.setColumnStretchFactor(2, 2)
        self._image = np.zeros((0, 0))
        self._window = np.zeros((0, 0), dtype=bool)
        self._radii = np.zeros(0)
        self._radius_W = 0.0
        self._levels = (-1.0, 0.0)
        c.scene().sigMouseMoved.connect(self._on_canvas_mouse_moved)
        self._start()

    # -- per trace --------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        trace = self.session.trace
        T = trace.T
        self._image = log_flow(flow_matrix(trace))  # (T, T), rows s, columns t
        self._window = within_window(trace)
        self._radii = jacobians_spectral_radius(trace)
        self._radius_W = spectral_radius(loop_matrix(trace.net))
        self._levels = lo, hi = flow_levels(self._image)
        self.map.set_grid(T, T, x0=1)  # cell (t, s) at x = t, y = s - 1
        self.map.set_levels(self._levels)
        self.map.show(np.clip(self._image, lo, hi).T)  # Heatmap arrays are (x = t, y = s)
        self.bar.setLevels(self._levels)
        self.map.plot.getAxis("bottom").setTicks(index_ticks(T, first=1, offset=1, max_labels=12))
        self.map.plot.getAxis("left").setTicks(index_ticks(T, first=1, max_labels=12))
        # cut-off pairs (t <= s outside the window) under a pale veil
        cut = np.tril(np.ones((T, T), dtype=bool)) & ~self._window
        zeros = np.zeros((T, T, 4), np.ubyte)
        zeros[np.isneginf(self._image)] = (255, 255, 255, 255)
        self.zeros.setImage(zeros, autoLevels=False, levels=(0, 255))
        self.zeros.setRect(0.5, -0.5, T, T)
        veil = np.zeros((T, T, 4), np.ubyte)
        veil[cut] = (255, 255, 255, 170)
        self.veil.setImage(veil, autoLevels=False, levels=(0, 255))
        self.veil.setRect(0.5, -0.5, T, T)
        self.outline.setData(*window_outline(self._window))
        steps = np.arange(1, T + 1, dtype=np.float64)
        span = np.array([0.5, T + 0.5])
        self.radius_curve.setData(steps, self._radii)
        self.radius_W_line.setData(span, [self._radius_W] * 2)
        self.one_line.setData(span, [1.0, 1.0])
        finite = self._radii[np.isfinite(self._radii)]  # a Jordan network's J(1) is undefined
        top = max(1.0, self._radius_W, float(finite.max(initial=0.0)))
        self.radius_plot.setXRange(0.5, T + 0.5, padding=0)
        self.radius_plot.setYRange(0.0, 1.35 * top, padding=0)
        self.radius_plot.getAxis("bottom").setTicks(index_ticks(T, first=1, offset=1, max_labels=6))

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> FlowView:
        state = self.session.state
        return flow_view(state.phase, state.t, self.session.notation, self.session.net.context)

    def _apply(self, new: FlowView, old: FlowView | None) -> None:
        T = self.session.trace.T
        if changed(new, old, "marker"):
            self.marker.setVisible(new.marker is not None)
            self.radius_cursor.setVisible(new.marker is not None)
            if new.marker is not None:
                kind, k = new.marker
                if kind == "row":
                    self.marker.setRect(0.5, k - 1.5, T, 1.0)
                else:
                    self.marker.setRect(k - 0.5, -0.5, 1.0, T)
                self.radius_cursor.setValue(k)
        if changed(new, old, "labels"):
            bar_label, jac, rho_w, title = new.labels
            self.bar.getAxis("right").setLabel(bar_label, color=INK)
            self.map.plot.setTitle(title, color=INK, size="10pt")
            self.legend.clear()
            self.legend.addItem(self.radius_curve, jac)
            self.legend.addItem(self.radius_W_line, rho_w)
            self.legend.addItem(self.one_line, "1")

    # -- reading and pointing ---------------------------------------------------------------------
    def displayed(self) -> FlowDisplay:
        """The numbers drawn (see :class:`FlowDisplay`)."""
        view = self._view
        return FlowDisplay(
            image=self._image.copy(),
            window=self._window.copy(),
            radii=self._radii.copy(),
            radius_W=self._radius_W,
            marker=None if view is None else view.marker,
            radius_cursor=(
                float(self.radius_cursor.value()) if self.radius_cursor.isVisible() else None
            ),
            label=self.bar.getAxis("right").labelText,
            legend=tuple(label.text for _, label in self.legend.items),
            hover=self.hover.text(),
            levels=self._levels,
        )

    def hover_text(self, s: int, t: int) -> str:
        """The exact norm ||dL(s)/dh(t)|| (1-based steps), in the notation."""
        n = self.session.notation
        symbol = f"‖∂{n['L']}({s})/∂{n['h']}({t})‖"
        if t > s:
            return f"{symbol}: a loss term never reaches a later state"
        value = float(10.0 ** self._image[s - 1, t - 1])
        if value == 0.0:
            return f"{symbol} = 0 exactly"
        kept = "kept by truncation" if self._window[s - 1, t - 1] else "cut off by truncation"
        return f"{symbol} = {value:.3e}  ({kept})"

    def _on_canvas_mouse_moved(self, pos: QPointF) -> None:
        cell = self.map.cell_at(pos)
        text = FLOW_HINT if cell is None else self.hover_text(cell[1] + 1, cell[0] + 1)
        self.hover.setText(text)


# -- the gradient check --------------------------------------------------------------------------
#: ``gradient_check(net, xs, targets, truncation=, mode=, mask=) -> GradCheck``
Checker = Callable[..., GradCheck]
COLUMNS = ("parameter", "entries", "max |analytic|", "max rel. error", f"tol {TOL:.0e}")
DETAIL_COLUMNS = ("entry", "analytic (BPTT)", "finite difference", "rel. error")


@dataclass(frozen=True, slots=True)
class CheckDisplay:
    """What the gradient-check panel shows.

    rows : the summary table's texts, one tuple per parameter (``COLUMNS``).
    names : engine names of the rows.  sizes, max_abs, max_rel : the rows' numbers.
    passed : per row, whether every entry is below ``TOL``.  summary : the line above the table.
    stale : whether the table belongs to an earlier trace.  detail_name : the engine name of the
    parameter in the detail view (None when empty).  detail_entries : its entry labels.
    analytic, numerical, rel_error : (n,) the detail view's numbers, flattened in C order.
    """

    rows: tuple[tuple[str, ...], ...]
    names: tuple[str, ...]
    sizes: tuple[int, ...]
    max_abs: tuple[float, ...]
    max_rel: tuple[float, ...]
    passed: tuple[bool, ...]
    summary: str
    stale: bool
    detail_name: str | None
    detail_entries: tuple[str, ...]
    analytic: NDArray[np.floating]
    numerical: NDArray[np.floating]
    rel_error: NDArray[np.floating]


def entry_label(symbol: str, shape: tuple[int, ...], flat: int) -> str:
    """``W[2,3]`` for the flat index of an entry (1-based indices, as the seeds count units)."""
    index = np.unravel_index(flat, shape) if shape else ()
    return f"{symbol}[{','.join(str(int(i) + 1) for i in index)}]"


def summary_line(check: GradCheck, names: dict[str, str]) -> str:
    """The line above the table: "all 6 parameters agree to 2.3e-10 (...)" or which disagree."""
    how = f"central differences, eps = {check.eps:.0e}"
    if check.truncation is not None:
        how += f", truncated objective: {check.mode} k = {check.truncation}"
    bad = [n for n, r in check.max_rel_error.items() if not r < TOL]
    n = len(check.max_rel_error)
    if not bad:
        return f"all {n} parameters agree to {check.worst:.1e} ({how})"
    worst = ", ".join(f"{names[b]} ({check.max_rel_error[b]:.1e})" for b in bad)
    return f"{len(bad)} of {n} parameters DISAGREE beyond {TOL:.0e}: {worst} ({how})"


def _item(text: str, value: float | None = None, colour: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if value is not None:
        item.setData(Qt.ItemDataRole.UserRole, float(value))
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if colour is not None:
        item.setForeground(QBrush(QColor(colour)))
    return item


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setDefaultSectionSize(22)
    return table


class GradCheckPanel(QWidget):
    """BPTT's gradients against central finite differences, per parameter and per entry.

    The reference is the objective the trace's truncation actually follows (full, sliding or
    chunked; see :mod:`core.gradcheck`), so a pass means the backward sweep (seeds/004 eq. 45,
    84-88) computes exactly the gradient it claims to.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.

    Attributes
    ----------
    check : the checking function, :func:`core.gradcheck.gradient_check` (replaceable).
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.check: Checker = gradient_check
        self.result: GradCheck | None = None
        self._stale = True
        self.button = QPushButton("Check gradients")
        self.button.setToolTip("compare BPTT's gradients with central finite differences")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = _table(COLUMNS)
        self.detail = _table(DETAIL_COLUMNS)
        self.detail.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.detail_title = QLabel("")
        top = QHBoxLayout()
        top.addWidget(self.button)
        top.addWidget(self.summary, 1)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.detail_title)
        below_layout.addWidget(self.detail, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(below)
        split.setSizes([180, 240])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.button.clicked.connect(self._on_button_clicked)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        session.traceChanged.connect(self._on_session_trace_changed)
        session.notationChanged.connect(self._on_session_notation_changed)
        self._on_screen = True
        self._on_session_trace_changed()

    def set_on_screen(self, on: bool) -> None:
        """Whether the panel can be seen (its dock's ``visibilityChanged``).

        Off screen a new trace only marks the check stale (training changes the trace several
        times a second); shown again, a small check runs at once.
        """
        self._on_screen = on
        if on and self._stale:
            self._on_session_trace_changed()

    # -- running the check ------------------------------------------------------------------------
    def run_check(self) -> GradCheck:
        """Check the current sequence with the trace's truncation and show the outcome."""
        trace = self.session.trace
        self.result = self.check(
            self.session.net,
            trace.x,
            trace.d,
            truncation=trace.truncation,
            mode=trace.mode if trace.truncation is not None else "sliding",
            mask=trace.mask,
        )
        self._stale = False
        self._fill()
        return self.result

    def _on_button_clicked(self) -> None:
        self.run_check()

    def _on_session_trace_changed(self) -> None:
        trace = self.session.trace
        if self._on_screen and trace.T * trace.net.n_hidden <= AUTO_CHECK_SIZE:
            self.run_check()
        else:
            self._stale = True
            self._fill()

    def _on_session_notation_changed(self) -> None:
        self._fill()

    def _on_table_selection_changed(self) -> None:
        self._fill_detail()

    # -- filling the tables -----------------------------------------------------------------------
    def _symbols(self) -> dict[str, str]:
        n = self.session.notation
        return {name: n[name] for name in PARAM_NAMES}

    def _fill(self) -> None:
        result, names = self.result, self._symbols()
        if result is None:
            self.summary.setText("press Check gradients to compare with finite differences")
        elif self._stale:
            self.summary.setText(
                "stale: this table is for an earlier trace - press Check gradients "
                f"(T·H = {self.session.trace.T * self.session.net.n_hidden} is too large to "
                "re-check automatically)"
            )
        else:
            ok = result.passed(TOL)
            self.summary.setText(summary_line(result, names))
            self.summary.setStyleSheet(f"QLabel {{ color: {PASS_COLOUR if ok else FAIL_COLOUR}; }}")
        if self._stale:
            self.summary.setStyleSheet("QLabel { color: #8a6d00; }")
        selected = self._selected_name()
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        if result is not None:
            keys = list(result.max_rel_error)
            self.table.setRowCount(len(keys))
            for row, key in enumerate(keys):
                a = np.asarray(result.analytic[key])
                rel = result.max_rel_error[key]
                ok = rel < TOL
                colour = PASS_COLOUR if ok else FAIL_COLOUR
                name = _item(names[key])
                name.setData(Qt.ItemDataRole.UserRole, key)
                name.setToolTip(self.session.notation.tooltip(key))
                self.table.setItem(row, 0, name)
                self.table.setItem(row, 1, _item(str(a.size), a.size))
                peak = float(np.abs(a).max()) if a.size else 0.0
                self.table.setItem(row, 2, _item(f"{peak:.3e}", peak))
                self.table.setItem(row, 3, _item(f"{rel:.2e}", rel, colour))
                verdict = _item("pass" if ok else "FAIL", None, colour)
                verdict.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                verdict.setBackground(QBrush(QColor("#e6f4ea" if ok else "#fde7e7")))
                self.table.setItem(row, 4, verdict)
            row = keys.index(selected) if selected in keys else 0
            if keys:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self._fill_detail()

    def _selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _fill_detail(self) -> None:
        key, result = self._selected_name(), self.result
        self.detail.setRowCount(0)
        if key is None or result is None:
            self.detail_title.setText("")
            return
        symbol = self.session.notation[key]
        a = np.asarray(result.analytic[key])
        n = np.asarray(result.numerical[key]).ravel()
        r = np.asarray(result.rel_error[key]).ravel()
        self.detail_title.setText(
            f"{symbol}: ∂{self.session.notation['L']}/∂{symbol} per entry, "
            f"BPTT against finite differences"
        )
        self.detail.setRowCount(a.size)
        for i, (ai, ni, ri) in enumerate(zip(a.ravel(), n, r, strict=True)):
            colour = None if ri < TOL else FAIL_COLOUR
            self.detail.setItem(i, 0, _item(entry_label(symbol, a.shape, i)))
            self.detail.setItem(i, 1, _item(f"{ai:+.10e}", ai))
            self.detail.setItem(i, 2, _item(f"{ni:+.10e}", ni))
            self.detail.setItem(i, 3, _item(f"{ri:.2e}", ri, colour))

    # -- reading ----------------------------------------------------------------------------------
    def select(self, name: str) -> None:
        """Show parameter ``name`` (engine name) in the detail view."""
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == name:
                self.table.selectRow(row)
                return
        raise KeyError(name)

    def displayed(self) -> CheckDisplay:
        """The texts and numbers in the tables (see :class:`CheckDisplay`)."""
        t, d = self.table, self.detail

        def number(table: QTableWidget, row: int, col: int) -> float:
            return float(table.item(row, col).data(Qt.ItemDataRole.UserRole))

        rows = tuple(
            tuple(t.item(r, c).text() for c in range(t.columnCount())) for r in range(t.rowCount())
        )
        detail = np.array(
            [[number(d, r, c) for c in (1, 2, 3)] for r in range(d.rowCount())], np.float64
        ).reshape(-1, 3)
        return CheckDisplay(
            rows=rows,
            names=tuple(str(t.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(len(rows))),
            sizes=tuple(int(number(t, r, 1)) for r in range(len(rows))),
            max_abs=tuple(number(t, r, 2) for r in range(len(rows))),
            max_rel=tuple(number(t, r, 3) for r in range(len(rows))),
            passed=tuple(row[4] == "pass" for row in rows),
            summary=self.summary.text(),
            stale=self._stale,
            detail_name=self._selected_name(),
            detail_entries=tuple(d.item(r, 0).text() for r in range(d.rowCount())),
            analytic=detail[:, 0],
            numerical=detail[:, 1],
            rel_error=detail[:, 2],
        )
