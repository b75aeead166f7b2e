"""Parameter gradients: this step's contribution beside the gradient accumulated so far.

For every parameter (U, W, V, b, c, and h0 when it is trained) two heatmaps share a column: the
terms the backward step at the cursor adds (Eqs. 12, 13, 14, 15, 16 for one t, ``StepState.
contribution``) and their sum over the steps visited so far (``StepState.accumulated``). Each has
its own gradient encoding (:mod:`gui.encoding`), a symmetric range fixed per trace (a single step is
much smaller than the sum over a long sequence). Hovering shows the exact numbers, clicking
selects the cell for the inspector.

Three display modes: heatmaps (colour = value), Hinton diagrams (square side = |value| / the same
per-trace level, colour = the value's, as its heatmap cell) and tables of both matrices of one
parameter. The mode stays while stepping and across new traces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.bptt import Trace
from core.cursor import StepState
from core.notation import MEANING, Notation
from core.selection import Selection
from core.tdl import TDL, buffer_names
from gui.encoding import Encoding, gradient, sign_text
from gui.panels.base import Panel, changed
from gui.session import Session
from gui.widgets.canvas import hover_label
from gui.widgets.heatmap import index_ticks
from gui.widgets.hinton import Square
from gui.widgets.matrix_grid import Cell, Column, MatrixGrid
from gui.widgets.table import MatrixModel, fit_columns

HINT = "hover a cell for its exact value · click to inspect its sum over time"
HINTON_HINT = f"side = |value| / the scale below, {sign_text()} · hover or click a cell"
Levels = tuple[float, float]
#: display modes: (key, button text, tooltip)
MODES = (
    ("heatmap", "Heatmap", f"Colour each cell by its value ({sign_text()})"),
    (
        "hinton",
        "Hinton",
        "Hinton diagrams: square side = |value| / the colour bar's end, "
        f"colour = the value's ({sign_text()})",
    ),
    ("table", "Table", "Show the exact numbers of one parameter as tables"),
)


@dataclass(frozen=True, slots=True)
class GradientsView:
    """What the panel shows at one cursor position.

    position : the cursor position in the backward sweep, -1 before it (every position of the
        forward sweep shows the same: no step's terms, a zero sum). The arrays come from the
        session's state.
    params : the parameters shown.  titles : their column titles.  rows : the two row headers.
    """

    position: int
    params: tuple[str, ...]
    titles: tuple[str, ...]
    rows: tuple[str, str]


@dataclass(frozen=True, slots=True)
class GradientsDisplay:
    """The numbers drawn, per parameter in its own shape (NaN where blank).

    contribution : this step's terms (all NaN outside the backward sweep).
    accumulated : the sum over the visited steps.  levels : (contribution, accumulated) colour
    ranges.  table : None, or (parameter, contribution texts, accumulated texts) in table mode.
    mode : "heatmap", "hinton" or "table".  squares : in Hinton mode, per parameter the squares
    (row, col, size, sign) of the (contribution, accumulated) diagrams; empty otherwise.
    """

    contribution: dict[str, NDArray[np.floating]]
    accumulated: dict[str, NDArray[np.floating]]
    levels: dict[str, tuple[Levels, Levels]]
    titles: tuple[str, ...]
    rows: tuple[str, str]
    hover: str
    table: tuple[str, list[list[str]], list[list[str]]] | None
    mode: str = "heatmap"
    squares: dict[str, tuple[list[Square], list[Square]]] | None = None


def gradients_view(trace: Trace, state: StepState, notation: Notation) -> GradientsView:
    """The view state: the cursor position, the parameters shown and the labels."""
    params = trace.net.trainable()
    L = notation["L"]
    titles = tuple(f"∂{L}/∂{notation[p]}" for p in params)
    rows = row_headers(state.t if state.phase == "backward" else None)
    position = state.position if state.phase == "backward" else -1
    return GradientsView(position, params, titles, rows)


def row_headers(t: int | None) -> tuple[str, str]:
    """The two row headers at backward step t, or during the forward sweep (t None)."""
    if t is None:
        return "this step: none yet", "accumulated: 0"  # short: a short row shows it whole
    return f"this step t = {t}", f"accumulated, t ≥ {t}"


def gradient_encodings(trace: Trace) -> dict[str, tuple[Encoding, Encoding]]:
    """Gradient encodings per parameter, symmetric: (largest single-step term, largest partial
    sum), each rounded up (:func:`gui.encoding.round_magnitude`).

    The peaks are the trace's (:meth:`core.trace.Trace.gradient_peaks`), which pair each delta
    with the activation its matrix reads: the context of a Jordan network, not h(t-1).
    """
    return {
        p: (gradient(step), gradient(partial))
        for p, (step, partial) in trace.gradient_peaks().items()
    }


def header_names(session: Session, p: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Row and column names of parameter p's matrix: receiving and sending units, or the bias.

    The context units (W's columns, h0's rows) are the hidden units of an Elman network and the
    outputs of a Jordan network (``net.context`` "output" or "target"); shapes come from the arrays.
    """
    n, ds, net = session.notation, session.dataset, session.net
    hidden = tuple(f"{n['h']}{j + 1}" for j in range(net.n_hidden))
    context = hidden if getattr(net, "context", "hidden") == "hidden" else ds.output_names
    shape = net.params()[p].shape
    rows = ds.output_names if p in ("V", "c") else context if p == "h0" else hidden
    if len(shape) == 1:
        return tuple(rows), (n[p],)
    inputs = ds.input_names
    if isinstance(net, TDL):  # U = [U_0 ... U_omega] reads the delay buffer
        inputs = buffer_names(inputs, net.window)
    cols = inputs if p == "U" else context if p == "W" else hidden
    return tuple(rows), tuple(cols)


def mode_buttons(parent: QWidget, default: str) -> tuple[QButtonGroup, dict[str, QToolButton]]:
    """Exclusive checkable buttons Heatmap / Hinton / Table with tooltips, ``default`` checked."""
    group = QButtonGroup(parent)
    group.setExclusive(True)
    buttons = {}
    for key, text, tip in MODES:
        button = QToolButton()
        button.setText(text)
        button.setCheckable(True)
        button.setToolTip(tip)
        button.setChecked(key == default)
        group.addButton(button)
        buttons[key] = button
    return group, buttons


W = TypeVar("W", bound=QWidget)


def mode_body(
    panel: QWidget,
    buttons: dict[str, QToolButton],
    table_page: QWidget,
    param_tip: str,
    hint: str,
    plots: W,
) -> tuple[QComboBox, QLabel, W, QStackedWidget]:
    """The body of a panel with display modes, set as ``panel``'s layout: a bar with the mode
    ``buttons``, a parameter box (shown in table mode) and the hover line, over a stack of the
    ``plots`` widget (page 0) and ``table_page`` (page 1).

    Returns the parameter box, the hover line, the plots widget and the stack.
    """
    param_box = QComboBox()
    param_box.setToolTip(param_tip)
    param_box.setVisible(False)
    hover = hover_label()
    hover.setText(hint)
    bar = QHBoxLayout()
    bar.setContentsMargins(4, 2, 4, 0)
    for button in buttons.values():
        bar.addWidget(button)
    bar.addWidget(param_box)
    bar.addWidget(hover, 1)
    stack = QStackedWidget()
    stack.addWidget(plots)
    stack.addWidget(table_page)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addLayout(bar)
    layout.addWidget(stack, 1)
    return param_box, hover, plots, stack


class GradientsPanel(Panel[GradientsView]):
    """This step's gradient terms and the accumulated gradient of every parameter.

    The matrices are drawn by one :class:`MatrixGrid` (``self.grid``): plot row 0 holds this
    step's terms, row 1 the accumulated gradient.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.mode = "heatmap"
        self.mode_group, self.mode_buttons = mode_buttons(self, self.mode)
        self.table_button = self.mode_buttons["table"]
        self.grid = MatrixGrid()
        self.grid.cell_tip = self._cell_tip
        self.param_box, self.hover, _, self.stack = mode_body(
            self,
            self.mode_buttons,
            self._build_tables(),
            "The parameter the tables show",
            HINT,
            self.grid,
        )
        self._encodings: dict[str, tuple[Encoding, Encoding]] = {}
        self._shapes: dict[str, tuple[int, ...]] = {}
        self.mode_group.buttonToggled.connect(self._on_mode_group_toggled)
        self.param_box.currentIndexChanged.connect(self._on_param_box_changed)
        self.grid.cellHovered.connect(self._on_grid_cell_hovered)
        self.grid.cellClicked.connect(self._on_grid_cell_clicked)
        self._start()

    def _build_tables(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(4, 4, 4, 4)
        self.models = (MatrixModel(self), MatrixModel(self))
        self.table_titles = (QLabel(), QLabel())
        self.tables = (QTableView(), QTableView())
        for model, title, view in zip(self.models, self.table_titles, self.tables, strict=True):
            column = QVBoxLayout()
            column.addWidget(title)
            view.setModel(model)
            column.addWidget(view, 1)
            row.addLayout(column, 1)
        return page

    # -- per trace --------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        trace = self.session.trace
        params = trace.net.trainable()
        self._encodings = gradient_encodings(trace)
        self._shapes = {p: a.shape for p, a in self.session.net.params().items()}
        names = header_names(self.session, "U")[1] if self._shapes["U"][1] <= 8 else ()
        columns = []
        for p in params:
            shape = self._shapes[p]
            rows, cols = shape[0], shape[1] if len(shape) == 2 else 1
            x_names = names if p == "U" else ()
            # every label: the grid draws as many as it has room for
            x_ticks = index_ticks(cols, names=x_names, max_labels=cols)[0] if cols > 1 else []
            columns.append(
                Column(
                    p,
                    (rows, cols),
                    [(round(x), label) for x, label in x_ticks],
                    [(round(y), label) for y, label in index_ticks(rows, max_labels=rows)[0]],
                    3 if len(shape) == 2 else 2,
                )
            )
        if self.grid.columns != tuple(columns):
            self.grid.set_columns(columns)
        for p in params:
            for k, encoding in enumerate(self._encodings[p]):
                self.grid.set_encoding(p, k, encoding)
        self.param_box.blockSignals(True)
        current = self.param_box.currentData()
        self.param_box.clear()
        for p in params:
            self.param_box.addItem(p, p)
        self.param_box.setCurrentIndex(max(0, params.index(current) if current in params else 0))
        self.param_box.blockSignals(False)

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> GradientsView:
        s = self.session
        return gradients_view(s.trace, s.state, s.notation)

    def _apply(self, new: GradientsView, old: GradientsView | None) -> None:
        state = self.session.state
        if changed(new, old, "position"):
            for p in new.params:
                acc = state.accumulated[p]
                contribution = state.contribution
                cur = np.full(acc.shape, np.nan) if contribution is None else contribution[p]
                self.grid.set_values(p, 0, cur)
                self.grid.set_values(p, 1, acc)
        if changed(new, old, "titles"):
            n = self.session.notation
            for p, title in zip(new.params, new.titles, strict=True):
                self.grid.set_title(p, title, f"{n.tooltip(p)}: gradient {title}")
                self.param_box.setItemText(self.param_box.findData(p), n[p])
        if changed(new, old, "rows"):
            self.grid.set_headers(new.rows)
        if self.stack.currentIndex() == 1:
            self._fill_tables()

    # -- display modes ----------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        """Show heatmaps ("heatmap"), Hinton diagrams ("hinton") or tables ("table")."""
        if mode not in self.mode_buttons:
            raise ValueError(f"unknown mode {mode!r}; expected one of {list(self.mode_buttons)}")
        self.mode_buttons[mode].setChecked(True)

    def _on_mode_group_toggled(self, button: QToolButton, on: bool) -> None:
        if not on:
            return
        self.mode = next(k for k, b in self.mode_buttons.items() if b is button)
        table = self.mode == "table"
        self.stack.setCurrentIndex(1 if table else 0)
        self.param_box.setVisible(table)
        if self.hover.text() in (HINT, HINTON_HINT):
            self.hover.setText(self._hint())
        if not table:
            self.grid.set_mode(self.mode)
        self._view = None  # draw the current position in what is now shown
        self._refresh()

    def _on_param_box_changed(self, index: int) -> None:
        if self.stack.currentIndex() == 1:
            self._fill_tables()

    def _fill_tables(self) -> None:
        """Fill the two tables for the chosen parameter (only while they are shown)."""
        p = self.param_box.currentData() or "U"
        state, n = self.session.state, self.session.notation
        acc = state.accumulated[p]
        step = (
            state.contribution[p] if state.contribution is not None else np.full_like(acc, np.nan)
        )
        rows, cols = self._header_names(p)
        for model, values, table in zip(self.models, (step, acc), self.tables, strict=True):
            model.set_matrix(values, rows, cols)
            fit_columns(table)
        view = self._view or self._compute_view()
        self.table_titles[0].setText(f"∂{n['L']}/∂{n[p]}: {view.rows[0]}")
        self.table_titles[1].setText(f"∂{n['L']}/∂{n[p]}: {view.rows[1]}")

    def _header_names(self, p: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return header_names(self.session, p)

    # -- reading and pointing ---------------------------------------------------------------------
    def displayed(self) -> GradientsDisplay:
        """The arrays drawn (as heatmaps or Hinton diagrams), their colour ranges, labels, the
        squares in Hinton mode and the texts in table mode."""
        self._catch_up()
        plots, shapes = self.grid.plots, self._shapes
        step = {p: pair[0].shown().reshape(shapes[p]) for p, pair in plots.items()}
        acc = {p: pair[1].shown().reshape(shapes[p]) for p, pair in plots.items()}
        levels = {p: (pair[0].levels, pair[1].levels) for p, pair in plots.items()}
        squares = None
        if self.mode == "hinton":
            squares = {p: (pair[0].squares(), pair[1].squares()) for p, pair in plots.items()}
        titles = tuple(self.grid.titles[p] for p in plots)
        table = None
        if self.stack.currentIndex() == 1:
            table = (self.param_box.currentData(), self.models[0].texts(), self.models[1].texts())
        return GradientsDisplay(
            step,
            acc,
            levels,
            titles,
            self.grid.headers,
            self.hover.text(),
            table,
            self.mode,
            squares,
        )

    def hover_text(self, p: str, row: int, col: int) -> str:
        """The exact gradient of cell (row, col) of parameter p: accumulated and this step's."""
        n, state = self.session.notation, self.session.state
        vector = len(self._shapes[p]) == 1
        index = (row,) if vector else (row, col)
        cell = (
            f"∂{n['L']}/∂{n[p]}[{row + 1}]" if vector else f"∂{n['L']}/∂{n[p]}[{row + 1},{col + 1}]"
        )
        acc = float(state.accumulated[p][index])
        if state.contribution is None:
            return f"{cell} = {acc:.6g}  (nothing accumulated in the forward sweep)"
        step = float(state.contribution[p][index])
        return f"{cell} = {acc:.6g}  accumulated over t ≥ {state.t};  this step adds {step:.6g}"

    def _hover_hint(self) -> str:
        return self._hint()

    def _hint(self) -> str:
        return HINTON_HINT if self.mode == "hinton" else HINT

    def _cell_tip(self, cell: Cell) -> str:
        p, _, row, col = cell
        return f"{self.hover_text(p, row, col)}\n{MEANING[p]}"

    def _on_grid_cell_hovered(self, cell: Cell | None) -> None:
        self._hover_at((cell[0], cell[2], cell[3]) if cell else None)

    def _on_grid_cell_clicked(self, cell: Cell) -> None:
        p, _, row, col = cell
        self.session.select(Selection("cell", p, t=self.session.state.t, row=row, col=col))
