"""The spectrum of the recurrence (Goodfellow et al. 2016, *Deep Learning* §10.7; Bengio,
Simard and Frasconi 1994; Bodén 2001 section 5.1).

Gradients carried back through ``s`` steps are multiplied by a product of ``s`` Jacobians
(:mod:`core.gradient_flow`)::

    dL/dh(t) = J(t+1)^T J(t+2)^T ... J(t+s)^T dL/dh(t+s),    J(t) = diag(f'(a(t))) W

so their size is governed by the loop matrix W (for a Jordan network W V, see
:func:`core.gradient_flow.loop_matrix`): by its eigenvalues lambda_i, whose largest modulus
rho(W) fixes the rate at which (W^T)^s grows or shrinks (||(W^T)^s||^(1/s) -> rho(W), Gelfand's
formula), and by its singular values sigma_i, the largest of which bounds one step of an Elman
network, ||J(t)^T|| <= max f' * sigma_1 (Bengio et al. 1994; Pascanu, Mikolov and Bengio 2013
§2.1).

This module gives these numbers for a network (:func:`loop_eigenvalues`,
:func:`loop_singular_values`), measures the norm of the Jacobian product of a trace at every
lag (:func:`product_norms`, in blocks of bounded work by :func:`spectral_steps`), and rescales W
to a chosen spectral radius (:func:`with_spectral_radius`).

Time steps are 1-based t = 1..T, as on screen; array index t-1 holds step t.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from core.bptt import Trace
from core.functions import hidden_derivative, output_jacobian_t
from core.gradient_flow import loop_matrix, spectral_radius
from core.model import SRN, frozen
from core.tdl import TDL

#: bounds of a spectral radius a user may ask for (typed in a spin box or read from a file)
MIN_RADIUS = 0.0
MAX_RADIUS = 10.0
#: the most lags s whose Jacobian products :func:`product_norms` measures by default
DEFAULT_MAX_LAG = 40
#: bounds of the number of lags a caller may ask for
MIN_LAG, MAX_LAG = 1, 1000
#: the most starts t whose products :func:`product_norms` measures by default, and the bounds
DEFAULT_MAX_STARTS = 64
MIN_STARTS, MAX_STARTS = 1, 10_000
#: most multiply-adds between two reports of :func:`spectral_steps` (tens of milliseconds)
_BLOCK_WORK = 1 << 24
#: the cost of one H x H spectral norm (:func:`spectral_norms`), in multiply-adds: about 4 H^3
_NORM_COST = 4


def with_spectral_radius(net: SRN | TDL, radius: float) -> SRN:
    """Return ``net`` with W scaled so that the loop matrix has spectral radius ``radius``.

    Scaling W by ``radius / rho`` scales every eigenvalue of W (Elman) or of W V (Jordan) by the
    same factor, so the new loop matrix has spectral radius ``radius`` exactly. Teacher forcing
    (the context is data) and a tapped delay line (no context units) have no loop, and a zero W
    has no spectrum to scale: all three raise.
    """
    value = float(radius)
    if not (MIN_RADIUS <= value <= MAX_RADIUS):
        raise ValueError(
            f"spectral radius must be between {MIN_RADIUS:g} and {MAX_RADIUS:g}, got {value:g}"
        )
    if net.context == "target":
        raise ValueError("with teacher forcing the context is data: there is no loop to rescale")
    if isinstance(net, TDL):
        raise ValueError("a tapped delay line has no recurrence: there is no loop to rescale")
    rho = spectral_radius(loop_matrix(net))
    if not np.isfinite(rho) or rho == 0.0:
        raise ValueError("W has spectral radius 0: there is no spectrum to rescale")
    W = np.asarray(net.W) * (value / rho)
    return net.with_params(W=W)


# -- the loop matrix ----------------------------------------------------------------------------
def loop_eigenvalues(net: SRN | TDL) -> NDArray[np.complex128]:
    """The eigenvalues lambda_i of the loop matrix (W; W V for a Jordan network), largest modulus
    first (ties: larger real part, then larger imaginary part first).

    The points of the complex plane a view draws against the unit circle: inside it (|lambda| < 1)
    the linearised recurrence h(t) = W h(t-1) forgets, outside it grows (Goodfellow et al. 2016
    §10.7). ``max |lambda_i|`` is :func:`core.gradient_flow.spectral_radius`. With teacher
    forcing the loop is open and every eigenvalue is 0.

    Returns
    -------
    (H,) complex128, read-only.
    """
    lam = np.linalg.eigvals(loop_matrix(net)).astype(np.complex128)
    order = np.lexsort((-lam.imag, -lam.real, -np.abs(lam)))
    return frozen(lam[order])


def loop_singular_values(net: SRN | TDL) -> NDArray[np.float64]:
    """The singular values sigma_1 >= ... >= sigma_H of the loop matrix (W; W V for Jordan).

    sigma_1 = ||W||_2 is the most one step of W can stretch a vector (sigma_H the least), so for
    an Elman network ||J(t+1)^T ... J(t+s)^T||_2 <= (max f' sigma_1)^s (Bengio et al. 1994;
    Pascanu et al. 2013 §2.1). A Jordan network's step also passes the output Jacobian J_g
    between W and V, so sigma_1(W V) describes its loop with g taken as the identity.

    Returns
    -------
    (H,) float64, descending, read-only.
    """
    return frozen(np.linalg.svd(loop_matrix(net), compute_uv=False))


# -- the Jacobians of a trace -------------------------------------------------------------------
def step_jacobians(trace: Trace, steps: ArrayLike) -> NDArray[np.float64]:
    """J(t) = dh(t)/dh(t-1) for each step t of ``steps`` (1-based).

    Elman (Eq. 1-2): J(t) = diag(f'(a(t))) W. Jordan: J(t) = diag(f'(a(t))) W J_g(t-1) V
    with J_g(t-1) = dy(t-1)/do(t-1) (:mod:`core.gradient_flow`), defined for t >= 2; teacher
    forcing and a tapped delay line (no context units): J(t) = 0.

    Returns
    -------
    (len(steps), H, H) float64.
    """
    net, T = trace.net, trace.T
    t = np.asarray(steps, dtype=np.intp).reshape(-1)
    lowest = 2 if net.jordan else 1
    if t.size and (t.min() < lowest or t.max() > T):
        raise ValueError(f"Jacobians J(t) exist for t = {lowest}..{T}, asked {t.min()}..{t.max()}")
    H = net.n_hidden
    if net.context not in ("hidden", "output"):  # teacher forcing, tapped delay line: no loop
        return np.zeros((t.size, H, H))
    a, h = np.asarray(trace.a)[t - 1], np.asarray(trace.h)[t]
    fp = np.asarray(hidden_derivative(net.hidden, a, h), np.float64)  # (n, H)
    W = np.asarray(net.W, np.float64)
    if not net.jordan:
        return fp[:, :, None] * W[None]  # row i of W scaled by f'(a_i(t))
    V = np.asarray(net.V, np.float64)
    y_before = np.asarray(trace.y, np.float64)[t - 2]  # y(t-1)
    # J_g(t-1) V one column of V at a time (J_g is symmetric for softmax, diagonal otherwise)
    columns = [output_jacobian_t(net.output, y_before, V[None, :, i]) for i in range(H)]
    return fp[:, :, None] * (W[None] @ np.stack(columns, axis=-1))


def spectral_norms(P: NDArray[np.floating]) -> NDArray[np.float64]:
    """||P_i||_2, the largest singular value of each matrix of a stack P (n, H, H).

    sigma_1(P) = sqrt(lambda_max(P^T P)) (Golub and Van Loan 2013, §2.3), from the symmetric
    eigenvalue problem, several times cheaper than a singular value decomposition for H of 100
    and more. Each matrix is first divided by its largest entry, so that P^T P neither
    overflows nor underflows; an all-zero matrix has norm 0.
    """
    P = np.asarray(P, np.float64)
    big = np.abs(P).max(axis=(1, 2))  # (n,)
    safe = np.where(big > 0.0, big, 1.0)
    Q = P / safe[:, None, None]
    gram = np.swapaxes(Q, 1, 2) @ Q  # (n, H, H), symmetric, largest entry <= H
    top = np.linalg.eigvalsh(gram)[:, -1]  # ascending: the last is the largest
    return np.where(big > 0.0, safe * np.sqrt(np.maximum(top, 0.0)), 0.0)


def product_starts(trace: Trace, most: int = DEFAULT_MAX_STARTS) -> NDArray[np.intp]:
    """The starts t whose products :func:`product_norms` measures: every t = 1..T-1 when there
    are at most ``most`` of them, else ``most`` steps spread evenly from 1 to T-1 (both kept).

    A product from every start costs O(S T H^3); the summary per lag needs a fair sample of
    the sequence, not all of it, so the cost stays O(S most H^3) however long the sequence.
    """
    most = int(most)
    if not MIN_STARTS <= most <= MAX_STARTS:
        raise ValueError(
            f"the number of starts must be between {MIN_STARTS} and {MAX_STARTS}, got {most}"
        )
    n = trace.T - 1
    if n <= most:
        return np.arange(1, n + 1, dtype=np.intp)
    return np.unique(np.round(np.linspace(1, n, most)).astype(np.intp))


def max_lag(trace: Trace, cap: int = DEFAULT_MAX_LAG) -> int:
    """The lags :func:`product_norms` measures: s = 1..min(cap, T - 1) (the first state a
    product can start from is h(1), the last it can reach h(T))."""
    cap = int(cap)
    if not MIN_LAG <= cap <= MAX_LAG:
        raise ValueError(f"the number of lags must be between {MIN_LAG} and {MAX_LAG}, got {cap}")
    return max(0, min(cap, trace.T - 1))


def product_norms(
    trace: Trace, cap: int = DEFAULT_MAX_LAG, most: int = DEFAULT_MAX_STARTS
) -> NDArray[np.float64]:
    """N[s-1, t-1] = log10 ||J(t+1)^T J(t+2)^T ... J(t+s)^T||_2 for s = 1..S and the starts t
    of :func:`product_starts` (every t = 1..T-s for a sequence of at most ``most`` + 1 steps).

    The matrix that carries dL/dh(t+s) back to dL/dh(t) over the lag s (module docstring), its
    spectral norm (largest singular value) measured on the trace's own activations, in log10
    because it grows or shrinks geometrically with s. ``S = max_lag(trace, cap)``; entries with
    t + s > T, or t not among the starts, are NaN; exact zeros (saturated units, teacher
    forcing) are -inf.

    For a linear hidden layer J(t) = W and every entry of row s is log10 ||(W^T)^s||_2.

    Returns
    -------
    (S, T) float64, read-only.
    """
    *_, last = spectral_steps(trace, cap, most)
    return last.log_norms


def lag_summary(log_norms: NDArray[np.floating]) -> NDArray[np.float64]:
    """Per lag s, the (min, median, max, mean) over the starts t of log10 ||product|| (the rows
    of :func:`product_norms`); the mean of the logs is the log of the geometric mean norm.

    Rows with no finite entry give NaN; -inf entries count (a product that is exactly 0).

    Returns
    -------
    (S, 4) float64.
    """
    out = np.full((log_norms.shape[0], 4), np.nan)
    for s, row in enumerate(log_norms):
        known = row[~np.isnan(row)]
        if known.size and np.isfinite(known).any():
            with np.errstate(invalid="ignore"):
                out[s] = known.min(), np.median(known), known.max(), known.mean()
    return out


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with np.array_equal
class SpectralProgress:
    """The spectrum of a network and the product norms of a trace part of the way, read-only.

    Attributes
    ----------
    eigenvalues : (H,) :func:`loop_eigenvalues`.  singular_values : (H,)
        :func:`loop_singular_values`.  radius : max |eigenvalue|.
    log_norms : (S, T) :func:`product_norms`; entries not computed yet are NaN.
    done, total : starts t times lags s done and in all.
    """

    eigenvalues: NDArray[np.complex128]
    singular_values: NDArray[np.float64]
    radius: float
    log_norms: NDArray[np.float64]
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done == self.total


def spectral_steps(
    trace: Trace, cap: int = DEFAULT_MAX_LAG, most: int = DEFAULT_MAX_STARTS
) -> Iterator[SpectralProgress]:
    """The spectrum of ``trace.net`` and :func:`product_norms` of ``trace``, in blocks of about
    ``_BLOCK_WORK`` multiply-adds; a :class:`SpectralProgress` after each, the last complete.

    The products are built one lag at a time for a block of the starts t of
    :func:`product_starts` (memory: the block's
    H x H products), P_t(s) = J(t+s) P_t(s-1) with P_t(0) = I, whose norm equals that of its
    transpose J(t+1)^T ... J(t+s)^T. Each product is divided by its norm after every step and
    the log of the norm is carried apart, so no product overflows or underflows, however long.
    Nothing is computed before the first ``next``.
    """
    if trace.batched:
        raise ValueError(
            "the Jacobian products are defined for one sequence; pass trace.select(index) "
            f"(the trace holds {trace.n_sequences} sequences)"
        )
    net, T, H = trace.net, trace.T, trace.net.n_hidden
    S = max_lag(trace, cap)
    eigenvalues, singular = loop_eigenvalues(net), loop_singular_values(net)
    radius = float(np.abs(eigenvalues).max())
    log_norms = np.full((S, T), np.nan)
    starts = product_starts(trace, most) if S else np.zeros(0, np.intp)
    total = int(np.minimum(S, T - starts).sum())  # pairs (t, s) with t + s <= T
    per_product = (1 + _NORM_COST) * H**3
    block = max(1, _BLOCK_WORK // per_product)  # starts per block
    done = work = 0
    for first in range(0, starts.size, block):
        t = starts[first : first + block]  # this block's starts, ascending
        P = np.broadcast_to(np.eye(H), (t.size, H, H)).copy()
        scale = np.zeros(t.size)  # log10 of the norm divided out of each product so far
        for s in range(1, S + 1):
            n = int(np.count_nonzero(t + s <= T))  # the starts that reach t + s
            if n == 0:
                break
            t, P, scale = t[:n], P[:n], scale[:n]
            P = step_jacobians(trace, t + s) @ P  # P_t(s) = J(t+s) P_t(s-1)
            norm = spectral_norms(P)
            safe = np.where(norm > 0.0, norm, 1.0)
            P /= safe[:, None, None]
            scale = scale + np.log10(safe)
            log_norms[s - 1, t - 1] = np.where(norm > 0.0, scale, -np.inf)
            done += n
            work += n * per_product
            if work >= _BLOCK_WORK and done < total:
                work = 0
                yield SpectralProgress(
                    eigenvalues, singular, radius, frozen(log_norms), done, total
                )
    yield SpectralProgress(eigenvalues, singular, radius, frozen(log_norms), total, total)
