"""What the graph views show at a cursor position, as small frozen records (no Qt here).

Each view computes its state with a pure function of (trace, step state, notation, options) and
applies only the fields that differ from the state it drew last (ndv's ``resolve`` and
``_apply_changes``). Stepping back therefore redraws exactly what was drawn before.

Node values follow the node order of ``core.graphs`` (``unfolded_arrays`` / ``folded_arrays``):

* forward sweep and start ("activation"): x(t), h(t), y(t) and L(t) for the steps computed so far
  (h(0) = h0 always), NaN for the steps not yet reached;
* backward sweep ("delta"): ``delta_sign`` times delta_h(t) (Eq. 10) on the
  hidden units and delta_o(t) (eq. 22) on the outputs for the steps t..T the sweep has visited,
  ``delta_sign`` times dL/dh0 = W^T delta_h(1) on h(0) once step 1 is done, NaN elsewhere; the
  inputs have no delta (NaN); L(t) keeps its loss value.

For a Jordan network (``core.jordan``) the unfolded column 0 holds the initial context y(0) = h0
in the output band (activation: h0; delta: the notation's sign times dL/dh0), there is no h(0),
and the folded context units hold c(t) = y(t-1) or d(t-1) (``Trace.context``).

A tapped delay line (``core.tdl``) has no column 0 and no dL/dh0; its unfolded inputs are the
sequence x(t) (the first I columns of the trace's delay buffer) and its folded buffer units
x_i(t-k) show column k I + i of the buffer at the cursor's step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from core.bptt import Trace
from core.cursor import StepState
from core.graphs import NodeId, edge_weights, folded_arrays, unfolded_arrays, window_of
from core.notation import Notation
from gui.encoding import Encoding, for_trace

Mode = Literal["activation", "delta"]
Array = NDArray[np.float64]
#: per layer, how its values become colours (``gui.encoding``): ((layer, encoding), ...)
LayerEncodings = tuple[tuple[str, Encoding], ...]


def _frozen(arr: Array) -> Array:
    out = np.asarray(arr, np.float64)
    out.setflags(write=False)
    return out


def unit_label(symbol: str, unit: int) -> str:
    """The label of one unit, 1-based as on screen: ``h`` and 0 give ``h1``, ``yj`` ``yj1``."""
    return f"{symbol}{unit + 1}"


# -- the unfolded network -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UnfoldedOptions:
    """Display options of the unfolded view that change what the state holds."""

    show_truncation: bool = True


@dataclass(frozen=True, slots=True)
class UnfoldedState:
    """What the unfolded view draws at one cursor position.

    Attributes
    ----------
    mode : "activation" (start and forward sweep) or "delta" (backward sweep).
    position, t, T : the cursor.
    values : (N,) node values in ``unfolded_arrays`` order, NaN where not yet known.
    encodings : per layer x, h, y, L the encoding its nodes are coloured by (fixed for the whole
        trace, so colours do not change scale while stepping): activations, outputs and the loss
        in the forward sweep, the deltas (square-root scale) on h and y in the backward sweep.
    lit : (first, last) columns whose node values are known.
    current : the highlighted column.
    window : (first, last) steps through which L(t) propagates (``Trace.window``) when the trace is
        truncated and t >= 1, else None.
    propagated : the steps s whose loss term L(s) reaches the current step (backward sweep of a
        truncated trace), else ().
    chunk_starts : in chunked mode, the steps that start a chunk after the first (k+1, 2k+1, ...).
    flow : (from, to) columns of the gradient passing through W^T at this backward step
        (delta_h(t+1) -> delta_h(t)), None when nothing flows (forward, t = T or a cut).
    layer_symbols : symbol of x, h, y, L and of U, W, V in the notation.
    delta_sign : the notation's sign of the displayed deltas.
    """

    mode: Mode
    position: int
    t: int
    T: int
    values: Array = field(compare=False)
    encodings: LayerEncodings
    lit: tuple[int, int]
    current: int
    window: tuple[int, int] | None
    propagated: tuple[int, ...]
    chunk_starts: tuple[int, ...]
    flow: tuple[int, int] | None
    layer_symbols: tuple[tuple[str, str], ...]
    delta_sign: int


def unfolded_state(
    trace: Trace, state: StepState, notation: Notation, options: UnfoldedOptions
) -> UnfoldedState:
    """The unfolded view's state at the cursor: a pure function of its arguments."""
    net, T = trace.net, trace.T
    I, H, O = net.n_in, net.n_hidden, net.n_out
    jordan, elman = net.jordan, net.context == "hidden"  # (a tapped delay line is neither)
    arrays = unfolded_arrays(
        I, H, O, T, with_edges=False, context=net.context, window=window_of(net)
    )
    node_t = arrays.node_t
    n_x, n_h, n_y = T * I, (T + elman) * H, (T + jordan) * O
    loss_rows = slice(n_x + n_h + n_y, None)
    if state.phase == "backward":
        mode: Mode = "delta"
        sign = float(notation.delta_sign)
        h_part, y_part = trace.delta_h.ravel(), trace.delta_o.ravel()
        if jordan:  # dL/dh0 belongs to the initial context y(0)
            y_part = np.concatenate([trace.delta_h0, y_part])
        elif elman:
            h_part = np.concatenate([trace.delta_h0, h_part])
        raw = np.concatenate([np.full(n_x, np.nan), h_part * sign, y_part * sign])
        known = node_t[: loss_rows.start] >= state.backward_from
        # dL/dh0 arrives with step 1
        first = n_x + n_h if jordan else n_x
        known[first : first + net.n_context] = state.backward_from == 1
        values = np.concatenate([np.where(known, raw, np.nan), trace.loss_t])
        lit = (state.backward_from, T)
    else:
        mode = "activation"
        h, y = trace.h.ravel(), trace.y.ravel()
        if jordan:  # no h(0); y(0) is the initial context h0
            h, y = trace.h[1:].ravel(), np.concatenate([trace.context[0], y])
        elif not elman:  # a tapped delay line: no h(0)
            h = trace.h[1:].ravel()
        x = trace.x[:, :I]  # x(t): a tapped delay line's buffer holds x(t-1), ... after it
        raw = np.concatenate([x.ravel(), h, y, trace.loss_t])
        values = np.where(node_t <= state.forward_known, raw, np.nan)
        lit = (0, state.forward_known)
    enc = for_trace(trace)
    h_enc, y_enc = (enc.delta_h, enc.delta_o) if mode == "delta" else (enc.hidden, enc.output)
    encodings = (("x", enc.inputs), ("h", h_enc), ("y", y_enc), ("L", enc.loss))
    window: tuple[int, int] | None = None
    propagated: tuple[int, ...] = ()
    chunk_starts: tuple[int, ...] = ()
    if trace.truncation is not None and options.show_truncation:
        if state.t >= 1:
            window = trace.window(state.t)
            if mode == "delta":
                propagated = tuple(
                    s for s in range(state.t, T + 1) if trace.window(s)[0] <= state.t
                )
        if trace.mode == "chunked":
            k = trace.truncation
            chunk_starts = tuple(range(k + 1, T + 1, k))
    flow = None
    if mode == "delta" and trace.recurrence_reaches(state.t):
        flow = (state.t + 1, state.t)
    symbols = tuple(
        (name, notation[name]) for name in ("x", "h", "y", "L", "U", "W", "V", "delta_h")
    )
    return UnfoldedState(
        mode=mode,
        position=state.position,
        t=state.t,
        T=T,
        values=_frozen(values),
        encodings=encodings,
        lit=lit,
        current=state.t,
        window=window,
        propagated=propagated,
        chunk_starts=chunk_starts,
        flow=flow,
        layer_symbols=symbols,
        delta_sign=notation.delta_sign,
    )


# -- the folded network -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FoldedOptions:
    """Display options of the folded view."""

    elman_context: bool = False


@dataclass(frozen=True, slots=True)
class FoldedState:
    """What the folded view draws at one cursor position.

    Attributes
    ----------
    elman_context : whether the context layer is drawn (Elman 1990) instead of recurrent edges
        (always for a teacher-forced Jordan network, whose context holds targets).
    context : the network's context, "hidden" (Elman) or a Jordan network's "output"/"target".
    t : the cursor's step (0 at the start).
    values : (N,) node values in ``folded_arrays`` order: x(t), h(t), y(t) and, on the context
        units, c(t) = h(t-1) (Jordan: y(t-1) or d(t-1)); NaN where not known (at the start only
        h(0) = h0 is, for a Jordan network y(0) = h0).
    encodings : per layer x, h, y, c the encoding of its activations (the context takes the
        encoding of the layer it copies).
    weights : (M,) edge weights in ``folded_arrays`` edge order (1.0 on copy edges).
    weight : the weights' encoding (edge colour, and width by its size classes), the same as the
        Weights dock's.
    labels : (N,) unit labels in the notation.
    symbols : symbol of U, W, V, x, h, y, L, d in the notation.
    notation_key : which notation.
    status : the cursor's moment, e.g. "backward t = 3" (forward and backward t = 3 show the same
        activations, so the step alone does not say which).
    """

    elman_context: bool
    context: str
    t: int
    values: Array = field(compare=False)
    encodings: LayerEncodings
    weights: Array = field(compare=False)
    weight: Encoding
    labels: tuple[str, ...]
    symbols: tuple[tuple[str, str], ...]
    notation_key: str
    status: str


def folded_state(
    trace: Trace, state: StepState, notation: Notation, options: FoldedOptions
) -> FoldedState:
    """The folded view's state at the cursor: a pure function of its arguments."""
    net = trace.net
    drawn = options.elman_context or net.context == "target"
    arrays = folded_arrays(
        net.n_in, net.n_hidden, net.n_out, drawn, context=net.context, window=window_of(net)
    )
    t = state.t
    values = np.full(arrays.n_nodes, np.nan)
    # the activations at the cursor's step: h(t) is known for t = 0..T (a Jordan network's y(t)
    # instead, y(0) = h0), x, y only from t = 1; the context holds c(t)
    per_layer = {"y": trace.context[0]} if net.jordan else {"h": trace.h[0]}
    if t >= 1:
        per_layer = {
            "h": trace.h[t],
            "x": trace.x[t - 1],
            "y": trace.y[t - 1],
            "c": trace.context[t - 1],
        }
    if net.context == "none" and t == 0:
        per_layer = {}  # a tapped delay line has no h(0): its buffer starts empty
    for layer, vals in per_layer.items():
        rows = arrays.node_layer == layer
        # buffer unit x_i(t-k) is column k I + i of the trace's x (k = 0 for the other networks)
        column = arrays.node_unit[rows] - arrays.node_t[rows] * net.n_in if layer == "x" else None
        values[rows] = vals[arrays.node_unit[rows] if column is None else column]
    static = _folded_static(trace, notation, drawn)
    return FoldedState(
        elman_context=drawn,
        context=net.context,
        t=t,
        values=_frozen(values),
        encodings=static.encodings,
        weights=static.weights,
        weight=static.weight,
        labels=static.labels,
        symbols=static.symbols,
        notation_key=notation.key,
        status=state.label,
    )


@dataclass(frozen=True, slots=True)
class _FoldedStatic:
    """The parts of :class:`FoldedState` that depend on the trace and notation, not the cursor."""

    encodings: LayerEncodings
    weights: Array
    weight: Encoding
    labels: tuple[str, ...]
    symbols: tuple[tuple[str, str], ...]


#: the last (trace, notation key, drawing) and its static parts: stepping reuses them
_last_static: list[tuple[Trace, str, bool, _FoldedStatic]] = []


def _folded_static(trace: Trace, notation: Notation, drawn: bool) -> _FoldedStatic:
    """Per-trace parts of the folded state, computed once per (trace, notation, drawing)."""
    if _last_static:
        last_trace, key, last_drawn, static = _last_static[0]
        if last_trace is trace and key == notation.key and last_drawn == drawn:
            return static
    net = trace.net
    arrays = folded_arrays(
        net.n_in, net.n_hidden, net.n_out, drawn, context=net.context, window=window_of(net)
    )
    enc = for_trace(trace)
    context = enc.hidden if net.context == "hidden" else enc.output
    static = _FoldedStatic(
        encodings=(("x", enc.inputs), ("h", enc.hidden), ("y", enc.output), ("c", context)),
        weights=edge_weights(arrays, net),
        weight=enc.weight,
        labels=tuple(
            unit_label("c" if layer == "c" else notation[layer], int(u))
            for layer, u in zip(arrays.node_layer, arrays.node_unit, strict=True)
        ),
        symbols=tuple((n, notation[n]) for n in ("U", "W", "V", "x", "h", "y", "L", "d")),
    )
    _last_static[:] = [(trace, notation.key, drawn, static)]
    return static


@dataclass(frozen=True)
class UnfoldedDisplay:
    """What the unfolded view draws, as numbers (``UnfoldedGraphView.displayed_values``).

    Attributes
    ----------
    mode : "activation" or "delta".  position, t, T : the cursor.
    node_ids : (N,) node ids ``(layer, t, unit)`` (``core.graphs.unfolded_arrays`` order).
    values : (N,) the value each node's fill shows: activations (x, h, y) or ``delta_sign`` times
        the deltas (h, y), loss on L; NaN for a node drawn empty (not known yet).
    colour_index : (N,) the row of its layer's colour table (``Encoding.index``) each node is
        filled with.
    fills : (N, 4) the RGBA each node is filled with (the unknown grey where not known yet).
    lit_columns : (first, last) columns with known values.  current_column : the highlighted one.
    band : x extent of the current-column highlight.  fog : x extent of the dimmed columns or None.
    window : (first, last) steps of the shaded truncation window, or None when none is shown.
    propagated : steps s whose L(s) is marked as reaching the current step.
    chunk_starts : steps where a dashed chunk boundary is drawn.
    flow : (from, to) columns of the highlighted gradient flow, or None.
    lod : "detailed" (units and edges) or "bundled" (heatmap strips and bands).
    axis_labels : the left axis texts.  headers : the column headers shown.
    texts : other texts in the plot.  legend : the legend's texts.
    index : node id -> position in ``node_ids``.
    """

    mode: str
    position: int
    t: int
    T: int
    node_ids: tuple[NodeId, ...]
    values: NDArray[np.float64]
    colour_index: NDArray[np.intp]
    fills: NDArray[np.uint8]
    lit_columns: tuple[int, int]
    current_column: int
    band: tuple[float, float]
    fog: tuple[float, float] | None
    window: tuple[int, int] | None
    propagated: tuple[int, ...]
    chunk_starts: tuple[int, ...]
    flow: tuple[int, int] | None
    lod: str
    axis_labels: tuple[str, ...]
    headers: tuple[str, ...]
    texts: tuple[str, ...]
    legend: tuple[str, ...]
    index: Mapping[NodeId, int]

    def value(self, layer: str, t: int, unit: int = 0) -> float:
        """The displayed value of node (layer, t, unit)."""
        return float(self.values[self.index[(layer, t, unit)]])
