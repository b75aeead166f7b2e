"""Training a Simple Recurrent Network by gradient descent on BPTT (or RTRL) gradients, as a plain
generator.

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
  loss over the N sequences. Sequences of equal length go through one batched ``bptt`` call.

The losses and the score of a record are those of ``record.net`` (the network after the epoch's
updates), so every number in a record describes the same network.

Divergence: when a loss, a gradient or an updated weight stops being finite, training stops and a
final record is *yielded* (no exception) with ``diverged`` set to the reason and ``net`` set to
the last network whose weights and loss were finite - the network of the previous record (or the
starting network in epoch 1). Its losses and score are that network's, so nothing is lost.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.bptt import TRUNCATION_MODES, Trace, bptt
from core.data import Dataset
from core.model import SRN, frozen
from core.rtrl import check_size, rtrl

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
    net: SRN
    diverged: str | None = None

    @property
    def grad_norm(self) -> float:
        """Mean gradient norm before clipping over the epoch's updates (nan when there was none)."""
        return float(np.mean(self.grad_norms)) if self.grad_norms.size else math.nan

    @property
    def clipped_norm(self) -> float:
        """Mean norm of the applied gradient over the epoch's updates."""
        return float(np.mean(self.clipped_norms)) if self.clipped_norms.size else math.nan


# -- batches and evaluation ---------------------------------------------------------------------
#: a batch may hold at most this many padded cells per real time step (see ``_batches``)
PADDING_LIMIT = 2.0


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


def _batches(dataset: Dataset) -> list[_Batch]:
    """The sequences in batches of similar length, shortest first (a deterministic order).

    Sequences of equal length always share a batch; a longer one joins the current batch while
    the padded batch has at most ``PADDING_LIMIT`` cells per real step, so one very long sequence
    does not make every short one long.
    """
    lengths = np.array([s.T for s in dataset.sequences])
    order = np.argsort(lengths, kind="stable")
    groups: list[list[int]] = []
    for i in order:
        T = int(lengths[i])
        if groups:
            group = groups[-1]
            padded, real = (len(group) + 1) * T, int(lengths[group].sum()) + T
            if padded <= PADDING_LIMIT * real:  # always true when T equals the batch's length
                group.append(int(i))
                continue
        groups.append([int(i)])
    return [_stack(dataset, np.array(g, dtype=np.intp)) for g in groups]


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


def _check_shapes(net: SRN, dataset: Dataset) -> None:
    if net.n_in != dataset.n_in or net.n_out != dataset.n_out:
        raise ValueError(
            f"the network has {net.n_in} inputs and {net.n_out} outputs but data set "
            f"{dataset.name!r} has {dataset.n_in} inputs and {dataset.n_out} outputs"
        )


def _run(net: SRN, batches: list[_Batch], truncation: int | None, mode: str) -> list[Trace]:
    """One batched forward and backward sweep per batch; overflow is reported, not warned."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return [bptt(net, b.x, b.d, truncation=truncation, mode=mode, mask=b.mask) for b in batches]


def _sweep(net: SRN, batches: list[_Batch], cfg: TrainConfig) -> tuple[list[Trace], list[Grads]]:
    """Each batch's trace (outputs and losses) and gradient, by the configured algorithm."""
    if cfg.algorithm == "bptt":
        traces = _run(net, batches, cfg.truncation, cfg.mode)
        return traces, [tr.grads for tr in traces]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        grads = [
            rtrl(net, b.x, b.d, cfg.truncation, mask=b.mask, keep_running=False).grads
            for b in batches
        ]
    return _forward(net, batches), grads


def _sequence_gradient(net: SRN, x: Array, d: Array, cfg: TrainConfig) -> tuple[float, Grads]:
    """The loss of one sequence and its gradient, by the configured algorithm."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if cfg.algorithm == "rtrl":
            result = rtrl(net, x, d, cfg.truncation, keep_running=False)
            return result.loss, result.grads
        tr = bptt(net, x, d, truncation=cfg.truncation, mode=cfg.mode)
    return tr.loss, tr.grads


def _forward(net: SRN, batches: list[_Batch]) -> list[Trace]:
    """Outputs and losses only: they do not depend on truncation, and BPTT(1) has the cheapest
    backward sweep."""
    return _run(net, batches, 1, "sliding")


Outcome = tuple[float, Array, float | None, tuple[Array, ...]]


def _outcome(dataset: Dataset, batches: list[_Batch], traces: list[Trace]) -> Outcome:
    """(mean loss per step, (N,) loss per sequence, score, outputs per sequence) of the traces."""
    seq_loss = np.empty(len(dataset))
    ys: list[Array] = [np.empty(0)] * len(dataset)
    n_ok = n_scored = steps = 0
    for b, tr in zip(batches, traces, strict=True):
        seq_loss[b.index] = tr.loss_t.sum(axis=1)
        for row, (i, T) in enumerate(zip(b.index, b.lengths, strict=True)):
            ys[i] = tr.y[row, :T]
        n_ok += _correct(dataset, b, tr.y)
        n_scored += int(np.count_nonzero(b.scored))
        steps += int(b.lengths.sum())
    with np.errstate(over="ignore", invalid="ignore"):
        loss = float(seq_loss.sum() / steps)
    score = None if dataset.scoring == "none" or not n_scored else n_ok / n_scored
    return loss, frozen(seq_loss), score, tuple(ys)


def evaluate(net: SRN, dataset: Dataset) -> tuple[float, float | None, tuple[Array, ...]]:
    """The network on every sequence of the data set.

    Returns
    -------
    loss : mean loss per time step, sum_n sum_t L_n(t) / sum_n T_n (as ``EpochRecord.loss``).
    score : the fraction of scored steps predicted correctly, as ``dataset.score(ys)``, or None
        when the data set has no score.
    ys : one read-only (T_n, O) array of outputs y(t) per sequence, in data set order.
    """
    _check_shapes(net, dataset)
    batches = _batches(dataset)
    loss, _, score, ys = _outcome(dataset, batches, _forward(net, batches))
    return loss, score, ys


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

    def __init__(self, net: SRN, config: TrainConfig) -> None:
        self.config = config
        self.names = net.trainable()
        self.velocity = {n: np.zeros_like(net.params()[n]) for n in self.names}

    def step(
        self, net: SRN, grads: Mapping[str, Array], scale: float = 1.0
    ) -> tuple[SRN | None, float, float, str | None]:
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
def train(net: SRN, dataset: Dataset, config: TrainConfig | None = None) -> Iterator[EpochRecord]:
    """Train ``net`` on ``dataset``; yield one :class:`EpochRecord` per epoch.

    Arguments are checked now (``ValueError``), before the first record is asked for. The input
    network is never modified. Training stops after ``config.epochs`` records, or earlier with a
    final record whose ``diverged`` says why (see the module docstring).
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    if not isinstance(net, SRN):
        raise ValueError(f"net must be an SRN, got {type(net).__name__}")
    _check_shapes(net, dataset)
    if config.algorithm == "rtrl":  # the sensitivities of the largest batch must fit
        largest = 1 if config.update == "sequence" else max(len(b.index) for b in _batches(dataset))
        check_size(net, largest)
    if config.update == "epoch":
        return _train_by_epoch(net, dataset, config)
    return _train_by_sequence(net, dataset, config)


def _record(
    epoch: int,
    outcome: Outcome,
    norms: list[tuple[float, float]],
    elapsed: float,
    net: SRN,
    diverged: str | None = None,
) -> EpochRecord:
    loss, seq_loss, score, _ = outcome
    before = frozen([n for n, _ in norms], np.float64)
    after = frozen([n for _, n in norms], np.float64)
    return EpochRecord(epoch, loss, seq_loss, score, before, after, elapsed, net, diverged)


def _train_by_epoch(net: SRN, dataset: Dataset, cfg: TrainConfig) -> Iterator[EpochRecord]:
    """update="epoch": the traces of the current network give both its record and the next step."""
    clock = time.perf_counter()
    spent = 0.0
    batches = _batches(dataset)
    opt = _Optimizer(net, cfg)
    traces, grads = _sweep(net, batches, cfg)
    outcome = _outcome(dataset, batches, traces)
    for epoch in range(1, cfg.epochs + 1):
        reason = None
        if not math.isfinite(outcome[0]):
            reason = f"the loss became {outcome[0]}"
            new = None
            norms: list[tuple[float, float]] = []
        else:
            total = {n: np.sum([g[n] for g in grads], axis=0) for n in net.trainable()}
            new, before, after, reason = opt.step(net, total, scale=1.0 / len(dataset))
            norms = [(before, after)]
        if new is not None:
            new_traces, new_grads = _sweep(new, batches, cfg)
            new_outcome = _outcome(dataset, batches, new_traces)
            if math.isfinite(new_outcome[0]):
                net, grads, outcome = new, new_grads, new_outcome
            else:
                reason = f"the loss became {new_outcome[0]}"
        spent += time.perf_counter() - clock
        if reason is not None:
            yield _record(epoch, outcome, norms, spent, net, _stopped(reason, epoch))
            return
        yield _record(epoch, outcome, norms, spent, net)
        clock = time.perf_counter()


def _train_by_sequence(net: SRN, dataset: Dataset, cfg: TrainConfig) -> Iterator[EpochRecord]:
    """update="sequence": one bptt call and one update per sequence, then an evaluation pass."""
    clock = time.perf_counter()
    spent = 0.0
    rng = np.random.default_rng(cfg.seed)
    batches = _batches(dataset)
    opt = _Optimizer(net, cfg)
    start = net  # the last network with a record (or the starting one)
    start_outcome = None
    for epoch in range(1, cfg.epochs + 1):
        order = rng.permutation(len(dataset)) if cfg.shuffle else np.arange(len(dataset))
        norms: list[tuple[float, float]] = []
        reason = None
        for i in order:
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
        if reason is None:
            outcome = _outcome(dataset, batches, _forward(net, batches))
            if math.isfinite(outcome[0]):
                start, start_outcome = net, outcome
            else:
                reason = f"the loss became {outcome[0]}"
        spent += time.perf_counter() - clock
        if reason is not None:
            if start_outcome is None:  # diverged in epoch 1: describe the starting network
                start_outcome = _outcome(dataset, batches, _forward(start, batches))
            yield _record(epoch, start_outcome, norms, spent, start, _stopped(reason, epoch))
            return
        assert start_outcome is not None
        yield _record(epoch, start_outcome, norms, spent, net)
        clock = time.perf_counter()


def _stopped(reason: str, epoch: int) -> str:
    kept = "the starting weights" if epoch == 1 else f"the weights after epoch {epoch - 1}"
    return f"training diverged in epoch {epoch}: {reason}; kept {kept}"
