"""Sequences and data sets: what tasks generate, loaders read and the trainer consumes.

A data set is a tuple of sequences with the same input and output width, unit names, the output
function it suits, and how predictions are scored. Scoring kinds:

* ``"none"``: the task defines no score;
* ``"argmax"``: a scored step is correct when argmax y(t) == argmax d(t);
* ``"threshold"``: a scored step is correct when every output is on the same side of 0.5 as d(t);
* ``"legal"``: a scored step is correct when every output above ``legal_threshold`` is a legal
  successor and every legal successor is above it (Cleeremans et al. 1989's criterion for the
  Reber grammar); ``Sequence.legal`` holds the (T, O) boolean table of legal successors.

The score of a set of predictions is the fraction of scored steps predicted correctly.

A data set is bounded (``core.limits``): at most ``MAX_LAYER_SIZE`` inputs and targets,
``MAX_SEQUENCES`` sequences of at most ``MAX_STEPS`` steps, ``MAX_VALUES`` numbers in all;
:func:`size_problem` says which bound a shape breaks, so loaders can refuse before building.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.functions import OUTPUT_FUNCTIONS
from core.limits import MAX_LAYER_SIZE, MAX_SEQUENCES, MAX_STEPS, MAX_VALUES, over_limit
from core.model import frozen

SCORINGS = ("none", "argmax", "threshold", "legal")


class DatasetError(ValueError):
    """A sequence file or data set that cannot be used; the message names file, line and problem.

    Attributes ``path``, ``line`` and ``column`` (1-based, or None) locate the problem.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path, self.line, self.column, self.problem = path, line, column, message
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


def size_problem(n_in: int, n_out: int, lengths: SequenceABC[int]) -> str | None:
    """Why sequences of these ``lengths`` with ``n_in`` inputs and ``n_out`` targets exceed the
    bounds of a data set (``core.limits``), or None when they do not."""
    if n_in > MAX_LAYER_SIZE:
        return over_limit("the data has", n_in, MAX_LAYER_SIZE, "inputs")
    if n_out > MAX_LAYER_SIZE:
        return over_limit("the data has", n_out, MAX_LAYER_SIZE, "targets")
    if len(lengths) > MAX_SEQUENCES:
        return over_limit("the data has", len(lengths), MAX_SEQUENCES, "sequences")
    for i, T in enumerate(lengths):
        if T > MAX_STEPS:
            return over_limit(f"sequence {i + 1} has", T, MAX_STEPS, "steps")
    values = sum(lengths) * (n_in + n_out)
    if values > MAX_VALUES:
        return over_limit("the inputs and targets hold", values, MAX_VALUES, "numbers")
    return None


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with same_weights/array_equal
class Sequence:
    """One input sequence with its targets.

    Attributes
    ----------
    x : (T, I) inputs.  d : (T, O) targets.
    scored : (T,) bool, the steps the task score counts (all by default).
    symbols : the input symbol at each step, for labels (empty tuple when not symbolic).
    legal : (T, O) bool legal successors for ``"legal"`` scoring, else None.
    """

    x: NDArray[np.floating]
    d: NDArray[np.floating]
    scored: NDArray[np.bool_] = field(default=None)  # type: ignore[arg-type]
    symbols: tuple[str, ...] = ()
    legal: NDArray[np.bool_] | None = None

    def __post_init__(self) -> None:
        x, d = frozen(self.x, np.float64), frozen(self.d, np.float64)
        if x.ndim != 2 or d.ndim != 2 or x.shape[0] != d.shape[0] or x.shape[0] < 1:
            raise ValueError(f"sequence needs x (T, I) and d (T, O), got {x.shape} and {d.shape}")
        for name, arr in (("x", x), ("d", d)):
            if not np.isfinite(arr).all():
                bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
                raise ValueError(f"sequence {name} holds a non-finite value at index {bad}")
        T = x.shape[0]
        scored = frozen(np.ones(T, bool) if self.scored is None else self.scored, bool)
        if scored.shape != (T,):
            raise ValueError(f"scored has shape {scored.shape}, expected ({T},)")
        symbols = tuple(str(s) for s in self.symbols)
        if symbols and len(symbols) != T:
            raise ValueError(f"{len(symbols)} symbols for a sequence of {T} steps")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "d", d)
        object.__setattr__(self, "scored", scored)
        if self.legal is not None:
            legal = frozen(self.legal, bool)
            if legal.shape != d.shape:
                raise ValueError(f"legal has shape {legal.shape}, expected {d.shape}")
            object.__setattr__(self, "legal", legal)
        object.__setattr__(self, "symbols", symbols)

    @property
    def T(self) -> int:
        return int(self.x.shape[0])


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with same_weights/array_equal
class Dataset:
    """A named tuple of sequences sharing input and output units.

    Attributes
    ----------
    name : what the user sees (a task name or a file name).
    sequences : the sequences, at least one.
    input_names, output_names : one label per input and output unit.
    output : the output function the data suits ("softmax", "logistic" or "linear").
    scoring : one of ``SCORINGS``.
    legal_threshold : the threshold of ``"legal"`` scoring.
    source : the file path or the task specification it came from.
    """

    name: str
    sequences: tuple[Sequence, ...]
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    output: str = "linear"
    scoring: str = "none"
    legal_threshold: float = 0.3
    source: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sequences", tuple(self.sequences))
        object.__setattr__(self, "input_names", tuple(self.input_names))
        object.__setattr__(self, "output_names", tuple(self.output_names))
        if not self.sequences:
            raise ValueError(f"data set {self.name!r} has no sequence")
        if self.scoring not in SCORINGS:
            raise ValueError(f"scoring {self.scoring!r} is not one of {SCORINGS}")
        if self.output not in OUTPUT_FUNCTIONS:
            raise ValueError(f"output {self.output!r} is not one of {OUTPUT_FUNCTIONS}")
        if not 0.0 < self.legal_threshold < 1.0:
            raise ValueError(f"legal_threshold {self.legal_threshold} is outside (0, 1)")
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))
        I, O = len(self.input_names), len(self.output_names)
        too_large = size_problem(I, O, [s.T for s in self.sequences])
        if too_large is not None:
            raise DatasetError(too_large, path=self.source or self.name)
        for i, s in enumerate(self.sequences):
            if s.x.shape[1] != I or s.d.shape[1] != O:
                raise ValueError(
                    f"sequence {i} has {s.x.shape[1]} inputs and {s.d.shape[1]} outputs, "
                    f"expected {I} and {O}"
                )

    @property
    def n_in(self) -> int:
        return len(self.input_names)

    @property
    def n_out(self) -> int:
        return len(self.output_names)

    def __len__(self) -> int:
        return len(self.sequences)

    def correct(self, index: int, y: NDArray[np.floating]) -> NDArray[np.bool_]:
        """(T,) whether each step of sequence ``index`` is predicted correctly by outputs y (T, O).

        Unscored steps are False; use together with ``Sequence.scored``.
        """
        seq = self.sequences[index]
        y = np.asarray(y)
        if self.scoring == "argmax":
            ok = np.argmax(y, axis=1) == np.argmax(seq.d, axis=1)
        elif self.scoring == "threshold":
            ok = np.all((y > 0.5) == (seq.d > 0.5), axis=1)
        elif self.scoring == "legal":
            if seq.legal is None:
                raise ValueError(f"sequence {index} has no table of legal successors")
            ok = np.all((y > self.legal_threshold) == seq.legal, axis=1)
        else:
            ok = np.zeros(seq.T, bool)
        return ok & seq.scored

    def score(self, ys: SequenceABC[NDArray[np.floating]]) -> float | None:
        """Fraction of scored steps predicted correctly over all sequences (None: no score)."""
        if self.scoring == "none":
            return None
        n_ok = sum(int(self.correct(i, y).sum()) for i, y in enumerate(ys))
        n = sum(int(s.scored.sum()) for s in self.sequences)
        return n_ok / n if n else None
