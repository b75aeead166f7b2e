"""Parameter gradients: this step's contribution beside the gradient accumulated so far.

For every parameter (U, W, V, b, c, and h0 when it is trained) two heatmaps share a column: the
terms the backward step at the cursor adds (seeds/004 eq. 84-88 for one t, ``StepState.
contribution``) and their sum over the steps visited so far (``StepState.accumulated``). Each has
its own fixed symmetric colour range per trace (a single step is much smaller than the sum over a
long sequence). Hovering shows the exact numbers, clicking selects the cell for the inspector.

Three display modes: heatmaps (colour = value), Hinton diagrams (square side = |value| / the same
per-trace level, colour = sign) and tables of both matrices of one parameter. The mode stays while
stepping and across new traces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, Qt
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
from gui.panels.base import Panel, canvas, changed, hover_label
from gui.panels.colormaps import INK, diverging, symmetric_levels
from gui.panels.heatmap import Heatmap, index_ticks
from gui.panels.hinton import HintonItem, HintonKey, Square
from gui.panels.plots import ColorScale, SteadyLabel
from gui.panels.table import MatrixModel
from gui.session import Session

HINT = "hover a cell for its exact value · click to inspect its sum over time"
HINTON_HINT = "side = |value| / the scale below, red +, blue − · hover or click a cell"
Levels = tuple[float, float]
#: display modes: (key, button text, tooltip)
MODES = (
    ("heatmap", "Heatmap", "Colour each cell by its value (blue negative, red positive)"),
    (
        "hinton",
        "Hinton",
        "Hinton diagrams: square side = |value| / the colour bar's end, colour = sign",
    ),
    ("table", "Table", "Show the exact numbers of one parameter as tables"),
)


@dataclass(frozen=True, slots=True)
class GradientsView:
    """What the panel shows at one cursor position.

    position : the cursor position (the arrays come from the session's state there).
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
    return GradientsView(state.position, params, titles, rows)


def row_headers(t: int | None) -> tuple[str, str]:
    """The two row headers at backward step t, or during the forward sweep (t None)."""
    if t is None:
        return "this step: none (forward)", "accumulated: 0"
    return f"this step t = {t}", f"accumulated, t ≥ {t}"


def gradient_levels(trace: Trace) -> dict[str, tuple[Levels, Levels]]:
    """Symmetric colour ranges per parameter: (largest single-step term, largest partial sum).

    The contribution of step t to U, W or V is an outer product, whose largest magnitude is
    max|δ(t)| · max|activation(t)|; the partial sums are scanned by :func:`suffix_peak`.
    """
    dh, do, x, h = trace.delta_h, trace.delta_o, trace.x, trace.h
    amax = lambda a: np.abs(a).max(axis=1)  # noqa: E731 - per time step
    pairs = {"U": (dh, x), "W": (dh, h[:-1]), "V": (do, h[1:])}
    out: dict[str, tuple[Levels, Levels]] = {}
    for p, (left, right) in pairs.items():
        out[p] = (
            symmetric_levels(amax(left) * amax(right)),
            symmetric_levels([suffix_peak(left, right)]),
        )
    for p, delta in (("b", dh), ("c", do)):
        out[p] = (symmetric_levels(delta), symmetric_levels(np.cumsum(delta[::-1], axis=0)))
    out["h0"] = (symmetric_levels(trace.delta_h0),) * 2
    return out


def suffix_peak(
    left: NDArray[np.floating], right: NDArray[np.floating], samples: int = 256
) -> float:
    """max over t of |Σ_{s ≥ t} left(s) right(s)^T|, elementwise: the largest partial sum.

    Exact for T <= ``samples``; for longer sequences the partial sums are taken at every
    ⌈T / samples⌉-th step (a colour range, where a slightly low peak only saturates a cell).

    Parameters
    ----------
    left : (T, n) deltas.  right : (T, m) activations.
    """
    T = len(left)
    step = max(1, -(-T // samples))
    total = np.zeros((left.shape[1], right.shape[1]))
    peak = 0.0
    for stop in range(T, 0, -step):  # from the end, as the backward sweep accumulates
        start = max(0, stop - step)
        total += left[start:stop].T @ right[start:stop]
        peak = max(peak, float(np.abs(total).max()))
    return peak


def _image(values: NDArray[np.floating]) -> NDArray[np.floating]:
    """A parameter-shaped array as a heatmap image: columns along x, rows along y."""
    arr = np.asarray(values, dtype=np.float64)
    return arr[None, :] if arr.ndim == 1 else arr.T


def _matrix(image: NDArray[np.floating], shape: tuple[int, ...]) -> NDArray[np.floating]:
    """The inverse of :func:`_image`."""
    return image[0] if len(shape) == 1 else image.T


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
    cols = ds.input_names if p == "U" else context if p == "W" else hidden
    return tuple(rows), tuple(cols)


def mode_buttons(parent: QWidget, default: str) -> tuple[QButtonGroup, dict[str, QToolButton]]:
    """Exclusive checkable buttons Heatmap / Hinton / Table with tooltips, ``default`` checked."""
    group = QButtonGroup(parent)
    group.setExclusive(True)
    buttons = {}
    for key, text, tip in MODES:
        button = QToolButton(text=text)
        button.setCheckable(True)
        button.setToolTip(tip)
        button.setChecked(key == default)
        group.addButton(button)
        buttons[key] = button
    return group, buttons


def mode_body(
    panel: QWidget, buttons: dict[str, QToolButton], table_page: QWidget, param_tip: str, hint: str
) -> tuple[QComboBox, QLabel, pg.GraphicsLayoutWidget, QStackedWidget]:
    """The body of a panel with display modes, set as ``panel``'s layout: a bar with the mode
    ``buttons``, a parameter box (shown in table mode) and the hover line, over a stack of the
    plot canvas (page 0) and ``table_page`` (page 1).

    Returns the parameter box, the hover line, the canvas and the stack.
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
    plots = canvas()
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

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.mode = "heatmap"
        self.mode_group, self.mode_buttons = mode_buttons(self, self.mode)
        self.table_button = self.mode_buttons["table"]
        self.param_box, self.hover, self.canvas, self.stack = mode_body(
            self, self.mode_buttons, self._build_tables(), "The parameter the tables show", HINT
        )
        self.maps: dict[str, tuple[Heatmap, Heatmap]] = {}
        self.bars: dict[str, tuple[ColorScale, ColorScale]] = {}
        self.hintons: dict[str, tuple[HintonItem, HintonItem]] = {}
        self.keys: dict[str, tuple[HintonKey, HintonKey]] = {}
        self.row_labels = tuple(SteadyLabel("", angle=-90, color=INK, size="9pt") for _ in range(2))
        self._levels: dict[str, tuple[Levels, Levels]] = {}
        self._shapes: dict[str, tuple[int, ...]] = {}
        self.mode_group.buttonToggled.connect(self._on_mode_group_toggled)
        self.param_box.currentIndexChanged.connect(self._on_param_box_changed)
        self.canvas.scene().sigMouseMoved.connect(self._on_canvas_mouse_moved)
        self.canvas.scene().sigMouseClicked.connect(self._on_canvas_mouse_clicked)
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
            view.horizontalHeader().setDefaultSectionSize(72)
            column.addWidget(view, 1)
            row.addLayout(column, 1)
        return page

    # -- per trace --------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        trace = self.session.trace
        params = trace.net.trainable()
        self._levels = gradient_levels(trace)
        if tuple(self.maps) != params or self._shapes != self._param_shapes():
            self._layout_plots(params)
        names = self.session.dataset.input_names if trace.net.n_in <= 6 else ()
        for m in self.maps["U"]:
            m.plot.getAxis("bottom").setTicks(
                index_ticks(trace.net.n_in, names=names, max_labels=6)
            )
        for p in params:
            for m, bar, hinton, key, levels in zip(
                self.maps[p], self.bars[p], self.hintons[p], self.keys[p], self._levels[p],
                strict=True,
            ):  # fmt: skip
                m.set_levels(levels)
                bar.setLevels(levels)
                hinton.set_scale(levels[1])
                key.set_scale(levels[1])
        T = trace.T  # the row headers keep the room of their longest text: no relayout per step
        for i, label in enumerate(self.row_labels):
            label.reserve([row_headers(None)[i], row_headers(T)[i]])
        self.param_box.blockSignals(True)
        current = self.param_box.currentData()
        self.param_box.clear()
        for p in params:
            self.param_box.addItem(p, p)
        self.param_box.setCurrentIndex(max(0, params.index(current) if current in params else 0))
        self.param_box.blockSignals(False)

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        return {p: a.shape for p, a in self.session.net.params().items()}

    def _layout_plots(self, params: tuple[str, ...]) -> None:
        """One column per parameter: this step, accumulated, each with a colour bar (heatmap)
        or a Hinton key (Hinton mode) below; rows 1-3 and 4-6 of the canvas."""
        c = self.canvas
        c.clear()
        self.maps.clear()
        self.bars.clear()
        self.hintons.clear()
        self.keys.clear()
        self._shapes = self._param_shapes()
        c.addItem(self.row_labels[0], row=1, col=0)
        c.addItem(self.row_labels[1], row=4, col=0)
        for col, p in enumerate(params, start=1):
            shape = self._shapes[p]
            rows, cols = shape[0], shape[1] if len(shape) == 2 else 1
            pair = (Heatmap(cursor=False), Heatmap(cursor=False))
            bars = (
                ColorScale(diverging(), (-1, 1), horizontal=True),
                ColorScale(diverging(), (-1, 1), horizontal=True),
            )
            hintons = (HintonItem(), HintonItem())
            keys = (HintonKey(), HintonKey())
            for k, (m, bar, hinton, key) in enumerate(zip(pair, bars, hintons, keys, strict=True)):
                c.addItem(m.plot, row=1 + 3 * k, col=col)
                c.addItem(bar, row=2 + 3 * k, col=col)
                c.addItem(key, row=3 + 3 * k, col=col)
                bar.setImageItem(m.image)
                m.set_grid(cols, rows)
                hinton.set_grid(rows, cols)
                m.plot.addItem(hinton, ignoreBounds=True)
                m.plot.getAxis("left").setTicks(index_ticks(rows, max_labels=8))
                ticks = index_ticks(cols, max_labels=6) if cols > 1 else [[], []]
                m.plot.getAxis("bottom").setTicks(ticks)
                m.plot.getAxis("left").setWidth(24)
            self.maps[p], self.bars[p] = pair, bars
            self.hintons[p], self.keys[p] = hintons, keys
            c.ci.layout.setColumnStretchFactor(col, 3 if len(shape) == 2 else 2)
        c.ci.layout.setRowStretchFactor(1, 1)
        c.ci.layout.setRowStretchFactor(4, 1)
        self._show_mode()

    def _show_mode(self) -> None:
        """Show the heatmaps and colour bars, or the Hinton diagrams and keys."""
        hinton = self.mode == "hinton"
        for p, pair in self.maps.items():
            for m, bar, item, key in zip(
                pair, self.bars[p], self.hintons[p], self.keys[p], strict=True
            ):
                m.image.setVisible(not hinton)
                m.blank.setVisible(not hinton)
                bar.setVisible(not hinton)
                item.setVisible(hinton)
                key.setVisible(hinton)

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> GradientsView:
        s = self.session
        return gradients_view(s.trace, s.state, s.notation)

    def _apply(self, new: GradientsView, old: GradientsView | None) -> None:
        state = self.session.state
        if changed(new, old, "position"):
            hinton = self.mode == "hinton"
            for p in new.params:
                acc = state.accumulated[p]
                contribution = state.contribution
                cur = np.full(acc.shape, np.nan) if contribution is None else contribution[p]
                if hinton:  # only the shown representation is updated
                    for item, values in zip(self.hintons[p], (cur, acc), strict=True):
                        item.show(values)
                else:
                    for m, values in zip(self.maps[p], (cur, acc), strict=True):
                        m.show(_image(values))
        if changed(new, old, "titles"):
            n = self.session.notation
            for p, title in zip(new.params, new.titles, strict=True):
                plot = self.maps[p][0].plot
                plot.setTitle(title, size="10pt")
                plot.setToolTip(f"{n.tooltip(p)}: gradient {title}")
                self.param_box.setItemText(self.param_box.findData(p), n[p])
        if changed(new, old, "rows"):
            for label, text in zip(self.row_labels, new.rows, strict=True):
                label.setText(text, color=INK, size="9pt")
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
        self._show_mode()
        self._view = None  # draw the current position in the newly shown items
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
        for model, values in zip(self.models, (step, acc), strict=True):
            model.set_matrix(values, rows, cols)
        view = self._view or self._compute_view()
        self.table_titles[0].setText(f"∂{n['L']}/∂{n[p]}: {view.rows[0]}")
        self.table_titles[1].setText(f"∂{n['L']}/∂{n[p]}: {view.rows[1]}")

    def _header_names(self, p: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return header_names(self.session, p)

    # -- reading and pointing ---------------------------------------------------------------------
    def displayed(self) -> GradientsDisplay:
        """The arrays drawn (by the heatmaps, or the Hinton diagrams in Hinton mode), their
        colour ranges, labels, the squares in Hinton mode and the texts in table mode."""
        self._catch_up()
        shapes = self._shapes
        squares = None
        if self.mode == "hinton":
            shown = {p: (h[0].shown(), h[1].shown()) for p, h in self.hintons.items()}
            step = {p: s[0].reshape(shapes[p]) for p, s in shown.items()}
            acc = {p: s[1].reshape(shapes[p]) for p, s in shown.items()}
            squares = {p: (h[0].squares(), h[1].squares()) for p, h in self.hintons.items()}
        else:
            step = {p: _matrix(m[0].shown(), shapes[p]) for p, m in self.maps.items()}
            acc = {p: _matrix(m[1].shown(), shapes[p]) for p, m in self.maps.items()}
        levels = {p: (tuple(b[0].levels()), tuple(b[1].levels())) for p, b in self.bars.items()}
        titles = tuple(self.maps[p][0].plot.titleLabel.text for p in self.maps)
        rows = (self.row_labels[0].text, self.row_labels[1].text)
        table = None
        if self.stack.currentIndex() == 1:
            table = (self.param_box.currentData(), self.models[0].texts(), self.models[1].texts())
        return GradientsDisplay(
            step,
            acc,
            levels,  # type: ignore[arg-type]
            titles,
            rows,
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

    def _cell(self, pos: QPointF) -> tuple[str, int, int] | None:
        for p, pair in self.maps.items():
            for m in pair:
                cell = m.cell_at(pos)
                if cell is not None:
                    return p, cell[1], cell[0]  # image x is the column, y the row
        return None

    def _hint(self) -> str:
        return HINTON_HINT if self.mode == "hinton" else HINT

    def _on_canvas_mouse_moved(self, pos: QPointF) -> None:
        cell = self._cell(pos)
        text = self.hover_text(*cell) if cell is not None else self._hint()
        self.hover.setText(text)
        tip = f"{text}\n{MEANING[cell[0]]}" if cell is not None else ""
        self.canvas.setToolTip(tip)

    def _on_canvas_mouse_clicked(self, event: object) -> None:
        if event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        cell = self._cell(event.scenePos())  # type: ignore[attr-defined]
        if cell is not None:
            p, row, col = cell
            t = self.session.state.t
            self.session.select(Selection("cell", p, t=t, row=row, col=col))
