"""How a worked example is written: numbers, products, sums, and the records that hold them.

A worked example is an :class:`Explanation` of :class:`Step`\\ s (one equation each) whose sums are
:class:`Term`\\ s. Numbers are written with 4 significant digits; a value not yet computed at the
cursor is written :data:`UNKNOWN`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from core.selection import Selection

UNKNOWN = "?"
#: at most this many addends of one sum are written out; the rest are summarised
MAX_WRITTEN_TERMS = 8


def fmt(value: float | None) -> str:
    """A number with 4 significant digits ("?" for an unknown value, never "-0")."""
    if value is None:
        return UNKNOWN
    v = float(value)
    return "0" if v == 0 else f"{v:.4g}"


def paren(value: float | None) -> str:
    """A number as a factor of a product: negative numbers in parentheses."""
    text = fmt(value)
    return f"({text})" if text.startswith("-") else text


#: which engine number a displayed number is: (array or fact name, 1-based step, index ...),
#: e.g. ("h", 3, 0) for h[1](3), ("W", 1, 2) for W[2,3], ("delta_h", 2, 0), ("loss_t", 4)
Quantity = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Factor:
    """One number as the reader sees it.

    Attributes
    ----------
    quantity : the engine number it shows (see :data:`Quantity`; steps are 1-based as on
        screen, unit indices 0-based as in the arrays).
    text : as written: ``fmt(value)``, or "?" while the cursor has not computed it.
    value : the number in the notation's sign (deltas times ``delta_sign``), None while unknown.
    """

    quantity: Quantity
    text: str
    value: float | None

    @property
    def factor(self) -> str:
        """The text as a factor of a product: a negative number in parentheses."""
        return f"({self.text})" if self.text.startswith("-") else self.text


@dataclass(frozen=True, slots=True)
class Term:
    """One addend of a sum: its symbols, its numbers and its value (None when not yet known).

    A product term (``quantity`` None) is ``sign`` times the product of its ``factors``, written
    ``numbers``; any other term is the engine's ``quantity`` (a loss term, the part of a delta
    that comes back through the output), ``factors`` being the numbers its formula writes.
    """

    symbol: str
    numbers: str
    value: float | None
    factors: tuple[Factor, ...] = ()
    sign: int = 1
    quantity: Quantity | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One equation of a worked example.

    Attributes
    ----------
    name : what the equation computes ("forward", "delta", "gradient", ...).
    equation : the equation in symbols.  substituted : the same with the numbers put in.
    result : ``symbol = value`` (value "?" when not yet known).  citation : the equation's number
        on the Help > Equations page and its published source.
    value : the result (None when not yet computed at the cursor).
    terms : the addends of the equation's sum.
    total : the sum of the terms (None unless all are known): the net input of a forward step, the
        bracket W^T δh(t+1) + V^T δo(t) of a hidden delta, the gradient of a gradient cell.
    factor : the multiplier of the sum (f'(a(t)) for a hidden delta), or None for 1; the result is
        ``factor * total`` for deltas and gradients, and f(total) or g(total) for forward steps.
    notes : when unknown values are computed, truncation, sign conventions.
    quantity : the engine number ``value`` is, or None when it is the sum of the terms.
    shown : every other number the step's lines write (results, f'(a), numbers in notes).
    """

    name: str
    equation: str
    substituted: str
    result: str
    citation: str
    value: float | None
    terms: tuple[Term, ...] = ()
    total: float | None = None
    factor: float | None = None
    notes: tuple[str, ...] = ()
    quantity: Quantity | None = None
    shown: tuple[Factor, ...] = ()


@dataclass(frozen=True, slots=True)
class Explanation:
    """The worked example for one selection at one cursor position.

    ``equation``, ``substituted``, ``result`` and ``citation`` join the steps' fields line by line;
    ``value`` is the main (last) step's result.
    """

    title: str
    selection: Selection
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()

    @property
    def equation(self) -> str:
        return "\n".join(s.equation for s in self.steps)

    @property
    def substituted(self) -> str:
        return "\n".join(s.substituted for s in self.steps)

    @property
    def result(self) -> str:
        return "\n".join(s.result for s in self.steps)

    @property
    def citation(self) -> str:
        return "; ".join(dict.fromkeys(s.citation for s in self.steps))

    @property
    def value(self) -> float | None:
        return self.steps[-1].value

    def step(self, name: str) -> Step:
        """The step called ``name`` (KeyError when the explanation has none)."""
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(f"no step {name!r}; steps are {[s.name for s in self.steps]}")


def product(symbols: Sequence[str], factors: Sequence[Factor], sign: int = 1) -> Term:
    """The term sign·f1·f2·… in symbols and numbers; its value once every factor is known."""
    minus = "-" if sign < 0 else ""
    values = [f.value for f in factors]
    value = None
    if all(v is not None for v in values):
        value = sign * math.prod(v for v in values if v is not None)
    return Term(
        minus + "·".join(symbols),
        minus + "·".join(f.factor for f in factors),
        value,
        tuple(factors),
        sign,
    )


def total(terms: list[Term] | tuple[Term, ...]) -> float | None:
    """The sum of the terms' values, None if any is unknown (0 for no terms)."""
    values = [t.value for t in terms if t.value is not None]
    return float(sum(values, 0.0)) if len(values) == len(terms) else None


def written(terms: list[Term] | tuple[Term, ...], sep: str = " + ") -> str:
    """The terms' numbers joined, at most MAX_WRITTEN_TERMS of them, the rest summarised."""
    if not terms:
        return "0"
    shown = [t.numbers for t in terms[:MAX_WRITTEN_TERMS]]
    rest = terms[MAX_WRITTEN_TERMS:]
    if sep == " + ":  # "a + -b" reads "a - b"
        shown = shown[:1] + [f"- {p[1:]}" if p.startswith("-") else f"+ {p}" for p in shown[1:]]
        sep = " "
    if rest:
        shown.append(f"{'+ ' if sep == ' ' else ''}… {len(rest)} more terms ({fmt(total(rest))})")
    return sep.join(shown)
