"""Hidden and output deltas over time, filled in by the backward sweep from t = T to the cursor.

δo(t) = ŷ(t) - y(t) (seeds/004 eq. 22) and δh(t) = f'(a(t)) (W^T δh(t+1) + V^T δo(t))
(eq. 45 with f', eq. 60-62), drawn as heatmaps (units x t = 1..T) on a diverging colour map centred
at 0 with a symmetric range. Before the backward sweep reaches a step its column is grey. Deltas
are shown with the notation's sign: Bodén's δ = -∂C/∂net (seeds/001 eq. 12-13, 27) flips them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PySide6.QtWidgets import QWidget

from core.cursor import StepState
from core.notation import Notation
from gui.panels.base import changed
from gui.panels.colormaps import diverging, symmetric_levels
from gui.panels.heatmap import Heatmap, color_bar, index_ticks, masked_rows
from gui.panels.time_heatmaps import TimeHeatmapPanel
from gui.session import Session

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
    where not yet computed, and the colour bars' (symmetric) levels."""

    delta_h: NDArray[np.floating]
    delta_o: NDArray[np.floating]
    cursor: float | None
    titles: tuple[str, str]
    hover: str
    levels: tuple[tuple[float, float], tuple[float, float]]


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
        self._build_canvas(HINT)
        c = self.canvas
        self.h_map, self.o_map = Heatmap(), Heatmap()
        c.addItem(self.h_map.plot, row=0, col=0)
        c.addItem(self.o_map.plot, row=1, col=0)
        self.o_map.plot.setXLink(self.h_map.plot)
        for m in (self.h_map, self.o_map):
            m.plot.getAxis("left").setWidth(64)
        self.o_map.plot.setLabel("bottom", "time step t")
        self.h_map.plot.setLabel("left", "hidden unit")
        self.h_bar = color_bar(diverging(), (-1.0, 1.0))
        self.o_bar = color_bar(diverging(), (-1.0, 1.0))
        c.addItem(self.h_bar, row=0, col=1)
        c.addItem(self.o_bar, row=1, col=1)
        self._full: tuple[NDArray[np.floating], NDArray[np.floating]] = (np.zeros((0, 0)),) * 2
        self._connect_mouse()
        self._start()

    # -- per trace --------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        trace, names = self.session.trace, self.session.dataset.output_names
        T, H, O = trace.T, trace.net.n_hidden, trace.net.n_out
        self._full = (np.asarray(trace.delta_h), np.asarray(trace.delta_o))
        self.h_map.set_grid(T, H, x0=1)
        self.o_map.set_grid(T, O, x0=1)
        ticks = index_ticks(T, first=1, offset=1, max_labels=16)
        for m in (self.h_map, self.o_map):
            m.plot.getAxis("bottom").setTicks(ticks)
        self.h_map.plot.getAxis("left").setTicks(index_ticks(H, max_labels=10))
        self.o_map.plot.getAxis("left").setTicks(index_ticks(O, names=names, max_labels=4))
        for bar, m, full in (
            (self.h_bar, self.h_map, self._full[0]),
            (self.o_bar, self.o_map, self._full[1]),
        ):
            bar.setImageItem(m.image)
            bar.setLevels(symmetric_levels(full))  # fixed per trace: colours never drift
        grid = self.canvas.ci.layout
        grid.setRowStretchFactor(0, int(np.clip(H, O, 3 * O)))
        grid.setRowStretchFactor(1, O)

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> DeltasView:
        return deltas_view(self.session.state, self.session.notation)

    def _apply(self, new: DeltasView, old: DeltasView | None) -> None:
        if changed(new, old, "backward_from", "sign"):
            first = new.backward_from - 1
            for m, full in zip((self.h_map, self.o_map), self._full, strict=True):
                m.show(new.sign * masked_rows(full, first, len(full)))
        if changed(new, old, "t"):
            for m in (self.h_map, self.o_map):
                m.set_cursor(new.t if new.t >= 1 else None)
        if changed(new, old, "titles", "labels"):
            for m, title in zip((self.h_map, self.o_map), new.titles, strict=True):
                m.plot.setTitle(title, color="#202020", size="10pt")
            self.h_bar.getAxis("right").setLabel(new.labels[0])
            self.o_bar.getAxis("right").setLabel(new.labels[1])

    # -- reading and pointing ---------------------------------------------------------------------
    def displayed(self) -> DeltasDisplay:
        """The arrays the heatmaps draw (time first, notation's sign, NaN where blank)."""
        self._catch_up()
        return DeltasDisplay(
            self.h_map.shown(),
            self.o_map.shown(),
            self.h_map.cursor_x(),
            (self.h_map.plot.titleLabel.text, self.o_map.plot.titleLabel.text),
            self.hover.text(),
            (tuple(self.h_bar.levels()), tuple(self.o_bar.levels())),  # type: ignore[arg-type]
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

    def _layers(self) -> tuple[tuple[str, Heatmap], ...]:
        return (("h", self.h_map), ("o", self.o_map))
