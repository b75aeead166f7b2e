"""How far back each loss term reaches: the gradient flow matrix and the Jacobian chain.

The loss at step s reaches the hidden state at an earlier step t through a product of per-step
Jacobians. With h(t) = f(a(t)) and a(t) = b + W h(t-1) + U x(t) (Eqs. 1-2 of Unfold's
Help > Equations page)::

    J(t) = dh(t)/dh(t-1) = diag(f'(a(t))) W                                    (H, H)

    dL(s)/dh(s) = V^T delta_o(s)                                   (V^T delta_o of Eq. 10, t = s)
    dL(s)/dh(t) = J(t+1)^T dL(s)/dh(t+1) = W^T (f'(a(t+1)) * dL(s)/dh(t+1))
                = J(t+1)^T J(t+2)^T ... J(s)^T V^T delta_o(s)           (t < s)

Summing the second line over s >= t gives the recursion of Eq. 10 (Goodfellow et al. 2016
§10.2.2), the total gradient dL/dh(t) the backward sweep computes; here each loss term L(s) is
kept apart, so the matrix F[s, t] = ||dL(s)/dh(t)|| shows how much of L(s) survives the trip back
s - t steps.

Bengio, Simard and Frasconi (1994), cited in Bodén 2001 section 5.1: the norm of the product of
s - t Jacobians is at most prod ||J(tau)|| <= (max f' ||W||)^(s-t). When the Jacobians' spectral
radii stay below 1 the contribution of distant steps shrinks exponentially with the distance
(vanishing gradients: "for each layer the error is backpropagated through the error gets smaller
and smaller", Bodén 2001 section 5.1); when they exceed 1 it can grow exponentially (exploding).

For a Jordan network (:mod:`core.jordan`) h(t-1) reaches h(t) through the fed-back output,
a(t) = b + W y(t-1) + U x(t), so the per-step Jacobian gains the output layer::

    J(t) = dh(t)/dh(t-1) = diag(f'(a(t))) W J_g(t-1) V,   J_g(t-1) = dy(t-1)/do(t-1)

and with teacher forcing (the context is the target d(t-1), data) J(t) = 0: nothing flows back.
The loss term's own start is its local part V^T (y(s) - d(s)), Eq. 9.

Time steps are 1-based t = 1..T, as on screen; array index t-1 holds step t.

The flow matrix costs O(T^2 H^2) and the radii O(T H^3): seconds for T = 1000 and H = 64.
:func:`flow_steps` computes both in blocks of bounded work and yields a :class:`FlowProgress`
after each, so that a caller can show progress and stop between blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.blas import one_blas_thread
from core.bptt import Trace
from core.functions import hidden_derivative, output_jacobian_t, output_loss_delta
from core.model import SRN, frozen
from core.tdl import TDL

Array = NDArray[np.floating]
#: most multiply-adds between two reports of :func:`flow_steps` (milliseconds of work)
_BAND_WORK = 1 << 22
#: the cost of one eigenvalue problem of an n x n matrix, in multiply-adds: about 10 n^3
_EIG_COST = 10


def _single(trace: Trace) -> Trace:
    if trace.batched:
        raise ValueError(
            "the gradient flow is defined for one sequence; pass trace.select(index) "
            f"(the trace holds {trace.n_sequences} sequences)"
        )
    return trace


def flow_matrix(trace: Trace) -> NDArray[np.float64]:
    """F[s-1, t-1] = ||dL(s)/dh(t)||_2 for t <= s, under full BPTT; NaN above the diagonal.

    Row s is one loss term L(s) (weighted by the trace's mask, as ``delta_o`` is), column t one
    hidden state h(t). The entries follow the Jacobian chain of the module docstring (Eq. 10
    with each loss term kept apart)::

        g_0(s) = dL(s)/dh(s)   = V^T delta_o(s)
        g_j(s) = dL(s)/dh(s-j) = W^T (f'(a(s-j+1)) * g_{j-1}(s))

    The matrix always shows the untruncated flow, whatever truncation the trace was computed
    with: it is what truncation throws away that a view wants to show. Overlay
    :func:`within_window` to see which pairs the trace's truncation keeps. Entries with t > s are
    NaN, because a loss term never reaches a later state.

    All loss terms of the same age j = s - t are propagated together, as one (T-j, H) x (H, H)
    product (T products in all, the scheme of bptt's sliding mode); no T x T x H x H array is
    ever formed.

    Parameters
    ----------
    trace : a single-sequence trace (``trace.select(i)`` picks one from a batch).

    Returns
    -------
    (T, T) float64 array, rows s = 1..T, columns t = 1..T.
    """
    trace = _single(trace)
    F = np.full((trace.T, trace.T), np.nan)
    for _ in _flow_bands(trace, F):
        pass
    return F


def _flow_bands(trace: Trace, F: NDArray[np.float64]) -> Iterator[int]:
    """Fill the flow matrix F (T, T) age by age, j = s - t = 0..T-1 (:func:`flow_matrix`);
    yield the number of ages done after each band of about ``_BAND_WORK`` multiply-adds."""
    net, T = trace.net, trace.T
    W, V = np.asarray(net.W, np.float64), np.asarray(net.V, np.float64)
    fp = np.asarray(hidden_derivative(net.hidden, trace.a, trace.h[1:]), np.float64)  # (T, H)
    g = _local_output_delta(trace) @ V  # (T, H): V^T delta_o(s) of L(s) alone, eq. 45
    y = np.asarray(trace.y, np.float64)
    rows = np.arange(T)
    per_row = W.size + (2 * V.size if net.context == "output" else 0)  # one row of one age
    work = 0
    for j in range(T):
        # g[t-1] = dL(t+j)/dh(t) for t = 1..T-j
        F[rows[: T - j] + j, rows[: T - j]] = np.linalg.norm(g, axis=1)
        if j + 1 < T:
            g = (fp[1 : T - j] * g[1:]) @ W  # W^T (f'(a(s-j+1)) * g_{j-1}(s))
            if net.context == "output":  # ... through y(t) and o(t) to h(t): V^T J_g^T
                g = output_jacobian_t(net.output, y[: T - j - 1], g) @ V
            elif net.context in ("target", "none"):  # teacher forcing: the context is data;
                g = np.zeros_like(fp[: T - j - 1])  # a tapped delay line has no recurrence
        work += (T - j) * per_row
        if work >= _BAND_WORK or j + 1 == T:
            work = 0
            yield j + 1


def _local_output_delta(trace: Trace) -> NDArray[np.float64]:
    """(T, O) dL(s)/do(s) of the loss term L(s) alone: m(s) (y(s) - d(s)), Eq. 9.

    For an Elman network this is the trace's delta_o; a Jordan network's delta_o also holds
    the gradient that later steps send back through the fed-back output.
    """
    if not trace.net.jordan:
        return np.asarray(trace.delta_o, np.float64)
    o, d = np.asarray(trace.o, np.float64), np.asarray(trace.d, np.float64)
    m = np.asarray(trace.mask, np.float64)
    _, _, delta = output_loss_delta(trace.net.output, o.T, d.T, m)
    return np.asarray(delta.T)


def within_window(trace: Trace) -> NDArray[np.bool_]:
    """M[s-1, t-1] is True when the trace's truncation lets L(s) reach h(t).

    From ``trace.window(s) = (first, s)``: full BPTT keeps every t <= s, sliding BPTT(k) the
    k steps s-k+1..s, chunked truncation the steps of s's chunk up to s. Same layout as
    :func:`flow_matrix`; False above the diagonal.

    Returns
    -------
    (T, T) bool array.
    """
    trace = _single(trace)
    T = trace.T
    M = np.zeros((T, T), dtype=bool)
    for s in range(1, T + 1):
        first, last = trace.window(s)
        M[s - 1, first - 1 : last] = True
    return M


def spectral_radius(W: Array) -> float:
    """rho(W) = max |lambda_i(W)| for a square matrix (Bengio et al. 1994; Bodén 2001 section 5.1).

    For a linear hidden layer every Jacobian dh(t)/dh(t-1) is W itself, so rho(W) < 1 means the
    flow back through time vanishes and rho(W) > 1 that it can explode.
    """
    A = np.asarray(W)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"spectral radius needs a square matrix, got shape {A.shape}")
    with one_blas_thread(10.0 * A.shape[0] ** 3):  # ~10 n^3 for the eigenvalues (core.blas)
        return float(np.max(np.abs(np.linalg.eigvals(A))))


def loop_matrix(net: SRN | TDL) -> NDArray[np.float64]:
    """The (H, H) matrix that carries h(t-1) into a(t) with f and g taken as identities.

    Elman: W (Eq. 1). Jordan: W V, the loop through the output layer and back through
    the context (core/jordan.py). Teacher forcing: zeros, the loop is open (the context is data);
    a tapped delay line (core/tdl.py) has no loop either.
    Its spectral radius is the reference line of the gradient-flow view.
    """
    W = np.asarray(net.W, np.float64)
    if net.context == "output":
        return W @ np.asarray(net.V, np.float64)
    if net.context not in ("hidden", "output"):
        return np.zeros((net.n_hidden, net.n_hidden))
    return W


def jacobians_spectral_radius(trace: Trace) -> NDArray[np.float64]:
    """rho(J(t)) for J(t) = dh(t)/dh(t-1) = diag(f'(a(t))) W, t = 1..T.

    The per-step factor of the Jacobian chain in the module docstring (Eq. 10 reads
    J(t+1)^T applied to the gradient). Saturated tanh or logistic units have f' ~ 0 and pull the
    radius below rho(W); for a linear hidden layer J(t) = W and the radius is rho(W).

    For a Jordan network J(t) = diag(f'(a(t))) W J_g(t-1) V (module docstring) for t >= 2; the
    first step has no earlier hidden state and gets NaN, and with teacher forcing every J(t) is 0;
    so is every J(t) of a tapped delay line (:mod:`core.tdl`), which has no recurrence.

    Returns
    -------
    (T,) float64 array, index t-1 for step t.
    """
    trace = _single(trace)
    radii = np.full(trace.T, np.nan)
    for _ in _radii_blocks(trace, radii):
        pass
    return radii


def _radii_blocks(trace: Trace, radii: NDArray[np.float64]) -> Iterator[int]:
    """Fill radii (T,) with rho(J(t)) (:func:`jacobians_spectral_radius`) a block of steps at
    a time; yield the number of steps done after each block of about ``_BAND_WORK`` work."""
    net, T = trace.net, trace.T
    fp = np.asarray(hidden_derivative(net.hidden, trace.a, trace.h[1:]), np.float64)  # (T, H)
    W = np.asarray(net.W, np.float64)
    block = max(1, _BAND_WORK // (_EIG_COST * net.n_hidden**3))
    if net.context == "none":  # a tapped delay line: h(t) does not depend on h(t-1), J(t) = 0
        radii[:] = 0.0
        yield T
        return
    if not net.jordan:
        for t0 in range(0, T, block):
            J = fp[t0 : t0 + block, :, None] * W[None]  # (b, H, H): row i scaled by f'_i
            radii[t0 : t0 + block] = np.max(np.abs(np.linalg.eigvals(J)), axis=1)
            yield min(T, t0 + block)
        return
    if net.context == "target":
        radii[1:] = 0.0
        yield T
        return
    V, y = np.asarray(net.V, np.float64), np.asarray(trace.y, np.float64)
    yield 1  # J(1) has no earlier hidden state: NaN
    for t0 in range(1, T, block):
        t1 = min(T, t0 + block)
        # J_g(t-1) V for t = t0+1..t1, (b, O, H): the output Jacobian applied to each column of V
        y_before = y[t0 - 1 : t1 - 1]
        columns = [
            output_jacobian_t(net.output, y_before, V[None, :, i]) for i in range(V.shape[1])
        ]
        J = fp[t0:t1, :, None] * (W[None] @ np.stack(columns, axis=-1))  # (b, H, H)
        radii[t0:t1] = np.max(np.abs(np.linalg.eigvals(J)), axis=1)
        yield t1


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with np.array_equal
class FlowProgress:
    """The gradient flow of one sequence part of the way (:func:`flow_steps`), read-only.

    Attributes
    ----------
    flow : (T, T) :func:`flow_matrix` once it is complete, None before.
    radii : (T,) the first ``radii_done`` entries are :func:`jacobians_spectral_radius`'s, the
        others NaN.
    radii_done : how many steps' radii are known.
    radius_loop : rho of :func:`loop_matrix`, the reference line.
    done, total : work done and in all, in steps: T ages of the flow matrix, then T radii.
    """

    flow: NDArray[np.float64] | None
    radii: NDArray[np.float64]
    radii_done: int
    radius_loop: float
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done == self.total


def flow_steps(trace: Trace) -> Iterator[FlowProgress]:
    """:func:`flow_matrix`, :func:`jacobians_spectral_radius` and rho(:func:`loop_matrix`) of a
    single-sequence trace, in blocks of bounded work; a :class:`FlowProgress` after each.

    The last item is complete and holds exactly the three functions' results. Nothing is
    computed before the first ``next`` (a batched trace raises ValueError there).
    """
    trace = _single(trace)
    T = trace.T
    loop = spectral_radius(loop_matrix(trace.net))
    F = np.full((T, T), np.nan)
    pending = frozen(np.full(T, np.nan))
    for ages in _flow_bands(trace, F):
        if ages < T:
            yield FlowProgress(None, pending, 0, loop, ages, 2 * T)
    flow = frozen(F)
    radii = np.full(T, np.nan)
    for steps in _radii_blocks(trace, radii):
        yield FlowProgress(flow, frozen(radii), steps, loop, T + steps, 2 * T)
