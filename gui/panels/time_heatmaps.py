"""Hover and click on heatmaps of units x time, shared by the activations and deltas panels."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from core.selection import Selection
from gui.panels.base import Panel, ViewT
from gui.panels.heatmap import Heatmap


class TimeHeatmapPanel(Panel[ViewT]):
    """A panel of (layer, Heatmap) rows whose cells are (time step, unit).

    Subclasses set ``hint``, return their rows from ``_layers()`` and write ``hover_text``;
    hovering shows that text, clicking selects the node (hidden layers as ``h``, the rest ``y``).
    """

    hint = ""

    def _layers(self) -> tuple[tuple[str, Heatmap], ...]:
        raise NotImplementedError

    def hover_text(self, layer: str, t: int, unit: int) -> str:
        raise NotImplementedError

    def _connect_mouse(self) -> None:
        self.canvas.scene().sigMouseMoved.connect(self._on_canvas_mouse_moved)
        self.canvas.scene().sigMouseClicked.connect(self._on_canvas_mouse_clicked)

    def _cell(self, pos: QPointF) -> tuple[str, int, int] | None:
        for layer, m in self._layers():
            cell = m.cell_at(pos)
            if cell is not None:
                return layer, int(cell[0] + m.x0), cell[1]
        return None

    def _on_canvas_mouse_moved(self, pos: QPointF) -> None:
        cell = self._cell(pos)
        text = self.hover_text(*cell) if cell is not None else self.hint
        self.hover.setText(text)
        self.canvas.setToolTip(text if cell is not None else "")

    def _on_canvas_mouse_clicked(self, event: object) -> None:
        if event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        cell = self._cell(event.scenePos())  # type: ignore[attr-defined]
        if cell is not None:
            layer, t, unit = cell
            self.session.select(Selection("node", "h" if layer == "h" else "y", t=t, unit=unit))
