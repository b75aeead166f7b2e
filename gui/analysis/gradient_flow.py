"""How far back the loss reaches: the gradient flow panel.

:class:`GradientFlowPanel` draws the gradient flow matrix F[s, t] = ||dL(s)/dh(t)|| of
:mod:`core.gradient_flow` as a heatmap of log10 F (rows s = loss step, columns t = hidden step,
blank above the diagonal), the truncation window on top of it (outlined; the pairs truncation cuts
off are dimmed) and beside it the spectral radius of the per-step Jacobians
J(t) = diag(f'(a(t))) W, with rho(W) and 1 as reference lines (for a Jordan network the loop
runs through the output, J(t) = diag(f'(a(t))) W J_g(t-1) V, and the reference is rho(W V);
teacher forcing opens the loop). Each row is one loss term followed
back through the Jacobian chain of Eq. 10; a row that fades to the left is the vanishing
gradient of Bodén (2001) section 5.1 (Bengio, Simard and Frasconi 1994).

The matrix costs O(T^2 H^2) and the radii O(T H^3) (seconds for T = 1000, H = 64), so they are
computed off the GUI thread by :func:`core.gradient_flow.flow_steps` while the panel can be seen
(:class:`~gui.analysis.job_panel.JobPanel`); the picture of the previous trace stays until the
new matrix is complete, and the radii fill in after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QWidget,
)

from core.bptt import Trace
from core.gradient_flow import FlowProgress, flow_steps, within_window
from core.notation import Notation
from gui.analysis.job_panel import JobPanel
from gui.panels.base import changed
from gui.session import Session
from gui.widgets.colormaps import CURSOR, INK, sequential
from gui.widgets.heatmap import Heatmap, color_bar, index_ticks, style_plot
from gui.widgets.legend_row import LegendRow
from gui.widgets.plots import ReadableAxis

FLOW_HINT = "hover a cell · outlined: kept by truncation · pale: cut off · white: exactly 0"
#: the fewest decades the colour scale spans below the largest norm is not limited; at most this
MAX_DECADES = 16.0
WINDOW_PEN = "#000000"


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
    loop["none"] = "tapped delay line: no loop"
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
    padded = np.pad(mask, 1)
    inner = padded[1:-1, 1:-1]
    # per cell: is the neighbour above, below, left, right outside the mask? (rows, cols, 4)
    open_sides = inner[..., None] & ~np.stack(
        [padded[:-2, 1:-1], padded[2:, 1:-1], padded[1:-1, :-2], padded[1:-1, 2:]], -1
    )
    r, c = np.nonzero(open_sides.any(-1))  # the cells on the border, row-major
    x, y = c + 1.0, r.astype(np.float64)  # cell centres
    lo_x, hi_x, lo_y, hi_y = x - 0.5, x + 0.5, y - 0.5, y + 0.5
    edges = np.stack(  # (n, 4 sides, (x0, x1, y0, y1))
        [
            np.stack([lo_x, hi_x, lo_y, lo_y], -1),
            np.stack([lo_x, hi_x, hi_y, hi_y], -1),
            np.stack([lo_x, lo_x, lo_y, hi_y], -1),
            np.stack([hi_x, hi_x, lo_y, hi_y], -1),
        ],
        1,
    )
    kept = edges[open_sides[r, c]]  # (m, 4), cell by cell, side by side
    return kept[:, :2].ravel(), kept[:, 2:].ravel()


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with np.array_equal
class FlowPicture:
    """Everything the heatmap draws for one trace, prepared off the GUI thread; read-only.

    image : (T, T) log10 of the flow matrix (:func:`log_flow`).  values : (T, T) ``image``
    clipped to ``levels``, transposed for the Heatmap (x = t, y = s).  window : (T, T) the pairs
    the truncation keeps.  zeros, veil : (T, T, 4) RGBA overlays: white over exact zeros, pale
    over the pairs truncation cuts off.  outline : x and y of the window's border segments.
    """

    image: NDArray[np.floating]
    values: NDArray[np.floating]
    levels: tuple[float, float]
    window: NDArray[np.bool_]
    zeros: NDArray[np.ubyte]
    veil: NDArray[np.ubyte]
    outline: tuple[NDArray[np.float64], NDArray[np.float64]]


def flow_picture(trace: Trace, flow: NDArray[np.floating]) -> FlowPicture:
    """The heatmap's arrays for ``trace``'s flow matrix (T, T) (pure; runs in the worker)."""
    T = trace.T
    image = log_flow(flow)  # (T, T), rows s, columns t
    window = within_window(trace)
    lo, hi = levels = flow_levels(image)
    zeros = np.zeros((T, T, 4), np.ubyte)
    zeros[np.isneginf(image)] = (255, 255, 255, 255)
    veil = np.zeros((T, T, 4), np.ubyte)
    veil[np.tril(np.ones((T, T), dtype=bool)) & ~window] = (255, 255, 255, 170)
    values = np.ascontiguousarray(np.clip(image, lo, hi).T)
    x, y = window_outline(window)
    arrays = (image, values, window, zeros, veil, x, y)
    for array in arrays:  # made in the worker, read on the GUI thread: never written again
        array.setflags(write=False)
    return FlowPicture(image, values, levels, window, zeros, veil, (x, y))


def flow_pictures(trace: Trace) -> Iterator[tuple[FlowProgress, FlowPicture | None]]:
    """:func:`core.gradient_flow.flow_steps`, each item with the picture once the matrix is
    complete (the same picture object from then on)."""
    picture = None
    for progress in flow_steps(trace):
        if progress.flow is not None and picture is None:
            picture = flow_picture(trace, progress.flow)
        yield progress, picture


class GradientFlowPanel(JobPanel[FlowView]):
    """log10 ||dL(s)/dh(t)|| for the current sequence, the truncation window and rho(J(t)).

    The matrix is the full (untruncated) flow of :func:`core.gradient_flow.flow_matrix`
    (Eq. 10 with each loss term kept apart); the outline marks what the trace's
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
        self.radius_plot = pg.PlotItem(axisItems={"bottom": ReadableAxis("bottom")})
        style_plot(self.radius_plot)
        rp = self.radius_plot
        rp.setLabel("bottom", "step t", color=INK)
        rp.setLabel("left", "spectral radius", color=INK)
        # under the plot, so it never hides a radius
        self.legend = LegendRow(rp, max_columns=3, labelTextSize="8pt", labelTextColor=INK)
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
        c.addItem(self.legend, row=1, col=2)
        grid = c.ci.layout
        grid.setHorizontalSpacing(14)
        grid.setColumnStretchFactor(0, 3)
        grid.setColumnStretchFactor(2, 2)
        self._image: NDArray[np.floating] = np.zeros((0, 0))
        self._window = np.zeros((0, 0), dtype=bool)
        self._radii = np.zeros(0)
        self._radius_W = 0.0
        self._levels = (-1.0, 0.0)
        self._computing: Trace | None = None  # the trace of the job started last
        self._drawn: Trace | None = None  # the trace whose matrix is drawn
        layout = self.layout()
        assert layout is not None
        layout.addWidget(self.job_bar)
        self.job.failed.connect(self._on_job_failed)
        c.scene().sigMouseMoved.connect(self._on_canvas_mouse_moved)
        self._start()

    # -- per trace --------------------------------------------------------------------------------
    def _on_session_trace_changed(self) -> None:
        if not self.can_be_seen():
            self.job.cancel()  # its matrix would be for an earlier trace
        super()._on_session_trace_changed()

    def _start_job(self) -> None:
        trace = self._computing = self.session.trace
        self.job.start(lambda: flow_pictures(trace))

    def _on_job_progressed(self, items: list[tuple[FlowProgress, FlowPicture | None]]) -> None:
        (p, picture), trace = items[-1], self._computing
        assert trace is not None
        if picture is not None and self._drawn is not trace:
            self._draw_matrix(trace, picture, p.radius_loop)
        if picture is not None:
            self._draw_radii(p.radii)
        self.job_bar.report(
            p.done, p.total, f"gradient flow of T = {trace.T} steps: {100 * p.done // p.total}%"
        )

    def _on_job_failed(self, error: BaseException) -> None:
        self.hover.setText(f"no gradient flow: {error}")

    def _draw_matrix(self, trace: Trace, picture: FlowPicture, radius_loop: float) -> None:
        """The heatmap, window and axes of ``trace``'s flow matrix."""
        self._drawn = trace
        T = trace.T
        self._image, self._window = picture.image, picture.window
        self._radius_W = radius_loop
        self._levels = picture.levels
        self.map.set_grid(T, T, x0=1)  # cell (t, s) at x = t, y = s - 1
        self.map.set_levels(self._levels)
        self.map.set_values(picture.values)
        self.bar.setLevels(self._levels)
        # every step: the axes show as many as they have room for
        self.map.plot.getAxis("bottom").setTicks(index_ticks(T, first=1, offset=1, max_labels=T))
        self.map.plot.getAxis("left").setTicks(index_ticks(T, first=1, max_labels=T))
        self.zeros.setImage(picture.zeros, autoLevels=False, levels=(0, 255))
        self.zeros.setRect(0.5, -0.5, T, T)
        self.veil.setImage(picture.veil, autoLevels=False, levels=(0, 255))
        self.veil.setRect(0.5, -0.5, T, T)
        self.outline.setData(*picture.outline)
        span = np.array([0.5, T + 0.5])
        self.radius_W_line.setData(span, [self._radius_W] * 2)
        self.one_line.setData(span, [1.0, 1.0])
        self._draw_radii(np.full(T, np.nan))
        self._view = None  # the marker must be placed on the new matrix
        self._refresh()

    def _draw_radii(self, radii: NDArray[np.floating]) -> None:
        """rho(J(t)) (T,), NaN where not known (yet, or for a Jordan network's J(1))."""
        T = radii.size
        self._radii = np.asarray(radii, np.float64)
        known = np.isfinite(self._radii)  # a Jordan network's J(1) is undefined
        steps = np.arange(1, T + 1, dtype=np.float64)
        self.radius_curve.setData(steps[known], self._radii[known])
        finite = self._radii[known]
        top = max(1.0, self._radius_W, float(finite.max(initial=0.0)))
        self.radius_plot.setXRange(0.5, T + 0.5, padding=0)
        self.radius_plot.setYRange(0.0, 1.1 * top, padding=0)
        self.radius_plot.getAxis("bottom").setTicks(index_ticks(T, first=1, offset=1, max_labels=T))

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> FlowView:
        state = self.session.state
        return flow_view(state.phase, state.t, self.session.notation, self.session.net.context)

    def _apply(self, new: FlowView, old: FlowView | None) -> None:
        T = self._image.shape[0]  # of the matrix drawn
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
            self.legend.refit()

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

    def _hover_hint(self) -> str:
        return FLOW_HINT

    def _on_canvas_mouse_moved(self, pos: QPointF) -> None:
        cell = self.map.cell_at(pos)
        self._hover_at(None if cell is None else (cell[1] + 1, cell[0] + 1))
