"""Proof that the gradients are right: the gradient check panel.

:class:`GradCheckPanel` checks the current sequence with the trace's truncation and tabulates, per
parameter, how well BPTT's analytic gradient (Eqs. 12, 13, 14, 15, 16) agrees with central finite
differences of the objective it follows (:mod:`core.gradcheck`).

A check costs two forward passes per parameter entry: milliseconds for the built-in example,
minutes for H = 256. It therefore runs off the GUI thread (:func:`core.gradcheck.
gradient_check_steps` in an :class:`~gui.analysis.jobs.AnalysisJob`), and only while the panel
can be seen: its dock raised and the window shown. The tables fill in as chunks of entries
arrive, a progress bar counts the entries, Cancel stops the run, and a new trace cancels the
stale run and checks the new one. Tabbed away, a run pauses, and a new trace only marks the
tables stale; shown again, the run resumes or a new one starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.bptt import Trace
from core.gradcheck import CheckChunk, CheckProgress, GradCheck, gradient_check_steps, tally
from core.model import PARAM_NAMES
from gui.analysis.check_entries import EntryModel
from gui.analysis.jobs import AnalysisJob
from gui.session import Session

#: tolerance on the relative error for a parameter to pass
TOL = 1e-6
PASS_COLOUR, FAIL_COLOUR, STALE_COLOUR, PENDING_COLOUR = "#1a7f37", "#c62828", "#8a6d00", "#555555"

COLUMNS = ("parameter", "entries", "max |analytic|", "max rel. error", f"tol {TOL:.0e}")


@dataclass(frozen=True, slots=True)
class CheckDisplay:
    """What the gradient-check panel shows.

    rows : the summary table's texts, one tuple per parameter (``COLUMNS``).
    names : engine names of the rows.  sizes, max_abs, max_rel : the rows' numbers (max_rel is
    NaN for a parameter none of whose entries is compared yet).
    passed : per row, whether every entry is compared and below ``TOL``.
    summary : the line above the table.  stale : whether the table belongs to an earlier trace.
    running : whether a check is going.  done, total : entries compared so far and in all.
    detail_name : the engine name of the parameter in the detail view (None when empty).
    detail_entries : its entry labels.  analytic, numerical, rel_error : (n,) the detail view's
    numbers, flattened in C order (NaN where not compared yet).
    """

    rows: tuple[tuple[str, ...], ...]
    names: tuple[str, ...]
    sizes: tuple[int, ...]
    max_abs: tuple[float, ...]
    max_rel: tuple[float, ...]
    passed: tuple[bool, ...]
    summary: str
    stale: bool
    running: bool
    done: int
    total: int
    detail_name: str | None
    detail_entries: tuple[str, ...]
    analytic: NDArray[np.floating]
    numerical: NDArray[np.floating]
    rel_error: NDArray[np.floating]


def _how(check: GradCheck) -> str:
    how = f"central differences, eps = {check.eps:.0e}"
    if check.truncation is not None:
        how += f", truncated objective: {check.mode} k = {check.truncation}"
    return how


def summary_line(check: GradCheck, names: dict[str, str]) -> str:
    """The line above the table: "all 6 parameters agree to 2.3e-10 (...)" or which disagree."""
    bad = [n for n, r in check.max_rel_error.items() if not r < TOL]
    n = len(check.max_rel_error)
    if not bad:
        return f"all {n} parameters agree to {check.worst:.1e} ({_how(check)})"
    worst = ", ".join(f"{names[b]} ({check.max_rel_error[b]:.1e})" for b in bad)
    return f"{len(bad)} of {n} parameters DISAGREE beyond {TOL:.0e}: {worst} ({_how(check)})"


def progress_line(progress: CheckProgress, verb: str = "checking") -> str:
    """The running line: checking 1,234 / 5,000 entries, largest relative error so far 2.1e-10."""
    line = f"{verb} {progress.done:,} / {progress.total:,} entries"
    if progress.check.max_rel_error:
        line += f", largest relative error so far {progress.check.worst:.1e}"
    return line


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


def _style(table: QTableView) -> None:
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setDefaultSectionSize(22)


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
    job : the :class:`~gui.analysis.jobs.AnalysisJob` that runs the check.
    progress : what the tables show (None before the first chunk).
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.progress: CheckProgress | None = None
        self._checked: Trace | None = None  # the trace of the latest check started
        self._shown: Trace | None = None  # the trace the tables belong to
        self._fresh = False  # the next chunk starts a new table
        self._outcome = ""  # "", "done", "cancelled" or "failed: <why>"
        self._on_screen = True  # False while the dock is tabbed away or closed
        self.job = AnalysisJob(self)
        self.button = QPushButton("Check gradients")
        self.button.setToolTip("compare BPTT's gradients with central finite differences")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("stop the check; the entries compared so far stay shown")
        self.cancel_button.setEnabled(False)
        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        self.progress_bar.setTextVisible(True)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        _style(self.table)
        self.entries = EntryModel(TOL, FAIL_COLOUR, self)
        self.detail = QTableView()
        self.detail.setModel(self.entries)
        _style(self.detail)
        self.detail.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.detail_title = QLabel("")
        top = QHBoxLayout()
        top.addWidget(self.button)
        top.addWidget(self.cancel_button)
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
        layout.addWidget(self.progress_bar)
        layout.addWidget(split, 1)
        self.button.clicked.connect(self._on_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.job.progressed.connect(self._on_job_progressed)
        self.job.finished.connect(self._on_job_finished)
        self.job.failed.connect(self._on_job_failed)
        self.job.cancelled.connect(self._on_job_cancelled)
        self.job.runningChanged.connect(self._on_job_running_changed)
        session.traceChanged.connect(self._on_session_trace_changed)
        session.notationChanged.connect(self._on_session_notation_changed)
        self._fill()

    # -- what can be seen -------------------------------------------------------------------------
    def can_be_seen(self) -> bool:
        """Shown (the window is, and so is the panel) and not behind another dock's tab."""
        return self._on_screen and self.isVisible()

    def set_on_screen(self, on: bool) -> None:
        """Whether the dock is raised and open (its ``visibilityChanged``)."""
        self._on_screen = on
        self._follow_visibility()

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        super().showEvent(event)
        self._follow_visibility()

    def hideEvent(self, event: QHideEvent) -> None:  # Qt override
        super().hideEvent(event)
        self._follow_visibility()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        self.job.shutdown()  # a panel shown as a window of its own: no thread outlives it
        super().closeEvent(event)

    def _follow_visibility(self) -> None:
        """Seen: resume the run, or check a trace not yet checked. Unseen: hold the run."""
        if not self.can_be_seen():
            self.job.pause()
            return
        self.job.resume()
        if self._checked is not self.session.trace:
            self.run_check()

    # -- running the check ------------------------------------------------------------------------
    @property
    def result(self) -> GradCheck | None:
        """The finished check of the current trace, or None."""
        p = self.progress
        current = self._shown is self.session.trace
        return p.check if p is not None and p.complete and current else None

    @property
    def stale(self) -> bool:
        """Whether the tables belong to an earlier trace than the session's."""
        return self._shown is not self.session.trace

    def run_check(self) -> None:
        """Check the current sequence with the trace's truncation, off the GUI thread; a check
        in progress is cancelled. The tables fill in as the entries are compared."""
        net, trace = self.session.net, self.session.trace
        mode = trace.mode if trace.truncation is not None else "sliding"
        self._checked, self._fresh, self._outcome = trace, True, ""
        self.job.start(
            lambda: gradient_check_steps(
                net, trace.x, trace.d, truncation=trace.truncation, mode=mode, mask=trace.mask
            )
        )
        self._fill_summary()

    def cancel(self) -> None:
        """Stop the check; what it compared so far stays shown."""
        self.job.cancel()

    def _on_button_clicked(self) -> None:
        self.run_check()

    def _on_cancel_button_clicked(self) -> None:
        self.cancel()

    def _on_session_trace_changed(self) -> None:
        if self.can_be_seen():
            self.run_check()  # cancels the stale run
            return
        self.job.cancel()  # its numbers would be for an earlier trace
        self._fill_summary()

    def _on_session_notation_changed(self) -> None:
        self._fill()

    def _on_table_selection_changed(self) -> None:
        self._fill_detail()

    def _on_job_progressed(self, chunks: list[CheckChunk]) -> None:
        plan = chunks[0].plan
        before = None if self._fresh or self.progress is None else self.progress
        self.progress = tally(plan, chunks, before)
        self._shown, self._fresh = self._checked, False
        self._fill()

    def _on_job_finished(self) -> None:
        self._outcome = "done"
        self._fill_summary()

    def _on_job_failed(self, error: BaseException) -> None:
        self._outcome = f"failed: {error}"
        self._fill_summary()

    def _on_job_cancelled(self) -> None:
        self._outcome = "cancelled"
        self._fill_summary()

    def _on_job_running_changed(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self._fill_summary()
        self._fill_table()  # "checking" and "waiting" become "–" once the run is over

    # -- filling the tables -----------------------------------------------------------------------
    def _symbols(self) -> dict[str, str]:
        n = self.session.notation
        return {name: n[name] for name in PARAM_NAMES}

    def _fill(self) -> None:
        self._fill_summary()
        self._fill_table()
        self._fill_detail()

    def _fill_summary(self) -> None:
        p, running = self.progress, self.job.running
        stale = self.stale
        colour = PENDING_COLOUR
        if running:
            # the count goes in the progress bar: a label whose text changes at every report
            # would lay the whole window out again each time
            if p is not None and not stale:
                text = f"checking {p.total:,} entries; the tables fill in as they are compared"
            else:
                text = "checking: the first entries are being compared"
        elif self._outcome.startswith("failed"):
            text, colour = f"the check {self._outcome}", FAIL_COLOUR
        elif p is None:
            text = "press Check gradients to compare with finite differences"
        elif stale:
            text = (
                "stale: this table is for an earlier trace; it is checked again when this panel "
                "is shown, or press Check gradients"
            )
            colour = STALE_COLOUR
        elif not p.complete:
            text = progress_line(p, "cancelled after") + "; Check gradients starts again"
            colour = STALE_COLOUR
        else:
            text = summary_line(p.check, self._symbols())
            colour = PASS_COLOUR if p.check.passed(TOL) else FAIL_COLOUR
        self.summary.setText(text)
        style = f"QLabel {{ color: {colour}; }}"
        if self.summary.styleSheet() != style:  # restyling costs a relayout: only on a change
            self.summary.setStyleSheet(style)
        bar = self.progress_bar
        bar.setVisible(running and p is not None and not stale and not p.complete)
        if p is not None:
            bar.setRange(0, max(p.total, 1))
            bar.setValue(p.done)
            bar.setFormat(f"checking {p.done:,} / {p.total:,} entries")  # the table has the rest

    def _fill_table(self) -> None:
        p, names = self.progress, self._symbols()
        keys = [] if p is None else list(p.check.analytic)
        t = self.table
        if self._row_names() != keys:  # another set of parameters: new rows
            selected = self._selected_name()
            t.blockSignals(True)
            t.setRowCount(0)
            t.setRowCount(len(keys))
            for row in range(len(keys)):
                for col in range(len(COLUMNS)):
                    t.setItem(row, col, _item("", 0.0 if col in (1, 2, 3) else None))
            if keys:
                t.selectRow(keys.index(selected) if selected in keys else 0)
            t.blockSignals(False)
        if p is None:
            return
        running = self.job.running
        for row, key in enumerate(keys):
            a = p.check.analytic[key]
            checked, size = p.checked[key], a.size
            rel = p.check.max_rel_error.get(key, float("nan"))
            failed = checked > 0 and not rel < TOL
            complete = checked == size
            name = _cell(t, row, 0)
            name.setText(names[key])
            name.setData(Qt.ItemDataRole.UserRole, key)
            name.setToolTip(self.session.notation.tooltip(key))
            _set(_cell(t, row, 1), f"{size:,}", size)
            peak = float(np.abs(a).max()) if size else 0.0
            _set(_cell(t, row, 2), f"{peak:.3e}", peak)
            colour = FAIL_COLOUR if failed else PASS_COLOUR if complete else PENDING_COLOUR
            _set(_cell(t, row, 3), f"{rel:.2e}" if checked else "–", rel, colour)
            if failed or complete:
                verdict = "FAIL" if failed else "pass"
            elif checked:  # part of the way: how far
                verdict = f"{100 * checked // size} %"
            else:
                verdict = "waiting" if running else "–"
            cell = _cell(t, row, 4)
            _set(cell, verdict, None, colour)
            cell.setToolTip(f"{checked:,} of {size:,} entries compared")
            cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            shade = "#fde7e7" if failed else "#e6f4ea" if complete else "#f2f2f2"
            cell.setBackground(QBrush(QColor(shade)))

    def _row_names(self) -> list[str | None]:
        items = (self.table.item(r, 0) for r in range(self.table.rowCount()))
        return [None if i is None else i.data(Qt.ItemDataRole.UserRole) for i in items]

    def _selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return None
        return str(item.data(Qt.ItemDataRole.UserRole))

    def _fill_detail(self) -> None:
        key, p = self._selected_name(), self.progress
        if key is None or p is None or key not in p.check.analytic:
            self.detail_title.setText("")
            self.entries.clear()
            return
        symbol = self.session.notation[key]
        a = p.check.analytic[key]
        self.detail_title.setText(
            f"{symbol}: ∂{self.session.notation['L']}/∂{symbol} per entry, "
            f"BPTT against finite differences"
        )
        self.entries.set_entries(
            symbol, a.shape, a, p.check.numerical[key], p.check.rel_error[key], p.checked[key]
        )

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
        t = self.table

        def number(row: int, col: int) -> float:
            return float(_cell(t, row, col).data(Qt.ItemDataRole.UserRole))

        rows = tuple(
            tuple(_cell(t, r, c).text() for c in range(t.columnCount()))
            for r in range(t.rowCount())
        )
        analytic, numerical, rel_error = self.entries.arrays()
        p = self.progress
        return CheckDisplay(
            rows=rows,
            names=tuple(
                str(_cell(t, r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(len(rows))
            ),
            sizes=tuple(int(number(r, 1)) for r in range(len(rows))),
            max_abs=tuple(number(r, 2) for r in range(len(rows))),
            max_rel=tuple(number(r, 3) for r in range(len(rows))),
            passed=tuple(row[4] == "pass" for row in rows),
            summary=self.summary.text(),
            stale=self.stale,
            running=self.job.running,
            done=0 if p is None else p.done,
            total=0 if p is None else p.total,
            detail_name=self._selected_name(),
            detail_entries=self.entries.labels(),
            analytic=analytic,
            numerical=numerical,
            rel_error=rel_error,
        )


def _set(item: QTableWidgetItem, text: str, value: float | None, colour: str | None = None) -> None:
    """Update a cell in place (the table keeps its selection and scroll position)."""
    item.setText(text)
    if value is not None:
        item.setData(Qt.ItemDataRole.UserRole, float(value))
    if colour is not None:
        item.setForeground(QBrush(QColor(colour)))
