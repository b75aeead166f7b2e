"""Gradient checking: bptt's analytic gradients against central finite differences.

For every parameter entry theta_i (Eqs. 12-17 of Unfold's Help > Equations page give the
analytic side)::

    n_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)            error O(eps^2)
    rel_i = |a_i - n_i| / max(|a_i| + |n_i|, tiny)

with the analytic gradient a_i in float64 (a float32 network is cast up first: float32 round-off
would swamp the check) and J evaluated in ``FD_DTYPE``, extended precision where available.

What J is depends on the truncation, because truncated BPTT is *not* the gradient of the total
loss L = sum_s L(s): finite differences of L agree with full BPTT only. The reference for a
truncated trace is the gradient of the truncated objective, evaluated by its definition:

* full BPTT: J = sum_s m(s) L(s), one forward pass from h0 over all T steps.
* sliding BPTT(k): J = sum_s m(s) L(s; h(s-k) held constant). Loss term L(s) is recomputed by a
  forward pass over the window s-k+1..s only, started from h(s-k) as stored by the unperturbed
  forward sweep (from the parameter h0 when s - k < 1), so a perturbation reaches L(s) only
  through the k steps of its window. For a Jordan network the state held constant is the
  context c(s-k+1) = y(s-k) (or d(s-k)) that the window's first step reads.
* chunked (cut every k steps): J = sum over chunks of the chunk's loss, each chunk run from the
  state carried in from the previous chunk, held constant at its unperturbed value (the first
  chunk starts from the parameter h0).

For k >= T both truncated objectives equal the full one. All windows (and all perturbations of a
block of parameter entries) are run together as one batched forward pass.

A check costs two forward passes over every window per parameter entry, O(P T H (H + I + O)) for
P entries: minutes for H = 256. :func:`gradient_check_steps` therefore offers it as a generator
that yields one :class:`CheckChunk` per block of entries (a caller can show progress and stop
between blocks), and :func:`tally` adds chunks up into a :class:`CheckProgress`;
:func:`gradient_check` is the same computation run to the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.bptt import bptt
from core.functions import hidden_forward, output_forward, step_loss
from core.model import PARAM_NAMES, SRN, frozen
from core.tdl import TDL

Array = NDArray[np.float64]
Real = NDArray[np.floating]  # float64 or the extended FD_DTYPE

#: the finite differences are evaluated in extended precision where the platform has it (x86:
#: 64-bit mantissa), so their round-off, about eps_fd |J| / eps, sits far below the O(eps^2)
#: truncation error; elsewhere this is float64
FD_DTYPE = np.longdouble
#: least floor of the relative error's denominator (see :func:`noise_floor`)
TINY = 1e-4
#: most perturbed copies of the parameters held at once (bounds the memory of a check)
_BLOCK_ELEMENTS = 1 << 19
#: most multiply-adds of one block's forward passes (bounds the time between two chunks, some
#: tens of milliseconds in extended precision, so that a caller can stop a check promptly)
_BLOCK_WORK = 1 << 22


@dataclass(frozen=True, slots=True)
class GradCheck:
    """The outcome of :func:`gradient_check`; every mapping is keyed by parameter name.

    Attributes
    ----------
    analytic : the gradient from :func:`core.bptt.bptt`, shaped like the parameter.
    numerical : the central finite-difference gradient of the (truncated) objective.
    rel_error : elementwise |a - n| / max(|a| + |n|, tiny).
    max_rel_error : the largest entry of ``rel_error`` per parameter (0 for an empty one).
    truncation, mode, eps : what was checked ("full", "sliding" or "chunked").
    tiny : the floor of the relative error's denominator that was used.
    """

    analytic: Mapping[str, Array]
    numerical: Mapping[str, Array]
    rel_error: Mapping[str, Array]
    max_rel_error: Mapping[str, float]
    truncation: int | None
    mode: str
    eps: float
    tiny: float

    @property
    def worst(self) -> float:
        """The largest relative error over all checked parameters."""
        return max(self.max_rel_error.values(), default=0.0)

    def passed(self, tol: float = 1e-6) -> bool:
        """True when every checked entry's relative error is below ``tol``."""
        return self.worst < tol


def gradient_check(
    net: SRN | TDL,
    xs: Any,
    targets: Any,
    *,
    truncation: int | None = None,
    mode: str = "sliding",
    eps: float = 1e-6,
    params: Iterable[str] | None = None,
    mask: Any = None,
    tiny: float | None = None,
) -> GradCheck:
    """Compare bptt's gradients with central finite differences of the objective bptt follows.

    Parameters
    ----------
    net : the network (cast to float64 when it is float32).
    xs : (T, I) one sequence or (B, T, I) a batch.
    targets : (T, O) or (B, T, O).
    truncation, mode : as for :func:`core.bptt.bptt`; the finite-difference reference is the
        truncated objective of the module docstring, not the total loss.
    eps : the finite-difference step.
    params : names to check (default all of U, W, V, b, c, h0).
    mask : optional (T,) or (B, T) per-step loss weight, as for bptt.
    tiny : floor of the relative error's denominator; by default :func:`noise_floor`, below
        which an entry is compared by its absolute error (an exact zero cannot be checked
        relatively: its finite difference is round-off).

    Returns
    -------
    GradCheck with read-only arrays: :func:`tally` of every chunk of
    :func:`gradient_check_steps` with the same arguments.
    """
    plan, chunks = _start(net, xs, targets, truncation, mode, eps, params, mask, tiny)
    return tally(plan, chunks).check


def gradient_check_steps(
    net: SRN | TDL,
    xs: Any,
    targets: Any,
    *,
    truncation: int | None = None,
    mode: str = "sliding",
    eps: float = 1e-6,
    params: Iterable[str] | None = None,
    mask: Any = None,
    tiny: float | None = None,
) -> Iterator[CheckChunk]:
    """:func:`gradient_check` as a generator: one :class:`CheckChunk` per block of entries.

    Arguments as for :func:`gradient_check`. Nothing is computed before the first ``next``;
    the arguments are checked then (a ValueError comes from the first ``next``). The chunks of
    a parameter follow each other in C order of its entries, the parameters in the order of
    ``params``; every chunk holds the same :class:`CheckPlan`, and ``tally(plan, chunks).check``
    of all of them equals :func:`gradient_check`'s result.
    """
    _, chunks = _start(net, xs, targets, truncation, mode, eps, params, mask, tiny)
    yield from chunks


@dataclass(frozen=True, slots=True)
class CheckPlan:
    """What a gradient check compares with, known before the first finite difference.

    analytic : bptt's gradient per checked parameter (float64, read-only), in check order.
    truncation, mode, eps, tiny : as in :class:`GradCheck`.
    """

    analytic: Mapping[str, Array]
    truncation: int | None
    mode: str
    eps: float
    tiny: float

    @property
    def names(self) -> tuple[str, ...]:
        """The checked parameters, in the order they are checked."""
        return tuple(self.analytic)

    @property
    def total(self) -> int:
        """How many entries the check compares."""
        return sum(a.size for a in self.analytic.values())


@dataclass(frozen=True, slots=True)
class CheckChunk:
    """The finite differences of one block of entries of one parameter.

    plan : the check this chunk belongs to.  name : the parameter.
    start : the flat (C order) index of the first entry; the chunk covers start..start+n-1.
    numerical : (n,) read-only central differences.  rel_error : (n,) read-only
        |a - n| / max(|a| + |n|, tiny) of those entries.
    done : entries of the whole check compared once this chunk is in (of ``plan.total``).
    """

    plan: CheckPlan
    name: str
    start: int
    numerical: Array
    rel_error: Array
    done: int


@dataclass(frozen=True, slots=True)
class CheckProgress:
    """A gradient check part of the way: what the chunks so far say.

    check : a GradCheck whose ``numerical`` and ``rel_error`` are NaN where an entry is not yet
        compared, and whose ``max_rel_error`` holds the parameters with an entry compared (the
        largest relative error among those entries). Once complete it is the full result.
    checked : entries compared per parameter (the first ``checked[name]`` in C order).
    done, total : entries compared so far and in all.
    """

    check: GradCheck
    checked: Mapping[str, int]
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done == self.total


def tally(
    plan: CheckPlan, chunks: Iterable[CheckChunk], before: CheckProgress | None = None
) -> CheckProgress:
    """Add ``chunks`` (in the order the generator yielded them) to ``before`` (to nothing when
    None). Costs one copy of the check's arrays, however many chunks are added.

    Raises
    ------
    ValueError
        For a chunk of another plan, or one that does not continue its parameter where the
        entries compared so far end.
    """
    shapes = {n: a.shape for n, a in plan.analytic.items()}
    checked = {n: 0 for n in shapes} if before is None else dict(before.checked)
    if before is None:
        num = {n: np.full(a.size, np.nan) for n, a in plan.analytic.items()}
        rel = {n: np.full(a.size, np.nan) for n, a in plan.analytic.items()}
    else:
        num = {n: np.array(v, np.float64).ravel() for n, v in before.check.numerical.items()}
        rel = {n: np.array(v, np.float64).ravel() for n, v in before.check.rel_error.items()}
    for chunk in chunks:
        if chunk.plan is not plan:
            raise ValueError("the chunk belongs to another gradient check")
        n, first = chunk.name, checked[chunk.name]
        if chunk.start != first:
            raise ValueError(f"chunk of {n} starts at entry {chunk.start}, expected {first}")
        last = first + chunk.numerical.size
        num[n][first:last] = chunk.numerical
        rel[n][first:last] = chunk.rel_error
        checked[n] = last
    worst = {
        n: float(rel[n][: checked[n]].max()) if checked[n] else 0.0
        for n in shapes
        if checked[n] or not rel[n].size
    }
    check = GradCheck(
        analytic=plan.analytic,
        numerical=MappingProxyType({n: frozen(v.reshape(shapes[n])) for n, v in num.items()}),
        rel_error=MappingProxyType({n: frozen(v.reshape(shapes[n])) for n, v in rel.items()}),
        max_rel_error=MappingProxyType(worst),
        truncation=plan.truncation,
        mode=plan.mode,
        eps=plan.eps,
        tiny=plan.tiny,
    )
    return CheckProgress(check, MappingProxyType(checked), sum(checked.values()), plan.total)


def _start(
    net: SRN | TDL,
    xs: Any,
    targets: Any,
    truncation: int | None,
    mode: str,
    eps: float,
    params: Iterable[str] | None,
    mask: Any,
    tiny: float | None,
) -> tuple[CheckPlan, Iterator[CheckChunk]]:
    """Check the arguments, run bptt and set up the windows; (the plan, its chunks to come)."""
    names = tuple(dict.fromkeys(PARAM_NAMES if params is None else params))
    unknown = sorted(set(names) - set(PARAM_NAMES))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; expected some of {PARAM_NAMES}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    net64 = net if net.dtype == np.float64 else net.astype(np.float64)
    trace = bptt(net64, xs, targets, truncation=truncation, mode=mode, mask=mask)
    truncation = None if truncation is None else int(truncation)  # validated by bptt
    x, d, m, h = (
        np.asarray(a if trace.batched else a[None], np.float64)
        for a in (trace.x, trace.d, trace.mask, trace.context)
    )
    plan = CheckPlan(
        analytic=MappingProxyType({n: frozen(trace.grads[n], np.float64) for n in names}),
        truncation=truncation,
        mode="full" if truncation is None else mode,
        eps=float(eps),
        tiny=noise_floor(trace.loss, eps) if tiny is None else float(tiny),
    )
    windows = _windows(x.shape[0], trace.T, truncation, mode, m)
    return plan, _finite_differences(plan, net64, x, d, h, windows)


def noise_floor(loss: float, eps: float) -> float:
    """The default ``tiny``: max(TINY, 1e7 eps_fd max(1, |J|) / eps).

    eps_fd |J| / eps estimates the round-off of a central difference of an objective of size J
    evaluated in ``FD_DTYPE``; a floor 1e7 times larger keeps that round-off two decades below a
    relative error of 1e-6. With extended precision the floor is TINY = 1e-4; with float64 alone
    and eps = 1e-6 it is about 2e-3 |J|.
    """
    round_off = float(np.finfo(FD_DTYPE).eps) * max(1.0, abs(loss)) / eps
    return max(TINY, 1e7 * round_off)


# -- the objective as a batch of independent windows -------------------------------------------
@dataclass(frozen=True, slots=True)
class _Windows:
    """N independent forward problems: sequence ``seq``, steps first..first+length-1 (1-based),
    weight[n, j] = m(first + j) if that step's loss is scored, else 0. ``from_h0`` marks the
    windows that start at step 1 from the parameter h0 rather than from a stored state."""

    seq: NDArray[np.intp]
    first: NDArray[np.intp]
    length: NDArray[np.intp]
    weight: Array
    from_h0: NDArray[np.bool_]


def _windows(B: int, T: int, k: int | None, mode: str, m: Array) -> _Windows:
    """The independent problems of each truncation mode (module docstring); m is (B, T)."""
    if k is None or k >= T:
        spans = [(1, T, range(1, T + 1))]
    elif mode == "sliding":
        spans = [(max(1, s - k + 1), s, range(s, s + 1)) for s in range(1, T + 1)]
    else:
        spans = [
            (f, min(f + k - 1, T), range(f, min(f + k - 1, T) + 1)) for f in range(1, T + 1, k)
        ]
    L = max(last - first + 1 for first, last, _ in spans)
    seq: list[int] = []
    first: list[int] = []
    length: list[int] = []
    weight = np.zeros((B * len(spans), L))
    for b in range(B):
        for f, last, scored in spans:
            row = len(seq)
            seq.append(b)
            first.append(f)
            length.append(last - f + 1)
            for s in scored:
                weight[row, s - f] = m[b, s - 1]
    first_arr = np.array(first, np.intp)
    return _Windows(
        seq=np.array(seq, np.intp),
        first=first_arr,
        length=np.array(length, np.intp),
        weight=weight,
        from_h0=first_arr == 1,
    )


def _objective(
    p: Mapping[str, Real], net: SRN | TDL, x: Real, d: Real, ctx: Real, w: _Windows
) -> Real:
    """J for P parameter sets at once: ``p[name]`` is (P or 1, *shape); returns (P,).

    x (B, T, I), d (B, T, O) and the stored contexts ctx (B, T, C) (c(t) = h(t-1) for Elman,
    y(t-1) or d(t-1) for Jordan, :mod:`core.jordan`) are the unperturbed sweep's.
    """
    T = x.shape[1]
    P = max(v.shape[0] for v in p.values())
    start = ctx[w.seq, w.first - 1]  # (N, C): c(first), held constant
    state = np.where(w.from_h0[None, :, None], p["h0"][:, None, :], start[None])
    state = np.broadcast_to(state, (P, *start.shape))
    WT, UT, VT = (np.swapaxes(p[n], 1, 2) for n in ("W", "U", "V"))
    J = np.zeros(P, x.dtype)
    for j in range(w.weight.shape[1]):
        steps = np.minimum(w.first + j, T) - 1  # (N,) 0-based step of each window
        active = (j < w.length)[None, :, None]
        a = p["b"][:, None, :] + state @ WT + x[w.seq, steps] @ UT  # eq. 1
        hidden = hidden_forward(net.hidden, a)  # eq. 2
        scored = np.flatnonzero(w.weight[:, j])
        if net.context == "hidden":
            state = np.where(active, hidden, state)  # c(t+1) = h(t)
        elif net.context == "output":
            y_all = output_forward(net.output, p["c"][:, None, :] + hidden @ VT)
            state = np.where(active, y_all, state)  # c(t+1) = y(t)
        elif net.context == "none":
            pass  # a tapped delay line: no context; x holds its delay buffer (core.tdl)
        else:
            state = np.where(active, d[w.seq, steps][None], state)  # c(t+1) = d(t)
        if scored.size:
            o = p["c"][:, None, :] + hidden[:, scored] @ VT  # eq. 3
            target = d[w.seq[scored], steps[scored]]
            loss = step_loss(net.output, o, output_forward(net.output, o), target)  # (P, n)
            J += loss @ w.weight[scored, j]
    return J


def _finite_differences(
    plan: CheckPlan, net: SRN | TDL, x: Real, d: Real, h: Real, w: _Windows
) -> Iterator[CheckChunk]:
    """(J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps) for every entry of the plan's
    parameters, evaluated in blocks of perturbed parameter copies; one chunk per block and
    parameter."""
    eps = plan.eps
    base = {n: np.asarray(v, FD_DTYPE) for n, v in net.params().items()}
    entries = [(n, i) for n in plan.names for i in range(base[n].size)]
    block = _block_size(net, {n: v.size for n, v in base.items()}, w)
    x, d, h = (v.astype(FD_DTYPE) for v in (x, d, h))
    # per parameter being perturbed: 2 block copies of it, one per row, and the entries the
    # previous block moved off their value (put back before the next block perturbs its own)
    copies: dict[str, NDArray[np.floating]] = {}
    moved: dict[str, list[tuple[int, int]]] = {}
    done = 0
    for start in range(0, len(entries), block):
        chunk = entries[start : start + block]
        P = 2 * len(chunk)
        names = dict.fromkeys(n for n, _ in chunk)  # the parameters of the block, in order
        for n in set(copies) - set(names):  # finished: free its copies
            del copies[n], moved[n]
        for n in names:
            if n not in copies:
                copies[n] = np.repeat(base[n].reshape(1, -1), 2 * block, axis=0)
                moved[n] = []
            flat, value = copies[n], base[n].reshape(-1)
            for row, i in moved[n]:
                flat[row, i] = value[i]
            moved[n] = []
        for r, (n, i) in enumerate(chunk):
            copies[n][2 * r, i] += eps
            copies[n][2 * r + 1, i] -= eps
            moved[n] += [(2 * r, i), (2 * r + 1, i)]
        p = {n: v[None] for n, v in base.items()}
        for n in names:
            p[n] = copies[n][:P].reshape(P, *base[n].shape)
        J = _objective(p, net, x, d, h, w)
        diff = ((J[0::2] - J[1::2]) / (2 * FD_DTYPE(eps))).astype(np.float64)
        for name in names:
            rows = [r for r, (n, _) in enumerate(chunk) if n == name]
            first = chunk[rows[0]][1]
            numerical = diff[rows]
            a = plan.analytic[name].ravel()[first : first + len(rows)]
            rel = np.abs(a - numerical) / np.maximum(np.abs(a) + np.abs(numerical), plan.tiny)
            done += len(rows)
            yield CheckChunk(plan, name, first, frozen(numerical), frozen(rel), done)


def _block_size(net: SRN | TDL, sizes: Mapping[str, int], w: _Windows) -> int:
    """How many entries one block perturbs (each twice): bounded by the memory of the
    perturbed copies and by the multiply-adds of their forward passes over the windows."""
    copy = sum(sizes.values()) + w.seq.size * (net.n_hidden + net.n_out)
    steps = w.seq.size * w.weight.shape[1]  # window steps of one forward pass
    n_context = net.n_out if net.jordan else net.n_hidden
    work = steps * net.n_hidden * (n_context + net.n_in + net.n_out) + copy
    return max(1, min(_BLOCK_ELEMENTS // (2 * copy), _BLOCK_WORK // (2 * work)))
