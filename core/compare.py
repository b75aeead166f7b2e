"""Twin runs: two configurations of one network, from one start, on one sequence.

A :class:`Twin` names one *variation* and its two values; everything else is shared. The five
variations are the classic experiments of the texts:

* ``"truncation"``: full BPTT against sliding BPTT(k) or chunked k (Williams & Peng 1990;
  Elman 1990 trained with k = 1);
* ``"context"``: Elman (h(t-1)) against Jordan (y(t-1)) against teacher forcing (d(t-1))
  (Jordan 1986; Williams & Zipser 1989; Goodfellow et al. 2016 §10.2.1);
* ``"hidden"``: two hidden activations f (Bodén 2001 section 3);
* ``"radius"``: two spectral radii of the loop matrix, W rescaled by
  :func:`core.spectral.with_spectral_radius` (Bengio, Simard & Frasconi 1994; Goodfellow et al.
  2016 §10.7), e.g. 0.9 against 1.1;
* ``"network"``: the simple recurrent network against Bodén's (2002, §4) tapped delay line over
  the window x(t), ..., x(t-ω) (``core.tdl``): where a fixed window suffices and where it fails,
  a target more than ω steps back (delayed recall, Elman 1990's temporal XOR).

**One start.** Both networks are made from one base network (the one on screen). U, V, b and c
are always the base's. W and h0 are the base's when a side's context has as many units as the
base's (Elman: C = H, Jordan: C = O); otherwise - Elman against Jordan with H != O - that side's
W is drawn as :meth:`core.model.SRN.init` draws it, uniform in +-1/sqrt(C), from the generator
seeded with ``seed`` (the same draw for both Jordan contexts, which share the shape (H, O)), and
its h0 is the initial context of a fresh network of that kind (Jordan: 0; Elman: the
activation's resting value). Rescaling W to a radius comes last, after the context is settled.

**One start across network types.** A tapped delay line with window ω has the SRN's b, V and c
(the same shapes) and its U is the block row [U_0 U_1 ... U_ω]. Made from a recurrent base, U_0
(the block reading x(t)) is the base's U; made from a tapped delay line the taps both windows
have are copied. The taps the base does not have, U_1, ..., U_ω for an SRN base, are those of
``TDL.init(I, H, O, window=ω, seed=seed)``, uniform in +-1/sqrt((ω+1) I) (the delay line's
fan-in), as a Jordan side's W is a seeded draw. Drawn, not zero, so that the window's edges are
there to see from the first step; training learns them either way, since dL/dU_k =
sum_t delta_h(t) x(t-k)^T (Eq. 31) does not depend on U_k's start. A recurrent side
made from a tapped delay line (the network on screen is one) takes U = U_0, its b, V and c, and
W and h0 of a fresh Elman network drawn as :meth:`core.model.SRN.init` draws them with ``seed``
(a Jordan side: of a fresh Jordan network).

**The bias meter** (:func:`bias_meter`). Side b is the reference (full BPTT, say) and side a the
variant (BPTT(k)). For a parameter with gradients g_a and g_b of the same shape::

    relative difference  r = ||g_a - g_b|| / ||g_b||          (Frobenius norm)
    cosine               c = <g_a, g_b> / (||g_a|| ||g_b||)

and "total" the same with every compared parameter flattened into one vector. r = 0 and c = 1
for identical gradients; c = 0 for orthogonal ones, c = -1 and r = 2 for g_a = -g_b. r is NaN
when ||g_b|| = 0 and c when either norm is 0 (undefined, not 0). A parameter whose shapes differ
(W and h0 of Elman against Jordan with H != O; W of a recurrent network against a tapped delay
line, which has none) has no difference and is left out of the total.

**U across windows.** Two sides reading different numbers of taps (an SRN reads x(t) only: one
tap; a delay line ω + 1) compare the taps both have, U_0 ... U_{n-1} with n the smaller count:
for an SRN against a delay line the x(t) block U_0 against the SRN's U. Both are
sum_t delta_h(t) x(t)^T (Eq. 11 and Eq. 31 with k = 0), so they differ only through
delta_h(t): what the recurrence sends back from later steps (Bodén 2002 §§3-4). The row says
which block it compares (:attr:`BiasRow.part`); the blocks only one side has are not compared.

Two scopes: "whole sequence" compares ``Trace.grads``, the summed gradients of the finished
backward sweep; "at the cursor" compares the gradients *accumulated* when the backward sweep has
reached step t, sum over s >= t of each step's terms (:meth:`core.trace.Trace.accumulated`,
``StepState.accumulated``). Before the backward sweep (start and forward positions) nothing has
accumulated and the meter at the cursor is undefined (None).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from core.bptt import bptt
from core.cursor import phase_and_step
from core.data import Dataset
from core.functions import HIDDEN_ACTIVATIONS
from core.limits import MAX_STEPS, SEED_MAX
from core.model import CONTEXTS, SRN
from core.spectral import MAX_RADIUS, MIN_RADIUS, with_spectral_radius
from core.tdl import NO_CONTEXT, TDL, check_window
from core.trace import Trace
from core.training import EpochRecord, TrainConfig, train
from core.truncation import TRUNCATION_MODES

Array = NDArray[np.floating]

#: what may differ between the two runs of a twin
VARIATIONS: Final = ("truncation", "context", "hidden", "radius", "network")
#: the parameters the bias meter compares, in the order of the table
COMPARED: Final = ("U", "W", "V", "b", "c", "h0")
CONTEXT_NAMES: Final = {
    "hidden": "Elman",
    "output": "Jordan",
    "target": "teacher forcing",
    "none": "tapped delay line",  # core.tdl: no context units
}


@dataclass(frozen=True, slots=True)
class Side:
    """One configuration of a twin, validated on construction (ValueError names the field).

    truncation : None (full BPTT) or k in 1..``core.limits.MAX_STEPS``.
    mode : "sliding" or "chunked" (ignored for full BPTT).
    context : "hidden" (Elman), "output" (Jordan) or "target" (teacher forcing); "none" for a
        tapped delay line (``core.tdl``), which has no context units.
    hidden : the hidden activation f.
    radius : None (W as built) or the loop matrix's spectral radius, in
        ``core.spectral.MIN_RADIUS``..``MAX_RADIUS``.
    window : None for a recurrent network, or ω in 0..``core.limits.MAX_WINDOW`` for a tapped
        delay line over x(t), ..., x(t-ω); then ``context`` is "none" and ``radius`` None.
    """

    truncation: int | None = None
    mode: str = "sliding"
    context: str = "hidden"
    hidden: str = "tanh"
    radius: float | None = None
    window: int | None = None

    def __post_init__(self) -> None:
        k = self.truncation
        if k is not None:
            if isinstance(k, bool) or not isinstance(k, int | np.integer):
                raise ValueError(f"truncation must be None or a whole number, got {k!r}")
            if not 1 <= k <= MAX_STEPS:
                raise ValueError(f"truncation k must be between 1 and {MAX_STEPS:,}, got {k}")
            object.__setattr__(self, "truncation", int(k))
        if self.mode not in TRUNCATION_MODES:
            raise ValueError(
                f"truncation mode must be one of {TRUNCATION_MODES}, got {self.mode!r}"
            )
        if self.context not in CONTEXT_NAMES:  # CONTEXTS, or "none": a tapped delay line
            raise ValueError(f"context must be one of {CONTEXTS}, got {self.context!r}")
        if self.hidden not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"hidden activation must be one of {HIDDEN_ACTIVATIONS}")
        if self.radius is not None:
            r = self.radius
            if isinstance(r, bool) or not isinstance(r, int | float | np.integer | np.floating):
                raise ValueError(f"spectral radius must be a number, got {r!r}")
            if not (math.isfinite(r) and MIN_RADIUS < r <= MAX_RADIUS):
                raise ValueError(
                    f"spectral radius must be above {MIN_RADIUS:g} and at most {MAX_RADIUS:g}, "
                    f"got {r!r}"
                )
            if self.context == "target":
                raise ValueError("with teacher forcing there is no loop whose radius could be set")
            object.__setattr__(self, "radius", float(r))
        if self.window is not None:
            object.__setattr__(self, "window", check_window(self.window))
            if self.context != NO_CONTEXT:
                raise ValueError("a tapped delay line has no context units to choose")
            if self.radius is not None:
                raise ValueError("a tapped delay line has no loop W whose radius could be set")

    @property
    def label(self) -> str:
        """A short name of what this side is, e.g. ``"BPTT(1)"``, ``"Jordan"``, ``"ρ = 1.1"``."""
        return describe(self, VARIATIONS)

    def with_value(self, variation: str, value: Any) -> Side:
        """This side with the field(s) of ``variation`` set to ``value``.

        For ``"truncation"`` the value is ``None`` (full) or ``(k, mode)``. For ``"network"`` it
        is ``None`` (a recurrent network: this side's context, Elman when this side is a delay
        line) or the window ω of a tapped delay line.
        """
        if variation == "truncation":
            if value is None:
                return replace(self, truncation=None)
            k, mode = value
            return replace(self, truncation=k, mode=mode)
        if variation == "network":
            if value is None:
                context = self.context if self.context in CONTEXTS else "hidden"
                return replace(self, window=None, context=context)
            return replace(self, window=value, context=NO_CONTEXT)
        if variation not in VARIATIONS:
            raise ValueError(f"variation must be one of {VARIATIONS}, got {variation!r}")
        return replace(self, **{variation: value})


def describe(side: Side, variations: tuple[str, ...]) -> str:
    """The values of ``variations`` of a side as a short label."""
    parts = []
    for v in variations:
        if v == "truncation":
            k = side.truncation
            parts.append("full BPTT" if k is None else f"{side.mode} BPTT({k})")
        elif v == "context":
            parts.append(CONTEXT_NAMES[side.context])
        elif v == "hidden":
            parts.append(f"f = {side.hidden}")
        elif v == "radius":
            parts.append("ρ as built" if side.radius is None else f"ρ = {side.radius:g}")
        elif v == "network":
            w = side.window
            named = f"SRN ({CONTEXT_NAMES[side.context]})"
            parts.append(named if w is None else f"tapped delay line ω = {w}")
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Twin:
    """Two configurations that differ in one ``variation``; b is the bias meter's reference."""

    variation: str
    a: Side
    b: Side

    def __post_init__(self) -> None:
        if self.variation not in VARIATIONS:
            raise ValueError(f"variation must be one of {VARIATIONS}, got {self.variation!r}")

    @classmethod
    def of(cls, variation: str, value_a: Any, value_b: Any, base: Side | None = None) -> Twin:
        """The twin of ``base`` (a default :class:`Side` when None) whose sides differ only in
        ``variation``, set to ``value_a`` and ``value_b``."""
        start = base if base is not None else Side()
        return cls(
            variation, start.with_value(variation, value_a), start.with_value(variation, value_b)
        )

    @property
    def labels(self) -> tuple[str, str]:
        """The two sides named by what differs (the variation's values)."""
        return describe(self.a, (self.variation,)), describe(self.b, (self.variation,))


def side_network(base: SRN | TDL, side: Side, seed: int = 0) -> SRN | TDL:
    """The network of one side, made from ``base`` as the module docstring describes.

    ``side.window`` set: a tapped delay line (:func:`delay_line_of`). Otherwise a recurrent
    network with ``side.context``; from a tapped delay line base, :func:`recurrent_of` first.
    """
    if (
        not isinstance(seed, int | np.integer)
        or isinstance(seed, bool)
        or not 0 <= seed <= SEED_MAX
    ):
        raise ValueError(f"seed must be a whole number in 0..{SEED_MAX}, got {seed!r}")
    if side.window is not None:
        return delay_line_of(base, side.window, side.hidden, int(seed))
    if side.context not in CONTEXTS:
        raise ValueError("a recurrent side keeps context units (Elman or Jordan)")
    if isinstance(base, TDL):
        base = recurrent_of(base, side.context, int(seed))
    net = replace(base, hidden=side.hidden, context=base.context)
    if side.context != base.context:
        C = base.n_hidden if side.context == "hidden" else base.n_out
        if base.n_context == C:
            W, h0 = base.W, base.h0
        else:
            fresh = SRN.init(
                base.n_in,
                base.n_hidden,
                base.n_out,
                hidden=side.hidden,
                seed=int(seed),
                context=side.context,
                dtype=base.dtype,
            )
            W, h0 = fresh.W, fresh.h0
        net = replace(net, context=side.context, W=W, h0=h0)
    if side.radius is not None:
        net = with_spectral_radius(net, side.radius)
    return net


def taps(net: SRN | TDL) -> int:
    """How many input blocks U holds: omega + 1 for a tapped delay line, 1 (x(t)) otherwise."""
    return net.window + 1 if isinstance(net, TDL) else 1


def delay_line_of(base: SRN | TDL, window: int, hidden: str, seed: int = 0) -> TDL:
    """A tapped delay line over x(t), ..., x(t-``window``) from ``base``: its b, V, c and output
    function; U = [U_0 ... U_omega] with the taps ``base`` has copied (an SRN's U is U_0) and the
    others those of ``TDL.init`` seeded with ``seed``."""
    omega = check_window(window)
    fresh = TDL.init(
        base.n_in, base.n_hidden, base.n_out, window=omega, seed=seed, dtype=base.dtype
    )
    U = np.array(fresh.U)
    shared = min(taps(base), omega + 1) * base.n_in
    U[:, :shared] = base.U[:, :shared]  # U_0 ... U_{n-1} as the base has them
    return TDL(U=U, V=base.V, b=base.b, c=base.c, window=omega, hidden=hidden, output=base.output)


def recurrent_of(base: TDL, context: str, seed: int) -> SRN:
    """A recurrent network from a tapped delay line: U = U_0 (the block reading x(t)), its b,
    V, c and functions, and W and h0 of a fresh network of ``context`` seeded with ``seed``."""
    fresh = SRN.init(
        base.n_in,
        base.n_hidden,
        base.n_out,
        hidden=base.hidden,
        output=base.output,
        seed=seed,
        context=context,
        dtype=base.dtype,
    )
    return replace(fresh, U=base.tap(0), V=base.V, b=base.b, c=base.c)


def twin_networks(base: SRN | TDL, twin: Twin, seed: int = 0) -> tuple[SRN | TDL, SRN | TDL]:
    """The networks of sides a and b, both from ``base`` (one start)."""
    return side_network(base, twin.a, seed), side_network(base, twin.b, seed)


@dataclass(frozen=True, slots=True)
class TwinTraces:
    """The two immutable traces of a twin on one sequence (same T, one cursor drives both)."""

    twin: Twin
    a: Trace
    b: Trace


def run_twins(base: SRN | TDL, twin: Twin, xs: Any, targets: Any, seed: int = 0) -> TwinTraces:
    """Both sides' forward and backward sweeps on the same sequence, with :func:`core.bptt.bptt`."""
    net_a, net_b = twin_networks(base, twin, seed)
    a = bptt(net_a, xs, targets, truncation=twin.a.truncation, mode=twin.a.mode)
    b = bptt(net_b, xs, targets, truncation=twin.b.truncation, mode=twin.b.mode)
    return TwinTraces(twin, a, b)


# -- the bias meter -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BiasRow:
    """One row of the bias meter: a parameter (or "total") compared between the sides.

    norm_a, norm_b : ||g_a||, ||g_b||.  relative : ||g_a - g_b|| / ||g_b|| (NaN when ||g_b|| = 0).
    cosine : <g_a, g_b> / (||g_a|| ||g_b||) (NaN when a norm is 0).  comparable : False when the
    shapes differ (then relative and cosine are NaN).  part : "" when the whole parameter is
    compared, else which blocks of U (see :func:`u_part`), e.g. "U₀ (x(t))", the x(t) block.
    """

    name: str
    norm_a: float
    norm_b: float
    relative: float
    cosine: float
    comparable: bool = True
    part: str = ""

    @property
    def label(self) -> str:
        """The row's name as a table shows it: the part compared when it is not all of it."""
        return self.part or self.name


@dataclass(frozen=True, slots=True)
class BiasMeter:
    """The rows for each compared parameter, then "total"; ``scope`` says which gradients."""

    scope: str
    rows: tuple[BiasRow, ...]

    def row(self, name: str) -> BiasRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(f"no row {name!r} in the bias meter")


def compare_vectors(name: str, ga: Array, gb: Array) -> BiasRow:
    """The relative difference and the cosine of two gradients of one shape."""
    a = np.asarray(ga, np.float64).ravel()
    b = np.asarray(gb, np.float64).ravel()
    na, nb = float(np.sqrt(a @ a)), float(np.sqrt(b @ b))
    diff = a - b
    relative = float(np.sqrt(diff @ diff)) / nb if nb > 0 else math.nan
    cosine = float(a @ b) / (na * nb) if na > 0 and nb > 0 else math.nan
    if math.isfinite(cosine):
        cosine = min(1.0, max(-1.0, cosine))  # rounding may step just past +-1
    return BiasRow(name, na, nb, relative, cosine)


def bias_rows(
    ga: Mapping[str, Array], gb: Mapping[str, Array], names: tuple[str, ...]
) -> tuple[BiasRow, ...]:
    """One row per parameter of ``names`` and a "total" over those of equal shape."""
    rows: list[BiasRow] = []
    flat_a: list[Array] = []
    flat_b: list[Array] = []
    for p in names:
        a, b = np.asarray(ga[p]), np.asarray(gb[p])
        if a.shape != b.shape:
            nan = math.nan
            rows.append(
                BiasRow(p, float(np.linalg.norm(a)), float(np.linalg.norm(b)), nan, nan, False)
            )
            continue
        rows.append(compare_vectors(p, a, b))
        flat_a.append(a.ravel())
        flat_b.append(b.ravel())
    rows.append(compare_vectors("total", np.concatenate(flat_a), np.concatenate(flat_b)))
    return tuple(rows)


def compared_params(a: Trace, b: Trace) -> tuple[str, ...]:
    """The parameters both sides train (h0 only when both train it), and W when one side is a
    tapped delay line and the other has a loop (listed, not comparable: the delay line has none).
    """
    both = set(a.net.trainable()) & set(b.net.trainable())
    one_loop = (isinstance(a.net, TDL) != isinstance(b.net, TDL)) and "W" not in both
    return tuple(p for p in COMPARED if p in both or (p == "W" and one_loop))


def shared_taps(a: Trace, b: Trace) -> int:
    """How many input blocks U_0, U_1, ... both sides' U have (:func:`taps`)."""
    return min(taps(a.net), taps(b.net))


def u_name(a: Trace, b: Trace) -> str:
    """The blocks of U the sides share, as a symbol: "U" (all of it), "U₀" or "U₀…U₂"."""
    n = shared_taps(a, b)
    if taps(a.net) == taps(b.net):
        return "U"
    return "U₀" if n == 1 else f"U₀…U{_subscript(n - 1)}"


def u_part(a: Trace, b: Trace) -> str:
    """ "" when both sides' U have the same blocks, else the blocks the meter compares."""
    if taps(a.net) == taps(b.net):
        return ""
    n = shared_taps(a, b)
    inputs = "x(t)" if n == 1 else f"x(t)…x(t−{n - 1})"
    return f"{u_name(a, b)} ({inputs})"


def _subscript(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def shared_grads(
    a: Trace, b: Trace, ga: Mapping[str, Array], gb: Mapping[str, Array]
) -> tuple[dict[str, Array], dict[str, Array]]:
    """The gradients of a and b with U cut to the blocks both have: U[:, :n I], n = shared taps.

    Block k of U holds the columns k I ... (k+1) I - 1 (``TDL.tap``), so the first n I columns
    are U_0 ... U_{n-1} on either side."""
    cut = shared_taps(a, b) * a.net.n_in
    out_a, out_b = dict(ga), dict(gb)
    out_a["U"] = np.asarray(ga["U"])[..., :cut]
    out_b["U"] = np.asarray(gb["U"])[..., :cut]
    return out_a, out_b


def meter_rows(
    a: Trace, b: Trace, ga: Mapping[str, Array], gb: Mapping[str, Array]
) -> tuple[BiasRow, ...]:
    """:func:`bias_rows` of the compared parameters, U cut to the shared taps and labelled."""
    rows = bias_rows(*shared_grads(a, b, ga, gb), compared_params(a, b))
    part = u_part(a, b)
    return tuple(replace(r, part=part) if r.name == "U" else r for r in rows)


def bias_meter(a: Trace, b: Trace, position: int | None = None) -> BiasMeter | None:
    """The bias meter of side a against reference b.

    ``position`` None: the whole sequence (``Trace.grads``). A cursor position k (0..2T): the
    gradients accumulated when the backward sweep has reached step t (``Trace.accumulated(t)``),
    or None before the backward sweep, where nothing has accumulated.
    """
    if a.T != b.T:
        raise ValueError(f"the twins' sequences differ in length: {a.T} and {b.T} steps")
    if position is None:
        return BiasMeter("whole sequence", meter_rows(a, b, a.grads, b.grads))
    phase, t = phase_and_step(a.T, position)
    if phase != "backward":
        return None
    rows = meter_rows(a, b, a.accumulated(t), b.accumulated(t))
    return BiasMeter(f"accumulated, t ≥ {t}", rows)


def gradient_difference(a: Trace, b: Trace, position: int | None = None) -> dict[str, Array]:
    """g_a - g_b per parameter of equal shape: the whole sequence's, or accumulated at a
    backward position (zeros before the backward sweep). Read-only arrays; U only over the taps
    both sides have (:func:`shared_grads`)."""
    if position is None:
        ga, gb = shared_grads(a, b, a.grads, b.grads)
    else:
        phase, t = phase_and_step(a.T, position)
        t = t if phase == "backward" else a.T + 1
        ga, gb = shared_grads(a, b, a.accumulated(t), b.accumulated(t))
    out = {}
    for p in compared_params(a, b):
        if np.shape(ga[p]) == np.shape(gb[p]):
            diff = np.asarray(ga[p]) - np.asarray(gb[p])
            diff.setflags(write=False)
            out[p] = diff
    return out


def difference_peaks(a: Trace, b: Trace) -> dict[str, float]:
    """For each parameter of equal shape, the largest |entry| of g_a - g_b accumulated at any
    backward step, and of the whole sequence's (the colour range of the difference heatmap).

    The partial sums sum_{s >= t} are built from the end, one step's terms at a time, as the
    backward sweep builds them (``Trace.contribution``).
    """
    whole_a, whole_b = shared_grads(a, b, a.grads, b.grads)
    names = [p for p in compared_params(a, b) if np.shape(whole_a[p]) == np.shape(whole_b[p])]
    running = {p: np.zeros(np.shape(whole_a[p])) for p in names}
    peaks = dict.fromkeys(names, 0.0)
    for t in range(a.T, 0, -1):
        ca, cb = shared_grads(a, b, a.contribution(t), b.contribution(t))
        for p in names:
            running[p] += ca[p] - cb[p]
            peaks[p] = max(peaks[p], float(np.max(np.abs(running[p]), initial=0.0)))
    return peaks


# -- training both -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TwinEpoch:
    """One epoch of both runs: the records of side a and side b after the same epoch."""

    epoch: int
    a: EpochRecord
    b: EpochRecord


def side_config(config: TrainConfig, side: Side) -> TrainConfig:
    """The training settings of one side: ``config`` with the side's truncation."""
    return replace(config, truncation=side.truncation, mode=side.mode)


def train_twins(
    base: SRN | TDL, twin: Twin, dataset: Dataset, config: TrainConfig, seed: int = 0
) -> Iterator[TwinEpoch]:
    """Train both sides from one start on the same data with :func:`core.training.train`.

    Both use ``config`` (the same learning rate, epochs, shuffling seed: the same order of
    sequences) with their own truncation. Yields one :class:`TwinEpoch` per epoch. When one side
    diverges its last record is repeated while the other goes on, so the curves stay aligned;
    training ends when both are done.
    """
    net_a, net_b = twin_networks(base, twin, seed)
    run_a = train(net_a, dataset, side_config(config, twin.a))
    run_b = train(net_b, dataset, side_config(config, twin.b))
    last_a: EpochRecord | None = None
    last_b: EpochRecord | None = None
    for epoch in range(1, config.epochs + 1):
        rec_a = next(run_a, None) if last_a is None or last_a.diverged is None else None
        rec_b = next(run_b, None) if last_b is None or last_b.diverged is None else None
        last_a = rec_a if rec_a is not None else last_a
        last_b = rec_b if rec_b is not None else last_b
        if rec_a is None and rec_b is None:
            return
        assert last_a is not None and last_b is not None
        yield TwinEpoch(epoch, last_a, last_b)
