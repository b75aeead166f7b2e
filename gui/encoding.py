"""How every quantity Unfold shows becomes colour and size: one visual language, no Qt.

Every view - the graph views' node fills and edges, the heatmaps, the matrix grids, the Hinton
diagrams, their colour bars and legends - asks this module, so a value has the same colour
wherever it appears.

* **Sign -> hue.** One diverging map, ColorBrewer's RdBu (colour-blind safe): positive values are
  red, negative blue, zero a near-white grey. A value not known yet at the cursor gets its own,
  clearly darker grey (:data:`UNKNOWN_RGBA`).
* **Magnitude -> strength and size.** A quantity has one full-colour magnitude ``m`` per trace (or
  per network), and a value v is drawn at the position

      u = sign(v) · min(1, |v| / m) ** gamma   in [-1, 1]

  of the map: gamma = 1 (linear) for activations, outputs, gradients, weights and the loss,
  gamma = 1/2 for deltas, which shrink by orders of magnitude as they travel back in time (the
  vanishing gradient of Bengio, Simard and Frasconi 1994) and would otherwise fade to white.
  Sizes (a Hinton square's side, an edge's width) are always linear: min(1, |v| / m).
* **The range.** ``m`` is the largest magnitude of the quantity (its natural bound where it has
  one: ±1 for tanh, 1 for probabilities), rounded *up* to two significant digits
  (:func:`round_magnitude`), so the number a legend prints is the end of its colour bar. The
  colour table always covers [-m, m]; a one-signed quantity (a probability, a loss) shows only
  the [0, m] half in its colour bar, and a stray negative value is still drawn blue.
* **Lookup.** Colours come from one table of ``LEVELS`` rows (odd, so that 0 is exactly the middle
  row) plus a last row for "not known yet": row = rint((clip(v / m, -1, 1) + 1) · (LEVELS - 1) / 2).
  The table depends only on gamma, so a cursor step is an integer index into a kept table.

Only numpy is imported here: the module loads without Qt, and views turn its RGBA bytes into
brushes or pixels themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # for the annotations only: at run time this module imports numpy alone
    from core.model import SRN
    from core.tdl import TDL
    from core.trace import Trace

#: ColorBrewer RdBu, from strongly negative (blue) through near-white to strongly positive (red)
STOPS = (
    "#053061",
    "#2166ac",
    "#4393c3",
    "#92c5de",
    "#d1e5f0",
    "#f7f7f7",
    "#fddbc7",
    "#f4a582",
    "#d6604d",
    "#b2182b",
    "#67001f",
)
#: the names of the hues of the two signs, as a legend writes them
POSITIVE_HUE, NEGATIVE_HUE = "red", "blue"
#: "not known yet at the cursor": a grey clearly darker than the near-white of zero
UNKNOWN_HEX = "#bdbdbd"
UNKNOWN_RGBA = (0xBD, 0xBD, 0xBD, 255)
#: rows of a colour table, odd so that the middle row is exactly zero
LEVELS = 255
#: the row of every table that holds the "not known yet" colour
UNKNOWN_ROW = LEVELS
#: the gamma of the deltas (square root); every other quantity is linear
DELTA_GAMMA = 0.5
MINUS = "\u2212"  # the minus sign, not a hyphen


def sign_text() -> str:
    """Which hue is which sign, as legends write it: "red +, blue −"."""
    return f"{POSITIVE_HUE} +, {NEGATIVE_HUE} {MINUS}"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


_STOP_RGB = np.array([_rgb(c) for c in STOPS], dtype=np.float64)  # (11, 3)
_STOP_AT = np.linspace(-1.0, 1.0, len(STOPS))


def diverging(u: ArrayLike) -> NDArray[np.uint8]:
    """The map's colour at positions u in [-1, 1] (-1 full negative, 0 zero, +1 full positive):
    (..., 4) RGBA bytes, the stops interpolated linearly in RGB. Positions outside are clipped."""
    u = np.clip(np.asarray(u, dtype=np.float64), -1.0, 1.0)
    out = np.full((*u.shape, 4), 255, dtype=np.uint8)
    for channel in range(3):
        out[..., channel] = np.rint(np.interp(u, _STOP_AT, _STOP_RGB[:, channel]))
    return out


def warp(u: ArrayLike, gamma: float) -> NDArray[np.float64]:
    """sign(u) · |u| ** gamma: the position on the map of a value at u = v / m."""
    u = np.asarray(u, dtype=np.float64)
    return u if gamma == 1.0 else np.sign(u) * np.abs(u) ** gamma


@lru_cache(maxsize=8)
def colour_table(gamma: float = 1.0) -> NDArray[np.uint8]:
    """The (LEVELS + 1, 4) RGBA table of a gamma, read-only: row i holds the colour of
    v / m = -1 + 2 i / (LEVELS - 1), the last row (:data:`UNKNOWN_ROW`) the unknown grey."""
    rows = np.linspace(-1.0, 1.0, LEVELS)
    rows[LEVELS // 2] = 0.0
    table = np.empty((LEVELS + 1, 4), dtype=np.uint8)
    table[:LEVELS] = diverging(warp(rows, gamma))
    table[UNKNOWN_ROW] = UNKNOWN_RGBA
    table.setflags(write=False)
    return table


def round_magnitude(peak: float) -> float:
    """A full-colour magnitude: ``peak`` rounded up to two significant digits (0.8731 -> 0.88,
    1 -> 1, 123 -> 130); 1 when the peak is 0, empty or not finite."""
    peak = float(peak)
    if not math.isfinite(peak) or peak <= 0.0:
        return 1.0
    exponent = math.floor(math.log10(peak)) - 1
    digits = math.ceil(peak / 10.0**exponent * (1 - 1e-12))  # 10..100
    return float(f"{digits}e{exponent}")


def magnitude_text(m: float) -> str:
    """A magnitude as a legend prints it: 0.88, 1, 130, 0.0012."""
    return np.format_float_positional(m, trim="-")


def peak(*arrays: ArrayLike) -> float:
    """The largest finite magnitude in the arrays (0 when there is none)."""
    best = 0.0
    for a in arrays:
        a = np.asarray(a, dtype=np.float64)
        if not a.size:
            continue
        top, bottom = float(a.max()), float(a.min())  # no copies of a long trace's arrays
        if math.isfinite(top) and math.isfinite(bottom):
            best = max(best, top, -bottom)
            continue
        finite = np.abs(a[np.isfinite(a)])  # NaN (not known yet) or inf somewhere
        if finite.size:
            best = max(best, float(finite.max()))
    return best


@dataclass(frozen=True, slots=True)
class Encoding:
    """How one quantity's values become colours and sizes.

    Attributes
    ----------
    quantity : what is encoded ("activation", "output", "input", "delta", "gradient", "weight",
        "loss"), for reading and for tests.
    magnitude : m, the |value| drawn at full colour and full size (already rounded).
    one_signed : the quantity is never negative (probabilities, a logistic or relu unit, the
        loss): its colour bar shows [0, m] only.
    gamma : colours follow sign(v) · (|v| / m) ** gamma (1 linear, 1/2 for deltas).
    """

    quantity: str
    magnitude: float
    one_signed: bool = False
    gamma: float = 1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.magnitude) and self.magnitude > 0.0):
            raise ValueError(f"a magnitude must be finite and positive, not {self.magnitude}")
        if not (math.isfinite(self.gamma) and self.gamma > 0.0):
            raise ValueError(f"a gamma must be finite and positive, not {self.gamma}")

    @property
    def levels(self) -> tuple[float, float]:
        """The colour bar's range: (0, m) for a one-signed quantity, else (-m, m)."""
        m = self.magnitude
        return (0.0, m) if self.one_signed else (-m, m)

    @property
    def table(self) -> NDArray[np.uint8]:
        """The (LEVELS + 1, 4) RGBA table :meth:`index` points into (:func:`colour_table`)."""
        return colour_table(self.gamma)

    def index(self, values: ArrayLike) -> NDArray[np.intp]:
        """The table row of every value: rint((clip(v / m, -1, 1) + 1) · (LEVELS - 1) / 2), NaN
        (not known yet) -> :data:`UNKNOWN_ROW`."""
        v = np.asarray(values, dtype=np.float64)
        known = np.isfinite(v)
        u = np.where(known, v, 0.0)  # a new array, also for a single value
        u *= 1.0 / self.magnitude
        np.clip(u, -1.0, 1.0, out=u)
        u += 1.0
        u *= 0.5 * (LEVELS - 1)
        rows = np.rint(u, out=u).astype(np.intp)
        rows[~known] = UNKNOWN_ROW
        return rows

    def rgba(self, values: ArrayLike) -> NDArray[np.uint8]:
        """(..., 4) RGBA bytes of the values (the unknown grey where NaN)."""
        return self.table[self.index(values)]

    def colour(self, value: float) -> tuple[int, int, int, int]:
        """The RGBA colour of one value."""
        r, g, b, a = (int(c) for c in self.rgba(value))
        return r, g, b, a

    def bar(self, n: int | None = None) -> NDArray[np.uint8]:
        """The colour bar from its low end (first) to its high end (last), (n, 4) RGBA: row k
        is the colour of lo + k (hi - lo) / (n - 1), so the ends are exactly the colours of lo
        and hi. Without ``n``, the table's own rows over the bar's range."""
        if n is not None:
            lo, hi = self.levels
            return self.rgba(np.linspace(lo, hi, max(int(n), 2)))
        start = LEVELS // 2 if self.one_signed else 0
        return self.table[start:LEVELS]

    def size(self, values: ArrayLike) -> NDArray[np.float64]:
        """The size of a mark (a Hinton square's side, an edge's width) as a fraction of a full
        one: min(1, |v| / m), linear whatever the gamma; 0 where NaN."""
        v = np.abs(np.asarray(values, dtype=np.float64))
        return np.where(np.isfinite(v), np.minimum(v / self.magnitude, 1.0), 0.0)

    def size_class(self, values: ArrayLike, classes: int) -> NDArray[np.intp]:
        """Which of ``classes`` equal bins of :meth:`size` a value falls in (0 .. classes - 1):
        the width of an edge drawn with a few pens."""
        bins = (self.size(values) * classes).astype(np.intp)
        return np.minimum(bins, classes - 1)

    def range_text(self) -> str:
        """The colour bar's range as a legend writes it: "±0.88" or "0 … 1"."""
        m = magnitude_text(self.magnitude)
        return f"0 … {m}" if self.one_signed else f"±{m}"

    def describe(self, what: str) -> str:
        """A legend's words for a colour bar of ``what``: its range, and the scale if not linear,
        e.g. "h(t) ±1" or "δh(t) ±0.12, √ scale"."""
        scale = (
            ""
            if self.gamma == 1.0
            else (", √ scale" if self.gamma == 0.5 else f", γ {self.gamma:g}")
        )
        return f"{what} {self.range_text()}{scale}"


# -- the quantities -------------------------------------------------------------------------------
def activation(kind: str, h: ArrayLike) -> Encoding:
    """A hidden activation: its natural range where it has one.

    tanh: ±1; logistic: 0 … 1; relu: 0 … max h; linear: ± max |h| (Goodfellow et al. 2016, §6.3).
    """
    if kind == "tanh":
        return Encoding("activation", 1.0)
    if kind == "logistic":
        return Encoding("activation", 1.0, one_signed=True)
    if kind == "relu":
        return Encoding("activation", round_magnitude(peak(h)), one_signed=True)
    return Encoding("activation", round_magnitude(peak(h)))


def output(kind: str, *arrays: ArrayLike) -> Encoding:
    """Outputs ŷ(t) and targets: probabilities 0 … 1 (softmax, logistic), else ± their largest
    magnitude (a linear output)."""
    if kind in ("softmax", "logistic"):
        return Encoding("output", 1.0, one_signed=True)
    return Encoding("output", round_magnitude(peak(*arrays)))


def inputs(x: ArrayLike) -> Encoding:
    """The inputs x(t): ± their largest magnitude, one-signed when none is negative (one-hot)."""
    x = np.asarray(x, dtype=np.float64)
    one_signed = bool(x.size == 0 or np.nanmin(x) >= 0.0)
    return Encoding("input", round_magnitude(peak(x)), one_signed=one_signed)


def delta(*arrays: ArrayLike) -> Encoding:
    """Deltas δ(t): ± their largest magnitude over the trace, on the square-root scale."""
    return Encoding("delta", round_magnitude(peak(*arrays)), gamma=DELTA_GAMMA)


def gradient(*arrays: ArrayLike) -> Encoding:
    """Parameter gradients: ± their largest magnitude, linear."""
    return Encoding("gradient", round_magnitude(peak(*arrays)))


def weight(*arrays: ArrayLike) -> Encoding:
    """Weights: ± the largest |weight| over the arrays (all the network's parameters), linear."""
    return Encoding("weight", round_magnitude(peak(*arrays)))


def loss(loss_t: ArrayLike) -> Encoding:
    """The loss per step L(t): 0 … its largest value, linear."""
    return Encoding("loss", round_magnitude(peak(loss_t)), one_signed=True)


# -- the quantities of a trace and of a network ---------------------------------------------------
@dataclass(frozen=True, slots=True)
class TraceEncodings:
    """The encodings of everything a trace shows, fixed for the whole trace (colours never drift
    while stepping). Every view takes its encodings from here, so they agree.

    Attributes
    ----------
    inputs : x(t).  hidden : h(t) (and h0).  output : ŷ(t) and the targets, and a Jordan
    network's context.  delta_h, delta_o : δh(t) and δo(t) in the notation's sign (the sign does
    not change a symmetric range); dL/dh0 takes the encoding of the layer it is drawn in.
    loss : L(t).  weight : the network's parameters.
    """

    inputs: Encoding
    hidden: Encoding
    output: Encoding
    delta_h: Encoding
    delta_o: Encoding
    loss: Encoding
    weight: Encoding


def network_weights(net: SRN | TDL) -> Encoding:
    """The weights' encoding: ± the largest |weight| over all parameters the network trains, so
    a weight has one colour whether it is an edge of a graph, a heatmap cell or a Hinton square."""
    params = net.params()
    return weight(*(params[p] for p in net.trainable()))


#: the last trace asked for and its encodings (views ask at every cursor step)
_last: list[tuple[Trace, TraceEncodings]] = []


def for_trace(trace: Trace) -> TraceEncodings:
    """The encodings of a trace's quantities (computed once per trace)."""
    if _last and _last[0][0] is trace:
        return _last[0][1]
    net = trace.net
    out = TraceEncodings(
        inputs=inputs(trace.x),
        hidden=activation(net.hidden, trace.h),
        output=output(net.output, trace.y, trace.d),
        delta_h=delta(trace.delta_h),
        delta_o=delta(trace.delta_o),
        loss=loss(trace.loss_t),
        weight=network_weights(net),
    )
    _last[:] = [(trace, out)]
    return out
