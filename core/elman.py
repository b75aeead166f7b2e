"""The fast BPTT engine for the Elman network: packed buffers, one product per step.

Forward sweep, for t = 1..T (Goodfellow et al. 2016, §10.2.2; Elman 1990)::

    a(t) = b + W h(t-1) + U x(t)        h(t) = f(a(t))
    o(t) = c + V h(t)                   y(t) = g(o(t)),   L = sum_t L(t)

Backward sweep, for t = T..1, with the gradient sign convention delta = +dL/dnet::

    delta_o(t) = y(t) - d(t)
    delta_h(t) = f'(a(t)) * (V^T delta_o(t) + W^T delta_h(t+1)),    delta_h(T+1) = 0

Truncation (:mod:`core.truncation`) changes only which terms enter delta_h. Sliding BPTT(k)
(Williams & Peng 1990) propagates each loss term L(s) back through k steps only::

    delta_h(t) = sum_{j=0}^{k-1} D_j(t),   D_0(t) = f'(a(t)) * V^T delta_o(t),
    D_j(t) = f'(a(t)) * W^T D_{j-1}(t+1)    (D_j(t) = dL(t+j)/da(t) within its window)

and chunked truncation drops W^T delta_h(t+1) where step t+1 starts a chunk. The parameter
gradients are sums over time of outer products (the facts of :class:`core.trace.Trace`)::

    dL/dc = sum_t delta_o(t)        dL/dV = sum_t delta_o(t) h(t)^T
    dL/db = sum_t delta_h(t)        dL/dW = sum_t delta_h(t) h(t-1)^T
    dL/dU = sum_t delta_h(t) x(t)^T
    dL/dh0 = W^T delta_h(1)

:mod:`core.reference` writes the same sweeps out one equation per line; the tests compare the two.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.functions import hidden_derivative, output_loss_delta
from core.inputs import copy_checked, freeze, validate
from core.model import SRN
from core.trace import Trace
from core.truncation import effective, starts_chunk

Array = NDArray[np.floating]


# -- the engine ---------------------------------------------------------------------------------
# Internal buffers are laid out for BLAS and for numpy's fast reduction direction:
#
#   Z (T+1, B, H+1+I)  row t = [h(t), 1, x(t+1)], so that eq. 1 is one product per step,
#                      a(t) = [W b U] [h(t-1); 1; x(t)], eq. 3 is o(t) = [V c] [h(t); 1], and the
#                      gradients are two products over all steps: [dL/dW dL/db dL/dU] =
#                      sum_t delta_h(t) [h(t-1); 1; x(t)]^T (eq. 87, 85, 88) and [dL/dV dL/dc] =
#                      sum_t delta_o(t) [h(t); 1]^T (eq. 86, 84);
#   G (T+1, B, O+H)    row t = [delta_o(t), delta_h(t+1)] (1-based t; row 0 holds delta_h(1)), so
#                      that eq. 45 is one product per step, [V^T W^T] [delta_o(t); delta_h(t+1)];
#   a, f'(a)           time-major (T, B, H): row t is one contiguous (B, H) block;
#   d, o, y, delta_o   output-major (O, T, B): softmax and the losses reduce over the short output
#                      axis with long contiguous inner loops;
#   mask, loss_t       (T, B).
#
# The trace's (B, T, .) arrays are read-only transposed views of these buffers (for a single
# sequence, the (T, .) views of the B = 1 buffers). The permutations from the caller's layout:
_TIME_MAJOR = (1, 0, 2)
_OUTPUT_MAJOR = (2, 1, 0)
_STEPS = (1, 0)
#: the backward sweep forms f'(a(t)) for blocks of steps of about this many values (256 KB:
#: 128 steps at H = 256, 6,553 at H = 5), which stay in the cache until the loop reads them
BLOCK_VALUES = 1 << 15


def _activation(kind: str) -> Callable[..., Any]:
    """f as an in-place ``f(a, h)`` for the forward loop (no allocation per step)."""
    if kind == "tanh":
        return np.tanh
    if kind == "linear":
        return np.positive  # h = a, copied
    if kind == "relu":
        return lambda a, out: np.maximum(a, 0.0, out=out)

    def logistic(a: Array, out: Array) -> None:
        np.multiply(a, 0.5, out=out)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5

    return logistic


def _derivative(kind: str, a: Array, h: Array) -> Array:
    """f'(a(t)) for all t at once, a fresh array (``hidden_derivative`` with fewer temporaries)."""
    if kind == "tanh":
        fp = np.multiply(h, h)
        return np.subtract(1.0, fp, out=fp)  # tanh' = 1 - h^2
    if kind == "logistic":
        fp = np.subtract(1.0, h)
        return np.multiply(h, fp, out=fp)  # sigma' = h (1 - h)
    return hidden_derivative(kind, a, h)


def _forward_loop(Z: Array, a: Array, net: SRN) -> None:
    """The forward sweep through the hidden layer, eq. 1-2, filling a (T, B, H) and h in Z.

    On entry Z[t] holds [., 1, x(t+1)] and Z[0] also h0; on exit Z[t, :, :H] holds h(t).
    """
    H = a.shape[-1]
    MT = np.concatenate([net.W.T, net.b[None], net.U.T])  # [W b U]^T, (H+1+I, H)
    f = _activation(net.hidden)
    h = Z[:, :, :H]
    # ndarray.dot and positional out= are the cheapest calls for the small per-step products;
    # indexing by t (rather than iterating over the arrays) avoids an IndexError per loop
    for t in range(a.shape[0]):
        at = a[t]
        Z[t].dot(MT, out=at)  # eq. 1: a(t) = b + W h(t-1) + U x(t)
        f(at, h[t + 1])  # eq. 2: h(t) = f(a(t))


def _backward_loop(G: Array, a: Array, h: Array, net: SRN, cut: int) -> None:
    """The backward sweep through the hidden layer, eq. 45 times f' (eq. 60-62), filling G.

    On entry G[t, :, :O] holds delta_o(t) for t = 1..T and G[T, :, O:] = delta_h(T+1) = 0; ``a``
    and ``h`` are the (T, B, H) a(t) and h(t), t = 1..T. On exit G[t-1, :, O:] holds
    delta_h(t) = f'(a(t)) * (V^T delta_o(t) + W^T delta_h(t+1)). Where step t+1 starts a chunk
    of ``cut`` steps (``cut`` 0: never) the W^T term is left out. f'(a(t)) is formed for
    a block of steps at a time (:data:`BLOCK_VALUES`), ahead of the loop, so that it stays in
    the cache and the sweep allocates no (T, B, H) temporary.
    """
    T = a.shape[0]
    block = max(1, BLOCK_VALUES // max(1, a[0].size))  # steps per block
    O = net.V.shape[0]
    VW = np.concatenate([net.V, net.W])  # [V; W], (O+H, H): g [V; W] = V^T delta_o + W^T delta_h
    g = np.empty_like(a[0])
    multiply = np.multiply
    delta_h, V = G[:, :, O:], net.V
    for stop in range(T, 0, -block):
        first = max(stop - block, 0)
        fp = _derivative(net.hidden, a[first:stop], h[first:stop])  # e.g. 1 - h(t)^2 (eq. 38)
        for t in range(stop - 1, first - 1, -1):
            if cut and starts_chunk(t + 2, cut):
                G[t + 1, :, :O].dot(V, out=g)  # step t+2 starts a chunk: the gradient is cut here
            else:
                G[t + 1].dot(VW, out=g)  # eq. 45: V^T delta_o(t) + W^T delta_h(t+1)
            multiply(g, fp[t - first], delta_h[t])  # delta_h(t) = f'(a(t)) * ..., eq. 60-62


def elman_bptt(
    net: SRN, xs: Any, targets: Any, truncation: int | None, mode: str, mask: Any
) -> Trace:
    """BPTT for an Elman network; arguments and result as :func:`core.bptt.bptt`.

    Truncation arguments are assumed checked by the caller.
    """
    xs, targets, mask, batched = validate(net, xs, targets, mask)
    B, T, I = xs.shape
    H, O = net.W.shape[0], net.V.shape[0]
    K, TB, dtype = H + I + 1, T * B, net.U.dtype
    matmul, add = np.matmul, np.add

    # Private copies of the inputs, laid out for the sweeps (see above).
    Z = np.zeros((T + 1, B, K), dtype)  # zeros: no x(T+1)
    copy_checked("xs", Z[:T, :, H + 1 :], xs, _TIME_MAJOR, batched)
    d = np.empty((O, T, B), dtype)
    copy_checked("targets", d, targets, _OUTPUT_MAJOR, batched)
    m = np.empty((T, B), dtype)
    if mask is None:
        m.fill(1.0)
    else:
        copy_checked("mask", m, mask, _STEPS, batched)
    Z[0, :, :H] = net.h0
    Z[:, :, H] = 1.0  # the bias input

    # Forward sweep: the loop over time for eq. 1-2, then eq. 3-4 and the loss for all t at once.
    a = np.empty((T, B, H), dtype)
    _forward_loop(Z, a, net)
    h1 = Z[1:, :, : H + 1].reshape(TB, H + 1)  # rows [h(t), 1], t = 1..T, a strided view
    Vc = np.concatenate([net.V, net.c[:, None]], axis=1)
    o = matmul(Vc, h1.T)  # eq. 3: o(t) = c + V h(t), (O, T*B)
    # eq. 4, L(t) and delta_o(t) = y(t) - d(t), weighted by the mask;
    # delta_o is written straight into its place in G, seen as an (O, T*B) view
    G = np.zeros((T + 1, B, O + H), dtype)  # zeros: delta_h(T+1) = 0
    delta_o = G[1:, :, :O].transpose(2, 0, 1).reshape(O, TB)
    y, loss_t, _ = output_loss_delta(
        net.output, o, d.reshape(O, TB), None if mask is None else m.reshape(TB), delta_o
    )

    # Backward sweep: the loop over time for delta_h, or for BPTT(k) k products over all t.
    k = effective(truncation, T)
    if k is not None and mode == "sliding":
        fp = _derivative(net.hidden, a, Z[1:, :, :H])  # e.g. 1 - h(t)^2 (eq. 38), all t at once
        from_out = delta_o.T.dot(net.V).reshape(T, B, H)  # V^T delta_o(t), eq. 33
        delta_h = _sliding_deltas(fp, from_out, net.W, k)
    else:
        cut = k or 0
        _backward_loop(G, a, Z[1:, :, :H], net, cut)
        delta_h = G[:T, :, O:]
    delta_h0 = delta_h[0].dot(net.W)  # dL/dh0 = W^T delta_h(1)

    # Parameter gradients, eq. 84-88, as matrix products over all (time, batch) rows.
    dWbU = matmul(delta_h.reshape(TB, H).T, Z[:T].reshape(TB, K))  # eq. 87, 85, 88
    dVc = matmul(delta_o, h1)  # eq. 86, 84
    dh0 = add.reduce(delta_h0, axis=0) if batched else delta_h0[0]
    freeze(Z, G, d, m, a, o, y, loss_t, delta_o, delta_h, delta_h0, dWbU, dVc, dh0)
    grads = {
        "U": dWbU[:, H + 1 :],
        "W": dWbU[:, :H],
        "V": dVc[:, :H],
        "b": dWbU[:, H],
        "c": dVc[:, H],
        "h0": dh0,
    }
    if batched:  # (B, T, .) views of the (T, B, .), (O, T, B) and (T, B) buffers
        views = {
            "x": Z[:T, :, H + 1 :].transpose(1, 0, 2),
            "d": d.T,
            "mask": m.T,
            "a": a.transpose(1, 0, 2),
            "h": Z[:, :, :H].transpose(1, 0, 2),
            "o": o.reshape(O, T, B).T,
            "y": y.reshape(O, T, B).T,
            "loss_t": loss_t.reshape(T, B).T,
            "delta_o": delta_o.reshape(O, T, B).T,
            "delta_h": delta_h.transpose(1, 0, 2),
            "delta_h0": delta_h0,
            "context": Z[:T, :, :H].transpose(1, 0, 2),
        }
    else:  # (T, .) views of the B = 1 buffers
        views = {
            "x": Z[:T, 0, H + 1 :],
            "d": d[:, :, 0].T,
            "mask": m[:, 0],
            "a": a[:, 0],
            "h": Z[:, 0, :H],
            "o": o.T,
            "y": y.T,
            "loss_t": loss_t,
            "delta_o": delta_o.T,
            "delta_h": delta_h[:, 0],
            "delta_h0": delta_h0[0],
            "context": Z[:T, 0, :H],
        }
    return Trace(
        net=net,
        loss=float(add.reduce(loss_t)),
        grads=MappingProxyType(grads),
        truncation=truncation,
        mode="full" if truncation is None else mode,
        **views,
    )


def _sliding_deltas(fp: Array, from_out: Array, W: Array, k: int) -> Array:
    """delta_h(t) = sum_{j<k} D_j(t) for BPTT(k), all t at once for each age j (k products).

    ``fp`` and ``from_out`` are time-major (T, B, H), and so is the result; ``from_out`` is
    overwritten with D_0.
    """
    D = np.multiply(fp, from_out, out=from_out)  # D_0(t) = f'(a(t)) * V^T delta_o(t)
    total = D.copy()
    T, B, H = fp.shape
    for j in range(1, k):
        # D_j(t) = f'(a(t)) * W^T D_{j-1}(t+1), for t = 1..T-j
        D = D[1:].reshape(-1, H).dot(W).reshape(T - j, B, H)
        D *= fp[: T - j]
        total[: T - j] += D
    return total
