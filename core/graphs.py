"""The folded and the unfolded network as graphs: data before pixels.

Two pictures of the same SRN (Eqs. 1-4 of Unfold's Help > Equations page):

* the **folded** network, one node per unit: inputs x_i, hidden units h_j, outputs y_k, with the
  recurrent weights W drawn as hidden -> hidden edges (self-loops on the diagonal). With
  ``elman_context=True`` it is Elman's (1990) drawing instead: a context layer c_j that receives a
  copy of h_j through a fixed one-to-one edge of weight 1, and trainable context -> hidden edges W;
* the **unfolded** network of BPTT, one column per time step: h(0) = h0 alone in column 0, then
  x(t), h(t), y(t) and the loss node L(t) in column t = 1..T, joined by U (x(t) -> h(t)),
  W (h(t-1) -> h(t)), V (h(t) -> y(t)) and y(t) -> L(t). Unrolling the loop of the folded graph
  T times gives it (the folded and unfolded models of the RNN tutorial, part 2; Goodfellow et al.
  2016 §10.1).

A **Jordan network** (``context="output"`` or ``"target"``, :mod:`core.jordan`) feeds the
previous output back instead: its W edges run y_k -> h_j (folded) and y_k(t-1) -> h_j(t)
(unfolded), and the unfolded column 0 holds the initial context y(0) = h0 in the output band
instead of h(0) (a Jordan network has no hidden state before step 1). Drawn with a context
layer, the context units c_k copy the outputs y_k. With teacher forcing (``"target"``) the
context holds the previous *target* d(t-1): the folded graph always shows the context layer and
has no copy edges (the context is data, not the network's output), and the unfolded W edges
still start at the y(t-1) nodes' position, the column where d(t-1) belongs.

A **tapped delay line** (``context="none"``, :mod:`core.tdl`; Bodén 2001 §4) has no W. Folded,
its input row is the delay buffer: omega + 1 groups of I units, x(t), x(t-1), ..., x(t-omega)
from left to right (node ids ``("x", -k, i)``), each group joined to the next by ``copy`` edges
x_i(t-k) -> x_i(t-k-1), the shift of the buffer as time passes, and U edges from every buffer unit
to every hidden unit (``col`` = k I + i, the column of U = [U_0 ... U_omega]). Unfolded, each
hidden column h(t) is fed by the inputs x(t-k), k = 0..omega, of its window (U edges with the same
``col``), so the window is seen sliding along the sequence; there is no column 0.

Node ids are tuples ``(layer, t, unit)``; ``layer`` is one of ``x``, ``h``, ``y``, ``L`` and, in
the folded graph, ``c`` (context). In the folded graph ``t`` is the time offset relative to the
current step: 0 for x, h, y and -1 for the context, which holds h(t-1).

Edges carry ``param`` (U, W, V; ``loss`` for y(t) -> L(t); ``copy`` for h -> context), ``row`` and
``col`` (the receiving and the sending unit, the index of the weight in its matrix: U[j, i] is the
edge x_i -> h_j, W[j, k] is h_k -> h_j, V[k, j] is h_j -> y_k), ``t`` (the step whose net input the
edge feeds) and ``weight``.

Positions are deterministic: computed here from the unit indices, never from set iteration order.
The geometry depends only on the shape (I, H, O, T); :func:`folded_arrays` and
:func:`unfolded_arrays` build it as numpy arrays once per shape (cached), :func:`unfolded_window`
the columns of a long sequence that a view shows, and :func:`edge_weights` applies a network's
weights to it as a per-edge array. :func:`graph_arrays` turns any of the networkx graphs into the
same arrays.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from core.model import SRN
from core.tdl import TDL

NodeId = tuple[str, int, int]

#: edge kinds, in the order of the integer codes of ``GraphArrays.edge_kind``
EDGE_KINDS: Final = ("U", "W", "V", "loss", "copy")
#: layers of the unfolded graph, bottom band to top band
UNFOLDED_LAYERS: Final = ("x", "h", "y", "L")
#: horizontal offset of each layer inside its time column, so that the U and V fans between
#: two layers of one column are not drawn on top of each other
COLUMN_OFFSET: Final = MappingProxyType({"x": -0.25, "h": 0.0, "y": 0.25, "L": 0.35})
#: vertical distance between two neighbouring units of a layer, and between two layer bands
UNIT_SPACING: Final = 1.0
BAND_GAP: Final = 2.0
#: vertical distance between the rows of the folded graph
FOLDED_ROW_SPACING: Final = 1.6


@dataclass(frozen=True, slots=True)
class GraphArrays:
    """A graph as read-only arrays, the way pyqtgraph's ``GraphItem`` is fed.

    Attributes
    ----------
    pos : (N, 2) float node positions (x = time column or unit, y = layer band + unit offset).
    node_layer : (N,) str layer of each node.  node_t, node_unit : (N,) int.
    edges : (M, 2) int indices into the nodes (sender, receiver).
    edge_kind : (M,) int8 codes into ``EDGE_KINDS``.
    edge_row, edge_col : (M,) int receiving and sending unit (the index of the weight).
    edge_t : (M,) int the step whose net input the edge feeds.
    bands : layer -> (low, high) y extent of the layer's units.
    index : node id ``(layer, t, unit)`` -> row of ``pos``.
    """

    pos: NDArray[np.float64]
    node_layer: NDArray[np.str_]
    node_t: NDArray[np.int64]
    node_unit: NDArray[np.int64]
    edges: NDArray[np.int64]
    edge_kind: NDArray[np.int8]
    edge_row: NDArray[np.int64]
    edge_col: NDArray[np.int64]
    edge_t: NDArray[np.int64]
    bands: Mapping[str, tuple[float, float]]
    index: Mapping[NodeId, int]

    @property
    def node_ids(self) -> tuple[NodeId, ...]:
        """(N,) node ids ``(layer, t, unit)``, in drawing order (made on each call: a long
        unfolded graph has millions of nodes, and a view asks for one with :meth:`node_id`)."""
        layers, ts, units = (a.tolist() for a in (self.node_layer, self.node_t, self.node_unit))
        return tuple(zip(layers, ts, units, strict=True))

    def node_id(self, i: int) -> NodeId:
        """The id ``(layer, t, unit)`` of node i."""
        return str(self.node_layer[i]), int(self.node_t[i]), int(self.node_unit[i])

    @property
    def n_nodes(self) -> int:
        return int(self.pos.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edges.shape[0])

    @property
    def edge_params(self) -> NDArray[np.str_]:
        """(M,) the edge kinds as names (U, W, V, loss, copy)."""
        return np.asarray(EDGE_KINDS)[self.edge_kind]

    def layer_slice(self, layer: str) -> slice:
        """The rows of one layer (nodes are stored in contiguous layer blocks)."""
        rows = np.flatnonzero(self.node_layer == layer)
        if rows.size == 0:
            return slice(0, 0)
        return slice(int(rows[0]), int(rows[-1]) + 1)


def _arrays(
    ids: list[NodeId],
    pos: NDArray[np.float64],
    edges: NDArray[np.int64],
    kind: NDArray[np.int8],
    row: NDArray[np.int64],
    col: NDArray[np.int64],
    et: NDArray[np.int64],
    bands: dict[str, tuple[float, float]],
) -> GraphArrays:
    layer = np.array([n[0] for n in ids], dtype="<U1")
    nt = np.array([n[1] for n in ids], dtype=np.int64)
    unit = np.array([n[2] for n in ids], dtype=np.int64)
    pos_ = np.asarray(pos, np.float64).reshape(-1, 2)
    edges_ = np.asarray(edges, np.int64).reshape(-1, 2)
    kind_ = np.asarray(kind, np.int8)
    row_, col_, et_ = (np.asarray(a, np.int64) for a in (row, col, et))
    for arr in (pos_, layer, nt, unit, edges_, kind_, row_, col_, et_):
        arr.setflags(write=False)
    return GraphArrays(
        pos=pos_,
        node_layer=layer,
        node_t=nt,
        node_unit=unit,
        edges=edges_,
        edge_kind=kind_,
        edge_row=row_,
        edge_col=col_,
        edge_t=et_,
        bands=MappingProxyType(dict(bands)),
        index=MappingProxyType({n: i for i, n in enumerate(ids)}),
    )


# -- the unfolded graph -------------------------------------------------------------------------
def unfolded_bands(n_in: int, n_hidden: int, n_out: int) -> dict[str, tuple[float, float]]:
    """The y extent (low, high) of each layer band of the unfolded graph, bottom to top."""
    bands: dict[str, tuple[float, float]] = {}
    low = 0.0
    for layer, n in zip(UNFOLDED_LAYERS, (n_in, n_hidden, n_out, 1), strict=True):
        high = low + (n - 1) * UNIT_SPACING
        bands[layer] = (low, high)
        low = high + BAND_GAP
    return bands


def count_unfolded_edges(
    n_in: int, n_hidden: int, n_out: int, T: int, context: str = "hidden", window: int = 0
) -> int:
    """Number of edges of the unfolded graph: T (HI + HC + OH + O), W edges from the initial
    context included (C = H for Elman, O for Jordan); a tapped delay line (context "none") has
    HI edges from each x(t-k) with 1 <= t-k, k = 0..``window``, and no W."""
    if context == "none":
        windows = sum(max(T - k, 0) for k in range(window + 1))  # the pairs (t, k), t - k >= 1
        return n_hidden * n_in * windows + T * (n_out * n_hidden + n_out)
    n_context = n_hidden if context == "hidden" else n_out
    return T * (n_hidden * n_in + n_hidden * n_context + n_out * n_hidden + n_out)


def count_window_edges(
    n_in: int,
    n_hidden: int,
    n_out: int,
    first: int,
    last: int,
    context: str = "hidden",
    window: int = 0,
) -> int:
    """Number of edges among the unfolded graph's columns first..last: U, V and loss edges into
    every step t >= 1 of the window, W edges into the steps whose previous column is in it too
    (a tapped delay line: U edges from the inputs x(t-k) inside the columns, no W)."""
    if context == "none":
        lo = max(first, 1)
        pairs = sum(max(0, last - max(lo + k, lo) + 1) for k in range(window + 1))
        return n_hidden * n_in * pairs + max(0, last - lo + 1) * (n_out * n_hidden + n_out)
    n_context = n_hidden if context == "hidden" else n_out
    steps = max(0, last - max(first, 1) + 1)
    recurrent = max(0, last - max(first + 1, 1) + 1)
    return steps * (n_hidden * n_in + n_out * n_hidden + n_out) + recurrent * n_hidden * n_context


def unfolded_layer_steps(T: int, context: str = "hidden") -> dict[str, tuple[int, int]]:
    """The steps (first, last) of each layer of the unfolded graph: 1..T, and 0..T for the
    layer that holds the initial context in column 0 (h for Elman, y for Jordan)."""
    from_zero = {"hidden": "h", "output": "y", "target": "y"}.get(context, "")  # none: TDL
    return {layer: (0 if layer == from_zero else 1, T) for layer in UNFOLDED_LAYERS}


class ColumnIndex(Mapping[NodeId, int]):
    """Node id ``(layer, t, unit)`` -> row, by arithmetic over the layer blocks of an unfolded
    graph (a dict would hold a Python object per node).

    ``blocks`` maps a layer to (first row, first step, last step, units); inside a block the
    nodes are time-major: row = first row + (t - first step) * units + unit.
    """

    __slots__ = ("_blocks",)

    def __init__(self, blocks: Mapping[str, tuple[int, int, int, int]]) -> None:
        self._blocks = dict(blocks)

    def __getitem__(self, key: NodeId) -> int:
        try:
            layer, t, unit = key
            start, t0, t1, n = self._blocks[layer]
        except (KeyError, TypeError, ValueError):
            raise KeyError(key) from None
        if not (t0 <= t <= t1 and 0 <= unit < n):
            raise KeyError(key)
        return start + (t - t0) * n + unit

    def __iter__(self) -> Iterator[NodeId]:
        for layer, (_, t0, t1, n) in self._blocks.items():
            for t in range(t0, t1 + 1):
                for unit in range(n):
                    yield layer, t, unit

    def __len__(self) -> int:
        return sum(max(0, t1 - t0 + 1) * n for _, t0, t1, n in self._blocks.values())


def _grid(
    first: int, last: int, n_recv: int, n_send: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """(t, row, col) of every weight of an n_recv x n_send matrix at steps first..last, t-major."""
    steps = max(0, last - first + 1)
    t = np.repeat(np.arange(first, first + steps, dtype=np.int64), n_recv * n_send)
    r = np.tile(np.repeat(np.arange(n_recv, dtype=np.int64), n_send), steps)
    c = np.tile(np.arange(n_send, dtype=np.int64), steps * n_recv)
    return t, r, c


def _window_grid(
    first: int, last: int, n_hidden: int, n_in: int, window: int
) -> tuple[NDArray[np.int64], ...]:
    """(t, k, row, i) of every U edge x_i(t-k) -> h_j(t) of a tapped delay line for the steps
    t = first..last whose sender is in the columns too (t - k >= first >= 1), sorted by
    (t, row, column k I + i)."""
    t, k, r, i = np.meshgrid(
        np.arange(first, last + 1), np.arange(window + 1), np.arange(n_hidden), np.arange(n_in),
        indexing="ij",
    )  # fmt: skip
    t, k, r, i = (a.ravel().astype(np.int64) for a in (t, k, r, i))
    inside = t - k >= first  # before the sequence the buffer holds zeros: no node, no edge
    t, k, r, i = t[inside], k[inside], r[inside], i[inside]
    order = np.lexsort((k * n_in + i, r, t))
    return t[order], k[order], r[order], i[order]


@lru_cache(maxsize=8)
def unfolded_arrays(
    n_in: int,
    n_hidden: int,
    n_out: int,
    T: int,
    with_edges: bool = True,
    context: str = "hidden",
    window: int = 0,
) -> GraphArrays:
    """The unfolded graph's geometry as arrays, built with numpy (no networkx), cached by shape.

    Nodes come in layer blocks, time-major inside a block: x(1..T) (T*I), h(0..T) ((T+1)*H),
    y(1..T) (T*O), L(1..T) (T); for a Jordan network (``context`` "output" or "target") h(1..T)
    and y(0..T) instead, y(0) being the initial context. Node (layer, t, unit) sits at
    x = t + ``COLUMN_OFFSET[layer]`` and y = the top of its band minus ``unit * UNIT_SPACING``
    (unit 0 on top, like a matrix row).
    Edges come in blocks U, W, V, loss, each t-major then (row, col); ``with_edges=False`` leaves
    them out (T = 1000, H = 64 has 4.7 million). :func:`unfolded_window` builds the same for a
    range of columns.
    A tapped delay line (``context`` "none") has h(1..T) and y(1..T), no W edges, and U edges
    x_i(t-k) -> h_j(t) for k = 0..``window`` (module docstring).
    """
    return unfolded_window(n_in, n_hidden, n_out, T, 0, T, with_edges, context, window)


def unfolded_window(
    n_in: int,
    n_hidden: int,
    n_out: int,
    T: int,
    first: int,
    last: int,
    with_edges: bool = True,
    context: str = "hidden",
    window: int = 0,
) -> GraphArrays:
    """The columns first..last (0 <= first <= last <= T) of :func:`unfolded_arrays` (I, H, O, T),
    in the same order; not cached.

    A view of a long sequence builds the columns it shows. W edges into column ``first`` are left
    out (their senders, in column first - 1, are not in the window), and so are a tapped delay
    line's U edges from inputs before column ``first``.
    """
    I, H, O = n_in, n_hidden, n_out
    if min(I, H, O) < 1 or T < 1:
        raise ValueError(f"unfolded graph needs I, H, O, T >= 1, got {I}, {H}, {O}, {T}")
    if not 0 <= first <= last <= T:
        raise ValueError(f"columns {first}..{last} are not inside 0..{T}")
    bands = unfolded_bands(I, H, O)
    sizes = {"x": I, "h": H, "y": O, "L": 1}
    blocks: dict[str, tuple[int, int, int, int]] = {}
    start = 0
    for layer, (t0, t1) in unfolded_layer_steps(T, context).items():
        lo, hi = max(t0, first), min(t1, last)
        blocks[layer] = (start, lo, hi, sizes[layer])
        start += max(0, hi - lo + 1) * sizes[layer]
    # every node's layer, step, unit and position, written block by block into arrays made
    # once (a window of 2,000 steps at H = 256 has half a million nodes)
    node_layer = np.empty(start, dtype="<U1")
    nt, unit = np.empty(start, np.int64), np.empty(start, np.int64)
    pos = np.empty((start, 2))
    for layer, (row0, lo, hi, n) in blocks.items():
        steps = max(0, hi - lo + 1)
        rows = slice(row0, row0 + steps * n)
        node_layer[rows] = layer
        nt[rows].reshape(steps, n)[:] = np.arange(lo, lo + steps, dtype=np.int64)[:, None]
        unit[rows].reshape(steps, n)[:] = np.arange(n, dtype=np.int64)
        pos[rows, 0] = nt[rows] + COLUMN_OFFSET[layer]
        pos[rows, 1] = bands[layer][1] - unit[rows] * UNIT_SPACING

    def node(layer: str, t: NDArray[np.int64], unit: NDArray[np.int64]) -> NDArray[np.int64]:
        row0, lo, _, n = blocks[layer]
        return row0 + (t - lo) * n + unit

    Ints = NDArray[np.int64]
    edge_blocks: list[tuple[int, Ints, Ints, Ints, Ints, Ints]] = []
    if with_edges:
        lo = max(first, 1)
        if context == "none":  # U_k[j, i]: x_i(t-k) -> h_j(t), the window of step t
            t, k, r, i = _window_grid(lo, last, H, I, window)
            edge_blocks.append((0, node("x", t - k, i), node("h", t, r), r, k * I + i, t))
        else:
            from_zero = "h" if context == "hidden" else "y"  # the layer with a column-0 node
            # U[j, i]: x_i(t) -> h_j(t)
            t, r, c = _grid(lo, last, H, I)
            edge_blocks.append((0, node("x", t, c), node("h", t, r), r, c, t))
            # W[j, k]: h_k(t-1) -> h_j(t) (Elman), y_k(t-1) -> h_j(t) (Jordan)
            t, r, c = _grid(max(first + 1, 1), last, H, H if context == "hidden" else O)
            edge_blocks.append((1, node(from_zero, t - 1, c), node("h", t, r), r, c, t))
        # V[k, j]: h_j(t) -> y_k(t)
        t, r, c = _grid(lo, last, O, H)
        edge_blocks.append((2, node("h", t, c), node("y", t, r), r, c, t))
        # y_k(t) -> L(t)
        t, r, c = _grid(lo, last, 1, O)
        edge_blocks.append((3, node("y", t, c), node("L", t, r), r, c, t))
    if edge_blocks:
        edges = np.concatenate([np.column_stack([b[1], b[2]]) for b in edge_blocks])
        kind = np.concatenate([np.full(b[1].size, b[0], np.int8) for b in edge_blocks])
        row, col, et = (np.concatenate([b[i] for b in edge_blocks]) for i in (3, 4, 5))
    else:
        edges = np.zeros((0, 2), np.int64)
        kind = np.zeros(0, np.int8)
        row = col = et = np.zeros(0, np.int64)
    for arr in (pos, node_layer, nt, unit, edges, kind, row, col, et):
        arr.setflags(write=False)
    return GraphArrays(
        pos=pos,
        node_layer=node_layer,
        node_t=nt,
        node_unit=unit,
        edges=edges,
        edge_kind=kind,
        edge_row=row,
        edge_col=col,
        edge_t=et,
        bands=MappingProxyType(dict(bands)),
        index=ColumnIndex(blocks),
    )


def window_of(net: SRN | TDL) -> int:
    """A tapped delay line's window omega; 0 for a recurrent network (it reads x(t) only)."""
    return net.window if isinstance(net, TDL) else 0


def unfolded_graph(net: SRN | TDL, T: int) -> nx.DiGraph:
    """The network unrolled over T steps (h0 in column 0), with weights on the edges.

    Every node has ``layer``, ``t``, ``unit`` and ``pos``; every edge ``param``, ``row``, ``col``,
    ``t`` and ``weight`` (1.0 on y(t) -> L(t), whose "weight" is the sum in L(t)).
    """
    shape = (net.n_in, net.n_hidden, net.n_out, int(T))
    arrays = unfolded_arrays(*shape, context=net.context, window=window_of(net))
    return _to_networkx(arrays, edge_weights(arrays, net))


# -- the folded graph ---------------------------------------------------------------------------
def _centred(n: int, start: float = 0.0) -> NDArray[np.float64]:
    return np.asarray(start + (np.arange(n) - (n - 1) / 2.0) * UNIT_SPACING, np.float64)


@lru_cache(maxsize=16)
def folded_arrays(
    n_in: int,
    n_hidden: int,
    n_out: int,
    elman_context: bool = False,
    context: str = "hidden",
    window: int = 0,
) -> GraphArrays:
    """The folded graph's geometry as arrays, cached by shape.

    Rows bottom to top: inputs (with, in Elman's drawing, the context units to their left), hidden
    units, outputs; each row centred on x = 0, units one ``UNIT_SPACING`` apart, rows
    ``FOLDED_ROW_SPACING`` apart (more when a row is wider than five units: the rows of a wide
    network stay about two thirds as far apart as the widest row is long). Nodes in blocks
    [c,] x, h, y; edges in blocks U, W (hidden -> hidden, or context -> hidden), V[, copy].
    A Jordan network (``context`` "output" or "target") has O context units fed by the outputs
    and W edges output -> hidden (or context -> hidden); see the module docstring.
    A tapped delay line (``context`` "none") draws its delay buffer as the input row
    (:func:`_folded_delay_line`).
    """
    I, H, O = n_in, n_hidden, n_out
    if min(I, H, O) < 1:
        raise ValueError(f"folded graph needs I, H, O >= 1, got {I}, {H}, {O}")
    if context == "none":
        return _folded_delay_line(I, H, O, window)
    jordan = context != "hidden"
    if context == "target":
        elman_context = True  # the fed-back targets need units of their own
    C = O if jordan else H
    fed_back = "y" if jordan else "h"  # the layer the context copies
    # rows move apart as the widest row grows, so that a wide network is not drawn flat
    widest = max(I + (C + 1 if elman_context else 0), H, O)
    gap = FOLDED_ROW_SPACING * max(1.0, widest / 5.0)
    rows = {"x": 0.0, "c": 0.0, "h": gap, "y": 2 * gap}
    ids: list[NodeId] = []
    xs: list[NDArray[np.float64]] = []
    if elman_context:
        bottom = _centred(C + 1 + I)  # context units, a one-unit gap, input units
        ids += [("c", -1, j) for j in range(C)]
        xs += [bottom[:C]]
        ids += [("x", 0, i) for i in range(I)]
        xs += [bottom[C + 1 :]]
    else:
        ids += [("x", 0, i) for i in range(I)]
        xs += [_centred(I)]
    ids += [("h", 0, j) for j in range(H)]
    xs += [_centred(H)]
    ids += [("y", 0, k) for k in range(O)]
    xs += [_centred(O)]
    pos = np.column_stack([np.concatenate(xs), [rows[n[0]] for n in ids]])
    index = {n: i for i, n in enumerate(ids)}
    bands = {layer: (rows[layer], rows[layer]) for layer in ("x", "h", "y")}
    if elman_context:
        bands["c"] = (rows["c"], rows["c"])

    kind: list[NDArray[np.int8]] = []
    edges: list[NDArray[np.int64]] = []
    rc: list[NDArray[np.int64]] = []
    w_sender = "c" if elman_context else fed_back
    w_t = -1 if elman_context else 0
    for code, sender, receiver, n_recv, n_send, st in (
        (0, "x", "h", H, I, 0),
        (1, w_sender, "h", H, C, w_t),
        (2, "h", "y", O, H, 0),
    ):
        # every (row, col) of the matrix, row-major; a layer's units are consecutive nodes
        r, c = np.divmod(np.arange(n_recv * n_send, dtype=np.int64), n_send)
        s0, r0 = index[(sender, st, 0)], index[(receiver, 0, 0)]
        edges.append(np.column_stack([s0 + c, r0 + r]))
        kind.append(np.full(r.size, code, np.int8))
        rc.append(np.column_stack([r, c]))
    if elman_context and context != "target":
        j = np.arange(C, dtype=np.int64)
        edges.append(np.column_stack([index[(fed_back, 0, 0)] + j, index[("c", -1, 0)] + j]))
        kind.append(np.full(C, EDGE_KINDS.index("copy"), np.int8))
        rc.append(np.column_stack([j, j]))
    rc_arr = np.concatenate(rc)
    return _arrays(
        ids,
        pos,
        np.concatenate(edges),
        np.concatenate(kind),
        rc_arr[:, 0],
        rc_arr[:, 1],
        np.zeros(len(rc_arr), np.int64),
        bands,
    )


def _folded_delay_line(I: int, H: int, O: int, window: int) -> GraphArrays:
    """The folded tapped delay line: the buffer x(t), ..., x(t-omega) as the bottom row, groups
    of I units one unit apart, U edges into the hidden row, copy edges for the shift, V edges."""
    n_taps = window + 1
    gap = FOLDED_ROW_SPACING * max(1.0, (n_taps * I + window) / 5.0)
    bottom = _centred(n_taps * I + window)  # group k starts at k (I + 1)
    ids: list[NodeId] = [("x", -k, i) for k in range(n_taps) for i in range(I)]
    xs = [bottom[[k * (I + 1) + i for k in range(n_taps) for i in range(I)]]]
    ids += [("h", 0, j) for j in range(H)]
    xs += [_centred(H)]
    ids += [("y", 0, k) for k in range(O)]
    xs += [_centred(O)]
    rows = {"x": 0.0, "h": gap, "y": 2 * gap}
    pos = np.column_stack([np.concatenate(xs), [rows[n[0]] for n in ids]])
    index = {n: i for i, n in enumerate(ids)}
    edges: list[tuple[int, int]] = []
    kind: list[int] = []
    rc: list[tuple[int, int]] = []
    for j in range(H):  # U_k[j, i]: x_i(t-k) -> h_j, column k I + i of U
        for k in range(n_taps):
            for i in range(I):
                edges.append((index[("x", -k, i)], index[("h", 0, j)]))
                kind.append(0)
                rc.append((j, k * I + i))
    for k_out in range(O):
        for j in range(H):
            edges.append((index[("h", 0, j)], index[("y", 0, k_out)]))
            kind.append(2)
            rc.append((k_out, j))
    for k in range(window):  # the shift: x_i(t-k) becomes x_i(t-k-1) at the next step
        for i in range(I):
            edges.append((index[("x", -k, i)], index[("x", -k - 1, i)]))
            kind.append(EDGE_KINDS.index("copy"))
            rc.append((i, i))
    rc_arr = np.asarray(rc, np.int64).reshape(-1, 2)
    bands = {layer: (rows[layer], rows[layer]) for layer in ("x", "h", "y")}
    return _arrays(
        ids,
        pos,
        np.asarray(edges, np.int64),
        np.asarray(kind, np.int8),
        rc_arr[:, 0],
        rc_arr[:, 1],
        np.zeros(len(edges), np.int64),
        bands,
    )


def folded_graph(net: SRN | TDL, elman_context: bool = False) -> nx.DiGraph:
    """The network with one node per unit and weights on the edges.

    Recurrent weights are hidden -> hidden edges (W[j, j] a self-loop). With ``elman_context``,
    Elman's (1990) drawing: context units c_j (``t = -1``, they hold h_j(t-1)) fed by fixed
    one-to-one ``copy`` edges of weight 1.0, and trainable context -> hidden edges W. A Jordan
    network's W edges leave the outputs (or, drawn with a context layer, context units holding
    y(t-1) or, teacher forced, d(t-1)).
    """
    shape = (net.n_in, net.n_hidden, net.n_out, bool(elman_context))
    arrays = folded_arrays(*shape, context=net.context, window=window_of(net))
    return _to_networkx(arrays, edge_weights(arrays, net))


# -- between networkx and arrays ----------------------------------------------------------------
def edge_weights(arrays: GraphArrays, net: SRN | TDL) -> NDArray[np.float64]:
    """(M,) the weight of every edge: U/W/V entries at (row, col); 1.0 for loss and copy edges."""
    w = np.ones(arrays.n_edges, np.float64)
    for code, name in enumerate(EDGE_KINDS[:3]):
        sel = arrays.edge_kind == code
        w[sel] = np.asarray(getattr(net, name), np.float64)[
            arrays.edge_row[sel], arrays.edge_col[sel]
        ]
    w.setflags(write=False)
    return w


def _to_networkx(arrays: GraphArrays, weights: NDArray[np.float64]) -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_nodes_from(
        (n, {"layer": n[0], "t": n[1], "unit": n[2], "pos": (float(p[0]), float(p[1]))})
        for n, p in zip(arrays.node_ids, arrays.pos, strict=True)
    )
    ids = arrays.node_ids
    G.add_edges_from(
        (
            ids[s],
            ids[r],
            {
                "param": EDGE_KINDS[k],
                "row": int(row),
                "col": int(col),
                "t": int(t),
                "weight": float(w),
            },
        )
        for (s, r), k, row, col, t, w in zip(
            arrays.edges.tolist(),
            arrays.edge_kind.tolist(),
            arrays.edge_row,
            arrays.edge_col,
            arrays.edge_t,
            weights,
            strict=True,
        )
    )
    G.graph["bands"] = dict(arrays.bands)
    return G


def graph_arrays(G: nx.DiGraph) -> GraphArrays:
    """A graph built here (folded or unfolded) as :class:`GraphArrays`.

    Nodes keep their insertion order; networkx lists edges by sender, so they are sorted back into
    the builders' order (kind, t, row, col). The result equals :func:`folded_arrays` /
    :func:`unfolded_arrays` of the same shape.
    """
    ids: list[NodeId] = list(G.nodes)
    index = {n: i for i, n in enumerate(ids)}
    pos = np.array([G.nodes[n]["pos"] for n in ids], np.float64).reshape(-1, 2)
    data: list[tuple[Any, Any, dict[str, Any]]] = sorted(
        G.edges(data=True),
        key=lambda e: (EDGE_KINDS.index(e[2]["param"]), e[2]["t"], e[2]["row"], e[2]["col"]),
    )
    edges = np.array([(index[s], index[r]) for s, r, _ in data], np.int64).reshape(-1, 2)
    kind = np.array([EDGE_KINDS.index(d["param"]) for _, _, d in data], np.int8)
    row = np.array([d["row"] for _, _, d in data], np.int64)
    col = np.array([d["col"] for _, _, d in data], np.int64)
    et = np.array([d["t"] for _, _, d in data], np.int64)
    bands = G.graph.get("bands", {})
    return _arrays(ids, pos, edges, kind, row, col, et, bands)
