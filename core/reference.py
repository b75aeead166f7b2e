"""BPTT written out one time step and one equation at a time: a reference for the engine.

:func:`core.bptt.bptt` packs the sweeps into few large array products for speed. This module
computes the same quantities the plain way, for one sequence, with a loop over time in which
each statement is one equation, so that a reader can follow the derivation line by line and a
test can hold the engine to it.

Forward sweep, for t = 1..T (Goodfellow, Bengio & Courville 2016, *Deep Learning*, eq. 10.8-10.11
and 10.12-10.14; Elman 1990)::

    a(t) = b + W c(t) + U x(t)          net input of the hidden layer
    h(t) = f(a(t))                      hidden state
    o(t) = c + V h(t)                   net input of the output layer
    y(t) = g(o(t))                      output
    L(t) = m(t) loss(y(t), d(t))        the loss matched to g, weighted by the step's mask m(t)

The context c(t) is what the recurrent weights W read at step t::

    Elman (1990):                       c(t) = h(t-1),  c(1) = h(0) = h0
    Jordan (1986), context "output":    c(t) = y(t-1),  c(1) = h0
    Jordan, context "target":           c(t) = d(t-1),  c(1) = h0   (teacher forcing,
                                        Williams & Zipser 1989; Goodfellow et al. section 10.2.1)

Backward sweep, for t = T..1, with the *gradient* sign convention delta = +dL/dnet (Goodfellow
et al. section 10.2.2; Bodén 2001, eq. 12-13 and 27, defines delta = -dC/dnet, the same numbers
with the opposite sign)::

    e(t)       = m(t) (y(t) - d(t))                         dL(t)/do(t), local (eq. 10.18)
    Elman:     delta_o(t) = e(t)
               delta_h(t) = f'(a(t)) * (V^T delta_o(t) + W^T delta_h(t+1))     (eq. 10.19-10.21)
    Jordan:    delta_o(t) = e(t) + J_g(t)^T W^T delta_h(t+1)    (through y(t) = c(t+1))
               delta_h(t) = f'(a(t)) * V^T delta_o(t)
    teacher forcing: delta_o(t) = e(t), delta_h(t) = f'(a(t)) * V^T delta_o(t)   (no recurrence)
    delta_h(T+1) = 0

J_g(t) = dy(t)/do(t) is the output function's Jacobian. For softmax with a target row that does
not sum to one (an unscored step of zeros, say) e(t) = m(t) (y(t) sum_k d_k(t) - d(t)), the exact
gradient of -sum_k d_k ln y_k, as in :func:`core.functions.output_delta`.

Parameter gradients are sums of per-step outer products (Goodfellow et al. eq. 10.22-10.28;
Bodén 2001, eq. 14-16, as the weight changes -eta dC/dw)::

    dL/dV  += delta_o(t) h(t)^T        dL/dc += delta_o(t)
    dL/dW  += delta_h(t) c(t)^T        dL/dU += delta_h(t) x(t)^T        dL/db += delta_h(t)
    dL/dh0  = W^T delta_h(1)

Truncation, written as its definition:

* ``truncation=None``: full BPTT, every loss term propagated back to step 1.
* ``mode="sliding"``, k (BPTT(k), Williams & Peng 1990): each loss term L(s) on its own is
  propagated back through the steps s, s-1, ..., max(1, s-k+1) only, the context entering the
  window held constant; the deltas of all loss terms are added. k = 1 is Elman's (1990) training
  with the context as a plain extra input (Bodén 2001, section 5.1).
* ``mode="chunked"``, k: the sequence is cut into chunks t = 1..k, k+1..2k, ...; each chunk is a
  full BPTT problem whose first step reads the context carried in from the previous chunk as a
  constant, so the recurrence term is dropped where step t+1 starts a chunk.

With k >= T both are full BPTT. Time steps are 1-based as in the equations: inside this module row
t of a working array holds step t (row 0 holds h(0), or nothing), and the returned record drops
the padding to the layout of :class:`core.bptt.Trace`.

References
----------
Bodén, M. (2001). A guide to recurrent neural networks and backpropagation. The Dallas project,
    SICS Technical Report T2002:03.
Elman, J. L. (1990). Finding structure in time. Cognitive Science, 14(2), 179-211.
Goodfellow, I., Bengio, Y., & Courville, A. (2016). Deep Learning, chapter 10. MIT Press.
Jordan, M. I. (1986). Serial order: a parallel distributed processing approach. ICS Report 8604,
    University of California, San Diego.
Williams, R. J., & Peng, J. (1990). An efficient gradient-based algorithm for on-line training of
    recurrent network trajectories. Neural Computation, 2(4), 490-501.
Williams, R. J., & Zipser, D. (1989). A learning algorithm for continually running fully
    recurrent neural networks. Neural Computation, 1(2), 270-280.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.functions import (
    hidden_derivative,
    hidden_forward,
    output_delta,
    output_forward,
    step_loss,
)
from core.model import SRN, frozen

Array = NDArray[np.float64]
MODES = ("sliding", "chunked")


@dataclass(frozen=True, slots=True)
class ReferenceSweep:
    """One forward and backward sweep of one sequence, in the layout of :class:`core.bptt.Trace`.

    T time steps, I inputs, H hidden units, O outputs, C context units (H for Elman, O for
    Jordan). Row t-1 of a (T, .) array holds step t. Every array is float64 and read-only.

    Attributes
    ----------
    net : the network.
    x : (T, I) inputs x(t).  d : (T, O) targets d(t).  mask : (T,) loss weight m(t) per step.
    a : (T, H) hidden net inputs.  h : (T+1, H) hidden states; h[0] = h0 for an Elman network,
        zeros for a Jordan network (which has no hidden state before step 1).
    o : (T, O) output net inputs.  y : (T, O) outputs.
    loss_t : (T,) weighted per-step loss m(t) L(t).  loss : their sum.
    delta_o : (T, O) dL/do(t).  delta_h : (T, H) dL/da(t), truncated where asked.
    delta_h0 : (C,) dL/dh0 = W^T delta_h(1).
    context : (T, C) the context c(t) read through W at step t.
    grads : read-only mapping U, W, V, b, c, h0 -> gradient, shaped as the parameter.
    truncation : None or k.  mode : "full", "sliding" or "chunked".
    """

    net: SRN
    x: Array
    d: Array
    mask: Array
    a: Array
    h: Array
    o: Array
    y: Array
    loss_t: Array
    loss: float
    delta_o: Array
    delta_h: Array
    delta_h0: Array
    context: Array
    grads: Mapping[str, Array]
    truncation: int | None
    mode: str


@dataclass(frozen=True, slots=True)
class _Forward:
    """The forward sweep's arrays, padded so that row t holds step t (row 0: h(0) or unused)."""

    x: Array  # (T+1, I)
    d: Array  # (T+1, O)
    m: Array  # (T+1,)
    c: Array  # (T+1, C) context
    a: Array  # (T+1, H)
    h: Array  # (T+1, H)
    o: Array  # (T+1, O)
    y: Array  # (T+1, O)
    loss_t: Array  # (T+1,)


def reference_bptt(
    net: SRN,
    xs: Any,
    targets: Any,
    truncation: int | None = None,
    mode: str = "sliding",
    mask: Any = None,
) -> ReferenceSweep:
    """Forward and backward sweep of BPTT for one sequence, step by step (see the module text).

    Parameters
    ----------
    net : an Elman (``context="hidden"``) or Jordan (``"output"``, ``"target"``) network; its
        parameters are used in float64 whatever its dtype.
    xs : (T, I) inputs.  targets : (T, O) targets d(t).
    truncation : None for full BPTT, or k >= 1.
    mode : "sliding" (BPTT(k), Williams & Peng 1990) or "chunked" (gradient cut every k steps).
    mask : optional (T,) weight of each step's loss; 0 leaves the step unscored.

    Returns
    -------
    ReferenceSweep
        Every quantity of the sweep, in the layout of :class:`core.bptt.Trace`.
    """
    if truncation is not None:
        if isinstance(truncation, bool) or int(truncation) != truncation or truncation < 1:
            raise ValueError(f"truncation must be None or an integer >= 1, got {truncation!r}")
        truncation = int(truncation)
        if mode not in MODES:
            raise ValueError(f"truncation mode {mode!r} is not one of {MODES}")
    net64 = net if net.dtype == np.float64 else net.astype(np.float64)
    fwd = _forward(net64, *_padded(net64, xs, targets, mask))
    T = len(fwd.a) - 1
    e = _local_deltas(net64, fwd)
    if truncation is not None and mode == "sliding":
        delta_o, delta_h = _backward_sliding(net64, fwd, e, truncation)
    else:
        k = T if truncation is None else truncation  # full BPTT is a single chunk
        chunks = [(first, min(first + k - 1, T)) for first in range(1, T + 1, k)]
        delta_o, delta_h = _backward_chunks(net64, fwd, e, chunks)
    grads = _gradients(net64, fwd, delta_o, delta_h)
    return ReferenceSweep(
        net=net,
        x=frozen(fwd.x[1:]),
        d=frozen(fwd.d[1:]),
        mask=frozen(fwd.m[1:]),
        a=frozen(fwd.a[1:]),
        h=frozen(fwd.h),
        o=frozen(fwd.o[1:]),
        y=frozen(fwd.y[1:]),
        loss_t=frozen(fwd.loss_t[1:]),
        loss=float(sum(fwd.loss_t[1:])),  # L = sum_t L(t)   (eq. 10.13)
        delta_o=frozen(delta_o[1:]),
        delta_h=frozen(delta_h[1 : T + 1]),
        delta_h0=grads["h0"],
        context=frozen(fwd.c[1:]),
        grads=MappingProxyType(grads),
        truncation=truncation,
        mode="full" if truncation is None else mode,
    )


def _padded(net: SRN, xs: Any, targets: Any, mask: Any) -> tuple[Array, Array, Array]:
    """x (T+1, I), d (T+1, O) and m (T+1,) in float64 with an unused row 0; shapes checked."""
    x = np.asarray(xs, dtype=np.float64)
    d = np.asarray(targets, dtype=np.float64)
    T = x.shape[0] if x.ndim == 2 else 0
    m = np.ones(T) if mask is None else np.asarray(mask, dtype=np.float64)
    for name, arr, shape in (
        ("xs", x, (T, net.n_in)),
        ("targets", d, (T, net.n_out)),
        ("mask", m, (T,)),
    ):
        if T < 1 or arr.shape != shape:
            raise ValueError(f"{name} has shape {arr.shape}, expected {shape} with T >= 1")
    pad = np.zeros
    return (
        np.concatenate([pad((1, net.n_in)), x]),
        np.concatenate([pad((1, net.n_out)), d]),
        np.concatenate([pad(1), m]),
    )


def _forward(net: SRN, x: Array, d: Array, m: Array) -> _Forward:
    """The forward sweep, t = 1..T, one equation a line (Goodfellow et al. eq. 10.8-10.11)."""
    T, H, O, C = len(x) - 1, net.n_hidden, net.n_out, net.n_context
    c, a, h = np.zeros((T + 1, C)), np.zeros((T + 1, H)), np.zeros((T + 1, H))
    o, y, loss_t = np.zeros((T + 1, O)), np.zeros((T + 1, O)), np.zeros(T + 1)
    if not net.jordan:
        h[0] = net.h0  # h(0) = h0, Elman's context units before the first input
    previous = {"hidden": h, "output": y, "target": d}[net.context]  # what c(t+1) copies
    for t in range(1, T + 1):
        c[t] = net.h0 if t == 1 else previous[t - 1]  # c(t): h(t-1), y(t-1) or d(t-1)
        a[t] = net.b + net.W @ c[t] + net.U @ x[t]  # hidden net input
        h[t] = hidden_forward(net.hidden, a[t])  # hidden state h(t) = f(a(t))
        o[t] = net.c + net.V @ h[t]  # output net input
        y[t] = output_forward(net.output, o[t])  # output y(t) = g(o(t))
        loss_t[t] = m[t] * step_loss(net.output, o[t], y[t], d[t])  # weighted loss m(t) L(t)
    return _Forward(x=x, d=d, m=m, c=c, a=a, h=h, o=o, y=y, loss_t=loss_t)


def _local_deltas(net: SRN, fwd: _Forward) -> Array:
    """e(t) = dL(t)/do(t) = m(t) (y(t) - d(t)), (T+1, O) with row 0 unused (eq. 10.18)."""
    e = np.zeros_like(fwd.y)
    for t in range(1, len(e)):
        e[t] = fwd.m[t] * output_delta(net.output, fwd.y[t], fwd.d[t])  # y - d, masked
    return e


def _output_jacobian(kind: str, y: Array) -> Array:
    """J_g = dy/do, (O, O): diag(y) - y y^T (softmax), diag(y (1 - y)) (logistic), I (linear)."""
    if kind == "softmax":
        return np.diag(y) - np.outer(y, y)
    if kind == "logistic":
        return np.diag(y * (1.0 - y))
    return np.eye(len(y))


def _step_back(net: SRN, fwd: _Forward, t: int, e: Array, g: Array) -> tuple[Array, Array]:
    """delta_o(t) and delta_h(t) from the local term e and g = W^T delta_h(t+1), (O,) and (H,).

    ``g`` is dL/dc(t+1), the gradient that reaches step t's contribution to the next context:
    h(t) for Elman, y(t) for Jordan, nothing (the data d(t)) with teacher forcing.
    """
    fp = hidden_derivative(net.hidden, fwd.a[t], fwd.h[t])  # f'(a(t))
    if net.context == "hidden":  # Elman: c(t+1) = h(t)
        delta_o = e  # dL/do(t) = e(t)
        delta_h = fp * (net.V.T @ delta_o + g)  # f'(a(t)) * (V^T delta_o(t) + W^T delta_h(t+1))
    elif net.context == "output":  # Jordan: c(t+1) = y(t)
        J = _output_jacobian(net.output, fwd.y[t])  # J_g(t) = dy(t)/do(t)
        delta_o = e + J.T @ g  # dL/do(t) = e(t) + J_g(t)^T W^T delta_h(t+1)
        delta_h = fp * (net.V.T @ delta_o)  # f'(a(t)) * V^T delta_o(t)
    else:  # teacher forcing: c(t+1) = d(t) is data, g reaches nothing
        delta_o = e  # dL/do(t) = e(t)
        delta_h = fp * (net.V.T @ delta_o)  # f'(a(t)) * V^T delta_o(t)
    return delta_o, delta_h


def _backward_chunks(
    net: SRN, fwd: _Forward, e: Array, chunks: list[tuple[int, int]]
) -> tuple[Array, Array]:
    """delta_o (T+1, O) and delta_h (T+2, H), each chunk (first, last) a full BPTT problem.

    Full BPTT is the single chunk (1, T). Row 0 is unused; row T+1 of delta_h is delta_h(T+1) = 0.
    """
    T = len(e) - 1
    delta_o, delta_h = np.zeros_like(e), np.zeros((T + 2, net.n_hidden))
    for first, last in reversed(chunks):
        g = np.zeros(net.n_context)  # W^T delta_h(last+1): the gradient is cut between chunks
        for t in range(last, first - 1, -1):
            delta_o[t], delta_h[t] = _step_back(net, fwd, t, e[t], g)  # dL/do(t), dL/da(t)
            g = net.W.T @ delta_h[t]  # dL/dc(t) = W^T delta_h(t), sent back to step t-1
    return delta_o, delta_h


def _backward_sliding(net: SRN, fwd: _Forward, e: Array, k: int) -> tuple[Array, Array]:
    """BPTT(k): each loss term L(s) propagated back through steps s..max(1, s-k+1) on its own.

    Returns delta_o (T+1, O) and delta_h (T+2, H), the sums over s of dL(s)/do(t) and
    dL(s)/da(t) (row 0 unused, row T+1 zero).
    """
    T = len(e) - 1
    delta_o, delta_h = np.zeros_like(e), np.zeros((T + 2, net.n_hidden))
    no_local_term = np.zeros(net.n_out)
    for s in range(1, T + 1):
        g = np.zeros(net.n_context)  # nothing from after step s: only L(s) is propagated
        for t in range(s, max(1, s - k + 1) - 1, -1):
            local = e[s] if t == s else no_local_term  # L(s) enters at its own step only
            Do, Dh = _step_back(net, fwd, t, local, g)  # dL(s)/do(t), dL(s)/da(t)
            delta_o[t] += Do  # added into the deltas of step t
            delta_h[t] += Dh
            g = net.W.T @ Dh  # dL(s)/dc(t) = W^T dL(s)/da(t), sent back to step t-1
    return delta_o, delta_h


def _gradients(net: SRN, fwd: _Forward, delta_o: Array, delta_h: Array) -> dict[str, Array]:
    """dL/dU, W, V, b, c, h0 as sums of per-step outer products (Goodfellow et al. 10.22-10.28)."""
    grads = {name: np.zeros_like(p) for name, p in net.params().items()}
    T = len(fwd.a) - 1
    for t in range(T, 0, -1):
        grads["V"] += np.outer(delta_o[t], fwd.h[t])  # dL/dV += delta_o(t) h(t)^T
        grads["c"] += delta_o[t]  # dL/dc += delta_o(t)
        grads["W"] += np.outer(delta_h[t], fwd.c[t])  # dL/dW += delta_h(t) c(t)^T
        grads["U"] += np.outer(delta_h[t], fwd.x[t])  # dL/dU += delta_h(t) x(t)^T
        grads["b"] += delta_h[t]  # dL/db += delta_h(t)
    grads["h0"] = net.W.T @ delta_h[1]  # dL/dh0 = W^T delta_h(1), h0 = c(1)
    return {name: frozen(g) for name, g in grads.items()}
