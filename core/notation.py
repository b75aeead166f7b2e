"""The seeds' notations for the same network, so every view can speak the reader's language.

The engine uses seeds/004's names (U, W, V, b, c, h0) and the gradient sign for deltas
(delta = +dL/dnet). The seeds name the same quantities differently:

==========  =========  ==============  ============  ===========  ===========
engine      seeds/004  seeds/001       seeds/002     seeds/000    seeds/003
==========  =========  ==============  ============  ===========  ===========
U (in->h)   U          V (v_ji)        Wx            wx           v
W (h->h)    W          U (u_jh)        Ws            wh           w
V (h->out)  V          W (w_kj)        Wy            wo           u
b, c        b, c       theta_j, k      b_s, b_y      b_h, b_o     (none)
h0          h(0)       y_j(0)          s(0)          h(0)         s
h, a        h, a       y_j, net_j      s, net_s      h, net_h     y, z
o, y        o, y-hat   net_k, y_k      net_y, y      z, y         p
d, L        y, L       d, C            d, E          t, E         t, E
delta sign  +          - (eq. 12, 27)  +             +            + (delta_t = dE/dz_t)
==========  =========  ==============  ============  ===========  ===========

seeds/001 eq. 12-13 define delta = -dC/dnet, so its deltas are the engine's with the opposite sign;
every view multiplies displayed deltas by ``delta_sign``. Biases absent from a seed get the names
given here. (seeds/004 calls the target y and the output y-hat; the engine calls them d and y.)
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
    """One seed's symbols for the engine's quantities.

    Attributes
    ----------
    key : "004", "001", "002", "000" or "003".
    title : a menu label.  source : the seed file and section the symbols come from.
    symbols : engine name (keys of ``MEANING``) -> symbol in this notation (plain Unicode).
    delta_sign : +1 when the seed's delta is +dL/dnet, -1 when it is -dL/dnet (seeds/001).
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
                "004",
                "seeds/004: U, W, V, b, c (tanh / softmax)",
                "seeds/004 eq. 1-4",
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
                "001",
                "seeds/001 Bodén: V, U, W, θ (δ = -∂C/∂net)",
                "seeds/001 eq. 4-16, 27",
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
                "002",
                "seeds/002: Wx, Ws, Wy (state s)",
                "seeds/002 (folded model)",
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
                "000",
                "seeds/000: wx, wh, wo",
                "seeds/000 eq. 7.14-7.17",
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
                "003",
                "seeds/003: v, w, u (scalar example)",
                "seeds/003 (answer)",
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

DEFAULT_NOTATION: Final = "004"
