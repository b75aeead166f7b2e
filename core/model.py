"""The Simple Recurrent Network (Elman network) in the notation of Goodfellow, Bengio and
Courville (2016), *Deep Learning* §10.2; Eqs. 1-4 of Unfold's Help > Equations page.

    a(t) = b + W h(t-1) + U x(t)        Eq. 1
    h(t) = f(a(t))                      Eq. 2 (f = tanh in Goodfellow et al.)
    o(t) = c + V h(t)                   Eq. 3
    y(t) = g(o(t))                      Eq. 4 (g = softmax in Goodfellow et al.)

with h(0) = h0, the initial state (``s`` in the one-unit worked example; Elman's (1990) context
units before the first input).

A **Jordan network** (Jordan 1986; Bodén 2001 section 6; Goodfellow et al. 2016 §10.2.1, the
network "with recurrence from the output") feeds back the previous *output* instead of the
previous hidden state; with **teacher forcing** the previous *target* d(t-1) is fed back instead::

    a(t) = b + W y(t-1) + U x(t)        context = "output"   (y(0) = h0, the initial context)
    a(t) = b + W d(t-1) + U x(t)        context = "target"   (d(0) = h0)

so W is (H, O) and the initial context h0 is (O,) (Eq. 18). ``context = "hidden"`` is Elman's
network.

Other texts name the same matrices differently; the GUI translates (see ``core.notation``):
Bodén (2001) calls U, W, V the matrices V, U, W and b, c the biases theta; the RNN tutorial,
part 2, calls them Wx, Ws, Wy; Skansi (2018) ch. 7 calls them wx, wh, wo; the one-unit worked
example (one unit each) v, w, u.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from core.functions import HIDDEN_ACTIVATIONS, LOSS_OF_OUTPUT, OUTPUT_FUNCTIONS, resting_state
from core.limits import MAX_LAYER_SIZE

PARAM_NAMES = ("U", "W", "V", "b", "c", "h0")
#: what the context units hold at step t: h(t-1) (Elman), y(t-1) (Jordan) or d(t-1) (Jordan with
#: teacher forcing)
CONTEXTS = ("hidden", "output", "target")


def frozen(array: Any, dtype: DTypeLike | None = None) -> NDArray[Any]:
    """Return a read-only copy of ``array`` (a frozen dataclass alone does not freeze arrays)."""
    out = np.array(array, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


def check_functions(hidden: str, output: str) -> None:
    """Refuse a hidden activation or an output function core.functions does not define."""
    if hidden not in HIDDEN_ACTIVATIONS:
        raise ValueError(
            f"hidden activation {hidden!r} is not one of {', '.join(HIDDEN_ACTIVATIONS)}"
        )
    if output not in OUTPUT_FUNCTIONS:
        raise ValueError(f"output function {output!r} is not one of {', '.join(OUTPUT_FUNCTIONS)}")


def check_arrays(
    arrays: Mapping[str, NDArray[Any]],
    expected: Mapping[str, tuple[int, ...]],
    sizes: tuple[int, int, int],
    note: str = "",
) -> None:
    """Refuse parameter arrays of the wrong shape or with a non-finite value, and layer sizes
    outside 1..MAX_LAYER_SIZE. ``sizes`` is (I, H, O); ``note`` is added to a shape message."""
    I, H, O = sizes
    for name, shape in expected.items():
        if arrays[name].shape != shape:
            raise ValueError(
                f"{name} has shape {arrays[name].shape}, expected {shape} "
                f"(H={H} hidden, I={I} inputs, O={O} outputs{note})"
            )
        bad = np.argwhere(~np.isfinite(arrays[name]))
        if bad.size:
            index = tuple(int(i) for i in bad[0])
            raise ValueError(f"{name} holds a non-finite value at index {index}")
    if H < 1 or I < 1 or O < 1:
        raise ValueError(f"network needs at least one unit per layer, got I={I} H={H} O={O}")
    if max(H, I, O) > MAX_LAYER_SIZE:
        raise ValueError(
            f"a layer has more than the limit of {MAX_LAYER_SIZE} units: I={I} H={H} O={O}"
        )


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with same_weights/array_equal
class SRN:
    """An immutable Simple Recurrent Network.

    Parameters
    ----------
    U : (H, I) input -> hidden weights.
    W : (H, C) context -> hidden(t) recurrent weights; C = H (Elman: hidden(t-1) -> hidden(t))
        or C = O (Jordan: output(t-1) -> hidden(t)).
    V : (O, H) hidden -> output weights.
    b : (H,) hidden bias.
    c : (O,) output bias.
    h0 : (C,) initial context: h(0) for Elman, y(0) (or d(0)) for Jordan.
    hidden : hidden activation f, one of ``tanh``, ``logistic``, ``relu``, ``linear``.
    output : output function g with its matched loss: ``softmax`` (cross-entropy), ``logistic``
        (binary cross-entropy) or ``linear`` (sum-squared error); Eqs. 6-8, Bodén 2001 section 3.
    train_h0 : whether training updates h0 (its gradient is always computed).
    context : ``"hidden"`` (Elman), ``"output"`` (Jordan) or ``"target"`` (Jordan with teacher
        forcing): what the context units hold, see the module docstring.

    Arrays are stored read-only in one floating dtype (float64 unless built otherwise).
    Training produces new networks with :meth:`with_params`; a network is never modified.
    """

    U: NDArray[np.floating]
    W: NDArray[np.floating]
    V: NDArray[np.floating]
    b: NDArray[np.floating]
    c: NDArray[np.floating]
    h0: NDArray[np.floating]
    hidden: str = "tanh"
    output: str = "softmax"
    train_h0: bool = False
    context: str = "hidden"

    def __post_init__(self) -> None:
        check_functions(self.hidden, self.output)
        if self.context not in CONTEXTS:
            raise ValueError(f"context {self.context!r} is not one of {', '.join(CONTEXTS)}")
        if not isinstance(self.train_h0, bool | np.bool_):
            raise ValueError(f"train_h0 must be True or False, got {self.train_h0!r}")
        object.__setattr__(self, "train_h0", bool(self.train_h0))
        U = np.asarray(self.U)
        dtype = U.dtype if U.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        arrays = {n: frozen(getattr(self, n), dtype) for n in PARAM_NAMES}
        if arrays["U"].ndim != 2:
            raise ValueError(f"U must be a 2-d (H, I) array, got shape {arrays['U'].shape}")
        H, I = arrays["U"].shape
        O = arrays["V"].shape[0] if arrays["V"].ndim == 2 else -1
        C = H if self.context == "hidden" else O
        expected = {"U": (H, I), "W": (H, C), "V": (O, H), "b": (H,), "c": (O,), "h0": (C,)}
        check_arrays(arrays, expected, (I, H, O))
        for name, arr in arrays.items():
            object.__setattr__(self, name, arr)

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def init(
        cls,
        n_in: int,
        n_hidden: int,
        n_out: int,
        *,
        hidden: str = "tanh",
        output: str = "softmax",
        seed: int = 0,
        train_h0: bool = False,
        h0: float | None = None,
        dtype: DTypeLike = np.float64,
        context: str = "hidden",
    ) -> SRN:
        """A reproducible small random network.

        Weights are drawn uniformly from +-1/sqrt(fan_in) (fan_in = I for U, C for W, H for V),
        so net inputs start in the sensitive range of every activation; biases start at 0; h0
        starts at the activation's resting value (0.5 for logistic, Elman 1990; 0 otherwise) for
        an Elman network and at 0 for a Jordan network (Jordan's state units start at rest),
        unless given. For ``context="hidden"`` the draws are those of earlier versions.
        Every layer has 1 to ``core.limits.MAX_LAYER_SIZE`` units (ValueError otherwise).
        """
        for label, n in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
            if int(n) < 1:
                raise ValueError(f"{label} must be at least 1, got {n}")
            if int(n) > MAX_LAYER_SIZE:  # checked before the weights are allocated
                raise ValueError(f"{label} is {n}, more than the limit of {MAX_LAYER_SIZE} units")
        if context not in CONTEXTS:
            raise ValueError(f"context {context!r} is not one of {', '.join(CONTEXTS)}")
        rng = np.random.default_rng(seed)
        n_context = n_hidden if context == "hidden" else n_out
        ru, rc, rh = (1.0 / np.sqrt(n) for n in (n_in, n_context, n_hidden))
        rest = resting_state(hidden) if context == "hidden" else 0.0
        start = rest if h0 is None else float(h0)
        return cls(
            U=rng.uniform(-ru, ru, (n_hidden, n_in)).astype(dtype),
            W=rng.uniform(-rc, rc, (n_hidden, n_context)).astype(dtype),
            V=rng.uniform(-rh, rh, (n_out, n_hidden)).astype(dtype),
            b=np.zeros(n_hidden, dtype),
            c=np.zeros(n_out, dtype),
            h0=np.full(n_context, start, dtype),
            hidden=hidden,
            output=output,
            train_h0=train_h0,
            context=context,
        )

    # -- shape and dtype ------------------------------------------------------------------------
    @property
    def n_in(self) -> int:
        return int(self.U.shape[1])

    @property
    def n_hidden(self) -> int:
        return int(self.U.shape[0])

    @property
    def n_out(self) -> int:
        return int(self.V.shape[0])

    @property
    def n_context(self) -> int:
        """C, the number of context units: H for Elman, O for Jordan."""
        return int(self.W.shape[1])

    @property
    def jordan(self) -> bool:
        """True for a Jordan network (the context holds the previous output or target)."""
        return self.context != "hidden"

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.U.dtype

    @property
    def loss_name(self) -> str:
        """The loss matched to the output function (Eqs. 6-8; Bodén 2001 section 3)."""
        return LOSS_OF_OUTPUT[self.output]

    @property
    def n_params(self) -> int:
        return sum(int(self.params()[n].size) for n in self.trainable())

    # -- parameters -----------------------------------------------------------------------------
    def params(self) -> dict[str, NDArray[np.floating]]:
        """All parameter arrays by name (read-only views), in the order of ``PARAM_NAMES``."""
        return {n: getattr(self, n) for n in PARAM_NAMES}

    def trainable(self) -> tuple[str, ...]:
        """Names of the parameters training updates (h0 only when ``train_h0``)."""
        return PARAM_NAMES if self.train_h0 else PARAM_NAMES[:-1]

    def with_params(self, **arrays: Any) -> SRN:
        """A new network with some parameters replaced (shapes are checked again)."""
        unknown = set(arrays) - set(PARAM_NAMES)
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)}; expected {PARAM_NAMES}")
        return replace(self, **arrays)

    def astype(self, dtype: DTypeLike) -> SRN:
        """The same network with its arrays in another float dtype (float32 or float64)."""
        arrays: dict[str, Any] = {n: np.asarray(a, dtype) for n, a in self.params().items()}
        return replace(self, **arrays)

    def config(self) -> dict[str, Any]:
        """The architecture as plain values (for files and the GUI)."""
        return {
            "n_in": self.n_in,
            "n_hidden": self.n_hidden,
            "n_out": self.n_out,
            "hidden": self.hidden,
            "output": self.output,
            "train_h0": self.train_h0,
            "context": self.context,
            "dtype": str(self.dtype),
        }

    def same_weights(self, other: SRN) -> bool:
        """True when both networks have identical architecture and parameter values."""
        return self.config() == other.config() and all(
            np.array_equal(a, other.params()[n]) for n, a in self.params().items()
        )


def params_mapping(arrays: Mapping[str, NDArray[np.floating]]) -> dict[str, NDArray[np.floating]]:
    """Read-only copies of a name -> array mapping, in ``PARAM_NAMES`` order."""
    return {n: frozen(arrays[n]) for n in PARAM_NAMES if n in arrays}
