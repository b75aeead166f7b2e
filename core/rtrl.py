"""Real-time recurrent learning (Williams & Zipser 1989): the gradient carried forward in time.

BPTT (:mod:`core.bptt`) stores the whole forward sweep and then sends deltas backwards. RTRL
instead carries, alongside the state, its *sensitivity* to every parameter and adds each step's
gradient term as soon as the step's loss is known, so the gradient of L(1) + ... + L(t) is
available at step t and nothing from earlier steps is kept. Williams & Zipser (1989, §2) write
p^k_ij(t) = dy_k(t)/dw_ij for a fully recurrent network; for the Simple Recurrent Network of
:mod:`core.model`, with theta the parameters that reach the context and
c(t) the context read at step t (h(t-1) for Elman, y(t-1) for Jordan, d(t-1) teacher forced),
the same recursion reads (Eqs. 25, 26 of Unfold's Help > Equations page)::

    S(0)  = dh0/dtheta                      (the identity on h0's columns, zero elsewhere)
    A(t)  = da(t)/dtheta = W S(t-1) + D_a(t)
    P(t)  = dh(t)/dtheta = f'(a(t)) * A(t)                          (row-wise scaling)

where D_a(t) holds a(t)'s explicit dependence on the parameters: da_j/dU_jk = x_k(t),
da_j/dW_jk = c_k(t), da_j/db_j = 1. The gradient of each step's loss term is added forward
(Eq. 27; Williams & Zipser 1989, §2: the weight change is the error times the sensitivity)::

    Elman, teacher forced:  dL(t)/dtheta = (V^T e(t))^T P(t),   dL(t)/dV = e(t) h(t)^T,
                            dL(t)/dc = e(t)
    Jordan:                 dL(t)/dtheta = e(t)^T (V P(t) + D_o(t))

with e(t) = m(t) (y(t) - d(t)) the local output delta (Eq. 9) and D_o(t) o(t)'s explicit
dependence (do_j/dV_jk = h_k(t), do_j/dc_j = 1). What is carried to the next step:

* Elman (context "hidden"): S(t) = P(t), over theta = (U, W, b, h0);
* Jordan (context "output"; Eq. 26): S(t) = dy(t)/dtheta = J_g(t) (V P(t) + D_o(t)), over every
  parameter (V and c reach the next step through the fed-back output), J_g the output
  function's Jacobian (Eq. 21);
* teacher forcing (context "target"): the context is data, S(t) = 0 for t >= 1.

Summed over t = 1..T this is exactly the BPTT gradient (the two are the forward and the
reverse accumulation of the same chain rule; Williams & Zipser 1995, "Gradient-based learning
algorithms for recurrent networks and their computational complexity"). With ``truncation=k``
the sensitivities are reset to zero at the start of every chunk of k steps (the state is
carried, its sensitivity is not), which is exactly chunked BPTT(k) of :mod:`core.truncation`;
k = 1 is also sliding BPTT(1), Elman's (1990) training.

Cost (Eq. 28; Williams & Zipser 1989, §3). With n = |theta| the carried sensitivity S is C x n,
and W S costs H C n multiply-adds per step: for Elman n = H^2 + H I + 2H, so O(H^4) per step
and O(H^3) floats held whatever T is, against BPTT's O(H^2) per step and O(T H) floats of
stored activations. The engine counts its multiplications as it does them (:class:`Costs`), so
the views show counts, not estimates.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.functions import hidden_derivative, hidden_forward, output_loss_delta
from core.inputs import batch_copies, freeze, validate
from core.limits import MAX_RTRL_FLOATS, over_limit, show_count
from core.model import PARAM_NAMES, SRN
from core.truncation import check_truncation, starts_chunk

Array = NDArray[np.floating]

#: the parameters whose sensitivities are carried forward, for each context (see module doc)
CARRIED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "hidden": ("U", "W", "b", "h0"),
        "output": ("U", "W", "V", "b", "c", "h0"),
        "target": ("U", "W", "b", "h0"),
    }
)


@dataclass(frozen=True, slots=True)
class Costs:
    """The work one algorithm did, counted where it was done.

    Attributes
    ----------
    forward : (T,) int64 read-only, the multiplications done at step t of the forward sweep
        (index t-1), each one a multiply-add of a matrix product, summed over the batch; the
        network's own products (W c + U x, V h) included.
    backward : (T,) int64 read-only, the same for step t of the backward sweep (zeros for RTRL,
        which has none).
    memory : the floats the algorithm holds between steps at its largest, summed over the batch:
        for RTRL the carried sensitivity S, the running gradient and the context (not the
        record of running totals kept for the views); for BPTT what the forward sweep stores for
        the backward one, the gradient and the carried delta.
    """

    forward: NDArray[np.int64]
    backward: NDArray[np.int64]
    memory: int

    @property
    def madds(self) -> NDArray[np.int64]:
        """(T,) the multiplications of step t, forward and backward together."""
        return self.forward + self.backward

    @property
    def total(self) -> int:
        """All multiplications of the sweep."""
        return int(self.forward.sum() + self.backward.sum())

    def done(self, phase: str, t: int) -> int:
        """The multiplications done when the cursor is at (phase, t), as :mod:`core.cursor`
        places it: forward step t done, or backward step t done after the whole forward sweep."""
        if phase == "start":
            return 0
        if phase == "forward":
            return int(self.forward[:t].sum())
        return int(self.forward.sum() + self.backward[t - 1 :].sum())


def frozen_costs(forward: NDArray[np.int64], backward: NDArray[np.int64], memory: int) -> Costs:
    """A :class:`Costs` with its arrays made read-only."""
    forward.setflags(write=False)
    backward.setflags(write=False)
    return Costs(forward, backward, int(memory))


@dataclass(frozen=True, slots=True)
class RTRLProgress:
    """How far a running RTRL pass is: ``t`` of ``T`` steps finished, ``done`` multiplications."""

    t: int
    T: int
    done: int


@dataclass(frozen=True, slots=True)
class RTRLResult:
    """What one RTRL pass computed; immutable, arrays read-only.

    Attributes
    ----------
    net : the network.
    loss_t : (.., T) the step losses L(t) (weighted by the mask), as a BPTT trace's.
    loss : their sum over time and batch.
    grads : read-only mapping U, W, V, b, c, h0 -> the gradient of the whole loss.
    running : read-only mapping of (T, *shape) arrays, the gradient of L(1) + ... + L(t) after
        step t at index t-1 (summed over the batch); empty when not kept.
    costs : the multiplications and memory counted by the engine.
    truncation : None, or the chunk length k at whose starts the sensitivities were reset.
    """

    net: SRN
    loss_t: Array
    loss: float
    grads: Mapping[str, Array]
    running: Mapping[str, Array]
    costs: Costs
    truncation: int | None

    @property
    def T(self) -> int:
        return int(self.loss_t.shape[-1])

    def total(self, t: int) -> dict[str, Array]:
        """The gradient accumulated forward up to step t (1-based; t = 0 gives zeros)."""
        if not self.running:
            raise ValueError("this RTRL result kept no running totals")
        if not 0 <= t <= self.T:
            raise ValueError(f"time step t={t} is outside 0..{self.T}")
        if t == 0:
            return {n: np.zeros_like(g) for n, g in self.grads.items()}
        return {n: self.running[n][t - 1] for n in PARAM_NAMES}


# -- the layout of theta ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each carried parameter's entries sit among the n columns of a sensitivity."""

    names: tuple[str, ...]
    slices: Mapping[str, slice]
    n: int


def _layout(net: SRN) -> _Layout:
    slices: dict[str, slice] = {}
    start = 0
    for name in CARRIED[net.context]:
        size = int(net.params()[name].size)  # row-major: column start + j * cols + k is (j, k)
        slices[name] = slice(start, start + size)
        start += size
    return _Layout(CARRIED[net.context], MappingProxyType(slices), start)


def _explicit(cols: slice, rows: int, per_row: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The (row, column) entries of an explicit term: row j holds columns j * per_row + k."""
    r = np.repeat(np.arange(rows), per_row)
    return r, cols.start + np.arange(rows * per_row)


def sensitivity_floats(net: SRN, batch: int = 1) -> int:
    """The floats of the carried sensitivity S (C x n per sequence) RTRL holds for ``net``."""
    return batch * net.n_context * _layout(net).n


def check_size(net: SRN, batch: int = 1, steps: int = 0) -> None:
    """Refuse (ValueError naming the sizes) an RTRL run over ``core.limits.MAX_RTRL_FLOATS``.

    ``steps`` > 0 also counts the T running totals of every parameter that the views keep.
    """
    held = sensitivity_floats(net, batch)
    if held > MAX_RTRL_FLOATS:
        what = f"RTRL for {net.n_hidden} hidden units and {batch} sequence(s) at once needs"
        raise ValueError(over_limit(what, held, MAX_RTRL_FLOATS, "floats of sensitivities"))
    kept = steps * sum(int(p.size) for p in net.params().values())
    if kept > MAX_RTRL_FLOATS:
        what = f"keeping RTRL's running totals over {show_count(steps)} steps needs"
        raise ValueError(over_limit(what, kept, MAX_RTRL_FLOATS, "floats"))


# -- the engine ---------------------------------------------------------------------------------
def rtrl(
    net: SRN,
    xs: Any,
    targets: Any,
    truncation: int | None = None,
    mask: Any = None,
    keep_running: bool = True,
) -> RTRLResult:
    """Run real-time recurrent learning over one sequence or a batch; see the module docstring.

    The one-shot form of :func:`rtrl_steps`: the same arguments, errors and result.
    """
    for item in rtrl_steps(net, xs, targets, truncation, mask, keep_running):
        if isinstance(item, RTRLResult):
            return item
    raise AssertionError("rtrl_steps ends with its result")  # pragma: no cover


#: multiplications between two progress reports of :func:`rtrl_steps`, and the largest block of
#: the W S product (tens of milliseconds: much smaller blocks make BLAS several times slower)
REPORT_EVERY = 100_000_000


def rtrl_steps(
    net: SRN,
    xs: Any,
    targets: Any,
    truncation: int | None = None,
    mask: Any = None,
    keep_running: bool = True,
    every: int = REPORT_EVERY,
) -> Iterator[RTRLProgress | RTRLResult]:
    """RTRL as a generator: :class:`RTRLProgress` about every ``every`` multiplications (also
    within a step of a large network, between column blocks of the W S product), then the
    :class:`RTRLResult`.

    Arguments are checked when the generator is created (ValueError), before any work. A
    consumer may stop between items (a worker cancelling); the items up to there cost at most
    ``every`` multiplications each.

    Parameters
    ----------
    net : the network (any context, activation and output/loss pair).
    xs : (T, I) or (B, T, I) inputs; targets : (T, O) or (B, T, O); mask : (T,) or (B, T) loss
        weights, as :func:`core.bptt.bptt` takes them.
    truncation : None, or k >= 1: reset the sensitivities at the start of every chunk of k steps
        (the gradient then equals chunked BPTT(k)).
    keep_running : keep the gradient accumulated after every step (``RTRLResult.running``).

    Raises
    ------
    ValueError
        For the inputs :func:`core.bptt.bptt` refuses, a bad truncation, or a network whose
        sensitivities would pass ``core.limits.MAX_RTRL_FLOATS``.
    """
    truncation = check_truncation(truncation, "chunked")
    xs, targets, mask, batched = validate(net, xs, targets, mask)
    B, T = xs.shape[:2]
    check_size(net, B, T if keep_running else 0)
    dtype = net.dtype
    x, d, m = batch_copies(xs, targets, mask, batched, dtype)
    return _result(net, x, d, m, truncation, keep_running, batched, max(1, int(every)))


def _result(
    net: SRN, x: Array, d: Array, m: Array, k: int | None, keep: bool, batched: bool, every: int
) -> Iterator[RTRLProgress | RTRLResult]:
    """Drive :func:`_sweep`, passing its progress on, and freeze what it returns."""
    loss_t, grads, running, costs = yield from _sweep(net, x, d, m, k, keep, every)
    if not batched:
        loss_t = loss_t[0]
    freeze(loss_t, *grads.values(), *running.values())
    yield RTRLResult(
        net=net,
        loss_t=loss_t,
        loss=float(np.add.reduce(loss_t, axis=None)),
        grads=MappingProxyType(grads),
        running=MappingProxyType(running),
        costs=costs,
        truncation=k,
    )


Sweep = tuple[Array, dict[str, Array], dict[str, Array], Costs]


def _sweep(
    net: SRN, x: Array, d: Array, m: Array, k: int | None, keep: bool, every: int
) -> Generator[RTRLProgress, None, Sweep]:
    """The forward pass of RTRL over a (B, T, .) batch, reporting progress; returns (losses,
    gradient, running totals, costs)."""
    B, T, I = x.shape
    H, O, C = net.n_hidden, net.n_out, net.n_context
    U, W, V, b, c = net.U, net.W, net.V, net.b, net.c
    lay = _layout(net)
    n, sl = lay.n, lay.slices
    jordan = net.context == "output"
    dtype = net.dtype
    # the explicit terms D_a(t) and D_o(t): (row, column) entries, filled with x, c(t), 1, h(t)
    at_U, at_W, at_b = _explicit(sl["U"], H, I), _explicit(sl["W"], H, C), _explicit(sl["b"], H, 1)
    at_V = _explicit(sl["V"], O, H) if jordan else None
    at_c = _explicit(sl["c"], O, 1) if jordan else None

    S = np.zeros((B, C, n), dtype)  # S(0) = dh0/dtheta
    S[:, np.arange(C), sl["h0"].start + np.arange(C)] = 1.0
    g = np.zeros(n, dtype)  # the running gradient of the carried parameters
    gV = np.zeros((O, H), dtype)  # Elman and teacher forcing: V and c are not carried
    gc = np.zeros(O, dtype)
    ctx = np.broadcast_to(net.h0, (B, C)).copy()  # c(1) = h0
    loss_t = np.empty((B, T), dtype)
    madds = np.zeros(T, np.int64)
    done = reported = 0  # multiplications of the finished steps; at the last progress report
    running = {p: np.empty((T, *net.params()[p].shape), dtype) for p in PARAM_NAMES} if keep else {}
    memory = B * (C * n + n + (0 if jordan else O * H + O) + C)

    for i in range(T):  # 0-based i is step t = i + 1
        count = 0
        a = ctx @ W.T + x[:, i] @ U.T + b  # eq. 1: a(t) = b + W c(t) + U x(t)
        count += B * H * (C + I)
        h = hidden_forward(net.hidden, a)  # eq. 2
        o = h @ V.T + c  # eq. 3
        count += B * O * H
        y, loss, e = output_loss_delta(net.output, o.T, d[:, i].T, m[:, i])  # eq. 4, L(t), e(t)
        y, e = y.T, e.T
        loss_t[:, i] = loss

        # A(t) = W S(t-1) + D_a(t); S(t-1) is zero after a chunk's start or with teacher forcing
        carried = i == 0 or ((k is None or not starts_chunk(i + 1, k)) and net.context != "target")
        if carried:
            A = np.empty((B, H, n), dtype)
            for work in _product(W, S, A, every):  # A = W S(t-1), in column blocks
                count += work
                if done + count - reported >= every:
                    reported = done + count
                    yield RTRLProgress(i, T, reported)
        else:
            A = np.zeros((B, H, n), dtype)
        A[:, at_U[0], at_U[1]] += np.tile(x[:, i], (1, H))  # da_j/dU_jk = x_k(t)
        A[:, at_W[0], at_W[1]] += np.tile(ctx, (1, H))  # da_j/dW_jk = c_k(t)
        A[:, at_b[0], at_b[1]] += 1.0  # da_j/db_j = 1
        fp = hidden_derivative(net.hidden, a, h)
        P = np.multiply(fp[:, :, None], A, out=A)  # P(t) = f'(a(t)) * A(t)
        count += B * H * n

        if jordan:
            assert at_V is not None and at_c is not None
            Ojac = np.matmul(V, P)  # do(t)/dtheta = V P(t) + D_o(t)
            count += B * O * H * n
            Ojac[:, at_V[0], at_V[1]] += np.tile(h, (1, O))  # do_j/dV_jk = h_k(t)
            Ojac[:, at_c[0], at_c[1]] += 1.0  # do_j/dc_j = 1
            g += np.einsum("bo,bon->n", e, Ojac)  # dL(t)/dtheta = e(t)^T do(t)/dtheta
            count += B * O * n
            S, work = _through_output(net.output, y, Ojac)  # S(t) = dy(t)/dtheta = J_g do/dtheta
            count += work
            ctx = y  # c(t+1) = y(t)
        else:
            e_h = e @ V  # V^T e(t): dL(t)/dh(t)
            count += B * O * H
            g += np.einsum("bh,bhn->n", e_h, P)  # dL(t)/dtheta = (V^T e(t))^T P(t)
            count += B * H * n
            gV += e.T @ h  # dL(t)/dV = e(t) h(t)^T
            count += B * O * H
            gc += e.sum(axis=0)  # dL(t)/dc = e(t)
            S = P
            ctx = h if net.context == "hidden" else d[:, i]  # c(t+1) = h(t) or d(t)
        madds[i] = count
        done += count
        if done - reported >= every:
            reported = done
            yield RTRLProgress(i + 1, T, done)
        if keep:
            for p, total in _unpack(net, lay, g, gV, gc).items():
                running[p][i] = total
    grads = {p: np.array(v, copy=True) for p, v in _unpack(net, lay, g, gV, gc).items()}
    return loss_t, grads, running, frozen_costs(madds, np.zeros(T, np.int64), memory)


def _product(W: Array, S: Array, out: Array, every: int) -> Iterator[int]:
    """out = W S for S (B, C, n), a block of columns at a time; yields each block's count."""
    B, C, n = S.shape
    H = W.shape[0]
    cols = max(1, every // max(1, B * H * C))
    for j in range(0, n, cols):
        stop = min(n, j + cols)
        np.matmul(W, S[:, :, j:stop], out=out[:, :, j:stop])
        yield B * H * C * (stop - j)


def _through_output(kind: str, y: Array, M: Array) -> tuple[Array, int]:
    """(J_g M, multiplications) for y (B, O) and M (B, O, n): the output function's Jacobian
    (Eq. 21) applied to every column of M, and the count of its multiplications."""
    B, O, n = M.shape
    if kind == "softmax":  # J_g = diag(y) - y y^T
        s = np.einsum("bo,bon->bn", y, M)  # y^T M
        return y[:, :, None] * (M - s[:, None, :]), 2 * B * O * n
    if kind == "logistic":  # J_g = diag(y (1 - y))
        return (y * (1.0 - y))[:, :, None] * M, B * O * (n + 1)
    return M, 0  # linear: J_g = I


def _unpack(net: SRN, lay: _Layout, g: Array, gV: Array, gc: Array) -> dict[str, Array]:
    """The flat running gradient as parameter-shaped arrays (views of g, gV, gc)."""
    out = {p: g[lay.slices[p]].reshape(net.params()[p].shape) for p in lay.names}
    if "V" not in out:
        out["V"], out["c"] = gV, gc
    return {p: out[p] for p in PARAM_NAMES}
