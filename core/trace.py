"""The immutable record of one forward and backward sweep, and the facts the views read from it.

A :class:`Trace` holds every array the sweeps computed, stacked over time. Anything derived from
them that a view or a worked example shows - the gradient accumulated so far, the activation a
weight's gradient pairs with, the part of a delta that comes from one loss term, the loss up to a
step - is a method here, computed on demand, so that every number on screen has one source.

Notation (Goodfellow, Bengio and Courville 2016, *Deep Learning* §10.2.2), with the *gradient*
sign convention delta = +dL/dnet::

    a(t) = b + W c(t) + U x(t),  h(t) = f(a(t)),  o(t) = c + V h(t),  y(t) = g(o(t))
    delta_o(t) = dL/do(t),  delta_h(t) = dL/da(t)

where the context c(t) is h(t-1) for an Elman network and y(t-1) or d(t-1) for a Jordan network.
Bodén (2001) writes delta = -dC/dnet, the same quantity with the opposite sign; the GUI shows
either. Time steps in method arguments are 1-based, t = 1..T, as on screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from core.blas import one_blas_thread
from core.functions import hidden_derivative, output_jacobian_t, output_loss_delta, unit_losses
from core.model import SRN

if TYPE_CHECKING:
    from core.tdl import TDL
from core.truncation import RECURRENT_CONTEXTS, effective, recurrence_reaches, window

Array = NDArray[np.floating]


@dataclass(frozen=True, slots=True)
class WeightKind:
    """One kind of weighted edge: what it connects and which delta its gradient uses.

    Attributes
    ----------
    param : "U", "W" or "V".
    sender : the layer the edge reads: "x", "context" (h(t-1), y(t-1) or d(t-1)) or "h".
    lag : the sender's step relative to the receiver's (-1 for the context, 0 otherwise).
    receiver : the net input it feeds: "a" (hidden) or "o" (output).
    delta : the delta of the receiver: "delta_h" or "delta_o".
    bias : the bias of the same receiver ("b" or "c").
    """

    param: str
    sender: str
    lag: int
    receiver: str
    delta: str
    bias: str


#: the three weight matrices of the network (Goodfellow et al. 2016, §10.2.2)
WEIGHT_KINDS: Final = MappingProxyType(
    {
        "U": WeightKind("U", "x", 0, "a", "delta_h", "b"),
        "W": WeightKind("W", "context", -1, "a", "delta_h", "b"),
        "V": WeightKind("V", "h", 0, "o", "delta_o", "c"),
    }
)
#: the delta each parameter's gradient is built from
DELTA_OF: Final = MappingProxyType(
    {"U": "delta_h", "W": "delta_h", "b": "delta_h", "V": "delta_o", "c": "delta_o"}
)
#: a partial gradient sum over at most this many multiply-adds is a direct matrix product; a
#: longer one starts from the nearest kept suffix sum (:class:`SuffixSums`)
DIRECT_WORK: Final = 1 << 22
#: how many partial sums the colour ranges sample (:meth:`Trace.gradient_peaks`)
PEAK_SAMPLES: Final = 256


@dataclass(frozen=True, slots=True)
class SuffixSums:
    """The gradient accumulated from the end of the sequence, kept at some steps.

    For each of U, W, V, b and c the sum sum_{s >= start} delta(s) partner(s)^T (over the batch
    too) is formed from the end in chunks of ``every`` steps (:data:`PEAK_SAMPLES` chunks); the
    sums are kept at every chunk start that is at least max(64, H) steps after the last one kept
    (and at step 1), so that they take about as much memory as the trace's h, however long.

    Attributes
    ----------
    starts : (n,) the 0-based steps the kept sums start at, descending.
    sums : parameter -> (n, rows, cols) the kept sums (b and c as (rows, 1)).
    peaks : parameter -> the largest magnitude of any entry of the sums at every chunk start.
    """

    starts: NDArray[np.int64]
    sums: Mapping[str, Array]
    peaks: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Trace:
    """Everything one forward and backward sweep computed, immutable, time as an axis.

    Shapes use B (batch, absent for a single sequence), T time steps, I inputs, H hidden units,
    O outputs, C context units (H for Elman, O for Jordan); ``..`` is ``(B,)`` for a batch and
    ``()`` for one sequence.

    Attributes
    ----------
    net : the network the trace was computed with: an :class:`SRN`, or a tapped delay line
        (:class:`core.tdl.TDL`), whose ``x`` is its delay buffer and whose context is empty.
    x : (.., T, I) inputs x(t).  d : (.., T, O) targets d(t).  mask : (.., T) loss weight per step.
    a : (.., T, H) hidden net inputs.  h : (.., T+1, H) hidden states, h[.., 0, :] = h0 (zeros
        for a Jordan network, which has no hidden state before the first step).
    o : (.., T, O) output net inputs.  y : (.., T, O) outputs.
    loss_t : (.., T) per-step loss L(t) (weighted by the mask).  loss : the total, summed over
        time and batch.
    delta_o : (.., T, O) dL/do(t).  delta_h : (.., T, H) dL/da(t) (truncated where asked).
    delta_h0 : (.., C) dL/dh0 = W^T delta_h(1).
    grads : read-only mapping U, W, V, b, c, h0 -> summed gradient.
    truncation : None or k.  mode : "full", "sliding" or "chunked".
    context : (.., T, C) the context c(t) that step t reads through W: h(t-1) for an Elman
        network (a view of ``h``), y(t-1) or d(t-1) for a Jordan network (c(1) = h0).
    """

    net: SRN | TDL
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
    #: what is computed once on demand (the suffix sums, the gradient peaks): derived, never part
    #: of the record; pickled with it, so a trace computed in a child process arrives with them
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

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

    def _single(self, what: str) -> None:
        if self.batched:
            raise ValueError(f"{what} is defined for one sequence; use trace.select(i)")

    # -- which activation and which delta each gradient pairs -----------------------------------
    def partner(self, p: str) -> Array:
        """(.., T, n) the activation that parameter p's gradient multiplies with its delta.

        U: x(t); W: the context c(t) (h(t-1) for Elman, y(t-1) or d(t-1) for Jordan); V: h(t);
        b and c: ones (their gradient is the delta itself).
        """
        if p == "U":
            return self.x
        if p == "W":
            return self.context
        if p == "V":
            return self.h[..., 1:, :]
        if p in ("b", "c"):
            ones = np.ones((*self.x.shape[:-1], 1), self.x.dtype)
            ones.setflags(write=False)
            return ones
        raise KeyError(f"no parameter {p!r} pairs a delta with an activation")

    def delta_of(self, p: str) -> Array:
        """(.., T, n) the delta of p's receiving units: delta_h for U, W and b, else delta_o."""
        return self.delta_h if DELTA_OF[p] == "delta_h" else self.delta_o

    # -- per-step and partial gradients, computed on demand ------------------------------------
    def contribution(self, t: int) -> dict[str, Array]:
        """Each parameter's gradient term of step t alone (summed over the batch).

        U: delta_h(t) x(t)^T, W: delta_h(t) c(t)^T, V: delta_o(t) h(t)^T, b: delta_h(t),
        c: delta_o(t), h0: W^T delta_h(1) at t = 1 and 0 otherwise. Shapes as the parameters.
        """
        i = self._check_t(t)
        return self._sums(i, i + 1)

    def accumulated(self, t: int) -> dict[str, Array]:
        """The gradient accumulated when the backward sweep has reached step t: sum over s >= t.

        ``accumulated(1)`` equals ``grads``; ``accumulated(T + 1)`` is all zeros. Computed as
        matrix products over the stored deltas, never storing T x H x H arrays: a long sum
        starts from the nearest kept suffix sum (:meth:`suffix_sums`), so that it costs at most
        max(64, H) steps' products however long the sequence.
        """
        if not 1 <= t <= self.T + 1:
            raise ValueError(f"time step t={t} is outside 1..{self.T + 1}")
        start, T = t - 1, self.T
        net = self.net
        work = net.U.size + net.W.size + net.V.size  # multiply-adds per step (and sequence)
        if (T - start) * work * self.n_sequences <= DIRECT_WORK:
            return self._sums(start, T)
        kept = self.suffix_sums()
        later = np.flatnonzero(kept.starts >= start)
        if not len(later):
            return self._sums(start, T)
        i = int(later[-1])  # the nearest kept sum at or after the start
        out = self._sums(start, int(kept.starts[i]))
        for p, sums in kept.sums.items():
            out[p] = out[p] + sums[i].reshape(out[p].shape)
        if start == 0:
            out["h0"] = self._b(self.delta_h0).sum(axis=0)
        return out

    def suffix_sums(self) -> SuffixSums:
        """The partial gradient sums from the end, kept at some steps (:class:`SuffixSums`);
        formed on the first call, in one pass over the sequence."""
        kept = self._memo.get("suffix")
        if kept is None:
            net = self.net
            work = (net.U.size + net.W.size + net.V.size) * self.T * self.n_sequences
            with one_blas_thread(work):  # long thin products: one BLAS thread is faster
                kept = self._memo["suffix"] = self._suffix_sums()
        return kept

    def _suffix_sums(self) -> SuffixSums:
        T = self.T
        every = max(1, -(-T // PEAK_SAMPLES))
        stops = list(range(T, 0, -every))
        starts = [max(0, stop - every) for stop in stops]
        keep_every = max(1, -(-max(64, self.net.n_hidden) // every))  # chunks between kept sums
        kept = [i for i, start in enumerate(starts) if (i + 1) % keep_every == 0 or start == 0]
        sums: dict[str, Array] = {}
        peaks: dict[str, float] = {}
        for p in ("U", "W", "V", "b", "c"):
            delta, act = self._b(self.delta_of(p)), self._b(self.partner(p))
            n, m = delta.shape[-1], act.shape[-1]
            out = np.empty((len(kept), n, m))
            peak, total, j = 0.0, np.zeros((n, m)), 0
            for i, (start, stop) in enumerate(zip(starts, stops, strict=True)):
                rows = delta.shape[0] * (stop - start)  # no -1: a TDL context is empty
                dd = delta[:, start:stop].reshape(rows, n)
                total += dd.T @ act[:, start:stop].reshape(rows, m)
                # max |entry| as max(max, -min): no |total| temporary per chunk
                peak = max(peak, float(total.max(initial=0.0)), -float(total.min(initial=0.0)))
                if j < len(kept) and kept[j] == i:
                    out[j] = total
                    j += 1
            out.setflags(write=False)
            sums[p], peaks[p] = out, peak
        index = np.asarray([starts[i] for i in kept], np.int64)
        index.setflags(write=False)
        return SuffixSums(index, MappingProxyType(sums), MappingProxyType(peaks))

    def _sums(self, start: int, stop: int) -> dict[str, Array]:
        """The gradient terms of 0-based steps start..stop-1, summed over time and batch."""
        out: dict[str, Array] = {}
        net = self.net
        work = (net.U.size + net.W.size + net.V.size) * (stop - start) * self.n_sequences
        with one_blas_thread(work):  # thin products: one BLAS thread is faster (core.blas)
            for p in ("U", "W", "V"):
                delta = self._b(self.delta_of(p))[:, start:stop]
                act = self._b(self.partner(p))[:, start:stop]
                rows = delta.shape[0] * delta.shape[1]  # no -1: a TDL context is empty
                out[p] = delta.reshape(rows, delta.shape[-1]).T @ act.reshape(rows, act.shape[-1])
        out["b"] = self._b(self.delta_h)[:, start:stop].sum(axis=(0, 1))
        out["c"] = self._b(self.delta_o)[:, start:stop].sum(axis=(0, 1))
        first = start == 0 and stop > 0
        out["h0"] = self._b(self.delta_h0).sum(axis=0) if first else np.zeros_like(self.net.h0)
        return out

    def with_net(self, net: SRN | TDL) -> Trace:
        """This record with ``net`` in place of an equal network object (a trace read back from
        a child process holds a copy of the network it was given); what was computed on demand
        is kept. The caller vouches that ``net`` has the same weights."""
        other = replace(self, net=net)
        other._memo.update(self._memo)
        return other

    def gradient_peaks(self) -> dict[str, tuple[float, float]]:
        """For each parameter, (the largest |single-step term|, the largest |partial sum|);
        computed once (a copy each call).

        A single step's term of U, W or V is an outer product delta(t) partner(t)^T, whose largest
        magnitude is max|delta(t)| max|partner(t)|; the partial sums sum_{s >= t} are those the
        backward sweep shows (:meth:`accumulated`), taken at every ceil(T / 256)-th step for long
        sequences (:meth:`suffix_sums`). The views use these as symmetric colour ranges.
        """
        peaks = self._memo.get("peaks")
        if peaks is None:
            peaks = self._memo["peaks"] = self._gradient_peaks()
        return dict(peaks)

    def _gradient_peaks(self) -> dict[str, tuple[float, float]]:
        kept = self.suffix_sums()
        largest: dict[str, Array] = {}  # per array, (B, T) its largest magnitude at each step

        def by_step(name: str, arr: Array) -> Array:
            if name not in largest:  # max |v| as max(max v, -min v): no |arr| temporary
                # initial 0: a zero-width array (a tapped delay line's empty context) gives 0
                top, bottom = arr.max(axis=2, initial=0.0), arr.min(axis=2, initial=0.0)
                largest[name] = np.maximum(top, -bottom)
            return largest[name]

        partners = {"U": "x", "W": "context", "V": "h", "b": "1", "c": "1"}
        if self.net.context == "hidden":  # Elman: the context c(t) is h(t-1), rows of h
            h_all = by_step("h(0..T)", self._b(self.h))
            largest["context"], largest["h"] = h_all[:, :-1], h_all[:, 1:]
        out: dict[str, tuple[float, float]] = {}
        for p in ("U", "W", "V", "b", "c"):
            delta = by_step(DELTA_OF[p], self._b(self.delta_of(p)))
            step = delta * by_step(partners[p], self._b(self.partner(p)))  # (B, T)
            per_step = float(step.sum(axis=0).max()) if self.batched else float(step.max())
            out[p] = (per_step, kept.peaks[p])
        h0 = float(np.abs(self._b(self.delta_h0).sum(axis=0)).max(initial=0.0))
        out["h0"] = (h0, h0)
        return out

    # -- the loss ---------------------------------------------------------------------------------
    def loss_until(self, t: int) -> float:
        """L(1) + ... + L(t), summed over the batch (0 for t = 0): the loss known at forward t."""
        if not 0 <= t <= self.T:
            raise ValueError(f"time step t={t} is outside 0..{self.T}")
        return float(self._b(self.loss_t)[:, :t].sum())

    def loss_terms(self, t: int) -> Array:
        """(O,) each output unit's part of L(t), weighted by the mask; they sum to L(t).

        softmax: -d_k ln y_k computed as d_k (ln sum_j e^{o_j} - o_k); logistic:
        -[d_k ln y_k + (1 - d_k) ln(1 - y_k)] as softplus(o_k) - d_k o_k; linear:
        (y_k - d_k)^2 / 2 (Bodén 2001, the matched cost of each output function).
        """
        self._single("loss_terms")
        i = self._check_t(t)
        return unit_losses(self.net.output, self.o[i], self.d[i]) * self.mask[i]

    # -- the backward sweep, term by term ---------------------------------------------------------
    def window(self, s: int) -> tuple[int, int]:
        """The steps (first, last) through which loss term L(s) propagates back, 1-based."""
        self._check_t(s)
        return window(s, effective(self.truncation, self.T), self.mode)

    def recurrence_reaches(self, t: int) -> bool:
        """Whether step t+1's delta comes back into step t through W under this truncation.

        See :func:`core.truncation.recurrence_reaches`.
        """
        return recurrence_reaches(t, self.T, self.truncation, self.mode, self.net.context)

    def slope(self, t: int | None = None) -> Array:
        """(.., T, H) f'(a(t)), the hidden activation's derivative at every step; (.., H) that
        of step t alone when t is given."""
        if t is None:
            return hidden_derivative(self.net.hidden, self.a, self.h[..., 1:, :])
        i = self._check_t(t)
        return hidden_derivative(self.net.hidden, self.a[..., i, :], self.h[..., i + 1, :])

    def local_delta_o(self, t: int) -> Array:
        """(O,) the part of delta_o(t) that comes from L(t) itself: m(t) (y(t) - d(t)).

        (For softmax with targets summing to s, y(t) s - d(t).) For an Elman network this is all of
        delta_o(t); a Jordan network adds what comes back through the fed-back output.
        """
        self._single("local_delta_o")
        i = self._check_t(t)
        o, d, m = self.o[i][:, None], self.d[i][:, None], self.mask[i : i + 1]
        return output_loss_delta(self.net.output, o, d, m)[2][:, 0]

    def delta_from_loss(self, s: int) -> tuple[Array, Array]:
        """The parts of delta_o and delta_h that come from loss term L(s) alone.

        Returns (D_o (T, O), D_h (T, H)), zero outside :meth:`window`\\ (s) and after s;
        summed over s they give ``delta_o`` and ``delta_h``. Elman::

            D_h(s) = f'(a(s)) * V^T e(s),   D_h(r) = f'(a(r)) * W^T D_h(r+1)   (first <= r < s)

        Jordan (the recurrence runs through the output)::

            D_o(s) = e(s),  D_o(r) = J_g(r)^T W^T D_h(r+1),  D_h(r) = f'(a(r)) * V^T D_o(r)

        with e(s) = :meth:`local_delta_o`\\ (s) and J_g the output function's Jacobian.
        """
        self._single("delta_from_loss")
        first, _ = self.window(s)
        net = self.net
        # f'(a(r)) for the steps r = first..s of the window only: fp[r - first]
        fp = hidden_derivative(net.hidden, self.a[first - 1 : s], self.h[first : s + 1])
        D_o = np.zeros(self.delta_o.shape, self.delta_o.dtype)
        D_h = np.zeros(self.delta_h.shape, self.delta_h.dtype)
        D_o[s - 1] = self.local_delta_o(s)
        D_h[s - 1] = fp[s - first] * (D_o[s - 1] @ net.V)
        if net.context not in RECURRENT_CONTEXTS:  # teacher forcing, or a tapped delay line
            return D_o, D_h
        for r in range(s - 1, first - 1, -1):
            back = D_h[r] @ net.W  # W^T D_h(r+1)
            if net.jordan:
                D_o[r - 1] = output_jacobian_t(net.output, self.y[r - 1], back)
                D_h[r - 1] = fp[r - first] * (D_o[r - 1] @ net.V)
            else:
                D_h[r - 1] = fp[r - first] * back
        return D_o, D_h

    def carried(self, t: int) -> Array | None:
        """(H,) the part of delta_h(t+1) that comes back into step t through W, or None.

        Full BPTT and chunked truncation: delta_h(t+1) itself, unless :meth:`recurrence_reaches`
        says nothing comes back (t = T, a chunk boundary, teacher forcing). Sliding BPTT(k): the
        part of delta_h(t+1) from loss terms whose window includes step t, i.e. delta_h(t+1) less
        its part from L(t+k), which may travel back only to step t+1.
        """
        self._single("carried")
        if not self.recurrence_reaches(t):
            return None
        k = effective(self.truncation, self.T)
        carried = np.array(self.delta_h[t], copy=True)
        if k is not None and self.mode == "sliding" and t + k <= self.T:
            carried -= self.delta_from_loss(t + k)[1][t]
        carried.setflags(write=False)
        return carried

    def returned_delta_o(self, t: int) -> Array:
        """(O,) a Jordan network's part of delta_o(t) that comes back from step t+1 through y(t):
        J_g(t)^T W^T delta_h(t+1) restricted to the truncation window (zeros for Elman)."""
        self._single("returned_delta_o")
        back = self.carried(t) if self.net.jordan else None
        if back is None:
            return np.zeros(self.net.n_out, self.delta_o.dtype)
        return output_jacobian_t(self.net.output, self.y[t - 1], back @ self.net.W)

    # -- one sequence of a batch ------------------------------------------------------------------
    def select(self, index: int) -> Trace:
        """The trace of one sequence of a batch (a single-sequence trace is returned as is).

        The sequences of a batch are independent, so this is a slice of every array and the
        gradient sums of that slice.
        """
        if not self.batched:
            if index != 0:
                raise IndexError(f"sequence {index} of a single-sequence trace")
            return self
        if not 0 <= index < self.n_sequences:
            raise IndexError(f"sequence {index} is outside 0..{self.n_sequences - 1}")
        names: tuple[str, ...] = ("x", "d", "mask", "a", "h", "o", "y", "loss_t")
        names += ("delta_o", "delta_h", "delta_h0", "context")
        arrays = {n: getattr(self, n)[index] for n in names}
        sub = Trace(
            net=self.net,
            loss=float(np.add.reduce(arrays["loss_t"])),
            grads=MappingProxyType({}),
            truncation=self.truncation,
            mode=self.mode,
            **arrays,
        )
        grads = sub.accumulated(1)
        for g in grads.values():
            g.setflags(write=False)
        return replace(sub, grads=MappingProxyType(grads))
