"""Unfold's core: a pure-numpy Simple Recurrent Network and its BPTT engine (no Qt here).

The public API, for scripts and notebooks::

    from core import SRN, TDL, bptt, Cursor, explain, Selection, NOTATIONS

    net = SRN.init(4, 5, 3, seed=0)               # inputs, hidden units, outputs
    tdl = TDL.init(4, 5, 3, window=3)             # or Bodén's tapped delay line (no recurrence)
    trace = bptt(net, xs, targets)                # the immutable record of both sweeps
    forward = rtrl(net, xs, targets)              # the same gradient, accumulated forward
    state = Cursor(trace).seek(2 * trace.T).state # what is known at the end of the sweep
    explain(trace, state, Selection("node", "h", t=1, unit=0), NOTATIONS[DEFAULT_NOTATION])
"""

from __future__ import annotations

from core.bptt import TRUNCATION_MODES, bptt
from core.compare import Side, Twin, bias_meter, run_twins, train_twins
from core.cursor import Cursor, Phase, StepState, phase_and_step, position_of, state_at
from core.data import Dataset, DatasetError, Sequence
from core.explain import Explanation, Step, Term, explain, fmt
from core.model import CONTEXTS, PARAM_NAMES, SRN
from core.notation import DEFAULT_NOTATION, NOTATIONS, Notation
from core.rtrl import RTRLResult, rtrl
from core.selection import Selection
from core.tdl import TDL
from core.trace import WEIGHT_KINDS, Trace, WeightKind

__all__ = [
    "CONTEXTS",
    "DEFAULT_NOTATION",
    "NOTATIONS",
    "PARAM_NAMES",
    "SRN",
    "TDL",
    "TRUNCATION_MODES",
    "WEIGHT_KINDS",
    "Cursor",
    "Dataset",
    "DatasetError",
    "Explanation",
    "Notation",
    "Phase",
    "RTRLResult",
    "Selection",
    "Sequence",
    "Side",
    "Step",
    "StepState",
    "Term",
    "Trace",
    "Twin",
    "WeightKind",
    "bias_meter",
    "bptt",
    "explain",
    "fmt",
    "phase_and_step",
    "position_of",
    "rtrl",
    "run_twins",
    "state_at",
    "train_twins",
]
