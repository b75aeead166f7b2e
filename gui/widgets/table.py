"""A read-only table model over one matrix of numbers, for the panels' exact-number views."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableView

Index = QModelIndex | QPersistentModelIndex
#: the widest text a cell shows: a negative number to 6 significant digits
WIDEST = "-0.000123457"


class MatrixModel(QAbstractTableModel):
    """Cells of a (rows, cols) array as text with 6 significant digits (full precision as tooltip).

    NaN cells are shown empty. Headers are the given names, or 1-based indices.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._values: NDArray[np.floating] = np.zeros((0, 0))
        self._rows: tuple[str, ...] = ()
        self._cols: tuple[str, ...] = ()

    def set_matrix(
        self,
        values: NDArray[np.floating],
        rows: tuple[str, ...] = (),
        cols: tuple[str, ...] = (),
    ) -> None:
        """Show ``values`` (2-d; a vector is shown as one column)."""
        arr = np.asarray(values, dtype=np.float64)
        arr = arr[:, None] if arr.ndim == 1 else arr
        rows, cols = tuple(rows), tuple(cols)
        if arr.shape == self._values.shape and (rows, cols) == (self._rows, self._cols):
            self._values = arr  # same cells: repaint them, keep the view's layout
            if arr.size:
                last = self.index(arr.shape[0] - 1, arr.shape[1] - 1)
                self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.DisplayRole])
            return
        self.beginResetModel()
        self._values, self._rows, self._cols = arr, rows, cols
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self._values.shape[0])

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self._values.shape[1])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        v = float(self._values[index.row(), index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if np.isnan(v) else f"{v:.6g}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "not yet computed" if np.isnan(v) else repr(v)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        names = self._rows if orientation == Qt.Orientation.Vertical else self._cols
        return names[section] if section < len(names) else str(section + 1)

    def texts(self) -> list[list[str]]:
        """Every cell's displayed text, row by row."""
        return [
            [self.data(self.index(r, c)) for c in range(self.columnCount())]
            for r in range(self.rowCount())
        ]


def fit_columns(view: QTableView) -> None:
    """Make ``view``'s columns wide enough for any number its MatrixModel shows and for its
    column names, so that no cell is cut to "-0.0759..." (one width for all: a cursor step
    changes numbers, not the columns)."""
    model = view.model()
    metrics = view.fontMetrics()
    header = view.horizontalHeader()
    across = Qt.Orientation.Horizontal
    names = [str(model.headerData(c, across)) for c in range(model.columnCount())]
    widest = max((header.fontMetrics().horizontalAdvance(n) for n in names), default=0)
    width = max(metrics.horizontalAdvance(WIDEST), widest) + 16
    if header.defaultSectionSize() != width:
        header.setDefaultSectionSize(width)
