"""A cursor over a finished trace: the moments of the forward and then the backward sweep.

Positions k = 0 .. 2T of a trace with T steps:

* k = 0: the start - only h(0) = h0 is known;
* k = 1 .. T: forward, step t = k has just been computed (a, h, o, y, L for steps 1..t known);
* k = T+1 .. 2T: backward, step t = 2T + 1 - k has just received its delta (delta_o and delta_h
  known for steps t..T) and its contribution has been added to the gradient.

Everything a view needs at a position is a pure function of (trace, k), so stepping back is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from core.trace import Trace

Phase = Literal["start", "forward", "backward"]


@dataclass(frozen=True, slots=True)
class StepState:
    """What is known at one cursor position.

    Attributes
    ----------
    position : k in 0..2T.  phase : "start", "forward" or "backward".  t : the current step
        (0 at the start).  T : number of steps.
    forward_known : steps 1..forward_known have activations, outputs and losses.
    backward_from : steps backward_from..T have deltas (T + 1 when none has).
    contribution : the current step's gradient terms (Eqs. 12-16 for one t), or None outside the
        backward sweep.
    accumulated : the gradient summed over the steps the backward sweep has visited (zeros before).
    initial : what is known at the start: ``h(0) = h0`` for an Elman network, the initial
        context ``y(0) = h0`` (teacher forced: ``d(0) = h0``) for a Jordan network, an empty
        (all zeros) delay buffer for a tapped delay line.
    """

    position: int
    phase: Phase
    t: int
    T: int
    forward_known: int
    backward_from: int
    contribution: dict[str, NDArray[np.floating]] | None
    accumulated: dict[str, NDArray[np.floating]]
    initial: str = "h(0) = h0"

    def activation_known(self, t: int) -> bool:
        """Whether h(t) is known (h(0) always is)."""
        return t <= self.forward_known

    def delta_known(self, t: int) -> bool:
        """Whether delta_o(t) and delta_h(t) are known."""
        return t >= self.backward_from

    @property
    def label(self) -> str:
        """A short description such as ``forward t = 3 / 10`` or ``backward t = 7``."""
        if self.phase == "start":
            return f"start: {self.initial}, {self.T} steps ahead"
        if self.phase == "forward":
            return f"forward t = {self.t} / {self.T}"
        return f"backward t = {self.t}"


def position_of(T: int, phase: Phase, t: int) -> int:
    """The cursor position of (phase, t) in a trace of T steps."""
    if phase == "start":
        return 0
    if not 1 <= t <= T:
        raise ValueError(f"time step t={t} is outside 1..{T}")
    return t if phase == "forward" else 2 * T + 1 - t


def phase_and_step(T: int, k: int) -> tuple[Phase, int]:
    """(phase, t) at position k of a trace of T steps."""
    if not 0 <= k <= 2 * T:
        raise ValueError(f"position {k} is outside 0..{2 * T}")
    if k == 0:
        return "start", 0
    if k <= T:
        return "forward", k
    return "backward", 2 * T + 1 - k


#: what is known before the first step, by context (a tapped delay line's buffer starts at zeros)
_INITIAL = {
    "hidden": "h(0) = h0",
    "output": "y(0) = h0",
    "target": "d(0) = h0",
    "none": "empty delay buffer",
}


def state_at(trace: Trace, k: int) -> StepState:
    """Everything known at position k, a pure function of (trace, k)."""
    T = trace.T
    phase, t = phase_and_step(T, k)
    if phase == "backward":
        contribution = trace.contribution(t)
        accumulated = trace.accumulated(t)
        forward_known, backward_from = T, t
    else:
        contribution = None
        accumulated = {n: np.zeros_like(p) for n, p in trace.net.params().items()}
        forward_known, backward_from = t, T + 1
    for arrays in (contribution or {}, accumulated):
        for arr in arrays.values():
            arr.setflags(write=False)
    initial = _INITIAL[trace.net.context]
    return StepState(
        k, phase, t, T, forward_known, backward_from, contribution, accumulated, initial
    )


@dataclass(frozen=True, slots=True)
class Cursor:
    """An immutable position over a trace; ``step``, ``back`` and ``seek`` return new cursors."""

    trace: Trace
    position: int = 0

    def __post_init__(self) -> None:
        phase_and_step(self.trace.T, self.position)  # validates the position

    @property
    def n_positions(self) -> int:
        return 2 * self.trace.T + 1

    @property
    def at_start(self) -> bool:
        return self.position == 0

    @property
    def at_end(self) -> bool:
        return self.position == 2 * self.trace.T

    @property
    def phase(self) -> Phase:
        return phase_and_step(self.trace.T, self.position)[0]

    @property
    def t(self) -> int:
        return phase_and_step(self.trace.T, self.position)[1]

    @property
    def state(self) -> StepState:
        return state_at(self.trace, self.position)

    def step(self) -> Cursor:
        """One position later (stays at the end)."""
        return self.seek(min(self.position + 1, 2 * self.trace.T))

    def back(self) -> Cursor:
        """One position earlier (stays at the start)."""
        return self.seek(max(self.position - 1, 0))

    def seek(self, k: int) -> Cursor:
        """The cursor at position k (0..2T)."""
        return Cursor(self.trace, int(k))
