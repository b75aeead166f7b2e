"""Hidden and output deltas over time, filled in by the backward sweep from t = T to the cursor.

δo(t) = ŷ(t) - y(t) (Eq. 9) and δh(t) = f'(a(t)) (W^T δh(t+1) + V^T δo(t)) (Eq. 10),
drawn as heatmaps (units x t = 1..T) in the deltas' colours of
:mod:`gui.encoding` (symmetric about 0, square-root scale: the graph views' delta fills). Before the
backward sweep reaches a step its column is grey. Deltas are shown with the notation's sign:
Bodén's δ = -∂C/∂net (Bodén 2001) flips them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PySide6.QtWidgets import QWidget

from core.cursor import StepState
from core.notation import Notation
from gui.encoding import for_trace
from gui.panels.base import changed
from gui.panels.time_heatmaps import TimeHeatmapPanel
from gui.session import Session
from gui.widgets.heatmap import index_ticks
from gui.widgets.time_grid import TimeRow, unit_ticks

HINT = "grey: not yet computed (backward sweep) · hover a cell for its value · click to inspect"


@dataclass(frozen=True, slots=True)
class DeltasView:
    """What the panel shows at one cursor position.

    backward_from : deltas of steps backward_from..T are drawn.  t : the cursor's step.
    sign : the notation's delta sign.  titles : (hidden, output).  labels : colour bar labels.
    """

    backward_from: int
    t: int
    sign: int
    titles: tuple[str, str]
    labels: tuple[str, str]


@dataclass(frozen=True, slots=True)
class DeltasDisplay:
    """The numbers drawn: ``delta_h`` (T, H) and ``delta_o`` (T, O) in the notation's sign, NaN
    where not yet computed, and the colour bars' (symmetric) levels; for a long sequence those
    of the steps shown, ``steps`` = (first, last) (t = 1..T for all)."""

    delta_h: NDArray[np.floating]
    delta_o: NDArray[np.floating]
    cursor: float | None
    titles: tuple[str, str]
    hover: str
    levels: tuple[tuple[float, float], tuple[float, float]]
    steps: tuple[int, int] = (1, 1)


def deltas_view(state: StepState, notation: Notation) -> DeltasView:
    """The view state: which deltas are known at the cursor and the labels in the notation."""
    n = notation
    minus = "-" if n.delta_sign < 0 else ""
    titles = (
        f"hidden deltas {n['delta_h']}(t) = {minus}∂{n['L']}/∂{n['a']}(t)",
        f"output deltas {n['delta_o']}(t) = {minus}∂{n['L']}/∂{n['o']}(t)",
    )
    return DeltasView(
        state.backward_from, state.t, n.delta_sign, titles, (n["delta_h"], n["delta_o"])
    )


class DeltasPanel(TimeHeatmapPanel[DeltasView]):
    """Heatmaps of δh and δo over time, filling in from T down to the cursor.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.
    """

    hint = HINT

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._build_grid()
        self.grid.set_x_label("time step t")
        self._full: tuple[NDArray[np.floating], NDArray[np.floating]] = (np.zeros((0, 0)),) * 2
        self._start()

    # -- per trace --------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        trace, names = self.session.trace, self.session.dataset.output_names
        T, H, O = trace.T, trace.net.n_hidden, trace.net.n_out
        self._full = (np.asarray(trace.delta_h), np.asarray(trace.delta_o))
        rows = (
            TimeRow(
                "h",
                T,
                H,
                x0=1,
                y_ticks=unit_ticks(H),
                bar=0,
                stretch=int(np.clip(H, O, 3 * O)),
            ),
            TimeRow("o", T, O, x0=1, y_ticks=unit_ticks(O, names), bar=1, stretch=O),
        )
        # every step (the grid shows what fits); a longer axis: the grid numbers its window
        whole = self.grid.max_steps >= T
        x_ticks = index_ticks(T, first=1, offset=1, max_labels=T)[0] if whole else []
        self.grid.set_rows(rows, (0.5, T + 0.5), x_ticks, n_bars=2)
        self.grid.set_axis_label("h", "hidden unit")
        encodings = for_trace(trace)  # fixed per trace: colours never drift
        self.grid.set_bar(0, encodings.delta_h)
        self.grid.set_bar(1, encodings.delta_o)

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> DeltasView:
        return deltas_view(self.session.state, self.session.notation)

    def _apply(self, new: DeltasView, old: DeltasView | None) -> None:
        if changed(new, old, "backward_from", "sign"):
            first = new.backward_from - 1
            for key, full in zip(("h", "o"), self._full, strict=True):
                self.grid.set_known(key, full, first, len(full), scale=new.sign)
        if changed(new, old, "t"):
            self.grid.set_cursor(new.t if new.t >= 1 else None)
        if changed(new, old, "titles", "labels"):
            for key, title in zip(("h", "o"), new.titles, strict=True):
                self.grid.set_title(key, title)
            self.grid.set_bar_label(0, new.labels[0])
            self.grid.set_bar_label(1, new.labels[1])

    # -- reading and pointing ---------------------------------------------------------------------
    def displayed(self) -> DeltasDisplay:
        """The arrays the heatmaps draw (time first, notation's sign, NaN where blank)."""
        self._catch_up()
        g = self.grid
        return DeltasDisplay(
            g.shown("h"),
            g.shown("o"),
            g.cursor_x("h"),
            (g.title("h"), g.title("o")),
            self.hover.text(),
            (g.bar_levels(0), g.bar_levels(1)),
            g.steps_shown(),
        )

    def hover_text(self, layer: str, t: int, unit: int) -> str:
        """The exact delta of ``layer`` h or o at step t (0-based unit), in the notation."""
        n, trace, state = self.session.notation, self.session.trace, self.session.state
        if layer == "h":
            symbol, full = f"{n['delta_h']}[{unit + 1}]({t})", trace.delta_h
            name = ""
        else:
            symbol, full = f"{n['delta_o']}[{unit + 1}]({t})", trace.delta_o
            names = self.session.dataset.output_names
            name = f"  ({names[unit]})" if unit < len(names) else ""
        if not state.delta_known(t):
            return f"{symbol} = ?  (computed at backward t = {t})"
        return f"{symbol} = {n.delta_sign * full[t - 1, unit]:.6g}{name}"
