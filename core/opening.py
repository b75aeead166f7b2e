"""Opening a sequence file: read it, choose the network for it and trace its first sequence, as
one generator, so that a long file can be opened in a child process (``core/child.py``) while
the window keeps responding and Cancel ends the work at once; and tracing one long sequence the
same way (:func:`trace_sequence`, when the sequence or the truncation shown changes).

A file of a million rows takes seconds to read and its trace seconds more (``bptt`` of
1,000,000 steps); the window applies the result in one go (``Session.set_dataset`` with the
trace given, which it does not compute again).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from core.bptt import bptt
from core.data import Dataset
from core.limits import trace_problem
from core.loaders import load_dataset
from core.model import SRN
from core.tdl import TDL
from core.trace import Array, Trace


@dataclass(frozen=True, slots=True)
class Opened:
    """A sequence file read and ready to show.

    Attributes
    ----------
    dataset : the file's sequences.
    net : the network given when it fits the data, else a new one of its kind and size built
        for the data (``network_for``): the one to show if the user agrees to replace it.
    trace : ``bptt`` of ``net`` on the first sequence with the truncation given, its gradient
        peaks and kept partial sums already computed (they travel with it), or None when that
        trace would exceed the limits (the window then refuses the data and says why).
    seconds : how long computing ``trace`` took (what the next one of this sequence costs).
    """

    dataset: Dataset
    net: SRN | TDL
    trace: Trace | None
    seconds: float = 0.0


def fits(net: SRN | TDL, dataset: Dataset) -> bool:
    return (net.n_in, net.n_out) == (dataset.n_in, dataset.n_out)


def network_for(net: SRN | TDL, dataset: Dataset) -> SRN | TDL:
    """A new network for ``dataset`` of ``net``'s kind: the same hidden layer (and window of a
    tapped delay line, or context and trained h0 of an SRN), the data's inputs, outputs and
    output function, fresh random weights."""
    if isinstance(net, TDL):
        return TDL.init(
            dataset.n_in,
            net.n_hidden,
            dataset.n_out,
            window=net.window,
            hidden=net.hidden,
            output=dataset.output,
        )
    return SRN.init(
        dataset.n_in,
        net.n_hidden,
        dataset.n_out,
        hidden=net.hidden,
        output=dataset.output,
        train_h0=net.train_h0,
        context=net.context,
    )


def open_sequence_file(
    path: str, net: SRN | TDL, truncation: int | None, mode: str
) -> Iterator[str | Opened]:
    """Yield ``"reading"``, then ``"tracing"`` once the file is read, then the :class:`Opened`
    result. Raises :class:`~core.data.DatasetError` for a bad file (naming file, line and
    problem), as ``load_dataset`` does."""
    yield "reading"
    dataset = load_dataset(path)
    chosen = net if fits(net, dataset) else network_for(net, dataset)
    yield "tracing"
    trace, seconds = None, 0.0
    if dataset.sequences:
        seq = dataset.sequences[0]
        longest = max(s.T for s in dataset.sequences)
        if trace_problem(longest, chosen.n_in, chosen.n_hidden, chosen.n_out) is None:
            traced = _traced(chosen, seq.x, seq.d, truncation, mode)
            trace, seconds = traced.trace, traced.seconds
    yield Opened(dataset, chosen, trace, seconds)


@dataclass(frozen=True, slots=True)
class Traced:
    """A trace and how long it took to compute (s)."""

    trace: Trace
    seconds: float


def _traced(net: SRN | TDL, x: Array, d: Array, truncation: int | None, mode: str) -> Traced:
    """``bptt`` with its gradient peaks and kept partial sums (the views' colour ranges, which
    then travel with it), timed as ``Session`` times the traces it computes."""
    started = time.perf_counter()
    trace = bptt(net, x, d, truncation=truncation, mode=mode)
    seconds = time.perf_counter() - started
    trace.gradient_peaks()
    return Traced(trace, seconds)


def trace_sequence(
    net: SRN | TDL, x: Array, d: Array, truncation: int | None, mode: str
) -> Iterator[str | Traced]:
    """Yield ``"tracing"``, then the :class:`Traced` ``bptt`` of ``net`` on (x, d) with that
    truncation."""
    yield "tracing"
    yield _traced(net, x, d, truncation, mode)
