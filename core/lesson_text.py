"""Live numbers in a lesson's text: a small placeholder grammar, parsed without ``eval``.

A lesson step's text may quote any number of the trace it shows; the number is looked up when
the step is shown, so the text always agrees with the engine. A placeholder is written in braces
(``{{`` and ``}}`` are literal braces)::

    {h[1](2)}          h(2), unit 1: an array of the sweeps at a step, 1-based unit and step
    {dh[2](3)}         δh(3), unit 2, with the sign of the step's notation (Bodén: -∂C/∂net)
    {L(4)}  {L}        the loss of step 4; the total loss
    {W[1,2]}  {b[1]}   a parameter's value (row 1, column 2; vectors take one index)
    {grad W[1,2]}      ∂L/∂W[1,2], summed over the whole sequence
    {grad W[1,2](3)}   the term of step 3 alone, δh(3)[1] c(3)[2]
    {norm dh(3)}       the Euclidean length ||δh(3)|| (no sign)
    {flow(5,1)}        ||∂L(5)/∂h(1)||, entry (5, 1) of the gradient-flow matrix
    {h[1](2):6}        any of these with 6 significant digits (1 to 12; 4 by default)
    {sym dh}           not a number: the symbol of the notation shown (δh; δj in Bodén's;
                       δ in the one-unit example's), so the prose follows a notation chosen
                       by hand as the views do

Arrays with a step: ``x``, ``a``, ``h`` (``h(0)`` is the initial state), ``o``, ``y``, ``d``,
``fp`` (f'(a(t)), the hidden slope), ``dh`` and ``do`` (the deltas δh = ∂L/∂a, δo = ∂L/∂o times
the notation's ``delta_sign``). Parameters: ``U``, ``W``, ``V``, ``b``, ``c``, ``h0``. The names
are the engine's (Goodfellow et al. 2016 §10.2.2) whatever the notation; only the sign of the
deltas follows it, as every view's does. Gradients are always ∂L/∂w. ``sym`` takes the same
names and the loss ``L``, and gives the notation's symbol (``core.notation``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from core.explain.text import fmt
from core.gradient_flow import flow_matrix
from core.notation import Notation
from core.trace import Trace

#: arrays over time: placeholder name -> (Trace attribute, whether the notation's sign applies)
STEP_ARRAYS = {
    "x": ("x", False),
    "a": ("a", False),
    "h": ("h", False),
    "o": ("o", False),
    "y": ("y", False),
    "d": ("d", False),
    "fp": ("slope", False),
    "dh": ("delta_h", True),
    "do": ("delta_o", True),
}
PARAMS = ("U", "W", "V", "b", "c", "h0")
#: ``{sym NAME}``: placeholder name -> the key of its symbol in ``Notation.symbols``
SYMBOLS = {**{n: n for n in ("x", "a", "h", "o", "y", "d", "L", *PARAMS)},
           "dh": "delta_h", "do": "delta_o"}  # fmt: skip
#: the most significant digits a placeholder may ask for
MAX_DIGITS = 12

_INT = r"\s*(\d{1,6})\s*"
_FORMS = (
    ("step", re.compile(rf"^(x|a|h|o|y|d|fp|dh|do)\[{_INT}\]\({_INT}\)$")),
    ("loss_t", re.compile(rf"^L\({_INT}\)$")),
    ("loss", re.compile(r"^L$")),
    ("param", re.compile(rf"^(U|W|V|b|c|h0)\[{_INT}(?:,{_INT})?\]$")),
    ("grad", re.compile(rf"^grad\s+(U|W|V|b|c|h0)\[{_INT}(?:,{_INT})?\](?:\({_INT}\))?$")),
    ("norm", re.compile(rf"^norm\s+(dh|do)\({_INT}\)$")),
    ("flow", re.compile(rf"^flow\({_INT},{_INT}\)$")),
    ("sym", re.compile(r"^sym\s+(x|a|h|o|y|d|L|U|W|V|b|c|h0|dh|do)$")),
)
_BRACES = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class PlaceholderError(ValueError):
    """A placeholder that does not parse or names a quantity the trace does not have."""


@dataclass(frozen=True, slots=True)
class Quantity:
    """One parsed placeholder.

    kind : "step", "loss_t", "loss", "param", "grad", "norm", "flow" or "sym" (a symbol).
    name : the array or parameter name ("" for the loss and the flow).
    index : 1-based unit or (row, col) indices, as written.
    t : the 1-based step (or (s, t) for the flow), None when the quantity has none.
    digits : significant digits to show.
    source : the placeholder as written, without braces.
    """

    kind: str
    name: str
    index: tuple[int, ...]
    t: tuple[int, ...]
    digits: int
    source: str


def parse(source: str) -> Quantity:
    """The quantity of one placeholder (the text between the braces); PlaceholderError if bad."""
    body, digits = source.strip(), 4
    if ":" in body:
        body, _, spec = body.rpartition(":")
        body = body.strip()
        if not spec.strip().isdigit() or not 1 <= int(spec) <= MAX_DIGITS:
            raise PlaceholderError(
                f"{{{source}}}: digits after ':' must be a whole number from 1 to {MAX_DIGITS}"
            )
        digits = int(spec)
    for kind, pattern in _FORMS:
        m = pattern.match(body)
        if m is None:
            continue
        groups = [g for g in m.groups() if g is not None]
        if kind in ("loss_t", "flow"):
            return Quantity(kind, "", (), tuple(map(int, groups)), digits, source)
        if kind == "loss":
            return Quantity(kind, "", (), (), digits, source)
        if kind == "sym":
            return Quantity(kind, groups[0], (), (), digits, source)
        name, numbers = groups[0], [int(g) for g in groups[1:]]
        if kind == "step":
            return Quantity(kind, name, (numbers[0],), (numbers[1],), digits, source)
        if kind == "norm":
            return Quantity(kind, name, (), (numbers[0],), digits, source)
        if kind == "param":
            return Quantity(kind, name, tuple(numbers), (), digits, source)
        # grad: one or two indices, then an optional step; which is which depends on the shape
        return _grad(name, m, digits, source)
    raise PlaceholderError(
        f"{{{source}}} is not a known quantity; write e.g. {{h[1](2)}}, {{dh[1](3)}}, {{L(2)}}, "
        "{W[1,2]}, {grad W[1,2]}, {norm dh(3)}, {flow(5,1)} or {sym dh}"
    )


def _grad(name: str, m: re.Match[str], digits: int, source: str) -> Quantity:
    row, col, step = m.group(2), m.group(3), m.group(4)
    index = (int(row),) if col is None else (int(row), int(col))
    return Quantity("grad", name, index, () if step is None else (int(step),), digits, source)


def placeholders(text: str) -> list[Quantity]:
    """Every placeholder of ``text`` in order; PlaceholderError for a bad one or a stray brace."""
    found = []
    for m in _BRACES.finditer(text):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if m.group(1) is None:
            raise PlaceholderError(f"a lone {token!r}; write {token * 2} for a literal brace")
        found.append(parse(m.group(1)))
    return found


def check(quantity: Quantity, trace: Trace) -> None:
    """Raise PlaceholderError when the quantity's indices are outside the trace's network or
    sequence (so a lesson is refused when it is opened, not when the step is shown)."""
    net, T = trace.net, trace.T
    where = f"{{{quantity.source}}}"

    def within(value: int, low: int, high: int, what: str) -> None:
        if not low <= value <= high:
            raise PlaceholderError(f"{where}: {what} {value} is outside {low}..{high}")

    if quantity.kind == "step":
        arr = _step_array(trace, quantity.name)
        within(quantity.index[0], 1, arr.shape[-1], "unit")
        within(quantity.t[0], 0 if quantity.name == "h" else 1, T, "step")
    elif quantity.kind in ("loss_t", "norm"):
        within(quantity.t[0], 1, T, "step")
    elif quantity.kind == "flow":
        within(quantity.t[0], 1, T, "loss step s")
        within(quantity.t[1], 1, quantity.t[0], "state step t")
    elif quantity.kind in ("param", "grad"):
        shape = net.params()[quantity.name].shape
        if len(quantity.index) != len(shape):
            raise PlaceholderError(f"{where}: {quantity.name} takes {len(shape)} index(es)")
        for i, (value, n) in enumerate(zip(quantity.index, shape, strict=True)):
            within(value, 1, n, ("row", "column")[i] if len(shape) == 2 else "index")
        if quantity.t:
            if quantity.name == "h0":
                raise PlaceholderError(f"{where}: h0's gradient has no term per step")
            within(quantity.t[0], 1, T, "step")


def _step_array(trace: Trace, name: str) -> np.ndarray:
    attr = STEP_ARRAYS[name][0]
    return trace.slope() if attr == "slope" else getattr(trace, attr)


def value(quantity: Quantity, trace: Trace, notation: Notation) -> float:
    """The number the placeholder stands for in this (single-sequence) trace."""
    check(quantity, trace)
    if quantity.kind == "sym":
        raise PlaceholderError(f"{{{quantity.source}}} is a symbol, not a number")
    q = quantity
    if q.kind == "step":
        arr, signed = _step_array(trace, q.name), STEP_ARRAYS[q.name][1]
        row = q.t[0] if q.name == "h" else q.t[0] - 1  # h[0] is h(0)
        v = float(arr[row, q.index[0] - 1])
        return v * notation.delta_sign if signed else v
    if q.kind == "loss_t":
        return float(trace.loss_t[q.t[0] - 1])
    if q.kind == "loss":
        return float(trace.loss)
    if q.kind == "norm":
        return float(np.linalg.norm(_step_array(trace, q.name)[q.t[0] - 1]))
    if q.kind == "flow":
        return float(flow_matrix(trace)[q.t[0] - 1, q.t[1] - 1])
    if q.kind == "param":
        arr = trace.net.params()[q.name]
    else:
        arr = trace.contribution(q.t[0])[q.name] if q.t else trace.grads[q.name]
    return float(arr[tuple(i - 1 for i in q.index)])


def show(number: float, digits: int) -> str:
    """A number with ``digits`` significant digits (4 as everywhere else, via ``fmt``)."""
    return fmt(number) if digits == 4 else ("0" if number == 0 else f"{number:.{digits}g}")


def render(text: str, trace: Trace, notation: Notation) -> tuple[str, list[tuple[Quantity, float]]]:
    """The text with every placeholder replaced by its number (a ``sym`` by the notation's
    symbol), and the (quantity, value) pairs of the numbers in order, so that a caller can
    check each quoted number against the engine."""
    quoted: list[tuple[Quantity, float]] = []

    def replace(m: re.Match[str]) -> str:
        token = m.group(0)
        if token in ("{{", "}}"):
            return token[0]
        if m.group(1) is None:
            raise PlaceholderError(f"a lone {token!r}; write {token * 2} for a literal brace")
        q = parse(m.group(1))
        if q.kind == "sym":
            return notation[SYMBOLS[q.name]]
        v = value(q, trace, notation)
        quoted.append((q, v))
        return show(v, q.digits)

    return _BRACES.sub(replace, text), quoted
