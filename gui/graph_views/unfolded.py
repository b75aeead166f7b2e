"""The unfolded network of BPTT: one column per time step, lit as the sweeps pass.

Forward sweep: the columns computed so far show their activations, the future is dimmed, the
current column is highlighted. Backward sweep: from T down to the cursor the nodes show their
deltas (times the notation's ``delta_sign``), the gradient passing through W^T from column t+1 to
column t is highlighted and labelled. A truncated trace shows the window through which L(t)
propagates (``Trace.window``), the loss terms reaching the current step, and chunk boundaries.

Geometry (positions, edges, bundles) is built only when the shape (I, H, O, T) changes; a cursor
step only recolours the column or two whose values changed (numpy lookups into colour tables) and
moves a few rectangles. A sequence longer than ``MAX_STEPS`` steps is shown as a window of at
most that many columns that follows the cursor, and only the columns on screen (and as many
again around them) are built: zooming or panning past them builds the new ones.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPolygonItem, QGraphicsRectItem, QWidget

from core.graphs import (
    EDGE_KINDS,
    UNFOLDED_LAYERS,
    GraphArrays,
    NodeId,
    count_window_edges,
    edge_weights,
    unfolded_arrays,
    unfolded_bands,
    unfolded_layer_steps,
    unfolded_window,
    window_of,
)
from core.selection import Selection
from gui.encoding import UNKNOWN_ROW, network_weights
from gui.graph_views.base import GraphView, segment_distance
from gui.graph_views.curves import DeviceCurve, EdgeLines, by_strength, pen_groups
from gui.graph_views.legend import Entry, encoding_entries
from gui.graph_views.nodes import NodeDisks
from gui.graph_views.state import (
    UnfoldedDisplay,
    UnfoldedOptions,
    UnfoldedState,
    changed_columns,
    layer_values,
    unfolded_state,
    unit_label,
)
from gui.graph_views.texts import node_name, unfolded_node_text, weight_text
from gui.graph_views.theme import Theme, qcolor, sign_colours, table_brushes
from gui.graph_views.unfolded_parts import (
    ArgbImage,
    BundleItem,
    StepAxis,
    Veil,
    recurrent_bundle,
    strip_columns,
    strip_image,
    strip_pixels,
)
from gui.session import Session
from gui.widgets.time_window import MAX_STEPS, centred

#: above this many edges (or nodes) the units are always bundled
EDGE_LIMIT = 6000
NODE_LIMIT = 4000
#: below this column width (px) the units are bundled
MIN_COLUMN_PX = 28.0
#: a column narrower than this (px) drops the gaps between heatmap strips
GAP_COLUMN_PX = 6.0
#: unit labels on the left axis need this much height per unit (px)
LABEL_UNIT_PX = 13.0
#: the room under the input band for the gradient-flow label, px
FLOW_LABEL_PX = 32.0
EDGE_WIDTHS = (0.6, 1.2, 2.0)
#: the edges' opacity by width class: the unfolded graph repeats every edge at every step, and
#: its many overlapping lines read as bundles when they are translucent (tints of their colour)
EDGE_ALPHAS = (110, 160, 210)
_LOSS = EDGE_KINDS.index("loss")
_W = EDGE_KINDS.index("W")
_V = EDGE_KINDS.index("V")


def _differs(old: UnfoldedState | None, new: UnfoldedState, *fields: str) -> bool:
    """Whether any of the fields changed (always, when nothing is drawn yet)."""
    return old is None or any(getattr(old, f) != getattr(new, f) for f in fields)


def _rect_item(z: float) -> QGraphicsRectItem:
    item = QGraphicsRectItem()
    item.setPen(QPen(Qt.PenStyle.NoPen))
    item.setZValue(z)
    item.setVisible(False)
    return item


class UnfoldedGraphView(GraphView):
    """The SRN unrolled over the trace's T steps, coloured by the cursor's moment of BPTT.

    Parameters
    ----------
    session : the session to observe (trace, cursor, notation) and to report selections to.
    parent : the parent widget.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._options = UnfoldedOptions()
        self._drawn: UnfoldedState | None = None
        self._arrays: GraphArrays | None = None
        self._shape: tuple[int, int, int, int] | None = None
        self._context = "hidden"  # the network's context (core.model.CONTEXTS, or "none")
        self._window = 0  # a tapped delay line's window
        self._windowed = False  # more than MAX_STEPS columns: a window follows the cursor
        self._steps = (0, 0)  # the columns built (all of 0..T unless windowed)
        self._layer_steps: dict[str, tuple[int, int]] = {}  # each layer's steps among them
        self._units: dict[str, int] = {}  # each layer's units
        self._bands: dict[str, tuple[float, float]] = {}
        self._trace_drawn: object = None
        self._values = np.zeros(0)
        self._segments = np.zeros((0, 2, 2))
        self._weights = np.zeros(0)
        self._net_drawn: object = None
        self._lod = "detailed"
        self._gaps = True
        self._colour_rows = np.zeros(0, np.intp)
        self._fills = np.zeros((0, 4), np.uint8)
        self._unknown = np.zeros(0, bool)  # the known/unknown split the node pens were set for
        self._pens_for: Theme | None = None  # and the theme they were made from
        self._band_extent = (0.0, 0.0)
        self._axis_texts: list[str] = []
        self._slices: dict[str, slice] = {}
        self._columns_theme: object = None
        self._y_extent = (0.0, 1.0)

        self._toolbar.addAction(self._fit_action)
        self._step_axis = StepAxis()
        self._plot_item.setAxisItems({"top": self._step_axis})
        self._plot_item.showAxis("top")
        self._plot_item.hideAxis("bottom")
        self._left_axis: pg.AxisItem = self._plot_item.getAxis("left")
        self._left_axis.setWidth(58)
        for axis in (self._left_axis, self._step_axis):  # static between steps: cached pixmaps
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._view_box.setMouseEnabled(x=True, y=True)

        add = self._plot_item.addItem
        self._band = _rect_item(-10)
        self._window_rect = _rect_item(-9)
        self._fog = Veil()
        self._fog.setZValue(40)
        for item in (self._band, self._window_rect, self._fog):
            add(item)
        self._chunk_lines = DeviceCurve(connect="pairs")
        self._chunk_lines.setZValue(-8)
        add(self._chunk_lines)
        self._bundles = BundleItem()
        self._bundles.setZValue(0)
        add(self._bundles)
        self._flow_ribbon = QGraphicsPolygonItem()
        self._flow_ribbon.setZValue(1)
        add(self._flow_ribbon)
        # one pen per (weight colour, width): every edge has its weight's colour
        self._edge_lines = EdgeLines()
        self._edge_lines.setZValue(2)
        add(self._edge_lines)
        self._loss_edges = DeviceCurve(connect="pairs")
        self._loss_edges.setZValue(2)
        add(self._loss_edges)
        # the edges change with the weights, not the cursor: a step repaints them from a pixmap
        for item in (self._edge_lines, self._loss_edges):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._flow_edges = DeviceCurve(connect="pairs", antialias=True)
        self._flow_edges.setZValue(5)
        add(self._flow_edges)
        self._strips: dict[str, ArgbImage] = {}
        #: per strip, its pixels (the image it shows; a step recolours a column of them)
        self._strip_pixels: dict[str, NDArray[np.uint32]] = {}
        #: per strip, its colour table and the table's pixels (see strip_pixels)
        self._pixels_for: dict[str, tuple[object, NDArray[np.uint32]]] = {
            layer: (None, np.zeros(0, np.uint32)) for layer in UNFOLDED_LAYERS
        }
        for layer in UNFOLDED_LAYERS:
            img = ArgbImage(axisOrder="row-major")
            img.setZValue(20)
            add(img)
            self._strips[layer] = img
        self._nodes = NodeDisks(size=12)
        self._nodes.setZValue(20)
        add(self._nodes)
        self._rings = pg.ScatterPlotItem(pxMode=True, size=20, brush=None)
        self._rings.setZValue(45)
        add(self._rings)
        self._flow_arrow = pg.ArrowItem(angle=0, headLen=16, tipAngle=35, baseAngle=20)
        self._flow_arrow.setZValue(50)
        add(self._flow_arrow)
        self._flow_label = pg.TextItem(anchor=(0.5, 0.0))  # its top edge: see _place_flow_label
        self._flow_styled: tuple[object, str] | None = None  # (theme, lod) the flow is coloured for
        self._flow_label.setToolTip("the gradient arriving from the next step through W transposed")
        self._matrix_labels = {n: pg.TextItem(anchor=(0.5, 0.5)) for n in ("U", "W", "V")}
        for item in (self._flow_label, *self._matrix_labels.values()):
            item.setZValue(50)
            add(item)

        self._view_box.sigRangeChanged.connect(self._on_view_range_changed)
        self._view_box.sigResized.connect(self._on_view_range_changed)
        self._rebuild()
        self._redraw(force=True)
        self.fit()

    # -- public -------------------------------------------------------------------------------
    @property
    def lod(self) -> str:
        """ "detailed" or "bundled"."""
        return self._lod

    def displayed_values(self) -> UnfoldedDisplay:
        """What is drawn, as numbers (see :class:`UnfoldedDisplay`)."""
        s, a = self._drawn, self._arrays
        assert s is not None and a is not None
        texts = tuple(
            item.toPlainText()
            for item in (self._flow_label, *self._matrix_labels.values())
            if item.isVisible() and item.toPlainText()
        )
        return UnfoldedDisplay(
            mode=s.mode,
            position=s.position,
            t=s.t,
            T=s.T,
            node_ids=a.node_ids,
            values=self._values.copy(),
            colour_index=self._colour_rows.copy(),
            fills=self._fills.copy(),
            lit_columns=s.lit,
            current_column=s.current,
            band=self._band_extent,
            fog=self._fog.extent(),
            window=s.window if self._window_rect.isVisible() else None,
            propagated=s.propagated,
            chunk_starts=s.chunk_starts,
            flow=s.flow if self._flow_arrow.isVisible() else None,
            lod=self._lod,
            axis_labels=tuple(self._axis_texts),
            headers=tuple(self._step_axis.visible_strings()),
            texts=texts,
            legend=self._legend.texts(),
            index=a.index,
            steps=self._steps,
        )

    def node_position(self, node_id: NodeId) -> tuple[float, float]:
        """Data coordinates of a node (for pointing at it)."""
        assert self._arrays is not None
        p = self._arrays.pos[self._arrays.index[node_id]]
        return float(p[0]), float(p[1])

    def edge_point(self, param: str, t: int, row: int, col: int, at: float = 0.3) -> tuple:
        """Data coordinates of the point ``at`` of the way along edge param[row, col] at step t."""
        a = self._arrays
        assert a is not None and a.n_edges
        e = np.flatnonzero(
            (a.edge_kind == EDGE_KINDS.index(param))
            & (a.edge_t == t)
            & (a.edge_row == row)
            & (a.edge_col == col)
        )[0]
        p = (1 - at) * a.pos[a.edges[e, 0]] + at * a.pos[a.edges[e, 1]]
        return float(p[0]), float(p[1])

    def fit(self) -> None:
        if self._shape is None:
            return
        b = self._bands
        # under the inputs, room in pixels for the gradient-flow label (see _place_flow_label)
        span, height = b["L"][1] + 0.8 - b["x"][0], float(self._view_box.height())
        below = max(1.2, FLOW_LABEL_PX * span / max(height - FLOW_LABEL_PX, 1.0))
        self._view_box.setRange(
            xRange=self._fit_range(), yRange=(b["x"][0] - below, b["L"][1] + 0.8), padding=0
        )

    def _fit_range(self) -> tuple[float, float]:
        """The columns Fit shows: all, or for a long sequence MAX_STEPS around the cursor."""
        assert self._shape is not None
        T = self._shape[3]
        if not self._windowed:
            return -0.6, T + 0.6
        first, last = centred(self._session.state.t, 0, T)
        return first - 0.6, last + 0.6

    # -- geometry -----------------------------------------------------------------------------
    def _rebuild(self) -> None:
        net, T = self._session.net, self._session.trace.T
        shape = (net.n_in, net.n_hidden, net.n_out, T)
        window = window_of(net)  # a tapped delay line's window (0 otherwise)
        if (shape, net.context, window) == (self._shape, self._context, self._window):
            return
        first = self._shape is None
        self._shape, self._context, self._window = shape, net.context, window
        self._windowed = T + 1 > MAX_STEPS
        # a long sequence: at most MAX_STEPS columns on screen, around the cursor
        self._view_box.setLimits(maxXRange=MAX_STEPS + 1.2 if self._windowed else None)
        self._step_axis.set_T(T)
        self._bands = unfolded_bands(net.n_in, net.n_hidden, net.n_out)
        self._bundles.set_geometry(T, self._bands, jordan=net.jordan, recurrent=net.n_context > 0)
        lo, hi = self._bands["x"][0] - 1.2, self._bands["L"][1] + 1.2
        self._y_extent = (lo, hi)
        self._build_steps(self._wanted_steps(*self._fit_range()) if self._windowed else (0, T))
        if not first:
            self.fit()

    def _wanted_steps(self, x0: float, x1: float) -> tuple[int, int]:
        """The columns to build for a view of x0..x1: those on screen and half as many again on
        either side, so that panning that far builds nothing."""
        assert self._shape is not None
        margin = max((x1 - x0) / 2, 8.0)
        return max(0, math.floor(x0 - margin)), min(self._shape[3], math.ceil(x1 + margin))

    def _covers(self, x0: float, x1: float) -> bool:
        """Whether the built columns hold those of a view of x0..x1, and not many more (zoomed
        in, a narrower window may be drawn unit by unit)."""
        assert self._shape is not None
        first, last = self._steps
        need = max(0, math.ceil(x0 - 0.5)), min(self._shape[3], math.floor(x1 + 0.5))
        too_wide = last - first > 4 * max(x1 - x0, 16.0) + 32
        return first <= need[0] and need[1] <= last and not too_wide

    def _build_steps(self, steps: tuple[int, int]) -> None:
        """Build the geometry of columns steps[0]..steps[1]: nodes and edges one by one when
        there are few enough, else only what the layers' heatmap strips need."""
        assert self._shape is not None
        I, H, O, T = self._shape
        first, last = steps
        self._units = units = {"x": I, "h": H, "y": O, "L": 1}
        self._steps = steps
        self._layer_steps, self._slices = {}, {}
        row = 0
        for layer, (lo, hi) in unfolded_layer_steps(T, self._context).items():
            lo, hi = max(lo, first), min(hi, last)
            self._layer_steps[layer] = (lo, hi)
            size = max(0, hi - lo + 1) * units[layer]
            self._slices[layer] = slice(row, row + size)
            row += size
        edges = count_window_edges(I, H, O, first, last, self._context, self._window)
        detail = edges <= EDGE_LIMIT and row <= NODE_LIMIT
        if steps == (0, T):
            a = unfolded_arrays(I, H, O, T, detail, self._context, self._window)
        else:
            a = unfolded_window(I, H, O, T, first, last, detail, self._context, self._window)
        self._arrays = a
        self._segments = a.pos[a.edges] if detail else np.zeros((0, 2, 2))
        self._nodes.set_points(a.pos if detail else np.zeros((0, 2)))
        self._pens_for = None  # new nodes: set their pens
        self._strip_pixels = {}
        loss = a.edge_kind == _LOSS
        pts = self._segments[loss].reshape(-1, 2)
        self._loss_edges.setData(pts[:, 0], pts[:, 1])
        self._net_drawn = None
        self._drawn = None
        self._lod = "detailed" if detail else "bundled"

    def _want_lod(self) -> str:
        if self._arrays is None or self._arrays.n_edges == 0:
            return "bundled"
        sx, _ = self._pixel_size()
        return "detailed" if 1.0 / sx >= MIN_COLUMN_PX else "bundled"

    def _apply_weights(self) -> None:
        """Group the edges by pen (weight colour and width class); runs when the network
        changes. The colours are the weights' (``gui.encoding.network_weights``), as in the
        folded view and the Weights dock."""
        a, net = self._arrays, self._session.net
        assert a is not None
        self._net_drawn = net
        if a.n_edges == 0:
            return
        w = edge_weights(a, net)
        self._weights = w
        weighted = a.edge_kind != _LOSS
        enc = network_weights(net)
        n = len(EDGE_WIDTHS)
        key = enc.index(w) * n + enc.size_class(w, n)
        members = pen_groups(key, weighted)
        groups = []
        for k in by_strength(key[weighted], n):
            colour = qcolor(enc.table[k // n])
            colour.setAlpha(EDGE_ALPHAS[k % n])
            groups.append((pg.mkPen(colour, width=EDGE_WIDTHS[k % n]), self._segments[members[k]]))
        self._edge_lines.set_groups(groups)
        self._loss_edges.setPen(pg.mkPen(self._theme.grey(0.45), width=0.8))

    # -- drawing ------------------------------------------------------------------------------
    def _redraw(self, *, force: bool) -> None:
        if self._arrays is None:
            return
        session = self._session
        new = unfolded_state(
            session.trace, session.state, session.notation, self._options, self._steps
        )
        old = None if force else self._drawn
        if old is None:  # the nodes may be new items: set their pens
            self._pens_for = None
        lod = self._want_lod()
        sx, _ = self._pixel_size()
        gaps = 1.0 / sx >= GAP_COLUMN_PX
        lod_changed = lod != self._lod
        if gaps != self._gaps and lod == "bundled":
            lod_changed = True  # the strips change shape
        self._lod, self._gaps = lod, gaps
        if force or self._net_drawn is not session.net:
            self._apply_weights()
        if old is None or lod_changed:
            self._apply_lod()
        columns = None  # None: every drawn column's values, else the ranges that changed
        if old is not None and not lod_changed and self._trace_drawn is session.trace:
            columns = changed_columns(old, new)
        if columns is None or columns:
            self._apply_values(new, columns)
        self._trace_drawn = session.trace
        if _differs(old, new, "lit", "current", "mode", "T"):
            self._apply_columns(new)
        if _differs(old, new, "window", "propagated", "chunk_starts"):
            self._apply_truncation(new)
        if lod_changed or _differs(old, new, "flow", "layer_symbols"):
            self._apply_flow(new)
        if lod_changed or _differs(old, new, "layer_symbols"):
            self._apply_labels(new)
        if lod_changed or _differs(old, new, "mode", "encodings", "layer_symbols", "window"):
            self._update_legend(new)
        self._drawn = new
        self._update_status()

    def _apply_lod(self) -> None:
        detailed = self._lod == "detailed"
        self._nodes.setVisible(detailed)
        for item in (self._edge_lines, self._loss_edges, self._flow_edges):
            item.setVisible(detailed)
        for img in self._strips.values():
            img.setVisible(not detailed)
        self._bundles.setVisible(not detailed)
        grey = self._theme.grey(0.5)
        grey.setAlpha(70)
        self._bundles.set_brush(grey)
        if detailed:
            self._update_node_size()

    def _apply_values(self, s: UnfoldedState, columns: list[tuple[int, int]] | None = None) -> None:
        """The node values of the column ranges ``columns`` (every drawn column when None),
        their colour-table rows from each layer's encoding, and from the tables the brushes
        (detailed) or the pixels of the layers' heatmap strips (bundled)."""
        a = self._arrays
        assert a is not None
        trace = self._session.trace
        whole = columns is None
        if whole:
            self._values = np.full(a.n_nodes, np.nan)
            self._colour_rows = np.empty(a.n_nodes, np.intp)
            self._fills = np.empty((a.n_nodes, 4), np.uint8)
        bundled = self._lod != "detailed"
        for layer, enc in s.encodings:
            lo, hi = self._layer_steps[layer]
            block, n = self._slices[layer], self._units[layer]
            lut = enc.table
            if bundled and self._pixels_for[layer][0] is not lut:  # tables change with the mode
                self._pixels_for[layer] = (lut, strip_pixels(lut))
            for c0, c1 in [(lo, hi)] if columns is None else columns:
                t0, t1 = max(c0, lo), min(c1, hi)
                if t0 > t1:
                    continue
                values = layer_values(trace, s, layer, t0, t1)
                rows = enc.index(values)
                sl = slice(block.start + (t0 - lo) * n, block.start + (t1 - lo + 1) * n)
                self._values[sl] = values.ravel()
                self._colour_rows[sl] = rows.ravel()
                self._fills[sl] = lut[rows.ravel()]
                if bundled and not whole:
                    pixels = self._strip_pixels[layer]
                    table = self._pixels_for[layer][1]
                    x0, x1 = strip_columns(pixels, rows, t0, self._steps[0], self._gaps, table)
                    self._strips[layer].update(QRectF(x0, 0, x1 - x0, len(pixels)))
            if bundled and whole:
                self._set_strip(layer, lo, self._colour_rows[block].reshape(-1, n))
        if bundled:
            return
        th = self._theme
        brushes = np.empty(a.n_nodes, object)
        for layer, enc in s.encodings:
            sl = self._slices[layer]
            brushes[sl] = table_brushes(enc.gamma)[self._colour_rows[sl]]
        self._nodes.set_brushes(brushes)
        unknown = self._colour_rows == UNKNOWN_ROW
        # pens tell known from unknown: set them when that split changes, not every step
        if self._pens_for is not th or not np.array_equal(unknown, self._unknown):
            known_pen = pg.mkPen(th.grey(0.7), width=1.0)
            unknown_pen = pg.mkPen(th.grey(0.35), width=1.0, style=Qt.PenStyle.DotLine)
            pens = np.where(unknown, unknown_pen, known_pen)
            self._nodes.set_pens(list(pens))
            self._unknown, self._pens_for = unknown, th

    def _set_strip(self, layer: str, first_t: int, rows_by_t: NDArray[np.intp]) -> None:
        """A layer's heatmap strip over the drawn columns, from its nodes' colour-table rows."""
        assert self._arrays is not None
        table = self._pixels_for[layer][1]
        pixels, x0, width = strip_image(rows_by_t, first_t, self._steps, self._gaps, table)
        self._strip_pixels[layer] = pixels
        lo, hi = self._arrays.bands[layer]
        img = self._strips[layer]
        img.setImage(pixels.view(np.uint8).reshape(*pixels.shape, 4), autoLevels=False)
        img.setRect(QRectF(x0, lo - 0.5, width, hi - lo + 1.0))

    def _apply_columns(self, s: UnfoldedState) -> None:
        th = self._theme
        lo, hi = self._y_extent
        if self._columns_theme is not th:  # colours change with the palette only
            self._columns_theme = th
            accent, fog = QColor(th.accent), QColor(th.background)
            accent.setAlpha(55)
            fog.setAlpha(165)
            self._band.setBrush(accent)
            self._fog.set_brush(fog)
        half = max(0.5, 2.0 * self._pixel_size()[0])  # at least 4 px wide when zoomed out
        self._band.setRect(QRectF(s.current - half, lo, 2 * half, hi - lo))
        self._band.setVisible(True)
        self._band_extent = (s.current - half, s.current + half)
        if s.mode == "activation":
            extent = (s.lit[1] + 0.5, s.T + 0.6) if s.lit[1] < s.T else None
        else:
            extent = (-0.6, s.lit[0] - 0.5) if s.lit[0] > 1 else None
        self._fog.set_area(QRectF(-0.6, lo, s.T + 1.2, hi - lo))
        self._fog.set_extent(extent)

    def _apply_truncation(self, s: UnfoldedState) -> None:
        a = self._arrays
        assert a is not None
        th = self._theme
        lo, hi = self._y_extent
        colour = QColor(th.window)
        if s.window is not None:
            first, last = s.window
            fill = QColor(colour)
            fill.setAlpha(45)
            self._window_rect.setBrush(fill)
            self._window_rect.setPen(QPen(colour, 0))
            self._window_rect.setRect(QRectF(first - 0.5, lo, last - first + 1.0, hi - lo))
        self._window_rect.setVisible(s.window is not None)
        pos = np.array([a.pos[a.index[("L", p, 0)]] for p in s.propagated]).reshape(-1, 2)
        self._rings.setData(pos=pos, pen=pg.mkPen(colour, width=2.0), brush=None)
        # hidden when empty: an empty scatter still costs a paint at every cursor step
        self._rings.setVisible(len(pos) > 0)
        xs = np.repeat(np.asarray(s.chunk_starts, float) - 0.5, 2)
        ys = np.tile([lo, hi], len(s.chunk_starts))
        self._chunk_lines.setPen(pg.mkPen(colour, width=2.0, style=Qt.PenStyle.DashLine))
        self._chunk_lines.setData(xs, ys)
        self._chunk_lines.setVisible(len(xs) > 0)

    def _apply_flow(self, s: UnfoldedState) -> None:
        a = self._arrays
        assert a is not None
        th = self._theme
        flow = s.flow
        visible = flow is not None
        for item in (self._flow_arrow, self._flow_label, self._flow_ribbon):
            item.setVisible(visible)
        self._flow_edges.setVisible(visible and self._lod == "detailed")
        if flow is None:
            self._flow_edges.setData([], [])
            return
        src, dst = flow
        band = a.bands["h"]
        if self._flow_styled != (th, self._lod):  # colours change with the theme only
            self._flow_styled = (th, self._lod)
            fill = QColor(th.accent)
            fill.setAlpha(150 if self._lod == "bundled" else 70)
            self._flow_ribbon.setBrush(fill)
            self._flow_ribbon.setPen(QPen(Qt.PenStyle.NoPen))
            self._flow_arrow.setStyle(brush=th.accent, pen=pg.mkPen(th.accent))
            self._flow_label.setColor(th.foreground)
            self._flow_label.fill = pg.mkBrush(self._label_fill())
        self._flow_ribbon.setPolygon(recurrent_bundle(src, a.bands, self._context != "hidden"))
        if self._context != "hidden":  # Jordan: the arrow goes between the y and L bands
            band = a.bands["y"]
        y = band[1] + 0.9
        self._flow_arrow.setPos((src + dst) / 2 - 0.2, y)
        sym = dict(s.layer_symbols)
        self._flow_label.setText(f"{sym['W']}ᵀ {sym['delta_h']}({src})")
        self._place_flow_label(flow)
        if a.n_edges:
            sel = (a.edge_kind == _W) & (a.edge_t == src)
            sel |= (a.edge_kind == _V) & (a.edge_t == dst)
            pts = self._segments[sel].reshape(-1, 2)
            self._flow_edges.setPen(pg.mkPen(th.accent, width=1.6))
            self._flow_edges.setData(pts[:, 0], pts[:, 1])

    def _place_flow_label(self, flow: tuple[int, int] | None) -> None:
        """Put the gradient-flow label of ``flow`` (src, dst) under the input band, where no
        node is (beside its arrow it covered nodes of both steps), just clear of the inputs'
        disks at the current zoom."""
        a = self._arrays
        if a is None or flow is None:
            return
        src, dst = flow
        _, sy = self._pixel_size()
        gap = self._nodes.size() / 2 + 3.0  # pixels from an input's centre to the label
        self._flow_label.setPos((src + dst) / 2, a.bands["x"][0] - gap * sy)

    def _label_fill(self) -> QColor:
        fill = QColor(self._theme.background)
        fill.setAlpha(210)
        return fill

    def _apply_labels(self, s: UnfoldedState) -> None:
        a = self._arrays
        assert a is not None
        sym = dict(s.layer_symbols)
        th = self._theme
        detailed = self._lod == "detailed"
        b = a.bands
        elman = self._context == "hidden"
        spots = {
            "U": (0.75, (b["x"][1] + b["h"][0]) / 2),
            # Jordan: left of the outputs y(0) its edges leave, where no edge or node is
            "W": (0.5, b["h"][1] + 0.55) if elman else (0.0, (b["y"][0] + b["y"][1]) / 2),
            "V": (1.25, (b["h"][1] + b["y"][0]) / 2),
        }
        for name, item in self._matrix_labels.items():
            item.setText(sym[name], color=th.foreground)
            item.setAnchor((0.5, 0.5) if name != "W" or elman else (1.0, 0.5))
            item.setPos(*spots[name])
            item.setVisible(detailed and (name != "W" or self._context != "none"))
        for axis in (self._left_axis, self._step_axis):
            axis.setTextPen(th.foreground)
            axis.setPen(th.grey(0.5))
        self._update_axis_labels()

    def _update_axis_labels(self) -> None:
        a = self._arrays
        if a is None:
            return
        notation = self._session.notation
        _, sy = self._pixel_size()
        ticks: list[tuple[float, str]] = []
        for layer in UNFOLDED_LAYERS:
            lo, hi = a.bands[layer]
            n = round(hi - lo) + 1
            if layer == "L":
                ticks.append((hi, f"{notation['L']}(t)"))
            elif 1.0 / sy >= LABEL_UNIT_PX:
                ticks += [(hi - u, unit_label(notation[layer], u)) for u in range(n)]
            else:
                ticks.append(((lo + hi) / 2, f"{notation[layer]}(t)"))
        self._axis_texts = [text for _, text in ticks]
        self._left_axis.setTicks([ticks, []])

    def _update_node_size(self) -> None:
        sx, sy = self._pixel_size()
        size = float(np.clip(min(0.7 / sy, 0.32 / sx), 3.0, 18.0))
        self._nodes.set_size(size)
        self._rings.setSize(size + 8)

    def _update_legend(self, s: UnfoldedState) -> None:
        th = self._theme
        notation = self._session.notation
        sym = dict(s.layer_symbols)
        enc = dict(s.encodings)
        if s.mode == "delta":
            named = [(notation.delta_definition("h"), enc["h"]), (notation["delta_o"], enc["y"])]
        else:
            named = [(sym[layer], enc[layer]) for layer in ("x", "h", "y")]
        entries = encoding_entries([*named, (sym["L"], enc["L"])], signs=True)
        names = ("U", "V") if self._context == "none" else ("U", "W", "V")  # a TDL has no W
        mats = ", ".join(sym[n] for n in names)
        if self._lod == "detailed":
            weights = network_weights(self._session.net)
            text = f"{mats} {weights.range_text()}"
            entries += (Entry("line", text, sign_colours(weights), 2.0),)
        else:
            entries += (Entry("box", f"{mats} bundled per step", (th.grey(0.5),)),)
        entries += (Entry("box", "current step", (th.accent,)),)
        if s.mode == "delta":
            entries += (Entry("line", "gradient flow", (th.accent,), 3.0),)
        if s.window is not None:
            first, last = s.window
            text = f"window of {sym['L']}({s.t}): steps {first}..{last}"
            entries += (Entry("box", text, (th.window,)),)
        self._legend.set_entries(entries)

    def _update_status(self) -> None:
        text = self._session.state.label
        if self._lod == "bundled":
            text += "  ·  units bundled (zoom in for single units)"
        self._status.setText(text)

    # -- slots --------------------------------------------------------------------------------
    def _follow_trace(self) -> None:
        self._rebuild()
        self._follow_cursor()
        self._redraw(force=False)

    def _follow_state(self) -> None:
        self._follow_cursor()
        self._redraw(force=False)

    def _follow_cursor(self) -> None:
        """A long sequence: when the cursor's column leaves the screen, centre it (the view
        keeps its zoom; the columns around it are built by the range change)."""
        if not self._windowed or self._shape is None:
            return
        t = self._session.state.t
        (x0, x1), _ = self._view_box.viewRange()
        if x0 <= t <= x1:
            return
        half, T = (x1 - x0) / 2, self._shape[3]
        centre = min(max(float(t), half - 0.6), T + 0.6 - half)
        self._view_box.setXRange(centre - half, centre + half, padding=0)

    def _on_view_range_changed(self, *args: object) -> None:
        if self._arrays is None or self._drawn is None:
            return
        if self._windowed:
            (x0, x1), _ = self._view_box.viewRange()
            if not self._covers(x0, x1):  # panned or zoomed past the columns built
                self._build_steps(self._wanted_steps(x0, x1))
                self._redraw(force=False)
        sx, _ = self._pixel_size()
        gaps = 1.0 / sx >= GAP_COLUMN_PX
        if self._want_lod() != self._lod or gaps != self._gaps:
            self._redraw(force=False)
        if self._lod == "detailed":
            self._update_node_size()
        self._update_axis_labels()
        self._apply_columns(self._drawn)
        self._place_flow_label(self._drawn.flow)

    # -- hit testing --------------------------------------------------------------------------
    def _hit(self, x: float, y: float) -> tuple[str, int] | None:
        a = self._arrays
        if a is None:
            return None
        sx, sy = self._pixel_size()
        if self._lod == "detailed":
            d = np.hypot((a.pos[:, 0] - x) / sx, (a.pos[:, 1] - y) / sy)
            i = int(np.argmin(d))
            if d[i] <= self._nodes.size() / 2 + 2:
                return "node", i
            if a.n_edges:
                dist = segment_distance(x, y, self._segments[:, 0], self._segments[:, 1], sx, sy)
                j = int(np.argmin(dist))
                if dist[j] <= 4.0:
                    return "edge", j
            return None
        t = round(x)
        for layer in UNFOLDED_LAYERS:
            lo, hi = a.bands[layer]
            if lo - 0.5 <= y <= hi + 0.5:
                node = (layer, t, round(hi - y))
                if node in a.index:
                    return "node", a.index[node]
        return None

    def selection_at(self, x: float, y: float) -> Selection | None:
        hit, a = self._hit(x, y), self._arrays
        if hit is None or a is None:
            return None
        kind, i = hit
        if kind == "node":
            return Selection(
                "node", str(a.node_layer[i]), t=int(a.node_t[i]), unit=int(a.node_unit[i])
            )
        k, t = int(a.edge_kind[i]), int(a.edge_t[i])
        if k == _LOSS:
            return Selection("node", "L", t=t)
        return Selection("edge", EDGE_KINDS[k], t=t, row=int(a.edge_row[i]), col=int(a.edge_col[i]))

    def tooltip_at(self, x: float, y: float) -> str:
        hit, a, s = self._hit(x, y), self._arrays, self._drawn
        if hit is None or a is None or s is None:
            return ""
        notation = self._session.notation
        kind, i = hit
        if kind == "node":
            node = a.node_id(i)
            x_value = self._session.trace.x[node[1] - 1, node[2]] if node[0] == "x" else np.nan
            return unfolded_node_text(node, float(self._values[i]), s.mode, notation, x_value)
        k, r, c = (int(v[i]) for v in (a.edge_kind, a.edge_row, a.edge_col))
        snd, rcv = (node_name(a.node_id(int(j)), notation) for j in a.edges[i])
        if k == _LOSS:
            return f"{snd} → {rcv}: the loss of step {int(a.edge_t[i])}"
        if k == _W and self._context == "target":  # teacher forcing feeds the target back
            snd = node_name(("d", int(a.edge_t[i]) - 1, c), notation)
        return weight_text(
            EDGE_KINDS[k], r, c, float(self._weights[i]), notation, snd, rcv, self._context
        )
