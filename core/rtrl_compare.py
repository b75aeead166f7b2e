"""RTRL beside BPTT: what each knows at a cursor position, and the work each does, counted.

Both compute the gradient of L = L(1) + ... + L(T) (:mod:`core.rtrl`, Eq. 27). They differ in
when the gradient is known and what it costs:

* RTRL accumulates forward: after forward step t it holds d(L(1)+...+L(t))/dtheta
  (:meth:`core.rtrl.RTRLResult.total`), complete at the end of the forward sweep;
* BPTT accumulates backward: nothing until the backward sweep, then after backward step t the
  sum over s >= t of the gradient terms (:meth:`core.trace.Trace.accumulated`), complete at t = 1.

At every cursor position (:mod:`core.cursor`) :func:`known_at` gives both totals, and
:func:`gap` the largest |RTRL - BPTT| over a parameter's entries, which ends at rounding level
(:func:`gap_curves` computes all of them in O(T), for the views).

Costs are counted by engines that do the work: :func:`counted_bptt` is BPTT written step by step
(Eqs. 1-4, 9, 10, 12-17; Goodfellow et al. 2016 §10.2.2; Jordan's loop through J_g, Eq. 19) that
adds up its multiplications where it makes them and the floats it stores; the tests hold its
gradient to :func:`core.bptt.bptt`'s. :func:`cost_growth` runs both on growing H and T
(Williams & Zipser 1989 §3: O(H^4) work a step and O(H^3) memory for RTRL, against O(H^2) a step
and O(T H) memory for BPTT).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.bptt import bptt
from core.cursor import Phase
from core.functions import hidden_derivative, hidden_forward, output_jacobian_t, output_loss_delta
from core.inputs import validate
from core.model import SRN
from core.rtrl import Costs, RTRLProgress, RTRLResult, frozen_costs, rtrl, rtrl_steps
from core.trace import Trace

Array = NDArray[np.floating]


# -- what each algorithm knows at the cursor ----------------------------------------------------
def known_at(
    result: RTRLResult, trace: Trace, phase: Phase, t: int
) -> tuple[dict[str, Array], dict[str, Array]]:
    """(RTRL's gradient so far, BPTT's gradient so far) at cursor (phase, t) of one sequence.

    RTRL: zeros at the start, ``total(t)`` going forward, complete going backward. BPTT: zeros
    until the backward sweep, then ``trace.accumulated(t)``.
    """
    T = result.T
    zeros = {p: np.zeros_like(g) for p, g in result.grads.items()}
    if phase == "start":
        return zeros, dict(zeros)
    if phase == "forward":
        return result.total(t), dict(zeros)
    return result.total(T), trace.accumulated(t)


def gap(result: RTRLResult, trace: Trace, p: str) -> NDArray[np.float64]:
    """(2T + 1,) max |RTRL - BPTT| over parameter p's entries at cursor positions k = 0..2T."""
    T = result.T
    out = np.empty(2 * T + 1)
    out[0] = 0.0
    for k in range(1, 2 * T + 1):
        phase: Phase = "forward" if k <= T else "backward"
        t = k if k <= T else 2 * T + 1 - k
        r, b = known_at(result, trace, phase, t)
        out[k] = float(np.max(np.abs(r[p] - b[p]), initial=0.0))
    out.setflags(write=False)
    return out


def gap_curves(result: RTRLResult, trace: Trace) -> dict[str, NDArray[np.float64]]:
    """:func:`gap` for every parameter at once, in O(T) sums instead of O(T^2).

    BPTT's totals going back are suffix sums of its per-step terms delta(t) partner(t)^T
    (Eqs. 12-17), accumulated from t = T down; the curves agree with :func:`gap` to rounding.
    """
    T = result.T
    out: dict[str, NDArray[np.float64]] = {}
    for p in result.grads:
        shape = result.grads[p].shape
        if p == "h0":
            terms = np.zeros((T, *shape))
            terms[0] = trace.delta_h0  # dL/dh0 = W^T delta_h(1) enters at t = 1 only
        else:
            delta, partner = trace.delta_of(p), trace.partner(p)
            terms = (delta[:, :, None] * partner[:, None, :]).reshape(T, *shape)
        suffix = np.cumsum(terms[::-1], axis=0)[::-1]  # sum over s >= t, at index t-1
        axes = tuple(range(1, len(shape) + 1))
        forward = np.abs(result.running[p]).max(axis=axes)  # BPTT holds 0 going forward
        backward = np.abs(result.grads[p] - suffix).max(axis=axes)  # at index t-1
        curve = np.concatenate([[0.0], forward, backward[::-1]])  # k = 0, 1..T, T+1..2T
        curve.setflags(write=False)
        out[p] = curve
    return out


# -- the comparison of one sequence, off the GUI thread -----------------------------------------
@dataclass(frozen=True, slots=True)
class Comparison:
    """RTRL and untruncated BPTT on the same sequence, with both engines' counted costs.

    trace : full BPTT (the session's trace when it is untruncated).  result : RTRL, running
    totals kept.  bptt_costs : :func:`counted_bptt`'s counts.  truncated : whether the sequence's
    own trace was truncated (the comparison is then of the untruncated gradients).  gaps :
    :func:`gap_curves`, per parameter.
    """

    trace: Trace
    result: RTRLResult
    bptt_costs: Costs
    truncated: bool
    gaps: Mapping[str, NDArray[np.float64]]


def compare_steps(trace: Trace) -> Iterator[RTRLProgress | Comparison]:
    """RTRL and counted BPTT for a one-sequence trace: RTRL's progress items, then the
    :class:`Comparison`. ValueError (before any work) when RTRL would pass its size limit."""
    if trace.batched:
        raise ValueError("the comparison is defined for one sequence; use trace.select(i)")
    net = trace.net
    if not isinstance(net, SRN):
        raise ValueError("a tapped delay line has no recurrence: RTRL has nothing to carry")
    return _compare(trace, net, rtrl_steps(net, trace.x, trace.d, mask=trace.mask))


def _compare(
    trace: Trace, net: SRN, steps: Iterator[RTRLProgress | RTRLResult]
) -> Iterator[RTRLProgress | Comparison]:
    """The work of :func:`compare_steps`, once its arguments are checked (``net`` is the
    trace's)."""
    full = trace if trace.truncation is None else bptt(net, trace.x, trace.d, mask=trace.mask)
    _, costs = counted_bptt(net, trace.x, trace.d, trace.mask)
    for item in steps:
        if isinstance(item, RTRLResult):
            gaps = MappingProxyType(gap_curves(item, full))
            yield Comparison(full, item, costs, trace.truncation is not None, gaps)
        else:
            yield item


# -- BPTT that counts its work -------------------------------------------------------------------
def counted_bptt(
    net: SRN, xs: Any, targets: Any, mask: Any = None
) -> tuple[dict[str, Array], Costs]:
    """Full BPTT written step by step, counting multiplications and the floats it stores.

    xs (T, I) or (B, T, I) and the rest as :func:`core.bptt.bptt`; returns the gradient (summed
    over the batch) and :class:`core.rtrl.Costs` with the forward and backward work per step.
    """
    xs, targets, mask, _ = validate(net, xs, targets, mask)
    B, T, _ = xs.shape
    m = np.ones((B, T)) if mask is None else mask
    grads = {p: np.zeros_like(a) for p, a in net.params().items()}
    forward = np.zeros(T, np.int64)
    backward = np.zeros(T, np.int64)
    memory = 0
    for b in range(B):
        held = _one_sequence(net, xs[b], targets[b], m[b], grads, forward, backward)
        memory = max(memory, held)
    return grads, frozen_costs(forward, backward, B * memory)


def _one_sequence(
    net: SRN,
    x: Array,
    d: Array,
    m: Array,
    grads: dict[str, Array],
    forward: NDArray[np.int64],
    backward: NDArray[np.int64],
) -> int:
    """Add one sequence's gradient to ``grads`` and its counts to ``forward``/``backward``;
    return the floats it held."""
    T = x.shape[0]
    H, O, C = net.n_hidden, net.n_out, net.n_context
    U, W, V = net.U, net.W, net.V
    jordan = net.context == "output"
    ctx, hs, fps = np.empty((T, C)), np.empty((T, H)), np.empty((T, H))  # kept for the backward
    es, ys = np.empty((T, O)), np.empty((T, O))
    c = net.h0
    for t in range(T):  # forward sweep, eqs. 1-4
        ctx[t] = c
        a = net.b + W @ c + U @ x[t]
        hs[t] = hidden_forward(net.hidden, a)
        fps[t] = hidden_derivative(net.hidden, a, hs[t])
        o = net.c + V @ hs[t]
        y, _, e = output_loss_delta(net.output, o[:, None], d[t][:, None], m[t : t + 1])
        ys[t], es[t] = y[:, 0], e[:, 0]
        forward[t] += H * C + H * x.shape[1] + O * H
        c = {"hidden": hs[t], "output": ys[t], "target": d[t]}[net.context]
    delta_next = np.zeros(H)  # delta_h(T+1) = 0
    for t in range(T - 1, -1, -1):  # backward sweep
        work = 0
        if jordan:  # eq. 19: delta_o = e + J_g^T W^T delta_h(t+1)
            delta_o = es[t].copy()
            if t < T - 1:
                back = W.T @ delta_next
                delta_o += output_jacobian_t(net.output, ys[t], back)
                work += H * O + {"softmax": 2 * O, "logistic": 2 * O, "linear": 0}[net.output]
            delta_h = fps[t] * (V.T @ delta_o)  # eq. 20
            work += O * H + H
        else:
            delta_o = es[t]
            g = V.T @ delta_o  # eq. 10: V^T delta_o(t) + W^T delta_h(t+1)
            work += O * H
            if t < T - 1 and net.context == "hidden":
                g = g + W.T @ delta_next
                work += H * H
            delta_h = fps[t] * g
            work += H
        grads["U"] += np.outer(delta_h, x[t])  # eqs. 12-16
        grads["W"] += np.outer(delta_h, ctx[t])
        grads["V"] += np.outer(delta_o, hs[t])
        grads["b"] += delta_h
        grads["c"] += delta_o
        work += H * x.shape[1] + H * C + O * H
        if t == 0:
            grads["h0"] += W.T @ delta_h  # eq. 17
            work += H * C
        backward[t] += work
        delta_next = delta_h
    stored = ctx.size + hs.size + fps.size + es.size + (ys.size if jordan else 0)
    return stored + sum(int(g.size) for g in grads.values()) + H


# -- how the costs grow --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CostPoint:
    """One counted run: ``algorithm`` ("rtrl" or "bptt") at H hidden units and T steps.

    per_step : multiplications per step (all work over T).  memory : floats held.
    """

    algorithm: str
    H: int
    T: int
    per_step: float
    memory: int


#: the sizes :func:`cost_growth` runs by default (small: RTRL at H = 32 is 1.3M products a step)
GROWTH_H = (2, 4, 8, 16, 32)
GROWTH_T = (8, 16, 32, 64, 128)
#: the T of the runs over H, and the H of the runs over T
AT_T, AT_H = 16, 8


def cost_growth(
    net: SRN,
    hs: Sequence[int] = GROWTH_H,
    ts: Sequence[int] = GROWTH_T,
    at_h: int = AT_H,
    at_t: int = AT_T,
    seed: int = 0,
) -> Iterator[CostPoint]:
    """Both algorithms on random data for networks shaped like ``net`` (inputs, outputs,
    context, activation and output function), over H in ``hs`` at T = ``at_t`` and over T in
    ``ts`` at H = ``at_h``; one point per run, RTRL then BPTT."""
    rng = np.random.default_rng(seed)
    sizes = [(h, at_t) for h in hs] + [(at_h, t) for t in ts]
    for H, T in sizes:
        other = SRN.init(
            net.n_in, H, net.n_out, hidden=net.hidden, output=net.output, context=net.context
        )
        x = rng.normal(size=(T, net.n_in))
        d = rng.uniform(size=(T, net.n_out))
        if net.output == "softmax":
            d /= d.sum(axis=1, keepdims=True)
        costs = rtrl(other, x, d, keep_running=False).costs
        yield CostPoint("rtrl", H, T, costs.total / T, costs.memory)
        _, counted = counted_bptt(other, x, d)
        yield CostPoint("bptt", H, T, counted.total / T, counted.memory)
