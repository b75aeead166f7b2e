"""Backpropagation Through Time for the Simple Recurrent Network, as an immutable trace.

Forward sweep (seeds/004 eq. 1-4), for t = 1..T::

    a(t) = b + W h(t-1) + U x(t)            (eq. 1)
    h(t) = f(a(t))                          (eq. 2)
    o(t) = c + V h(t)                       (eq. 3)
    y(t) = g(o(t))                          (eq. 4)
    L    = sum_t L(t)                       (seeds/000 eq. 7.14, seeds/004 eq. 11)

Backward sweep, for t = T..1, with the *gradient* sign convention (delta = +dL/dnet)::

    delta_o(t) = dL/do(t) = y(t) - d(t)                                  (seeds/004 eq. 22)
    delta_h(t) = dL/da(t) = f'(a(t)) * (V^T delta_o(t) + W^T delta_h(t+1))
                                          (seeds/004 eq. 45 multiplied by f' = 1 - h^2, eq. 60-62)
    delta_h(T+1) = 0

seeds/001 eq. 12, 13 and 27 (Bodén) define delta = -dC/dnet, the same quantity with the opposite
sign; seeds/003 writes delta_t = dE/dz_t, the same sign as here. The GUI shows either sign.

Parameter gradients are sums over time of outer products (seeds/004 eq. 84-88)::

    dL/dc  = sum_t delta_o(t)                     (eq. 84)
    dL/db  = sum_t delta_h(t)                     (eq. 85)
    dL/dV  = sum_t delta_o(t) h(t)^T              (eq. 86)
    dL/dW  = sum_t delta_h(t) h(t-1)^T            (eq. 87; seeds/001 eq. 16)
    dL/dU  = sum_t delta_h(t) x(t)^T              (eq. 88; seeds/001 eq. 15)
    dL/dh0 = W^T delta_h(1)

Truncation changes only which terms enter delta_h:

* ``truncation=None``: full BPTT as above.
* ``truncation=k, mode="sliding"`` (Williams & Peng's BPTT(k)): each loss term L(s) is propagated
  back through the k steps s, s-1, ..., s-k+1 only, and h(s-k) is treated as a constant::

      delta_h(t) = sum_{j=0}^{k-1} D_j(t),   D_0(t) = f'(a(t)) * V^T delta_o(t),
      D_j(t) = f'(a(t)) * W^T D_{j-1}(t+1)    (D_j(t) = dL(t+j)/da(t) within its window)

  k = 1 is Elman's (1990) training, the context h(t-1) used as a plain extra input
  (seeds/001 section 5.1).
* ``truncation=k, mode="chunked"``: the sequence is cut into chunks t = 1..k, k+1..2k, ...; the
  hidden state is carried across a cut but the gradient is not (detaching the state every k steps,
  min-char-rnn's scheme): the W^T delta_h(t+1) term is dropped when t+1 starts a chunk.

Time steps in method arguments use the seeds' 1-based t = 1..T; array index t-1 holds step t, except
``h`` whose index t holds h(t) with h[..., 0, :] = h0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.functions import hidden_derivative, output_loss_delta
from core.model import SRN

Array = NDArray[np.floating]
TRUNCATION_MODES = ("sliding", "chunked")


def _freeze(*arrays: Array) -> None:
    for arr in arrays:
        arr.setflags(write=False)


@dataclass(frozen=True, slots=True)
class Trace:
    """Everything one forward and backward sweep computed, immutable, time as an axis.

    Shapes use B (batch, absent for a single sequence), T time steps, I inputs, H hidden units,
    O outputs; ``..`` is ``(B,)`` for a batch and ``()`` for one sequence.

    Attributes
    ----------
    net : the network the trace was computed with.
    x : (.., T, I) inputs x(t).  d : (.., T, O) targets d(t).  mask : (.., T) loss weight per step.
    a : (.., T, H) hidden net inputs.  h : (.., T+1, H) hidden states, h[.., 0, :] = h0.
    o : (.., T, O) output net inputs.  y : (.., T, O) outputs.
    loss_t : (.., T) per-step loss L(t).  loss : total loss, summed over time and batch.
    delta_o : (.., T, O) dL/do(t).  delta_h : (.., T, H) dL/da(t) (truncated where asked).
    delta_h0 : (.., C) dL/dh0 = W^T delta_h(1).
    context : (.., T, C) the context c(t) that step t reads through W: h(t-1) for an Elman
        network (a view of ``h``), y(t-1) or d(t-1) for a Jordan network (c(1) = h0), see
        :mod:`core.jordan`.
    grads : read-only mapping U, W, V, b, c, h0 -> summed gradient (seeds/004 eq. 84-88).
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
    grads: Mapping[str, Array]
    truncation: int | None
    mode: str
    context: Array

    # -- shape ----------------------------------------------------------------------------------
    @property
    def batched(self) -> bool:
        return self.x.ndim == 3

    @property
    def T(self) -> int:
        return int(self.x.shape[-2])

    @property
    def n_sequences(self) -> int:
        return int(self.x.shape[0]) if self.batched else 1

    def _b(self, arr: Array) -> Array:
        """The array with a leading batch axis (a view)."""
        return arr if self.batched else arr[None]

    def _check_t(self, t: int) -> int:
        if not 1 <= t <= self.T:
            raise ValueError(f"time step t={t} is outside 1..{self.T}")
        return t - 1

    # -- per-step and partial gradients, computed on demand ------------------------------------
    def contribution(self, t: int) -> dict[str, Array]:
        """The terms of seeds/004 eq. 84-88 for step t alone (summed over the batch).

        U: delta_h(t) x(t)^T, W: delta_h(t) c(t)^T (c(t) = h(t-1) for Elman), V: delta_o(t)
        h(t)^T, b: delta_h(t), c: delta_o(t), h0: W^T delta_h(1) at t = 1 and 0 otherwise.
        Shapes as the parameters.
        """
        i = self._check_t(t)
        dh, do = self._b(self.delta_h)[:, i], self._b(self.delta_o)[:, i]
        h, x, ctx = self._b(self.h), self._b(self.x), self._b(self.context)
        h0 = self._b(self.delta_h0).sum(axis=0) if t == 1 else np.zeros_like(self.net.h0)
        return {
            "U": dh.T @ x[:, i],
            "W": dh.T @ ctx[:, i],
            "V": do.T @ h[:, i + 1],
            "b": dh.sum(axis=0),
            "c": do.sum(axis=0),
            "h0": h0,
        }

    def accumulated(self, t: int) -> dict[str, Array]:
        """The gradient accumulated when the backward sweep has reached step t: sum over s >= t.

        ``accumulated(1)`` equals ``grads``; ``accumulated(T + 1)`` is all zeros. Computed as
        matrix products over the stored deltas, never storing T x H x H arrays.
        """
        if not 1 <= t <= self.T + 1:
            raise ValueError(f"time step t={t} is outside 1..{self.T + 1}")
        i = t - 1
        H, O, I, C = self.net.n_hidden, self.net.n_out, self.net.n_in, self.net.n_context
        dh = self._b(self.delta_h)[:, i:].reshape(-1, H)
        do = self._b(self.delta_o)[:, i:].reshape(-1, O)
        x = self._b(self.x)[:, i:].reshape(-1, I)
        h_prev = self._b(self.context)[:, i:].reshape(-1, C)
        h_now = self._b(self.h)[:, i + 1 :].reshape(-1, H)
        h0 = self._b(self.delta_h0).sum(axis=0) if t == 1 else np.zeros_like(self.net.h0)
        return {
            "U": dh.T @ x,
            "W": dh.T @ h_prev,
            "V": do.T @ h_now,
            "b": dh.sum(axis=0),
            "c": do.sum(axis=0),
            "h0": h0,
        }

    def window(self, s: int) -> tuple[int, int]:
        """The steps (first, last) through which loss term L(s) propagates back, 1-based."""
        self._check_t(s)
        if self.truncation is None:
            return 1, s
        k = self.truncation
        if self.mode == "sliding":
            return max(1, s - k + 1), s
        return ((s - 1) // k) * k + 1, s

    def select(self, index: int) -> Trace:
        """The trace of one sequence of a batch (a single-sequence trace is returned as is)."""
        if not self.batched:
            if index != 0:
                raise IndexError(f"sequence {index} of a single-sequence trace")
            return self
        if not 0 <= index < self.n_sequences:
            raise IndexError(f"sequence {index} is outside 0..{self.n_sequences - 1}")
        sub = bptt(
            self.net,
            self.x[index],
            self.d[index],
            truncation=self.truncation,
            mode=self.mode if self.mode != "full" else "sliding",
            mask=self.mask[index],
        )
        return sub


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


def _numeric(name: str, value: Any, dtype: np.dtype[Any]) -> Array:
    """``value`` as an array of ``dtype``."""
    try:
        arr = np.asarray(value)
        return arr if arr.dtype == dtype else arr.astype(dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} is not a numeric array: {exc}") from None


def _validate(net: SRN, xs: Any, targets: Any, mask: Any) -> tuple[Array, Array, Any, bool]:
    """Check the inputs' shapes against the network; return them as arrays of the net's dtype.

    Returns xs (B, T, I), targets (B, T, O) and mask (B, T) (None if not given), always with a
    batch axis, and whether the caller passed a batch. Values are checked when copied.
    """
    dtype = net.U.dtype
    arrays = (xs, targets, mask)
    if dtype == np.float64 or all(v is None or getattr(v, "dtype", None) == dtype for v in arrays):
        return _validate_as(net, xs, targets, mask)
    with np.errstate(over="ignore"):  # a value too large for float32 becomes inf, reported later
        return _validate_as(net, xs, targets, mask)


def _validate_as(net: SRN, xs: Any, targets: Any, mask: Any) -> tuple[Array, Array, Any, bool]:
    """The work of :func:`_validate`."""
    dtype = net.U.dtype
    I, O = net.U.shape[1], net.V.shape[0]
    x = _numeric("xs", xs, dtype)
    if x.ndim not in (2, 3):
        raise ValueError(f"xs has shape {x.shape}, expected (T, {I}) or (B, T, {I})")
    batched = x.ndim == 3
    lead = x.shape[:-1]
    if x.shape[-1] != I:
        raise ValueError(f"xs has shape {x.shape}, expected {(*lead, I)}")
    if lead[-1] < 1:
        raise ValueError(f"xs has shape {x.shape}: a sequence needs at least one time step")
    d = _numeric("targets", targets, dtype)
    if d.shape != (*lead, O):
        raise ValueError(f"targets has shape {d.shape}, expected {(*lead, O)}")
    if mask is not None:
        mask = _numeric("mask", mask, dtype)
        if mask.shape != lead:
            raise ValueError(f"mask has shape {mask.shape}, expected {lead}")
        mask = mask if batched else mask[None]
    return (x, d, mask, True) if batched else (x[None], d[None], mask, False)


def _copy_checked(name: str, out: Array, arr: Array, axes: tuple[int, ...], batched: bool) -> None:
    """Copy the (B, T, ...) ``arr`` into ``out`` with its axes permuted; reject NaN and inf.

    The copy means a trace never shares (or freezes) the caller's arrays. A non-finite value is
    reported with its index in the caller's layout.
    """
    if np.count_nonzero(np.isfinite(arr)) != arr.size:  # (cheaper than isfinite(arr).all())
        caller = arr if batched else arr[0]
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(caller))[0])
        raise ValueError(f"{name} holds a non-finite value ({caller[index]}) at index {index}")
    out[...] = arr.transpose(axes)


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
        return np.subtract(1.0, fp, out=fp)  # 1 - h^2, seeds/004 eq. 38
    if kind == "logistic":
        fp = np.subtract(1.0, h)
        return np.multiply(h, fp, out=fp)  # h (1 - h), seeds/001 eq. 18
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


def _backward_loop(G: Array, fp: Array, net: SRN, cut: int) -> None:
    """The backward sweep through the hidden layer, eq. 45 times f' (eq. 60-62), filling G.

    On entry G[t, :, :O] holds delta_o(t) for t = 1..T and G[T, :, O:] = delta_h(T+1) = 0; on exit
    G[t-1, :, O:] holds delta_h(t) = f'(a(t)) * (V^T delta_o(t) + W^T delta_h(t+1)). Where step
    t+1 starts a chunk of ``cut`` steps (``cut`` 0: never) the W^T term is left out.
    """
    T = fp.shape[0]
    O = net.V.shape[0]
    VW = np.concatenate([net.V, net.W])  # [V; W], (O+H, H): g [V; W] = V^T delta_o + W^T delta_h
    g = np.empty_like(fp[0])
    multiply = np.multiply
    delta_h, V = G[:, :, O:], net.V
    for t in range(T - 1, -1, -1):
        if cut and (t + 1) % cut == 0:
            G[t + 1, :, :O].dot(V, out=g)  # step t+2 starts a chunk: the gradient is cut here
        else:
            G[t + 1].dot(VW, out=g)  # eq. 45: V^T delta_o(t) + W^T delta_h(t+1)
        multiply(g, fp[t], delta_h[t])  # delta_h(t) = f'(a(t)) * ..., eq. 60-62


def bptt(
    net: SRN,
    xs: Any,
    targets: Any,
    truncation: int | None = None,
    mode: str = "sliding",
    mask: Any = None,
) -> Trace:
    """Run the forward sweep and the backward sweep of BPTT; return the immutable :class:`Trace`.

    Parameters
    ----------
    net : the network.
    xs : (T, I) one sequence or (B, T, I) a batch of equally long sequences.
    targets : (T, O) or (B, T, O) desired outputs d(t).
    truncation : None for full BPTT, or k >= 1 (see the module docstring).
    mode : "sliding" (BPTT(k), Williams & Peng) or "chunked" (gradient cut every k steps).
    mask : optional (T,) or (B, T) weight of each step's loss (0 drops a padded step).

    A Jordan network (``net.context`` "output" or "target") is run by
    :func:`core.jordan.jordan_bptt`, with the same arguments and the same kind of trace.

    Raises
    ------
    ValueError
        For NaN/inf in any array (naming the array and the index) or shapes that do not match
        the network (naming the array and the expected shape).
    """
    if truncation is not None:
        if isinstance(truncation, bool) or int(truncation) != truncation or truncation < 1:
            raise ValueError(f"truncation must be None or an integer >= 1, got {truncation!r}")
        truncation = int(truncation)
        if mode not in TRUNCATION_MODES:
            raise ValueError(f"truncation mode {mode!r} is not one of {TRUNCATION_MODES}")
    if net.jordan:
        from core.jordan import jordan_bptt

        return jordan_bptt(net, xs, targets, truncation, mode, mask)
    xs, targets, mask, batched = _validate(net, xs, targets, mask)
    B, T, I = xs.shape
    H, O = net.W.shape[0], net.V.shape[0]
    K, TB, dtype = H + I + 1, T * B, net.U.dtype
    matmul, add = np.matmul, np.add

    # Private copies of the inputs, laid out for the sweeps (see above).
    Z = np.zeros((T + 1, B, K), dtype)  # zeros: no x(T+1)
    _copy_checked("xs", Z[:T, :, H + 1 :], xs, _TIME_MAJOR, batched)
    d = np.empty((O, T, B), dtype)
    _copy_checked("targets", d, targets, _OUTPUT_MAJOR, batched)
    m = np.empty((T, B), dtype)
    if mask is None:
        m.fill(1.0)
    else:
        _copy_checked("mask", m, mask, _STEPS, batched)
    Z[0, :, :H] = net.h0
    Z[:, :, H] = 1.0  # the bias input

    # Forward sweep: the loop over time for eq. 1-2, then eq. 3-4 and the loss for all t at once.
    a = np.empty((T, B, H), dtype)
    _forward_loop(Z, a, net)
    h1 = Z[1:, :, : H + 1].reshape(TB, H + 1)  # rows [h(t), 1], t = 1..T, a strided view
    Vc = np.concatenate([net.V, net.c[:, None]], axis=1)
    o = matmul(Vc, h1.T)  # eq. 3: o(t) = c + V h(t), (O, T*B)
    # eq. 4, L(t) (seeds/004 eq. 13) and delta_o(t) = y(t) - d(t) (eq. 22), weighted by the mask;
    # delta_o is written straight into its place in G, seen as an (O, T*B) view
    G = np.zeros((T + 1, B, O + H), dtype)  # zeros: delta_h(T+1) = 0
    delta_o = G[1:, :, :O].transpose(2, 0, 1).reshape(O, TB)
    y, loss_t, _ = output_loss_delta(
        net.output, o, d.reshape(O, TB), None if mask is None else m.reshape(TB), delta_o
    )

    # Backward sweep: f'(a(t)) for all t at once, then the loop over time for delta_h.
    fp = _derivative(net.hidden, a, Z[1:, :, :H])  # e.g. 1 - h(t)^2 (eq. 38)
    if truncation is not None and mode == "sliding" and truncation < T:
        from_out = delta_o.T.dot(net.V).reshape(T, B, H)  # V^T delta_o(t), eq. 33
        delta_h = _sliding_deltas(fp, from_out, net.W, truncation)
    else:
        cut = truncation if truncation is not None and truncation < T else 0
        _backward_loop(G, fp, net, cut)
        delta_h = G[:T, :, O:]
    delta_h0 = delta_h[0].dot(net.W)  # dL/dh0 = W^T delta_h(1)

    # Parameter gradients, eq. 84-88, as matrix products over all (time, batch) rows.
    dWbU = matmul(delta_h.reshape(TB, H).T, Z[:T].reshape(TB, K))  # eq. 87, 85, 88
    dVc = matmul(delta_o, h1)  # eq. 86, 84
    dh0 = add.reduce(delta_h0, axis=0) if batched else delta_h0[0]
    _freeze(Z, G, d, m, a, o, y, loss_t, delta_o, delta_h, delta_h0, dWbU, dVc, dh0)
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
