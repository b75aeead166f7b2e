"""The gradient check's per-entry table: one row per parameter entry, drawn on demand.

W of a network with H = 256 hidden units has 65 536 entries. A QTableWidget would build four
items per entry (seconds on the GUI thread, at every update of a running check); this model holds
the three arrays and formats only the rows the view draws, so an update is one ``dataChanged``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

COLUMNS = ("entry", "analytic (BPTT)", "finite difference", "rel. error")
#: shown in a cell whose finite difference is not computed yet
PENDING = "…"

_Index = QModelIndex | QPersistentModelIndex


def entry_label(symbol: str, shape: tuple[int, ...], flat: int) -> str:
    """``W[2,3]`` for the flat index of an entry (1-based indices, as on screen)."""
    index = np.unravel_index(flat, shape) if shape else ()
    return f"{symbol}[{','.join(str(int(i) + 1) for i in index)}]"


class EntryModel(QAbstractTableModel):
    """Rows: the entries of one parameter in C order; columns: ``COLUMNS``.

    ``Qt.UserRole`` gives a number cell's value as a float (NaN while not computed).

    Parameters
    ----------
    tol : relative errors at or above it are drawn in ``fail_colour``.
    """

    def __init__(self, tol: float, fail_colour: str, parent: Any = None) -> None:
        super().__init__(parent)
        self._tol = tol
        self._fail = QBrush(QColor(fail_colour))
        self._symbol = ""
        self._shape: tuple[int, ...] = ()
        self._columns: tuple[NDArray[np.floating], ...] = (np.zeros(0),) * 3
        self._checked = 0

    def set_entries(
        self,
        symbol: str,
        shape: tuple[int, ...],
        analytic: NDArray[np.floating],
        numerical: NDArray[np.floating],
        rel_error: NDArray[np.floating],
        checked: int | None = None,
    ) -> None:
        """Show one parameter: (n,) arrays in C order, of which the first ``checked`` entries
        are compared (all when None); the others show ``PENDING``.

        The same parameter with new numbers keeps the view's scroll position and selection.
        """
        columns = tuple(np.asarray(a, np.float64).ravel() for a in (analytic, numerical, rel_error))
        self._checked = columns[0].size if checked is None else int(checked)
        same = (symbol, tuple(shape)) == (self._symbol, self._shape)
        if same and columns[0].size == self.rowCount():
            self._columns = columns
            if columns[0].size:
                last = self.index(columns[0].size - 1, len(COLUMNS) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()
        self._symbol, self._shape, self._columns = symbol, tuple(shape), columns
        self.endResetModel()

    def clear(self) -> None:
        self.set_entries("", (), np.zeros(0), np.zeros(0), np.zeros(0))

    # -- reading ----------------------------------------------------------------------------------
    def arrays(self) -> tuple[NDArray[np.floating], ...]:
        """(analytic, numerical, rel_error) as shown, (n,) each."""
        return tuple(a.copy() for a in self._columns)

    @property
    def checked(self) -> int:
        """How many leading rows hold compared numbers."""
        return self._checked

    def labels(self) -> tuple[str, ...]:
        return tuple(entry_label(self._symbol, self._shape, i) for i in range(self.rowCount()))

    # -- QAbstractTableModel ----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else int(self._columns[0].size)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = 0) -> Any:
        row, col = index.row(), index.column()
        if not index.isValid() or not 0 <= row < self.rowCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return entry_label(self._symbol, self._shape, row)
            if col > 1 and row >= self._checked:
                return PENDING
            value = float(self._columns[col - 1][row])
            return f"{value:.2e}" if col == 3 else f"{value:+.10e}"
        if role == Qt.ItemDataRole.UserRole and col > 0:
            return float(self._columns[col - 1][row])
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            failed = row < self._checked and not self._columns[2][row] < self._tol  # NaN fails
            return self._fail if failed else None
        return None
