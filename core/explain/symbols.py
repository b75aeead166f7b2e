"""What one worked example reads: the trace, what is known at the cursor, the reader's symbols.

Every number an explanation writes is a :class:`~core.explain.text.Factor` made here by
:meth:`Scope.show` from a :data:`~core.explain.text.Quantity`: the Trace gives its value, the
cursor says whether it is known yet ("?" if not), and the notation gives the sign of deltas.
Unit and time indices are written 1-based, as on screen: ``h[2](4)`` is hidden unit 2 at t = 4.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from core import derivation
from core.cursor import StepState
from core.explain.text import UNKNOWN, Factor, Quantity, fmt
from core.model import PARAM_NAMES
from core.notation import Notation
from core.trace import Trace
from core.truncation import effective, starts_chunk

Array = NDArray[np.floating]

#: the layer a network's context copies: h(t-1) (Elman), y(t-1) or d(t-1) (Jordan); a tapped
#: delay line has no context (its past comes in through the input buffer x)
CONTEXT_LAYER = {"hidden": "h", "output": "y", "target": "d", "none": "x"}
#: quantities known from the start: the data and the weights
GIVEN = frozenset({*PARAM_NAMES, "x", "d", "mask", "d_sum"})
#: quantities computed by the forward sweep at their step
FORWARD = frozenset({"a", "h", "o", "y", "slope", "loss_t", "loss_term", "loss_until"})
#: quantities computed by the backward sweep at their step
BACKWARD = frozenset({"delta_h", "delta_o", "contribution", "accumulated"})
#: quantities made of δh(t+1): known once the backward sweep has reached step t+1
FROM_NEXT = frozenset({"carried", "back", "back_mean", "returned_delta_o"})
#: quantities written in the notation's delta sign
SIGNED = frozenset({"delta_h", "delta_o", *FROM_NEXT})


class Scope:
    """The trace, the cursor's state and the notation every equation builder writes with."""

    def __init__(self, trace: Trace, state: StepState, notation: Notation) -> None:
        self.trace, self.state, self.n = trace, state, notation
        self.net = trace.net
        self.sign = notation.delta_sign
        self.L = notation["L"]
        self.ctx = CONTEXT_LAYER[trace.net.context]
        self._slope: Array | None = None
        self._carried: dict[int, Array | None] = {}

    # -- what is known at the cursor ------------------------------------------------------------
    def fwd(self, t: int) -> bool:
        """Whether a(t), h(t), o(t), ŷ(t), L(t) are known (h(0) always is)."""
        return t <= self.state.forward_known

    def bwd(self, t: int) -> bool:
        """Whether δo(t) and δh(t) are known."""
        return self.state.backward_from <= t <= self.trace.T

    def known(self, q: Quantity) -> bool:
        """Whether the cursor has computed the quantity q."""
        name = q[0]
        if name in GIVEN:
            return True
        if name == "loss":
            return self.fwd(self.trace.T)
        if name == "delta_h0":
            return self.bwd(1)
        t = int(q[1])
        if name == "context":  # c(t) is h(t-1) or y(t-1), computed at forward t-1; d(t-1) given
            return self.net.context == "target" or self.fwd(t - 1)
        if name in FORWARD:
            return self.fwd(t)
        if name in BACKWARD:
            return self.state.backward_from <= t  # accumulated(T + 1) = 0 is known at once
        if name in FROM_NEXT:
            return self.bwd(t + 1)
        raise KeyError(f"no quantity {name!r}")

    def show(self, *q: str | int) -> Factor:
        """The quantity q as displayed: its value in the notation's sign, or "?" while unknown."""
        if not self.known(q):
            return Factor(q, UNKNOWN, None)
        value = self.value(q) * (self.sign if q[0] in SIGNED else 1)
        return Factor(q, fmt(value), value)

    def value(self, q: Quantity) -> float:
        """The engine's number for quantity q (engine sign), read from the Trace."""
        tr, name = self.trace, str(q[0])
        index = tuple(int(i) for i in q[1:] if not isinstance(i, str))
        if name in PARAM_NAMES:
            return float(self.net.params()[name][index])
        if name == "loss":
            return float(tr.loss)
        if name == "delta_h0":
            return float(tr.delta_h0[index])
        t, rest = index[0], index[1:]
        if name in ("contribution", "accumulated"):
            p = str(q[2])
            sums = tr.contribution(t) if name == "contribution" else tr.accumulated(t)
            return float(sums[p][rest])
        return float(self._per_step(name, t)[rest])

    def _per_step(self, name: str, t: int) -> Array:
        """The array of quantity ``name`` at step t (a scalar as a 0-d array)."""
        tr = self.trace
        rows = {"x": tr.x, "d": tr.d, "a": tr.a, "o": tr.o, "y": tr.y, "context": tr.context}
        rows |= {"delta_h": tr.delta_h, "delta_o": tr.delta_o, "mask": tr.mask}
        if name in rows:
            return np.asarray(rows[name][t - 1])
        facts = {
            "h": lambda: tr.h[t],
            "slope": lambda: self.slope()[t - 1],
            "loss_t": lambda: tr.loss_t[t - 1],
            "loss_term": lambda: tr.loss_terms(t),
            "loss_until": lambda: tr.loss_until(t),
            "d_sum": lambda: tr.d[t - 1].sum(),
            "carried": lambda: self.carried_part(t),
            "back": lambda: (
                self.carried_part(t) @ self.net.W
            ),  # r = W^T δh(t+1), as far as it comes
            "back_mean": lambda: tr.y[t - 1] @ (self.carried_part(t) @ self.net.W),
            "returned_delta_o": lambda: tr.returned_delta_o(t),
        }
        return np.asarray(facts[name]())

    def slope(self) -> Array:
        """(T, H) f'(a(t)), from the Trace."""
        if self._slope is None:
            self._slope = self.trace.slope()
        return self._slope

    def carried_part(self, t: int) -> Array:
        """Trace.carried(t), which must exist."""
        back = self.carried(t)[0]
        if back is None:
            raise KeyError(f"nothing comes back into step {t}")
        return back

    def carried(self, t: int) -> tuple[Array | None, str]:
        """The part of δh(t+1) that comes back into step t through W (:meth:`Trace.carried`,
        engine sign), with a note on what the truncation leaves out; or None with the reason
        nothing comes back."""
        tr, T = self.trace, self.trace.T
        k = effective(tr.truncation, T)
        if t not in self._carried:
            self._carried[t] = tr.carried(t) if t >= 1 else None
        back = self._carried[t]
        if back is not None:
            if k is None or tr.mode != "sliding" or t + k > T:
                return back, ""
            return back, (
                f"BPTT(k = {k}): {self.n['delta_h']}({t + 1}) here leaves out its part from "
                f"{self.L}({t + k}), which may travel back only to step {t + 1}"
            )
        if self.net.context == "target":
            return None, "teacher forcing: the context is the target, no δ comes back through W"
        if self.net.context == "none":
            return None, "a tapped delay line has no recurrence: no δ comes back from step t+1"
        if t >= T:
            return None, f"t = T = {T}: no δ comes back from step T+1"
        if k is not None and tr.mode == "chunked" and starts_chunk(t + 1, k):
            return None, f"chunked k = {k}: the gradient is cut between t = {t} and {t + 1}"
        return None, "BPTT(1): the context is a plain extra input (Elman 1990), no W term"

    def fwd_note(self, t: int, what: str) -> tuple[str, ...]:
        return () if self.fwd(t) else (f"{what} is computed at forward t = {t}",)

    def bwd_note(self, t: int, what: str) -> tuple[str, ...]:
        return () if self.bwd(t) else (f"{what} is computed at backward t = {t}",)

    # -- symbols ----------------------------------------------------------------------------------
    def u(self, name: str, i: int, t: int | None = None) -> str:
        """A unit's symbol such as ``h[2](4)``."""
        return f"{self.n[name]}[{i + 1}]" + ("" if t is None else f"({t})")

    @property
    def n_inputs(self) -> int:
        """The input units the hidden layer reads: I, or a tapped delay line's (omega+1) I."""
        return int(self.trace.x.shape[-1])

    def x_unit(self, i: int, t: int) -> str:
        """Input unit i at step t, ``x[2](4)``; a tapped delay line's buffer unit i = k I + r
        holds x[r+1](t-k) (``core.tdl``), so it is written so."""
        if self.net.context != "none":
            return self.u("x", i, t)
        I = self.net.n_in
        return self.u("x", i % I, t - i // I)

    def w(self, name: str, r: int, c: int | None = None) -> str:
        """A parameter entry such as ``W[2,3]`` (``b[2]`` for vectors)."""
        return f"{self.n[name]}[{r + 1}" + ("]" if c is None else f",{c + 1}]")

    def dw(self, name: str, r: int, c: int | None = None) -> str:
        """The gradient of a parameter entry, ``∂L/∂W[2,3]``."""
        return f"∂{self.L}/∂{self.w(name, r, c)}"

    def sender(self, layer: str) -> str:
        """The layer name of a weight kind's sender ("context" is the network's context layer)."""
        return self.ctx if layer == "context" else layer

    # -- citations ------------------------------------------------------------------------------
    def cite(self, *keys: str, delta: bool = False) -> str:
        """The numbers of the equations called ``keys`` on the Help > Equations page and the
        published source of the first, e.g. "Eqs. 10, 11; Goodfellow et al. (2016) §10.2.2".

        ``delta``: the step shows deltas, so a notation with δ = -∂L/∂net says so.
        """
        text = f"{derivation.cite(*keys)}; {derivation.BY_KEY[keys[0]].source}"
        if delta and self.sign < 0:  # the notation's delta is the negative gradient
            text += f"; δ = -∂{self.L}/∂net" + ("" if "Bodén" in text else " (Bodén 2001)")
        return text

    def truncation_key(self) -> tuple[str, ...]:
        """The key of the truncation rule this trace was computed with (none for full BPTT)."""
        k = effective(self.trace.truncation, self.trace.T)
        if k is None:
            return ()
        if self.trace.mode == "chunked":
            return ("chunked",)
        return ("bptt-1",) if k == 1 else ("sliding",)
