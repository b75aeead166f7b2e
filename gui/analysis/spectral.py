"""The spectrum of the recurrence: why the gradient flow fades or grows (Goodfellow et al. 2016
§10.7; Bengio, Simard and Frasconi 1994; Bodén 2001 section 5.1).

Three pictures of :mod:`core.spectral`, side by side in a wide dock and on two rows in a narrow
one:

* the eigenvalues lambda_i of the loop matrix W (W V for a Jordan network) in the complex plane,
  with the unit circle: inside it the linearised recurrence forgets, outside it grows;
* its singular values sigma_1 >= ... >= sigma_H, with 1 marked: sigma_1 bounds one step;
* per lag s, the measured norm ||J(t+1)^T ... J(t+s)^T||_2 of the product of Jacobians
  J(t) = diag(f'(a(t))) W along the current sequence, on a log axis: the median over the starts
  t with the range from the least to the largest, beside rho^s (the rate of a linear network,
  Gelfand's formula) and 1. It is the factor by which a row of the gradient-flow matrix can
  shrink over s steps, so the two docks are shown together (raising this one raises that one).

A spin box rescales W to a typed spectral radius (:func:`core.spectral.with_spectral_radius`,
bounded 0..10); the session gets the rescaled network as a user's change (unsaved, a new start
for training), and every view, the gradient flow among them, recomputes.

The products cost O(S T H^3) for S lags (seconds for T = 1000, H = 64), so they are computed off
the GUI thread by :func:`core.spectral.spectral_steps` while the panel can be seen
(:class:`~gui.analysis.job_panel.JobPanel`), with a progress bar and Cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.bptt import Trace
from core.gradient_flow import loop_matrix, spectral_radius
from core.notation import Notation
from core.spectral import (
    DEFAULT_MAX_LAG,
    DEFAULT_MAX_STARTS,
    MAX_RADIUS,
    MIN_RADIUS,
    SpectralProgress,
    lag_summary,
    spectral_steps,
    with_spectral_radius,
)
from gui.analysis.job_panel import JobPanel
from gui.panels.base import changed
from gui.session import NetworkOrigin, Session
from gui.widgets.canvas import canvas, hover_label
from gui.widgets.colormaps import INK
from gui.widgets.forms import ERROR_STYLE, after_colon, hint_label, show_hint
from gui.widgets.heatmap import style_plot
from gui.widgets.legend_row import LegendRow
from gui.widgets.plots import ReadableAxis

SPECTRAL_HINT = "hover a point or a lag · type a radius and press Enter to rescale W"
#: below this width (pixels) the lag plot goes under the other two, not beside them
TWO_ROWS_BELOW = 720
#: the fewest decades below the largest norm that the lag plot shows (lower values sit on
#: its floor, exact zeros among them)
MAX_DECADES = 16.0
_POINTS, _BAND, _REFERENCE, _ONE = "#1f77b4", (31, 119, 180, 60), "#d62728", "#555555"


@dataclass(frozen=True, slots=True)
class SpectralView:
    """What changes without a new trace: the notation's labels.

    titles : (complex plane, singular values, lag plot).  legend : the lag plot's entries
    (median, range, rho^s, 1).  loop : the loop matrix's symbol ("W", "WV"), or "" with
    teacher forcing (no loop).
    """

    titles: tuple[str, str, str]
    legend: tuple[str, str, str, str]
    loop: str


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with np.array_equal
class SpectralDisplay:
    """What the spectral panel draws.

    eigenvalues : (H,) complex, the points of the plane.  singular_values : (H,) the bars.
    radius : rho of the loop matrix, as the status line says.  lags : (S,) s = 1..S drawn.
    median, low, high : (S,) log10 of the median, least and largest norm per lag, as drawn
    (exact zeros and values below the plot's floor sit on the floor).  reference : (S,)
    log10 rho^s.  complete : whether the lag plot holds every lag.  status, hint : the status
    line and the red refusal line ("" when none).  titles, legend : as :class:`SpectralView`.
    spin : the spin box's value.  hover : the text under the plots.
    """

    eigenvalues: NDArray[np.complex128]
    singular_values: NDArray[np.float64]
    radius: float
    lags: NDArray[np.float64]
    median: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    reference: NDArray[np.float64]
    complete: bool
    status: str
    hint: str
    titles: tuple[str, str, str]
    legend: tuple[str, ...]
    spin: float
    hover: str


def spectral_view(notation: Notation, context: str = "hidden") -> SpectralView:
    """The labels in ``notation`` for a network whose context is ``context``."""
    W, V, h = notation["W"], notation["V"], notation["h"]
    loop = {"hidden": W, "output": f"{W}{V}"}.get(context, "")  # teacher forcing, TDL: none
    name = loop or W
    return SpectralView(
        (
            f"eigenvalues of {name}, unit circle",
            f"singular values of {name}",
            f"‖∂{h}(t+s)/∂{h}(t)‖ per lag s",
        ),
        ("median over t", "least to largest", f"ρ({name})^s", "1"),
        loop,
    )


def floor_of(log_values: NDArray[np.floating]) -> float:
    """The lowest log10 the lag plot shows: ``MAX_DECADES`` below the largest finite value, or
    the least finite value if that is higher (one decade lower when all are equal)."""
    finite = log_values[np.isfinite(log_values)]
    if not finite.size:
        return -1.0
    hi, lo = float(finite.max()), float(finite.min())
    return max(lo, hi - MAX_DECADES) - (1.0 if hi == lo else 0.0)


def sci(log10_value: float) -> str:
    """10^v written as ``2.345e-07`` for any v (a float would overflow beyond 1e308); -inf is 0."""
    if np.isneginf(log10_value):
        return "0"
    exponent = int(np.floor(log10_value))
    mantissa = 10.0 ** (log10_value - exponent)
    if mantissa >= 9.9995:  # rounds up to the next power of ten
        mantissa, exponent = 1.0, exponent + 1
    return f"{mantissa:.3f}e{exponent:+03d}"


class RadiusBox(QDoubleSpinBox):
    """The spectral radius to rescale W to, bounded ``MIN_RADIUS``..``MAX_RADIUS``; Enter (or
    Return) emits ``entered`` with the value typed."""

    entered = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(MIN_RADIUS, MAX_RADIUS)
        self.setDecimals(3)
        self.setSingleStep(0.05)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setToolTip(
            f"the spectral radius ρ to give the loop matrix, {MIN_RADIUS:g} to {MAX_RADIUS:g}: "
            "W is scaled by ρ / ρ(W), so every eigenvalue moves along its ray from 0 "
            "(Enter applies; the network becomes a new, unsaved one)"
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.interpretText()
            self.entered.emit(self.value())


class SpectralPanel(JobPanel[SpectralView]):
    """Eigenvalues, singular values and the per-lag Jacobian-product norm of the session's
    network and trace, with a spin box that rescales W to a chosen spectral radius.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.
    """

    #: the network whose spectral radius the box offers (None: none yet, or a new network)
    _radius_of: object = None

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        #: how a rescaled network is handed over: the session's ``set_network``, or the
        #: window's ``Retracer.set_network`` (a long sequence is traced in the background)
        self.hand_network: Callable[..., None] = session.set_network
        self._progress: SpectralProgress | None = None  # what is drawn
        self._computing: Trace | None = None
        self._summary = np.zeros((0, 4))
        self._reference = np.zeros(0)
        self._floor = -1.0

        # -- the controls ---------------------------------------------------------------------
        self.status = QLabel(" ")
        self.status.setStyleSheet(f"QLabel {{ color: {INK}; padding: 2px 4px; }}")
        self.radius_box = RadiusBox()
        self.radius_label = QLabel("Rescale &W to ρ =")
        self.radius_label.setBuddy(self.radius_box)  # Alt+W types a radius
        self.radius_label.setToolTip(self.radius_box.toolTip())
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("rescale W to the spectral radius in the box (Enter)")
        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        self.radius_box.entered.connect(self.rescale)
        self.hint = hint_label()
        self.hint.setStyleSheet(ERROR_STYLE)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.radius_label)
        bar.addWidget(self.radius_box)
        bar.addWidget(self.apply_button)

        # -- the plots ------------------------------------------------------------------------
        self.canvas = canvas()
        self.plane = pg.PlotItem(
            axisItems={side: ReadableAxis(side) for side in ("left", "bottom")}
        )
        style_plot(self.plane)
        self.plane.setLabel("bottom", "real part", color=INK)
        self.plane.setLabel("left", "imaginary part", color=INK)
        self.plane.setAspectLocked(True)
        angle = np.linspace(0.0, 2.0 * np.pi, 241)
        self.circle = pg.PlotDataItem(
            np.cos(angle), np.sin(angle), pen=pg.mkPen(_ONE, width=1, style=Qt.PenStyle.DashLine)
        )
        self.plane.addItem(self.circle)
        for line in (pg.InfiniteLine(angle=0), pg.InfiniteLine(angle=90)):
            line.setPen(pg.mkPen("#bbbbbb", width=1))
            self.plane.addItem(line, ignoreBounds=True)
        self.eigen_points = pg.ScatterPlotItem(size=9, brush=_POINTS, pen=pg.mkPen(INK, width=0.5))
        self.plane.addItem(self.eigen_points)

        self.singular = pg.PlotItem(axisItems={"bottom": ReadableAxis("bottom")})
        style_plot(self.singular)
        self.singular.setLabel("bottom", "i", color=INK)
        self.singular.setLabel("left", "σᵢ", color=INK)
        self.singular_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush="#7f7f7f")
        self.singular.addItem(self.singular_bars)
        self.singular_one = pg.InfiniteLine(
            pos=1.0, angle=0, pen=pg.mkPen(_ONE, width=1, style=Qt.PenStyle.DotLine)
        )
        self.singular.addItem(self.singular_one)

        self.lag_plot = pg.PlotItem(
            axisItems={side: ReadableAxis(side) for side in ("left", "bottom")}
        )
        style_plot(self.lag_plot)
        self.lag_plot.getAxis("left").setLogMode(False, True)  # values are log10: label 10^k
        self.lag_plot.setLabel("bottom", "lag s (steps back)", color=INK)
        self.lag_plot.setLabel("left", "norm", color=INK)
        self.low_curve = pg.PlotDataItem(pen=pg.mkPen(_BAND, width=1))
        self.high_curve = pg.PlotDataItem(pen=pg.mkPen(_BAND, width=1))
        self.band = pg.FillBetweenItem(self.low_curve, self.high_curve, brush=_BAND)
        # what the legend shows for the band (a legend cannot draw a FillBetweenItem)
        self.band_sample = pg.PlotDataItem(pen=pg.mkPen(_BAND), fillLevel=0.0, fillBrush=_BAND)
        self.median_curve = pg.PlotDataItem(
            pen=pg.mkPen(_POINTS, width=2), symbol="o", symbolSize=4, symbolBrush=_POINTS
        )
        self.reference_curve = pg.PlotDataItem(
            pen=pg.mkPen(_REFERENCE, width=1.5, style=Qt.PenStyle.DashLine)
        )
        self.one_curve = pg.PlotDataItem(pen=pg.mkPen(_ONE, width=1, style=Qt.PenStyle.DotLine))
        for item in (
            self.low_curve, self.high_curve, self.band, self.median_curve,
            self.reference_curve, self.one_curve,
        ):  # fmt: skip
            self.lag_plot.addItem(item)
        self.legend = LegendRow(self.lag_plot, max_columns=4, labelTextSize="8pt",
                                labelTextColor=INK)  # fmt: skip
        # two canvases, so that a narrow dock stacks them and a wide one puts them side by side
        self.spectrum_canvas = self.canvas
        self.spectrum_canvas.addItem(self.plane, row=0, col=0)
        self.spectrum_canvas.addItem(self.singular, row=0, col=1)
        self.spectrum_canvas.ci.layout.setHorizontalSpacing(10)
        self.lag_canvas = canvas()
        self.lag_canvas.addItem(self.lag_plot, row=0, col=0)
        self.lag_canvas.addItem(self.legend, row=1, col=0)
        for widget in (self.spectrum_canvas, self.lag_canvas):
            widget.setMinimumSize(140, 140)
        self.lag_canvas.setToolTip(
            f"per lag s, the norm of the product of s Jacobians from each start t (every step, "
            f"or {DEFAULT_MAX_STARTS} spread evenly over a longer sequence): the median line, "
            "the least to the largest as a band, and ρ^s, the rate of a linear network"
        )
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(2)
        self.body.addWidget(self.spectrum_canvas, 1)
        self.body.addWidget(self.lag_canvas, 1)

        self.hover = hover_label()
        self.hover.setText(SPECTRAL_HINT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.hint)
        layout.addWidget(self.job_bar)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.hover)
        self.job.failed.connect(self._on_job_failed)
        self.session.networkChanged.connect(self._on_session_network_changed)
        self.spectrum_canvas.scene().sigMouseMoved.connect(self._on_spectrum_mouse_moved)
        self.lag_canvas.scene().sigMouseMoved.connect(self._on_lag_mouse_moved)
        self._on_session_network_changed()
        self._start()

    # -- layout -----------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        """Plane and singular values over the lag plot, or beside it in a wide dock."""
        narrow = event.size().width() < TWO_ROWS_BELOW
        direction = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        if self.body.direction() != direction:
            self.body.setDirection(direction)
        super().resizeEvent(event)

    # -- rescaling --------------------------------------------------------------------------------
    def rescale(self, radius: float) -> bool:
        """Give the session's network the spectral radius ``radius`` (a user's change, unsaved).

        A radius outside the bounds, a network with teacher forcing or with W = 0 is refused with
        a red line saying why, and the network stays. Returns whether W was rescaled.
        """
        s = self.session
        try:
            net = with_spectral_radius(s.net, radius)
        except ValueError as error:
            show_hint(self.hint, f"W was not rescaled: {after_colon(str(error))}")
            return False
        show_hint(self.hint, "")
        try:
            self.hand_network(net, origin=NetworkOrigin.USER, modified=True)
        except ValueError as error:  # e.g. sliding truncation too costly for it (core.limits)
            show_hint(self.hint, f"W was not rescaled: {after_colon(str(error))}")
            return False
        return True

    def _on_apply_button_clicked(self) -> None:
        self.radius_box.interpretText()
        self.rescale(self.radius_box.value())

    def _on_session_network_changed(self) -> None:
        """Rescaling needs a loop to scale; the box offers the network's own radius."""
        loop = self.session.net.context in ("hidden", "output")
        for widget in (self.radius_box, self.apply_button, self.radius_label):
            widget.setEnabled(loop)
        self._radius_of = None
        self._offer_radius()

    def _offer_radius(self) -> None:
        """Put the network's spectral radius in the box, once per network and only when the
        panel can be seen (the eigenvalues of W at H = 256 take 20 ms and more of an open)."""
        net = self.session.net
        if self._radius_of is net or not self.can_be_seen():
            return
        self._radius_of = net
        if net.context in ("hidden", "output"):  # after Enter this is the radius just typed
            self.radius_box.setValue(spectral_radius(loop_matrix(net)))

    def _follow_visibility(self) -> None:
        super()._follow_visibility()
        self._offer_radius()

    # -- per trace --------------------------------------------------------------------------------
    def _on_session_trace_changed(self) -> None:
        if not self.can_be_seen():
            self.job.cancel()  # its products would be for an earlier trace
        super()._on_session_trace_changed()

    def _start_job(self) -> None:
        trace = self._computing = self.session.trace
        self.job.start(lambda: spectral_steps(trace, DEFAULT_MAX_LAG))

    def _on_job_progressed(self, items: list[SpectralProgress]) -> None:
        p, trace = items[-1], self._computing
        assert trace is not None
        if self._progress is None or self._progress.eigenvalues is not p.eigenvalues:
            self._draw_spectrum(p)
        if p.complete:
            self._draw_lags(p)
        self.job_bar.report(
            p.done, p.total, f"Jacobian products of T = {trace.T} steps: "
            f"{100 * p.done // max(p.total, 1)}%"
        )  # fmt: skip

    def _on_job_failed(self, error: BaseException) -> None:
        self.hover.setText(f"no spectrum: {error}")

    def _draw_spectrum(self, p: SpectralProgress) -> None:
        """The eigenvalues, the singular values and the status line."""
        self._progress = p
        lam, sigma = p.eigenvalues, p.singular_values
        self.eigen_points.setData(x=lam.real, y=lam.imag)
        reach = max(1.0, float(np.abs(lam).max(initial=0.0))) * 1.1
        self.plane.setXRange(-reach, reach, padding=0)
        self.plane.setYRange(-reach, reach, padding=0)
        H = sigma.size
        self.singular_bars.setOpts(x=np.arange(1, H + 1), height=sigma, width=0.6)
        self.singular.setXRange(0.4, H + 0.6, padding=0)
        self.singular.setYRange(0.0, 1.1 * max(1.0, float(sigma.max(initial=0.0))), padding=0)
        self._write_status()
        self._draw_lags(None)

    def _write_status(self) -> None:
        """rho and sigma_1 of the loop matrix drawn, named in the session's notation."""
        p = self._progress
        if p is None:
            return
        loop = spectral_view(self.session.notation, self.session.net.context).loop
        if loop:
            sigma = p.singular_values
            self.status.setText(f"ρ({loop}) = {p.radius:.4g}   σ₁ = {sigma[0]:.4g}")
            self.status.setToolTip(
                f"spectral radius (largest |eigenvalue|) and largest singular value of {loop}"
            )
        elif self.session.net.context == "target":
            self.status.setText("teacher forcing: no loop")
            self.status.setToolTip("the context is the target, data: no gradient flows back")
        else:
            self.status.setText("tapped delay line: no loop")
            self.status.setToolTip("no context units: no gradient flows back through time")

    def _draw_lags(self, p: SpectralProgress | None) -> None:
        """The per-lag summary of a complete ``p``; empty while it is computed."""
        if p is None:
            self._summary, self._reference = np.zeros((0, 4)), np.zeros(0)
            for curve in (
                self.low_curve, self.high_curve, self.median_curve,
                self.reference_curve, self.one_curve,
            ):  # fmt: skip
                curve.setData([], [])
            return
        self._progress = p
        S = p.log_norms.shape[0]
        summary = lag_summary(p.log_norms)  # (S, 4): min, median, max, mean of log10
        lags = np.arange(1, S + 1, dtype=np.float64)
        with np.errstate(divide="ignore"):
            reference = lags * np.log10(p.radius) if p.radius > 0 else np.full(S, -np.inf)
        self._floor = floor_of(np.concatenate([summary[:, :3].ravel(), [0.0]]))
        shown = np.maximum(np.nan_to_num(summary, nan=self._floor, neginf=self._floor),
                           self._floor)  # fmt: skip
        self._summary = shown
        self._reference = np.maximum(reference, self._floor)
        known = ~np.isnan(summary[:, 1])
        self.low_curve.setData(lags[known], shown[known, 0])
        self.high_curve.setData(lags[known], shown[known, 2])
        self.median_curve.setData(lags[known], shown[known, 1])
        self.reference_curve.setData(lags, self._reference)
        span = np.array([0.5, max(S, 1) + 0.5])
        self.one_curve.setData(span, [0.0, 0.0])
        self.lag_plot.setXRange(0.5, max(S, 1) + 0.5, padding=0)
        top = max(
            0.0, float(np.nanmax(shown[:, 2], initial=0.0)), float(self._reference.max(initial=0.0))
        )
        self.lag_plot.setYRange(self._floor, top + 0.3, padding=0.02)

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> SpectralView:
        return spectral_view(self.session.notation, self.session.net.context)

    def _apply(self, new: SpectralView, old: SpectralView | None) -> None:
        if changed(new, old, "titles"):
            for plot, title in zip((self.plane, self.singular, self.lag_plot), new.titles,
                                   strict=True):  # fmt: skip
                plot.setTitle(title, color=INK, size="9pt")
        if changed(new, old, "loop"):
            self._write_status()
        if changed(new, old, "legend"):
            self.legend.clear()
            curves = (self.median_curve, self.band_sample, self.reference_curve, self.one_curve)
            for curve, text in zip(curves, new.legend, strict=True):
                self.legend.addItem(curve, text)
            self.legend.refit()

    # -- reading and pointing ---------------------------------------------------------------------
    def displayed(self) -> SpectralDisplay:
        """The numbers drawn (see :class:`SpectralDisplay`)."""
        x, y = self.eigen_points.getData()
        heights = self.singular_bars.opts.get("height")
        lags, median = self.median_curve.getData()
        _, low = self.low_curve.getData()
        _, high = self.high_curve.getData()
        _, reference = self.reference_curve.getData()
        p = self._progress

        def array(values: object) -> NDArray[np.float64]:
            return np.zeros(0) if values is None else np.asarray(values, np.float64)

        return SpectralDisplay(
            eigenvalues=array(x) + 1j * array(y),
            singular_values=array(heights),
            radius=float("nan") if p is None else p.radius,
            lags=array(lags),
            median=array(median),
            low=array(low),
            high=array(high),
            reference=array(reference),
            complete=p is not None and p.complete and len(array(lags)) > 0,
            status=self.status.text(),
            hint=self.hint.text() if self.hint.isVisible() or self.hint.text() else "",
            titles=tuple(
                plot.titleLabel.text for plot in (self.plane, self.singular, self.lag_plot)
            ),  # type: ignore[arg-type]
            legend=tuple(label.text for _, label in self.legend.items),
            spin=self.radius_box.value(),
            hover=self.hover.text(),
        )

    def hover_text(self, kind: str, index: int) -> str:
        """("eigenvalue", i) or ("lag", s), 1-based: the exact numbers under the mouse."""
        p = self._progress
        if p is None:
            return SPECTRAL_HINT
        if kind == "eigenvalue" and 1 <= index <= p.eigenvalues.size:
            z = p.eigenvalues[index - 1]
            sign = "+" if z.imag >= 0 else "−"
            return f"λ{index} = {z.real:.4g} {sign} {abs(z.imag):.4g}i,  |λ{index}| = {abs(z):.4g}"
        if kind == "lag" and 1 <= index <= self._summary.shape[0] and p.complete:
            summary = lag_summary(p.log_norms[index - 1 : index])[0]
            if np.isnan(summary).all():
                return f"lag {index}: every product is exactly 0 (no loop)"
            lo, med, hi, _ = (sci(v) for v in summary)
            with np.errstate(divide="ignore"):
                rate = index * np.log10(p.radius)
            return (
                f"lag {index}: median ‖·‖ = {med}  (least {lo}, largest {hi});"
                f"  ρ^{index} = {sci(rate)}"
            )
        return SPECTRAL_HINT

    def _hover_hint(self) -> str:
        return SPECTRAL_HINT

    def _hover_frame(self) -> tuple[object, ...]:
        return (*super()._hover_frame(), self._summary.shape[0])

    def _on_spectrum_mouse_moved(self, pos: QPointF) -> None:
        """The eigenvalue within 10 pixels of the mouse, the nearest one."""
        cell: tuple[str, int] | None = None
        p = self._progress
        if p is not None and p.eigenvalues.size and self.plane.sceneBoundingRect().contains(pos):
            to_scene = self.plane.getViewBox().mapViewToScene
            where = [to_scene(QPointF(float(z.real), float(z.imag))) for z in p.eigenvalues]
            distance = [np.hypot(q.x() - pos.x(), q.y() - pos.y()) for q in where]
            i = int(np.argmin(distance))
            if distance[i] <= 10.0:
                cell = ("eigenvalue", i + 1)
        self._hover_at(cell)

    def _on_lag_mouse_moved(self, pos: QPointF) -> None:
        """The lag under the mouse."""
        cell: tuple[str, int] | None = None
        if self._summary.shape[0] and self.lag_plot.sceneBoundingRect().contains(pos):
            s = round(self.lag_plot.getViewBox().mapSceneToView(pos).x())
            if 1 <= s <= self._summary.shape[0]:
                cell = ("lag", s)
        self._hover_at(cell)
