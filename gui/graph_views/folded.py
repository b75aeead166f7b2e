"""The folded network: one node per unit, the recurrent weights as loops and arcs.

Edge colour is the weight's colour (:mod:`gui.encoding`: red +, blue -, the Weights dock's scale),
edge width its magnitude relative to that scale's end; node fill is the activation at the cursor's
step (x(t), h(t), y(t)) in the same colours as the Activations dock, grey where it is not known yet
(at the start only h(0) = h0 is). A toolbar toggle switches to Elman's (1990) drawing with a
context layer that copies h(t-1).

A tapped delay line (Bodén 2001 §4) is drawn with its delay buffer as the input row, x(t),
x(t-1), ..., x(t-omega) from left to right, each group named below it, and dashed arcs for the
shift of the buffer from one step to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGraphicsItem, QWidget

from core.graphs import EDGE_KINDS, GraphArrays, folded_arrays, window_of
from core.notation import MEANING
from core.selection import Selection
from gui.encoding import UNKNOWN_ROW
from gui.graph_views.base import GraphView, segment_distance
from gui.graph_views.curves import DeviceCurve, EdgeLines, by_strength, pen_groups
from gui.graph_views.legend import Entry, encoding_entries
from gui.graph_views.nodes import NodeDisks
from gui.graph_views.state import FoldedOptions, FoldedState, folded_state
from gui.graph_views.texts import weight_text
from gui.graph_views.theme import Theme, label_colours, qcolor, sign_colours, table_brushes
from gui.session import Session

NODE_DIAMETER = 0.56  # data units (the folded view keeps its aspect ratio)
MAX_NODE_PX = 600.0  # the largest node drawn, in pixels
WIDTHS = (0.8, 1.6, 2.6, 3.8)  # edge widths in px, by quarter of max |w|
EDGE_LIMIT = 1500  # a bigger network shows its strongest weights only
LABEL_PX = 24.0  # node labels need a node at least this wide (px)
ROW_LABEL_PX = 120.0  # room for "context h(t-1)" left of the nodes (px)
SHORT_ROW_LABEL_PX = 52.0  # room for "h(t-1)" in a narrow view (px)
NARROW_PX = 480.0  # a view narrower than this gets the short row labels
ARROW = 0.13  # arrowhead length, data units
W_LABEL_PX = 20.0  # the W label's height above the hidden row, at least (px)
_COPY = EDGE_KINDS.index("copy")
_W = EDGE_KINDS.index("W")


def _trim(points: NDArray[np.float64], a: NDArray[np.float64], b: NDArray[np.float64], r: float):
    """The part of a polyline outside circles of radius r around its two end nodes a and b."""
    keep = (np.hypot(*(points - a).T) >= r) & (np.hypot(*(points - b).T) >= r)
    out = points[keep]
    return out if len(out) >= 2 else points[[0, -1]]


def _arrowhead(points: NDArray[np.float64]) -> list[NDArray[np.float64]]:
    """Two short segments at the end of a polyline, pointing along its last piece."""
    end, prev = points[-1], points[-2]
    d = end - prev
    d = d / max(float(np.hypot(*d)), 1e-12)
    out = []
    for angle in (0.45, -0.45):
        c, s = np.cos(angle), np.sin(angle)
        back = np.array([c * -d[0] - s * -d[1], s * -d[0] + c * -d[1]])
        out.append(np.array([end, end + ARROW * back]))
    return out


def jordan_loop_x(arrays: GraphArrays, sender_x: float) -> float:
    """How far right a Jordan network's output -> hidden loop reaches: nested, one per output."""
    right = float(arrays.pos[:, 0].max())
    return right + 0.9 + 0.12 * (right - sender_x)


def jordan_loops_right(arrays: GraphArrays) -> float:
    """The rightmost x reached by a Jordan network's output -> hidden loops."""
    w_edges = np.flatnonzero(arrays.edge_kind == _W)
    return max(float(edge_polyline(arrays, int(e), 17)[0][:, 0].max()) for e in w_edges)


@lru_cache(maxsize=4)
def _curve_parameter(samples: int) -> NDArray[np.float64]:
    """(samples, 1) the curve parameter 0..1 of a polyline's points, made once per count (a big
    network draws 1,500 edges)."""
    s = np.linspace(0.0, 1.0, samples)[:, None]
    s.setflags(write=False)
    return s


def edge_polyline(arrays: GraphArrays, e: int, samples: int = 33) -> list[NDArray[np.float64]]:
    """The pieces (each (k, 2) points) drawing edge ``e`` of a folded graph.

    U, V and context edges are straight; hidden -> hidden W edges are self-loops (on the
    diagonal) and arcs, above the row when the sender is left of the receiver, below otherwise;
    copy edges bow to the left of the straight context edge. A Jordan network's output -> hidden
    W edges bow to the right of the V edges, and its copy edges y -> c run round the left.
    Curved edges end in an arrowhead. Lines stop at the node circles.
    """
    r = NODE_DIAMETER / 2 + 0.02
    snd, rcv = arrays.edges[e]
    a, b = arrays.pos[snd], arrays.pos[rcv]
    kind = int(arrays.edge_kind[e])
    recurrent = kind == _W and arrays.node_layer[snd] == "h"
    s = _curve_parameter(samples)
    if kind == _W and arrays.node_layer[snd] == "y":  # Jordan: output -> hidden, round the right
        xr = jordan_loop_x(arrays, float(a[0]))
        c1, c2 = np.array([xr, a[1] + 0.3]), np.array([b[0] + 0.25, b[1] + 0.55])
        curve = (1 - s) ** 3 * a + 3 * (1 - s) ** 2 * s * c1 + 3 * (1 - s) * s**2 * c2 + s**3 * b
        pts = _trim(curve, a, b, r)
        return [pts, *_arrowhead(pts)]
    if kind == _COPY and arrays.node_layer[snd] == "x":  # delay line shift: an arc below the row
        ctrl = (a + b) / 2 + np.array([0.0, -0.35 - 0.08 * abs(b[0] - a[0])])
        pts = _trim((1 - s) ** 2 * a + 2 * (1 - s) * s * ctrl + s**2 * b, a, b, r)
        return [pts, *_arrowhead(pts)]
    if kind == _COPY and arrays.node_layer[snd] == "y":  # Jordan: y_k -> c_k, round the left
        left = min(float(arrays.pos[:, 0].min()), float(a[0]), float(b[0])) - 1.0
        ctrl = np.array([left - 0.8, (a[1] + b[1]) / 2])
        pts = _trim((1 - s) ** 2 * a + 2 * (1 - s) * s * ctrl + s**2 * b, a, b, r)
        return [pts, *_arrowhead(pts)]
    if recurrent and snd == rcv:
        centre = a + np.array([0.0, r + 0.16])
        ang = -np.pi / 2 + 0.9 + s * (2 * np.pi - 1.8)
        pts = _trim(centre + 0.2 * np.hstack([np.cos(ang), np.sin(ang)]), a, a, r)
    elif recurrent or kind == _COPY:
        if recurrent:  # above the row left to right, below it right to left
            cap = 0.45 * float(arrays.bands["h"][0])  # stay clear of the next row
            height = min(cap, 0.2 + 0.12 * abs(b[0] - a[0]))
            bend = np.array([0.0, height * np.sign(b[0] - a[0])])
        else:  # copy h_j -> c_j: bowed to the left, off the straight W edge c_j -> h_j
            bend = np.array([-0.55, 0.0])
        ctrl = (a + b) / 2 + 2 * bend
        pts = _trim((1 - s) ** 2 * a + 2 * (1 - s) * s * ctrl + s**2 * b, a, b, r)
    else:
        d = (b - a) / max(float(np.hypot(*(b - a))), 1e-12)
        return [np.vstack([a + r * d, b - r * d])]
    return [pts, *_arrowhead(pts)]


def straight_edges(arrays: GraphArrays, edges: NDArray[np.intp]) -> NDArray[np.bool_]:
    """(E,) which of the ``edges`` :func:`edge_polyline` draws as one straight segment: U and V
    edges, and W edges from context units (hidden -> hidden loops and arcs, a Jordan network's
    output -> hidden curves and every copy edge are curved)."""
    kind = arrays.edge_kind[edges]
    sender = arrays.node_layer[arrays.edges[edges, 0]]
    w_straight = (kind == _W) & (sender != "h") & (sender != "y")
    return (kind == EDGE_KINDS.index("U")) | (kind == EDGE_KINDS.index("V")) | w_straight


def straight_segments(arrays: GraphArrays, edges: NDArray[np.intp]) -> NDArray[np.float64]:
    """(E, 2, 2) the segments of straight ``edges``, stopping at the node circles: the numbers
    :func:`edge_polyline` gives one edge at a time, for many at once."""
    r = NODE_DIAMETER / 2 + 0.02
    a = arrays.pos[arrays.edges[edges, 0]]
    b = arrays.pos[arrays.edges[edges, 1]]
    length = np.maximum(np.hypot(*(b - a).T), 1e-12)[:, None]
    d = (b - a) / length
    return np.stack([a + r * d, b - r * d], axis=1)


def _tap(offset: int) -> str:
    """The step of a delay-line group at time offset -k: ``t`` or ``t-k``."""
    return "t" if offset == 0 else f"t{offset}"


def strongest_edges(weights: NDArray[np.float64], kinds: NDArray[np.int8], limit: int):
    """(M,) bool: every edge when there are at most ``limit`` weighted ones, else the ``limit``
    largest |w| (copy edges always)."""
    weighted = kinds != _COPY
    if weighted.sum() <= limit:
        return np.ones(len(weights), bool)
    order = np.argsort(-np.abs(np.where(weighted, weights, 0.0)), kind="stable")
    shown = ~weighted
    shown[order[:limit]] = True
    return shown


@dataclass
class _Geometry:
    """Items and arrays of the folded graph of one shape; edge polylines computed on demand."""

    arrays: GraphArrays
    samples: int
    segments: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2, 2)))
    seg_edge: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    #: the shown edges that ``segments`` belongs to (None before the first selection)
    segments_of: NDArray[np.bool_] | None = None
    pieces: dict[int, list[NDArray[np.float64]]] = field(default_factory=dict)
    #: one slot per node: its label, made when the node is first on screen and big enough to
    #: hold it (at H = 256 the nodes are too small for text until the view is zoomed in)
    labels: list[pg.TextItem | None] = field(default_factory=list)
    row_labels: list[tuple[str, pg.TextItem]] = field(default_factory=list)
    tap_labels: list[tuple[int, pg.TextItem]] = field(default_factory=list)  # "x(t-k)" below
    matrix_labels: list[tuple[str, pg.TextItem]] = field(default_factory=list)
    #: (elman_context, name -> where its label goes), from :meth:`FoldedGraphView._matrix_spots`
    matrix_spots: tuple[bool, dict[str, tuple[str, float, float]]] | None = None


class FoldedGraphView(GraphView):
    """The folded SRN with weights as coloured edges and activations at the cursor as fills.

    Parameters
    ----------
    session : the session to observe (trace, cursor, notation) and to report selections to.
    parent : the parent widget.
    """

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._options = FoldedOptions()
        self._drawn: FoldedState | None = None
        self._geometry: _Geometry | None = None
        self._shape: tuple[int, int, int, bool, str, int] | None = None
        self._node_index = np.zeros(0, np.intp)
        self._unknown = np.zeros(0, bool)  # the known/unknown split the node pens were set for
        self._pens_for: Theme | None = None  # and the theme they were made from
        self._label_fill = np.zeros(0, object)  # the label colour of every node, as drawn
        self._label_texts: tuple[str, ...] = ()  # and its text
        self._edge_level = np.zeros(0, np.int64)
        self._edge_alpha = 255
        self._shown = np.zeros(0, bool)
        self._rows_narrow = False
        self._fitted_room = 0.0  # the pixels the last fit left the row labels

        self._context_action = QAction("Context layer", self)
        self._context_action.setCheckable(True)
        self._context_action.setToolTip(
            "Draw the context layer: in Elman's (1990) network context units c_j hold a copy of "
            "h_j(t-1) (fixed one-to-one edges of weight 1) and feed the hidden units through W, "
            "instead of drawing W as loops between hidden units; in a Jordan network they hold "
            "the previous output y(t-1) (teacher forced: the previous target, always drawn)"
        )
        self._context_action.toggled.connect(self._on_context_toggled)
        self._toolbar.addAction(self._context_action)
        self._toolbar.addAction(self._fit_action)

        for axis in ("left", "bottom"):
            self._plot_item.hideAxis(axis)
        self._view_box.setAspectLocked(True)
        # one pen per (weight colour, width): every edge has its weight's colour
        self._edge_lines = EdgeLines(antialias=True)
        self._edge_lines.setZValue(1)
        self._plot_item.addItem(self._edge_lines)
        self._copy_item = DeviceCurve(connect="pairs", antialias=True)
        self._copy_item.setZValue(3)
        self._plot_item.addItem(self._copy_item)
        # the edges change with the weights, not the cursor: a step repaints them from a pixmap
        for item in (self._edge_lines, self._copy_item):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # disks of a size in pixels that follows the zoom; a step changes their brushes only
        self._nodes = NodeDisks(size=1.0)
        self._nodes.setZValue(10)
        self._plot_item.addItem(self._nodes)
        self._view_box.sigRangeChanged.connect(self._on_view_range_changed)
        self._view_box.sigResized.connect(self._on_view_range_changed)
        self._rebuild()
        self._redraw(force=True)

    # -- public -------------------------------------------------------------------------------
    @property
    def elman_context(self) -> bool:
        return self._options.elman_context

    def set_elman_context(self, on: bool) -> None:
        """Draw Elman's context layer (True) or hidden -> hidden loops (False)."""
        self._context_action.setChecked(bool(on))

    def context_action(self) -> QAction:
        return self._context_action

    def displayed_values(self) -> dict[str, object]:
        """What is drawn, as numbers.

        Returns
        -------
        dict with
            ``t``: the cursor's step; ``elman_context``: the drawing;
            ``nodes``: node id ``(layer, t_offset, unit)`` -> fill value (x(t), h(t), y(t), h(t-1)
            on context units; NaN where the node is drawn empty);
            ``colour_index``: node id -> row of its layer's colour table used for the fill;
            ``edges``: ``(param, row, col)`` -> (weight, sign of the pen, width in px) for the
            U, W, V edges drawn (all, or the ``EDGE_LIMIT`` strongest of a big network);
            ``edge_rgba``: ``(param, row, col)`` -> the RGBA of its pen (drawn edges only);
            ``labels``: node id -> label text; ``texts``: every text visible in the plot;
            ``legend``: the legend's texts.
        """
        s, g = self._drawn, self._geometry
        assert s is not None and g is not None
        a = g.arrays
        widths = np.asarray(WIDTHS)[self._edge_level]
        edges = {
            (EDGE_KINDS[int(k)], int(r), int(c)): (float(w), int(np.sign(w) or 1), float(px))
            for k, r, c, w, px, shown in zip(
                a.edge_kind, a.edge_row, a.edge_col, s.weights, widths, self._shown, strict=True
            )
            if int(k) != _COPY and shown
        }
        rgba = s.weight.rgba(s.weights)
        rgba[:, 3] = self._edge_alpha
        edge_rgba = {
            (EDGE_KINDS[int(k)], int(r), int(c)): tuple(int(v) for v in colour)
            for k, r, c, colour, shown in zip(
                a.edge_kind, a.edge_row, a.edge_col, rgba, self._shown, strict=True
            )
            if int(k) != _COPY and shown
        }
        texts = [lab.toPlainText() for lab in g.labels if lab is not None and lab.isVisible()]
        texts += [
            item.toPlainText()
            for _, item in g.row_labels + g.matrix_labels + g.tap_labels
            if item.isVisible()
        ]
        return {
            "t": s.t,
            "status": self._status.text(),
            "elman_context": s.elman_context,
            "nodes": dict(zip(a.node_ids, s.values.tolist(), strict=True)),
            "colour_index": dict(zip(a.node_ids, self._node_index.tolist(), strict=True)),
            "edges": edges,
            "edge_rgba": edge_rgba,
            "labels": dict(zip(a.node_ids, s.labels, strict=True)),
            "texts": tuple(texts),
            "legend": self._legend.texts(),
        }

    def node_position(self, node_id: tuple[str, int, int]) -> tuple[float, float]:
        """Data coordinates of a node (for pointing at it)."""
        assert self._geometry is not None
        p = self._geometry.arrays.pos[self._geometry.arrays.index[node_id]]
        return float(p[0]), float(p[1])

    def edge_midpoint(self, param: str, row: int, col: int) -> tuple[float, float]:
        """Data coordinates of a point on the edge of weight param[row, col]."""
        g = self._geometry
        assert g is not None
        a = g.arrays
        e = np.flatnonzero(
            (a.edge_kind == EDGE_KINDS.index(param)) & (a.edge_row == row) & (a.edge_col == col)
        )[0]
        segs = g.segments[g.seg_edge == e]
        mid = segs[len(segs) // 2].mean(axis=0)
        return float(mid[0]), float(mid[1])

    def edge_point(self, param: str, row: int, col: int, at: float) -> tuple[float, float]:
        """Data coordinates of the point ``at`` (0..1) of the way along the line of weight
        param[row, col] (its arrowhead left out)."""
        g = self._geometry
        assert g is not None
        a = g.arrays
        e = int(
            np.flatnonzero(
                (a.edge_kind == EDGE_KINDS.index(param)) & (a.edge_row == row) & (a.edge_col == col)
            )[0]
        )
        line = g.pieces[e][0] if e in g.pieces else edge_polyline(a, e, g.samples)[0]
        length = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(line, axis=0).T))])
        s = float(np.clip(at, 0.0, 1.0)) * length[-1]
        return float(np.interp(s, length, line[:, 0])), float(np.interp(s, length, line[:, 1]))

    def fit(self) -> None:
        if self._geometry is None:
            return
        a = self._geometry.arrays
        pos = a.pos
        lo, hi = pos.min(axis=0), pos.max(axis=0)
        if g_tap := self._geometry.tap_labels:  # the shift arcs and the tap names below the row
            lo = lo - np.array([0.0, 0.6 + 0.1 * len(g_tap)])
        w_senders = a.edges[a.edge_kind == _W][:, 0]
        if w_senders.size and a.node_layer[w_senders[0]] == "y":  # Jordan loops and their label
            hi = hi.copy()
            hi[0] = jordan_loops_right(a) + 0.6
        # leave room for the row labels left of the nodes, in pixels, whatever the width
        room = self._fitted_room = self._row_label_room()
        width = max(float(self._view_box.width()), 2 * room + 40.0)
        # the labels end a node's diameter left of the nodes; symmetric about the graph, so
        # that it stays centred when the locked aspect widens x: (half - reach / 2) units on
        # each side are ``room`` pixels, at width / (2 half) pixels per unit
        reach = hi[0] - lo[0] + 2 * NODE_DIAMETER
        margin = max(0.5, room * reach / (width - 2 * room))
        cx, half = (lo[0] + hi[0]) / 2, reach / 2 + margin
        self._view_box.setRange(
            xRange=(cx - half, cx + half), yRange=(lo[1] - 0.6, hi[1] + 0.6), padding=0
        )

    # -- hit testing --------------------------------------------------------------------------
    def _hit(self, x: float, y: float) -> tuple[str, int] | None:
        g = self._geometry
        if g is None:
            return None
        pos = g.arrays.pos
        d = np.hypot(pos[:, 0] - x, pos[:, 1] - y)
        i = int(np.argmin(d))
        if d[i] <= NODE_DIAMETER / 2:
            return "node", i
        sx, sy = self._pixel_size()
        dist = segment_distance(x, y, g.segments[:, 0], g.segments[:, 1], sx, sy)
        j = int(np.argmin(dist))
        if dist[j] <= 5.0:
            return "edge", int(g.seg_edge[j])
        return None

    def selection_at(self, x: float, y: float) -> Selection | None:
        hit, s = self._hit(x, y), self._drawn
        if hit is None or s is None or self._geometry is None:
            return None
        a = self._geometry.arrays
        kind, i = hit
        if kind == "node":
            layer, unit = str(a.node_layer[i]), int(a.node_unit[i])
            if s.context == "none" and layer == "x":  # buffer unit x_i(t-k): input i at t-k
                step = s.t + int(a.node_t[i])
                return Selection("node", "x", t=step, unit=unit) if step >= 1 else None
            at_zero = "y" if s.context != "hidden" else "h"  # the layer with a step 0
            if layer == "c":  # the context unit is h(t-1), a Jordan network's y(t-1) or d(t-1)
                return Selection("node", at_zero, t=max(s.t - 1, 0), unit=unit)
            t = s.t if layer == at_zero else max(s.t, 1)
            return Selection("node", layer, t=t, unit=unit)
        k = int(a.edge_kind[i])
        if k == _COPY:
            return None
        return Selection(
            "edge", EDGE_KINDS[k], t=max(s.t, 1), row=int(a.edge_row[i]), col=int(a.edge_col[i])
        )

    def tooltip_at(self, x: float, y: float) -> str:
        hit, s = self._hit(x, y), self._drawn
        if hit is None or s is None or self._geometry is None:
            return ""
        a = self._geometry.arrays
        notation = self._session.notation
        kind, i = hit
        if kind == "node":
            layer, v, label = str(a.node_layer[i]), float(s.values[i]), s.labels[i]
            if layer == "c":
                source = {"hidden": "h", "output": "y", "target": "d"}[s.context]
                what = f"context unit: a copy of {notation[source]}{a.node_unit[i] + 1}(t-1)"
            elif s.context == "none" and layer == "x":
                what = f"{MEANING['x']} {notation['x']}({_tap(int(a.node_t[i]))}) in the delay line"
                label = f"{label}({_tap(int(a.node_t[i]))})"
                if np.isnan(v):
                    return f"{label}: {what}\nnot known yet at t = {s.t}"
                return f"{label} = {v:.4f} at t = {s.t}\n{what}"
            else:
                what = f"{MEANING[layer]} {notation[layer]}(t)"
            if np.isnan(v):
                return f"{label}: {what}\nnot known yet at t = {s.t}"
            return f"{label}(t={s.t}) = {v:.4f}\n{what}"
        k, r, c = int(a.edge_kind[i]), int(a.edge_row[i]), int(a.edge_col[i])
        snd, rcv = s.labels[a.edges[i, 0]], s.labels[a.edges[i, 1]]
        if k == _COPY and s.context == "none":
            snd, rcv = (
                f"{s.labels[j]}({_tap(int(a.node_t[j]))})" for j in (a.edges[i, 0], a.edges[i, 1])
            )
            return f"shift {snd} → {rcv}: the delay line moves one place per step, not trained"
        if k == _COPY:
            return f"copy {snd} → {rcv}: fixed weight 1 (Elman 1990), not trained"
        if s.context == "none" and k == EDGE_KINDS.index("U"):
            snd = f"{snd}({_tap(int(a.node_t[a.edges[i, 0]]))})"
        return weight_text(EDGE_KINDS[k], r, c, float(s.weights[i]), notation, snd, rcv, s.context)

    def _on_view_range_changed(self, *args: object) -> None:
        """Node labels only where they fit inside their node."""
        g = self._geometry
        if g is None:
            return
        size = self._node_px()
        self._nodes.set_size(size)
        self._place_matrix_labels(g)  # the W label keeps its distance in pixels
        visible = size >= LABEL_PX
        if visible:
            self._make_labels(g)
        for item in g.labels:
            if item is not None:
                item.setVisible(visible)
        if self._drawn is not None and self._narrow() != self._rows_narrow:
            self._apply_labels(self._drawn)

    def _make_labels(self, g: _Geometry) -> None:
        """Make the labels of the nodes on screen that have none yet, with their texts and
        colours as drawn (a label is made once and kept; off screen ones wait until a pan or a
        zoom brings their node into view)."""
        (x0, x1), (y0, y1) = self._view_box.viewRange()
        pos, r = g.arrays.pos, NODE_DIAMETER
        inside = (pos[:, 0] >= x0 - r) & (pos[:, 0] <= x1 + r)
        inside &= (pos[:, 1] >= y0 - r) & (pos[:, 1] <= y1 + r)
        texts = self._label_texts if len(self._label_texts) == len(pos) else None
        fill = self._label_fill if len(self._label_fill) == len(pos) else None
        for k in np.flatnonzero(inside).tolist():
            if g.labels[k] is not None:
                continue
            item = pg.TextItem(anchor=(0.5, 0.5))
            item.setZValue(20)
            item.setPos(float(pos[k, 0]), float(pos[k, 1]))
            if texts is not None:
                item.setText(texts[k])
            if fill is not None:
                item.setColor(fill[k])
            # inside their nodes: no bounds of their own to track
            self._plot_item.addItem(item, ignoreBounds=True)
            g.labels[k] = item

    def _node_px(self) -> float:
        """The nodes' diameter in pixels: ``NODE_DIAMETER`` data units at the current zoom.

        Bounded to 1 .. ``MAX_NODE_PX`` (a view not laid out yet has no meaningful pixel size).
        """
        return float(min(max(NODE_DIAMETER / self._pixel_size()[0], 1.0), MAX_NODE_PX))

    def _row_label_room(self) -> float:
        """Pixels the row labels take left of the nodes: the widest one's, once they have their
        texts ("ŷ(t-1)" is wider than "h(t-1)"), else a guess."""
        g = self._geometry
        widths = [item.textItem.boundingRect().width() for _, item in g.row_labels] if g else []
        if not widths or max(widths) <= 0:
            return SHORT_ROW_LABEL_PX if self._narrow() else ROW_LABEL_PX
        return max(widths) + 10.0

    def _narrow(self) -> bool:
        return float(self._view_box.width()) < NARROW_PX

    # -- building and drawing -----------------------------------------------------------------
    def _on_context_toggled(self, on: bool) -> None:
        self._options = FoldedOptions(elman_context=bool(on))
        self._rebuild()
        self._redraw(force=True)

    def _rebuild(self) -> None:
        net = self._session.net
        drawn = self._options.elman_context or net.context == "target"  # targets need units
        if net.context == "none":
            drawn = False  # a tapped delay line has no context layer
        self._context_action.setEnabled(net.context != "none")
        shape = (net.n_in, net.n_hidden, net.n_out, drawn, net.context, window_of(net))
        if shape == self._shape:
            return
        self._shape = shape
        if self._geometry is not None:
            for item in self._geometry.labels:
                if item is not None:
                    self._plot_item.removeItem(item)
            old = self._geometry
            for _, item in old.row_labels + old.matrix_labels + old.tap_labels:
                self._plot_item.removeItem(item)
        # the arguments as folded_state passes them: one entry of the cache for both
        arrays = folded_arrays(*shape[:4], context=shape[4], window=shape[5])
        g = _Geometry(arrays, samples=33 if arrays.n_nodes <= 40 else 9)
        self._nodes.set_points(arrays.pos)
        self._nodes.set_size(self._node_px())
        self._pens_for = None  # new nodes and labels: colour them all
        self._label_fill = np.zeros(0, object)
        self._label_texts = ()
        self._node_index = np.zeros(0, np.intp)
        g.labels = [None] * arrays.n_nodes  # made when they can be read (_make_labels)
        left = float(arrays.pos[:, 0].min()) - NODE_DIAMETER
        rows = [(layer, arrays.bands[layer][0]) for layer in ("y", "h", "x")]
        for layer, y in rows:
            if layer == "x" and shape[3]:
                continue  # the bottom row starts with the context units
            item = pg.TextItem(anchor=(1.0, 0.5))
            item.setPos(left, y)
            self._plot_item.addItem(item)
            g.row_labels.append((layer, item))
        if shape[3]:
            item = pg.TextItem(anchor=(1.0, 0.5))
            item.setPos(left, 0.0)
            self._plot_item.addItem(item)
            g.row_labels.append(("c", item))
        if net.context == "none":  # name each group of the buffer below it: x(t), x(t-1), ...
            taps = arrays.node_t[arrays.node_layer == "x"]
            xs = arrays.pos[arrays.node_layer == "x", 0]
            for k in range(window_of(net) + 1):
                item = pg.TextItem(anchor=(0.5, 0.0))
                item.setPos(float(xs[taps == -k].mean()), -0.45 - 0.1 * (window_of(net) + 1))
                self._plot_item.addItem(item)
                g.tap_labels.append((k, item))
        for name in ("U", "W", "V"):
            item = pg.TextItem(anchor=(1.0, 0.5))
            item.setZValue(20)
            self._plot_item.addItem(item)
            g.matrix_labels.append((name, item))
        self._place_matrix_labels(g)
        self._geometry = g
        self._drawn = None
        self.fit()
        self._on_view_range_changed()

    def _matrix_spots(self, g: _Geometry) -> dict[str, tuple[str, float, float]]:
        """Where each matrix name goes, as (how, x, y): "none" (a delay line has no W),
        "jordan" (beside the outer loop), "loop" (above the first hidden loop: y is the row's,
        lifted by pixels when placed) or "edges" (left of the leftmost edge). Computed once per
        geometry and drawing: it reads every edge (65,000 at H = 256)."""
        if g.matrix_spots is not None and g.matrix_spots[0] == self._options.elman_context:
            return g.matrix_spots[1]
        a = g.arrays
        spots: dict[str, tuple[str, float, float]] = {}
        for name, _ in g.matrix_labels:
            mine = a.edge_kind == EDGE_KINDS.index(name)
            if not mine.any():
                spots[name] = ("none", 0.0, 0.0)
            elif (
                name == "W"
                and not self._options.elman_context
                and "y" in a.node_layer[a.edges[mine][:, 0]]
            ):
                ends = a.pos[a.edges[mine]]  # Jordan: beside the outer loop
                spots[name] = ("jordan", jordan_loops_right(a) + 0.15, float(ends[:, :, 1].mean()))
            elif name == "W" and not self._options.elman_context:
                h = a.pos[a.node_layer == "h"]
                spots[name] = ("loop", float(h[:, 0].min()) - 0.3, float(h[0, 1]))
            else:
                mids = a.pos[a.edges[mine]].mean(axis=1)  # (E, 2)
                x, y = mids[np.argmin(mids[:, 0])]
                spots[name] = ("edges", float(x) - 0.15, float(y))
        g.matrix_spots = (self._options.elman_context, spots)
        return spots

    def _place_matrix_labels(self, g: _Geometry) -> None:
        """Put each matrix name just left of its leftmost edge (W: by the first hidden loop)."""
        spots = self._matrix_spots(g)
        for name, item in g.matrix_labels:
            how, x, y = spots[name]
            item.setVisible(how != "none")  # a delay line has no W
            if how == "none":
                continue
            if how == "jordan":
                item.setAnchor((0.0, 0.5))
            elif how == "loop":
                # above the first loop, clear of the row label "h(t)" beside it: at least
                # W_LABEL_PX above the row, however small the zoom makes half a unit
                y += max(0.5, W_LABEL_PX * self._pixel_size()[1])
            item.setPos(x, y)

    def _redraw(self, *, force: bool) -> None:
        if self._geometry is None:
            return
        session = self._session
        new = folded_state(session.trace, session.state, session.notation, self._options)
        old = None if force else self._drawn
        if old is None:  # the nodes and labels may be new items: set their pens and colours
            self._pens_for = None
            self._label_fill = np.zeros(0, object)
            self._node_index = np.zeros(0, np.intp)
        if old is None or not np.array_equal(old.weights, new.weights):
            self._apply_weights(new)
        if old is None or not np.array_equal(old.values, new.values, equal_nan=True):
            self._apply_values(new)
        if old is None or old.labels != new.labels or old.symbols != new.symbols:
            self._apply_labels(new)
        if old is None or old.status != new.status:
            self._status.setText(new.status)
        self._drawn = new

    def _select_segments(self, shown: NDArray[np.bool_]) -> None:
        """Segments of the shown edges (polylines are computed once per edge and kept; the
        segments once per set of shown edges: while a network trains its edges change colour,
        rarely which of them are shown)."""
        g = self._geometry
        assert g is not None
        if g.segments_of is not None and np.array_equal(g.segments_of, shown):
            return
        g.segments_of = shown.copy()
        edges = np.flatnonzero(shown)
        straight = straight_edges(g.arrays, edges)
        lines = straight_segments(g.arrays, edges[straight])  # (S, 2, 2), all at once
        if straight.all():  # the usual case of a big network: its strongest edges are U or V
            g.segments, g.seg_edge = lines, edges.astype(np.int64)
            return
        segs, owner = [], []
        j = 0
        for e, line in zip(edges.tolist(), straight.tolist(), strict=True):
            if line:  # in edge order, as the pieces of the curved ones
                segs.append(lines[j : j + 1])
                owner.append(np.full(1, e))
                j += 1
                continue
            if e not in g.pieces:
                g.pieces[e] = edge_polyline(g.arrays, e, g.samples)
            for pts in g.pieces[e]:
                segs.append(np.stack([pts[:-1], pts[1:]], axis=1))
                owner.append(np.full(len(pts) - 1, e))
        g.segments = np.concatenate(segs) if segs else np.zeros((0, 2, 2))
        g.seg_edge = np.concatenate(owner) if owner else np.zeros(0, np.int64)

    def _apply_weights(self, s: FoldedState) -> None:
        """Edge pens by weight colour and width class; runs when the network changes."""
        g = self._geometry
        assert g is not None
        th = self._theme
        a = g.arrays
        self._shown = strongest_edges(s.weights, a.edge_kind, EDGE_LIMIT)
        self._select_segments(self._shown)
        enc = s.weight
        level = enc.size_class(s.weights, len(WIDTHS))
        row = enc.index(s.weights)
        self._edge_level = level
        seg_copy = a.edge_kind[g.seg_edge] == _COPY
        few = self._shown.sum() <= 300  # antialiasing thousands of lines costs more than it gives
        # opaque when few, so an edge shows exactly its weight's colour; translucent when many
        alpha = self._edge_alpha = 255 if few else 150
        key = row[g.seg_edge] * len(WIDTHS) + level[g.seg_edge]
        members = pen_groups(key, ~seg_copy)
        groups = []
        for k in by_strength(key[~seg_copy], len(WIDTHS)):
            colour = qcolor(enc.table[k // len(WIDTHS)])
            colour.setAlpha(alpha)
            pen = pg.mkPen(colour, width=WIDTHS[k % len(WIDTHS)])
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            groups.append((pen, g.segments[members[k]]))
        self._edge_lines.set_groups(groups, antialias=bool(few))
        pts = g.segments[seg_copy].reshape(-1, 2)
        self._copy_item.setPen(pg.mkPen(th.grey(0.6), width=2.0, style=Qt.PenStyle.DashLine))
        self._copy_item.setData(pts[:, 0], pts[:, 1])
        self._update_legend(s)

    def _apply_values(self, s: FoldedState) -> None:
        """Node brushes from the encodings' colour tables; pens and label colours only where
        they change.

        A node's pen tells known from unknown, so the pens are set again only when the set of
        known nodes changes (not at every step of a sweep).
        """
        g = self._geometry
        assert g is not None
        th = self._theme
        layers = g.arrays.node_layer
        idx = np.empty(len(s.values), np.intp)
        brushes = np.empty(len(s.values), object)
        labels = np.empty(len(s.values), object)
        for layer, enc in s.encodings:
            sel = np.flatnonzero(layers == layer)
            rows = enc.index(s.values[sel])
            idx[sel] = rows
            brushes[sel] = table_brushes(enc.gamma)[rows]
            labels[sel] = label_colours(enc.gamma)[rows]
        self._node_index = idx
        unknown = idx == UNKNOWN_ROW
        self._nodes.set_brushes(brushes)
        if self._pens_for is not th or not np.array_equal(unknown, self._unknown):
            known_pen = pg.mkPen(th.grey(0.75), width=1.2)
            unknown_pen = pg.mkPen(th.grey(0.4), width=1.2, style=Qt.PenStyle.DashLine)
            self._nodes.set_pens([unknown_pen if u else known_pen for u in unknown])
            self._unknown, self._pens_for = unknown, th
        self._apply_label_colours(labels)

    def _apply_label_colours(self, colours: NDArray[np.object_]) -> None:
        """Black or white node labels, whichever reads on the fill (only labels that swap).

        Parameters
        ----------
        colours : (N,) the label colour of every node (shared QColor objects, one per table row).
        """
        g = self._geometry
        assert g is not None
        before = self._label_fill
        if len(before) != len(colours):
            todo: list[int] = list(range(len(colours)))
        else:
            todo = [k for k in range(len(colours)) if colours[k] != before[k]]
        for k in todo:
            item = g.labels[k]
            if item is not None:
                item.setColor(colours[k])
        self._label_fill = colours

    def _apply_labels(self, s: FoldedState) -> None:
        g = self._geometry
        assert g is not None
        sym = dict(s.symbols)
        self._label_texts = tuple(s.labels)
        for item, text in zip(g.labels, s.labels, strict=True):
            if item is not None:
                item.setText(text)
        names = {
            "x": f"{sym['x']}(t)",
            "h": f"{sym['h']}(t)",
            "y": f"{sym['y']}(t)",
            "c": {
                "hidden": f"{sym['h']}(t-1)",
                "output": f"{sym['y']}(t-1)",
                "target": f"{sym['d']}(t-1)",
            }.get(s.context, ""),
        }
        delay_line = s.context == "none"
        if delay_line:
            names["x"] = f"{sym['x']}(t-k)"
        if not self._narrow():
            role = {"x": "input", "h": "hidden", "y": "output", "c": "context"}
            if delay_line:
                role["x"] = "delay line"
            names = {layer: f"{role[layer]} {text}" for layer, text in names.items()}
        for k, item in g.tap_labels:
            item.setText(f"{sym['x']}({_tap(-k)})", color=self._theme.foreground)
        self._rows_narrow = self._narrow()
        for layer, item in g.row_labels:
            item.setText(names[layer], color=self._theme.foreground)
        if self._auto_fit and abs(self._row_label_room() - self._fitted_room) > 1.0:
            self.fit()  # the labels took more (or less) room than the view left them
        for name, item in g.matrix_labels:
            item.setText(sym[name], color=self._theme.grey(0.85))
        self._update_legend(s)

    def _update_legend(self, s: FoldedState) -> None:
        th = self._theme
        g = self._geometry
        assert g is not None  # legends follow the edges and labels, drawn after the geometry
        sym = dict(s.symbols)
        present = [n for n in ("U", "W", "V") if (g.arrays.edge_kind == EDGE_KINDS.index(n)).any()]
        mats = ", ".join(sym[n] for n in present)
        weights = f"{mats} {s.weight.range_text()}, width ∝ |w|"
        named = [(sym[layer], enc) for layer, enc in s.encodings if layer != "c"]
        entries: tuple[Entry, ...] = (
            Entry("line", weights, sign_colours(s.weight), 2.5),
            *encoding_entries(named, signs=True),
            Entry("disk", "not known yet", (th.unknown, th.grey(0.4))),
        )
        weighted = g.arrays.edge_kind != _COPY
        n_weighted, n_shown = int(weighted.sum()), int((self._shown & weighted).sum())
        if n_shown < n_weighted:
            entries += (Entry("line", f"strongest {n_shown} of {n_weighted}", (th.grey(0.5),)),)
        if s.context == "none" and g.tap_labels[1:]:
            shift = f"shift {sym['x']}(t-k) → {sym['x']}(t-k-1) per step"
            entries += (Entry("line", shift, (th.grey(0.6),), 2.0),)
        if s.context == "target":
            entries += (Entry("box", "c = previous target (teacher forcing)", (th.grey(0.6),)),)
        elif s.elman_context:
            source = dict(s.symbols)["y" if s.context == "output" else "h"]
            entries += (Entry("line", f"copy {source} → c (weight 1)", (th.grey(0.6),), 2.0),)
        self._legend.set_entries(entries)
