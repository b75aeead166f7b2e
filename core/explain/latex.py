"""A worked example as LaTeX: an ``align`` block of its equations, with the numbers put in.

Each step of an :class:`~core.explain.text.Explanation` gives two lines, the equation in symbols
and the same equation with the numbers substituted (``Step.equation`` and ``Step.substituted``,
line by line), aligned at their first "=". The symbols are the notation's (:mod:`core.notation`),
the numbers those the inspector writes (``fmt``: four significant digits, "?" while the cursor
has not computed them). Unit indices become subscripts, ``W[1,2]`` -> ``W_{1,2}``; a number in
exponent form, ``1.2e-05``, is written ``1.2 \\times 10^{-5}``. The block needs the ``amsmath``
package; long sums are broken after every ``TERMS_PER_LINE`` terms.
"""

from __future__ import annotations

import re
from typing import Final

from core.explain.text import Explanation

#: terms of a sum on one line of the block before it is broken
TERMS_PER_LINE: Final = 4
#: the symbols the worked examples write, as LaTeX (longest first where one contains another)
_SYMBOLS: Final = (
    ("⁽⁰⁾", "^{(0)}"),
    ("ŷ", r"\hat{y}"),
    ("²", "^{2}"),
    ("½", r"\tfrac{1}{2}"),
    ("·", r" \cdot "),
    ("δ", r"\delta "),
    ("θ", r"\theta "),
    ("σ", r"\sigma"),
    ("∂", r"\partial "),
    ("−", "-"),
    ("…", r"\ldots "),
)
#: function names written upright
_FUNCTIONS: Final = ("tanh", "exp", "ln", "log", "max", "sigma")
_INDEX = re.compile(r"(?<=[A-Za-z0-9}ŷ⁾δθσ])\[([0-9a-z]+(?:,[0-9a-z]+)*)\]")
_OPERATOR = re.compile(r" (?=[+-] )")
_SUM = re.compile(r"Σ([a-z]) ?")
_EXPONENT = re.compile(r"(\d(?:\.\d+)?)e([+-])0*(\d+)")
_WORD = re.compile(r"(?<![\\A-Za-z])([A-Za-z]{2,})(?![A-Za-z])(?=(.?))")


def to_latex(text: str) -> str:
    """One line of a worked example (Unicode, as the inspector shows it) as LaTeX math."""
    out = _EXPONENT.sub(
        lambda m: rf"{m.group(1)} \times 10^{{{'-' if m.group(2) == '-' else ''}{m.group(3)}}}",
        text,
    )
    out = _INDEX.sub(lambda m: "_{" + m.group(1) + "}", out)
    out = _WORD.sub(_word, out)
    out = _SUM.sub(lambda m: r"\sum_{" + m.group(1) + "} ", out)
    for symbol, latex in _SYMBOLS:
        out = out.replace(symbol, latex)
    return out.replace("?", r"\mathord{?}")


def _word(match: re.Match[str]) -> str:
    """A name of several letters: a function upright; a symbol, which an index or a time step
    follows (``netj[1](2)``), in italics; any other word (a note: "still to come") as text."""
    word, after = match.group(1), match.group(2)
    if word in _FUNCTIONS:
        return "\\" + word
    if after in ("_", "(", "[", "^"):
        return r"\mathit{" + word + "}"
    return r"\text{ " + word + " }"


def _aligned(line: str) -> str:
    """``lhs = rhs`` as ``lhs &= rhs``, with long sums broken after every TERMS_PER_LINE terms."""
    lhs, eq, rhs = line.partition(" = ")
    if not eq:  # an expression with a note, right-aligned at the "=" of the other rows
        return f"{to_latex(line)} &"
    pieces = _OPERATOR.split(rhs)  # terms, each but the first starting with its "+ " or "- "
    chunks = [
        " ".join(pieces[i : i + TERMS_PER_LINE]) for i in range(0, len(pieces), TERMS_PER_LINE)
    ]
    body = " \\\\\n  &\\quad ".join(to_latex(chunk) for chunk in chunks)
    return f"{to_latex(lhs)} &= {body}"


def align_block(explanation: Explanation, *, header: str = "") -> str:
    """The worked example as an ``align`` environment (amsmath), one row per line of every
    step's equation and substituted equation; ``header`` goes in a comment above it."""
    rows: list[str] = []
    for step in explanation.steps:
        for line in (*step.equation.splitlines(), *step.substituted.splitlines()):
            rows.append(_aligned(line))
    comment = [f"% {line}" for line in (explanation.title, *header.splitlines()) if line]
    citations = sorted({step.citation for step in explanation.steps if step.citation})
    comment += [f"% {c}" for c in citations]
    comment.append(r"% needs \usepackage{amsmath}")
    return "\n".join([*comment, r"\begin{align}", " \\\\\n".join(rows), r"\end{align}", ""])
