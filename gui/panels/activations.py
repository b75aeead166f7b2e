"""Hidden activations h(t), outputs ŷ(t) and targets over time, filled in by the forward sweep.

Three heatmaps share the time axis: h (units x t = 0..T, with h(0) = h0), the outputs ŷ and the
targets y (output units x t = 1..T). Steps the forward sweep has not reached are grey; the cursor's
step is outlined (Eqs. 1-4). Colours are the trace's encodings (:mod:`gui.encoding`), the
same as the graph views' node fills.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PySide6.QtWidgets import QWidget

from core.bptt import Trace
from core.cursor import StepState
from core.notation import Notation
from gui.encoding import for_trace
from gui.panels.base import changed
from gui.panels.time_heatmaps import TimeHeatmapPanel
from gui.session import Session
from gui.widgets.heatmap import index_ticks, masked_rows
from gui.widgets.time_grid import TimeRow, unit_ticks

HINT = "grey: not yet computed (forward sweep) · hover a cell for its value · click to inspect"
_F = {"tanh": "tanh", "logistic": "σ", "relu": "relu", "linear": ""}
_G = {"softmax": "softmax", "logistic": "σ", "linear": ""}


@dataclass(frozen=True, slots=True)
class ActivationsView:
    """What the panel shows at one cursor position.

    known : h(0..known), ŷ(1..known) are drawn; the rest is blank.  t : the cursor's step.
    titles : (hidden, outputs, targets) plot titles.  units : the hidden units' axis label.
    """

    known: int
    t: int
    titles: tuple[str, str, str]
    units: str


@dataclass(frozen=True, slots=True)
class ActivationsDisplay:
    """The numbers the panel draws: ``h`` (T+1, H), ``y`` and ``d`` (T, O), NaN where blank."""

    h: NDArray[np.floating]
    y: NDArray[np.floating]
    d: NDArray[np.floating]
    cursor: float | None
    titles: tuple[str, str, str]
    hover: str


def activations_view(trace: Trace, state: StepState, notation: Notation) -> ActivationsView:
    """The view state: what is known at the cursor and the labels in the notation."""
    n = notation
    f, g = _F[trace.net.hidden], _G[trace.net.output]
    h_eq = f"{n['h']}(t) = {f}({n['a']}(t))" if f else f"{n['h']}(t) = {n['a']}(t)"
    y_eq = f"{n['y']}(t) = {g}({n['o']}(t))" if g else f"{n['y']}(t) = {n['o']}(t)"
    start = {
        "hidden": f"{n['h']}(0) = {n['h0']}",
        "output": f"context {n['y']}(t-1), {n['y']}(0) = {n['h0']}",
        "target": f"context {n['d']}(t-1), {n['d']}(0) = {n['h0']}",
        "none": f"from {n['x']}(t), …, {n['x']}(t-ω), no recurrence",
    }[trace.net.context]
    titles = (
        f"hidden {h_eq},  {start}",
        f"outputs {y_eq}",
        f"targets {n['d']}(t)",
    )
    return ActivationsView(state.forward_known, state.t, titles, f"{n['h']} unit")


class ActivationsPanel(TimeHeatmapPanel[ActivationsView]):
    """Heatmaps of h, ŷ and the targets over time, following the cursor.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.
    """

    hint = HINT

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._build_grid()
        self.grid.set_x_label("time step t")
        self._full: tuple[NDArray[np.floating], ...] = ()
        self._start()

    # -- per trace --------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        trace, names = self.session.trace, self.session.dataset.output_names
        T, H, O = trace.T, trace.net.n_hidden, trace.net.n_out
        h = np.asarray(trace.h)
        if trace.net.context != "hidden":  # Jordan or a tapped delay line: no h(0), left blank
            h = h.copy()
            h[0] = np.nan
        self._full = (h, np.asarray(trace.y), np.asarray(trace.d))
        out_ticks = unit_ticks(O, names)
        rows = (
            TimeRow(
                "h",
                T + 1,
                H,
                x0=0,
                y_ticks=unit_ticks(H),
                bar=0,
                stretch=int(np.clip(H, O, 3 * O)),
            ),
            TimeRow("y", T, O, x0=1, y_ticks=out_ticks, bar=1, stretch=O),
            TimeRow("d", T, O, x0=1, y_ticks=out_ticks, bar=1, stretch=O),
        )
        # the time axis covers t = 0..T for all three, so time columns line up
        x_ticks = index_ticks(T + 1, first=0, max_labels=T + 1)[0]  # the grid shows what fits
        self.grid.set_rows(rows, (-0.5, T + 0.5), x_ticks, n_bars=2)
        encodings = for_trace(trace)
        self.grid.set_bar(0, encodings.hidden)
        self.grid.set_bar(1, encodings.output)
        self.grid.set_values("d", self._full[2])

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> ActivationsView:
        s = self.session
        return activations_view(s.trace, s.state, s.notation)

    def _apply(self, new: ActivationsView, old: ActivationsView | None) -> None:
        h, y, _ = self._full
        if changed(new, old, "known"):
            self.grid.set_values("h", masked_rows(h, 0, new.known + 1))
            self.grid.set_values("y", masked_rows(y, 0, new.known))
        if changed(new, old, "t"):
            self.grid.set_cursor(new.t)
        if changed(new, old, "titles", "units"):
            for key, title in zip(("h", "y", "d"), new.titles, strict=True):
                self.grid.set_title(key, title)
            self.grid.set_axis_label("h", new.units)
            n = self.session.notation
            self.grid.set_bar_label(0, n["h"])
            self.grid.set_bar_label(1, f"{n['y']}, {n['d']}")

    # -- reading and pointing ---------------------------------------------------------------------
    def displayed(self) -> ActivationsDisplay:
        """The arrays the heatmaps draw (time first, NaN where blank) and the labels."""
        self._catch_up()
        g = self.grid
        return ActivationsDisplay(
            g.shown("h"),
            g.shown("y"),
            g.shown("d"),
            g.cursor_x("h"),
            (g.title("h"), g.title("y"), g.title("d")),
            self.hover.text(),
        )

    def hover_text(self, layer: str, t: int, unit: int) -> str:
        """The exact value of a cell: ``layer`` h, y or d at step t (0-based unit)."""
        n, trace = self.session.notation, self.session.trace
        known = self.session.state.forward_known
        names = self.session.dataset.output_names
        if layer == "h" and t == 0 and trace.net.jordan:
            return f"{n['h']}[{unit + 1}](0): none in a Jordan network (the context is the output)"
        if layer == "h" and t == 0 and trace.net.context == "none":
            return f"{n['h']}[{unit + 1}](0): none in a tapped delay line (no recurrence)"
        if layer == "h":
            symbol = f"{n['h']}[{unit + 1}]({t})"
            value = trace.h[t, unit] if t <= known else None
            return _value_text(symbol, value, t)
        name = f"  ({names[unit]})" if unit < len(names) else ""
        if layer == "y":
            value = trace.y[t - 1, unit] if t <= known else None
            return _value_text(f"{n['y']}[{unit + 1}]({t})", value, t) + name
        return f"{n['d']}[{unit + 1}]({t}) = {trace.d[t - 1, unit]:.6g}  target{name}"


def _value_text(symbol: str, value: float | None, t: int) -> str:
    if value is None:
        return f"{symbol} = ?  (computed at forward t = {t})"
    return f"{symbol} = {value:.6g}"
