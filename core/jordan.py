"""BPTT for the Jordan network: the context is the previous output (or, teacher forced, target).

Jordan (1986) feeds the output units back as the context of the next step (Bodén 2001 section 6
names the architecture; Goodfellow et al. 2016 §10.2.1 and their figures 10.4 and 10.6 draw it
and its teacher-forced training). With c(t) the context read at step t (Eq. 18 of Unfold's
Help > Equations page)::

    c(1) = h0                       the initial context (the parameter h0, shape (O,))
    c(t) = y(t-1)                   context "output": the network's own previous output
    c(t) = d(t-1)                   context "target": teacher forcing, the previous target
    a(t) = b + W c(t) + U x(t)      Eq. 1 with c(t) in place of h(t-1), W (H, O)
    h(t) = f(a(t)),  o(t) = c + V h(t),  y(t) = g(o(t))          Eqs. 2-4

Backward sweep, gradient sign (delta = +dL/dnet). The loss reaches o(t) both directly and, with
context "output", through y(t) = c(t+1) and the next step's net input a(t+1)::

    e(t)       = y(t) - d(t)                                    (Eq. 9, local term)
    delta_o(t) = e(t) + J_g(t)^T W^T delta_h(t+1)               (Eq. 19, through y(t) -> a(t+1))
    delta_h(t) = f'(a(t)) * V^T delta_o(t)                      (Eq. 20: Eq. 10, no W^T term)
    delta_h(T+1) = 0

where J_g(t) = dy(t)/do(t) is the output function's Jacobian: diag(y) - y y^T for softmax
(Eq. 21; Goodfellow et al. 2016 §10.2.2), diag(y (1 - y)) for logistic, the identity for
linear. With teacher forcing the context is data, no gradient flows between steps, and
delta_o(t) = e(t).

The parameter gradients are the same sums over time as for Elman's network (Eqs. 12-16) with
c(t) in place of h(t-1) in dL/dW = sum_t delta_h(t) c(t)^T (Eq. 15), and dL/dh0 = W^T delta_h(1)
(Eq. 17).

Truncation keeps each loss term within its window exactly as for the Elman network
(:mod:`core.bptt`): sliding BPTT(k) propagates L(s) back through the steps s-k+1..s only, with
the context entering step s-k+1 held constant; chunked truncation drops the W^T delta_h(t+1)
term where step t+1 starts a chunk.

The trace's ``h`` keeps the Elman layout (T+1, H); a Jordan network has no hidden state before
the first step, so h[.., 0, :] holds zeros, which nothing reads.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.functions import (
    hidden_derivative,
    hidden_forward,
    output_forward,
    output_jacobian_t,
    output_loss_delta,
)
from core.inputs import batch_copies, validate
from core.model import SRN
from core.trace import Trace
from core.truncation import effective, starts_chunk

Array = NDArray[np.floating]


def _forward(net: SRN, x: Array, d: Array) -> tuple[Array, Array, Array, Array]:
    """The forward sweep for a (B, T, .) batch: a (B, T, H), h (B, T+1, H), o (B, T, O), and the
    context c (B, T, O) that each step read."""
    B, T, _ = x.shape
    H, O = net.n_hidden, net.n_out
    dtype = net.dtype
    a = np.empty((B, T, H), dtype)
    h = np.zeros((B, T + 1, H), dtype)
    o = np.empty((B, T, O), dtype)
    ctx = np.empty((B, T, O), dtype)
    ctx[:, 0] = net.h0  # c(1) = h0
    if net.context == "target":
        ctx[:, 1:] = d[:, :-1]  # c(t) = d(t-1): teacher forcing
        a[...] = net.b + ctx @ net.W.T + x @ net.U.T  # eq. 1, all steps at once
        h[:, 1:] = hidden_forward(net.hidden, a)  # eq. 2
        o[...] = net.c + h[:, 1:] @ net.V.T  # eq. 3
        return a, h, o, ctx
    WT, UT, VT = net.W.T, net.U.T, net.V.T
    for t in range(T):
        a[:, t] = net.b + ctx[:, t] @ WT + x[:, t] @ UT  # eq. 1 with c(t) = y(t-1)
        h[:, t + 1] = hidden_forward(net.hidden, a[:, t])  # eq. 2
        o[:, t] = net.c + h[:, t + 1] @ VT  # eq. 3
        if t + 1 < T:
            ctx[:, t + 1] = output_forward(net.output, o[:, t])  # eq. 4, fed back: c(t+1) = y(t)
    return a, h, o, ctx


def _backward(
    net: SRN, e: Array, y: Array, fp: Array, truncation: int | None, mode: str
) -> tuple[Array, Array]:
    """delta_o and delta_h (B, T, .) from the local terms e(t) = m(t) (y(t) - d(t)) (B, T, O)."""
    B, T, O = e.shape
    V, W = net.V, net.W
    if net.context == "target" or (truncation == 1 and mode == "sliding"):
        delta_o = e.copy()  # nothing flows between steps
        return delta_o, fp * (delta_o @ V)
    k = effective(truncation, T)
    if k is not None and mode == "sliding":
        return _sliding(net, e, y, fp, k)
    cut = k or 0
    delta_o = np.empty_like(e)
    delta_h = np.empty_like(fp)
    back = np.zeros((B, O), e.dtype)  # W^T delta_h(t+1): zero at t = T
    for t in range(T - 1, -1, -1):  # 0-based index t holds step t+1
        if cut and starts_chunk(t + 2, cut):
            back[...] = 0.0  # step t+2 starts a chunk: the gradient is cut here
        delta_o[:, t] = e[:, t] + output_jacobian_t(net.output, y[:, t], back)
        delta_h[:, t] = fp[:, t] * (delta_o[:, t] @ V)  # eq. 33, 60-62
        back = delta_h[:, t] @ W  # W^T delta_h(t), into y(t-1)
    return delta_o, delta_h


def _sliding(net: SRN, e: Array, y: Array, fp: Array, k: int) -> tuple[Array, Array]:
    """BPTT(k): delta = sum_{j<k} D_j, D_j(t) = dL(t+j)/d net(t), all t at once for each age j.

    D^o_0(t) = e(t),  D^o_j(t) = J_g(t)^T W^T D^h_{j-1}(t+1),  D^h_j(t) = f'(a(t)) * V^T D^o_j(t).
    """
    T = e.shape[1]
    V, W = net.V, net.W
    Do = e
    Dh = fp * (Do @ V)
    delta_o, delta_h = Do.copy(), Dh.copy()
    for j in range(1, k):
        Do = output_jacobian_t(net.output, y[:, : T - j], Dh[:, 1:] @ W)
        Dh = fp[:, : T - j] * (Do @ V)
        delta_o[:, : T - j] += Do
        delta_h[:, : T - j] += Dh
    return delta_o, delta_h


def jordan_bptt(
    net: SRN, xs: Any, targets: Any, truncation: int | None, mode: str, mask: Any
) -> Trace:
    """BPTT for a Jordan network; arguments and result as :func:`core.bptt.bptt`.

    Truncation arguments are assumed checked by the caller.
    """
    xs, targets, mask, batched = validate(net, xs, targets, mask)
    B, T, I = xs.shape
    O, dtype = net.n_out, net.dtype
    x, d, m = batch_copies(xs, targets, mask, batched, dtype)

    a, h, o, ctx = _forward(net, x, d)
    # eq. 4, L(t) and the local delta e(t) = m(t) (y(t) - d(t)) for all steps, output-major
    y_om, loss_om, e_om = output_loss_delta(
        net.output,
        o.reshape(B * T, O).T,
        d.reshape(B * T, O).T,
        None if mask is None else m.reshape(B * T),
    )
    y = np.ascontiguousarray(y_om.T).reshape(B, T, O)
    e = np.ascontiguousarray(e_om.T).reshape(B, T, O)
    loss_t = loss_om.reshape(B, T)
    fp = hidden_derivative(net.hidden, a, h[:, 1:])
    delta_o, delta_h = _backward(net, e, y, fp, truncation, mode)
    delta_h0 = delta_h[:, 0] @ net.W  # dL/dh0 = W^T delta_h(1)

    # Eqs. 12-16 with c(t) in place of h(t-1)
    dh, do = delta_h.reshape(B * T, -1), delta_o.reshape(B * T, O)
    grads = {
        "U": dh.T @ x.reshape(B * T, I),
        "W": dh.T @ ctx.reshape(B * T, O),
        "V": do.T @ h[:, 1:].reshape(B * T, -1),
        "b": dh.sum(axis=0),
        "c": do.sum(axis=0),
        "h0": delta_h0.sum(axis=0),
    }
    arrays = {
        "x": x,
        "d": d,
        "mask": m,
        "a": a,
        "h": h,
        "o": o,
        "y": y,
        "loss_t": loss_t,
        "delta_o": delta_o,
        "delta_h": delta_h,
        "delta_h0": delta_h0,
        "context": ctx,
    }
    for arr in (*arrays.values(), *grads.values()):
        arr.setflags(write=False)  # before taking views: a view of a read-only array is read-only
    if not batched:
        arrays = {name: arr[0] for name, arr in arrays.items()}
    return Trace(
        net=net,
        loss=float(np.add.reduce(loss_t, axis=None)),
        grads=MappingProxyType(grads),
        truncation=truncation,
        mode="full" if truncation is None else mode,
        **arrays,
    )
