"""Training a Simple Recurrent Network by gradient descent on BPTT (or RTRL) gradients, as a plain
generator.

A tapped delay line (:mod:`core.tdl`) trains the same way: its "BPTT gradient" is ordinary
backpropagation at every step (Eqs. 29-31), it has no W or h0, and truncation has no effect.

``train(net, dataset, config)`` yields one immutable :class:`EpochRecord` per pass over the data and
knows nothing about threads or Qt; the GUI runs it in a worker and the CLI in a loop.

Each update moves every trainable parameter theta (U, W, V, b, c, and h0 when ``train_h0``) along
the BPTT gradient g = dL/dtheta of :func:`core.bptt.bptt` (Eqs. 12-17), with classical
momentum (Rumelhart, Hinton & Williams 1986)::

    g     <- g * min(1, clip / ||g||)        global norm clipping (Pascanu et al. 2013), optional
    v     <- momentum * v - lr * g           v starts at 0 and carries over between epochs
    theta <- theta + v

g comes from BPTT (:func:`core.bptt.bptt`) or, with ``algorithm="rtrl"``, from real-time
recurrent learning (:func:`core.rtrl.rtrl`; Williams & Zipser 1989), which accumulates the same
gradient forward in time: the two train the same weights up to rounding. RTRL knows no sliding
window: with it, truncation k means chunks of k steps (k = 1 is also sliding BPTT(1)).

What g is depends on ``update``:

* ``"sequence"``: one update after each sequence, g = dL/dtheta with L = sum_t L(t) the loss of that
  sequence (Eq. 5; Skansi 2018, eq. 7.14) - Elman's (1990) online learning.
* ``"epoch"``: one update per pass, g = (1/N) sum_n dL_n/dtheta, the gradient of the mean sequence
  loss over the N sequences. Sequences of similar length go through one batched ``bptt`` call,
  in batches of bounded size (``BATCH_WORK``) so that memory does not grow with the data set.

The losses and the score of a record are those of ``record.net`` (the network after the epoch's
updates), so every number in a record describes the same network.

Divergence: when a loss, a gradient or an updated weight stops being finite, training stops and a
final record is *yielded* (no exception) with ``diverged`` set to the reason and ``net`` set to
the last network whose weights and loss were finite - the network of the previous record (or the
starting network in epoch 1). Its losses and score are that network's, so nothing is lost.

Stopping: a consumer that must stop within a moment, however long an epoch is (a large text, a
big network), asks for :class:`Progress` records between updates and batches
(``progress_every``) and closes the generator between any two items. Every network it has been
handed is consistent - updates are applied whole - and an unfinished epoch yields no record.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, TypeVar, overload

import numpy as np
from numpy.typing import NDArray

from core.bptt import TRUNCATION_MODES, Trace, bptt
from core.data import Dataset
from core.model import SRN, frozen
from core.rtrl import check_size, rtrl
from core.tdl import TDL

Array = NDArray[np.floating]
Grads = Mapping[str, Array]
UPDATES = ("sequence", "epoch")
#: where the gradient comes from: backpropagation through time or real-time recurrent learning
ALGORITHMS = ("bptt", "rtrl")


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """How to train, validated on construction (a ``ValueError`` names the bad field).

    Attributes
    ----------
    lr : learning rate, > 0.
    momentum : momentum coefficient in [0, 1).
    clip : maximum global gradient norm, or None for no clipping.
    update : ``"sequence"`` (after each sequence) or ``"epoch"`` (once per pass), see module doc.
    truncation : None for full BPTT, or k >= 1 (see :mod:`core.bptt`).
    mode : truncation mode, ``"sliding"`` (BPTT(k)) or ``"chunked"``.
    shuffle : visit the sequences in a new random order every epoch (``update="sequence"`` only;
        the epoch gradient does not depend on the order).
    seed : seed of the shuffling; with the same network, data and config, training is identical.
    epochs : number of passes over the data, >= 1.
    algorithm : ``"bptt"`` or ``"rtrl"``, how the gradient is computed (the same gradient; RTRL
        takes truncation only as chunks, ``mode="chunked"``, or k = 1).
    """

    lr: float = 0.1
    momentum: float = 0.0
    clip: float | None = None
    update: str = "sequence"
    truncation: int | None = None
    mode: str = "sliding"
    shuffle: bool = True
    seed: int = 0
    epochs: int = 100
    algorithm: str = "bptt"

    def __post_init__(self) -> None:
        if not _is_real(self.lr) or not self.lr > 0 or not math.isfinite(self.lr):
            raise ValueError(f"learning rate must be a finite number > 0, got {self.lr!r}")
        if not _is_real(self.momentum) or not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be a number in [0, 1), got {self.momentum!r}")
        if self.clip is not None and (
            not _is_real(self.clip) or not self.clip > 0 or not math.isfinite(self.clip)
        ):
            raise ValueError(f"clip must be None or a finite number > 0, got {self.clip!r}")
        if self.update not in UPDATES:
            raise ValueError(f"update must be one of {', '.join(UPDATES)}, got {self.update!r}")
        if self.truncation is not None and (not _is_int(self.truncation) or self.truncation < 1):
            raise ValueError(f"truncation must be None or an integer >= 1, got {self.truncation!r}")
        if self.mode not in TRUNCATION_MODES:
            raise ValueError(
                f"truncation mode must be one of {', '.join(TRUNCATION_MODES)}, got {self.mode!r}"
            )
        if self.algorithm not in ALGORITHMS:
            raise ValueError(
                f"algorithm must be one of {', '.join(ALGORITHMS)}, got {self.algorithm!r}"
            )
        if self.algorithm == "rtrl" and self.truncation not in (None, 1) and self.mode == "sliding":
            raise ValueError(
                "RTRL has no sliding truncation window: use truncation mode chunked (sensitivities "
                f"reset every {self.truncation} steps), truncation 1, or none"
            )
        if not isinstance(self.shuffle, bool | np.bool_):
            raise ValueError(f"shuffle must be True or False, got {self.shuffle!r}")
        if not _is_int(self.seed) or self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {self.seed!r}")
        if not _is_int(self.epochs) or self.epochs < 1:
            raise ValueError(f"epochs must be an integer >= 1, got {self.epochs!r}")
        # Plain Python numbers, so that as_dict() goes into JSON whatever the caller passed.
        plain = {"lr": float, "momentum": float, "shuffle": bool, "seed": int, "epochs": int}
        plain |= {"clip": float, "truncation": int}
        for name, kind in plain.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, kind(value))

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain values (for model files and the GUI)."""
        return asdict(self)


def _is_real(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


@dataclass(frozen=True, slots=True)
class EpochRecord:
    """What one epoch of training produced; immutable, so records can cross threads and be kept.

    Attributes
    ----------
    epoch : 1-based number of the pass over the data.
    loss : mean loss per time step of ``net`` over the data set,
        sum_n sum_t L_n(t) / sum_n T_n (with L(t) the loss of Eq. 6, 7 or 8 for the output).
    seq_loss : (N,) read-only, the loss L = sum_t L(t) of ``net`` on each sequence.
    score : ``Dataset.score`` of ``net``'s outputs, or None when the data set has no score.
    grad_norms : (n_updates,) read-only, the global gradient norm ||g|| of each update of the epoch,
        before clipping (one entry for ``update="epoch"``, one per sequence otherwise).
    clipped_norms : (n_updates,) read-only, the norm of the gradient actually applied.
    elapsed : seconds spent computing since training started (time the consumer held the
        generator between records is not counted).
    net : the network after this epoch (after the last finite one when ``diverged``).
    diverged : None, or why training stopped (then this is the last record).
    """

    epoch: int
    loss: float
    seq_loss: Array
    score: float | None
    grad_norms: Array
    clipped_norms: Array
    elapsed: float
    net: SRN | TDL
    diverged: str | None = None

    @property
    def grad_norm(self) -> float:
        """Mean gradient norm before clipping over the epoch's updates (nan when there was none)."""
        return float(np.mean(self.grad_norms)) if self.grad_norms.size else math.nan

    @property
    def clipped_norm(self) -> float:
        """Mean norm of the applied gradient over the epoch's updates."""
        return float(np.mean(self.clipped_norms)) if self.clipped_norms.size else math.nan


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a run is inside an epoch: yielded between two updates or two batches when asked
    (``train(..., progress_every=...)``); immutable like :class:`EpochRecord`.

    Attributes
    ----------
    epoch : 1-based number of the epoch in progress (no record of it has been yielded yet).
    stage : what the pass over the data is doing: ``"updates"`` (one update per sequence,
        ``update="sequence"``), ``"loss"`` (measuring the loss of ``net``; with ``update="epoch"``
        the same pass gives the next gradient) or ``"gradient"`` (the first gradient of an
        ``update="epoch"`` run, of the starting network).
    done, total : sequences of this pass processed so far, of ``total`` (the data set's size).
    updates : updates applied in this epoch so far, of ``n_updates`` per epoch (N for
        ``update="sequence"``, 1 for ``update="epoch"``).
    net : the network after those updates: the last consistent one, never a half-applied update.
        Its loss is not known until the epoch's record.
    elapsed : seconds spent computing since training started (as ``EpochRecord.elapsed``).
    """

    epoch: int
    stage: str
    done: int
    total: int
    updates: int
    n_updates: int
    net: SRN | TDL
    elapsed: float


# -- batches and evaluation ---------------------------------------------------------------------
#: a batch may hold at most this many padded cells per real time step (see ``_Batches``)
PADDING_LIMIT = 2.0
#: a batch holds at most this many (time step x parameter) products, so that one batched ``bptt``
#: call takes tens of milliseconds at most and its arrays stay small, however big the data set:
#: a run can stop between two batches (see ``train``) and memory does not grow with the data
BATCH_WORK = 2**24


@dataclass(frozen=True, slots=True)
class _Batch:
    """Sequences stacked for one batched ``bptt`` call, zero-padded at the end to a common length.

    Padded steps get mask 0: their loss and delta_o are 0, so delta_h is 0 there too (nothing
    flows back from them) and the real steps' outputs and gradients are those of unpadded calls.
    """

    index: NDArray[np.intp]  # (B,) positions of the sequences in the data set
    lengths: NDArray[np.intp]  # (B,) their lengths T_n
    x: Array  # (B, T, I)
    d: Array  # (B, T, O)
    mask: Array | None  # (B, T) 1 on real steps, 0 on padding; None when nothing is padded
    scored: NDArray[np.bool_]  # (B, T) the steps the score counts (never padding)
    truth: NDArray[np.generic] | None  # what scoring compares y with, see _correct


class _Batches:
    """The data set in batches of similar length, shortest first (a deterministic order), each
    stacked the first time it is needed: a run can stop before the whole data set is copied.

    Sequences of equal length share a batch; a longer one joins the current batch while the padded
    batch has at most ``PADDING_LIMIT`` cells per real step, so one very long sequence does not
    make every short one long. A batch holds at most ``BATCH_WORK / net.n_params`` padded steps
    (at least one sequence).
    """

    def __init__(self, dataset: Dataset, net: SRN | TDL) -> None:
        self.dataset = dataset
        lengths = np.array([s.T for s in dataset.sequences])
        most_steps = max(1, BATCH_WORK // net.n_params)
        groups: list[list[int]] = []
        real = 0  # steps of the sequences in groups[-1]
        for i in np.argsort(lengths, kind="stable"):
            T = int(lengths[i])
            padded = (len(groups[-1]) + 1) * T if groups else 0
            # the padding rule always holds when T equals the batch's length
            if groups and padded <= PADDING_LIMIT * (real + T) and padded <= most_steps:
                groups[-1].append(int(i))
                real += T
            else:
                groups.append([int(i)])
                real = T
        self.groups = [np.array(g, dtype=np.intp) for g in groups]
        self._stacked: list[_Batch | None] = [None] * len(groups)

    def __iter__(self) -> Iterator[_Batch]:
        for k, group in enumerate(self.groups):
            batch = self._stacked[k]
            if batch is None:
                batch = self._stacked[k] = _stack(self.dataset, group)
            yield batch


def _stack(dataset: Dataset, index: NDArray[np.intp]) -> _Batch:
    seqs = [dataset.sequences[i] for i in index]
    B, T = len(seqs), max(s.T for s in seqs)
    x = np.zeros((B, T, dataset.n_in))
    d = np.zeros((B, T, dataset.n_out))
    mask = np.zeros((B, T))
    scored = np.zeros((B, T), dtype=bool)
    for row, s in enumerate(seqs):
        x[row, : s.T], d[row, : s.T], mask[row, : s.T] = s.x, s.d, 1.0
        scored[row, : s.T] = s.scored
    truth: NDArray[np.generic] | None = None
    if dataset.scoring == "argmax":
        truth = np.argmax(d, axis=-1)
    elif dataset.scoring == "threshold":
        truth = d > 0.5
    elif dataset.scoring == "legal":
        truth = np.zeros((B, T, dataset.n_out), dtype=bool)
        for row, s in enumerate(seqs):
            if s.legal is None:
                raise ValueError(f"sequence {index[row]} has no table of legal successors")
            truth[row, : s.T] = s.legal
    lengths = np.array([s.T for s in seqs], dtype=np.intp)
    full = bool(mask.all())
    return _Batch(index, lengths, x, d, None if full else mask, scored, truth)


def _correct(dataset: Dataset, batch: _Batch, y: Array) -> int:
    """How many scored steps of the batch outputs ``y`` (B, T, O) get right.

    The rules of ``Dataset.correct`` applied to the whole batch at once (a test checks that the
    counts agree): argmax, every output on the target's side of 0.5, or exactly the legal
    successors above ``legal_threshold``.
    """
    if dataset.scoring == "argmax":
        ok = np.argmax(y, axis=-1) == batch.truth
    elif dataset.scoring == "threshold":
        ok = np.all((y > 0.5) == batch.truth, axis=-1)
    elif dataset.scoring == "legal":
        ok = np.all((y > dataset.legal_threshold) == batch.truth, axis=-1)
    else:
        return 0
    return int(np.count_nonzero(ok & batch.scored))


def _check_shapes(net: SRN | TDL, dataset: Dataset) -> None:
    if net.n_in != dataset.n_in or net.n_out != dataset.n_out:
        raise ValueError(
            f"the network has {net.n_in} inputs and {net.n_out} outputs but data set "
            f"{dataset.name!r} has {dataset.n_in} inputs and {dataset.n_out} outputs"
        )


def _sweep(net: SRN | TDL, batch: _Batch, truncation: int | None, mode: str) -> Trace:
    """One batched forward and backward sweep; overflow is reported, not warned."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return bptt(net, batch.x, batch.d, truncation=truncation, mode=mode, mask=batch.mask)


#: outputs and losses do not depend on truncation, and BPTT(1) has the cheapest backward sweep
FORWARD = (1, "sliding")

#: (mean loss per step, (N,) read-only loss per sequence, score) of one network on the data set
Outcome = tuple[float, Array, float | None]


def _batch_gradient(net: SRN | TDL, batch: _Batch, cfg: TrainConfig) -> tuple[Trace, Grads]:
    """The batch's trace (outputs and losses) and the sum over its sequences of dL_n/dtheta, by
    the configured algorithm (RTRL: Williams & Zipser 1989, the same gradient forward in time)."""
    if cfg.algorithm == "bptt" or isinstance(net, TDL):  # (train() refuses RTRL for a TDL)
        trace = _sweep(net, batch, cfg.truncation, cfg.mode)
        return trace, trace.grads
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        grads = rtrl(net, batch.x, batch.d, cfg.truncation, mask=batch.mask, keep_running=False)
    return _sweep(net, batch, *FORWARD), grads.grads


def _sequence_gradient(net: SRN | TDL, x: Array, d: Array, cfg: TrainConfig) -> tuple[float, Grads]:
    """The loss of one sequence and its gradient, by the configured algorithm."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if cfg.algorithm == "rtrl" and isinstance(net, SRN):  # (train() refuses RTRL for a TDL)
            result = rtrl(net, x, d, cfg.truncation, keep_running=False)
            return result.loss, result.grads
        tr = bptt(net, x, d, truncation=cfg.truncation, mode=cfg.mode)
    return tr.loss, tr.grads


class _Tally:
    """The losses and the score of one network on the data set, added up batch by batch."""

    def __init__(self, dataset: Dataset, *, keep_outputs: bool = False) -> None:
        self.dataset = dataset
        self.seq_loss = np.empty(len(dataset))
        self.ys: list[Array] | None = [np.empty(0)] * len(dataset) if keep_outputs else None
        self.n_ok = self.n_scored = self.steps = 0

    def add(self, batch: _Batch, trace: Trace) -> None:
        self.seq_loss[batch.index] = trace.loss_t.sum(axis=1)  # L_n = sum_t L_n(t)
        if self.ys is not None:
            for row, (i, T) in enumerate(zip(batch.index, batch.lengths, strict=True)):
                self.ys[i] = trace.y[row, :T]
        self.n_ok += _correct(self.dataset, batch, trace.y)
        self.n_scored += int(np.count_nonzero(batch.scored))
        self.steps += int(batch.lengths.sum())

    def outcome(self) -> Outcome:
        with np.errstate(over="ignore", invalid="ignore"):
            loss = float(self.seq_loss.sum() / self.steps)
        none = self.dataset.scoring == "none" or not self.n_scored
        return loss, frozen(self.seq_loss), None if none else self.n_ok / self.n_scored


def evaluate(net: SRN | TDL, dataset: Dataset) -> tuple[float, float | None, tuple[Array, ...]]:
    """The network on every sequence of the data set.

    Returns
    -------
    loss : mean loss per time step, sum_n sum_t L_n(t) / sum_n T_n (as ``EpochRecord.loss``).
    score : the fraction of scored steps predicted correctly, as ``dataset.score(ys)``, or None
        when the data set has no score.
    ys : one read-only (T_n, O) array of outputs y(t) per sequence, in data set order.
    """
    _check_shapes(net, dataset)
    tally = _Tally(dataset, keep_outputs=True)
    for batch in _Batches(dataset, net):
        tally.add(batch, _sweep(net, batch, *FORWARD))
    loss, _, score = tally.outcome()
    assert tally.ys is not None
    return loss, score, tuple(tally.ys)


# -- one update ---------------------------------------------------------------------------------
def global_norm(arrays: Mapping[str, Array] | list[Array]) -> float:
    """sqrt(sum of squares of all entries); scaled when the plain sum would overflow.

    inf or nan when an entry is not finite.
    """
    values = [a.ravel() for a in (arrays.values() if isinstance(arrays, Mapping) else arrays)]
    with np.errstate(over="ignore", invalid="ignore"):
        squares = sum(float(np.dot(a, a)) for a in values)
        if math.isfinite(squares):
            return math.sqrt(squares)
        biggest = max((float(np.max(np.abs(a))) for a in values if a.size), default=0.0)
        if not math.isfinite(biggest):
            return biggest
        return biggest * math.sqrt(sum(float(np.sum((a / biggest) ** 2)) for a in values))


class _Optimizer:
    """Gradient descent with momentum and clipping on plain arrays (the state between updates)."""

    def __init__(self, net: SRN | TDL, config: TrainConfig) -> None:
        self.config = config
        self.names = net.trainable()
        self.velocity = {n: np.zeros_like(net.params()[n]) for n in self.names}

    def step(
        self, net: SRN | TDL, grads: Mapping[str, Array], scale: float = 1.0
    ) -> tuple[SRN | TDL | None, float, float, str | None]:
        """Apply g = scale * grads; return (new network or None, ||g||, ||g|| after clipping,
        why the step failed or None)."""
        cfg = self.config
        norm = scale * global_norm([grads[n] for n in self.names])
        if not math.isfinite(norm):
            return None, norm, norm, f"the gradient norm became {norm}"
        factor = 1.0 if cfg.clip is None or norm <= cfg.clip else cfg.clip / norm
        new = {}
        with np.errstate(over="ignore", invalid="ignore"):
            for n in self.names:
                v = self.velocity[n]
                v *= cfg.momentum
                v -= (cfg.lr * factor * scale) * grads[n]  # v <- momentum v - lr g
                new[n] = net.params()[n] + v  # theta <- theta + v
                if not np.isfinite(new[n]).all():
                    return None, norm, norm * factor, f"weight {n} overflowed"
        return net.with_params(**new), norm, norm * factor, None


# -- the trainer --------------------------------------------------------------------------------
@overload
def train(
    net: SRN | TDL,
    dataset: Dataset,
    config: TrainConfig | None = None,
    *,
    progress_every: None = None,
) -> Iterator[EpochRecord]: ...


@overload
def train(
    net: SRN | TDL, dataset: Dataset, config: TrainConfig | None = None, *, progress_every: float
) -> Iterator[EpochRecord | Progress]: ...


def train(
    net: SRN | TDL,
    dataset: Dataset,
    config: TrainConfig | None = None,
    *,
    progress_every: float | None = None,
) -> Iterator[EpochRecord | Progress]:
    """Train ``net`` on ``dataset``; yield one :class:`EpochRecord` per epoch.

    With ``progress_every`` (seconds, >= 0) a :class:`Progress` is also yielded between two
    sequence updates or two batches whenever that much computing time has passed since the last
    item yielded (0: after every one). Its ``net`` is the network after the last update applied,
    so a consumer that stops pulling, or closes the generator, between any two items holds a
    consistent network: no update is ever half applied. A consumer that must react within a
    time (a Stop button) asks for progress; the default yields epoch records only.

    Arguments are checked now (``ValueError``), before the first record is asked for. The input
    network is never modified. Training stops after ``config.epochs`` records, or earlier with a
    final record whose ``diverged`` says why (see the module docstring).
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    if not isinstance(net, SRN | TDL):
        raise ValueError(f"net must be an SRN or a TDL, got {type(net).__name__}")
    _check_shapes(net, dataset)
    if progress_every is not None and (
        not _is_real(progress_every) or not 0 <= progress_every < math.inf
    ):
        raise ValueError(f"progress_every must be None or seconds >= 0, got {progress_every!r}")
    if config.algorithm == "rtrl" and isinstance(net, TDL):
        raise ValueError(
            "a tapped delay line has no recurrence to carry sensitivities forward: train it "
            "with algorithm bptt (ordinary backpropagation at every step)"
        )
    if config.algorithm == "rtrl" and isinstance(net, SRN):  # the largest batch must fit
        largest = 1
        if config.update == "epoch":
            largest = max(len(group) for group in _Batches(dataset, net).groups)
        check_size(net, largest)
    watch = _Watch(progress_every)
    if config.update == "epoch":
        return _train_by_epoch(net, dataset, config, watch)
    return _train_by_sequence(net, dataset, config, watch)


class _Watch:
    """The computing time of a run (not the time it waits at a ``yield``) and when the next
    :class:`Progress` is due."""

    def __init__(self, every: float | None) -> None:
        self.every = every
        self.spent = 0.0
        self.since = time.perf_counter()  # start of the current stretch of computing

    def elapsed(self) -> float:
        return self.spent + time.perf_counter() - self.since

    def due(self) -> bool:
        """Whether ``every`` seconds of computing have passed since the last item yielded."""
        return self.every is not None and time.perf_counter() - self.since >= self.every

    def hand(self, item: _Item) -> Iterator[_Item]:
        """Yield ``item`` with the clock stopped while the consumer holds it."""
        self.spent += time.perf_counter() - self.since
        yield item
        self.since = time.perf_counter()


_Item = TypeVar("_Item", EpochRecord, Progress)
Sweep = Generator[Progress, None, tuple[Outcome, dict[str, Array] | None]]


def _pass(
    net: SRN | TDL,
    dataset: Dataset,
    batches: _Batches,
    watch: _Watch,
    at: Progress,
    gradient: TrainConfig | None = None,
) -> Sweep:
    """``net`` on every batch: its outcome, and with ``gradient`` (a config: its algorithm and
    truncation) the sum over sequences of dL_n/dtheta. Yields ``at`` with its count of sequences
    done when due."""
    tally = _Tally(dataset)
    total: dict[str, Array] | None = None
    done = 0
    for batch in batches:
        if gradient is None:
            trace = _sweep(net, batch, *FORWARD)
        else:
            trace, batch_grads = _batch_gradient(net, batch, gradient)
            grads = {n: batch_grads[n] for n in net.trainable()}
            total = grads if total is None else {n: total[n] + grads[n] for n in total}
        tally.add(batch, trace)
        done += len(batch.index)
        if watch.due() and done < len(dataset):
            yield from watch.hand(replace(at, done=done, elapsed=watch.elapsed()))
    return tally.outcome(), total


def _record(
    epoch: int,
    outcome: Outcome,
    norms: list[tuple[float, float]],
    elapsed: float,
    net: SRN | TDL,
    diverged: str | None = None,
) -> EpochRecord:
    loss, seq_loss, score = outcome
    before = frozen([n for n, _ in norms], np.float64)
    after = frozen([n for _, n in norms], np.float64)
    return EpochRecord(epoch, loss, seq_loss, score, before, after, elapsed, net, diverged)


def _train_by_epoch(
    net: SRN | TDL, dataset: Dataset, cfg: TrainConfig, watch: _Watch
) -> Iterator[EpochRecord | Progress]:
    """update="epoch": the pass over the data with the current network gives both its record and
    the gradient of the next step."""
    batches = _Batches(dataset, net)
    opt = _Optimizer(net, cfg)
    N = len(dataset)
    outcome, total = yield from _pass(
        net, dataset, batches, watch, Progress(1, "gradient", 0, N, 0, 1, net, 0.0), cfg
    )
    for epoch in range(1, cfg.epochs + 1):
        reason = None
        new, norms = None, []
        if not math.isfinite(outcome[0]):
            reason = f"the loss became {outcome[0]}"
        else:
            assert total is not None
            new, before, after, reason = opt.step(net, total, scale=1.0 / N)
            norms = [(before, after)]
        if new is not None:
            at = Progress(epoch, "loss", 0, N, 1, 1, new, 0.0)
            new_outcome, new_total = yield from _pass(new, dataset, batches, watch, at, cfg)
            if math.isfinite(new_outcome[0]):
                net, total, outcome = new, new_total, new_outcome
            else:
                reason = f"the loss became {new_outcome[0]}"
        if reason is not None:
            yield from watch.hand(
                _record(epoch, outcome, norms, watch.elapsed(), net, _stopped(reason, epoch))
            )
            return
        yield from watch.hand(_record(epoch, outcome, norms, watch.elapsed(), net))


def _train_by_sequence(
    net: SRN | TDL, dataset: Dataset, cfg: TrainConfig, watch: _Watch
) -> Iterator[EpochRecord | Progress]:
    """update="sequence": one gradient and one update per sequence, then a pass that measures
    the loss of the network the epoch ends with."""
    rng = np.random.default_rng(cfg.seed)
    batches = _Batches(dataset, net)
    opt = _Optimizer(net, cfg)
    N = len(dataset)
    start = net  # the last network with a record (or the starting one)
    start_outcome = None
    for epoch in range(1, cfg.epochs + 1):
        order = rng.permutation(N) if cfg.shuffle else np.arange(N)
        norms: list[tuple[float, float]] = []
        reason = None
        for done, i in enumerate(order, start=1):
            seq = dataset.sequences[i]
            loss, grads = _sequence_gradient(net, seq.x, seq.d, cfg)
            if not math.isfinite(loss):
                reason = f"the loss of sequence {i} became {loss}"
                break
            new, before, after, reason = opt.step(net, grads)
            norms.append((before, after))
            if new is None:
                reason = f"{reason} on sequence {i}"
                break
            net = new
            if watch.due() and done < N:
                at = Progress(epoch, "updates", done, N, done, N, net, watch.elapsed())
                yield from watch.hand(at)
        if reason is None:
            at = Progress(epoch, "loss", 0, N, N, N, net, 0.0)
            outcome, _ = yield from _pass(net, dataset, batches, watch, at)
            if math.isfinite(outcome[0]):
                start, start_outcome = net, outcome
            else:
                reason = f"the loss became {outcome[0]}"
        if reason is not None:
            if start_outcome is None:  # diverged in epoch 1: describe the starting network
                at = Progress(epoch, "loss", 0, N, 0, N, start, 0.0)
                start_outcome, _ = yield from _pass(start, dataset, batches, watch, at)
            diverged = _stopped(reason, epoch)
            yield from watch.hand(
                _record(epoch, start_outcome, norms, watch.elapsed(), start, diverged)
            )
            return
        assert start_outcome is not None
        yield from watch.hand(_record(epoch, start_outcome, norms, watch.elapsed(), net))


def _stopped(reason: str, epoch: int) -> str:
    kept = "the starting weights" if epoch == 1 else f"the weights after epoch {epoch - 1}"
    return f"training diverged in epoch {epoch}: {reason}; kept {kept}"
