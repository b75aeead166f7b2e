"""How a worked example is written: numbers, products, sums, and the records that hold them.

A worked example is an :class:`Explanation` of :class:`Step`\\ s (one equation each) whose sums are
:class:`Term`\\ s. Numbers are written with 4 significant digits; a value not yet computed at the
cursor is written :data:`UNKNOWN`.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class Term:
    """One addend of a sum: its symbols, its numbers and its value (None when not yet known)."""

    symbol: str
    numbers: str
    value: float | None


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


def product(
    wsym: str, asym: str, w: float, value: float | None, known: bool, a: float | None
) -> Term:
    """The term w·a in symbols and numbers ("?" for an unknown factor)."""
    return Term(f"{wsym}·{asym}", f"{paren(w)}·{paren(a) if known else UNKNOWN}", value)


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
