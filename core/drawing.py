"""The folded and the unfolded graph at a cursor position as a drawing: SVG and TikZ for lectures.

:func:`unfolded_drawing` and :func:`folded_drawing` read the geometry of :mod:`core.graphs` and
the values known at the cursor (:func:`core.cursor.state_at`): every node carries its symbol in
the chosen notation, its value (an input, an activation, an output, a loss) and, once the backward
sweep has reached it, its delta in the notation's sign (Bodén 2001 writes δ = -∂C/∂net). A value
not yet computed at the cursor is "?" and drawn in the "not known" grey. Numbers are written as
the inspector writes them (``core.explain.fmt``, four significant digits); units and time steps
are 1-based, as on screen.

:func:`svg_text` and :func:`tikz_text` write a drawing. The colours come from a ``Palette``,
``palette(quantity, value) -> "#rrggbb"`` with quantity one of ``QUANTITIES``: the window passes
the colours of its one visual language (``gui.encoding``: red +, blue -), so an exported picture
has the colours of the screen; without one the drawing is black on white. The TikZ text is a
``standalone`` document (``pdflatex`` with the standard TeX Live packages tikz and xcolor).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from core.cursor import StepState
from core.explain.text import fmt
from core.graphs import (
    EDGE_KINDS,
    GraphArrays,
    count_unfolded_edges,
    edge_weights,
    folded_arrays,
    unfolded_arrays,
    window_of,
)
from core.model import SRN
from core.notation import Notation
from core.tdl import TDL
from core.trace import Trace

#: what a colour can be asked for
QUANTITIES: Final = ("input", "hidden", "output", "loss", "weight", "other")
#: a value's colour as "#rrggbb"; the value is None when it is not known at the cursor
Palette = Callable[[str, float | None], str]
UNKNOWN_FILL: Final = "#bdbdbd"
#: the layer of a node -> the quantity its fill shows
_QUANTITY: Final = {"x": "input", "h": "hidden", "y": "output", "L": "loss", "c": "hidden"}
#: drawing units (points) per unit of the graphs' geometry, (horizontal, vertical)
UNFOLDED_SCALE: Final = (150.0, 70.0)
FOLDED_SCALE: Final = (120.0, 120.0)
RADIUS: Final = 17.0
MARGIN: Final = 40.0
#: the folded graph labels its edges with their weights up to this many edges
MAX_EDGE_LABELS: Final = 40
#: the most edges a drawing has: a picture for a lecture, not a data file (T = 50 steps of a
#: network with 10 inputs, 10 hidden units and 10 outputs has 15,500)
MAX_DRAWN_EDGES: Final = 20_000


class DrawingTooLarge(ValueError):
    """A graph with more than ``MAX_DRAWN_EDGES`` edges; the message gives the count."""


def plain_palette(quantity: str, value: float | None) -> str:
    """White for every known value, the "not known" grey otherwise, grey edges."""
    if quantity == "weight":
        return "#555555"
    return "#ffffff" if value is not None else UNKNOWN_FILL


@dataclass(frozen=True, slots=True)
class Label:
    """A symbol with its unit (1-based, or None) and time step (or None): h_2(3)."""

    symbol: str
    unit: int | None
    t: int | None

    @property
    def plain(self) -> str:
        unit = "" if self.unit is None else str(self.unit)
        step = "" if self.t is None else f"({self.t})"
        return f"{self.symbol}{unit}{step}"


@dataclass(frozen=True, slots=True)
class Node:
    """One drawn node: position (points, y downwards), symbol, value and delta (None: unknown)."""

    x: float
    y: float
    label: Label
    quantity: str
    value: float | None
    delta: float | None = None
    delta_symbol: str = ""
    show_delta: bool = False

    @property
    def value_text(self) -> str:
        return fmt(self.value)

    @property
    def delta_text(self) -> str:
        return f"{self.delta_symbol} = {fmt(self.delta)}" if self.show_delta else ""


@dataclass(frozen=True, slots=True)
class Edge:
    """One drawn edge: sender and receiver (indices into the nodes), its parameter and weight."""

    sender: int
    receiver: int
    param: str
    weight: float
    labelled: bool = False


@dataclass(frozen=True, slots=True)
class Drawing:
    """A graph ready to be written: nodes, edges, a title and a caption, its size in points."""

    title: str
    caption: str  # lines separated by "\n"
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: float
    height: float


def _caption(notation: Notation) -> str:
    return (
        f"Notation: {notation.title}.\nFill: red +, blue -, grey: not computed yet at the cursor.\n"
        "Below each node its value, then its delta once the backward sweep has reached it."
    )


def _place(pos: np.ndarray, scale: tuple[float, float]) -> tuple[np.ndarray, float, float]:
    """Graph units -> points with y downwards and room for the title; (xy, width, height)."""
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    xy = np.empty_like(pos)
    xy[:, 0] = MARGIN + (pos[:, 0] - lo[0]) * scale[0]
    xy[:, 1] = MARGIN + 30.0 + (hi[1] - pos[:, 1]) * scale[1]
    width = 2 * MARGIN + (hi[0] - lo[0]) * scale[0] + 40.0
    height = MARGIN + 30.0 + (hi[1] - lo[1]) * scale[1] + 100.0
    return xy, float(max(width, 760.0)), float(height)


def _value(trace: Trace, state: StepState, layer: str, t: int, unit: int) -> float | None:
    """The value of node (layer, t, unit) known at the cursor, None when not yet computed."""
    net = trace.net
    if t == 0:  # h(0) (Elman) or the initial context y(0) (Jordan): h0, known from the start
        return float(net.h0[unit])
    if layer == "x":
        return float(trace.x[t - 1, unit])  # data: known before the sweep
    if not state.activation_known(t):
        return None
    if layer == "h":
        return float(trace.h[t, unit])
    if layer == "y":
        return float(trace.y[t - 1, unit])
    return float(trace.loss_t[t - 1])


def _delta(
    trace: Trace, state: StepState, notation: Notation, layer: str, t: int, unit: int
) -> tuple[bool, float | None, str]:
    """(whether a delta belongs to the node, its value in the notation's sign or None, symbol)."""
    if layer not in ("h", "y") or t == 0 or state.phase != "backward":
        return False, None, ""
    name = "delta_h" if layer == "h" else "delta_o"
    symbol = notation[name]
    if not state.delta_known(t):
        return True, None, symbol
    arr = trace.delta_h if layer == "h" else trace.delta_o
    return True, float(notation.delta_sign * arr[t - 1, unit]), symbol


def unfolded_drawing(trace: Trace, state: StepState, notation: Notation) -> Drawing:
    """The unfolded graph of ``trace`` (one sequence) at ``state``, in ``notation``."""
    net = trace.net
    shape = (net.n_in, net.n_hidden, net.n_out, trace.T)
    n_edges = count_unfolded_edges(*shape, context=net.context, window=window_of(net))
    if n_edges > MAX_DRAWN_EDGES:
        raise DrawingTooLarge(
            f"the unfolded graph has {n_edges:,} edges, more than the limit of "
            f"{MAX_DRAWN_EDGES:,} for a picture; choose a shorter sequence or a smaller network"
        )
    arrays = unfolded_arrays(*shape, context=net.context, window=window_of(net))
    xy, width, height = _place(arrays.pos, UNFOLDED_SCALE)
    nodes = []
    for row, (layer, t, unit) in enumerate(arrays.node_ids):
        has_delta, delta, delta_symbol = _delta(trace, state, notation, layer, t, unit)
        # h(0), or a Jordan network's initial context y(0), holds the parameter h0
        label = Label(notation[layer], None if layer == "L" else unit + 1, t)
        nodes.append(
            Node(
                float(xy[row, 0]),
                float(xy[row, 1]),
                label,
                _QUANTITY[layer],
                _value(trace, state, layer, t, unit),
                delta,
                delta_symbol,
                has_delta,
            )
        )
    edges = _edges(arrays, net, labels=False)
    title = f"Unfolded network, {state.label}"
    return Drawing(title, _caption(notation), tuple(nodes), edges, width, height)


def folded_drawing(trace: Trace, state: StepState, notation: Notation) -> Drawing:
    """The folded graph at ``state``: each unit with its value at the cursor's step t (at the
    start, h0 in the hidden units of an Elman network); edges labelled with their weights when
    there are few (``MAX_EDGE_LABELS``)."""
    net = trace.net
    # (a tapped delay line's U reads its whole buffer, (omega+1) I units)
    n_edges = net.n_hidden * (net.U.shape[1] + net.n_context) + net.n_out * net.n_hidden
    if n_edges > MAX_DRAWN_EDGES:
        raise DrawingTooLarge(
            f"the folded graph has {n_edges:,} edges, more than the limit of {MAX_DRAWN_EDGES:,} "
            "for a picture; choose a smaller network"
        )
    arrays = folded_arrays(
        net.n_in, net.n_hidden, net.n_out, context=net.context, window=window_of(net)
    )
    xy, width, height = _place(arrays.pos, FOLDED_SCALE)
    t = state.t
    nodes = []
    first = {"hidden": "h", "output": "y", "target": "y"}.get(net.context)  # h0's layer
    for row, (layer, offset, unit) in enumerate(arrays.node_ids):
        step = t
        if t == 0:
            value = float(net.h0[unit]) if layer == first else None
        elif layer == "x" and offset < 0:  # a tapped delay line's buffer unit x_i(t-k)
            step = t + offset
            value = float(trace.x[t - 1, -offset * net.n_in + unit])
        else:
            value = _value(trace, state, layer, t, unit)
        has_delta, delta, delta_symbol = _delta(trace, state, notation, layer, t, unit)
        nodes.append(
            Node(
                float(xy[row, 0]),
                float(xy[row, 1]),
                Label(notation[layer], unit + 1, step),
                _QUANTITY[layer],
                value,
                delta,
                delta_symbol,
                has_delta,
            )
        )
    edges = _edges(arrays, net, labels=arrays.n_edges <= MAX_EDGE_LABELS)
    title = f"Folded network at step t = {t}, {state.label}"
    return Drawing(title, _caption(notation), tuple(nodes), edges, width, height)


def _edges(arrays: GraphArrays, net: SRN | TDL, labels: bool) -> tuple[Edge, ...]:
    """The drawn edges with their weights (1 for the loss edges); weight edges labelled if asked."""
    weights = edge_weights(arrays, net)
    return tuple(
        Edge(int(s), int(r), EDGE_KINDS[k], float(w), labels and EDGE_KINDS[k] in ("U", "W", "V"))
        for (s, r), k, w in zip(arrays.edges, arrays.edge_kind, weights, strict=True)
    )
