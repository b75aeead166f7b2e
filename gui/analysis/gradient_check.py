"""Proof that the gradients are right: the gradient check panel.

:class:`GradCheckPanel` runs :func:`core.gradcheck.gradient_check` on the current sequence with
the trace's truncation and tabulates, per parameter, how well BPTT's analytic gradient
(Eqs. 12, 13, 14, 15, 16) agrees with central finite differences of the objective it follows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.gradcheck import GradCheck, gradient_check
from core.model import PARAM_NAMES
from gui.session import Session

#: tolerance on the relative error for a parameter to pass
TOL = 1e-6
#: the check re-runs by itself on a new trace when T * H is at most this
AUTO_CHECK_SIZE = 2000
PASS_COLOUR, FAIL_COLOUR = "#1a7f37", "#c62828"

#: ``gradient_check(net, xs, targets, truncation=, mode=, mask=) -> GradCheck``
Checker = Callable[..., GradCheck]
COLUMNS = ("parameter", "entries", "max |analytic|", "max rel. error", f"tol {TOL:.0e}")
DETAIL_COLUMNS = ("entry", "analytic (BPTT)", "finite difference", "rel. error")


@dataclass(frozen=True, slots=True)
class CheckDisplay:
    """What the gradient-check panel shows.

    rows : the summary table's texts, one tuple per parameter (``COLUMNS``).
    names : engine names of the rows.  sizes, max_abs, max_rel : the rows' numbers.
    passed : per row, whether every entry is below ``TOL``.  summary : the line above the table.
    stale : whether the table belongs to an earlier trace.  detail_name : the engine name of the
    parameter in the detail view (None when empty).  detail_entries : its entry labels.
    analytic, numerical, rel_error : (n,) the detail view's numbers, flattened in C order.
    """

    rows: tuple[tuple[str, ...], ...]
    names: tuple[str, ...]
    sizes: tuple[int, ...]
    max_abs: tuple[float, ...]
    max_rel: tuple[float, ...]
    passed: tuple[bool, ...]
    summary: str
    stale: bool
    detail_name: str | None
    detail_entries: tuple[str, ...]
    analytic: NDArray[np.floating]
    numerical: NDArray[np.floating]
    rel_error: NDArray[np.floating]


def entry_label(symbol: str, shape: tuple[int, ...], flat: int) -> str:
    """``W[2,3]`` for the flat index of an entry (1-based indices, as on screen)."""
    index = np.unravel_index(flat, shape) if shape else ()
    return f"{symbol}[{','.join(str(int(i) + 1) for i in index)}]"


def summary_line(check: GradCheck, names: dict[str, str]) -> str:
    """The line above the table: "all 6 parameters agree to 2.3e-10 (...)" or which disagree."""
    how = f"central differences, eps = {check.eps:.0e}"
    if check.truncation is not None:
        how += f", truncated objective: {check.mode} k = {check.truncation}"
    bad = [n for n, r in check.max_rel_error.items() if not r < TOL]
    n = len(check.max_rel_error)
    if not bad:
        return f"all {n} parameters agree to {check.worst:.1e} ({how})"
    worst = ", ".join(f"{names[b]} ({check.max_rel_error[b]:.1e})" for b in bad)
    return f"{len(bad)} of {n} parameters DISAGREE beyond {TOL:.0e}: {worst} ({how})"


def _item(text: str, value: float | None = None, colour: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if value is not None:
        item.setData(Qt.ItemDataRole.UserRole, float(value))
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if colour is not None:
        item.setForeground(QBrush(QColor(colour)))
    return item


def _cell(table: QTableWidget, row: int, col: int) -> QTableWidgetItem:
    """The item in (row, col): every cell of a filled row has one."""
    item = table.item(row, col)
    assert item is not None, f"no item in row {row}, column {col}"
    return item


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setDefaultSectionSize(22)
    return table


class GradCheckPanel(QWidget):
    """BPTT's gradients against central finite differences, per parameter and per entry.

    The reference is the objective the trace's truncation actually follows (full, sliding or
    chunked; see :mod:`core.gradcheck`), so a pass means the backward sweep (Eq. 10,
    84-88) computes exactly the gradient it claims to.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.

    Attributes
    ----------
    check : the checking function, :func:`core.gradcheck.gradient_check` (replaceable).
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.check: Checker = gradient_check
        self.result: GradCheck | None = None
        self._stale = True
        self.button = QPushButton("Check gradients")
        self.button.setToolTip("compare BPTT's gradients with central finite differences")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = _table(COLUMNS)
        self.detail = _table(DETAIL_COLUMNS)
        self.detail.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.detail_title = QLabel("")
        top = QHBoxLayout()
        top.addWidget(self.button)
        top.addWidget(self.summary, 1)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.detail_title)
        below_layout.addWidget(self.detail, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(below)
        split.setSizes([180, 240])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.button.clicked.connect(self._on_button_clicked)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        session.traceChanged.connect(self._on_session_trace_changed)
        session.notationChanged.connect(self._on_session_notation_changed)
        self._on_screen = True
        self._on_session_trace_changed()

    def set_on_screen(self, on: bool) -> None:
        """Whether the panel can be seen (its dock's ``visibilityChanged``).

        Off screen a new trace only marks the check stale (training changes the trace several
        times a second); shown again, a small check runs at once.
        """
        self._on_screen = on
        if on and self._stale:
            self._on_session_trace_changed()

    # -- running the check ------------------------------------------------------------------------
    def run_check(self) -> GradCheck:
        """Check the current sequence with the trace's truncation and show the outcome."""
        trace = self.session.trace
        self.result = self.check(
            self.session.net,
            trace.x,
            trace.d,
            truncation=trace.truncation,
            mode=trace.mode if trace.truncation is not None else "sliding",
            mask=trace.mask,
        )
        self._stale = False
        self._fill()
        return self.result

    def _on_button_clicked(self) -> None:
        self.run_check()

    def _on_session_trace_changed(self) -> None:
        trace = self.session.trace
        if self._on_screen and trace.T * trace.net.n_hidden <= AUTO_CHECK_SIZE:
            self.run_check()
        else:
            self._stale = True
            self._fill()

    def _on_session_notation_changed(self) -> None:
        self._fill()

    def _on_table_selection_changed(self) -> None:
        self._fill_detail()

    # -- filling the tables -----------------------------------------------------------------------
    def _symbols(self) -> dict[str, str]:
        n = self.session.notation
        return {name: n[name] for name in PARAM_NAMES}

    def _fill(self) -> None:
        result, names = self.result, self._symbols()
        if result is None:
            self.summary.setText("press Check gradients to compare with finite differences")
        elif self._stale:
            self.summary.setText(
                "stale: this table is for an earlier trace - press Check gradients "
                f"(T·H = {self.session.trace.T * self.session.net.n_hidden} is too large to "
                "re-check automatically)"
            )
        else:
            ok = result.passed(TOL)
            self.summary.setText(summary_line(result, names))
            self.summary.setStyleSheet(f"QLabel {{ color: {PASS_COLOUR if ok else FAIL_COLOUR}; }}")
        if self._stale:
            self.summary.setStyleSheet("QLabel { color: #8a6d00; }")
        selected = self._selected_name()
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        if result is not None:
            keys = list(result.max_rel_error)
            self.table.setRowCount(len(keys))
            for row, key in enumerate(keys):
                a = np.asarray(result.analytic[key])
                rel = result.max_rel_error[key]
                ok = rel < TOL
                colour = PASS_COLOUR if ok else FAIL_COLOUR
                name = _item(names[key])
                name.setData(Qt.ItemDataRole.UserRole, key)
                name.setToolTip(self.session.notation.tooltip(key))
                self.table.setItem(row, 0, name)
                self.table.setItem(row, 1, _item(str(a.size), a.size))
                peak = float(np.abs(a).max()) if a.size else 0.0
                self.table.setItem(row, 2, _item(f"{peak:.3e}", peak))
                self.table.setItem(row, 3, _item(f"{rel:.2e}", rel, colour))
                verdict = _item("pass" if ok else "FAIL", None, colour)
                verdict.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                verdict.setBackground(QBrush(QColor("#e6f4ea" if ok else "#fde7e7")))
                self.table.setItem(row, 4, verdict)
            row = keys.index(selected) if selected in keys else 0
            if keys:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self._fill_detail()

    def _selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _fill_detail(self) -> None:
        key, result = self._selected_name(), self.result
        self.detail.setRowCount(0)
        if key is None or result is None:
            self.detail_title.setText("")
            return
        symbol = self.session.notation[key]
        a = np.asarray(result.analytic[key])
        n = np.asarray(result.numerical[key]).ravel()
        r = np.asarray(result.rel_error[key]).ravel()
        self.detail_title.setText(
            f"{symbol}: ∂{self.session.notation['L']}/∂{symbol} per entry, "
            f"BPTT against finite differences"
        )
        self.detail.setRowCount(a.size)
        for i, (ai, ni, ri) in enumerate(zip(a.ravel(), n, r, strict=True)):
            colour = None if ri < TOL else FAIL_COLOUR
            self.detail.setItem(i, 0, _item(entry_label(symbol, a.shape, i)))
            self.detail.setItem(i, 1, _item(f"{ai:+.10e}", ai))
            self.detail.setItem(i, 2, _item(f"{ni:+.10e}", ni))
            self.detail.setItem(i, 3, _item(f"{ri:.2e}", ri, colour))

    # -- reading ----------------------------------------------------------------------------------
    def select(self, name: str) -> None:
        """Show parameter ``name`` (engine name) in the detail view."""
        for row in range(self.table.rowCount()):
            if _cell(self.table, row, 0).data(Qt.ItemDataRole.UserRole) == name:
                self.table.selectRow(row)
                return
        raise KeyError(name)

    def displayed(self) -> CheckDisplay:
        """The texts and numbers in the tables (see :class:`CheckDisplay`)."""
        t, d = self.table, self.detail

        def number(table: QTableWidget, row: int, col: int) -> float:
            return float(_cell(table, row, col).data(Qt.ItemDataRole.UserRole))

        rows = tuple(
            tuple(_cell(t, r, c).text() for c in range(t.columnCount()))
            for r in range(t.rowCount())
        )
        detail = np.array(
            [[number(d, r, c) for c in (1, 2, 3)] for r in range(d.rowCount())], np.float64
        ).reshape(-1, 3)
        return CheckDisplay(
            rows=rows,
            names=tuple(
                str(_cell(t, r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(len(rows))
            ),
            sizes=tuple(int(number(t, r, 1)) for r in range(len(rows))),
            max_abs=tuple(number(t, r, 2) for r in range(len(rows))),
            max_rel=tuple(number(t, r, 3) for r in range(len(rows))),
            passed=tuple(row[4] == "pass" for row in rows),
            summary=self.summary.text(),
            stale=self._stale,
            detail_name=self._selected_name(),
            detail_entries=tuple(_cell(d, r, 0).text() for r in range(d.rowCount())),
            analytic=detail[:, 0],
            numerical=detail[:, 1],
            rel_error=detail[:, 2],
        )
