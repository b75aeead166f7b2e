"""What one worked example reads: the trace, what is known at the cursor, the reader's symbols.

Unit and time indices are written 1-based, as on screen: ``h[2](4)`` is hidden unit 2 at t = 4.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from core import derivation
from core.cursor import StepState
from core.notation import Notation
from core.trace import Trace
from core.truncation import effective, starts_chunk

#: the layer a network's context copies: h(t-1) (Elman), y(t-1) or d(t-1) (Jordan)
CONTEXT_LAYER = {"hidden": "h", "output": "y", "target": "d"}


class Scope:
    """The trace, the cursor's state and the notation every equation builder writes with."""

    def __init__(self, trace: Trace, state: StepState, notation: Notation) -> None:
        self.trace, self.state, self.n = trace, state, notation
        self.net = trace.net
        self.sign = notation.delta_sign
        self.L = notation["L"]
        self.ctx = CONTEXT_LAYER[trace.net.context]

    # -- what is known at the cursor ------------------------------------------------------------
    def fwd(self, t: int) -> bool:
        """Whether a(t), h(t), o(t), ŷ(t), L(t) are known (h(0) always is)."""
        return t <= self.state.forward_known

    def bwd(self, t: int) -> bool:
        """Whether δo(t) and δh(t) are known."""
        return self.state.backward_from <= t <= self.trace.T

    def ctx_known(self, t: int) -> bool:
        """Whether the context c(t) read at step t is known (a target always is)."""
        return self.net.context == "target" or self.fwd(t - 1)

    def fwd_note(self, t: int, what: str) -> tuple[str, ...]:
        return () if self.fwd(t) else (f"{what} is computed at forward t = {t}",)

    def bwd_note(self, t: int, what: str) -> tuple[str, ...]:
        return () if self.bwd(t) else (f"{what} is computed at backward t = {t}",)

    def carried(self, t: int) -> tuple[NDArray[np.floating] | None, str]:
        """The part of δh(t+1) that comes back into step t through W (:meth:`Trace.carried`,
        engine sign), with a note on what the truncation leaves out; or None with the reason
        nothing comes back."""
        tr, T = self.trace, self.trace.T
        k = effective(tr.truncation, T)
        back = tr.carried(t) if t >= 1 else None
        if back is not None:
            if k is None or tr.mode != "sliding" or t + k > T:
                return back, ""
            return back, (
                f"BPTT(k = {k}): {self.n['delta_h']}({t + 1}) here leaves out its part from "
                f"{self.L}({t + k}), which may travel back only to step {t + 1}"
            )
        if self.net.context == "target":
            return None, "teacher forcing: the context is the target, no δ comes back through W"
        if t >= T:
            return None, f"t = T = {T}: no δ comes back from step T+1"
        if k is not None and tr.mode == "chunked" and starts_chunk(t + 1, k):
            return None, f"chunked k = {k}: the gradient is cut between t = {t} and {t + 1}"
        return None, "BPTT(1): the context is a plain extra input (Elman 1990), no W term"

    # -- symbols ----------------------------------------------------------------------------------
    def u(self, name: str, i: int, t: int | None = None) -> str:
        """A unit's symbol such as ``h[2](4)``."""
        return f"{self.n[name]}[{i + 1}]" + ("" if t is None else f"({t})")

    def w(self, name: str, r: int, c: int | None = None) -> str:
        """A parameter entry such as ``W[2,3]`` (``b[2]`` for vectors)."""
        return f"{self.n[name]}[{r + 1}" + ("]" if c is None else f",{c + 1}]")

    def dw(self, name: str, r: int, c: int | None = None) -> str:
        """The gradient of a parameter entry, ``∂L/∂W[2,3]``."""
        return f"∂{self.L}/∂{self.w(name, r, c)}"

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
        k = self.trace.truncation
        if k is None or k >= self.trace.T:
            return ()
        if self.trace.mode == "chunked":
            return ("chunked",)
        return ("bptt-1",) if k == 1 else ("sliding",)

    def sender(self, layer: str) -> str:
        """The layer name of a weight kind's sender ("context" is the network's context layer)."""
        return self.ctx if layer == "context" else layer

    def partner_known(self, p: str, t: int) -> bool:
        """Whether the activation that p's edge reads at step t is known: x(t) always, the
        context c(t) once step t-1 is computed, h(t) once step t is."""
        return {"U": True, "W": self.ctx_known(t), "V": self.fwd(t)}[p]
