"""Backpropagation Through Time for the Simple Recurrent Network, as an immutable trace.

:func:`bptt` runs the forward sweep and the backward sweep of BPTT over one sequence or a batch
and returns a :class:`~core.trace.Trace`. Elman networks (context = the previous hidden state) run
on the packed engine of :mod:`core.elman`; Jordan networks (context = the previous output, or with
teacher forcing the previous target) on :mod:`core.jordan`. The truncation rules are those of
:mod:`core.truncation`: full BPTT, sliding BPTT(k) (Williams & Peng 1990; k = 1 is Elman's 1990
training) and chunked truncation.

Time steps in method arguments are 1-based, t = 1..T; array index t-1 holds step t, except ``h``
whose index t holds h(t) with h[..., 0, :] = h0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.blas import one_blas_thread
from core.elman import elman_bptt
from core.jordan import jordan_bptt
from core.limits import trace_problem
from core.model import SRN
from core.tdl import TDL
from core.tdl_engine import tdl_backprop
from core.trace import Trace
from core.truncation import TRUNCATION_MODES, check_truncation

__all__ = ["TRUNCATION_MODES", "Trace", "bptt"]


def bptt(
    net: SRN | TDL,
    xs: Any,
    targets: Any,
    truncation: int | None = None,
    mode: str = "sliding",
    mask: Any = None,
) -> Trace:
    """Run the forward sweep and the backward sweep of BPTT; return the immutable :class:`Trace`.

    Parameters
    ----------
    net : the network (Elman, or Jordan with ``net.context`` "output" or "target"), or a tapped
        delay line (:mod:`core.tdl`), which has no recurrence: its trace is ordinary
        backpropagation at every step, and ``truncation`` and ``mode`` have no effect.
    xs : (T, I) one sequence or (B, T, I) a batch of equally long sequences.
    targets : (T, O) or (B, T, O) desired outputs d(t).
    truncation : None for full BPTT, or k >= 1 (:mod:`core.truncation`).
    mode : "sliding" (BPTT(k), Williams & Peng) or "chunked" (gradient cut every k steps).
    mask : optional (T,) or (B, T) weight of each step's loss (0 drops a padded step).

    Raises
    ------
    ValueError
        For NaN/inf in any array (naming the array and the index), shapes that do not match
        the network (naming the array and the expected shape), a bad truncation, or a trace
        too large to hold (``core.limits.MAX_TRACE_VALUES``), refused before it is computed.
    """
    truncation = check_truncation(truncation, mode)
    try:
        shape = np.shape(xs)
    except ValueError:  # ragged: the engine names the problem
        shape = ()
    if len(shape) in (2, 3):  # other shapes: the engine names the problem
        batch, T = (1, shape[0]) if len(shape) == 2 else shape[:2]
        problem = trace_problem(T, net.n_in, net.n_hidden, net.n_out, batch)
        if problem is not None:
            raise ValueError(problem)
    # the sweeps are loops of small products: one BLAS thread is faster (core.blas)
    width = net.n_hidden + net.n_in + net.n_out
    with one_blas_thread(np.prod(shape[:-1], dtype=float) * net.n_hidden * width):
        if isinstance(net, TDL):  # no recurrence: ordinary backpropagation at every step
            return tdl_backprop(net, xs, targets, mask)
        engine = jordan_bptt if net.jordan else elman_bptt
        return engine(net, xs, targets, truncation, mode, mask)
