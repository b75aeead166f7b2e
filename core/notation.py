"""The notations of the texts a reader may be following, for the same network, so every view can
speak the reader's language.

The engine uses the names of Goodfellow, Bengio and Courville (2016), *Deep Learning* §10.2
(U, W, V, b, c, h0) and the gradient sign for deltas (delta = +dL/dnet). The other texts name the
same quantities differently. Each notation has a key (``--notation`` takes it) and a text the
symbols come from:

* "deep-learning": Goodfellow, Bengio and Courville (2016), *Deep Learning*, ch. 10 (§10.2);
* "boden": Bodén (2001), *A guide to recurrent neural networks and backpropagation*;
* "tutorial": the "Recurrent Neural Networks - Part 2" tutorial (its folded and unfolded models);
* "skansi": Skansi (2018), *Introduction to Deep Learning*, ch. 7 (eq. 7.14-7.17);
* "one-unit": the one-unit worked example (one logistic hidden unit, one linear output).

==========  ===========  ==============  ============  ===========  ===========
engine      Goodfellow   Bodén 2001      tutorial,     Skansi 2018  one-unit
            et al. 2016                  part 2                     example
==========  ===========  ==============  ============  ===========  ===========
U (in->h)   U            V (v_ji)        Wx            wx           v
W (h->h)    W            U (u_jh)        Ws            wh           w
V (h->out)  V            W (w_kj)        Wy            wo           u
b, c        b, c         theta_j, k      b_s, b_y      b_h, b_o     (none)
h0          h(0)         y_j(0)          s(0)          h(0)         s
h, a        h, a         y_j, net_j      s, net_s      h, net_h     y, z
o, y        o, y-hat     net_k, y_k      net_y, y      z, y         p
d, L        y, L         d, C            d, E          t, E         t, E
delta sign  +            - (-dC/dnet)    +             +            + (delta_t = dE/dz_t)
==========  ===========  ==============  ============  ===========  ===========

Bodén (2001) defines delta = -dC/dnet, so his deltas are the engine's with the opposite sign (the
``negative`` forms of Eqs. 9-10, 12-17 and 19 on Unfold's Help > Equations page); every view
multiplies displayed deltas by ``delta_sign``. Biases absent from a text get the names given here.
(Goodfellow et al. call the target y and the output y-hat; the engine calls them d and y.)
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

#: engine quantity -> what it is, for tooltips
MEANING: Final = MappingProxyType(
    {
        "U": "input -> hidden weights",
        "W": "hidden(t-1) -> hidden(t) recurrent weights",
        "V": "hidden -> output weights",
        "b": "hidden bias",
        "c": "output bias",
        "h0": "initial hidden state (the context before the first input)",
        "x": "input",
        "h": "hidden activation",
        "a": "hidden net input",
        "o": "output net input",
        "y": "network output",
        "d": "target (desired output)",
        "L": "loss",
        "delta_h": "hidden delta",
        "delta_o": "output delta",
    }
)


@dataclass(frozen=True, slots=True)
class Notation:
    """One text's symbols for the engine's quantities.

    Attributes
    ----------
    key : "deep-learning", "boden", "tutorial", "skansi" or "one-unit" (see the module docstring).
    title : a menu label.  source : the published work (and section) the symbols come from.
    symbols : engine name (keys of ``MEANING``) -> symbol in this notation (plain Unicode).
    delta_sign : +1 when the text's delta is +dL/dnet, -1 when it is -dL/dnet (Bodén 2001).
    """

    key: str
    title: str
    source: str
    symbols: MappingProxyType[str, str]
    delta_sign: int

    def __getitem__(self, name: str) -> str:
        return self.symbols[name]

    def delta_definition(self, layer: str) -> str:
        """How this notation defines the delta of a layer, e.g. ``δj = -∂C/∂net_j``."""
        net = self.symbols["a" if layer == "h" else "o"]
        sym = self.symbols["delta_h" if layer == "h" else "delta_o"]
        sign = "" if self.delta_sign > 0 else "-"
        return f"{sym} = {sign}∂{self.symbols['L']}/∂{net}"

    def tooltip(self, name: str) -> str:
        """``symbol: meaning (engine name)``, for hover texts."""
        return f"{self.symbols[name]}: {MEANING[name]} (engine: {name})"


def _notation(key: str, title: str, source: str, sign: int, **symbols: str) -> Notation:
    missing = set(MEANING) - set(symbols)
    if missing:
        raise ValueError(f"notation {key} lacks {sorted(missing)}")
    return Notation(key, title, source, MappingProxyType(dict(symbols)), sign)


NOTATIONS: Final = MappingProxyType(
    {
        n.key: n
        for n in (
            _notation(
                "deep-learning",
                "Goodfellow et al. (2016), Deep Learning ch. 10: U, W, V, b, c",
                "Goodfellow, Bengio and Courville (2016), Deep Learning §10.2",
                1,
                U="U",
                W="W",
                V="V",
                b="b",
                c="c",
                h0="h⁽⁰⁾",
                x="x",
                h="h",
                a="a",
                o="o",
                y="ŷ",
                d="y",
                L="L",
                delta_h="δh",
                delta_o="δo",
            ),
            _notation(
                "boden",
                "Bodén (2001): V, U, W, θ (δ = -∂C/∂net)",
                "Bodén (2001), A guide to recurrent neural networks and backpropagation",
                -1,
                U="V",
                W="U",
                V="W",
                b="θj",
                c="θk",
                h0="yj(0)",
                x="x",
                h="yj",
                a="netj",
                o="netk",
                y="yk",
                d="d",
                L="C",
                delta_h="δj",
                delta_o="δk",
            ),
            _notation(
                "tutorial",
                "RNN tutorial, part 2: Wx, Ws, Wy (state s)",
                "the Recurrent Neural Networks - Part 2 tutorial (its folded model)",
                1,
                U="Wx",
                W="Ws",
                V="Wy",
                b="bs",
                c="by",
                h0="s0",
                x="x",
                h="s",
                a="nets",
                o="nety",
                y="y",
                d="d",
                L="E",
                delta_h="δs",
                delta_o="δy",
            ),
            _notation(
                "skansi",
                "Skansi (2018) ch. 7: wx, wh, wo",
                "Skansi (2018), Introduction to Deep Learning, eq. 7.14-7.17",
                1,
                U="wx",
                W="wh",
                V="wo",
                b="bh",
                c="bo",
                h0="h0",
                x="x",
                h="h",
                a="neth",
                o="z",
                y="y",
                d="t",
                L="E",
                delta_h="δh",
                delta_o="δz",
            ),
            _notation(
                "one-unit",
                "One-unit worked example: v, w, u",
                "the one-unit worked example (one logistic hidden unit, one linear output)",
                1,
                U="v",
                W="w",
                V="u",
                b="bz",
                c="bp",
                h0="s",
                x="x",
                h="y",
                a="z",
                o="op",
                y="p",
                d="t",
                L="E",
                delta_h="δ",
                delta_o="δp",
            ),
        )
    }
)

DEFAULT_NOTATION: Final = "deep-learning"
