"""The difference of the two runs' gradients, and the truncation-bias meter.

:class:`DifferencePanel` draws g_A - g_B for every parameter of equal shape in one
:class:`~gui.widgets.matrix_grid.MatrixGrid`: row 1 what has accumulated when the backward sweep
is at the cursor (``core.compare.gradient_difference`` at the position), row 2 the whole
sequence's. Colours are the gradients' (:func:`gui.encoding.gradient`, one hue per sign), with a
range fixed per pair of traces (``core.compare.difference_peaks``).

:class:`BiasTable` shows ``core.compare.bias_meter``: for each parameter and in total,
||g_A - g_B|| / ||g_B|| and the cosine, at the cursor and for the whole sequence. Both observe
the :class:`~gui.compare.twins.TwinPair` and redraw only when the position's numbers change.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from core.compare import (
    BiasMeter,
    bias_meter,
    difference_peaks,
    gradient_difference,
    u_name,
    u_part,
)
from core.cursor import phase_and_step
from gui.compare.twins import TwinPair
from gui.encoding import gradient
from gui.widgets.canvas import hover_label
from gui.widgets.heatmap import index_ticks
from gui.widgets.matrix_grid import Cell, Column, MatrixGrid
from gui.widgets.table import WIDEST, MatrixModel

HINT = "hover a cell for the difference of the two gradients"
#: the bias table's columns
BIAS_COLUMNS = (
    "rel. diff\nat cursor",
    "cosine\nat cursor",
    "rel. diff\nsequence",
    "cosine\nsequence",
)


def backward_step(pair: TwinPair) -> int | None:
    """The backward sweep's step at the cursor, or None outside the backward sweep."""
    phase, t = phase_and_step(pair.traces.a.T, pair.position)
    return t if phase == "backward" else None


class DifferencePanel(QWidget):
    """g_A - g_B per parameter: accumulated at the cursor (top row) and over the sequence."""

    def __init__(self, pair: TwinPair, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pair = pair
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.grid = MatrixGrid()
        self.grid.cell_tip = self._cell_tip
        self.hover = hover_label()
        self.hover.setText(HINT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.hover)
        self._shown_position: int | None = None
        self._at_cursor: dict[str, NDArray[np.floating]] = {}
        self._whole: dict[str, NDArray[np.floating]] = {}
        self._names: dict[str, str] = {}  # parameter -> the symbol shown (U₀ when U is cut)
        self.grid.cellHovered.connect(self._on_grid_cell_hovered)
        pair.twinsChanged.connect(self._on_pair_twins_changed)
        pair.cursorChanged.connect(self._on_pair_cursor_changed)
        self._on_pair_twins_changed()

    def _on_pair_twins_changed(self) -> None:
        a, b = self.pair.traces.a, self.pair.traces.b
        self._whole = gradient_difference(a, b)
        peaks = difference_peaks(a, b)
        columns = []
        for p, diff in self._whole.items():
            shape = diff.shape if diff.ndim == 2 else (diff.shape[0], 1)
            y_ticks = [(round(y), s) for y, s in index_ticks(shape[0], max_labels=shape[0])[0]]
            columns.append(Column(p, shape, (), y_ticks, 3 if diff.ndim == 2 else 2))
        self.grid.set_columns(columns)
        labels = self.pair.twin.labels
        self._names = {p: p for p in self._whole}
        self._names["U"] = u_name(a, b)  # U₀ only: a delay line against an SRN
        for p, diff in self._whole.items():
            self.grid.set_encoding(p, 0, gradient(peaks[p]))
            self.grid.set_encoding(p, 1, gradient(diff))
            self.grid.set_values(p, 1, _as_matrix(diff))
            name = self._names[p]
            tip = f"∂L/∂{name} of A ({labels[0]}) − of B ({labels[1]})"
            if p == "U" and name != "U":
                tip += f"; {u_part(a, b)}: the input blocks both networks have"
            self.grid.set_title(p, f"Δ∂L/∂{name}", tip)
        self.title.setText(f"Gradient difference A − B:  A = {labels[0]},  B = {labels[1]}")
        self._shown_position = None
        self._on_pair_cursor_changed(self.pair.position)

    def _on_pair_cursor_changed(self, position: int) -> None:
        t = backward_step(self.pair)
        key = -1 if t is None else position  # every forward position shows the same zeros
        if key == self._shown_position:
            return
        self._shown_position = key
        a, b = self.pair.traces.a, self.pair.traces.b
        self._at_cursor = gradient_difference(a, b, position)
        for p, diff in self._at_cursor.items():
            self.grid.set_values(p, 0, _as_matrix(diff) if t is not None else _blank(diff))
        self.grid.set_headers(
            ("at cursor: none yet" if t is None else f"accumulated, t ≥ {t}", "whole sequence")
        )

    def displayed(self) -> tuple[dict[str, NDArray[np.floating]], dict[str, NDArray[np.floating]]]:
        """(at the cursor, whole sequence): the arrays drawn, per parameter (NaN where blank)."""
        plots = self.grid.plots
        return (
            {p: pair[0].shown() for p, pair in plots.items()},
            {p: pair[1].shown() for p, pair in plots.items()},
        )

    def _cell_tip(self, cell: Cell) -> str:
        p, k, row, col = cell
        source = self._at_cursor if k == 0 else self._whole
        diff = source[p]
        value = float(diff[row] if diff.ndim == 1 else diff[row, col])
        where = f"[{row + 1}]" if diff.ndim == 1 else f"[{row + 1},{col + 1}]"
        scope = self.grid.headers[k]
        name = self._names.get(p, p)
        if k == 0 and backward_step(self.pair) is None:
            return f"Δ∂L/∂{name}{where}: nothing accumulated yet (forward sweep)"
        return f"Δ∂L/∂{name}{where} = {value:.6g}  ({scope})"

    def _on_grid_cell_hovered(self, cell: Cell | None) -> None:
        self.hover.setText(HINT if cell is None else self._cell_tip(cell))


def _as_matrix(values: NDArray[np.floating]) -> NDArray[np.floating]:
    return values[:, None] if values.ndim == 1 else values


def _blank(values: NDArray[np.floating]) -> NDArray[np.floating]:
    return np.full(_as_matrix(values).shape, np.nan)


def bias_matrix(at_cursor: BiasMeter | None, whole: BiasMeter) -> NDArray[np.floating]:
    """(rows, 4): per parameter and total, the four numbers of :data:`BIAS_COLUMNS` (NaN where
    undefined: before the backward sweep, a zero reference, shapes that differ)."""
    out = np.full((len(whole.rows), 4), math.nan)
    for i, row in enumerate(whole.rows):
        out[i, 2:] = row.relative, row.cosine
        if at_cursor is not None:
            here = at_cursor.row(row.name)
            out[i, :2] = here.relative, here.cosine
    return out


class BiasTable(QWidget):
    """The truncation-bias meter as a table: parameters (and total) by the four numbers."""

    def __init__(self, pair: TwinPair, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pair = pair
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setToolTip(
            "‖g_A − g_B‖ / ‖g_B‖ and cos(g_A, g_B): at the cursor the gradients accumulated so "
            "far in the backward sweep (t ≥ the cursor's step), and over the whole sequence. "
            "Empty: undefined (before the backward sweep, a zero gradient, or shapes that differ)"
        )
        self.model = MatrixModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().setDefaultSectionSize(20)
        self.view.setMinimumHeight(40 + 7 * 20)  # the header and every row, without scrolling
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        self._whole: BiasMeter | None = None
        self._shown_position: int | None = None
        pair.twinsChanged.connect(self._on_pair_twins_changed)
        pair.cursorChanged.connect(self._on_pair_cursor_changed)
        self._on_pair_twins_changed()

    def _on_pair_twins_changed(self) -> None:
        a, b = self.pair.traces.a, self.pair.traces.b
        self._whole = bias_meter(a, b)
        labels = self.pair.twin.labels
        title = f"Bias of A ({labels[0]}) against B ({labels[1]})"
        part = u_part(a, b)
        if part:  # the sides' U have different blocks: only the shared ones are compared
            title += f"; U: {part}"
        self.title.setText(title)
        self._shown_position = None
        self._on_pair_cursor_changed(self.pair.position)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The columns share the table's width, each at least wide enough for any number it
        shows and each line of its name (a step changes numbers, not the widths)."""
        header = self.view.horizontalHeader()
        lines = [line for name in BIAS_COLUMNS for line in name.split("\n")]
        widest = max(header.fontMetrics().horizontalAdvance(line) for line in lines)
        header.setMinimumSectionSize(max(self.view.fontMetrics().horizontalAdvance(WIDEST), widest))
        header.setSectionResizeMode(header.ResizeMode.Stretch)

    def _on_pair_cursor_changed(self, position: int) -> None:
        key = -1 if backward_step(self.pair) is None else position
        if key == self._shown_position or self._whole is None:
            return
        self._shown_position = key
        here = bias_meter(self.pair.traces.a, self.pair.traces.b, position)
        rows = tuple(r.label for r in self._whole.rows)  # "U₀, the x(t) block" when cut
        self.model.set_matrix(bias_matrix(here, self._whole), rows, BIAS_COLUMNS)
        self.view.updateGeometries()  # the row names may have changed width (U₀ (x(t)))

    def displayed(self) -> list[list[str]]:
        """The table's texts, row by row (parameters, then total)."""
        return self.model.texts()
