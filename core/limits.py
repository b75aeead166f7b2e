"""The bounds of every number Unfold reads from a file, the command line or a form.

A model file, a sequence file or a task parameter could ask for a network or a data set that
does not fit in memory, or that takes minutes to build on the GUI thread. Every such number is
checked against one of these limits before anything is allocated, and a refusal names the limit.
Each limit is far above what a network that can be watched step by step needs.

=====================  =================  ====================================================
limit                  value              applies to
=====================  =================  ====================================================
``MAX_LAYER_SIZE``     512                inputs I, hidden units H and outputs O of a network;
                                          the inputs and targets of a data set
``MAX_STEPS``          1,000,000          time steps T of one sequence; truncation k; the
                                          sequence length of a text file
``MAX_SEQUENCES``      10,000             sequences in a data set
``MAX_VALUES``         20,000,000         numbers in a data set's inputs and targets together,
                                          sum of T * (I + O) over its sequences
``MAX_TRACE_VALUES``   64,000,000         numbers in the trace of one sweep of a network over
                                          a sequence (or a batch of B): :func:`trace_values`
``MAX_FILE_BYTES``     50 MB              a model file, a CSV or JSON sequence file
``MAX_TEXT_BYTES``     1 MB               a plain-text sequence file (one-hot per character)
``SEED_MAX``           2**31 - 1          every seed (data, initial weights, shuffling)
``MAX_EPOCHS``         1,000,000          training epochs
``MAX_RTRL_FLOATS``    20,000,000         floats of RTRL's carried sensitivities (C x n per
                                          sequence, about H^3 for Elman: H = 250 fits), and of
                                          the running totals a view keeps (T x parameters)
``MAX_WINDOW``         32                 the window omega of a tapped delay line (its buffer
                                          holds x(t), ..., x(t-omega))
``MAX_SLIDING_WORK``   20,000,000,000     multiply-adds of the sliding BPTT(k) deltas the
                                          window computes for the trace it shows:
                                          :func:`sliding_work`, T (k - 1) H^2
=====================  =================  ====================================================

A long sequence is shown as a window of time steps around the cursor, so what limits its length
is the memory of its trace, not the views: ``MAX_TRACE_VALUES`` numbers are 512 MB as float64.
Unfold opens, for example, T = 1,000,000 steps at H = 5 (with up to 3 inputs and outputs) or
T = 20,000 steps at H = 512 (with up to 128 inputs and outputs), and refuses T = 100,000 steps
at H = 256.

Sliding BPTT(k) sums k products per step (Williams & Peng 1990), so its trace costs about k times
a full one: at H = 256 on 20,000 steps, k = 1,000 took 67 s on the GUI thread. The window refuses
a setting beyond ``MAX_SLIDING_WORK`` (about a second here, as long as the full trace of the
largest sequence) and says so; chunked truncation costs no more than full BPTT at any k.
Training and ``core.bptt`` itself are not bounded by it: a long headless run is the user's choice.

The parameters of the built-in tasks have bounds of their own, stated with each task in
``core.tasks`` and chosen so that no task makes more than ``MAX_VALUES`` numbers.
"""

from __future__ import annotations

from typing import Final

MAX_LAYER_SIZE: Final = 512
MAX_STEPS: Final = 1_000_000
MAX_SEQUENCES: Final = 10_000
MAX_VALUES: Final = 20_000_000
MAX_TRACE_VALUES: Final = 64_000_000
MAX_FILE_BYTES: Final = 50 * 1024 * 1024
MAX_TEXT_BYTES: Final = 1024 * 1024
SEED_MAX: Final = 2**31 - 1
MAX_EPOCHS: Final = 1_000_000
MAX_RTRL_FLOATS: Final = 20_000_000
MAX_WINDOW: Final = 32
MAX_SLIDING_WORK: Final = 20_000_000_000


def show_bytes(n: int) -> str:
    """A file size for a message: ``"1.5 MB"``, ``"300 bytes"``."""
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n} bytes"


def show_count(n: int) -> str:
    """A whole number with thousands separated by commas: ``"10,000"``."""
    return f"{n:,}"


def over_limit(what: str, n: int, limit: int, unit: str) -> str:
    """A refusal naming the limit: ``"has 10,001 steps, more than the limit of 10,000"``."""
    return f"{what} {show_count(n)} {unit}, more than the limit of {show_count(limit)}"


def trace_values(T: int, n_in: int, n_hidden: int, n_out: int, batch: int = 1) -> int:
    """How many numbers the trace of one sweep over ``batch`` sequences of T steps holds, about.

    Per step: the input x (I); the hidden net input a, the state h, the delta delta_h and the
    kept suffix sums of the accumulated gradient (about as many as h) (4 H); the target d, the
    output net input o, the output y, the delta delta_o and a Jordan network's context (5 O);
    the mask and the loss L(t) (2).
    """
    return batch * T * (n_in + 4 * n_hidden + 5 * n_out + 2)


def trace_problem(T: int, n_in: int, n_hidden: int, n_out: int, batch: int = 1) -> str | None:
    """Why a sweep of this size is refused (``MAX_TRACE_VALUES``), or None when it is not."""
    values = trace_values(T, n_in, n_hidden, n_out, batch)
    if values <= MAX_TRACE_VALUES:
        return None
    steps = f"{show_count(T)} steps"
    if batch > 1:
        steps = f"{show_count(batch)} sequences of {steps}"
    return over_limit(
        f"the trace of {steps} at H = {n_hidden} would hold", values, MAX_TRACE_VALUES, "numbers"
    )


def sliding_work(T: int, n_hidden: int, truncation: int | None, mode: str, batch: int = 1) -> int:
    """Multiply-adds of the deltas of sliding BPTT(k) over ``batch`` sequences of T steps:
    k - 1 products of each step's delta with W^T beyond the first, H^2 each. Zero for full BPTT
    and chunked truncation, which carry one delta per step as full BPTT does."""
    if truncation is None or mode != "sliding":
        return 0
    k = min(truncation, T)
    return batch * max(T - 1, 0) * max(k - 1, 0) * n_hidden * n_hidden


def sliding_problem(T: int, n_hidden: int, truncation: int | None, mode: str) -> str | None:
    """Why the window refuses sliding BPTT(k) on T steps at H (``MAX_SLIDING_WORK``), or None."""
    work = sliding_work(T, n_hidden, truncation, mode)
    if work <= MAX_SLIDING_WORK:
        return None
    return over_limit(
        f"sliding BPTT({truncation}) of {show_count(T)} steps at H = {n_hidden} would take",
        work,
        MAX_SLIDING_WORK,
        "multiply-adds; chunked truncation costs no more than full BPTT at any k",
    )
