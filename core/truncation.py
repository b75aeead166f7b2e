"""Which loss terms reach which steps: full BPTT, sliding BPTT(k) and chunked truncation.

The one place these rules are written; the engines, the trace's facts and the views read them.

* Full BPTT: loss term L(s) propagates back to step 1.
* Sliding BPTT(k) (Williams & Peng 1990): L(s) propagates back through the k steps
  s, s-1, ..., s-k+1 only; the state entering step s-k+1 is treated as a constant. k = 1 is
  Elman's (1990) training, the context used as a plain extra input.
* Chunked k: the sequence is cut into chunks t = 1..k, k+1..2k, ...; the state is carried across a
  cut but the gradient is not (the state is detached every k steps, as in min-char-rnn).

A truncation length k >= T is full BPTT; every function here treats it so.
"""

from __future__ import annotations

from typing import Any

TRUNCATION_MODES = ("sliding", "chunked")
#: the contexts through which a gradient travels from step t+1 back to step t
RECURRENT_CONTEXTS = ("hidden", "output")
#: why truncation is not offered for a network without recurrence (a tapped delay line)
NO_RECURRENCE = (
    "A tapped delay line has no recurrence: each step's gradient stays inside its window "
    "(Bodén 2001, §4), so there is nothing to truncate"
)


def truncates(context: str) -> bool:
    """Whether truncation changes anything for a network with this context (``"none"``: a
    tapped delay line, whose gradient never travels back through time)."""
    return context != "none"


def check_truncation(truncation: Any, mode: str) -> int | None:
    """``truncation`` as None or an int k >= 1, with ``mode`` one of TRUNCATION_MODES.

    Raises ValueError naming the bad value.
    """
    if truncation is None:
        return None
    try:
        whole = not isinstance(truncation, bool) and int(truncation) == truncation
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole or truncation < 1:
        raise ValueError(f"truncation must be None or an integer >= 1, got {truncation!r}")
    if mode not in TRUNCATION_MODES:
        raise ValueError(f"truncation mode {mode!r} is not one of {TRUNCATION_MODES}")
    return int(truncation)


def effective(truncation: int | None, T: int) -> int | None:
    """The truncation length that matters for a sequence of T steps: None when k >= T."""
    return truncation if truncation is not None and truncation < T else None


def starts_chunk(t: int, k: int) -> bool:
    """Whether step t (1-based) starts a chunk of ``k`` steps (t = 1, k+1, 2k+1, ...)."""
    return (t - 1) % k == 0


def window(s: int, truncation: int | None, mode: str) -> tuple[int, int]:
    """The steps (first, last), 1-based, through which loss term L(s) propagates back."""
    if truncation is None or mode == "full":
        return 1, s
    if mode == "sliding":
        return max(1, s - truncation + 1), s
    return ((s - 1) // truncation) * truncation + 1, s


def recurrence_reaches(t: int, T: int, truncation: int | None, mode: str, context: str) -> bool:
    """Whether the gradient of step t+1 comes back into step t through the recurrent weights W.

    For an Elman network that is the term W^T delta_h(t+1) of delta_h(t); for a Jordan network it
    comes through the fed-back output y(t) into delta_o(t); with teacher forcing (context
    "target") the context is data and nothing comes back, and a tapped delay line (context
    "none", :mod:`core.tdl`) has no context at all. Under sliding BPTT(k >= 2) the term
    exists but leaves out the part of each loss term that would travel more than k steps
    (:meth:`core.trace.Trace.carried` gives the part that does reach step t).
    """
    if not 1 <= t < T or context not in RECURRENT_CONTEXTS:
        return False
    k = effective(truncation, T)
    if k is None:
        return True
    if mode == "sliding":
        return k >= 2
    return not starts_chunk(t + 1, k)
