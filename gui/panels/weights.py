"""The network's parameters as Hinton diagrams, the classic tlearn / SNNS weight display.

One diagram per parameter (U, W, V, b, c, and h0 when it is trained; Eqs. 1, 2, 3, 4), titled
in the current notation: the matrices in a row, the vectors below. Each cell holds a square whose
side is |weight| / s in the weight's colour (red +, blue -; the colour of its edges in the graph
views), with one symmetric scale s = max |weight| over all parameters of the network, rounded up
(:func:`gui.encoding.network_weights`), so squares compare across matrices. A heatmap mode (same
scale as a colour bar) and a table mode are the alternatives. Hovering shows a weight's exact
value, clicking selects it for the inspector.

Weights do not change while stepping through a trace, so the panel ignores the cursor; it redraws
when the network changes (a new trace, e.g. during training) and relabels when the notation does.
Shapes are always taken from the arrays (W need not be square).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import (
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.model import SRN
from core.notation import MEANING
from core.selection import Selection
from core.tdl import TDL, buffer_names
from gui.encoding import Encoding, network_weights, sign_text
from gui.panels.base import Panel, changed
from gui.panels.gradients import header_names, mode_body, mode_buttons
from gui.session import Session
from gui.widgets.canvas import canvas
from gui.widgets.heatmap import Heatmap, index_ticks
from gui.widgets.hinton import HintonItem, HintonKey, Square, as_matrix
from gui.widgets.plots import ColorScale
from gui.widgets.table import MatrixModel, fit_columns

HINT = "hover a weight for its exact value · click to inspect its gradient"


@dataclass(frozen=True, slots=True)
class WeightsView:
    """What the panel shows: the network (compared by identity: networks are immutable), the
    parameters shown and their titles in the notation."""

    net: SRN | TDL
    params: tuple[str, ...]
    titles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WeightsDisplay:
    """What is drawn.

    mode : "hinton", "heatmap" or "table".  values : per parameter the array drawn, in its own
    shape.  scale : the magnitude of a full square (and the colour bar's end).  titles : plot
    titles.  squares : in Hinton mode, per parameter (row, col, size, sign); None otherwise.
    legend : the Hinton key's text.  hover : the line under the mouse.  table : (parameter,
    texts, row names, column names) in table mode, else None.
    """

    mode: str
    values: dict[str, NDArray[np.floating]]
    scale: float
    titles: tuple[str, ...]
    squares: dict[str, list[Square]] | None
    legend: str
    hover: str
    table: tuple[str, list[list[str]], tuple[str, ...], tuple[str, ...]] | None


def weights_view(session: Session) -> WeightsView:
    """The view state: the network and the parameter titles in the session's notation."""
    net, n = session.net, session.notation
    params = net.trainable()
    return WeightsView(net, params, tuple(n[p] for p in params))


class WeightsPanel(Panel[WeightsView]):
    """Hinton diagrams (or heatmaps, or a table) of the current network's parameters.

    Parameters
    ----------
    session : the session to observe.  parent : the Qt parent.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.mode = "hinton"
        self.mode_group, self.mode_buttons = mode_buttons(self, self.mode)
        self.mode_buttons["heatmap"].setToolTip(
            f"Colour each weight by its value on the network's symmetric scale ({sign_text()})"
        )
        self.mode_buttons["hinton"].setToolTip(
            "Hinton diagrams: square side = |weight| / the network's largest |weight|, "
            f"colour = the weight's ({sign_text()})"
        )
        self.mode_buttons["table"].setToolTip("Show the exact weights of one parameter as a table")
        self.param_box, self.hover, self.canvas, self.stack = mode_body(
            self,
            self.mode_buttons,
            self._build_table(),
            "The parameter the table shows",
            HINT,
            canvas(),
        )
        self.maps: dict[str, Heatmap] = {}
        self.hintons: dict[str, HintonItem] = {}
        self.color_bar = ColorScale(Encoding("unset", 1.0), horizontal=True)
        self.key = HintonKey()
        self._shapes: dict[str, tuple[int, ...]] = {}
        self._scale = 1.0
        self.mode_group.buttonToggled.connect(self._on_mode_group_toggled)
        self.param_box.currentIndexChanged.connect(self._on_param_box_changed)
        self.canvas.scene().sigMouseMoved.connect(self._on_canvas_mouse_moved)
        self.canvas.scene().sigMouseClicked.connect(self._on_canvas_mouse_clicked)
        self._start()
        # weights do not change while stepping: a cursor step costs this panel nothing
        self.session.cursorChanged.disconnect(self._on_session_cursor_changed)

    def _build_table(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(4, 4, 4, 4)
        self.model = MatrixModel(self)
        self.table_title = QLabel()
        self.table = QTableView()
        self.table.setModel(self.model)
        column.addWidget(self.table_title)
        column.addWidget(self.table, 1)
        return page

    # -- per network ------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        net = self.session.net
        params = net.trainable()
        shapes = {p: net.params()[p].shape for p in params}
        if shapes != self._shapes:
            self._layout_plots(shapes)
        names: tuple[str, ...] = self.session.dataset.input_names
        if isinstance(net, TDL):  # U = [U_0 ... U_omega]: a column per buffer unit
            names = buffer_names(names, net.window)
        columns = int(net.U.shape[1])
        names = names if columns <= 8 else ()
        self.maps["U"].plot.getAxis("bottom").setTicks(
            index_ticks(columns, names=names, max_labels=columns)  # the axis shows what fits
        )
        current = self.param_box.currentData()
        self.param_box.blockSignals(True)
        self.param_box.clear()
        for p in params:
            self.param_box.addItem(self.session.notation[p], p)
        self.param_box.setCurrentIndex(params.index(current) if current in params else 0)
        self.param_box.blockSignals(False)

    def _layout_plots(self, shapes: dict[str, tuple[int, ...]]) -> None:
        """The matrices in a row, the vectors in a row below, the scale (colour bar or Hinton
        key) at the bottom."""
        c = self.canvas
        c.clear()
        self.maps.clear()
        self.hintons.clear()
        self._shapes = dict(shapes)
        rows_of = (c.addLayout(row=0, col=0), c.addLayout(row=1, col=0))
        for k, layout in enumerate(rows_of):
            layout.layout.setContentsMargins(0, 0, 0, 0)
            c.ci.layout.setRowStretchFactor(k, 3 - k)
        for p, shape in shapes.items():
            rows, cols = as_matrix(np.zeros(shape)).shape
            m = Heatmap(cursor=False)
            hinton = HintonItem()
            layout = rows_of[len(shape) == 1]
            column = len(layout.items)
            layout.addItem(m.plot, row=0, col=column)
            layout.layout.setColumnStretchFactor(column, 1 + cols)
            m.set_grid(cols, rows)
            hinton.set_grid(rows, cols)
            m.plot.addItem(hinton, ignoreBounds=True)
            m.plot.getAxis("left").setTicks(index_ticks(rows, max_labels=rows))
            m.plot.getAxis("left").setWidth(24)
            ticks = index_ticks(cols, max_labels=cols) if cols > 1 else [[], []]
            m.plot.getAxis("bottom").setTicks(ticks)
            self.maps[p], self.hintons[p] = m, hinton
        c.addItem(self.color_bar, row=2, col=0)
        c.addItem(self.key, row=3, col=0)
        self.color_bar.setImageItem([m.image for m in self.maps.values()])
        self._show_mode()

    def _show_mode(self) -> None:
        hinton = self.mode == "hinton"
        for p, m in self.maps.items():
            m.image.setVisible(not hinton)
            m.blank.setVisible(not hinton)
            self.hintons[p].setVisible(hinton)
        self.color_bar.setVisible(not hinton)
        self.key.setVisible(hinton)

    # -- per change -------------------------------------------------------------------------------
    def _compute_view(self) -> WeightsView:
        return weights_view(self.session)

    def _apply(self, new: WeightsView, old: WeightsView | None) -> None:
        if changed(new, old, "net"):
            params = new.net.params()
            encoding = network_weights(new.net)
            self._scale = encoding.magnitude
            self.color_bar.set_encoding(encoding)
            self.key.set_encoding(encoding)
            hinton = self.mode == "hinton"
            for p in new.params:  # only the shown representation is drawn
                if hinton:
                    self.hintons[p].set_encoding(encoding)
                    self.hintons[p].set_values(params[p])
                else:
                    self.maps[p].set_values(as_matrix(params[p]).T)
        if changed(new, old, "titles"):
            n = self.session.notation
            for p, title in zip(new.params, new.titles, strict=True):
                shape = "×".join(str(k) for k in self._shapes[p])
                self.maps[p].plot.setTitle(f"{title}  ({shape})", size="10pt")
                self.maps[p].plot.setToolTip(n.tooltip(p))
                self.param_box.setItemText(self.param_box.findData(p), title)
        if self.mode == "table":
            self._fill_table()

    # -- modes ------------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        """Show Hinton diagrams ("hinton"), heatmaps ("heatmap") or a table ("table")."""
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
        self._show_mode()
        self._view = None  # draw the network in the newly shown items
        self._refresh()

    def _on_param_box_changed(self, index: int) -> None:
        if self.mode == "table":
            self._fill_table()

    def _fill_table(self) -> None:
        p = self.param_box.currentData() or "U"
        rows, cols = header_names(self.session, p)
        self.model.set_matrix(self.session.net.params()[p], rows, cols)
        fit_columns(self.table)
        n = self.session.notation
        self.table_title.setText(f"{n[p]}: {MEANING[p]}")

    # -- reading and pointing ---------------------------------------------------------------------
    def displayed(self) -> WeightsDisplay:
        """What the panel draws in its current mode (see :class:`WeightsDisplay`)."""
        self._catch_up()
        shapes = self._shapes
        if self.mode == "hinton":
            values = {p: h.shown().reshape(shapes[p]) for p, h in self.hintons.items()}
            squares: dict[str, list[Square]] | None = {
                p: h.squares() for p, h in self.hintons.items()
            }
        else:
            values = {p: m.shown().T.reshape(shapes[p]) for p, m in self.maps.items()}
            squares = None
        titles = tuple(m.plot.titleLabel.text for m in self.maps.values())
        table = None
        if self.mode == "table":
            p = self.param_box.currentData()
            names = header_names(self.session, p)
            table = (p, self.model.texts(), *names)
        return WeightsDisplay(
            self.mode,
            values,
            self._scale,
            titles,
            squares,
            self.key.text(),
            self.hover.text(),
            table,  # type: ignore[arg-type]
        )

    def hover_text(self, p: str, row: int, col: int) -> str:
        """The exact value of weight (row, col) of p in the notation, e.g. ``W[2,3] = -0.417``."""
        n, value = self.session.notation, self.session.net.params()[p]
        if value.ndim == 1:
            return f"{n[p]}[{row + 1}] = {float(value[row]):.6g}  ({MEANING[p]})"
        rows, cols = header_names(self.session, p)
        return (
            f"{n[p]}[{row + 1},{col + 1}] = {float(value[row, col]):.6g}"
            f"  ({MEANING[p]}: from {cols[col]} to {rows[row]})"
        )

    def _cell(self, pos: QPointF) -> tuple[str, int, int] | None:
        for p, m in self.maps.items():
            cell = m.cell_at(pos)
            if cell is not None:
                return p, cell[1], cell[0]  # x is the column, y the row
        return None

    def _set_hover_tip(self, text: str) -> None:
        self.canvas.setToolTip(text)

    def _hover_hint(self) -> str:
        return HINT

    def _on_canvas_mouse_moved(self, pos: QPointF) -> None:
        self._hover_at(self._cell(pos))

    def _on_canvas_mouse_clicked(self, event: object) -> None:
        if event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        cell = self._cell(event.scenePos())  # type: ignore[attr-defined]
        if cell is not None:
            p, row, col = cell
            t = self.session.state.t
            self.session.select(Selection("cell", p, t=t, row=row, col=col))
