"""Hover and click on heatmaps of units x time, shared by the activations and deltas panels."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout

from core.selection import Selection
from gui.panels.base import Panel, ViewT
from gui.widgets.canvas import hover_label
from gui.widgets.time_grid import TimeCell, TimeGrid


class TimeHeatmapPanel(Panel[ViewT]):
    """A panel of heatmap rows in a :class:`TimeGrid` (``self.grid``) whose cells are (time
    step, unit), above a hover line (``self.hover``).

    Subclasses set ``hint`` and write ``hover_text``; hovering shows that text, clicking selects
    the node (hidden layers as ``h``, the rest ``y``).
    """

    hint = ""

    def _build_grid(self) -> None:
        self.grid = TimeGrid()
        self.hover = hover_label()
        self.hover.setText(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.hover)
        self.grid.cellHovered.connect(self._on_grid_cell_hovered)
        self.grid.cellClicked.connect(self._on_grid_cell_clicked)

    def hover_text(self, layer: str, t: int, unit: int) -> str:
        raise NotImplementedError

    def _hover_hint(self) -> str:
        return self.hint

    def _set_hover_tip(self, text: str) -> None:
        self.grid.setToolTip(text)

    def _on_grid_cell_hovered(self, cell: TimeCell | None) -> None:
        self._hover_at(cell)

    def _on_grid_cell_clicked(self, cell: TimeCell) -> None:
        layer, t, unit = cell
        self.session.select(Selection("node", "h" if layer == "h" else "y", t=t, unit=unit))
