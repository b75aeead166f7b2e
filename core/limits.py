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
``MAX_STEPS``          10,000             time steps T of one sequence; truncation k; the
                                          sequence length of a text file
``MAX_SEQUENCES``      10,000             sequences in a data set
``MAX_VALUES``         5,000,000          numbers in a data set's inputs and targets together,
                                          sum of T * (I + O) over its sequences
``MAX_FILE_BYTES``     50 MB              a model file, a CSV or JSON sequence file
``MAX_TEXT_BYTES``     1 MB               a plain-text sequence file (one-hot per character)
``SEED_MAX``           2**31 - 1          every seed (data, initial weights, shuffling)
``MAX_EPOCHS``         1,000,000          training epochs
``MAX_RTRL_FLOATS``    20,000,000         floats of RTRL's carried sensitivities (C x n per
                                          sequence, about H^3 for Elman: H = 250 fits), and of
                                          the running totals a view keeps (T x parameters)
``MAX_WINDOW``         32                 the window omega of a tapped delay line (its buffer
                                          holds x(t), ..., x(t-omega))
=====================  =================  ====================================================

The parameters of the built-in tasks have bounds of their own, stated with each task in
``core.tasks`` and chosen so that no task makes more than ``MAX_VALUES`` numbers.
"""

from __future__ import annotations

from typing import Final

MAX_LAYER_SIZE: Final = 512
MAX_STEPS: Final = 10_000
MAX_SEQUENCES: Final = 10_000
MAX_VALUES: Final = 5_000_000
MAX_FILE_BYTES: Final = 50 * 1024 * 1024
MAX_TEXT_BYTES: Final = 1024 * 1024
SEED_MAX: Final = 2**31 - 1
MAX_EPOCHS: Final = 1_000_000
MAX_RTRL_FLOATS: Final = 20_000_000
MAX_WINDOW: Final = 32


def show_bytes(n: int) -> str:
    """A file size for a message: ``"1.5 MB"``, ``"300 bytes"``."""
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n} bytes"


def show_count(n: int) -> str:
    """A whole number with thousands separated by commas: ``"10,000"``."""
    return f"{n:,}"


def over_limit(what: str, n: int, limit: int, unit: str) -> str:
    """A refusal naming the limit: ``"has 10,001 steps, more than the limit of 10,000"``."""
    return f"{what} {show_count(n)} {unit}, more than the limit of {show_count(limit)}"
