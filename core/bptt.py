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

from core.functions import (
    hidden_derivative,
    output_delta,
    output_forward,
    step_loss,
)
from core.model import PARAM_NAMES, SRN

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
    delta_h0 : (.., H) dL/dh0 = W^T delta_h(1).
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

        U: delta_h(t) x(t)^T, W: delta_h(t) h(t-1)^T, V: delta_o(t) h(t)^T, b: delta_h(t),
        c: delta_o(t), h0: W^T delta_h(1) at t = 1 and 0 otherwise. Shapes as the parameters.
        """
        i = self._check_t(t)
        dh, do = self._b(self.delta_h)[:, i], self._b(self.delta_o)[:, i]
        h, x = self._b(self.h), self._b(self.x)
        h0 = self._b(self.delta_h0).sum(axis=0) if t == 1 else np.zeros_like(self.net.h0)
        return {
            "U": dh.T @ x[:, i],
            "W": dh.T @ h[:, i],
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
        H, O, I = self.net.n_hidden, self.net.n_out, self.net.n_in
        dh = self._b(self.delta_h)[:, i:].reshape(-1, H)
        do = self._b(self.delta_o)[:, i:].reshape(-1, O)
        x = self._b(self.x)[:, i:].reshape(-1, I)
        h_prev = self._b(self.h)[:, i:-1].reshape(-1, H)
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
def _as_array(name: str, value: Any, dtype: np.dtype[Any]) -> Array:
    """A private copy of ``value`` in ``dtype``: the trace never shares (or freezes) caller arrays.

    A value too large for float32 becomes inf in the cast and is reported as non-finite.
    """
    try:
        with np.errstate(over="ignore"):
            arr = np.array(value, dtype=dtype, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} is not a numeric array: {exc}") from None
    if not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} holds a non-finite value ({arr[bad]}) at index {bad}")
    return arr


def _validate(net: SRN, xs: Any, targets: Any, mask: Any) -> tuple[Array, Array, Array, bool]:
    """Check inputs against the network; return batched (B, T, .) copies and the batch flag."""
    x = _as_array("xs", xs, net.dtype)
    d = _as_array("targets", targets, net.dtype)
    if x.ndim not in (2, 3):
        raise ValueError(f"xs has shape {x.shape}, expected (T, {net.n_in}) or (B, T, {net.n_in})")
    batched = x.ndim == 3
    lead = x.shape[:-1]
    if x.shape[-1] != net.n_in:
        raise ValueError(f"xs has shape {x.shape}, expected {(*lead, net.n_in)}")
    if lead[-1] < 1:
        raise ValueError(f"xs has shape {x.shape}: a sequence needs at least one time step")
    if d.shape != (*lead, net.n_out):
        raise ValueError(f"targets has shape {d.shape}, expected {(*lead, net.n_out)}")
    if mask is None:
        m = np.ones(lead, dtype=net.dtype)
    else:
        m = _as_array("mask", mask, net.dtype)
        if m.shape != lead:
            raise ValueError(f"mask has shape {m.shape}, expected {lead}")
    if not batched:
        x, d, m = x[None], d[None], m[None]
    return x, d, m, batched


def _activation(kind: str) -> Callable[[Array, Array], Any]:
    """An in-place f(a, out=h) for the forward loop (no allocation per step)."""
    if kind == "tanh":
        return lambda a, out: np.tanh(a, out=out)
    if kind == "relu":
        return lambda a, out: np.maximum(a, 0.0, out=out)
    if kind == "linear":
        return lambda a, out: np.copyto(out, a)

    def logistic(a: Array, out: Array) -> None:
        np.multiply(a, 0.5, out=out)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5

    return logistic


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
    x, d, m, batched = _validate(net, xs, targets, mask)
    B, T, _ = x.shape
    H = net.n_hidden
    U, W, V, b, c = net.U, net.W, net.V, net.b, net.c

    # Forward sweep. U x(t) + b for all t at once; only W h(t-1) needs the loop over time.
    a = x @ U.T
    a += b  # eq. 1 without its recurrent term, (B, T, H)
    h = np.empty((B, T + 1, H), dtype=net.dtype)
    h[:, 0] = net.h0
    f = _activation(net.hidden)
    WT = W.T
    for t in range(T):
        a[:, t] += h[:, t] @ WT  # eq. 1: a(t) = b + W h(t-1) + U x(t)
        f(a[:, t], h[:, t + 1])  # eq. 2: h(t) = f(a(t))
    hs = h[:, 1:]
    o = hs @ V.T
    o += c  # eq. 3: o(t) = c + V h(t), all t at once
    y = output_forward(net.output, o)  # eq. 4
    loss_t = step_loss(net.output, o, y, d) * m  # L(t), seeds/004 eq. 13
    delta_o = output_delta(net.output, y, d) * m[..., None]  # eq. 22: y(t) - d(t)

    # Backward sweep. V^T delta_o(t) and f'(a(t)) for all t at once; W^T delta_h(t+1) in the loop.
    fp = hidden_derivative(net.hidden, a, hs)  # f'(a(t)), e.g. 1 - h(t)^2 (eq. 38)
    from_out = delta_o @ V  # V^T delta_o(t), eq. 33
    if truncation is not None and mode == "sliding":
        delta_h = _sliding_deltas(fp, from_out, W, min(truncation, T))
    else:
        cut = truncation if truncation is not None else T + 1
        delta_h = np.empty_like(a)
        carry = np.zeros((B, H), dtype=net.dtype)  # W^T delta_h(t+1), zero after the last step
        for t in range(T - 1, -1, -1):
            if (t + 1) % cut == 0:
                carry[:] = 0.0  # step t+2 (1-based) starts a chunk: the gradient is cut here
            np.multiply(fp[:, t], from_out[:, t] + carry, out=delta_h[:, t])  # eq. 45 x f'
            carry = delta_h[:, t] @ W  # W^T delta_h(t), used by step t-1
    delta_h0 = delta_h[:, 0] @ W  # dL/dh0 = W^T delta_h(1)

    # Parameter gradients, eq. 84-88, as single matrix products over (batch x time).
    dh2, do2 = delta_h.reshape(-1, H), delta_o.reshape(-1, net.n_out)
    grads = {
        "U": dh2.T @ x.reshape(-1, net.n_in),
        "W": dh2.T @ h[:, :-1].reshape(-1, H),
        "V": do2.T @ hs.reshape(-1, H),
        "b": dh2.sum(axis=0),
        "c": do2.sum(axis=0),
        "h0": delta_h0.sum(axis=0),
    }
    loss = float(loss_t.sum())

    arrays = [x, d, m, a, h, o, y, loss_t, delta_o, delta_h, delta_h0]
    if not batched:
        arrays = [arr[0] for arr in arrays]
    _freeze(*arrays, *grads.values())
    x, d, m, a, h, o, y, loss_t, delta_o, delta_h, delta_h0 = arrays
    return Trace(
        net=net,
        x=x,
        d=d,
        mask=m,
        a=a,
        h=h,
        o=o,
        y=y,
        loss_t=loss_t,
        loss=loss,
        delta_o=delta_o,
        delta_h=delta_h,
        delta_h0=delta_h0,
        grads=MappingProxyType({n: grads[n] for n in PARAM_NAMES}),
        truncation=truncation,
        mode="full" if truncation is None else mode,
    )


def _sliding_deltas(fp: Array, from_out: Array, W: Array, k: int) -> Array:
    """delta_h(t) = sum_{j<k} D_j(t) for BPTT(k), all t at once for each age j (k products)."""
    D = fp * from_out  # D_0(t) = f'(a(t)) * V^T delta_o(t)
    total = D.copy()
    T = fp.shape[1]
    for j in range(1, k):
        D = fp[:, : T - j] * (D[:, 1:] @ W)  # D_j(t) = f'(a(t)) * W^T D_{j-1}(t+1)
        total[:, : T - j] += D
    return total
