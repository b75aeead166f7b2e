"""The tapped delay line: a feedforward network over a window of past inputs (Bodén 2001 §4).

Bodén's (2001) section 4, "Tapped delay line memory", makes the temporal domain spatial: the
input layer holds a fixed window of the sequence, X(t) = x(t), x(t-1), ..., x(t-omega), a delay
buffer whose contents shift one place as time passes (his figure 3; Sejnowski and Rosenberg's
1987 NETtalk is the classical example). In Unfold's notation (Goodfellow et al. 2016 §10.2;
Eqs. 29-31 of the Help > Equations page)::

    a(t) = b + sum_{k=0..omega} U_k x(t-k)        Eq. 29, x(s) = 0 for s < 1
    h(t) = f(a(t)),  o(t) = c + V h(t),  y(t) = g(o(t))     Eqs. 2-4

The network has no recurrent weights: nothing of step t-1 reaches step t except the inputs the
buffer re-presents (Bodén 2001 §5: "a strict feedforward architecture does not maintain a
short-term memory"). It learns by ordinary backpropagation, each step on its own (Eq. 30)::

    delta_o(t) = y(t) - d(t)                      Eq. 9 (every matched output/loss pair)
    delta_h(t) = f'(a(t)) * V^T delta_o(t)        Eq. 30: Eq. 10 without the W^T term
    dL/dU_k = sum_t delta_h(t) x(t-k)^T           Eq. 31
    dL/dV, dL/db, dL/dc as for the Elman network (Eqs. 12-14)

so a target that depends on an input more than omega steps back cannot be learned: no weight
ever sees that input (Bodén 2001 §4: "the user has to select the maximum number of time steps
which is useful to the network").

**Before the sequence starts the buffer holds zeros**: x(s) = 0 for s < 1, so at t = 1 only U_0
sees a non-zero input.

**One trace type for every network.** The engine (:func:`core.tdl_engine.tdl_backprop`, which
:func:`core.bptt.bptt` calls for a TDL) returns an ordinary :class:`core.trace.Trace`,
so the panels, the cursor and the worked examples read a tapped delay line like any other
network. The trace's ``x`` holds the delay buffer X(t) = [x(t); x(t-1); ...; x(t-omega)],
shape (.., T, (omega+1) I), which is the input layer the hidden units actually read, and ``U`` is
stored as the block row [U_0 U_1 ... U_omega], (H, (omega+1) I), so that Eq. 29 is a = b + U X(t)
and Eq. 31 is the trace's dL/dU = sum_t delta_h(t) X(t)^T. The network has no context units: W
is (H, 0), h0 is (0,), the trace's ``context`` is (.., T, 0) and ``h[.., 0, :]`` holds zeros
(nothing reads it), as for a Jordan network. ``context`` is ``"none"``, which the truncation
rules (:func:`core.truncation.recurrence_reaches`) read as "nothing comes back from step t+1";
truncation settings are accepted and have no effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
from numpy.typing import DTypeLike, NDArray

from core.functions import LOSS_OF_OUTPUT
from core.limits import MAX_LAYER_SIZE, MAX_WINDOW
from core.model import PARAM_NAMES, check_arrays, check_functions, frozen

Array = NDArray[np.floating]

#: the parameters training updates; W and h0 exist with zero width, so code written for the
#: recurrent networks can read them
TDL_TRAINABLE: Final = ("U", "V", "b", "c")
#: the value of ``context`` for a network without context units
NO_CONTEXT: Final = "none"


def check_window(window: Any) -> int:
    """``window`` as an int omega in 0..``MAX_WINDOW``; ValueError naming the bound otherwise."""
    whole = isinstance(window, int | np.integer) and not isinstance(window, bool | np.bool_)
    if not whole or not 0 <= int(window) <= MAX_WINDOW:
        raise ValueError(f"window must be an integer from 0 to {MAX_WINDOW}, got {window!r}")
    return int(window)


@dataclass(frozen=True, slots=True, eq=False)  # arrays: compare with same_weights/array_equal
class TDL:
    """An immutable tapped-delay-line network (Bodén 2001 §4).

    Parameters
    ----------
    U : (H, (omega+1) I) the input weights as the block row [U_0 U_1 ... U_omega]; U_k reads
        x(t-k) (see :meth:`tap`).
    V : (O, H) hidden -> output weights.
    b : (H,) hidden bias.  c : (O,) output bias.
    window : omega, how many past inputs the buffer holds besides x(t): 0..``MAX_WINDOW``.
    hidden, output : as :class:`core.model.SRN` (the same activations and output/loss pairs).

    Arrays are stored read-only in one floating dtype. ``W`` (H, 0) and ``h0`` (0,) are empty:
    the network has no context units.
    """

    U: NDArray[np.floating]
    V: NDArray[np.floating]
    b: NDArray[np.floating]
    c: NDArray[np.floating]
    window: int = 3
    hidden: str = "tanh"
    output: str = "softmax"

    def __post_init__(self) -> None:
        object.__setattr__(self, "window", check_window(self.window))
        check_functions(self.hidden, self.output)
        U = np.asarray(self.U)
        dtype = U.dtype if U.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        arrays = {n: frozen(getattr(self, n), dtype) for n in TDL_TRAINABLE}
        if arrays["U"].ndim != 2:
            raise ValueError(f"U must be a 2-d (H, (window+1) I) array, got {arrays['U'].shape}")
        H, taps = arrays["U"].shape
        n_taps = self.window + 1
        if taps % n_taps:
            raise ValueError(
                f"U has {taps} columns, not a multiple of window + 1 = {n_taps} "
                f"(one block of I columns per tap x(t), ..., x(t-{self.window}))"
            )
        I = taps // n_taps
        O = arrays["V"].shape[0] if arrays["V"].ndim == 2 else -1
        expected = {"U": (H, n_taps * I), "V": (O, H), "b": (H,), "c": (O,)}
        check_arrays(arrays, expected, (I, H, O), f", window={self.window}")
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
        window: int = 3,
        hidden: str = "tanh",
        output: str = "softmax",
        seed: int = 0,
        dtype: DTypeLike = np.float64,
    ) -> TDL:
        """A reproducible small random network: U uniform in +-1/sqrt((omega+1) I) (its fan-in),
        V in +-1/sqrt(H), biases 0. Layer sizes and window are checked before allocating."""
        window = check_window(window)
        for label, n in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
            if int(n) < 1:
                raise ValueError(f"{label} must be at least 1, got {n}")
            if int(n) > MAX_LAYER_SIZE:
                raise ValueError(f"{label} is {n}, more than the limit of {MAX_LAYER_SIZE} units")
        rng = np.random.default_rng(seed)
        fan_in = (window + 1) * n_in
        ru, rh = 1.0 / np.sqrt(fan_in), 1.0 / np.sqrt(n_hidden)
        return cls(
            U=rng.uniform(-ru, ru, (n_hidden, fan_in)).astype(dtype),
            V=rng.uniform(-rh, rh, (n_out, n_hidden)).astype(dtype),
            b=np.zeros(n_hidden, dtype),
            c=np.zeros(n_out, dtype),
            window=window,
            hidden=hidden,
            output=output,
        )

    # -- what code written for the recurrent networks reads --------------------------------------
    @property
    def W(self) -> NDArray[np.floating]:
        """(H, 0): no recurrent weights."""
        return frozen(np.zeros((self.n_hidden, 0), self.dtype))

    @property
    def h0(self) -> NDArray[np.floating]:
        """(0,): no initial context."""
        return frozen(np.zeros(0, self.dtype))

    @property
    def context(self) -> str:
        """``"none"``: the network has no context units."""
        return NO_CONTEXT

    @property
    def jordan(self) -> bool:
        return False

    @property
    def train_h0(self) -> bool:
        return False

    # -- shape and dtype ------------------------------------------------------------------------
    @property
    def n_in(self) -> int:
        """I, the inputs of one time step (what a data set provides)."""
        return int(self.U.shape[1]) // (self.window + 1)

    @property
    def n_taps(self) -> int:
        """(omega+1) I, the units of the delay buffer X(t) the hidden layer reads."""
        return int(self.U.shape[1])

    @property
    def n_hidden(self) -> int:
        return int(self.U.shape[0])

    @property
    def n_out(self) -> int:
        return int(self.V.shape[0])

    @property
    def n_context(self) -> int:
        return 0

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.U.dtype

    @property
    def loss_name(self) -> str:
        return LOSS_OF_OUTPUT[self.output]

    @property
    def n_params(self) -> int:
        return sum(int(getattr(self, n).size) for n in TDL_TRAINABLE)

    def tap(self, k: int) -> NDArray[np.floating]:
        """(H, I) U_k, the weights from x(t-k) to the hidden layer (a read-only view)."""
        if not 0 <= k <= self.window:
            raise ValueError(f"tap k={k} is outside 0..{self.window}")
        I = self.n_in
        return self.U[:, k * I : (k + 1) * I]

    # -- parameters -----------------------------------------------------------------------------
    def params(self) -> dict[str, NDArray[np.floating]]:
        """All parameter arrays by name in ``PARAM_NAMES`` order (W and h0 empty)."""
        return {n: getattr(self, n) for n in PARAM_NAMES}

    def trainable(self) -> tuple[str, ...]:
        """U, V, b, c (there is no W or h0 to train)."""
        return TDL_TRAINABLE

    def with_params(self, **arrays: Any) -> TDL:
        """A new network with some of U, V, b, c replaced (shapes are checked again); empty W
        and h0 are accepted and ignored."""
        for name in ("W", "h0"):
            if name in arrays and np.size(arrays.pop(name)):
                raise ValueError(f"a tapped delay line has no {name}")
        unknown = set(arrays) - set(TDL_TRAINABLE)
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)}; expected {TDL_TRAINABLE}")
        return replace(self, **arrays)

    def astype(self, dtype: DTypeLike) -> TDL:
        """The same network with its arrays in another float dtype."""
        arrays: dict[str, Any] = {n: np.asarray(getattr(self, n), dtype) for n in TDL_TRAINABLE}
        return replace(self, **arrays)

    def config(self) -> dict[str, Any]:
        """The architecture as plain values (for files and the GUI)."""
        return {
            "network": "tdl",
            "n_in": self.n_in,
            "n_hidden": self.n_hidden,
            "n_out": self.n_out,
            "window": self.window,
            "hidden": self.hidden,
            "output": self.output,
            "dtype": str(self.dtype),
        }

    def same_weights(self, other: Any) -> bool:
        """True when both networks have identical architecture and parameter values."""
        return (
            isinstance(other, TDL)
            and self.config() == other.config()
            and all(np.array_equal(getattr(self, n), getattr(other, n)) for n in TDL_TRAINABLE)
        )


def buffer_names(names: Sequence[str], window: int) -> tuple[str, ...]:
    """Names of the buffer units X(t) = [x(t); ...; x(t-omega)] from the inputs' ``names``:
    ``A(t)``, ``B(t)``, ``A(t-1)``, ... (the columns of U = [U_0 ... U_omega])."""
    return tuple(f"{n}(t)" if k == 0 else f"{n}(t-{k})" for k in range(window + 1) for n in names)


# -- the delay buffer ------------------------------------------------------------------------------
def delay_buffer(x: Array, window: int) -> Array:
    """(.., T, (omega+1) I) the buffer X(t) = [x(t); x(t-1); ...; x(t-omega)] of ``x`` (.., T, I).

    Entries before the start of the sequence are zeros (x(s) = 0 for s < 1).
    """
    T, I = x.shape[-2:]
    out = np.zeros((*x.shape[:-1], (window + 1) * I), x.dtype)
    for k in range(min(window, T - 1) + 1):
        out[..., k:, k * I : (k + 1) * I] = x[..., : T - k, :]  # block k at step t holds x(t-k)
    return out
